package dev.vigil.rules.load;

import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.SourcePos;
import dev.vigil.rules.compile.Compiler;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.correlation.CorrelationSet;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.lang.Expr;
import dev.vigil.rules.lang.Loc;
import dev.vigil.rules.lang.Op;
import dev.vigil.rules.lang.ParseException;
import dev.vigil.rules.lang.Parser;
import dev.vigil.rules.lang.SourceMap;
import dev.vigil.rules.load.Defs.ExceptionDef;
import dev.vigil.rules.load.Defs.ListDef;
import dev.vigil.rules.load.Defs.MacroDef;
import dev.vigil.rules.load.Defs.RuleDef;
import dev.vigil.rules.load.Defs.Value;
import dev.vigil.rules.output.OutputFormat;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads rules files into a {@link RuleSet}: read every file in order (YAML, positions), resolve lists, parse
 * macros, then compile every rule (macros and lists expanded, exceptions appended, output fields resolved) and
 * index it by event type. Never throws for bad input: every problem becomes a {@link Diagnostic}; the rule set is
 * built only if there was no error.
 */
public final class RuleLoader {
    /** A rules file's name (as shown in diagnostics) and content. */
    public record Source(String name, String text) {}

    /** The outcome: a rule set when there were no errors, and every diagnostic. */
    public record Result(RuleSet ruleSet, List<Diagnostic> diagnostics) {
        public boolean ok() { return ruleSet != null; }
    }

    /** Files above this size are refused before parsing. */
    public static final long MAX_FILE_BYTES = 32L * 1024 * 1024;

    private RuleLoader() {}

