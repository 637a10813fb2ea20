package dev.vigil.rules.compile;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.EventView;
import dev.vigil.events.FlagSet;
import dev.vigil.events.ProcessView;
import dev.vigil.rules.fields.ArgField;
import dev.vigil.rules.fields.BitMaskField;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.fields.ProcGetter;

/**
 * A compiled condition node. {@link #test} is allocation-free: it reads fields through extractors and compares
 * against constants parsed at compile time. Falco semantics: a comparison on an absent value is false.
 */
public abstract class Pred {
    public abstract boolean test(EventView e, Ctx c);

    /** Convenience for one-off tests (allocates a context). */
    public final boolean test(EventView e) { return test(e, new Ctx(0)); }

    /**
     * Per-thread evaluation state: memoized macro results for the current event. A macro used by several rules
     * (open_read, spawned_process, container) is evaluated once per event.
     */
    public static final class Ctx {
        long epoch = 1;
        long[] stamps;
        boolean[] values;
        /** The thread that created (and uses) this context. */
        public final Thread owner = Thread.currentThread();

        public Ctx(int slots) {
            stamps = new long[slots];
            values = new boolean[slots];
        }

        /** Starts a new event; grows to {@code slots} if needed (only allocates when the rule set grew). */
        public Ctx next(int slots) {
            if (stamps.length < slots) {
                stamps = new long[slots];
                values = new boolean[slots];
            }
            epoch++;
            return this;
        }
    }

    /** A macro's predicate, evaluated at most once per event. */
    static final class Memo extends Pred {
        final int slot;
        final Pred p;

        Memo(int slot, Pred p) {
            this.slot = slot;
            this.p = p;
        }

        @Override int cost() { return p.cost(); }

        @Override double prob() { return p.prob(); }

        @Override boolean hasTypeTest() { return p.hasTypeTest(); }

        @Override Pred specialize(int typeId) {
            Pred q = p.specialize(typeId);
            if (q == p) return this;
            if (q == TRUE || q == FALSE) return q;
            return new Memo(slot, q);
        }

        @Override public boolean test(EventView e, Ctx c) {
            if (slot >= c.stamps.length) return p.test(e, c);
            if (c.stamps[slot] == c.epoch) return c.values[slot];
            boolean v = p.test(e, c);
            c.values[slot] = v;
            c.stamps[slot] = c.epoch;
            return v;
        }
    }

    /**
     * A rough evaluation cost, used to order the operands of and/or (predicates have no side effects, so the
     * order does not change the result): type and number checks first, ancestor walks and patterns last.
     */
    int cost() { return 5; }

    /**
     * A rough prior probability that the predicate holds, used with {@link #cost} to order and/or operands:
     * tests against specific constants (=, in, startswith, ...) rarely hold, their negations usually do.
     */
    double prob() { return 0.5; }

    /**
     * This predicate for events of type {@code typeId} only: evt.type tests fold to constants and and/or/not
     * simplify around them. Returns {@code this} when nothing changes. The result is equivalent to this predicate
     * on every event of that type (memo slots stay valid: a macro's value for an event does not change).
     */
    Pred specialize(int typeId) { return this; }

    /** Whether the tree contains an evt.type test (only then does {@link #specialize} change anything). */
    boolean hasTypeTest() { return false; }

    /** The predicate specialized for one event type (see {@link #specialize}). */
    public final Pred forType(int typeId) { return hasTypeTest() ? specialize(typeId) : this; }

    static final Pred TRUE = new Pred() {
        @Override public boolean test(EventView e, Ctx c) { return true; }
        @Override int cost() { return 0; }
        @Override double prob() { return 1; }
        @Override public String toString() { return "true"; }
    };

    static final Pred FALSE = new Pred() {
        @Override public boolean test(EventView e, Ctx c) { return false; }
        @Override int cost() { return 0; }
        @Override double prob() { return 0; }
        @Override public String toString() { return "false"; }
    };

    private static int sum(Pred[] ps) {
        long c = 0;
        for (Pred p : ps) c += p.cost();
        return (int) Math.min(c, 1_000_000);
    }

