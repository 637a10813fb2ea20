package dev.vigil.rules.prefilter;

import dev.vigil.events.EventType;

import java.util.List;

/**
 * Events the sensor's own state needs whatever the rules say, declared by the sensor: the process table needs
 * every exec, fork/clone and exit; the fd table needs the opens that succeed when later events on the fd (read,
 * write, close) are judged by fd.name in user space. Each need is joined (union) into its type's filter.
 */
public record StateNeeds(List<TypeFilter> needs) {
    public static final StateNeeds NONE = new StateNeeds(List.of());

    public StateNeeds { needs = List.copyOf(needs); }

    /** Every event of these types. */
    public static StateNeeds all(EventType... types) {
        return new StateNeeds(java.util.Arrays.stream(types).map(TypeFilter::passAll).toList());
    }

    /** Events of these types that succeed (e.g. opens that create fd-table entries). */
    public static StateNeeds succeeding(EventType... types) {
        return new StateNeeds(java.util.Arrays.stream(types)
                .map(t -> TypeFilter.passAll(t).withResult(ValueSet.of(TypeFilter.SUCCESS))).toList());
    }

    public StateNeeds plus(StateNeeds o) {
        List<TypeFilter> l = new java.util.ArrayList<>(needs);
        l.addAll(o.needs);
        return new StateNeeds(l);
    }
}
