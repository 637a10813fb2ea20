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

    static final Pred TRUE = new Pred() {
        @Override public boolean test(EventView e, Ctx c) { return true; }
        @Override public String toString() { return "true"; }
    };

    static final Pred FALSE = new Pred() {
        @Override public boolean test(EventView e, Ctx c) { return false; }
        @Override public String toString() { return "false"; }
    };

    private static int sum(Pred[] ps) {
        long c = 0;
        for (Pred p : ps) c += p.cost();
        return (int) Math.min(c, 1_000_000);
    }

    /**
     * Orders the operands of an {@code and} for short-circuiting: positive terms before negated ones (in rules,
     * {@code and not ...} terms are exclusions that usually hold, while positive terms select), then cheapest first.
     * Predicates have no side effects, so the order never changes the result.
     */
    static Pred[] forAnd(Pred[] ps) {
        Pred[] out = ps.clone();
        java.util.Arrays.sort(out, java.util.Comparator.comparingInt((Pred p) -> p instanceof Not ? 1 : 0).thenComparingInt(Pred::cost));
        return out;
    }

    /** Orders the operands of an {@code or}: cheapest first. */
    static Pred[] forOr(Pred[] ps) {
        Pred[] out = ps.clone();
        java.util.Arrays.sort(out, java.util.Comparator.comparingInt(Pred::cost));
        return out;
    }

    static final class And extends Pred {
        final Pred[] ps;

        And(Pred[] ps) { this.ps = ps; }

        @Override int cost() { return sum(ps); }

        @Override public boolean test(EventView e, Ctx c) {
            for (Pred p : ps) if (!p.test(e, c)) return false;
            return true;
        }
    }

    static final class Or extends Pred {
        final Pred[] ps;

        Or(Pred[] ps) { this.ps = ps; }

        @Override int cost() { return sum(ps); }

        @Override public boolean test(EventView e, Ctx c) {
            for (Pred p : ps) if (p.test(e, c)) return true;
            return false;
        }
    }

    static final class Not extends Pred {
        final Pred p;

        Not(Pred p) { this.p = p; }

        @Override int cost() { return p.cost(); }

        @Override public boolean test(EventView e, Ctx c) { return !p.test(e, c); }
    }

    /** evt.type in a set, by type id. */
    static final class TypeIn extends Pred {
        final boolean[] set;

        TypeIn(boolean[] set) { this.set = set; }

        @Override int cost() { return 1; }

        @Override public boolean test(EventView e, Ctx c) { return set[e.typeId()]; }
    }

    static final class Str extends Pred {
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

        @Override public boolean test(EventView e, Ctx c) {
            CharSequence v = x.str(e);
            return v != null && t.test(v);
        }
    }

    static final class Num extends Pred {
        final Extractor x;
        final Tests.NumTest t;

        Num(Extractor x, Tests.NumTest t) {
            this.x = x;
            this.t = t;
        }

        @Override int cost() { return 3; }

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

        @Override public boolean test(EventView e, Ctx c) {
            return x.hasIp(e) && t.test(x.ipHi(e), x.ipLo(e));
        }
    }

    static final class Bytes extends Pred {
        final Extractor x;
        final Tests.BytesTest t;

        Bytes(Extractor x, Tests.BytesTest t) {
            this.x = x;
            this.t = t;
        }

        @Override public boolean test(EventView e, Ctx c) {
            ByteSequence b = x.bytes(e);
            return b != null && t.test(b);
        }
    }

    static final class Exists extends Pred {
        final Extractor x;

        Exists(Extractor x) { this.x = x; }

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
}
