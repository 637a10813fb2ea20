package dev.vigil.rules.load;

import dev.vigil.rules.SourcePos;
import dev.vigil.rules.compile.Compiler;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.correlation.Correlation.Kind;
import dev.vigil.rules.correlation.CorrelationOutput;
import dev.vigil.rules.correlation.Durations;
import dev.vigil.rules.engine.EngineOptions.CorrelationLimits;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.fields.FieldDef;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.lang.Expr;
import dev.vigil.rules.lang.Loc;
import dev.vigil.rules.lang.ParseException;
import dev.vigil.rules.lang.Parser;
import dev.vigil.rules.load.CorrelationDef.StepDef;
import dev.vigil.rules.load.Defs.ExceptionDef;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Compiles the correlation items read by {@link CorrelationReader} against the files' lists and macros: each
 * step's condition (exceptions appended, as for rules) into a predicate indexed by event type, the group key's
 * fields per step (through aliases), the distinct fields, the window and threshold against the configured
 * limits, and the output. Every problem is a positioned diagnostic; an item with errors is not loaded.
 */
final class CorrelationBuilder {
    /** The largest threshold: per key, state grows with it. */
    static final int MAX_THRESHOLD = 100_000;

    private final Map<String, CorrelationDef> defs;
    private final Map<String, Expr> macros;
    private final Map<String, List<String>> lists;
    private final Map<String, Integer> memoSlots;
    private final FieldRegistry.Context ctx;
    private final CorrelationLimits limits;
    private final Diags d;
    private final BiFunction<List<ExceptionDef>, Compiler.Reporter, Expr> exceptions;
    private boolean bad;

    CorrelationBuilder(Map<String, CorrelationDef> defs, Map<String, Expr> macros, Map<String, List<String>> lists,
                       Map<String, Integer> memoSlots, FieldRegistry.Context ctx, CorrelationLimits limits, Diags d,
                       BiFunction<List<ExceptionDef>, Compiler.Reporter, Expr> exceptions) {
        this.defs = defs;
        this.macros = macros;
        this.lists = lists;
        this.memoSlots = memoSlots;
        this.ctx = ctx;
        this.limits = limits;
        this.d = d;
        this.exceptions = exceptions;
    }

    private final Compiler.Reporter reporter = new Compiler.Reporter() {
        @Override public void error(Loc loc, String message) {
            bad = true;
            d.error(loc.pos(), message);
        }

        @Override public void warning(Loc loc, String message) { d.warning(loc.pos(), message); }
    };

    private void error(SourcePos p, String message) {
        bad = true;
        d.error(p, message);
    }

    List<Correlation> build() {
        List<Correlation> out = new ArrayList<>();
        for (CorrelationDef c : defs.values()) {
            if (c.broken) continue;
            bad = false;
            Correlation built = correlation(c);
            if (built != null && !bad) out.add(built);
        }
        return out;
    }

