package dev.vigil.rules.correlation;

import dev.vigil.events.EventType;
import dev.vigil.rules.Priority;
import dev.vigil.rules.SourcePos;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.fields.Extractor;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A correlation item compiled once: counts of matching events ({@link Kind#EVENT_COUNT}), counts of distinct
 * values ({@link Kind#VALUE_COUNT}) or ordered steps ({@link Kind#SEQUENCE}), per group key, within a window
 * that slides on the events' timestamps. Immutable; the per-key state lives in {@link CorrelationSet}.
 */
public final class Correlation {
    public enum Kind {
        EVENT_COUNT, VALUE_COUNT, SEQUENCE;

        /** The name in rule files ({@code event_count}, ...). */
        public String yamlName() { return name().toLowerCase(Locale.ROOT); }

        /** The kind named in a file, or null. */
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.yamlName().equals(s)) return k;
            return null;
        }
    }

    /**
     * One step: its condition (specialized per event type, as rules are), the fields that make its group key,
     * and the fields of this step that the output names ({@code %step.field}), kept from the matching event.
     */
    public static final class Step {
        final String name;
        final Pred pred;
        final boolean[] types;
        final Pred[] byType;
        final Extractor[] key;
        Extractor[] kept = new Extractor[0];

        public Step(String name, Pred pred, boolean[] types, Extractor[] key) {
            this.name = name;
            this.pred = pred;
            this.types = types.clone();
            this.key = key.clone();
            this.byType = new Pred[this.types.length];
            for (int t = 0; t < this.types.length; t++) if (this.types[t]) byType[t] = pred.forType(t);
        }

        public String name() { return name; }

        /** The fields of the group key and those the output keeps from this step (what else it reads of an event). */
        public java.util.List<Extractor> keyFields() { return java.util.List.of(key); }
        public java.util.List<Extractor> keptFields() { return java.util.List.of(kept); }

        /** The step's condition specialized for one of its event types (null for other types). */
        public Pred predicateFor(int typeId) { return byType[typeId]; }

        public Set<EventType> eventTypes() {
            Set<EventType> s = EnumSet.noneOf(EventType.class);
            for (EventType t : EventType.values()) if (types[t.id()]) s.add(t);
            return s;
        }

        /** Registers a field of this step the output needs; returns its index among the kept fields. */
        int keep(Extractor x) {
            for (int i = 0; i < kept.length; i++) if (kept[i].name().equals(x.name())) return i;
            Extractor[] k = java.util.Arrays.copyOf(kept, kept.length + 1);
            k[kept.length] = x;
            kept = k;
            return kept.length - 1;
        }
    }

    private final String name;
    private final String description;
    private final Priority priority;
    private final List<String> tags;
    private final boolean enabledByDefault;
    private final SourcePos pos;
    private final Kind kind;
    private final long windowNanos;
    private final int threshold;
    private final Step[] steps;
    private final Extractor[] distinct;
    private final CorrelationOutput output;
    private final int maxKeys;

    public Correlation(String name, String description, Priority priority, List<String> tags, boolean enabledByDefault,
                       SourcePos pos, Kind kind, long windowNanos, int threshold, List<Step> steps, Extractor[] distinct,
                       CorrelationOutput output, int maxKeys) {
        this.name = name;
        this.description = description;
        this.priority = priority;
        this.tags = List.copyOf(tags);
        this.enabledByDefault = enabledByDefault;
        this.pos = pos;
        this.kind = kind;
        this.windowNanos = windowNanos;
        this.threshold = threshold;
        this.steps = steps.toArray(Step[]::new);
        this.distinct = distinct.clone();
        this.output = output;
        this.maxKeys = maxKeys;
    }

    public String name() { return name; }
    public String description() { return description; }
    public Priority priority() { return priority; }
    public List<String> tags() { return tags; }
    public boolean enabledByDefault() { return enabledByDefault; }
    public SourcePos pos() { return pos; }
    public Kind kind() { return kind; }
    public long windowNanos() { return windowNanos; }
    /** Events (event_count) or distinct values (value_count) that raise the alert; 0 for sequences. */
    public int threshold() { return threshold; }
    public List<Step> steps() { return List.of(steps); }
    Step step(int i) { return steps[i]; }
    int stepCount() { return steps.length; }
    Extractor[] distinct() { return distinct; }
    /** The fields whose distinct values a value_count counts. */
    public List<Extractor> distinctFields() { return List.of(distinct); }
    public CorrelationOutput output() { return output; }
    /** The most group keys tracked at once; the least recently used is evicted beyond it. */
    public int maxKeys() { return maxKeys; }

    /** The event types any step can match (they join the rule index and the sensor's selection). */
    public Set<EventType> eventTypes() {
        Set<EventType> s = EnumSet.noneOf(EventType.class);
        for (Step st : steps) s.addAll(st.eventTypes());
        return s;
    }

    @Override
    public String toString() { return name; }
}
