package dev.vigil.rules.compile;

import dev.vigil.events.EventType;
import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.PathSet;
import dev.vigil.events.prefilter.TypeFilter;
import dev.vigil.rules.fields.Extractor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Derives the kernel condition of one compiled predicate, specialized for one open-family event type: a
 * {@link TypeFilter} admitting every event on which the predicate can be true (an over-approximation). What the
 * kernel cannot test becomes "any"; a {@code not} is complemented only over a leaf the kernel tests exactly (the
 * result, the access mode), else it becomes "any".
 *
 * <p>Leaves understood, with the value each takes on an open event (as the sensor decodes it):
 * fd.name / fd.nameraw (on a clean path both are the raw path), fd.directory (the name's parent, or the name for
 * an O_DIRECTORY open), fd.filename, fd.nameraw's ".." tests, fd.num (-1 on failure), evt.res, evt.rawres,
 * evt.failed, evt.is_open_read, evt.is_open_write.
 */
public final class KernelConditions {
    private KernelConditions() {}

    public static TypeFilter derive(Pred p, EventType type) {
        return p == null ? TypeFilter.DROP_ALL : new KernelConditions.Walk(type).derive(p);
    }

    /** The names of the fields a predicate reads ("?" for a node this walk does not know: assume anything). */
    public static void fields(Pred p, Consumer<String> out) {
        switch (p) {
            case Pred.Memo m -> fields(m.p, out);
            case Pred.And a -> { for (Pred q : a.ps) fields(q, out); }
            case Pred.Or o -> { for (Pred q : o.ps) fields(q, out); }
            case Pred.Not n -> fields(n.p, out);
            case Pred.TypeIn t -> out.accept("evt.type");
            case Pred.Str s -> out.accept(s.x.name());
            case Pred.Num s -> out.accept(s.x.name());
            case Pred.Ip s -> out.accept(s.x.name());
            case Pred.IpNamed s -> out.accept(s.x.name());
            case Pred.Bytes s -> out.accept(s.x.name());
            case Pred.Exists s -> out.accept(s.x.name());
            case Pred.AnyOf s -> { for (Pred q : s.parts) fields(q, out); }
            case Pred.FieldCmp s -> { out.accept(s.a.name()); out.accept(s.b.name()); }
            case Pred.FlagContains s -> out.accept("evt.arg");
            case Pred.MaskAny s -> out.accept("thread.cap");
            case Pred.AnyAncestor s -> out.accept("proc.aname");
            default -> {
                if (p != Pred.TRUE && p != Pred.FALSE) out.accept("?");
            }
        }
    }

    /** Three-valued truth of a predicate under partial knowledge of an event. */
    public enum Tri { FALSE, TRUE, UNKNOWN }

    private static final java.util.List<String> NON_SOCKET_TYPES = new java.util.ArrayList<>(), NON_SOCKET_CHARS = new java.util.ArrayList<>();

    static {
        for (dev.vigil.events.FdType t : dev.vigil.events.FdType.values()) {
            if (t == dev.vigil.events.FdType.IPV4 || t == dev.vigil.events.FdType.IPV6 || t == dev.vigil.events.FdType.UNIX
                    || t == dev.vigil.events.FdType.NETLINK) continue;
            NON_SOCKET_TYPES.add(t.falcoName());
            NON_SOCKET_CHARS.add(t.typeCharString());
        }
    }

    /**
     * The predicate's value on an event whose fd is known only not to be a socket (fd.type is a non-socket type, or
     * the fd is unknown: null) and, when {@code errno} is not 0, whose result is {@code -errno}; every other field
     * unknown. FALSE proves the predicate cannot match such an event whatever the fd table holds for that fd beyond
     * "not a socket" (issue #17: a socket call on a file fd fails with ENOTSOCK; a dup of a file copies no socket).
     */
    public static Tri onNonSocket(Pred p, int errno) {
        if (p == null || p == Pred.FALSE) return Tri.FALSE;
        if (p == Pred.TRUE) return Tri.TRUE;
        return switch (p) {
            case Pred.Memo m -> onNonSocket(m.p, errno);
            case Pred.And a -> {
                Tri r = Tri.TRUE;
                for (Pred q : a.ps) {
                    Tri v = onNonSocket(q, errno);
                    if (v == Tri.FALSE) yield Tri.FALSE;
                    if (v == Tri.UNKNOWN) r = Tri.UNKNOWN;
                }
                yield r;
            }
            case Pred.Or o -> {
                Tri r = Tri.FALSE;
                for (Pred q : o.ps) {
                    Tri v = onNonSocket(q, errno);
                    if (v == Tri.TRUE) yield Tri.TRUE;
                    if (v == Tri.UNKNOWN) r = Tri.UNKNOWN;
                }
                yield r;
            }
            case Pred.Not n -> switch (onNonSocket(n.p, errno)) {
                case FALSE -> Tri.TRUE;
                case TRUE -> Tri.FALSE;
                case UNKNOWN -> Tri.UNKNOWN;
            };
            case Pred.Str s -> {
                String f = s.x.name();
                if (f.equals("fd.type") || f.equals("fd.typechar")) {
                    // null (no entry) fails every string test; a non-socket entry may have any of these values
                    for (String v : f.equals("fd.type") ? NON_SOCKET_TYPES : NON_SOCKET_CHARS) if (s.t.test(v)) yield Tri.UNKNOWN;
                    yield Tri.FALSE;
                }
                if (f.equals("evt.res") && errno != 0) {
                    String v = dev.vigil.events.Errno.resString(-errno);
                    if (v == null) v = Long.toString(-errno);
                    yield s.t.test(v) ? Tri.TRUE : Tri.FALSE;
                }
                yield Tri.UNKNOWN;
            }
            case Pred.Num s -> {
                String f = s.x.name();
                if (errno != 0 && f.equals("evt.rawres")) yield s.t.test(-errno) ? Tri.TRUE : Tri.FALSE;
                if (errno != 0 && f.equals("evt.failed")) yield s.t.test(1) ? Tri.TRUE : Tri.FALSE;
                yield Tri.UNKNOWN;
            }
            default -> Tri.UNKNOWN;
        };
    }

