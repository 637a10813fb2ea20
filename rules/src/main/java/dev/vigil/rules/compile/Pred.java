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
    public abstract boolean test(EventView e);

    static final Pred TRUE = new Pred() {
        @Override public boolean test(EventView e) { return true; }
        @Override public String toString() { return "true"; }
    };

    static final Pred FALSE = new Pred() {
        @Override public boolean test(EventView e) { return false; }
        @Override public String toString() { return "false"; }
    };

    static final class And extends Pred {
        final Pred[] ps;

        And(Pred[] ps) { this.ps = ps; }

        @Override public boolean test(EventView e) {
            for (Pred p : ps) if (!p.test(e)) return false;
            return true;
        }
    }

    static final class Or extends Pred {
        final Pred[] ps;

        Or(Pred[] ps) { this.ps = ps; }

        @Override public boolean test(EventView e) {
            for (Pred p : ps) if (p.test(e)) return true;
            return false;
        }
    }

    static final class Not extends Pred {
        final Pred p;

        Not(Pred p) { this.p = p; }

        @Override public boolean test(EventView e) { return !p.test(e); }
    }

    /** evt.type in a set, by type id. */
    static final class TypeIn extends Pred {
        final boolean[] set;

        TypeIn(boolean[] set) { this.set = set; }

        @Override public boolean test(EventView e) { return set[e.typeId()]; }
    }

    static final class Str extends Pred {
        final Extractor x;
        final Tests.StrTest t;

        Str(Extractor x, Tests.StrTest t) {
            this.x = x;
            this.t = t;
        }

        @Override public boolean test(EventView e) {
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

        @Override public boolean test(EventView e) {
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

        @Override public boolean test(EventView e) {
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

        @Override public boolean test(EventView e) {
            ByteSequence b = x.bytes(e);
            return b != null && t.test(b);
        }
    }

    static final class Exists extends Pred {
        final Extractor x;

        Exists(Extractor x) { this.x = x; }

        @Override public boolean test(EventView e) { return x.exists(e); }
    }

    /** Any part matches; with {@code all}, every part must match (Falco's '!=' on fd.ip/fd.port/fd.net). */
    static final class AnyOf extends Pred {
        final Pred[] parts;
        final boolean all;

        AnyOf(Pred[] parts, boolean all) {
            this.parts = parts;
            this.all = all;
        }

        @Override public boolean test(EventView e) {
            if (all) {
                for (Pred p : parts) if (!p.test(e)) return false;
                return true;
            }
            for (Pred p : parts) if (p.test(e)) return true;
            return false;
        }
    }

    /** proc.aname etc. without index: true if the test holds for any ancestor (parent upwards). */
    static final class AnyAncestor extends Pred {
        static final int MAX_LEVELS = 128;
        final ProcGetter g;
        final Tests.StrTest st;
        final Tests.NumTest nt;

        AnyAncestor(ProcGetter g, Tests.StrTest st, Tests.NumTest nt) {
            this.g = g;
            this.st = st;
            this.nt = nt;
        }

        @Override public boolean test(EventView e) {
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

        MaskAny(BitMaskField f, long bits) {
            this.f = f;
            this.bits = bits;
        }

        @Override public boolean test(EventView e) {
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

        FlagContains(ArgField f, FlagSet.Flag[][] candidatesByType, Tests.StrTest fallback) {
            this.f = f;
            this.candidatesByType = candidatesByType;
            this.fallback = fallback;
        }

        @Override public boolean test(EventView e) {
            int t = e.typeId();
            int slot = f.slot(t);
            if (slot < 0) return false;
            FlagSet.Flag[] c = candidatesByType[t];
            if (c != null) {
                long v = e.argLong(slot);
                if (v == EventView.ABSENT) return false;
                for (FlagSet.Flag fl : c) if ((v & fl.mask()) == fl.value()) return true;
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

        @Override public boolean test(EventView e) {
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
