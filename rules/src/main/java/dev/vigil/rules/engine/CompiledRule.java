package dev.vigil.rules.engine;

import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.rules.Priority;
import dev.vigil.rules.SourcePos;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.output.Alert;
import dev.vigil.rules.output.OutputFormat;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A rule compiled once: its predicate, the event types it can match, and its output format. Immutable. */
public final class CompiledRule {
    private final String name;
    private final String description;
    private final Priority priority;
    private final List<String> tags;
    private final String source;
    private final boolean enabledByDefault;
    private final int index;
    private final String condition;
    private final Pred pred;
    private final boolean[] types;
    private final boolean allTypes;
    private final OutputFormat output;
    private final SourcePos pos;
    /** The predicate specialized per event type it can match (evt.type tests folded); null for other types. */
    private final Pred[] predByType;

    public CompiledRule(String name, String description, Priority priority, List<String> tags, String source,
                        boolean enabledByDefault, int index, String condition, Pred pred, boolean[] types,
                        boolean allTypes, OutputFormat output, SourcePos pos) {
        this.name = name;
        this.description = description;
        this.priority = priority;
        this.tags = List.copyOf(tags);
        this.source = source;
        this.enabledByDefault = enabledByDefault;
        this.index = index;
        this.condition = condition;
        this.pred = pred;
        this.types = types.clone();
        this.allTypes = allTypes;
        this.output = output;
        this.pos = pos;
        this.predByType = new Pred[this.types.length];
        for (int t = 0; t < this.types.length; t++) if (this.types[t]) predByType[t] = pred.forType(t);
    }

    public String name() { return name; }
    public String description() { return description; }
    public Priority priority() { return priority; }
    public List<String> tags() { return tags; }
    public String source() { return source; }
    /** The {@code enabled} value from the rules files (before selectors). */
    public boolean enabledByDefault() { return enabledByDefault; }
    /** Load order. */
    public int index() { return index; }
    /** The condition text (appends joined), without exceptions. */
    public String condition() { return condition; }
    public OutputFormat output() { return output; }
    /** Where the rule is defined. */
    public SourcePos pos() { return pos; }

    /** Whether the condition holds for the event (ignores the event-type index). Allocation-free. */
    public boolean matches(EventView e) { return pred.test(e); }

    /** Whether the condition holds, with the evaluating thread's memo context (what {@link RuleSet} uses). */
    public boolean matches(EventView e, Pred.Ctx ctx) { return pred.test(e, ctx); }

    public boolean canMatch(int typeId) { return types[typeId]; }

    /**
     * The condition specialized for events of one type the rule can match (what {@link RuleSet} evaluates);
     * equivalent to the full condition on those events.
     */
    public Pred predicateFor(int typeId) { return predByType[typeId]; }

    /** True if the condition does not restrict evt.type (the rule runs on every event). */
    public boolean matchesAllTypes() { return allTypes; }

    /** Adds the generic syscalls the condition names (none when it admits them all: see {@link RuleSet#requiredSyscalls}). */
    public void addNamedSyscalls(Set<Integer> out) { namedSyscalls(types, out); }

    /** The syscall numbers whose generic match ids are set, unless all are. */
    public static void namedSyscalls(boolean[] types, Set<Integer> out) {
        if (types.length < EventType.MATCH_IDS) return;
        java.util.List<Integer> named = new java.util.ArrayList<>();
        for (int nr = 0; nr < dev.vigil.events.Syscalls.MAX; nr++) {
            if (dev.vigil.events.Syscalls.name(nr) == null) continue;
            if (!types[EventType.matchIdOf(nr)]) continue;
            named.add(nr);
        }
        if (named.size() < dev.vigil.events.Syscalls.all().size()) out.addAll(named);
    }

    public Set<EventType> eventTypes() {
        Set<EventType> s = EnumSet.noneOf(EventType.class);
        for (EventType t : EventType.values()) if (types[t.id()]) s.add(t);
        return s;
    }

    /** The rule's output with fields filled in ({@code <NA>} when missing). */
    public String formatOutput(EventView e) { return output.format(e); }

    /** A Falco-shaped alert for a matching event. */
    public Alert alert(EventView e, String hostname) {
        return alert(e, hostname, false);
    }

    /** A Falco-shaped alert; {@code iso8601}: the output starts with the ISO 8601 time (time_format_iso_8601). */
    public Alert alert(EventView e, String hostname, boolean iso8601) {
        StringBuilder sb = new StringBuilder(256);
        sb.append(iso8601 ? FieldRegistry.formatIso(e.timestamp()) : FieldRegistry.formatTime(e.timestamp()))
                .append(": ").append(priority.display()).append(' ');
        output.appendTo(e, sb);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("evt.time", e.timestamp());
        fields.putAll(output.values(e));
        return new Alert(e.timestamp(), name, priority, source, tags, sb.toString(), fields, hostname);
    }

    @Override
    public String toString() { return name; }
}
