package dev.vigil.rules.compile;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.vigil.events.EventType;
import dev.vigil.events.Syscalls;
import dev.vigil.events.FlagSet;
import dev.vigil.events.IpAddr;
import dev.vigil.rules.fields.ArgField;
import dev.vigil.rules.fields.BitMaskField;
import dev.vigil.rules.fields.DomainNames;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.fields.FieldDef;
import dev.vigil.rules.fields.FieldException;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.fields.FieldType;
import dev.vigil.rules.fields.Glob;
import dev.vigil.rules.fields.IpNameField;
import dev.vigil.rules.fields.ProcGetter;
import dev.vigil.rules.lang.Expr;
import dev.vigil.rules.lang.Expr.*;
import dev.vigil.rules.lang.Loc;
import dev.vigil.rules.lang.Op;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves macros and lists in a condition and compiles it into a {@link Pred}, computing the set of event types
 * the condition can match the way Falco does (evt.type leaves give sets, {@code and} intersects, {@code or}
 * unites, {@code not} complements through De Morgan; any other leaf allows every type).
 */
public final class Compiler {
    /** Macro nesting limit and node budget after expansion: bounded work and stack for any input. */
    public static final int MAX_MACRO_DEPTH = 64;
    public static final int MAX_NODES = 200_000;

    /** Receives problems; positions are AST locations. */
    public interface Reporter {
        void error(Loc loc, String message);

        void warning(Loc loc, String message);
    }

    /** A compiled condition: the predicate, the event types it can match, and whether it compiled cleanly. */
    public record Result(Pred pred, boolean[] types, boolean allTypes, boolean ok, boolean unknownField) {
        public boolean matches(dev.vigil.events.EventView e) { return pred.test(e); }
    }

    private sealed interface TNode {}

    private record TAll() implements TNode {}

    private record TSet(boolean[] set) implements TNode {}

    private record TAnd(List<TNode> kids) implements TNode {}

    private record TOr(List<TNode> kids) implements TNode {}

    private record TNot(TNode kid) implements TNode {}

    private static final TAll ALL = new TAll();

    private record Built(Pred pred, TNode types) {}

    private final Map<String, Expr> macros;
    private final Map<String, List<String>> lists;
    private final FieldRegistry.Context ctx;
    private final Reporter reporter;

    private int errors;
    private boolean unknownField;
    private int nodes;
    private boolean budgetReported;
    private final Deque<String> macroStack = new ArrayDeque<>();
    private final Map<String, Integer> memoSlots;

    public Compiler(Map<String, Expr> macros, Map<String, List<String>> lists, FieldRegistry.Context ctx, Reporter reporter) {
        this(macros, lists, ctx, reporter, new HashMap<>());
    }

    /**
     * With {@code memoSlots} shared by every compiler of one rule set: each macro gets a slot, so its result is
     * computed once per event however many rules use it.
     */
    public Compiler(Map<String, Expr> macros, Map<String, List<String>> lists, FieldRegistry.Context ctx, Reporter reporter,
                    Map<String, Integer> memoSlots) {
        this.memoSlots = memoSlots;
        this.macros = macros;
        this.lists = lists;
        this.ctx = ctx;
        this.reporter = reporter;
    }

    /** Compiles a condition; problems go to the reporter. */
    public Result compile(Expr e) {
        errors = 0;
        unknownField = false;
        nodes = 0;
        budgetReported = false;
        macroStack.clear();
        Built b = build(e, 0);
        boolean[] types = evalTypes(b.types, false);
        boolean all = true;
        for (boolean t : types) all &= t;
        return new Result(b.pred, types, all, errors == 0, unknownField);
    }

    private void error(Loc loc, String msg) {
        errors++;
        reporter.error(loc, msg);
    }

    // ---- event types ----

    private static boolean[] full() {
        boolean[] s = new boolean[EventType.MATCH_IDS];
        java.util.Arrays.fill(s, true);
        return s;
    }

