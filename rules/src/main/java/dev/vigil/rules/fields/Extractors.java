package dev.vigil.rules.fields;

import dev.vigil.events.ContainerView;
import dev.vigil.events.EventView;
import dev.vigil.events.FdView;
import dev.vigil.events.ProcessView;

import java.util.function.Function;
import java.util.function.ToLongFunction;

/** Small extractor building blocks used by {@link FieldRegistry}. */
final class Extractors {
    private Extractors() {}

    interface SF { CharSequence get(EventView e); }

    interface NF { long get(EventView e); }

    static final long ABSENT = EventView.ABSENT;

    static Extractor str(String name, FieldType t, SF f) {
        return new Extractor(name, t) {
            @Override public CharSequence str(EventView e) { return f.get(e); }
        };
    }

    static Extractor num(String name, FieldType t, NF f) {
        return new Extractor(name, t) {
            @Override public long num(EventView e) { return f.get(e); }
        };
    }

    static Extractor constant(String name, FieldType t, String value) {
        return new Extractor(name, t) {
            @Override public CharSequence str(EventView e) { return value; }
            @Override public long num(EventView e) { return ABSENT; }
        };
    }

    /** A field that never has a value (needs a data source Vigil does not have). */
    static Extractor unavailable(String name, FieldType t) {
        return new Extractor(name, t) {
            @Override public CharSequence str(EventView e) { return null; }
            @Override public long num(EventView e) { return ABSENT; }
        };
    }

    static ProcGetter ps(Function<ProcessView, CharSequence> f) { return new PS(PS.OTHER, f); }

    /** The common process text getters, read with a direct call instead of through a shared lambda call site. */
    static ProcGetter ps(int code) { return new PS(code, null); }

    /**
     * A process text getter. The frequent ones (name, exe, exepath, cmdline, args, user name) are a switch with
     * one call site each, so the JIT inlines them; a {@link Function} shared by every field would be megamorphic.
     */
    static final class PS implements ProcGetter {
        static final int OTHER = 0, NAME = 1, EXE = 2, EXEPATH = 3, CMDLINE = 4, ARGS = 5, USER = 6, CWD = 7;
        private final int code;
        private final Function<ProcessView, CharSequence> f;

        PS(int code, Function<ProcessView, CharSequence> f) {
            this.code = code;
            this.f = f;
        }

        @Override public CharSequence str(ProcessView p) {
            return switch (code) {
                case NAME -> p.name();
                case EXE -> p.exe();
                case EXEPATH -> p.exePath();
                case CMDLINE -> p.cmdline();
                case ARGS -> p.args();
                case USER -> p.userName();
                case CWD -> p.cwd();
                default -> f.apply(p);
            };
        }

        @Override public long num(ProcessView p) { return ABSENT; }
    }

    static ProcGetter pn(ToLongFunction<ProcessView> f) {
        return new ProcGetter() {
            @Override public CharSequence str(ProcessView p) { return null; }
            @Override public long num(ProcessView p) { return f.applyAsLong(p); }
        };
    }

    static ProcessView ancestor(EventView e, int level) {
        ProcessView p = e.process();
        for (int i = 0; i < level && p != null; i++) p = p.parent();
        return p;
    }

    /**
     * A process field at a fixed ancestry level (0 = the process, 1 = parent, ...), or, with level -1, the
     * "any ancestor" form (proc.aname without index), which predicates test on every ancestor.
     */
    static final class ProcField extends Extractor {
        private final int level;
        private final ProcGetter g;

        ProcField(String name, FieldType t, int level, ProcGetter g) {
            super(name, t);
            this.level = level;
            this.g = g;
        }

        @Override
        public CharSequence str(EventView e) {
            ProcessView p = ancestor(e, level < 0 ? 1 : level);
            return p == null ? null : g.str(p);
        }

        @Override
        public long num(EventView e) {
            ProcessView p = ancestor(e, level < 0 ? 1 : level);
            return p == null ? ABSENT : g.num(p);
        }

        @Override
        public ProcGetter ancestorGetter() { return level < 0 ? g : null; }
    }

    /** A process field read from a related process (session leader, process group leader). */
    static Extractor related(String name, FieldType t, Function<ProcessView, ProcessView> rel, ProcGetter g) {
        return new Extractor(name, t) {
            @Override public CharSequence str(EventView e) {
                ProcessView p = e.process();
                p = p == null ? null : rel.apply(p);
                return p == null ? null : g.str(p);
            }

            @Override public long num(EventView e) {
                ProcessView p = e.process();
                p = p == null ? null : rel.apply(p);
                return p == null ? ABSENT : g.num(p);
            }
        };
    }

