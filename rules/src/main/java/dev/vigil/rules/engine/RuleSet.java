package dev.vigil.rules.engine;

import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.correlation.CorrelationSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable, compiled set of rules indexed by event type: {@link #evaluate} offers an event only to the
 * enabled rules that can match its type, in load order. Enabling/disabling and changing the match mode return a
 * new set sharing the compiled rules, so a running engine swaps sets atomically.
 */
public final class RuleSet {
    private final List<CompiledRule> rules;
    private final boolean[] enabled;
    private final CompiledRule[][] byType;
    /** predsByType[t][i]: byType[t][i]'s condition specialized for type t. */
    private final Pred[][] predsByType;
    private final MatchMode mode;
    private final String hostname;
    private final List<Diagnostic> warnings;
    private final int memoSlots;
    /** Vigil's correlation items, evaluated after the rules on the same events (with the same memo context). */
    private final CorrelationSet correlations;
    private final ThreadLocal<Pred.Ctx> ctx;
    /** The last thread's context, to skip the ThreadLocal lookup when one thread evaluates (racy but safe). */
    private Pred.Ctx lastCtx;

    public RuleSet(List<CompiledRule> rules, boolean[] enabled, MatchMode mode, String hostname, List<Diagnostic> warnings) {
        this(rules, enabled, mode, hostname, warnings, 0);
    }

    /** {@code memoSlots}: how many memoized macros the compiled predicates use (see {@link Pred.Ctx}). */
    public RuleSet(List<CompiledRule> rules, boolean[] enabled, MatchMode mode, String hostname, List<Diagnostic> warnings,
                   int memoSlots) {
        this(rules, enabled, mode, hostname, warnings, memoSlots, CorrelationSet.empty());
    }

    /** With correlations (their steps may use memo slots too: {@code memoSlots} counts both). */
    public RuleSet(List<CompiledRule> rules, boolean[] enabled, MatchMode mode, String hostname, List<Diagnostic> warnings,
                   int memoSlots, CorrelationSet correlations) {
        this.memoSlots = memoSlots;
        this.correlations = correlations;
        this.ctx = ThreadLocal.withInitial(() -> new Pred.Ctx(memoSlots));
        this.rules = List.copyOf(rules);
        this.enabled = enabled.clone();
        this.mode = mode;
        this.hostname = hostname;
        this.warnings = List.copyOf(warnings);
        this.byType = new CompiledRule[EventType.MATCH_IDS][];
        this.predsByType = new Pred[EventType.MATCH_IDS][];
        for (int t = 0; t < EventType.MATCH_IDS; t++) {
            List<CompiledRule> l = new ArrayList<>();
            for (int i = 0; i < this.rules.size(); i++) {
                CompiledRule r = this.rules.get(i);
                if (this.enabled[i] && r.canMatch(t)) l.add(r);
            }
            byType[t] = l.toArray(CompiledRule[]::new);
            predsByType[t] = new Pred[byType[t].length];
            for (int i = 0; i < byType[t].length; i++) predsByType[t][i] = byType[t][i].predicateFor(t);
        }
    }

    /** An empty set (what an engine runs before its first load). */
    public static RuleSet empty(String hostname) {
        return new RuleSet(List.of(), new boolean[0], MatchMode.ALL, hostname, List.of());
    }

    /**
     * Evaluates the event against the enabled rules indexed for its type, calling {@code sink} for each match
     * (only the first in {@link MatchMode#FIRST} mode). Allocation-free. Returns the number of matches.
     */
    public int evaluate(EventView e, AlertSink sink) {
        int t = e.matchId();
        CompiledRule[] rs = byType[t];
        boolean corr = correlations.indexes(t);
        if (rs.length == 0 && !corr) return 0;
        Pred[] ps = predsByType[t];
        Pred.Ctx c = context().next(memoSlots);
        int n = 0;
        for (int i = 0; i < ps.length; i++) {
            if (ps[i].test(e, c)) {
                n++;
                sink.onMatch(rs[i], e);
                if (mode == MatchMode.FIRST) break;
            }
        }
        if (corr) n += correlations.evaluate(e, c, sink, hostname);
        return n;
    }

    private Pred.Ctx context() {
        Pred.Ctx c = lastCtx;
        if (c != null && c.owner == Thread.currentThread()) return c;
        c = ctx.get();
        lastCtx = c;
        return c;
    }

    /** All compiled rules (enabled or not), in load order. */
    public List<CompiledRule> rules() { return rules; }

    public List<CompiledRule> enabledRules() {
        List<CompiledRule> l = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) if (enabled[i]) l.add(rules.get(i));
        return Collections.unmodifiableList(l);
    }

    public CompiledRule rule(String name) {
        for (CompiledRule r : rules) if (r.name().equals(name)) return r;
        return null;
    }

    public boolean isEnabled(String name) {
        for (int i = 0; i < rules.size(); i++) if (rules.get(i).name().equals(name)) return enabled[i];
        return false;
    }

    public MatchMode matchMode() { return mode; }

    public String hostname() { return hostname; }

    /** Warnings from loading (the set loaded, so there were no errors). */
    public List<Diagnostic> warnings() { return warnings; }

    /** The enabled rules indexed for an event type, in evaluation order. */
    public List<CompiledRule> rulesFor(EventType t) { return List.of(byType[t.id()]); }

    /**
     * The event types the enabled rules need, for the sensor's in-kernel syscall selection. If an enabled rule does
     * not restrict evt.type, every type is needed.
     */
    public Set<EventType> requiredEventTypes() {
        Set<EventType> s = EnumSet.noneOf(EventType.class);
        for (EventType t : EventType.values()) if (byType[t.id()].length > 0) s.add(t);
        s.addAll(correlations.requiredEventTypes());
        return s;
    }

    /**
     * The syscalls without a decoder that the enabled rules name in evt.type (Falco's generic event), by number:
     * the sensor captures exactly these through the generic record. A rule whose condition admits every syscall
     * (no evt.type test, or only negated ones) asks for none: it sees the ones other rules bring.
     */
    public Set<Integer> requiredSyscalls() {
        Set<Integer> s = new java.util.TreeSet<>();
        for (int i = 0; i < rules.size(); i++) {
            if (enabled[i]) rules.get(i).addNamedSyscalls(s);
        }
        s.addAll(correlations.requiredSyscalls());
        return s;
    }

    /** The correlation items loaded with the rules (enable/disable selectors apply to them as to rules). */
    public CorrelationSet correlations() { return correlations; }

    /** A copy with selectors applied in order on top of the current enabled state. */
    public RuleSet select(List<RuleSelector> selectors) {
        boolean[] en = enabled.clone();
        for (RuleSelector s : selectors) {
            for (int i = 0; i < rules.size(); i++) if (s.selects(rules.get(i))) en[i] = s.enable();
        }
        return new RuleSet(rules, en, mode, hostname, warnings, memoSlots, correlations.select(selectors));
    }

    public RuleSet enable(String namePattern) { return select(List.of(RuleSelector.enableRule(namePattern))); }

    public RuleSet disable(String namePattern) { return select(List.of(RuleSelector.disableRule(namePattern))); }

    public RuleSet enableTag(String tagPattern) { return select(List.of(RuleSelector.enableTag(tagPattern))); }

    public RuleSet disableTag(String tagPattern) { return select(List.of(RuleSelector.disableTag(tagPattern))); }

    /** A copy with every rule back to its {@code enabled} value from the files. */
    public RuleSet resetSelection() {
        boolean[] en = new boolean[rules.size()];
        for (int i = 0; i < en.length; i++) en[i] = rules.get(i).enabledByDefault();
        return new RuleSet(rules, en, mode, hostname, warnings, memoSlots, correlations.resetSelection());
    }

    public RuleSet withMatchMode(MatchMode m) { return new RuleSet(rules, enabled, m, hostname, warnings, memoSlots, correlations); }
}