    private static boolean[] evalTypes(TNode n, boolean neg) {
        return switch (n) {
            case TAll a -> full();
            case TSet s -> {
                boolean[] r = s.set.clone();
                if (neg) for (int i = 0; i < r.length; i++) r[i] = !r[i];
                yield r;
            }
            case TNot t -> evalTypes(t.kid, !neg);
            case TAnd a -> combine(a.kids, neg, !neg);
            case TOr o -> combine(o.kids, neg, neg);
        };
    }

    private static boolean[] combine(List<TNode> kids, boolean neg, boolean intersect) {
        boolean[] r = null;
        for (TNode k : kids) {
            boolean[] s = evalTypes(k, neg);
            if (r == null) r = s;
            else for (int i = 0; i < r.length; i++) r[i] = intersect ? r[i] && s[i] : r[i] || s[i];
        }
        return r == null ? full() : r;
    }

    // ---- building ----

    private Built fail() { return new Built(Pred.FALSE, ALL); }

    private Built build(Expr e, int depth) {
        if (++nodes > MAX_NODES) {
            if (!budgetReported) {
                budgetReported = true;
                error(e.loc(), "condition is too large after macro expansion (more than " + MAX_NODES + " nodes)");
            }
            return fail();
        }
        switch (e) {
            case And a -> {
                List<Pred> ps = new ArrayList<>();
                List<TNode> ts = new ArrayList<>();
                for (Expr t : a.terms()) {
                    Built b = build(t, depth);
                    if (b.pred instanceof Pred.And inner) ps.addAll(List.of(inner.ps));
                    else ps.add(b.pred);
                    ts.add(b.types);
                }
                return new Built(new Pred.And(Pred.forAnd(ps.toArray(Pred[]::new))), new TAnd(ts));
            }
            case Or o -> {
                List<Pred> ps = new ArrayList<>();
                List<TNode> ts = new ArrayList<>();
                for (Expr t : o.terms()) {
                    Built b = build(t, depth);
                    if (b.pred instanceof Pred.Or inner) ps.addAll(List.of(inner.ps));
                    else ps.add(b.pred);
                    ts.add(b.types);
                }
                return new Built(new Pred.Or(Pred.forOr(ps.toArray(Pred[]::new))), new TOr(ts));
            }
            case Not n -> {
                Built b = build(n.expr(), depth);
                Pred p = b.pred instanceof Pred.Not nn ? nn.p : new Pred.Not(b.pred);
                return new Built(p, new TNot(b.types));
            }
            case Const c -> {
                return new Built(c.value() ? Pred.TRUE : Pred.FALSE, ALL);
            }
            case MacroRef m -> {
                return macro(m, depth);
            }
            case Compare c -> {
                return compare(c);
            }
        }
    }

    private Built macro(MacroRef m, int depth) {
        Expr body = macros.get(m.name());
        if (body == null) {
            if (lists.containsKey(m.name())) {
                error(m.loc(), "'" + m.name() + "' is a list, not a macro: use it inside in (...)");
            } else {
                error(m.loc(), "undefined macro '" + m.name() + "'");
            }
            return fail();
        }
        if (macroStack.contains(m.name())) {
            List<String> chain = new ArrayList<>(macroStack);
            java.util.Collections.reverse(chain);
            chain.add(m.name());
            error(m.loc(), "macro '" + m.name() + "' references itself (" + String.join(" -> ", chain) + ")");
            return fail();
        }
        if (depth >= MAX_MACRO_DEPTH) {
            error(m.loc(), "macros nest deeper than " + MAX_MACRO_DEPTH + " levels");
            return fail();
        }
        macroStack.push(m.name());
        try {
            Built b = build(body, depth + 1);
            if (b.pred == Pred.TRUE || b.pred == Pred.FALSE || b.pred instanceof Pred.Memo) return b;
            int slot = memoSlots.computeIfAbsent(m.name(), k -> memoSlots.size());
            return new Built(new Pred.Memo(slot, b.pred), b.types);
        } finally {
            macroStack.pop();
        }
    }