    private static double clamp(double p) { return Math.max(0.001, Math.min(0.999, p)); }

    /**
     * Orders the operands of an {@code and} for short-circuiting: ascending cost / P(false), the optimal order
     * for independent terms (cheap, selective terms first; {@code and not ...} exclusions, which usually hold,
     * last). Predicates have no side effects, so the order never changes the result.
     */
    static Pred[] forAnd(Pred[] ps) {
        Pred[] out = ps.clone();
        java.util.Arrays.sort(out, java.util.Comparator.comparingDouble((Pred p) -> (p.cost() + 1) / (1 - clamp(p.prob()))));
        return out;
    }

    /** Orders the operands of an {@code or}: ascending cost / P(true) (likely, cheap terms first). */
    static Pred[] forOr(Pred[] ps) {
        Pred[] out = ps.clone();
        java.util.Arrays.sort(out, java.util.Comparator.comparingDouble((Pred p) -> (p.cost() + 1) / clamp(p.prob())));
        return out;
    }

    private static boolean anyTypeTest(Pred[] ps) {
        for (Pred p : ps) if (p.hasTypeTest()) return true;
        return false;
    }

    /** Specializes and/or operands: drops the neutral constant, short-circuits on the absorbing one. */
    private static Pred specializeJunction(Pred self, Pred[] ps, int typeId, boolean and) {
        Pred neutral = and ? TRUE : FALSE, absorbing = and ? FALSE : TRUE;
        java.util.List<Pred> out = new java.util.ArrayList<>(ps.length);
        boolean changed = false;
        for (Pred p : ps) {
            Pred q = p.hasTypeTest() ? p.specialize(typeId) : p;
            if (q == absorbing) return absorbing;
            if (q != p) changed = true;
            if (q == neutral) continue;
            if (and && q instanceof And a) out.addAll(java.util.List.of(a.ps));
            else if (!and && q instanceof Or o) out.addAll(java.util.List.of(o.ps));
            else out.add(q);
        }
        if (!changed) return self;
        if (out.isEmpty()) return neutral;
        if (out.size() == 1) return out.getFirst();
        Pred[] arr = out.toArray(Pred[]::new);
        return and ? new And(forAnd(arr)) : new Or(forOr(arr));
    }

    static final class And extends Pred {
        final Pred[] ps;

        final boolean typeTest;

        And(Pred[] ps) {
            this.ps = ps;
            this.typeTest = anyTypeTest(ps);
        }

        @Override int cost() { return sum(ps); }

        @Override double prob() {
            double p = 1;
            for (Pred q : ps) p *= q.prob();
            return p;
        }

        @Override boolean hasTypeTest() { return typeTest; }

        @Override Pred specialize(int typeId) { return specializeJunction(this, ps, typeId, true); }

        @Override public boolean test(EventView e, Ctx c) {
            for (Pred p : ps) if (!p.test(e, c)) return false;
            return true;
        }
    }

    static final class Or extends Pred {
        final Pred[] ps;

        final boolean typeTest;

        Or(Pred[] ps) {
            this.ps = ps;
            this.typeTest = anyTypeTest(ps);
        }

        @Override int cost() { return sum(ps); }

        @Override double prob() {
            double p = 1;
            for (Pred q : ps) p *= 1 - q.prob();
            return 1 - p;
        }

        @Override boolean hasTypeTest() { return typeTest; }

        @Override Pred specialize(int typeId) { return specializeJunction(this, ps, typeId, false); }

        @Override public boolean test(EventView e, Ctx c) {
            for (Pred p : ps) if (p.test(e, c)) return true;
            return false;
        }
    }

    static final class Not extends Pred {
        final Pred p;

        Not(Pred p) { this.p = p; }

        @Override int cost() { return p.cost(); }

        @Override double prob() { return 1 - p.prob(); }

        @Override boolean hasTypeTest() { return p.hasTypeTest(); }

        @Override Pred specialize(int typeId) {
            Pred q = p.specialize(typeId);
            if (q == p) return this;
            if (q == TRUE) return FALSE;
            if (q == FALSE) return TRUE;
            return q instanceof Not n ? n.p : new Not(q);
        }