    /** Whether the extractor reads the fd (its name starts with "fd.", also inside a transformer). */
    public static boolean readsFd(Extractor x) { return x.name().contains("fd.") || x.name().startsWith("fdlist."); }

    private record Walk(EventType type) {
        /** Whether the flags come from a register (the kernel and user space read the same value). */
        boolean flagsExact() { return type == EventType.OPEN || type == EventType.OPENAT || type == EventType.CREAT; }

        TypeFilter derive(Pred p) {
            if (p == Pred.TRUE) return TypeFilter.PASS_ALL;
            if (p == Pred.FALSE) return TypeFilter.DROP_ALL;
            return switch (p) {
                case Pred.Memo m -> derive(m.p);
                case Pred.And a -> {
                    TypeFilter f = TypeFilter.PASS_ALL;
                    for (Pred q : a.ps) {
                        f = f.meet(derive(q));
                        if (f.dropsAll()) break;
                    }
                    yield f;
                }
                case Pred.Or o -> {
                    TypeFilter f = TypeFilter.DROP_ALL;
                    for (Pred q : o.ps) {
                        f = f.union(derive(q));
                        if (f.passAll()) break;
                    }
                    yield f;
                }
                case Pred.Not n -> {
                    int[] m = exactMasks(n.p);
                    yield m == null ? TypeFilter.PASS_ALL : TypeFilter.complementOf(m[0], m[1]);
                }
                case Pred.Str s -> str(s.x.name(), s.t);
                case Pred.Num s -> {
                    int[] m = numMasks(s.x.name(), s.t);
                    yield m == null ? TypeFilter.PASS_ALL : TypeFilter.of(Clause.ALL.withResults(m[0]).withAccess(m[1]));
                }
                default -> TypeFilter.PASS_ALL;
            };
        }

        /** {results, access} of a leaf that is exactly a test of them (constant on each result / access class), else null. */
        int[] exactMasks(Pred p) {
            if (p instanceof Pred.Memo m) return exactMasks(m.p);
            if (!(p instanceof Pred.Num s)) return null;
            String f = s.x.name();
            if (f.equals("evt.is_open_read") || f.equals("evt.is_open_write")) return flagsExact() ? numMasks(f, s.t) : null;
            if (f.equals("evt.failed")) return numMasks(f, s.t);
            Domain[] d = domains(f);
            if (d == null) return null;
            for (Domain x : d) if (x.possible(s.t) != x.always(s.t)) return null;
            return numMasks(f, s.t);
        }

        /** fd.num and evt.rawres: their values on a success and on a failure. */
        static Domain[] domains(String f) {
            return switch (f) {
                case "fd.num" -> new Domain[] {new Domain(0, Long.MAX_VALUE), new Domain(-1, -1)};
                case "evt.rawres" -> new Domain[] {new Domain(0, Long.MAX_VALUE), new Domain(-4095, -1)};
                default -> null;
            };
        }

        int[] numMasks(String f, Tests.NumTest t) {
            switch (f) {
                case "fd.num", "evt.rawres" -> {
                    Domain[] d = domains(f);
                    int r = (d[0].possible(t) ? Clause.SUCCESS : 0) | (d[1].possible(t) ? Clause.FAILURE : 0);
                    return new int[] {r, Clause.ALL_ACCESS};
                }
                case "evt.failed" -> {
                    int r = (t.test(0) ? Clause.SUCCESS : 0) | (t.test(1) ? Clause.FAILURE : 0);
                    return new int[] {r, Clause.ALL_ACCESS};
                }
                case "evt.is_open_read", "evt.is_open_write" -> {
                    boolean read = f.equals("evt.is_open_read");
                    int acc = 0;
                    for (int a = 0; a < 4; a++) {
                        boolean v = read ? a == 0 || a == 2 : a == 1 || a == 2;
                        if (t.test(v ? 1 : 0)) acc |= 1 << a;
                    }
                    return new int[] {Clause.ALL_RESULTS, acc};
                }
                default -> { return null; }
            }
        }