    /** Resolves a field reference (with transformers) to an extractor; null (after reporting) on error. */
    public Extractor resolveField(FieldRef f) {
        switch (f) {
            case Field fl -> {
                try {
                    FieldDef def = FieldRegistry.lookup(fl.name());
                    Extractor x = FieldRegistry.resolve(fl.name(), fl.arg(), ctx);
                    if (def != null && !def.available()) {
                        reporter.warning(fl.loc(), "field '" + fl.name() + "' needs the Kubernetes API, which Vigil does not use: it never has a value");
                    }
                    return x;
                } catch (FieldException ex) {
                    if (FieldRegistry.lookup(fl.name()) == null) unknownField = true;
                    error(fl.loc(), ex.getMessage());
                    return null;
                }
            }
            case Transform t -> {
                Extractor in = resolveField(t.inner());
                if (in == null) return null;
                try {
                    if (in instanceof MultiValue.ListValue lv) return MultiValue.overList(t.function(), lv);
                    return Transformers.wrap(t.function(), in);
                } catch (FieldException ex) {
                    error(t.loc(), ex.getMessage());
                    return null;
                }
            }
            case Call call -> {
                return multiValue(call);
            }
        }
    }

    private static boolean allowed(FieldType.Kind k, Op op) {
        return switch (k) {
            case STRING -> true;
            case NUMBER, BOOL, IP, NET -> switch (op) {
                case EQ, EQEQ, NE, IN, INTERSECTS, EXISTS -> true;
                case LT, LE, GT, GE -> k == FieldType.Kind.NUMBER;
                default -> false;
            };
            case BYTES -> switch (op) {
                case EQ, EQEQ, NE, CONTAINS, BCONTAINS, STARTSWITH, BSTARTSWITH, EXISTS -> true;
                default -> false;
            };
        };
    }

    /** The literal values of the right side, with list names expanded (only bare words inside lists). */
    private List<Literal> values(Operand o) {
        if (o instanceof Literal l) return List.of(l);
        List<Literal> out = new ArrayList<>();
        for (Literal l : ((ListLit) o).items()) {
            List<String> items = l.quoted() ? null : lists.get(l.value());
            if (items == null) out.add(l);
            else for (String it : items) out.add(new Literal(it, true, l.loc()));
        }
        return out;
    }

    private Built compare(Compare c) {
        if (c.value() instanceof Modified m) return modified(c, m);
        Extractor x = resolveField(c.field());
        if (x == null) return fail();
        if (x instanceof MultiValue.ListValue lv) return listCompare(c, lv);
        Op op = c.op();
        FieldType.Kind kind = x.type().kind();
        String fname = c.field().text();
        if (!allowed(kind, op)) {
            error(c.opLoc(), "operator '" + op.text() + "' cannot be used with field '" + fname + "' of type " + x.type());
            return fail();
        }
        if (op == Op.EXISTS) {
            Extractor[] parts = x.anyOf();
            if (parts != null) {
                Pred[] ps = new Pred[parts.length];
                for (int i = 0; i < parts.length; i++) ps[i] = new Pred.Exists(parts[i]);
                return new Built(new Pred.AnyOf(ps, false), ALL);
            }
            return new Built(new Pred.Exists(x), ALL);
        }
        if (c.value() instanceof FieldOperand fo) return fieldCompare(c, x, fo);
        List<Literal> vals = values(c.value());
        boolean isEvtType = c.field() instanceof Field f && f.name().equals("evt.type") && f.arg() == null;
        if (isEvtType && (op == Op.EQ || op == Op.EQEQ || op == Op.NE || op == Op.IN || op == Op.INTERSECTS)) {
            return evtType(op, vals);
        }
        try {
            Pred p = switch (kind) {
                case STRING -> stringPred(x, op, vals);
                case NUMBER, BOOL -> numPred(x, op, vals, kind == FieldType.Kind.BOOL);
                case IP, NET -> ipPred(x, op, vals);
                case BYTES -> bytesPred(x, op, vals);
            };
            return new Built(p, ALL);
        } catch (ValueError ve) {
            error(ve.loc, ve.getMessage());
            return fail();
        }
    }

