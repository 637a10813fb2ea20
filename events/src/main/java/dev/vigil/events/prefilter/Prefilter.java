package dev.vigil.events.prefilter;

import dev.vigil.events.EventType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The kernel prefilter derived from a loaded rule set: a {@link TypeFilter} per filtered event type (the open
 * family); a type without one passes whole. Conservative by construction: every event a loaded rule, correlation
 * step or state need could match passes.
 */
public record Prefilter(Map<EventType, TypeFilter> byType) {
    public static final Prefilter NONE = new Prefilter(Map.of());

    public Prefilter {
        EnumMap<EventType, TypeFilter> m = new EnumMap<>(EventType.class);
        m.putAll(byType);
        byType = Collections.unmodifiableMap(m);
    }

    public TypeFilter filter(EventType t) { return byType.getOrDefault(t, TypeFilter.PASS_ALL); }

    /** The filter of each filtered type, one per line, as `vigil rules explain` prints it. */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<EventType, TypeFilter> e : byType.entrySet()) {
            sb.append(e.getKey().falcoName()).append(": ").append(e.getValue()).append('\n');
        }
        return sb.toString();
    }
}