        @Override public boolean test(EventView e, Ctx c) { return !p.test(e, c); }
    }

    /** evt.type in a set, by match id (a type's id, or a generic syscall's: {@link EventType#matchIdOf}). */
    static final class TypeIn extends Pred {
        final boolean[] set;

        TypeIn(boolean[] set) { this.set = set; }

        @Override int cost() { return 1; }

        @Override boolean hasTypeTest() { return true; }

        @Override Pred specialize(int typeId) { return set[typeId] ? TRUE : FALSE; }

        @Override public boolean test(EventView e, Ctx c) { return set[e.matchId()]; }
    }

    static class Str extends Pred {
        final Extractor x;
        final Tests.StrTest t;

        Str(Extractor x, Tests.StrTest t) {
            this.x = x;
            this.t = t;
        }

        @Override int cost() {
            return switch (t) {
                case Tests.Eq q -> 4;
                case Tests.Ne q -> 4;
                case Tests.In q -> 5;
                case Tests.StartsWith q -> 5;
                case Tests.EndsWith q -> 5;
                case Tests.Contains q -> 7;
                case Tests.IContains q -> 9;
                case Tests.GlobTest q -> 12;
                case Tests.Regex q -> 20;
                default -> 8;
            };
        }

        @Override double prob() { return strProb(x, t); }

        @Override public boolean test(EventView e, Ctx c) {
            CharSequence v = x.str(e);
            return v != null && t.test(v);
        }
    }

    static class Num extends Pred {
        final Extractor x;
        final Tests.NumTest t;

        Num(Extractor x, Tests.NumTest t) {
            this.x = x;
            this.t = t;
        }

        @Override int cost() { return 3; }

        @Override double prob() { return numProb(x, t); }

        @Override public boolean test(EventView e, Ctx c) {
            long v = x.num(e);
            return v != EventView.ABSENT && t.test(v);
        }
    }

    static final class Ip extends Pred {
        final Extractor x;
        final Tests.IpTest t;

        Ip(Extractor x, Tests.IpTest t) {
            this.x = x;
            this.t = t;
        }

        @Override double prob() { return t instanceof Tests.IpMatch m && m.negate ? 0.9 : 0.1; }

        @Override public boolean test(EventView e, Ctx c) {
            return x.hasIp(e) && t.test(x.ipHi(e), x.ipLo(e));
        }
    }

    /** fd.sip.name = NAME / in (NAMES): the fd's address is one the names resolve to (absent: false). */
    static final class IpNamed extends Pred {
        final Extractor x;
        final dev.vigil.rules.fields.DomainNames.Match m;
        final boolean negate;

        IpNamed(Extractor x, dev.vigil.rules.fields.DomainNames.Match m, boolean negate) {
            this.x = x;
            this.m = m;
            this.negate = negate;
        }

        @Override double prob() { return negate ? 0.9 : 0.1; }

        @Override public boolean test(EventView e, Ctx c) {
            if (!x.hasIp(e)) return false;
            boolean hit = m.named(((dev.vigil.rules.fields.IpNameField) x).producerName(e)) || m.test(x.ipHi(e), x.ipLo(e));
            return hit != negate;
        }
    }

    static final class Bytes extends Pred {
        final Extractor x;
        final Tests.BytesTest t;

        Bytes(Extractor x, Tests.BytesTest t) {
            this.x = x;
            this.t = t;
        }

        @Override double prob() { return t instanceof Tests.BytesEq q && q.negate() ? 0.9 : 0.1; }

        @Override public boolean test(EventView e, Ctx c) {
            ByteSequence b = x.bytes(e);
            return b != null && t.test(b);
        }
    }

    static final class Exists extends Pred {
        final Extractor x;

        Exists(Extractor x) { this.x = x; }

        @Override double prob() { return 0.9; }

        @Override public boolean test(EventView e, Ctx c) { return x.exists(e); }
    }

    /** Any part matches; with {@code all}, every part must match (Falco's '!=' on fd.ip/fd.port/fd.net). */
    static final class AnyOf extends Pred {
        final Pred[] parts;
        final boolean all;