    private Built evtType(Op op, List<Literal> vals) {
        boolean[] set = new boolean[EventType.MATCH_IDS];
        boolean bad = false;
        for (Literal l : vals) {
            EventType t = EventType.byName(l.value());
            int nr = Syscalls.number(l.value());
            if (t != null && t != EventType.SYSCALL) {
                set[t.id()] = true;
            } else if (nr >= 0) {
                set[EventType.matchIdOf(nr)] = true; // a syscall without a decoder: the generic event, as in Falco
            } else {
                error(l.loc(), "unknown event type '" + l.value() + "'");
                bad = true;
            }
        }
        if (bad) return fail();
        if (op == Op.NE) for (int i = 0; i < set.length; i++) set[i] = !set[i];
        return new Built(new Pred.TypeIn(set), new TSet(set));
    }

    private Built fieldCompare(Compare c, Extractor x, FieldOperand fo) {
        Extractor y = resolveField(fo.field());
        if (y == null) return fail();
        Tests.Cmp cmp = switch (c.op()) {
            case EQ, EQEQ -> Tests.Cmp.EQ;
            case NE -> Tests.Cmp.NE;
            case LT -> Tests.Cmp.LT;
            case LE -> Tests.Cmp.LE;
            case GT -> Tests.Cmp.GT;
            case GE -> Tests.Cmp.GE;
            default -> null;
        };
        if (cmp == null) {
            error(c.opLoc(), "operator '" + c.op().text() + "' cannot compare two fields (use =, !=, <, <=, >, >=)");
            return fail();
        }
        FieldType.Kind kx = x.type().kind(), ky = y.type().kind();
        boolean numeric = (kx == FieldType.Kind.NUMBER || kx == FieldType.Kind.BOOL) && (ky == FieldType.Kind.NUMBER || ky == FieldType.Kind.BOOL);
        boolean text = kx == FieldType.Kind.STRING && ky == FieldType.Kind.STRING;
        if (!numeric && !text) {
            error(fo.loc(), "cannot compare field '" + c.field().text() + "' (" + x.type() + ") with '" + fo.field().text() + "' (" + y.type() + ")");
            return fail();
        }
        return new Built(new Pred.FieldCmp(x, y, cmp, numeric), ALL);
    }

    private static final class ValueError extends Exception {
        final Loc loc;

        ValueError(Loc loc, String msg) {
            super(msg, null, false, false);
            this.loc = loc;
        }
    }

