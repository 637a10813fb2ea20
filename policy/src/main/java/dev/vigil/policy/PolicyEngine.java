package dev.vigil.policy;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent's policy side: one enforcer per policy kind in use, created on first need (adopting the kind's pins when
 * an earlier run left them), fed the whole desired set on every {@link #apply}. A kind whose policies all went away
 * gets an empty set (its maps emptied, so nothing of it restricts any more); its programs stay until
 * {@link #close(boolean) close(true)} or {@code vigil policy remove}.
 */
public final class PolicyEngine implements AutoCloseable {
    private final PolicyKinds kinds;
    private final PinStore store;
    private final PolicyOptions options;
    private final Consumer<PolicyEvent> events;
    private final PrintStream log;
    private final Map<PolicyKind<?>, Enforcer<?>> enforcers = new LinkedHashMap<>();
    private volatile PolicySet current = PolicySet.empty();

    public PolicyEngine(PolicyKinds kinds, PinStore store, PolicyOptions options, Consumer<PolicyEvent> events, PrintStream log) {
        this.kinds = kinds;
        this.store = store;
        this.options = options;
        this.events = events;
        this.log = log;
    }

    public PinStore store() {
        return store;
    }

    public PolicyOptions options() {
        return options;
    }

    public PolicySet current() {
        return current;
    }

    /** Makes the kernel enforce exactly this set (every kind in use, or that had policies before). */
    public synchronized void apply(PolicySet set) {
        List<PolicyKind<?>> touched = new ArrayList<>(set.kinds());
        for (PolicyKind<?> k : enforcers.keySet()) {
            if (!touched.contains(k)) touched.add(k);
        }
        for (PolicyKind<?> k : touched) {
            applyKind(k, set);
        }
        current = set;
    }

    private <P extends Policy> void applyKind(PolicyKind<P> kind, PolicySet set) {
        @SuppressWarnings("unchecked")
        Enforcer<P> e = (Enforcer<P>) enforcers.get(kind);
        if (e == null) {
            var dir = store.forKind(kind);
            boolean adopting = !dir.pins().isEmpty();
            e = kind.enforcer(new EnforcerContext(dir.create(), adopting, options, events, log));
            enforcers.put(kind, e);
            if (adopting) log.println("vigil: policy: adopted the pinned " + kind.kind() + " state under " + dir.root());
        }
        e.apply(set.of(kind));
    }

    /** What every enforcer enforces, by kind. */
    public synchronized Map<String, List<Map<String, Object>>> show() {
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        enforcers.forEach((k, e) -> out.put(k.kind(), e.show()));
        return out;
    }

    public synchronized Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        enforcers.forEach((k, e) -> e.counters().forEach((n, v) -> out.put(k.pinName() + "." + n, v)));
        return out;
    }

    /** Closes the enforcers; {@code unload}: also unpins everything (nothing of Vigil stays in the kernel). */
    @Override
    public void close() {
        close(false);
    }

    public synchronized void close(boolean unload) {
        for (Enforcer<?> e : enforcers.values()) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                log.println("vigil: policy: closing an enforcer failed: " + ex.getMessage());
            }
        }
        enforcers.clear();
        if (unload) {
            int n = store.remove();
            log.println("vigil: policy: unloaded (" + n + " pins removed under " + store.root() + ")");
        }
    }
}
