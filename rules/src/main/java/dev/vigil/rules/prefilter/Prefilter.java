package dev.vigil.rules.prefilter;

import dev.vigil.events.EventType;
import dev.vigil.events.EventView;

import java.util.EnumMap;
import java.util.Map;

/**
 * The kernel prefilter derived from a loaded rule set: one {@link TypeFilter} per event type. Conservative: every
 * event that any loaded rule (or correlation step, or declared state need) could match passes.
 */
public record Prefilter(Map<EventType, TypeFilter> byType) {
    public Prefilter {
        byType = java.util.Collections.unmodifiableMap(new EnumMap<>(byType));
    }

    public TypeFilter filter(EventType t) { return byType.getOrDefault(t, TypeFilter.dropAll(t)); }

    /** Whether the event would be written to the ring. */
    public boolean passes(EventView e) { return filter(e.type()).passes(e); }
}