    public static Result loadFiles(List<Path> files, EngineOptions opts) {
        List<Source> sources = new ArrayList<>();
        Diags d = new Diags();
        d.fileOrder(files.stream().map(Path::toString).toList());
        for (Path p : files) {
            String name = p.toString();
            try {
                if (Files.isDirectory(p)) {
                    d.error(new SourcePos(name, 1, 1), "is a directory, not a rules file");
                    continue;
                }
                if (Files.size(p) > MAX_FILE_BYTES) {
                    d.error(new SourcePos(name, 1, 1), "file is too large (limit " + MAX_FILE_BYTES + " bytes)");
                    continue;
                }
                byte[] b = Files.readAllBytes(p);
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
                } catch (CharacterCodingException e) {
                    d.error(new SourcePos(name, 1, 1), "file is not valid UTF-8");
                    continue;
                }
                sources.add(new Source(name, text));
            } catch (IOException e) {
                String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getClass().getSimpleName() + ": " + e.getMessage();
                d.error(new SourcePos(name, 1, 1), "cannot read rules file: " + why);
            }
        }
        return load(sources, opts, d);
    }

    public static Result load(List<Source> sources, EngineOptions opts) {
        Diags d = new Diags();
        d.fileOrder(sources.stream().map(Source::name).toList());
        return load(sources, opts, d);
    }

    private static Result load(List<Source> sources, EngineOptions opts, Diags d) {
        YamlReader reader = new YamlReader(d);
        for (Source s : sources) reader.read(s.name(), s.text());
        Builder builder = new Builder(reader, opts, d);
        List<CompiledRule> compiled = builder.build();
        List<Correlation> correlations = builder.correlations();
        if (d.hasErrors()) return new Result(null, d.list());
        boolean[] en = new boolean[compiled.size()];
        for (int i = 0; i < en.length; i++) en[i] = compiled.get(i).enabledByDefault();
        List<Diagnostic> warnings = d.list();
        RuleSet rs = new RuleSet(compiled, en, opts.matchMode(), opts.hostname(), warnings, builder.memoSlots.size(),
                CorrelationSet.of(correlations)).select(opts.selectors());
        return new Result(rs, warnings);
    }

    private static final class Builder {
        private final YamlReader r;
        private final EngineOptions opts;
        private final Diags d;
        private final Map<String, List<String>> lists = new HashMap<>();
        private final Map<String, Expr> macros = new HashMap<>();
        private final Set<String> usedMacros = new HashSet<>();
        private final Map<String, Integer> memoSlots = new HashMap<>();

        Builder(YamlReader r, EngineOptions opts, Diags d) {
            this.r = r;
            this.opts = opts;
            this.d = d;
        }

        /** Reports into a buffer, so a rule's problems can become warnings (skip-if-unknown-filter). */
        private static final class Buffer implements Compiler.Reporter {
            final List<Diagnostic> items = new ArrayList<>();
            boolean errors;

            @Override public void error(Loc loc, String message) {
                errors = true;
                items.add(Diagnostic.error(loc.pos(), message));
            }

            @Override public void warning(Loc loc, String message) { items.add(Diagnostic.warning(loc.pos(), message)); }
        }

        private void flush(Buffer b, boolean asWarnings, String prefix) {
            for (Diagnostic x : b.items) {
                if (x.isError() && !asWarnings) d.error(x.pos(), x.message());
                else d.warning(x.pos(), prefix + x.message());
            }
        }

        List<CompiledRule> build() {
            for (ListDef l : r.lists.values()) {
                List<String> items = new ArrayList<>();
                for (String it : l.items) {
                    List<String> ref = lists.get(it);
                    if (ref != null) items.addAll(ref);
                    else items.add(it);
                }
                lists.put(l.name, List.copyOf(items));
            }
            for (MacroDef m : r.macros.values()) {
                Text t = Text.join(m.condition);
                try {
                    macros.put(m.name, Parser.parseCondition(t.value(), t.map()));
                } catch (ParseException e) {
                    d.error(t.map().pos(e.offset()), "in macro '" + m.name + "': " + e.getMessage());
                    macros.put(m.name, new Expr.Const(false, new Loc(t.map(), 0)));
                }
            }
            FieldRegistry.Context ctx = new FieldRegistry.Context(opts.hostname());
            List<CompiledRule> out = new ArrayList<>();
            int index = 0;
            for (RuleDef rd : r.rules.values()) {
                CompiledRule c = rule(rd, ctx, index);
                if (c != null) {
                    out.add(c);
                    index++;
                }
            }
            // Macros no rule uses are still checked, but only warned about (Falco ignores them).
            for (MacroDef m : r.macros.values()) {
                if (usedMacros.contains(m.name)) continue;
                Buffer b = new Buffer();
                Compiler c = new Compiler(macros, lists, ctx, b);
                c.compile(new Expr.MacroRef(m.name, new Loc(SourceMap.fixed(m.pos), 0)));
                flush(b, true, "in macro '" + m.name + "' (not used by any rule): ");
            }
            return out;
        }

        /** Vigil's correlation items, compiled with the same lists, macros and memo slots as the rules. */
        List<Correlation> correlations() {
            return new CorrelationBuilder(r.correlations.defs, macros, lists, memoSlots, new FieldRegistry.Context(opts.hostname()),
                    opts.correlationLimits(), d, (excs, rep) -> {
                        RuleDef tmp = new RuleDef("", SourcePos.UNKNOWN);
                        tmp.exceptions.addAll(excs);
                        return exceptions(tmp, rep);
                    }).build();
        }

        private CompiledRule rule(RuleDef rd, FieldRegistry.Context ctx, int index) {
            if (!rd.source.equals("syscall")) {
                d.warning(rd.pos, "rule '" + rd.name + "' has source '" + rd.source + "', which Vigil does not provide: skipped");
                return null;
            }
            if (rd.condition.isEmpty()) return null;
            Buffer b = new Buffer();
            Text cond = Text.join(rd.condition);
            Expr expr;
            try {
                expr = Parser.parseCondition(cond.value(), cond.map());
            } catch (ParseException e) {
                d.error(cond.map().pos(e.offset()), "in rule '" + rd.name + "': " + e.getMessage());
                return null;
            }
            Expr exc = exceptions(rd, b);
            if (exc != null) expr = new Expr.And(List.of(expr, new Expr.Not(exc, exc.loc())), expr.loc());
            Compiler compiler = new Compiler(macros, lists, ctx, b, memoSlots);
            Compiler.Result res = compiler.compile(expr);
            collectMacros(expr, new HashSet<>(), 0);
            OutputFormat of = null;
            if (!rd.output.isEmpty()) {
                Text out = Text.join(rd.output);
                of = OutputFormat.compile(out.value(), out.map(), compiler, b);
            }
            if (b.errors) {
                boolean skip = rd.skipIfUnknownFilter && res.unknownField();
                flush(b, skip, skip ? "rule '" + rd.name + "' skipped (skip-if-unknown-filter): " : "");
                return null;
            }
            flush(b, false, "");
            if (rd.broken) return null;
            if (rd.warnEvttypes && res.allTypes()) {
                d.warning(rd.pos, "rule '" + rd.name + "' does not restrict evt.type, so it runs on every event; "
                        + "this has a significant performance cost (add an evt.type condition, or warn_evttypes: false)");
            }
            return new CompiledRule(rd.name, rd.desc, rd.priority, new ArrayList<>(rd.tags), rd.source, rd.enabled, index,
                    cond.value(), res.pred(), res.types(), res.allTypes(), of, rd.pos);
        }

        private void collectMacros(Expr e, Set<String> seen, int depth) {
            if (depth > Compiler.MAX_MACRO_DEPTH + Parser.MAX_DEPTH * 4) return;
            switch (e) {
                case Expr.And a -> { for (Expr t : a.terms()) collectMacros(t, seen, depth + 1); }
                case Expr.Or o -> { for (Expr t : o.terms()) collectMacros(t, seen, depth + 1); }
                case Expr.Not n -> collectMacros(n.expr(), seen, depth + 1);
                case Expr.MacroRef m -> {
                    usedMacros.add(m.name());
                    Expr body = macros.get(m.name());
                    if (body != null && seen.add(m.name())) collectMacros(body, seen, depth + 1);
                }
                default -> { }
            }
        }

        /** Builds "exc1 or exc2 ..." from the rule's exceptions, or null when none has values. */
        private Expr exceptions(RuleDef rd, Compiler.Reporter rep) {
            List<Expr> alts = new ArrayList<>();
            for (ExceptionDef x : rd.exceptions) {
                if (x.values.isEmpty() || x.fields.isEmpty()) continue;
                Loc xl = new Loc(SourceMap.fixed(x.pos), 0);
                List<Expr.FieldRef> fields = new ArrayList<>();
                boolean bad = false;
                for (Text ft : x.fields) {
                    try {
                        fields.add(Parser.parseFieldRef(ft.value(), ft.map()));
                    } catch (ParseException e) {
                        rep.error(new Loc(ft.map(), e.offset()), "in exception '" + x.name + "': " + e.getMessage());
                        bad = true;
                    }
                }
                List<Op> ops = new ArrayList<>();
                List<Expr.Modifier> mods = new ArrayList<>();
                List<Loc> opLocs = new ArrayList<>();
                for (int i = 0; i < x.fields.size(); i++) {
                    Text ct = x.compsGiven && i < x.comps.size() ? x.comps.get(i) : null;
                    String comp = ct == null ? null : ct.value().trim();
                    // a comparison with a list modifier, as Falco's engine takes it: "startswith anyof"
                    Expr.Modifier mod = comp == null ? null : modifierOf(comp);
                    if (mod != null) comp = comp.substring(0, comp.length() - mod.text().length()).trim();
                    Op op = ct == null ? (x.fieldsIsList ? Op.EQ : Op.IN) : Op.parse(comp);
                    if (op == null || op == Op.EXISTS || (mod != null && !op.takesModifier())) {
                        rep.error(new Loc(ct.map(), 0), "in exception '" + x.name + "': invalid comparison operator '" + ct.value() + "'");
                        bad = true;
                    }
                    ops.add(op);
                    mods.add(mod);
                    opLocs.add(ct == null ? xl : new Loc(ct.map(), 0));
                }
                if (bad) continue;
                if (!x.fieldsIsList) {
                    Op op = ops.getFirst();
                    List<Expr.Literal> lits = new ArrayList<>();
                    for (List<Value> tuple : x.values) for (Value v : tuple) addLiterals(v, lits);
                    if (mods.getFirst() != null) {
                        alts.add(new Expr.Compare(fields.getFirst(), op, new Expr.Modified(mods.getFirst(), new Expr.ListLit(lits, xl), xl), xl,
                                opLocs.getFirst()));
                    } else if (op.isListOp()) {
                        alts.add(new Expr.Compare(fields.getFirst(), op, new Expr.ListLit(lits, xl), xl, opLocs.getFirst()));
                    } else {
                        List<Expr> ors = new ArrayList<>();
                        for (Expr.Literal l : lits) ors.add(new Expr.Compare(fields.getFirst(), op, asQuoted(l), xl, opLocs.getFirst()));
                        if (!ors.isEmpty()) alts.add(ors.size() == 1 ? ors.getFirst() : new Expr.Or(ors, xl));
                    }
                    continue;
                }
                for (List<Value> tuple : x.values) {
                    List<Expr> ands = new ArrayList<>();
                    for (int i = 0; i < tuple.size() && i < fields.size(); i++) {
                        Value v = tuple.get(i);
                        Op op = ops.get(i);
                        Loc vl = new Loc(SourceMap.fixed(v.pos()), 0);
                        Expr.Operand operand;
                        if (mods.get(i) != null) {
                            List<Expr.Literal> lits = new ArrayList<>();
                            addLiterals(v, lits);
                            operand = new Expr.Modified(mods.get(i), new Expr.ListLit(lits, vl), vl);
                        } else if (op.isListOp()) {
                            List<Expr.Literal> lits = new ArrayList<>();
                            addLiterals(v, lits);
                            operand = new Expr.ListLit(lits, vl);
                        } else if (v.scalar() != null) {
                            operand = new Expr.Literal(v.scalar().value(), true, vl);
                        } else {
                            rep.error(vl, "in exception '" + x.name + "': operator '" + op.text() + "' takes a single value, not a list");
                            continue;
                        }
                        ands.add(new Expr.Compare(fields.get(i), op, operand, vl, opLocs.get(i)));
                    }
                    if (!ands.isEmpty()) alts.add(ands.size() == 1 ? ands.getFirst() : new Expr.And(ands, xl));
                }
            }
            if (alts.isEmpty()) return null;
            Loc l = alts.getFirst().loc();
            return alts.size() == 1 ? alts.getFirst() : new Expr.Or(alts, l);
        }

        /** The list modifier ending an exception's comparison ("startswith anyof"), or null. */
        private static Expr.Modifier modifierOf(String comp) {
            for (Expr.Modifier m : Expr.Modifier.values()) {
                String w = m.text();
                if (comp.length() > w.length() && comp.endsWith(w) && Character.isWhitespace(comp.charAt(comp.length() - w.length() - 1))) return m;
            }
            return null;
        }

        private static Expr.Literal asQuoted(Expr.Literal l) { return new Expr.Literal(l.value(), true, l.loc()); }

        private static void addLiterals(Value v, List<Expr.Literal> out) {
            if (v.scalar() != null) {
                out.add(new Expr.Literal(v.scalar().value(), false, new Loc(SourceMap.fixed(v.pos()), 0)));
            } else {
                for (Text t : v.list()) out.add(new Expr.Literal(t.value(), false, new Loc(SourceMap.fixed(t.pos()), 0)));
            }
        }
    }
}
