package dev.vigil.events.prefilter;

import dev.vigil.events.EventType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel prefilter derived from a loaded rule set: a {@link TypeFilter} per filtered event type (the open
 * family); a type without one passes whole. Conservative by construction: every event a loaded rule, correlation
 * step or state need could match passes.
 */
public record Prefilter(Map<EventType, TypeFilter> byType, Map<EventType, List<String>> why, List<String> notes) {
    public static final Prefilter NONE = new Prefilter(Map.of());

    public Prefilter {
        EnumMap<EventType, TypeFilter> m = new EnumMap<>(EventType.class);
        m.putAll(byType);
        byType = Collections.unmodifiableMap(m);
        EnumMap<EventType, List<String>> w = new EnumMap<>(EventType.class);
        for (Map.Entry<EventType, List<String>> e : why.entrySet()) w.put(e.getKey(), List.copyOf(e.getValue()));
        why = Collections.unmodifiableMap(w);
        notes = List.copyOf(notes);
    }

    public Prefilter(Map<EventType, TypeFilter> byType) { this(byType, Map.of(), List.of()); }

    public TypeFilter filter(EventType t) { return byType.getOrDefault(t, TypeFilter.PASS_ALL); }

    /**
     * The filter of each filtered type with the reasons for it (which rule leaves it unfiltered, whether the fd
     * table needs the opens), then the notes, as `vigil rules explain` prints it.
     */
    public String explain() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<EventType, TypeFilter> e : byType.entrySet()) {
            sb.append(e.getKey().falcoName()).append(": ").append(e.getValue()).append('\n');
            for (String r : why.getOrDefault(e.getKey(), List.of())) sb.append("    because ").append(r).append('\n');
        }
        for (String n : notes) sb.append(n).append('\n');
        return sb.toString();
    }
}