    private Correlation correlation(CorrelationDef c) {
        String what = "correlation '" + c.name + "'";
        Kind kind = Kind.parse(c.type.value().trim());
        if (kind == null) {
            error(c.type.pos(), "unknown correlation type '" + c.type.value() + "' (expected event_count, value_count or sequence)");
            return null;
        }
        long window = window(c, what);
        int threshold = threshold(c, kind, what);
        int maxKeys = maxKeys(c);
        // steps: one per sequence step, or the condition of a count
        List<StepDef> stepDefs;
        if (kind == Kind.SEQUENCE) {
            if (!c.condition.isEmpty()) error(c.condition.getFirst().pos(), "a sequence has 'steps', not a 'condition'");
            if (c.steps.size() < 2) {
                error(c.pos, what + " is a sequence and needs at least two 'steps'");
                return null;
            }
            stepDefs = c.steps;
        } else {
            if (c.condition.isEmpty()) {
                error(c.pos, what + " has no 'condition'");
                return null;
            }
            if (!c.steps.isEmpty()) error(c.steps.getFirst().pos(), "only a sequence has 'steps'; " + kind.yamlName() + " has a 'condition'");
            stepDefs = List.of(new StepDef(null, c.condition, c.pos));
        }
        Set<String> names = new HashSet<>();
        for (StepDef s : stepDefs) {
            if (s.name() == null) continue;
            String n = s.name().value();
            if (!n.matches("[A-Za-z_][A-Za-z0-9_]*")) error(s.name().pos(), "step name '" + n + "' must be a plain name (letters, digits, _)");
            else if (n.equals("corr") || isFieldClass(n)) error(s.name().pos(), "step name '" + n + "' is taken by the %" + n + ".* fields");
            else if (!names.add(n)) error(s.name().pos(), "duplicate step name '" + n + "'");
        }
        if (kind != Kind.SEQUENCE && !c.aliases.isEmpty()) {
            error(c.aliasPos.values().iterator().next(), "'aliases' join the steps of a sequence; " + kind.yamlName() + " has none");
        }
        for (Map.Entry<String, Map<String, dev.vigil.rules.load.Text>> a : c.aliases.entrySet()) {
            for (Map.Entry<String, dev.vigil.rules.load.Text> sf : a.getValue().entrySet()) {
                if (!names.contains(sf.getKey())) {
                    error(sf.getValue().pos(), "alias '" + a.getKey() + "' names step '" + sf.getKey() + "', which is not a step of "
                            + what + " (steps: " + String.join(", ", stepNames(stepDefs)) + ")");
                }
            }
        }
        Compiler compiler = new Compiler(macros, lists, ctx, reporter, memoSlots);
        Expr exc = c.exceptions.isEmpty() ? null : exceptions.apply(c.exceptions, reporter);
        List<Correlation.Step> steps = new ArrayList<>();
        for (StepDef sd : stepDefs) {
            Correlation.Step st = step(c, sd, exc, compiler, what);
            if (st == null) return null;
            steps.add(st);
        }
        checkAliasKinds(c, steps, compiler);
        Extractor[] distinct = new Extractor[0];
        if (kind == Kind.VALUE_COUNT) {
            if (c.distinct.isEmpty()) {
                error(c.pos, what + " is a value_count and needs 'distinct' (the fields whose distinct values count)");
                return null;
            }
            List<Extractor> xs = new ArrayList<>();
            for (dev.vigil.rules.load.Text t : c.distinct) {
                Extractor x = field(t, compiler, "distinct");
                if (x != null) xs.add(x);
            }
            distinct = xs.toArray(Extractor[]::new);
        } else if (!c.distinct.isEmpty()) {
            error(c.distinct.getFirst().pos(), "only a value_count has 'distinct'");
        }
        if (c.output.isEmpty()) return null;
        dev.vigil.rules.load.Text out = dev.vigil.rules.load.Text.join(c.output);
        CorrelationOutput of = CorrelationOutput.compile(out.value(), out.map(), steps, kind == Kind.SEQUENCE, compiler, reporter);
        if (bad || of == null || window < 0 || threshold < 0) return null;
        return new Correlation(c.name, c.desc, c.priority, new ArrayList<>(c.tags), c.enabled, c.pos, kind, window, threshold,
                steps, distinct, of, maxKeys);
    }

    private static List<String> stepNames(List<StepDef> steps) {
        List<String> l = new ArrayList<>();
        for (StepDef s : steps) if (s.name() != null) l.add(s.name().value());
        return l;
    }

    private static boolean isFieldClass(String n) {
        for (FieldDef f : FieldRegistry.fields()) if (f.name().startsWith(n + ".")) return true;
        return false;
    }

    private long window(CorrelationDef c, String what) {
        if (c.window == null) {
            error(c.pos, what + " has no 'window' (how long its events may span, such as 10s)");
            return -1;
        }
        long w = Durations.parse(c.window.value());
        if (w < 0) {
            error(c.window.pos(), "invalid window '" + c.window.value() + "' (a whole number with ms, s, m or h, such as 10s)");
            return -1;
        }
        if (w == 0) {
            error(c.window.pos(), "the window must be longer than 0");
            return -1;
        }
        if (w > limits.maxWindowNanos()) {
            error(c.window.pos(), "window " + c.window.value().trim() + " is longer than the configured maximum "
                    + Durations.format(limits.maxWindowNanos()) + " (correlation.max_window)");
            return -1;
        }
        return w;
    }

    private int threshold(CorrelationDef c, Kind kind, String what) {
        if (kind == Kind.SEQUENCE) {
            if (c.threshold != null) error(c.threshold.pos(), "a sequence alerts when its last step matches: it has no 'threshold'");
            return 0;
        }
        if (c.threshold == null) {
            error(c.pos, what + " has no 'threshold' (such as {gte: 20})");
            return -1;
        }
        String op = c.threshold.op() == null ? "gte" : c.threshold.op().value();
        long n;
        try {
            n = Long.parseLong(c.threshold.value().value().trim());
        } catch (NumberFormatException e) {
            error(c.threshold.value().pos(), "threshold '" + c.threshold.value().value() + "' is not a whole number");
            return -1;
        }
        switch (op) {
            case "gte" -> { }
            case "gt" -> n++;
            default -> {
                error(c.threshold.op().pos(), "threshold comparison '" + op + "' is not supported: a correlation alerts when its count"
                        + " reaches the threshold (use gte or gt)");
                return -1;
            }
        }
        if (n < 1 || n > MAX_THRESHOLD) {
            error(c.threshold.value().pos(), "threshold must be between 1 and " + MAX_THRESHOLD);
            return -1;
        }
        return (int) n;
    }