    static FdView fd(EventView e) { return e.fd(); }

    /** The frequent fd text fields, one final class with a switch (see {@link PS}). */
    static final class FdStr extends Extractor {
        static final int NAME = 0, DIRECTORY = 1, FILENAME = 2, NAMERAW = 3, TYPECHAR = 4;
        private final int code;

        FdStr(String name, int code) {
            super(name, FieldType.CHARBUF);
            this.code = code;
        }

        @Override public CharSequence str(EventView e) {
            FdView f = e.fd();
            if (f == null) return null;
            return switch (code) {
                case NAME -> f.name();
                case DIRECTORY -> f.directory();
                case FILENAME -> f.filename();
                case NAMERAW -> f.nameRaw();
                default -> f.type() == null ? null : f.type().typeCharString();
            };
        }
    }

    static ContainerView ct(EventView e) { return e.container(); }

    static long bool(boolean b) { return b ? 1 : 0; }

    /** IP address fields; which = 'c'lient, 's'erver, 'l'ocal, 'r'emote. */
    static final class IpField extends Extractor {
        private final char which;

        IpField(String name, FieldType t, char which) {
            super(name, t);
            this.which = which;
        }

        private boolean server(FdView f) {
            return switch (which) {
                case 's' -> true;
                case 'c' -> false;
                case 'l' -> f.role() == FdView.ROLE_SERVER;
                default -> f.role() != FdView.ROLE_SERVER;
            };
        }

        @Override public boolean hasIp(EventView e) {
            FdView f = e.fd();
            return f != null && f.hasTuple() && f.type() != null && f.type().isIp();
        }

        @Override public long ipHi(EventView e) {
            FdView f = e.fd();
            return server(f) ? f.serverIpHi() : f.clientIpHi();
        }

        @Override public long ipLo(EventView e) {
            FdView f = e.fd();
            return server(f) ? f.serverIpLo() : f.clientIpLo();
        }
    }

    static final class PortField extends Extractor {
        private final char which;

        PortField(String name, char which) {
            super(name, FieldType.PORT);
            this.which = which;
        }

        @Override public long num(EventView e) {
            FdView f = e.fd();
            if (f == null || !f.hasTuple() || f.type() == null || !f.type().isIp()) return ABSENT;
            boolean server = switch (which) {
                case 's' -> true;
                case 'c' -> false;
                case 'l' -> f.role() == FdView.ROLE_SERVER;
                default -> f.role() != FdView.ROLE_SERVER;
            };
            int p = server ? f.serverPort() : f.clientPort();
            return p < 0 ? ABSENT : p;
        }
    }

    /** Matches if any part matches (fd.ip, fd.port, fd.net); {@code !=} requires all parts to differ. */
    static final class AnyOf extends Extractor {
        private final Extractor[] parts;

        AnyOf(String name, FieldType t, Extractor... parts) {
            super(name, t);
            this.parts = parts;
        }

        @Override public Extractor[] anyOf() { return parts; }
        @Override public long num(EventView e) { return parts[0].num(e); }
        @Override public boolean hasIp(EventView e) { return parts[0].hasIp(e); }
        @Override public long ipHi(EventView e) { return parts[0].ipHi(e); }
        @Override public long ipLo(EventView e) { return parts[0].ipLo(e); }
        @Override public CharSequence str(EventView e) { return parts[0].str(e); }
    }

    /** thread.cap_*: a capability mask rendered as names; predicates test bits via {@link #mask}. */
    static final class CapsField extends Extractor implements BitMaskField {
        private final ToLongFunction<ProcessView> g;
        private final Scratch scratch = new Scratch();

        CapsField(String name, ToLongFunction<ProcessView> g) {
            super(name, FieldType.CHARBUF);
            this.g = g;
        }

        @Override public int bitCount() { return Caps.NAMES.length; }

        @Override public String bitName(int bit) { return Caps.NAMES[bit]; }

        @Override public char separator() { return ' '; }

        /** The raw mask, or ABSENT. */
        @Override public long mask(EventView e) {
            ProcessView p = e.process();
            return p == null ? ABSENT : g.applyAsLong(p);
        }

        @Override public CharSequence str(EventView e) {
            long m = mask(e);
            if (m == ABSENT) return null;
            StringBuilder sb = scratch.get();
            Caps.render(m, sb);
            return sb;
        }
    }
}