    private static byte[] hex(Literal l) throws ValueError {
        String s = l.value();
        if (s.length() % 2 != 0) throw new ValueError(l.loc(), "'" + s + "' is not a hex byte string (odd length)");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16), lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new ValueError(l.loc(), "'" + s + "' is not a hex byte string");
            b[i] = (byte) ((hi << 4) | lo);
        }
        return b;
    }

    private Tests.StrTest strTest(Op op, List<Literal> vals) throws ValueError {
        Literal l = vals.isEmpty() ? null : vals.getFirst();
        return switch (op) {
            case EQ, EQEQ -> new Tests.Eq(l.value());
            case NE -> new Tests.Ne(l.value());
            case LT -> new Tests.Order(Tests.Cmp.LT, l.value());
            case LE -> new Tests.Order(Tests.Cmp.LE, l.value());
            case GT -> new Tests.Order(Tests.Cmp.GT, l.value());
            case GE -> new Tests.Order(Tests.Cmp.GE, l.value());
            case CONTAINS -> new Tests.Contains(l.value());
            case ICONTAINS -> new Tests.IContains(l.value().toLowerCase(Locale.ROOT));
            case STARTSWITH -> new Tests.StartsWith(l.value());
            case ENDSWITH -> new Tests.EndsWith(l.value());
            case BCONTAINS -> new Tests.BContainsStr(hex(l));
            case BSTARTSWITH -> new Tests.BStartsWithStr(hex(l));
            case GLOB -> new Tests.GlobTest(new Glob(l.value(), false));
            case IGLOB -> new Tests.GlobTest(new Glob(l.value(), true));
            case REGEX -> {
                try {
                    yield new Tests.Regex(Pattern.compile(l.value()));
                } catch (PatternSyntaxException ex) {
                    throw new ValueError(l.loc(), "invalid regular expression '" + l.value() + "': " + ex.getDescription());
                }
            }
            case IN, INTERSECTS -> new Tests.In(vals.stream().map(Literal::value).toList());
            case PMATCH -> new Tests.PMatch(vals.stream().map(Literal::value).toList());
            case EXISTS -> throw new IllegalStateException();
        };
    }

    private static boolean isFlagName(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) return false;
        }
        return true;
    }

    private Pred stringPred(Extractor x, Op op, List<Literal> vals) throws ValueError {
        if (x instanceof IpNameField && (op == Op.EQ || op == Op.EQEQ || op == Op.NE || op == Op.IN || op == Op.INTERSECTS)) {
            return new Pred.IpNamed(x, DomainNames.shared().match(vals.stream().map(Literal::value).toList()), op == Op.NE);
        }
        Tests.StrTest t = strTest(op, vals);
        if ((op == Op.CONTAINS || op == Op.ICONTAINS) && x instanceof BitMaskField bm) {
            String k = vals.getFirst().value();
            if (k.indexOf(bm.separator()) < 0 && !k.isEmpty()) {
                long bits = 0;
                for (int i = 0; i < bm.bitCount(); i++) {
                    String n = bm.bitName(i);
                    boolean hit = op == Op.CONTAINS ? n.contains(k) : n.toLowerCase(Locale.ROOT).contains(k.toLowerCase(Locale.ROOT));
                    if (hit) bits |= 1L << i;
                }
                return new Pred.MaskAny(bm, bits);
            }
        }
        if ((op == Op.CONTAINS || op == Op.ICONTAINS) && x instanceof ArgField af && af.type() == FieldType.CHARBUF) {
            String k = vals.getFirst().value();
            if (isFlagName(k)) {
                FlagSet.Flag[][] byType = new FlagSet.Flag[EventType.COUNT][];
                String lk = k.toLowerCase(Locale.ROOT);
                for (int ti = 0; ti < EventType.COUNT; ti++) {
                    FlagSet fs = af.flagsOf(ti);
                    if (fs == null) continue;
                    boolean numeric = true;
                    for (int i = 0; i < k.length(); i++) numeric &= Character.isDigit(k.charAt(i));
                    if (numeric) continue; // "contains 5" may match the decimal rendering: use the text
                    List<FlagSet.Flag> c = new ArrayList<>();
                    for (int i = 0; i < fs.size(); i++) {
                        String n = fs.flag(i).name();
                        if (op == Op.CONTAINS ? n.contains(k) : n.toLowerCase(Locale.ROOT).contains(lk)) c.add(fs.flag(i));
                    }
                    byType[ti] = c.toArray(FlagSet.Flag[]::new);
                }
                return new Pred.FlagContains(af, byType, t);
            }
        }
        ProcGetter g = x.ancestorGetter();
        if (g != null) return new Pred.AnyAncestor(g, t, null);
        Extractor[] parts = x.anyOf();
        if (parts != null) {
            Pred[] ps = new Pred[parts.length];
            for (int i = 0; i < parts.length; i++) ps[i] = Pred.str(parts[i], t);
            return new Pred.AnyOf(ps, op == Op.NE);
        }
        return Pred.str(x, t);
    }

    private static long parseNum(Literal l, Extractor x, boolean bool) throws ValueError {
        String s = l.value().trim();
        if (bool) {
            if (s.equalsIgnoreCase("true")) return 1;
            if (s.equalsIgnoreCase("false")) return 0;
            throw new ValueError(l.loc(), "'" + l.value() + "' is not a boolean (true or false) for field '" + x.name() + "'");
        }
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) return Long.parseUnsignedLong(s.substring(2), 16);
            return Long.parseLong(s);
        } catch (NumberFormatException ex) {
            throw new ValueError(l.loc(), "'" + l.value() + "' is not a number for field '" + x.name() + "' of type " + x.type());
        }
    }

    private Pred numPred(Extractor x, Op op, List<Literal> vals, boolean bool) throws ValueError {
        Tests.NumTest t;
        if (op == Op.IN || op == Op.INTERSECTS) {
            long[] vs = new long[vals.size()];
            for (int i = 0; i < vs.length; i++) vs[i] = parseNum(vals.get(i), x, bool);
            t = new Tests.NumIn(vs);
        } else {
            long k = parseNum(vals.getFirst(), x, bool);
            Tests.Cmp cmp = switch (op) {
                case EQ, EQEQ -> Tests.Cmp.EQ;
                case NE -> Tests.Cmp.NE;
                case LT -> Tests.Cmp.LT;
                case LE -> Tests.Cmp.LE;
                case GT -> Tests.Cmp.GT;
                default -> Tests.Cmp.GE;
            };
            t = new Tests.NumCmp(cmp, k);
        }
        ProcGetter g = x.ancestorGetter();
        if (g != null) return new Pred.AnyAncestor(g, null, t);
        Extractor[] parts = x.anyOf();
        if (parts != null) {
            Pred[] ps = new Pred[parts.length];
            for (int i = 0; i < parts.length; i++) ps[i] = Pred.num(parts[i], t);
            return new Pred.AnyOf(ps, op == Op.NE);
        }
        return Pred.num(x, t);
    }

    private Pred ipPred(Extractor x, Op op, List<Literal> vals) throws ValueError {
        long[] hi = new long[vals.size()], lo = new long[vals.size()];
        int[] prefix = new int[vals.size()];
        for (int i = 0; i < vals.size(); i++) {
            Literal l = vals.get(i);
            String s = l.value().trim();
            int slash = s.indexOf('/');
            long[] a = IpAddr.parse(slash < 0 ? s : s.substring(0, slash));
            if (a == null) throw new ValueError(l.loc(), "'" + l.value() + "' is not an IP address or network for field '" + x.name() + "'");
            int p = 128;
            if (slash >= 0) {
                try {
                    p = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    throw new ValueError(l.loc(), "'" + l.value() + "' has an invalid network prefix length");
                }
                boolean v4 = IpAddr.isV4(a[0], a[1]);
                if (p < 0 || p > (v4 ? 32 : 128)) throw new ValueError(l.loc(), "'" + l.value() + "' has an invalid network prefix length");
                if (v4) p += 96;
            }
            hi[i] = a[0];
            lo[i] = a[1];
            prefix[i] = p;
        }
        Tests.IpMatch t = new Tests.IpMatch(hi, lo, prefix, op == Op.NE);
        Extractor[] parts = x.anyOf();
        if (parts != null) {
            Pred[] ps = new Pred[parts.length];
            for (int i = 0; i < parts.length; i++) ps[i] = new Pred.Ip(parts[i], t);
            return new Pred.AnyOf(ps, op == Op.NE);
        }
        return new Pred.Ip(x, t);
    }

    private Pred bytesPred(Extractor x, Op op, List<Literal> vals) throws ValueError {
        Literal l = vals.getFirst();
        Tests.BytesTest t = switch (op) {
            case BCONTAINS -> new Tests.BytesContains(hex(l));
            case BSTARTSWITH -> new Tests.BytesStartsWith(hex(l));
            case CONTAINS -> new Tests.BytesContains(l.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case STARTSWITH -> new Tests.BytesStartsWith(l.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case NE -> new Tests.BytesEq(l.value().getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
            default -> new Tests.BytesEq(l.value().getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        };
        return new Pred.Bytes(x, t);
    }

    // ---- multi-value transformers and list modifiers ----

    /** {@code join(...)}, {@code concat(...)}, {@code getopt(...)[c]}: arguments resolved, then checked as libsinsp does. */
    private Extractor multiValue(Call call) {
        List<Extractor> args = new ArrayList<>();
        for (CallArg a : call.args()) {
            Extractor x = callArg(a);
            if (x == null) return null;
            args.add(x);
        }
        try {
            return MultiValue.build(call.function(), call.text(), args, call.selector());
        } catch (FieldException ex) {
            error(call.loc(), ex.getMessage());
            return null;
        }
    }

    private Extractor callArg(CallArg a) {
        return switch (a) {
            case ArgLiteral l -> new MultiValue.Constant(l.value());
            case ArgList l -> {
                List<Extractor> items = new ArrayList<>();
                for (CallArg i : l.items()) {
                    Extractor x = callArg(i);
                    if (x == null) yield null;
                    items.add(x);
                }
                yield MultiValue.list(l.text(), items);
            }
            case FieldRef f -> resolveField(f);
        };
    }

    /** A list (getopt(), a transformer over one) compares only with in, intersects and exists, as in libsinsp. */
    private Built listCompare(Compare c, MultiValue.ListValue x) {
        Op op = c.op();
        if (op == Op.EXISTS) return new Built(new Pred.Exists(x), ALL);
        if ((op != Op.IN && op != Op.INTERSECTS) || !(c.value() instanceof ListLit l)) {
            error(c.opLoc(), "operator '" + op.text() + "' cannot be used with the list '" + c.field().text()
                    + "' (a list takes in, intersects or exists)");
            return fail();
        }
        return new Built(new MultiValue.ListIn(x, values(l).stream().map(Literal::value).toList(), op == Op.IN), ALL);
    }

    /**
     * {@code field op oneof|anyof|allof (v1, ...)}: libsinsp's list modifiers, syntactic sugar for the operator
     * applied to each value (list names expanded) and combined: anyof as or, allof as and, oneof true when exactly
     * one holds. An empty list matches nothing, whatever the modifier.
     */
    private Built modified(Compare c, Modified m) {
        List<Literal> vals = values(m.list());
        if (vals.isEmpty()) return new Built(Pred.FALSE, ALL);
        Pred[] ps = new Pred[vals.size()];
        List<TNode> ts = new ArrayList<>();
        for (int i = 0; i < vals.size(); i++) {
            int before = errors;
            Built b = compare(new Compare(c.field(), c.op(), vals.get(i), c.loc(), c.opLoc()));
            if (errors > before) return fail(); // reported once, not once per value
            ps[i] = b.pred;
            ts.add(b.types);
        }
        if (ps.length == 1) return new Built(ps[0], ts.getFirst());
        return switch (m.modifier()) {
            case ANYOF -> new Built(new Pred.Or(Pred.forOr(ps)), new TOr(ts));
            case ALLOF -> new Built(new Pred.And(Pred.forAnd(ps)), new TAnd(ts));
            // exactly one: no event-type set is exact under negation ("not oneof" holds when two match), so all
            case ONEOF -> new Built(new MultiValue.ExactlyOne(ps), ALL);
        };
    }

    /** For tests and tools: a fresh compiler with no macros or lists. */
    public static Compiler standalone(Reporter r) {
        return new Compiler(new HashMap<>(), new HashMap<>(), new FieldRegistry.Context("localhost"), r);
    }
}
