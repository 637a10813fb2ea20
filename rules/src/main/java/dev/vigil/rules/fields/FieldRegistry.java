package dev.vigil.rules.fields;

import static dev.vigil.rules.fields.Extractors.*;
import static dev.vigil.rules.fields.FieldDef.ArgMode.*;
import static dev.vigil.rules.fields.FieldType.*;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.ContainerView;
import dev.vigil.events.Errno;
import dev.vigil.events.EventType;
import dev.vigil.events.ParamType;
import dev.vigil.events.EventView;
import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import dev.vigil.events.FlagSet;
import dev.vigil.events.Mount;
import dev.vigil.events.ProcessView;
import dev.vigil.rules.fields.FieldDef.ArgMode;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every field Vigil supports, with Falco's names, types and meanings, and the factory of its extractor.
 * {@link #printTable} prints the list like {@code falco --list} (wired as {@code vigil list fields}).
 *
 * <p>Kubernetes: {@code k8s.pod.name}, {@code k8s.ns.name} and {@code k8s.pod.uid} come from the CRI container
 * labels (io.kubernetes.pod.*), as in Falco's container plugin, and are supported. The {@code k8s.*} fields that
 * need the Kubernetes API server (deployment, service, replica set, pod labels, ...) are registered as
 * unavailable: a rule using them loads (with a warning) and the field never has a value. {@code ka.*} fields
 * belong to the k8s_audit source, not to syscalls; rules with that source are skipped at load.
 */
public final class FieldRegistry {
    /** Value of {@code container.mount.*[...]} when the container has no matching mount (as Falco prints). */
    public static final String NA = "<NA>";

    @FunctionalInterface
    interface Factory {
        Extractor make(String display, String arg, Context ctx) throws FieldException;
    }

    /** Compile-time context: the values that do not come from events. */
    public record Context(String hostname) {}

    private record Entry(FieldDef def, Factory factory) {}

    private static final Map<String, Entry> FIELDS = new LinkedHashMap<>();

    private static void def(String name, FieldType t, ArgMode a, String desc, Factory f) {
        FIELDS.put(name, new Entry(new FieldDef(name, t, a, desc, true), f));
    }

    private static void def(String name, FieldType t, String desc, Factory f) { def(name, t, NONE, desc, f); }

    private static void unavailable(String name, FieldType t, String desc) {
        FIELDS.put(name, new Entry(new FieldDef(name, t, NONE, desc + " (needs the Kubernetes API: never has a value in Vigil)", false),
                (d, a, c) -> Extractors.unavailable(d, t)));
    }

    private static Factory s(SF f) { return (d, a, c) -> str(d, CHARBUF, f); }

    private static Factory path(SF f) { return (d, a, c) -> str(d, FSPATH, f); }

    private static Factory n(FieldType t, NF f) { return (d, a, c) -> num(d, t, f); }

    private static Factory proc(FieldType t, int level, ProcGetter g) { return (d, a, c) -> new ProcField(d, t, level, g); }

    private static int index(String display, String arg) throws FieldException {
        try {
            int i = Integer.parseInt(arg.trim());
            if (i < 0) throw new NumberFormatException();
            return i;
        } catch (NumberFormatException e) {
            throw new FieldException("'" + display + "' needs a non-negative index, got '" + arg + "'");
        }
    }

    private static boolean isIndex(String arg) {
        if (arg.isEmpty()) return false;
        for (int i = 0; i < arg.length(); i++) if (!Character.isDigit(arg.charAt(i))) return false;
        return true;
    }

    private static final int FDL_NUMS = 0, FDL_NAMES = 1, FDL_CIPS = 2, FDL_SIPS = 3, FDL_CPORTS = 4, FDL_SPORTS = 5;

    /**
     * One fdlist.* value: the fds of the event's fd array, comma-separated; addresses and ports only for IP sockets
     * with both ends (others are left out, as libsinsp does), names "<NA>" when unknown. Null when nothing is listed.
     */
    private static CharSequence fdList(EventView e, int what) {
        int n = e.fdListSize();
        if (n == 0) return null;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            FdView f = e.fdListFd(i);
            boolean ip = f != null && f.hasTuple() && f.type() != null && f.type().isIp();
            String v = switch (what) {
                case FDL_NUMS -> Long.toString(e.fdListNum(i));
                case FDL_NAMES -> f == null || f.name() == null || f.name().isEmpty() ? NA : f.name().toString();
                case FDL_CIPS -> ip ? dev.vigil.events.IpAddr.format(f.clientIpHi(), f.clientIpLo()) : null;
                case FDL_SIPS -> ip ? dev.vigil.events.IpAddr.format(f.serverIpHi(), f.serverIpLo()) : null;
                case FDL_CPORTS -> ip && f.clientPort() >= 0 ? Integer.toString(f.clientPort()) : null;
                default -> ip && f.serverPort() >= 0 ? Integer.toString(f.serverPort()) : null;
            };
            if (v == null) continue;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(v);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** The value of the variable {@code prefix} ("NAME=") names in p's environment, or null. */
    private static CharSequence envValue(ProcessView p, String prefix) {
        for (int i = 0, n = p.envCount(); i < n; i++) {
            CharSequence en = p.envEntry(i);
            if (Strings.startsWith(en, prefix)) return en.subSequence(prefix.length(), en.length());
        }
        return null;
    }

    /** Ancestor fields: [N] is the Nth ancestor (0 = the process), no argument = any ancestor. */
    private static Factory ancestors(FieldType t, ProcGetter g) {
        return (d, a, c) -> new ProcField(d, t, a == null ? -1 : index(d, a), g);
    }

    private static final ProcGetter P_NAME = ps(PS.NAME);
    private static final ProcGetter P_EXE = ps(PS.EXE);
    private static final ProcGetter P_EXEPATH = ps(PS.EXEPATH);
    private static final ProcGetter P_CMDLINE = ps(PS.CMDLINE);
    private static final ProcGetter P_PID = pn(ProcessView::pid);

    // Falco prints evt.time, evt.time.s and evt.datetime in the local zone (/etc/localtime, TZ); ISO 8601 in UTC
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneId.systemDefault());
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(java.time.ZoneId.systemDefault());

    /** Falco's evt.time: HH:MM:SS.nnnnnnnnn in the local zone, as Falco. */
    public static String formatTime(long ns) {
        return TIME.format(Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L))) + "." + nanos9(ns);
    }

    /** ISO 8601 with nanoseconds, UTC: the JSON alert's "time". */
    public static String formatIso(long ns) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L))) + "." + nanos9(ns) + "Z";
    }

    private static String nanos9(long ns) {
        String n = Long.toString(Math.floorMod(ns, 1_000_000_000L));
        return "0".repeat(9 - n.length()) + n;
    }

    private static final int[] OPEN_FLAGS_SLOT = new int[EventType.COUNT];
    private static final int[] MODE_SLOT = new int[EventType.COUNT];

    static {
        for (EventType t : EventType.values()) {
            OPEN_FLAGS_SLOT[t.id()] = t.isOpen() ? t.slotOf("flags") : -2;
            MODE_SLOT[t.id()] = t.slotOf("mode");
        }
    }

    // fs.path.*: the path argument of a file-system syscall, or the source and target of a two-path one
    private static final int[] FS_NAME_SLOT = new int[EventType.COUNT];
    private static final int[] FS_SOURCE_SLOT = new int[EventType.COUNT];
    private static final int[] FS_TARGET_SLOT = new int[EventType.COUNT];

    static {
        for (EventType t : EventType.values()) {
            FS_NAME_SLOT[t.id()] = FS_SOURCE_SLOT[t.id()] = FS_TARGET_SLOT[t.id()] = -1;
            switch (t) {
                case RENAME, RENAMEAT, RENAMEAT2, LINK, LINKAT -> {
                    FS_SOURCE_SLOT[t.id()] = t.slotOf("oldpath");
                    FS_TARGET_SLOT[t.id()] = t.slotOf("newpath");
                }
                case SYMLINK, SYMLINKAT -> {
                    FS_SOURCE_SLOT[t.id()] = t.slotOf("target");
                    FS_TARGET_SLOT[t.id()] = t.slotOf("linkpath");
                }
                default -> {
                    if (t.isOpen()) break; // opens name their file in fd.name, as in Falco
                    for (int i = 0; i < t.paramCount(); i++) {
                        ParamType pt = t.param(i).type();
                        if (pt == ParamType.FSPATH || pt == ParamType.FSRELPATH) {
                            FS_NAME_SLOT[t.id()] = i;
                            break;
                        }
                    }
                }
            }
        }
    }

    private static CharSequence fsPathArg(EventView e, int[] slots) {
        int s = slots[e.typeId()];
        return s < 0 ? null : e.argStr(s);
    }

    private static CharSequence stdioField(EventView e, int num, boolean type) {
        ProcessView p = e.process();
        FdView f = p == null ? null : p.fdByNum(num);
        if (f == null) return null;
        if (!type) return f.name();
        return f.type() == null ? null : f.type().falcoName();
    }

    /** The cgroup v2 controllers this machine enables (read once), as thread.cgroups lists them. */
    private static final class CgroupControllers {
        static final List<String> NAMES = read();

        private static List<String> read() {
            try {
                String mount = "/sys/fs/cgroup"; // where cgroup2 is mounted (/proc/self/mountinfo: fstype after " - ")
                for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo"))) {
                    int sep = l.indexOf(" - ");
                    if (sep > 0 && l.startsWith("cgroup2 ", sep + 3)) {
                        mount = l.split(" ")[4];
                        break;
                    }
                }
                String s = java.nio.file.Files.readString(java.nio.file.Path.of(mount, "cgroup.controllers")).trim();
                return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
            } catch (java.io.IOException | RuntimeException e) {
                return List.of();
            }
        }
    }

    private static CharSequence fsPathRaw(EventView e, int[] slots) {
        int s = slots[e.typeId()];
        return s < 0 ? null : e.argRaw(s);
    }

    // evt.abspath: the one path of an event (an open's name too), resolved against its dirfd or the cwd
    private static final int[] ABSPATH_SLOT = new int[EventType.COUNT];

    static {
        for (EventType t : EventType.values()) ABSPATH_SLOT[t.id()] = t.isOpen() ? t.slotOf(t == EventType.OPEN_BY_HANDLE_AT ? "path" : "name") : -1;
        for (int i = 0; i < ABSPATH_SLOT.length; i++) if (ABSPATH_SLOT[i] < 0) ABSPATH_SLOT[i] = FS_NAME_SLOT[i];
    }

    private static long openFlags(EventView e) {
        int t = e.typeId();
        int s = OPEN_FLAGS_SLOT[t];
        if (s == -2) return ABSENT;
        if (s < 0) return t == EventType.CREAT.id() ? 01 | 0100 | 01000 : ABSENT; // creat = O_WRONLY|O_CREAT|O_TRUNC
        return e.argLong(s);
    }

    private static long openMode(EventView e) {
        int s = MODE_SLOT[e.typeId()];
        return s < 0 ? ABSENT : e.argLong(s);
    }

    private static Mount mountByKey(ContainerView c, String key, boolean matchSource) {
        if (isIndex(key)) {
            int i = Integer.parseInt(key);
            return i < c.mountCount() ? c.mount(i) : null;
        }
        for (int i = 0; i < c.mountCount(); i++) {
            Mount m = c.mount(i);
            if (Glob.matches(key, matchSource ? m.source() : m.dest(), false)) return m;
        }
        return null;
    }

    private static Factory mountField(java.util.function.Function<Mount, String> g, boolean bySource) {
        return (d, a, c) -> str(d, CHARBUF, e -> {
            ContainerView ct = e.container();
            if (ct == null || ct.isHost()) return null;
            Mount m = mountByKey(ct, a, bySource);
            return m == null ? NA : g.apply(m);
        });
    }

    private static String mountString(Mount m) {
        return m.source() + ":" + m.dest() + ":" + m.mode() + ":" + m.readWrite() + ":" + m.propagation();
    }

    static {
        // ---- evt ----
        def("evt.num", UINT64, "event number", n(UINT64, EventView::num));
        def("evt.time", CHARBUF, "event timestamp as a time string with nanoseconds, HH:MM:SS.nnnnnnnnn (local zone)",
                s(e -> formatTime(e.timestamp())));
        def("evt.time.s", CHARBUF, "event timestamp as a time string, HH:MM:SS (local zone)",
                s(e -> TIME.format(Instant.ofEpochSecond(Math.floorDiv(e.timestamp(), 1_000_000_000L)))));
        def("evt.time.iso8601", CHARBUF, "event timestamp in ISO 8601 format with nanoseconds, UTC",
                s(e -> formatIso(e.timestamp())));
        def("evt.datetime", CHARBUF, "event timestamp as a date and time string, YYYY-MM-DD HH:MM:SS (local zone)",
                s(e -> DATETIME.format(Instant.ofEpochSecond(Math.floorDiv(e.timestamp(), 1_000_000_000L)))));
        def("evt.rawtime", ABSTIME, "absolute event timestamp, nanoseconds since epoch", n(ABSTIME, EventView::timestamp));
        def("evt.rawtime.s", UINT64, "integer part of the event timestamp (seconds since epoch)",
                n(UINT64, e -> Math.floorDiv(e.timestamp(), 1_000_000_000L)));
        def("evt.rawtime.ns", UINT64, "fractional part of the event timestamp (nanoseconds)",
                n(UINT64, e -> Math.floorMod(e.timestamp(), 1_000_000_000L)));
        def("evt.type", CHARBUF, "event type name, e.g. 'open' or 'execve'; any syscall's name for the generic event "
                + "(evt.type=getpid: a syscall Vigil does not decode, captured with its number, arguments and return value)",
                s(EventView::typeName));
        def("evt.category", CHARBUF, "the event category: file, net, ipc, memory, process, signal, io_read, io_write, io_other or other",
                s(e -> e.type().category()));
        def("evt.dir", CHARBUF, "event direction: '>' for enter events, '<' for exit events", s(e -> e.isEnter() ? ">" : "<"));
        def("evt.res", CHARBUF, "event return value as a string: SUCCESS, or the error code (e.g. ENOENT)",
                s(e -> {
                    long r = e.rawRes();
                    if (r == ABSENT) return null;
                    String n = Errno.resString(r);
                    return n != null ? n : Long.toString(r);
                }));
        def("evt.rawres", INT64, "event return value, as a number (e.g. -2)", n(INT64, EventView::rawRes));
        def("evt.failed", BOOL, "'true' for events that returned an error status",
                n(BOOL, e -> e.rawRes() == ABSENT ? ABSENT : bool(e.rawRes() < 0)));
        def("evt.is_open_read", BOOL, "'true' for open/openat/openat2/open_by_handle_at events where the path was opened for reading",
                n(BOOL, e -> {
                    long f = openFlags(e);
                    return f == ABSENT ? ABSENT : bool((f & 3) == 0 || (f & 3) == 2);
                }));
        def("evt.is_open_write", BOOL, "'true' for open/openat/openat2/open_by_handle_at/creat events where the path was opened for writing",
                n(BOOL, e -> {
                    long f = openFlags(e);
                    return f == ABSENT ? ABSENT : bool((f & 3) == 1 || (f & 3) == 2);
                }));
        def("evt.is_open_create", BOOL, "'true' for open/openat/openat2/creat events where a file is created (the kernel's FMODE_CREATED: false when O_CREAT found the file there)",
                n(BOOL, e -> {
                    if (openFlags(e) == ABSENT) return ABSENT;
                    FdView fd = e.fd();
                    return bool(e.rawRes() >= 0 && fd != null && fd.created());
                }));
        def("evt.is_open_exec", BOOL, "'true' for open/openat/openat2/creat events where a file is created with execute permissions",
                n(BOOL, e -> {
                    long f = openFlags(e);
                    if (f == ABSENT) return ABSENT;
                    long m = openMode(e);
                    return bool((f & 0100) != 0 && m != ABSENT && (m & 0111) != 0);
                }));
        def("evt.arg", CHARBUF, DYNAMIC, "one of the event arguments, by name (evt.arg.fd, evt.arg[fd]) or position (evt.arg[0]), as text; flag arguments render as names (O_RDONLY|O_CLOEXEC)",
                (d, a, c) -> isIndex(a) ? ArgField.byIndex(d, Integer.parseInt(a)) : ArgField.byName(d, a, false));
        def("evt.rawarg", INT64, DYNAMIC, "one of the event arguments by name, as a raw number (e.g. evt.rawarg.flags)",
                (d, a, c) -> ArgField.byName(d, a, true));
        def("evt.args", CHARBUF, "all the event arguments, as 'name=value' pairs", s(ArgField::renderAll));
        FIELDS.put("evt.buffer", new Entry(new FieldDef("evt.buffer", BYTEBUF, NONE,
                "the binary data buffer of I/O events (read, recvfrom, sendto, ...)", true), (d, a, c) -> {
                    ArgField data = ArgField.byName(d, "data", false);
                    return new Extractor(d, BYTEBUF) {
                        @Override public ByteSequence bytes(EventView e) { return data.bytes(e); }
                    };
                }));
        def("evt.buflen", UINT64, "the length of the binary data buffer of I/O events", (d, a, c) -> {
            ArgField data = ArgField.byName(d, "data", false);
            return num(d, UINT64, e -> {
                ByteSequence b = data.bytes(e);
                return b == null ? ABSENT : b.length();
            });
        });
        def("evt.hostname", CHARBUF, "the hostname of the underlying host", (d, a, c) -> constant(d, CHARBUF, c.hostname()));
        def("evt.source", CHARBUF, "the event source (syscall)", (d, a, c) -> constant(d, CHARBUF, "syscall"));

        // ---- proc ----
        def("proc.pid", PID, "the id of the process generating the event", proc(PID, 0, P_PID));
        def("proc.exe", CHARBUF, "the first command-line argument (argv[0], usually the executable name or a custom one)", proc(CHARBUF, 0, P_EXE));
        def("proc.name", CHARBUF, "the name (excluding the path) of the executable generating the event (comm)", proc(CHARBUF, 0, P_NAME));
        def("proc.args", CHARBUF, "the arguments passed on the command line when starting the process", proc(CHARBUF, 0, ps(PS.ARGS)));
        def("proc.env", CHARBUF, OPTIONAL_KEY, "the environment variables of the process, space-separated; proc.env[NAME] is the value of one variable",
                (d, a, c) -> {
                    if (a == null) return new ProcField(d, CHARBUF, 0, ps(ProcessView::env));
                    String prefix = a + "=";
                    return str(d, CHARBUF, e -> e.process() == null ? null : envValue(e.process(), prefix));
                });
        def("proc.aenv", CHARBUF, OPTIONAL_KEY, "the environment of the process's ancestors: without argument, matches any ancestor's "
                        + "(as proc.aname); proc.aenv[N] is the Nth ancestor's; proc.aenv[NAME] is NAME's value in the process or, "
                        + "if it has none, in its nearest ancestor that has it",
                (d, a, c) -> {
                    if (a == null || isIndex(a)) return new ProcField(d, CHARBUF, a == null ? -1 : index(d, a), ps(ProcessView::env));
                    String prefix = a + "=";
                    return str(d, CHARBUF, e -> {
                        ProcessView p = e.process();
                        for (int depth = 0; p != null && depth < 64; depth++, p = p.parent()) {
                            CharSequence v = envValue(p, prefix);
                            if (v != null) return v;
                        }
                        return null;
                    });
                });
        def("proc.cmdline", CHARBUF, "full process command line, i.e. proc.name + proc.args", proc(CHARBUF, 0, P_CMDLINE));
        def("proc.exeline", CHARBUF, "full process command line, with exe as first argument, i.e. proc.exe + proc.args",
                proc(CHARBUF, 0, ps(p -> p.exe() == null ? null : (p.args() == null || p.args().isEmpty() ? p.exe() : p.exe() + " " + p.args()))));
        def("proc.cwd", CHARBUF, "the current working directory of the event", proc(CHARBUF, 0, ps(PS.CWD)));
        def("proc.ppid", PID, "the pid of the parent of the process generating the event", proc(PID, 0, pn(ProcessView::ppid)));
        def("proc.pname", CHARBUF, "the name (excluding the path) of the parent of the process generating the event", proc(CHARBUF, 1, P_NAME));
        def("proc.pcmdline", CHARBUF, "the full command line (proc.name + proc.args) of the parent of the process generating the event", proc(CHARBUF, 1, P_CMDLINE));
        def("proc.pexe", CHARBUF, "the first command line argument of the parent process", proc(CHARBUF, 1, P_EXE));
        def("proc.pexepath", CHARBUF, "the full executable path of the parent process", proc(CHARBUF, 1, P_EXEPATH));
        def("proc.exepath", CHARBUF, "the full executable path of the process", proc(CHARBUF, 0, P_EXEPATH));
        def("proc.apid", PID, OPTIONAL_INDEX, "the pid of one of the process ancestors: proc.apid[1] is the parent, [2] the grandparent, ...; without index, matches any ancestor", ancestors(PID, P_PID));
        def("proc.aname", CHARBUF, OPTIONAL_INDEX, "the name of one of the process ancestors: proc.aname[1] is the parent, [2] the grandparent, ...; without index, matches any ancestor", ancestors(CHARBUF, P_NAME));
        def("proc.aexe", CHARBUF, OPTIONAL_INDEX, "the proc.exe of one of the process ancestors (same indexing as proc.aname)", ancestors(CHARBUF, P_EXE));
        def("proc.aargs", CHARBUF, OPTIONAL_INDEX, "the proc.args of one of the process ancestors (same indexing as proc.aname)", ancestors(CHARBUF, ps(PS.ARGS)));
        def("proc.aexepath", CHARBUF, OPTIONAL_INDEX, "the proc.exepath of one of the process ancestors (same indexing as proc.aname)", ancestors(CHARBUF, P_EXEPATH));
        def("proc.acmdline", CHARBUF, OPTIONAL_INDEX, "the proc.cmdline of one of the process ancestors (same indexing as proc.aname)", ancestors(CHARBUF, P_CMDLINE));
        def("proc.duration", RELTIME, "number of nanoseconds since the process started", n(RELTIME, e -> {
            ProcessView p = e.process();
            return p == null || p.startTs() == ABSENT ? ABSENT : e.timestamp() - p.startTs();
        }));
        def("proc.ppid.duration", RELTIME, "number of nanoseconds since the parent process started", n(RELTIME, e -> {
            ProcessView p = ancestor(e, 1);
            return p == null || p.startTs() == ABSENT ? ABSENT : e.timestamp() - p.startTs();
        }));
        def("proc.pid.ts", ABSTIME, "start of the process, nanoseconds since epoch", proc(ABSTIME, 0, pn(ProcessView::startTs)));
        def("proc.ppid.ts", ABSTIME, "start of the parent process, nanoseconds since epoch", proc(ABSTIME, 1, pn(ProcessView::startTs)));
        def("proc.tty", UINT32, "the controlling terminal of the process; 0 for processes without a terminal", proc(UINT32, 0, pn(ProcessView::tty)));
        def("proc.pidns_init_start_ts", UINT64, "the start time (ns since the epoch) of the init process of the process's pid "
                + "namespace: its nearest ancestor-or-self that is pid 1 in its own namespace (the host's init for host processes)",
                n(UINT64, e -> {
                    ProcessView p = e.process();
                    for (int i = 0; i < 256 && p != null; i++, p = p.parent()) {
                        if (p.vpid() == 1 || p.pid() == 1) return p.startTs() == ABSENT ? ABSENT : p.startTs();
                    }
                    return ABSENT; // the chain stops before the namespace's init (not seen, or outside the table)
                }));
        def("proc.vpid", PID, "the id of the process as seen from its current PID namespace", proc(PID, 0, pn(ProcessView::vpid)));
        def("proc.pvpid", PID, "the id of the parent process as seen from its current PID namespace", proc(PID, 1, pn(ProcessView::vpid)));
        def("proc.sid", PID, "the session id of the process", proc(PID, 0, pn(ProcessView::sid)));
        def("proc.sname", CHARBUF, "the name of the current process's session leader", (d, a, c) -> related(d, CHARBUF, ProcessView::sessionLeader, P_NAME));
        def("proc.sid.exe", CHARBUF, "the first command line argument of the session leader", (d, a, c) -> related(d, CHARBUF, ProcessView::sessionLeader, P_EXE));
        def("proc.sid.exepath", CHARBUF, "the full executable path of the session leader", (d, a, c) -> related(d, CHARBUF, ProcessView::sessionLeader, P_EXEPATH));
        def("proc.pgid", PID, "the process group id of the process", proc(PID, 0, pn(ProcessView::pgid)));
        def("proc.vpgid", PID, "the process group id of the process, as seen from its current PID namespace", proc(PID, 0, pn(ProcessView::vpgid)));
        def("proc.vpgid.name", CHARBUF, "the name of the current process's process group leader", (d, a, c) -> related(d, CHARBUF, ProcessView::vpgidLeader, P_NAME));
        def("proc.vpgid.exe", CHARBUF, "the first command line argument of the process group leader", (d, a, c) -> related(d, CHARBUF, ProcessView::vpgidLeader, P_EXE));
        def("proc.vpgid.exepath", CHARBUF, "the full executable path of the process group leader", (d, a, c) -> related(d, CHARBUF, ProcessView::vpgidLeader, P_EXEPATH));
        def("proc.is_vpgid_leader", BOOL, "'true' if this process is the leader of its process group (vpid == vpgid)",
                proc(BOOL, 0, pn(p -> p.vpid() == ABSENT || p.vpgid() == ABSENT ? ABSENT : bool(p.vpid() == p.vpgid()))));
        def("proc.is_sid_leader", BOOL, "'true' if this process is the leader of its session (pid == sid)",
                proc(BOOL, 0, pn(p -> p.pid() == ABSENT || p.sid() == ABSENT ? ABSENT : bool(p.pid() == p.sid()))));
        def("proc.is_exe_writable", BOOL, "'true' if the executable file is writable by the user that executed it",
                proc(BOOL, 0, pn(p -> bool(p.exeWritable()))));
        def("proc.is_exe_upper_layer", BOOL, "'true' if the executable file is in the upper layer of an overlayfs (not part of the container image)",
                proc(BOOL, 0, pn(p -> bool(p.exeUpperLayer()))));
        def("proc.is_exe_lower_layer", BOOL, "'true' if the executable file is in a lower layer of an overlayfs",
                proc(BOOL, 0, pn(p -> bool(p.exeLowerLayer()))));
        def("proc.is_exe_from_memfd", BOOL, "'true' if the executable file is a memfd (fileless execution)",
                proc(BOOL, 0, pn(p -> bool(p.exeFromMemfd()))));
        def("proc.exe_ino", INT64, "the inode number of the executable file", proc(INT64, 0, pn(ProcessView::exeIno)));
        def("proc.exe_ino.ctime", ABSTIME, "last status change time of the executable file, nanoseconds since epoch", proc(ABSTIME, 0, pn(ProcessView::exeInoCtime)));
        def("proc.exe_ino.mtime", ABSTIME, "last modification time of the executable file, nanoseconds since epoch", proc(ABSTIME, 0, pn(ProcessView::exeInoMtime)));
        def("proc.exe_ino.ctime_duration_proc_start", RELTIME, "nanoseconds between the executable's last status change and the process start",
                proc(RELTIME, 0, pn(p -> p.startTs() == ABSENT || p.exeInoCtime() == ABSENT ? ABSENT : p.startTs() - p.exeInoCtime())));

        // ---- thread ----
        def("thread.tid", PID, "the id of the thread generating the event", proc(PID, 0, pn(ProcessView::tid)));
        def("thread.vtid", PID, "the id of the thread as seen from its current PID namespace", proc(PID, 0, pn(ProcessView::vtid)));
        def("thread.ismain", BOOL, "'true' if the thread is the main one in the process",
                proc(BOOL, 0, pn(p -> p.tid() == ABSENT || p.pid() == ABSENT ? ABSENT : bool(p.tid() == p.pid()))));
        def("thread.cgroups", CHARBUF, "all the cgroups the thread belongs to, as controller=path pairs (cgroup v2: every "
                + "controller of the one hierarchy has the same path)", s(e -> {
                    ProcessView p = e.process();
                    CharSequence cg = p == null ? null : p.cgroup();
                    if (cg == null) return null;
                    StringBuilder sb = new StringBuilder();
                    for (String ctl : CgroupControllers.NAMES) sb.append(sb.isEmpty() ? "" : " ").append(ctl).append('=').append(cg);
                    return sb.isEmpty() ? "unified=" + cg : sb;
                }));
        def("thread.cgroup", CHARBUF, KEY, "the cgroup the thread belongs to for one controller, e.g. thread.cgroup[cpu] "
                + "(cgroup v2: the one hierarchy's path for any enabled controller)", (d, a, c) -> str(d, CHARBUF, e -> {
                    ProcessView p = e.process();
                    if (p == null || !(CgroupControllers.NAMES.contains(a) || a.equals("unified"))) return null;
                    return p.cgroup();
                }));
        def("thread.cap_permitted", CHARBUF, "the permitted capabilities set, as names (CAP_SYS_ADMIN ...)", (d, a, c) -> new CapsField(d, ProcessView::capPermitted));
        def("thread.cap_effective", CHARBUF, "the effective capabilities set, as names", (d, a, c) -> new CapsField(d, ProcessView::capEffective));
        def("thread.cap_inheritable", CHARBUF, "the inheritable capabilities set, as names", (d, a, c) -> new CapsField(d, ProcessView::capInheritable));

        // ---- user / group ----
        def("user.uid", UINT32, "user ID", proc(UINT32, 0, pn(ProcessView::uid)));
        def("user.name", CHARBUF, "user name", proc(CHARBUF, 0, ps(PS.USER)));
        def("user.homedir", CHARBUF, "home directory of the user", proc(CHARBUF, 0, ps(ProcessView::userHome)));
        def("user.shell", CHARBUF, "user's shell", proc(CHARBUF, 0, ps(ProcessView::userShell)));
        def("user.loginuid", INT64, "audit user id (auid); -1 when not set", proc(INT64, 0, pn(p -> {
            long v = p.loginUid();
            return v == 0xffffffffL ? -1 : v;
        })));
        def("user.loginname", CHARBUF, "audit user name (auid)", proc(CHARBUF, 0, ps(ProcessView::loginUserName)));
        def("group.gid", UINT32, "group ID", proc(UINT32, 0, pn(ProcessView::gid)));
        def("group.name", CHARBUF, "group name", proc(CHARBUF, 0, ps(ProcessView::groupName)));

        // ---- fs.path: the paths of file-system syscalls (resolved against the cwd or dirfd, as the sensor reports them) ----
        def("fs.path.name", FSPATH, "the path a file-system syscall (mkdir, unlink, rmdir, chmod, ...) operates on, fully resolved; "
                + "not for opens (fd.name) nor for two-path syscalls (fs.path.source/target)", path(e -> fsPathArg(e, FS_NAME_SLOT)));
        def("fs.path.source", FSPATH, "the source path of a two-path syscall (rename, link: the old path; symlink: the link's target)",
                path(e -> fsPathArg(e, FS_SOURCE_SLOT)));
        def("fs.path.target", FSPATH, "the target path of a two-path syscall (rename, link: the new path; symlink: the link created)",
                path(e -> fsPathArg(e, FS_TARGET_SLOT)));
        def("fs.path.nameraw", FSPATH, "fs.path.name as the process passed it (relative paths unresolved)", path(e -> fsPathRaw(e, FS_NAME_SLOT)));
        def("fs.path.sourceraw", FSPATH, "fs.path.source as the process passed it", path(e -> fsPathRaw(e, FS_SOURCE_SLOT)));
        def("fs.path.targetraw", FSPATH, "fs.path.target as the process passed it", path(e -> fsPathRaw(e, FS_TARGET_SLOT)));
        def("evt.abspath", FSPATH, "the absolute path of the event's path argument (an open's name, mkdirat's path, ...), "
                + "resolved against its dirfd or the cwd; evt.abspath.src / .dst for two-path syscalls", path(e -> fsPathArg(e, ABSPATH_SLOT)));
        def("evt.abspath.src", FSPATH, "the absolute source path of a two-path syscall (renameat, linkat: the old path; symlinkat: the target)",
                path(e -> fsPathArg(e, FS_SOURCE_SLOT)));
        def("evt.abspath.dst", FSPATH, "the absolute destination path of a two-path syscall (renameat, linkat: the new path; symlinkat: the link)",
                path(e -> fsPathArg(e, FS_TARGET_SLOT)));

        // ---- fd ----
        def("fd.num", INT64, "the unique number identifying the file descriptor (-1 for a failed open)", n(INT64, e -> {
            FdView f = e.fd();
            return f == null ? ABSENT : f.num();
        }));
        def("fd.types", CHARBUF, OPTIONAL_INDEX, "the types of the process's open fds, as a list \"(file,ipv4)\"; fd.types[N] "
                + "is the type of fd N (fd.types[0]: stdin's)", (d, a, c) -> {
                    if (a == null) return str(d, CHARBUF, e -> e.process() == null ? null : e.process().fdTypes());
                    int n = index(d, a);
                    return str(d, CHARBUF, e -> stdioField(e, n, true));
                });
        for (String[] std : new String[][] {{"stdin", "0"}, {"stdout", "1"}, {"stderr", "2"}}) {
            int n = Integer.parseInt(std[1]);
            def("proc." + std[0] + ".type", CHARBUF, "the type of the process's " + std[0] + " (fd " + n + "): file, pipe, ipv4, unix, ...",
                    s(e -> stdioField(e, n, true)));
            def("proc." + std[0] + ".name", CHARBUF, "the name of the process's " + std[0] + " (fd " + n + "): a path, a tuple, ...",
                    s(e -> stdioField(e, n, false)));
        }
        def("fd.type", CHARBUF, "type of FD: 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify', 'timerfd', 'netlink', 'bpf', 'userfaultfd', 'io_uring', 'memfd'",
                s(e -> {
                    FdView f = e.fd();
                    return f == null || f.type() == null ? null : f.type().falcoName();
                }));
        def("fd.typechar", CHARBUF, "type of FD as a single character: 'f' file, 'd' directory, '4' ipv4, '6' ipv6, 'u' unix, 'p' pipe, ...",
                (d, a, c) -> new FdStr(d, FdStr.TYPECHAR));
        def("fd.name", CHARBUF, "FD full name: the absolute path for files, the connection tuple for sockets", (d, a, c) -> new FdStr(d, FdStr.NAME));
        def("fd.directory", CHARBUF, "if the fd is a file, the directory that contains it", (d, a, c) -> new FdStr(d, FdStr.DIRECTORY));
        def("fd.filename", CHARBUF, "if the fd is a file, the filename without the path", (d, a, c) -> new FdStr(d, FdStr.FILENAME));
        def("fd.nameraw", CHARBUF, "FD name as passed by the process, not normalized (e.g. with '../')", (d, a, c) -> new FdStr(d, FdStr.NAMERAW));
        def("fd.ip", IPADDR, "matches the ip address (client or server) of the fd",
                (d, a, c) -> new AnyOf(d, IPADDR, new IpField(d, IPADDR, 's'), new IpField(d, IPADDR, 'c')));
        def("fd.cip", IPADDR, "client IP address", (d, a, c) -> new IpField(d, IPADDR, 'c'));
        def("fd.sip", IPADDR, "server IP address", (d, a, c) -> new IpField(d, IPADDR, 's'));
        def("fd.lip", IPADDR, "local IP address", (d, a, c) -> new IpField(d, IPADDR, 'l'));
        def("fd.rip", IPADDR, "remote IP address", (d, a, c) -> new IpField(d, IPADDR, 'r'));
        def("fd.port", PORT, "matches the port (client or server) of the fd",
                (d, a, c) -> new AnyOf(d, PORT, new PortField(d, 's'), new PortField(d, 'c')));
        def("fd.cport", PORT, "for TCP/UDP FDs, the client port", (d, a, c) -> new PortField(d, 'c'));
        def("fd.sport", PORT, "for TCP/UDP FDs, the server port", (d, a, c) -> new PortField(d, 's'));
        def("fd.lport", PORT, "for TCP/UDP FDs, the local port", (d, a, c) -> new PortField(d, 'l'));
        def("fd.rport", PORT, "for TCP/UDP FDs, the remote port", (d, a, c) -> new PortField(d, 'r'));
        def("fd.l4proto", CHARBUF, "the IP protocol of a socket: 'tcp', 'udp', 'icmp' or 'raw'", s(e -> {
            FdView f = e.fd();
            return f == null || f.type() == null || !f.type().isIp() || f.l4proto() == null ? null : f.l4proto().falcoName();
        }));
        def("fd.sockfamily", CHARBUF, "the socket family for socket events: 'ip' or 'unix'", s(e -> {
            FdView f = e.fd();
            if (f == null || f.type() == null) return null;
            return f.type().isIp() ? "ip" : f.type() == FdType.UNIX ? "unix" : null;
        }));
        def("fd.is_server", BOOL, "'true' if the process owning this FD is the server endpoint of the connection", n(BOOL, e -> {
            FdView f = e.fd();
            return f == null ? ABSENT : bool(f.role() == FdView.ROLE_SERVER);
        }));
        def("fd.net", IPNET, "matches the IP network (client or server) of the fd",
                (d, a, c) -> new AnyOf(d, IPNET, new IpField(d, IPNET, 's'), new IpField(d, IPNET, 'c')));
        def("fd.cnet", IPNET, "matches the client IP network of the fd", (d, a, c) -> new IpField(d, IPNET, 'c'));
        def("fd.snet", IPNET, "matches the server IP network of the fd", (d, a, c) -> new IpField(d, IPNET, 's'));
        def("fd.lnet", IPNET, "matches the local IP network of the fd", (d, a, c) -> new IpField(d, IPNET, 'l'));
        def("fd.rnet", IPNET, "matches the remote IP network of the fd", (d, a, c) -> new IpField(d, IPNET, 'r'));
        def("fd.connected", BOOL, "for TCP/UDP FDs, 'true' if the socket is connected", n(BOOL, e -> {
            FdView f = e.fd();
            return f == null ? ABSENT : bool(f.connected());
        }));
        def("fd.name_changed", BOOL, "'true' when an event changes the name of an fd (e.g. an unconnected UDP send to a new peer)", n(BOOL, e -> {
            FdView f = e.fd();
            return f == null ? ABSENT : bool(f.nameChanged());
        }));
        def("fd.cip.name", CHARBUF, "domain name associated with the client IP address", (d, a, c) -> new IpNameField(d, 'c'));
        def("fd.sip.name", CHARBUF, "domain name associated with the server IP address", (d, a, c) -> new IpNameField(d, 's'));
        def("fd.lip.name", CHARBUF, "domain name associated with the local IP address", (d, a, c) -> new IpNameField(d, 'l'));
        def("fd.rip.name", CHARBUF, "domain name associated with the remote IP address", (d, a, c) -> new IpNameField(d, 'r'));
        def("fd.dev", UINT32, "device number containing the referenced file", n(UINT32, e -> {
            FdView f = e.fd();
            return f == null ? ABSENT : f.dev();
        }));
        def("fd.is_upper_layer", BOOL, "'true' if the file is in the upper layer of an overlayfs (written in the container)",
                n(BOOL, e -> {
                    FdView f = e.fd();
                    return f == null ? ABSENT : bool(f.upperLayer());
                }));
        def("fd.is_lower_layer", BOOL, "'true' if the file is only in a lower layer of an overlayfs (the image's)",
                n(BOOL, e -> {
                    FdView f = e.fd();
                    return f == null ? ABSENT : bool(f.lowerLayer());
                }));
        def("fd.ino", UINT64, "inode number of the referenced file", n(UINT64, e -> {
            FdView f = e.fd();
            return f == null ? ABSENT : f.ino();
        }));

        // ---- fdlist: the fds of a poll/ppoll's array (the first 16), named from the process's fd table, as libsinsp ----
        def("fdlist.nums", CHARBUF, "for poll events, a comma-separated list of the FD numbers in the 'fds' argument",
                s(e -> fdList(e, FDL_NUMS)));
        def("fdlist.names", CHARBUF, "for poll events, a comma-separated list of the FD names in the 'fds' argument (<NA> for an "
                + "fd the process's fd table does not know)", s(e -> fdList(e, FDL_NAMES)));
        def("fdlist.cips", CHARBUF, "for poll events, a comma-separated list of the client IP addresses in the 'fds' argument",
                s(e -> fdList(e, FDL_CIPS)));
        def("fdlist.sips", CHARBUF, "for poll events, a comma-separated list of the server IP addresses in the 'fds' argument",
                s(e -> fdList(e, FDL_SIPS)));
        def("fdlist.cports", CHARBUF, "for TCP/UDP FDs, for poll events, a comma-separated list of the client TCP/UDP ports in "
                + "the 'fds' argument", s(e -> fdList(e, FDL_CPORTS)));
        def("fdlist.sports", CHARBUF, "for poll events, a comma-separated list of the server TCP/UDP ports in the 'fds' argument",
                s(e -> fdList(e, FDL_SPORTS)));

        // ---- container ----
        def("container.id", CHARBUF, "the truncated container ID (first 12 characters), 'host' for host processes", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.id();
        }));
        def("container.full_id", CHARBUF, "the full container ID, 'host' for host processes", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.fullId();
        }));
        def("container.name", CHARBUF, "the container name", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.isHost() ? "host" : c.name();
        }));
        def("container.image", CHARBUF, "the container image name (e.g. falcosecurity/falco:latest)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.image();
        }));
        def("container.image.id", CHARBUF, "the container image id", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.imageId();
        }));
        def("container.image.repository", CHARBUF, "the container image repository (e.g. falcosecurity/falco)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.imageRepository();
        }));
        def("container.image.tag", CHARBUF, "the container image tag (e.g. stable, latest)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.imageTag();
        }));
        def("container.image.digest", CHARBUF, "the container image registry digest", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.imageDigest();
        }));
        def("container.type", CHARBUF, "the container runtime type (docker, containerd, cri-o, podman, ...)", s(e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? null : c.runtime();
        }));
        def("container.ip", CHARBUF, "the container's IP address (its first network's)", s(e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? null : c.ip();
        }));
        def("container.host_pid", BOOL, "'true' if the container shares the host's PID namespace", n(BOOL, e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? ABSENT : bool(c.hostPid());
        }));
        def("container.host_network", BOOL, "'true' if the container shares the host's network namespace", n(BOOL, e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? ABSENT : bool(c.hostNetwork());
        }));
        def("container.host_ipc", BOOL, "'true' if the container shares the host's IPC namespace", n(BOOL, e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? ABSENT : bool(c.hostIpc());
        }));
        def("container.privileged", BOOL, "'true' for containers running as privileged", n(BOOL, e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? ABSENT : bool(c.privileged());
        }));
        def("container.mounts", CHARBUF, "comma-separated list of mounts, each source:dest:mode:rdwr:propagation", s(e -> {
            ContainerView c = e.container();
            if (c == null || c.isHost()) return null;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.mountCount(); i++) {
                if (i > 0) sb.append(',');
                sb.append(mountString(c.mount(i)));
            }
            return sb.toString();
        }));
        def("container.mount", CHARBUF, INDEX_OR_KEY, "one mount, by number (container.mount[0]) or destination glob (container.mount[/usr/local/bin]), as source:dest:mode:rdwr:propagation",
                mountField(FieldRegistry::mountString, false));
        def("container.mount.source", CHARBUF, INDEX_OR_KEY, "the mount source, by number or by destination path (a glob); '<NA>' when the container has no such mount",
                mountField(Mount::source, false));
        def("container.mount.dest", CHARBUF, INDEX_OR_KEY, "the mount destination, by number or by source path (a glob); '<NA>' when the container has no such mount",
                mountField(Mount::dest, true));
        def("container.mount.mode", CHARBUF, INDEX_OR_KEY, "the mount mode, by number or by source path (a glob)", mountField(Mount::mode, true));
        def("container.mount.rdwr", CHARBUF, INDEX_OR_KEY, "the mount rdwr value ('true'/'false'), by number or by source path (a glob)",
                mountField(m -> String.valueOf(m.readWrite()), true));
        def("container.mount.propagation", CHARBUF, INDEX_OR_KEY, "the mount propagation value, by number or by source path (a glob)",
                mountField(Mount::propagation, true));
        def("container.start_ts", ABSTIME, "container start, nanoseconds since epoch", n(ABSTIME, e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() ? ABSENT : c.startTs();
        }));
        def("container.duration", RELTIME, "number of nanoseconds since the container started", n(RELTIME, e -> {
            ContainerView c = e.container();
            return c == null || c.isHost() || c.startTs() == ABSENT ? ABSENT : e.timestamp() - c.startTs();
        }));
        def("container.label", CHARBUF, KEY, "the value of a container label, e.g. container.label[io.kubernetes.pod.name]",
                (d, a, c) -> str(d, CHARBUF, e -> {
                    ContainerView ct = e.container();
                    return ct == null ? null : ct.label(a);
                }));

        // ---- k8s: from CRI container labels ----
        def("k8s.pod.name", CHARBUF, "the Kubernetes pod name (from the container's io.kubernetes.pod.name label)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.label(ContainerView.LABEL_POD_NAME);
        }));
        def("k8s.ns.name", CHARBUF, "the Kubernetes namespace name (from the container's io.kubernetes.pod.namespace label)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.label(ContainerView.LABEL_POD_NAMESPACE);
        }));
        def("k8s.pod.uid", CHARBUF, "the Kubernetes pod UID (from the container's io.kubernetes.pod.uid label)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.label(ContainerView.LABEL_POD_UID);
        }));
        def("k8s.pod.sandbox_id", CHARBUF, "the truncated Kubernetes pod sandbox ID (from the io.kubernetes.sandbox.id label)", s(e -> {
            ContainerView c = e.container();
            CharSequence v = c == null ? null : c.label("io.kubernetes.sandbox.id");
            return v == null || v.length() <= 12 ? v : v.subSequence(0, 12);
        }));
        def("k8s.pod.full_sandbox_id", CHARBUF, "the full Kubernetes pod sandbox ID (from the io.kubernetes.sandbox.id label)", s(e -> {
            ContainerView c = e.container();
            return c == null ? null : c.label("io.kubernetes.sandbox.id");
        }));
        def("k8s.pod.label", CHARBUF, KEY, "a Kubernetes pod label, e.g. k8s.pod.label[app] (from the CRI's pod sandbox labels)",
                (d, a, c) -> str(d, CHARBUF, e -> {
                    ContainerView ct = e.container();
                    return ct == null ? null : ct.podLabel(a);
                }));
        def("container.labels", CHARBUF, "the container's labels, as key:value pairs separated by ', ' (as the container plugin's)", s(e -> {
            ContainerView c = e.container();
            if (c == null || c.labels().isEmpty()) return null;
            StringBuilder sb = new StringBuilder();
            new java.util.TreeMap<>(c.labels()).forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(':').append(v));
            return sb;
        }));
        def("k8s.pod.labels", CHARBUF, "the Kubernetes pod labels, as key:value pairs separated by ', ' (from the CRI's pod sandbox)", s(e -> {
            ContainerView c = e.container();
            if (c == null || c.podLabels().isEmpty()) return null;
            StringBuilder sb = new StringBuilder();
            new java.util.TreeMap<>(c.podLabels()).forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(':').append(v));
            return sb;
        }));
        unavailable("k8s.pod.ip", CHARBUF, "the Kubernetes pod IP");
        unavailable("k8s.pod.cni.json", CHARBUF, "the Kubernetes pod CNI result");
        unavailable("k8s.ns.id", CHARBUF, "the Kubernetes namespace id");
        unavailable("k8s.ns.label", CHARBUF, "a Kubernetes namespace label");
        unavailable("k8s.rc.name", CHARBUF, "the Kubernetes replication controller name");
        unavailable("k8s.rs.name", CHARBUF, "the Kubernetes replica set name");
        unavailable("k8s.svc.name", CHARBUF, "the Kubernetes service name");
        unavailable("k8s.deployment.name", CHARBUF, "the Kubernetes deployment name");
    }

    private FieldRegistry() {}

    /** All documented fields, in registry order. */
    public static List<FieldDef> fields() {
        List<FieldDef> l = new ArrayList<>();
        for (Entry e : FIELDS.values()) l.add(e.def);
        return Collections.unmodifiableList(l);
    }

    /** The definition for a bare field name (dynamic evt.arg.NAME resolves to evt.arg), or null. */
    public static FieldDef lookup(String name) {
        Entry e = entry(name);
        return e == null ? null : e.def;
    }

    private static Entry entry(String name) {
        Entry e = FIELDS.get(name);
        if (e != null) return e;
        if (name.startsWith("evt.arg.")) return FIELDS.get("evt.arg");
        if (name.startsWith("evt.rawarg.")) return FIELDS.get("evt.rawarg");
        return null;
    }

    /**
     * Compiles an extractor for {@code name} with the bracket argument {@code arg} (null when none).
     *
     * @throws FieldException for an unknown field or a missing/invalid argument; the message is user-facing
     */
    public static Extractor resolve(String name, String arg, Context ctx) throws FieldException {
        Entry e = entry(name);
        if (e == null) throw new FieldException("unknown field '" + name + "'");
        FieldDef d = e.def;
        String display = arg == null ? name : name + "[" + arg + "]";
        if (d.arg() == DYNAMIC) {
            String argName;
            if (name.equals(d.name())) {
                if (arg == null) throw new FieldException("field '" + name + "' needs an argument name, e.g. " + name + ".fd or " + name + "[0]");
                argName = arg;
            } else {
                if (arg != null) throw new FieldException("field '" + name + "' does not take an argument");
                argName = name.substring(d.name().length() + 1);
            }
            return e.factory.make(display, argName, ctx);
        }
        switch (d.arg()) {
            case NONE -> {
                if (arg != null) throw new FieldException("field '" + name + "' does not take an argument");
            }
            case INDEX -> {
                if (arg == null) throw new FieldException("field '" + name + "' needs an index argument, e.g. " + name + "[0]");
                index(display, arg);
            }
            case KEY, INDEX_OR_KEY -> {
                if (arg == null || arg.isEmpty()) throw new FieldException("field '" + name + "' needs an argument, e.g. " + name + "[...]");
            }
            case OPTIONAL_INDEX -> {
                if (arg != null) index(display, arg);
            }
            default -> { }
        }
        return e.factory.make(display, arg, ctx);
    }

    /** Prints the field table like {@code falco --list}: grouped by class, name, type and description. */
    public static void printTable(PrintStream out) {
        String cls = null;
        int width = 0;
        for (Entry e : FIELDS.values()) width = Math.max(width, e.def.name().length() + e.def.argHint().length());
        width = Math.min(width, 44);
        for (Entry e : FIELDS.values()) {
            FieldDef d = e.def;
            String c = d.name().substring(0, d.name().indexOf('.'));
            if (!c.equals(cls)) {
                if (cls != null) out.println();
                out.println("Field Class: " + c);
                out.println();
                cls = c;
            }
            String n = d.name() + (d.arg() == DYNAMIC ? ".NAME" : d.arg() == NONE ? "" : "[...]");
            out.printf("%-" + (width + 2) + "s %-9s %s%n", n, d.type().name(), d.description());
        }
    }

    /** Names of the flags an argument name can have, across event types (for diagnostics/tests). */
    public static List<String> flagNames(String argName) {
        List<String> out = new ArrayList<>();
        for (EventType t : EventType.values()) {
            int s = t.slotOf(argName);
            FlagSet fs = s < 0 ? null : t.param(s).flags();
            if (fs != null) for (int i = 0; i < fs.size(); i++) out.add(fs.flag(i).name());
        }
        return out;
    }
}
