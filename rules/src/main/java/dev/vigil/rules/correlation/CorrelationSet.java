package dev.vigil.rules.correlation;

import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.RuleSelector;
import dev.vigil.rules.output.Alert;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The loaded correlations, indexed by event type like rules (each step's condition specialized per type), with
 * their state. Selecting (enable/disable) gives a new set that shares the state, so a key's window survives an
 * enable/disable of another correlation; a reload starts from empty state.
 */
public final class CorrelationSet {
    /** One correlation's counters, for /metrics. */
    public record Stats(String correlation, int keys, int maxKeys, long evictions, long alerts, long suppressed) {}

    private static final CorrelationSet EMPTY = new CorrelationSet(List.of(), new boolean[0], null);

    private final List<Correlation> correlations;
    private final boolean[] enabled;
    private final CorrelationState[] states;
    /** Per event type: the enabled (correlation, step) pairs whose condition can match it, with the predicate. */
    private final CorrelationState[][] stateByType;
    private final int[][] stepByType;
    private final Pred[][] predByType;

    private CorrelationSet(List<Correlation> correlations, boolean[] enabled, CorrelationState[] states) {
        this.correlations = List.copyOf(correlations);
        this.enabled = enabled.clone();
        if (states == null) {
            states = new CorrelationState[this.correlations.size()];
            for (int i = 0; i < states.length; i++) states[i] = new CorrelationState(this.correlations.get(i));
        }
        this.states = states;
        stateByType = new CorrelationState[EventType.MATCH_IDS][];
        stepByType = new int[EventType.MATCH_IDS][];
        predByType = new Pred[EventType.MATCH_IDS][];
        for (int t = 0; t < EventType.MATCH_IDS; t++) {
            List<int[]> l = new ArrayList<>();
            for (int i = 0; i < this.correlations.size(); i++) {
                if (!this.enabled[i]) continue;
                Correlation c = this.correlations.get(i);
                // later steps first, so that an event matching two steps advances a chain before restarting one
                for (int j = c.stepCount() - 1; j >= 0; j--) if (c.step(j).types[t]) l.add(new int[] {i, j});
            }
            stateByType[t] = new CorrelationState[l.size()];
            stepByType[t] = new int[l.size()];
            predByType[t] = new Pred[l.size()];
            for (int k = 0; k < l.size(); k++) {
                int[] p = l.get(k);
                stateByType[t][k] = this.states[p[0]];
                stepByType[t][k] = p[1];
                predByType[t][k] = this.correlations.get(p[0]).step(p[1]).byType[t];
            }
        }
    }

    public static CorrelationSet empty() { return EMPTY; }

    /** Freshly loaded correlations, each with its {@code enabled} value from the files, and empty state. */
    public static CorrelationSet of(List<Correlation> correlations) {
        boolean[] en = new boolean[correlations.size()];
        for (int i = 0; i < en.length; i++) en[i] = correlations.get(i).enabledByDefault();
        return new CorrelationSet(correlations, en, null);
    }

    public List<Correlation> all() { return correlations; }

    public List<Correlation> enabled() {
        List<Correlation> l = new ArrayList<>();
        for (int i = 0; i < enabled.length; i++) if (enabled[i]) l.add(correlations.get(i));
        return l;
    }

    public boolean isEnabled(String name) {
        for (int i = 0; i < enabled.length; i++) if (correlations.get(i).name().equals(name)) return enabled[i];
        return false;
    }

    public Correlation correlation(String name) {
        for (Correlation c : correlations) if (c.name().equals(name)) return c;
        return null;
    }

    /** Whether any enabled step can match events of this type. */
    public boolean indexes(int typeId) { return stateByType[typeId].length > 0; }

    /**
     * Offers the event to the steps indexed for its type; every completed correlation goes to
     * {@link AlertSink#onCorrelation}. Allocation-free unless an alert is built. Returns the alerts raised.
     * Single writer: the state is not locked, so one thread at a time evaluates (the agent's reader thread).
     */
    public int evaluate(EventView e, Pred.Ctx ctx, AlertSink sink, String hostname) {
        int t = e.matchId();
        CorrelationState[] ss = stateByType[t];
        if (ss.length == 0) return 0;
        Pred[] ps = predByType[t];
        int[] js = stepByType[t];
        int n = 0;
        for (int k = 0; k < ss.length; k++) {
            if (!ps[k].test(e, ctx)) continue;
            CorrelationState s = ss[k];
            Alert a;
            a = s.offer(js[k], e, hostname);
            if (a != null) {
                n++;
                sink.onCorrelation(s.c, a, e);
            }
        }
        return n;
    }

    /** The event types the enabled correlations' steps need. */
    public Set<EventType> requiredEventTypes() {
        Set<EventType> s = EnumSet.noneOf(EventType.class);
        for (EventType t : EventType.values()) if (stateByType[t.id()].length > 0) s.add(t);
        return s;
    }

    /** The generic syscalls the enabled correlations' steps name in evt.type (see RuleSet#requiredSyscalls). */
    public Set<Integer> requiredSyscalls() {
        Set<Integer> s = new java.util.TreeSet<>();
        for (int i = 0; i < correlations.size(); i++) {
            if (!enabled[i]) continue;
            Correlation c = correlations.get(i);
            for (int j = 0; j < c.stepCount(); j++) dev.vigil.rules.engine.CompiledRule.namedSyscalls(c.step(j).types, s);
        }
        return s;
    }

    /** A copy with the selectors applied in order on top of the current enabled state, sharing the state. */
    public CorrelationSet select(List<RuleSelector> selectors) {
        boolean[] en = enabled.clone();
        for (RuleSelector s : selectors) {
            for (int i = 0; i < correlations.size(); i++) {
                Correlation c = correlations.get(i);
                if (s.selects(c.name(), c.tags())) en[i] = s.enable();
            }
        }
        return new CorrelationSet(correlations, en, states);
    }

    /** A copy with every correlation back to its {@code enabled} value from the files, sharing the state. */
    public CorrelationSet resetSelection() {
        boolean[] en = new boolean[correlations.size()];
        for (int i = 0; i < en.length; i++) en[i] = correlations.get(i).enabledByDefault();
        return new CorrelationSet(correlations, en, states);
    }

    /** Keys tracked, evictions, alerts and suppressed repeats per correlation (any thread: racy reads of counters). */
    public List<Stats> stats() {
        List<Stats> out = new ArrayList<>();
        for (CorrelationState s : states) {
            out.add(new Stats(s.c.name(), s.keys(), s.c.maxKeys(), s.evictions(), s.alerts, s.suppressed));
        }
        return out;
    }
}
