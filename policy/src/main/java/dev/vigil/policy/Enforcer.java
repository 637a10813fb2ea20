package dev.vigil.policy;

import java.util.List;
import java.util.Map;

/**
 * One kind's kernel enforcement. {@link #apply} takes the whole desired set each time (load, reload, live change):
 * the enforcer changes maps, not programs, so connections and processes already allowed are not disturbed. State
 * lives in pins under {@link EnforcerContext#pins()}, so it survives the agent; {@link #close} releases this process's
 * handles and leaves the pins (protection stays until {@code vigil policy remove}).
 */
public interface Enforcer<P extends Policy> extends AutoCloseable {
    /** Makes the kernel enforce exactly these policies (empty: none of this kind; the programs may stay). */
    void apply(List<P> policies);

    /** What is enforced now, per target (container, binary...), as JSON-able maps for {@code GET /policies}. */
    List<Map<String, Object>> show();

    /** Counters for metrics, name to value (e.g. flows by verdict). */
    default Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    void close();
}