        TypeFilter str(String field, Tests.StrTest t) {
            return switch (field) {
                case "fd.name" -> path(nameSet(t));
                case "fd.nameraw" -> {
                    if (requiresDotdot(t)) yield TypeFilter.of(Clause.ALL.withDotdot(Clause.DOTDOT));
                    yield path(nameSet(t)); // a clean raw path is the name itself
                }
                case "fd.directory" -> path(directorySet(t));
                case "fd.filename" -> path(filenameSet(t));
                case "evt.res" -> TypeFilter.of(Clause.ALL.withResults(
                        (t.test("SUCCESS") ? Clause.SUCCESS : 0) | (failurePossible(t) ? Clause.FAILURE : 0)));
                default -> TypeFilter.PASS_ALL;
            };
        }

        static TypeFilter path(PathSet s) { return s.any() ? TypeFilter.PASS_ALL : TypeFilter.of(Clause.ALL.withPath(s)); }

        /** An evt.res string test can be true on a failure (errno names, or the number when unnamed) unless it is a set without them. */
        static boolean failurePossible(Tests.StrTest t) {
            List<String> vs = switch (t) {
                case Tests.Eq q -> List.of(q.k());
                case Tests.In q -> q.set.values();
                default -> null;
            };
            if (vs == null) return true;
            for (String v : vs) if (v.startsWith("E") || v.startsWith("-")) return true;
            return false;
        }

        static boolean requiresDotdot(Tests.StrTest t) {
            return switch (t) {
                case Tests.Contains q -> q.k().contains("..");
                case Tests.Eq q -> q.k().contains("..");
                case Tests.StartsWith q -> q.k().contains("..");
                case Tests.EndsWith q -> q.k().contains("..");
                case Tests.GlobTest q -> !q.g().ignoresCase() && q.g().pattern().contains("..")
                        && q.g().pattern().indexOf('[') < 0 && q.g().pattern().indexOf('\\') < 0;
                default -> false;
            };
        }

        static PathSet nameSet(Tests.StrTest t) {
            return switch (t) {
                case Tests.Eq q -> PathSet.exact(List.of(q.k()));
                case Tests.In q -> PathSet.exact(q.set.values());
                case Tests.StartsWith q -> PathSet.prefix(q.k());
                case Tests.EndsWith q -> PathSet.suffix(q.k());
                case Tests.GlobTest q -> globSet(q);
                default -> PathSet.ANY;
            };
        }

        static PathSet globSet(Tests.GlobTest q) {
            if (q.g().ignoresCase()) return PathSet.ANY;
            String p = q.g().pattern();
            int i = 0;
            while (i < p.length() && "*?[\\".indexOf(p.charAt(i)) < 0) i++;
            if (i == p.length()) return PathSet.exact(List.of(p));
            return i == 0 ? PathSet.ANY : PathSet.prefix(p.substring(0, i));
        }

        /** fd.directory = D: the name is under D/ (or is D, for an O_DIRECTORY open, whose directory is itself). */
        static PathSet directorySet(Tests.StrTest t) {
            List<String> dirs = switch (t) {
                case Tests.Eq q -> List.of(q.k());
                case Tests.In q -> q.set.values();
                default -> null;
            };
            if (dirs == null) return t instanceof Tests.StartsWith q ? PathSet.prefix(q.k()) : PathSet.ANY;
            List<String> pre = new ArrayList<>(), ex = new ArrayList<>();
            for (String d : dirs) {
                pre.add(d.endsWith("/") ? d : d + "/");
                ex.add(d);
            }
            return PathSet.prefixes(pre).union(PathSet.exact(ex));
        }

        static PathSet filenameSet(Tests.StrTest t) {
            return switch (t) {
                case Tests.Eq q -> PathSet.suffix("/" + q.k());
                case Tests.In q -> PathSet.suffixes(q.set.values().stream().map(v -> "/" + v).toList());
                case Tests.EndsWith q -> PathSet.suffix(q.k());
                default -> PathSet.ANY;
            };
        }
    }

    /** A range of values a numeric field takes on one result class. */
    private record Domain(long lo, long hi) {
        boolean possible(Tests.NumTest t) {
            return switch (t) {
                case Tests.NumCmp c -> switch (c.op()) {
                    case EQ -> c.k() >= lo && c.k() <= hi;
                    case NE -> lo != hi || c.k() != lo;
                    case LT -> lo < c.k();
                    case LE -> lo <= c.k();
                    case GT -> hi > c.k();
                    case GE -> hi >= c.k();
                };
                case Tests.NumIn in -> {
                    for (long v : in.sorted) if (v >= lo && v <= hi) yield true;
                    yield false;
                }
                default -> true;
            };
        }

        boolean always(Tests.NumTest t) {
            return switch (t) {
                case Tests.NumCmp c -> switch (c.op()) {
                    case EQ -> lo == hi && c.k() == lo;
                    case NE -> c.k() < lo || c.k() > hi;
                    case LT -> hi < c.k();
                    case LE -> hi <= c.k();
                    case GT -> lo > c.k();
                    case GE -> lo >= c.k();
                };
                case Tests.NumIn in -> lo == hi && in.test(lo);
                default -> false;
            };
        }
    }
}