    private int maxKeys(CorrelationDef c) {
        if (c.maxKeys == null) return limits.defaultMaxKeys();
        try {
            long n = Long.parseLong(c.maxKeys.value().trim());
            if (n >= 1 && n <= limits.maxKeysLimit()) return (int) n;
        } catch (NumberFormatException e) {
            // reported below
        }
        error(c.maxKeys.pos(), "max_keys must be a whole number between 1 and " + limits.maxKeysLimit());
        return 1;
    }

    private Correlation.Step step(CorrelationDef c, StepDef sd, Expr exc, Compiler compiler, String what) {
        dev.vigil.rules.load.Text cond = dev.vigil.rules.load.Text.join(sd.condition());
        String stepName = sd.name() == null ? null : sd.name().value();
        Expr expr;
        try {
            expr = Parser.parseCondition(cond.value(), cond.map());
        } catch (ParseException e) {
            error(cond.map().pos(e.offset()), "in " + what + (stepName == null ? "" : " step '" + stepName + "'") + ": " + e.getMessage());
            return null;
        }
        if (exc != null) expr = new Expr.And(List.of(expr, new Expr.Not(exc, exc.loc())), expr.loc());
        Compiler.Result res = compiler.compile(expr);
        if (res.allTypes()) {
            d.warning(cond.pos(), what + (stepName == null ? "" : " step '" + stepName + "'")
                    + " does not restrict evt.type, so it runs on every event (add an evt.type condition)");
        }
        List<Extractor> key = new ArrayList<>();
        for (dev.vigil.rules.load.Text g : c.groupBy) {
            String gname = g.value().trim();
            Map<String, dev.vigil.rules.load.Text> alias = c.aliases.get(gname);
            if (alias != null) {
                dev.vigil.rules.load.Text f = stepName == null ? null : alias.get(stepName);
                if (f == null) {
                    error(c.aliasPos.get(gname), "alias '" + gname + "' has no field for step '" + stepName + "'");
                    continue;
                }
                Extractor x = field(f, compiler, "alias '" + gname + "'");
                if (x != null) key.add(x);
            } else if (!looksLikeField(gname)) {
                error(g.pos(), "group_by '" + gname + "' is neither an alias (aliases: " + String.join(", ", c.aliases.keySet())
                        + ") nor a field");
            } else {
                Extractor x = field(g, compiler, "group_by");
                if (x != null) key.add(x);
            }
        }
        return new Correlation.Step(stepName == null ? "" : stepName, res.pred(), res.types(), key.toArray(Extractor[]::new));
    }

    private static boolean looksLikeField(String s) { return s.indexOf('.') > 0; }

    /** A field for a key or a distinct value: single-valued. */
    private Extractor field(dev.vigil.rules.load.Text t, Compiler compiler, String role) {
        Expr.FieldRef ref;
        try {
            ref = Parser.parseFieldRef(t.value().trim(), t.map());
        } catch (ParseException e) {
            error(t.map().pos(e.offset()), "in " + role + ": " + e.getMessage());
            return null;
        }
        Extractor x = compiler.resolveField(ref);
        if (x == null) {
            bad = true;
            return null;
        }
        if (x.anyOf() != null || x.ancestorGetter() != null) {
            error(t.pos(), "field '" + x.name() + "' stands for several values of an event; " + role
                    + " needs a single-valued field (such as fd.sport rather than fd.port)");
            return null;
        }
        return x;
    }

    /** One alias joins fields of one kind (a number never equals a string). */
    private void checkAliasKinds(CorrelationDef c, List<Correlation.Step> steps, Compiler compiler) {
        for (Map.Entry<String, Map<String, dev.vigil.rules.load.Text>> a : c.aliases.entrySet()) {
            dev.vigil.rules.fields.FieldType.Kind first = null;
            for (dev.vigil.rules.load.Text f : a.getValue().values()) {
                FieldDef def = FieldRegistry.lookup(f.value().trim().replaceAll("\\[.*", ""));
                if (def == null) continue;
                dev.vigil.rules.fields.FieldType.Kind k = def.type().kind();
                if (first == null) first = k;
                else if (k != first) {
                    error(f.pos(), "alias '" + a.getKey() + "' joins fields of different kinds (" + first.name().toLowerCase()
                            + " and " + k.name().toLowerCase() + "): their values can never be equal");
                    return;
                }
            }
        }
    }
}