        AnyOf(Pred[] parts, boolean all) {
            this.parts = parts;
            this.all = all;
        }

        @Override double prob() { return all ? 0.9 : 0.15; }

        @Override public boolean test(EventView e, Ctx c) {
            if (all) {
                for (Pred p : parts) if (!p.test(e, c)) return false;
                return true;
            }
            for (Pred p : parts) if (p.test(e, c)) return true;
            return false;
        }
    }

    /** proc.aname etc. without index: true if the test holds for any ancestor (parent upwards). */
    static final class AnyAncestor extends Pred {
        static final int MAX_LEVELS = 128;
        final ProcGetter g;
        final Tests.StrTest st;
        final Tests.NumTest nt;

        @Override int cost() { return 30; }

        @Override double prob() { return st != null ? strProb(null, st) : 0.2; }

        AnyAncestor(ProcGetter g, Tests.StrTest st, Tests.NumTest nt) {
            this.g = g;
            this.st = st;
            this.nt = nt;
        }

        @Override public boolean test(EventView e, Ctx c) {
            ProcessView p = e.process();
            if (p == null) return false;
            p = p.parent();
            for (int i = 0; p != null && i < MAX_LEVELS; i++, p = p.parent()) {
                if (st != null) {
                    CharSequence v = g.str(p);
                    if (v != null && st.test(v)) return true;
                } else {
                    long v = g.num(p);
                    if (v != EventView.ABSENT && nt.test(v)) return true;
                }
            }
            return false;
        }
    }

    /** thread.cap_* contains NAME: any of the bits whose names contain the text is set. */
    static final class MaskAny extends Pred {
        final BitMaskField f;
        final long bits;

        @Override int cost() { return 3; }

        MaskAny(BitMaskField f, long bits) {
            this.f = f;
            this.bits = bits;
        }

        @Override double prob() { return 0.2; }

        @Override public boolean test(EventView e, Ctx c) {
            long m = f.mask(e);
            return m != EventView.ABSENT && (m & bits) != 0;
        }
    }

    /**
     * evt.arg.X contains NAME on a flags/enum argument: a bit test per event type (any flag whose name contains the
     * text is present); for types where the argument is text, the string test.
     */
    static final class FlagContains extends Pred {
        final ArgField f;
        final FlagSet.Flag[][] candidatesByType;
        final Tests.StrTest fallback;

        @Override int cost() { return 4; }

        FlagContains(ArgField f, FlagSet.Flag[][] candidatesByType, Tests.StrTest fallback) {
            this.f = f;
            this.candidatesByType = candidatesByType;
            this.fallback = fallback;
        }

        @Override double prob() { return 0.3; }

        @Override public boolean test(EventView e, Ctx c) {
            int t = e.typeId();
            int slot = f.slot(t);
            if (slot < 0) return false;
            FlagSet.Flag[] cands = candidatesByType[t];
            if (cands != null) {
                long v = e.argLong(slot);
                if (v == EventView.ABSENT) return false;
                for (FlagSet.Flag fl : cands) if ((v & fl.mask()) == fl.value()) return true;
                return false;
            }
            CharSequence s = f.str(e);
            return s != null && fallback.test(s);
        }
    }

    /** Field-to-field comparison ({@code val(...)}), on text. */
    static final class FieldCmp extends Pred {
        final Extractor a, b;
        final Tests.Cmp op;
        final boolean numeric;

        FieldCmp(Extractor a, Extractor b, Tests.Cmp op, boolean numeric) {
            this.a = a;
            this.b = b;
            this.op = op;
            this.numeric = numeric;
        }

        @Override int cost() { return 8; }

        @Override double prob() { return op == Tests.Cmp.NE ? 0.9 : op == Tests.Cmp.EQ ? 0.1 : 0.5; }

