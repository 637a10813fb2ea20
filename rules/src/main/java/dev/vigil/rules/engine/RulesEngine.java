package dev.vigil.rules.engine;

import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.rules.RuleLoadException;
import dev.vigil.rules.load.RuleLoader;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The running engine: holds the current {@link RuleSet} and replaces it atomically. A load that fails throws and
 * leaves the previous set in force; evaluation always sees one complete set.
 */
public final class RulesEngine {
    private final AtomicReference<RuleSet> current;
    private volatile EngineOptions options;

    public RulesEngine(EngineOptions options) {
        this.options = options;
        this.current = new AtomicReference<>(RuleSet.empty(options.hostname()).withMatchMode(options.matchMode()));
    }

    /**
     * Loads the files (in order) and, if they are valid, makes them the current rule set, with the engine's
     * selectors applied.
     *
     * @throws RuleLoadException with every diagnostic; the current rule set is unchanged
     */
    public RuleSet load(List<Path> files) throws RuleLoadException {
        RuleLoader.Result r = RuleLoader.loadFiles(files, options);
        if (!r.ok()) throw new RuleLoadException(r.diagnostics());
        current.set(r.ruleSet());
        return r.ruleSet();
    }

    /** Like {@link #load} from in-memory sources (tests, replay bundles). */
    public RuleSet loadSources(List<RuleLoader.Source> sources) throws RuleLoadException {
        RuleLoader.Result r = RuleLoader.load(sources, options);
        if (!r.ok()) throw new RuleLoadException(r.diagnostics());
        current.set(r.ruleSet());
        return r.ruleSet();
    }

    public RuleSet current() { return current.get(); }

    /** Replaces the selectors (for future loads) and re-applies them to the current set, atomically. */
    public RuleSet setSelectors(List<RuleSelector> selectors) {
        this.options = options.withSelectors(selectors);
        return current.updateAndGet(rs -> rs.resetSelection().select(selectors));
    }

    /** Applies a change (enable/disable/match mode) to the current set atomically. */
    public RuleSet update(UnaryOperator<RuleSet> change) { return current.updateAndGet(change); }

    /** Evaluates one event against the current set. Allocation-free. */
    public int evaluate(EventView e, AlertSink sink) { return current.get().evaluate(e, sink); }

    public Set<EventType> requiredEventTypes() { return current.get().requiredEventTypes(); }

    public EngineOptions options() { return options; }
}