        @Override public boolean test(EventView e, Ctx c) {
            if (numeric) {
                long x = a.num(e), y = b.num(e);
                if (x == EventView.ABSENT || y == EventView.ABSENT) return false;
                return op.holds(Long.compare(x, y));
            }
            CharSequence x = a.str(e);
            if (x == null) return false;
            CharSequence y = b.str(e);
            if (y == null) return false;
            return op.holds(CharSequence.compare(x, y));
        }
    }
    /**
     * Fields with a handful of values, where = / in usually hold on the events a rule is offered (a file fd on
     * an open, a TCP socket on a connect, the host container): a test on them does not select much.
     */
    private static final java.util.Set<String> FEW_VALUES = java.util.Set.of(
            "fd.typechar", "fd.type", "fd.l4proto", "fd.sockfamily", "evt.dir", "evt.res", "container.id",
            "fd.is_server", "evt.failed", "user.uid", "user.name", "group.name", "user.loginuid", "container.privileged");

    static double strProb(Extractor x, Tests.StrTest t) {
        if (x != null && FEW_VALUES.contains(x.name())) {
            return switch (t) {
                case Tests.Eq q -> 0.5;
                case Tests.In q -> 0.5;
                case Tests.Ne q -> 0.5;
                default -> strProb(null, t);
            };
        }
        return switch (t) {
            case Tests.Eq q -> 0.1;
            case Tests.Ne q -> 0.9;
            case Tests.In q -> 0.1;
            case Tests.Order q -> 0.5;
            default -> 0.15;
        };
    }

    static double numProb(Extractor x, Tests.NumTest t) {
        if (x.type().kind() == dev.vigil.rules.fields.FieldType.Kind.BOOL || FEW_VALUES.contains(x.name())) return 0.5;
        if (t instanceof Tests.NumCmp n) {
            return switch (n.op()) {
                case EQ -> 0.1;
                case NE -> 0.9;
                default -> 0.5;
            };
        }
        return 0.1;
    }

    /** A string leaf, with the common tests (=, in, startswith) fused into the node (no second virtual call). */
    static Pred str(Extractor x, Tests.StrTest t) {
        return switch (t) {
            case Tests.Eq q -> new StrEq(x, t, q.k());
            case Tests.In q -> new StrIn(x, t, q.set);
            case Tests.StartsWith q -> new StrPrefix(x, t, q.k());
            default -> new Str(x, t);
        };
    }

    /** A numeric leaf; comparisons against one constant fused into the node. */
    static Pred num(Extractor x, Tests.NumTest t) {
        if (t instanceof Tests.NumCmp n) {
            return switch (n.op()) {
                case EQ -> new NumEq(x, t, n.k(), false);
                case NE -> new NumEq(x, t, n.k(), true);
                default -> new Num(x, t);
            };
        }
        return new Num(x, t);
    }

    /** field = "const". */
    static final class StrEq extends Str {
        final String k;

        StrEq(Extractor x, Tests.StrTest t, String k) {
            super(x, t);
            this.k = k;
        }

        @Override public boolean test(EventView e, Ctx c) {
            CharSequence v = x.str(e);
            return v != null && dev.vigil.rules.fields.Strings.equals(v, k);
        }
    }

    /** field in (list): one hash probe. */
    static final class StrIn extends Str {
        final Tests.StrSet set;

        StrIn(Extractor x, Tests.StrTest t, Tests.StrSet set) {
            super(x, t);
            this.set = set;
        }

        @Override public boolean test(EventView e, Ctx c) {
            CharSequence v = x.str(e);
            return v != null && set.contains(v);
        }
    }

    /** field startswith "const". */
    static final class StrPrefix extends Str {
        final String k;

        StrPrefix(Extractor x, Tests.StrTest t, String k) {
            super(x, t);
            this.k = k;
        }

        @Override public boolean test(EventView e, Ctx c) {
            CharSequence v = x.str(e);
            return v != null && dev.vigil.rules.fields.Strings.startsWith(v, k);
        }
    }

    /** numeric field = / != const. */
    static final class NumEq extends Num {
        final long k;
        final boolean ne;

        NumEq(Extractor x, Tests.NumTest t, long k, boolean ne) {
            super(x, t);
            this.k = k;
            this.ne = ne;
        }

        @Override public boolean test(EventView e, Ctx c) {
            long v = x.num(e);
            return v != EventView.ABSENT && (v == k) != ne;
        }
    }
}
