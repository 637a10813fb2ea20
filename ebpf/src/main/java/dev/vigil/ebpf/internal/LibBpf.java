package dev.vigil.ebpf.internal;

import static dev.vigil.ebpf.internal.Native.C_BOOL;
import static dev.vigil.ebpf.internal.Native.C_INT;
import static dev.vigil.ebpf.internal.Native.C_LONG;
import static dev.vigil.ebpf.internal.Native.C_POINTER;
import static dev.vigil.ebpf.internal.Native.downcall;
import static dev.vigil.ebpf.internal.Native.downcallErrno;
import static dev.vigil.ebpf.internal.Native.rethrow;

import dev.vigil.ebpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Hand-written bindings to the system libbpf.so.1 (the 1.1 API, Debian 12's). Only what Vigil uses.
 * Pointer-returning functions report errors as NULL + errno, so they take an errno capture segment
 * as first argument; int-returning ones return -errno.
 */
public final class LibBpf {
    private static final SymbolLookup LIB;
    private static final Throwable LOAD_FAILURE;

    static {
        SymbolLookup lib = null;
        Throwable failure = null;
        try {
            lib = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        } catch (Throwable t) {
            failure = t;
        }
        LIB = lib;
        LOAD_FAILURE = failure;
    }

    private LibBpf() {}

    /** Throws a clear error when libbpf.so.1 cannot be loaded. */
    public static void ensureAvailable() {
        if (LIB == null) {
            throw new BpfException("libbpf.so.1 is not installed or cannot be loaded (" + LOAD_FAILURE.getMessage()
                    + "); install it with: apt-get install libbpf1 (or run scripts/setup.sh as root)");
        }
    }

    private static final class H {
        static {
            ensureAvailable();
        }

        static final MethodHandle SET_PRINT = downcall(LIB, "libbpf_set_print", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle STRERROR = downcall(LIB, "libbpf_strerror", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_LONG));
        static final MethodHandle NUM_POSSIBLE_CPUS = downcall(LIB, "libbpf_num_possible_cpus", FunctionDescriptor.of(C_INT));
        static final MethodHandle PROBE_PROG_TYPE = downcall(LIB, "libbpf_probe_bpf_prog_type", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
        static final MethodHandle PROBE_MAP_TYPE = downcall(LIB, "libbpf_probe_bpf_map_type", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));

        static final MethodHandle OBJECT_OPEN_MEM = downcallErrno(LIB, "bpf_object__open_mem", FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_POINTER));
        static final MethodHandle OBJECT_LOAD = downcall(LIB, "bpf_object__load", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle OBJECT_CLOSE = downcall(LIB, "bpf_object__close", FunctionDescriptor.ofVoid(C_POINTER));
        static final MethodHandle OBJECT_BTF = downcall(LIB, "bpf_object__btf", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle OBJECT_NEXT_PROGRAM = downcall(LIB, "bpf_object__next_program", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));
        static final MethodHandle OBJECT_NEXT_MAP = downcall(LIB, "bpf_object__next_map", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));

        static final MethodHandle PROGRAM_NAME = downcall(LIB, "bpf_program__name", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle PROGRAM_SECTION_NAME = downcall(LIB, "bpf_program__section_name", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle PROGRAM_SET_AUTOLOAD = downcall(LIB, "bpf_program__set_autoload", FunctionDescriptor.of(C_INT, C_POINTER, C_BOOL));
        static final MethodHandle PROGRAM_FD = downcall(LIB, "bpf_program__fd", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle PROGRAM_TYPE = downcall(LIB, "bpf_program__type", FunctionDescriptor.of(C_INT, C_POINTER));

        static final MethodHandle ATTACH = downcallErrno(LIB, "bpf_program__attach", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle ATTACH_TRACEPOINT = downcallErrno(LIB, "bpf_program__attach_tracepoint", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER, C_POINTER));
        static final MethodHandle ATTACH_RAW_TRACEPOINT = downcallErrno(LIB, "bpf_program__attach_raw_tracepoint", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));
        static final MethodHandle ATTACH_TRACE = downcallErrno(LIB, "bpf_program__attach_trace", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle ATTACH_LSM = downcallErrno(LIB, "bpf_program__attach_lsm", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle ATTACH_CGROUP = downcallErrno(LIB, "bpf_program__attach_cgroup", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
        static final MethodHandle ATTACH_XDP = downcallErrno(LIB, "bpf_program__attach_xdp", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
        static final MethodHandle ATTACH_KPROBE = downcallErrno(LIB, "bpf_program__attach_kprobe", FunctionDescriptor.of(C_POINTER, C_POINTER, C_BOOL, C_POINTER));
        static final MethodHandle ATTACH_UPROBE_OPTS = downcallErrno(LIB, "bpf_program__attach_uprobe_opts", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT, C_POINTER, C_LONG, C_POINTER));
        static final MethodHandle LINK_DESTROY = downcall(LIB, "bpf_link__destroy", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle LINK_FD = downcall(LIB, "bpf_link__fd", FunctionDescriptor.of(C_INT, C_POINTER));

        static final MethodHandle MAP_NAME = downcall(LIB, "bpf_map__name", FunctionDescriptor.of(C_POINTER, C_POINTER));
        static final MethodHandle MAP_FD = downcall(LIB, "bpf_map__fd", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle MAP_TYPE = downcall(LIB, "bpf_map__type", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle MAP_KEY_SIZE = downcall(LIB, "bpf_map__key_size", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle MAP_VALUE_SIZE = downcall(LIB, "bpf_map__value_size", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle MAP_MAX_ENTRIES = downcall(LIB, "bpf_map__max_entries", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle MAP_SET_MAX_ENTRIES = downcall(LIB, "bpf_map__set_max_entries", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
        static final MethodHandle MAP_INITIAL_VALUE = downcall(LIB, "bpf_map__initial_value", FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER));
        static final MethodHandle MAP_IS_INTERNAL = downcall(LIB, "bpf_map__is_internal", FunctionDescriptor.of(C_BOOL, C_POINTER));

        static final MethodHandle MAP_LOOKUP_ELEM = downcall(LIB, "bpf_map_lookup_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));
        static final MethodHandle MAP_UPDATE_ELEM = downcall(LIB, "bpf_map_update_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG));
        static final MethodHandle MAP_DELETE_ELEM = downcall(LIB, "bpf_map_delete_elem", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
        static final MethodHandle MAP_GET_NEXT_KEY = downcall(LIB, "bpf_map_get_next_key", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));

        static final MethodHandle OBJ_PIN = downcall(LIB, "bpf_obj_pin", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
        static final MethodHandle OBJ_GET = downcall(LIB, "bpf_obj_get", FunctionDescriptor.of(C_INT, C_POINTER));
        static final MethodHandle OBJ_GET_INFO_BY_FD = downcall(LIB, "bpf_obj_get_info_by_fd", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));
        static final MethodHandle LINK_GET_FD_BY_ID = downcall(LIB, "bpf_link_get_fd_by_id", FunctionDescriptor.of(C_INT, C_INT));
        static final MethodHandle PROG_QUERY = downcall(LIB, "bpf_prog_query", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER));
        static final MethodHandle LINK_UPDATE = downcall(LIB, "bpf_link_update", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER));

        static final MethodHandle BTF_FIND_BY_NAME_KIND = downcall(LIB, "btf__find_by_name_kind", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT));
        static final MethodHandle BTF_TYPE_BY_ID = downcall(LIB, "btf__type_by_id", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
        static final MethodHandle BTF_NAME_BY_OFFSET = downcall(LIB, "btf__name_by_offset", FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
        static final MethodHandle BTF_RESOLVE_SIZE = downcall(LIB, "btf__resolve_size", FunctionDescriptor.of(C_LONG, C_POINTER, C_INT));
    }

    // --- library-wide ---
    public static MemorySegment setPrint(MemorySegment fn) {
        try { return (MemorySegment) H.SET_PRINT.invokeExact(fn); } catch (Throwable t) { throw rethrow(t); }
    }

    public static String strerror(int err) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int rc = (int) H.STRERROR.invokeExact(Math.abs(err), buf, 256L);
            String s = buf.getString(0);
            return rc == 0 || !s.isEmpty() ? s : "error " + err;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int numPossibleCpus() {
        try {
            int n = (int) H.NUM_POSSIBLE_CPUS.invokeExact();
            if (n <= 0) {
                throw new BpfException("cannot determine the number of possible CPUs: " + strerror(n));
            }
            return n;
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static int probeProgType(int type) {
        try { return (int) H.PROBE_PROG_TYPE.invokeExact(type, MemorySegment.NULL); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int probeMapType(int type) {
        try { return (int) H.PROBE_MAP_TYPE.invokeExact(type, MemorySegment.NULL); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- object ---
    public static MemorySegment objectOpenMem(MemorySegment errno, MemorySegment buf, long size, MemorySegment opts) {
        try { return (MemorySegment) H.OBJECT_OPEN_MEM.invokeExact(errno, buf, size, opts); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int objectLoad(MemorySegment obj) {
        try { return (int) H.OBJECT_LOAD.invokeExact(obj); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void objectClose(MemorySegment obj) {
        try { H.OBJECT_CLOSE.invokeExact(obj); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment objectBtf(MemorySegment obj) {
        try { return (MemorySegment) H.OBJECT_BTF.invokeExact(obj); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment objectNextProgram(MemorySegment obj, MemorySegment prev) {
        try { return (MemorySegment) H.OBJECT_NEXT_PROGRAM.invokeExact(obj, prev); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment objectNextMap(MemorySegment obj, MemorySegment prev) {
        try { return (MemorySegment) H.OBJECT_NEXT_MAP.invokeExact(obj, prev); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- program ---
    public static String programName(MemorySegment prog) {
        try { return Native.cString((MemorySegment) H.PROGRAM_NAME.invokeExact(prog)); } catch (Throwable t) { throw rethrow(t); }
    }

    public static String programSectionName(MemorySegment prog) {
        try { return Native.cString((MemorySegment) H.PROGRAM_SECTION_NAME.invokeExact(prog)); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int programSetAutoload(MemorySegment prog, boolean autoload) {
        try { return (int) H.PROGRAM_SET_AUTOLOAD.invokeExact(prog, autoload); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int programFd(MemorySegment prog) {
        try { return (int) H.PROGRAM_FD.invokeExact(prog); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int programType(MemorySegment prog) {
        try { return (int) H.PROGRAM_TYPE.invokeExact(prog); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- attach (all return a bpf_link* or NULL + errno) ---
    public static MemorySegment attach(MemorySegment errno, MemorySegment prog) {
        try { return (MemorySegment) H.ATTACH.invokeExact(errno, prog); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachTracepoint(MemorySegment errno, MemorySegment prog, MemorySegment category, MemorySegment name) {
        try { return (MemorySegment) H.ATTACH_TRACEPOINT.invokeExact(errno, prog, category, name); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachRawTracepoint(MemorySegment errno, MemorySegment prog, MemorySegment name) {
        try { return (MemorySegment) H.ATTACH_RAW_TRACEPOINT.invokeExact(errno, prog, name); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachTrace(MemorySegment errno, MemorySegment prog) {
        try { return (MemorySegment) H.ATTACH_TRACE.invokeExact(errno, prog); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachLsm(MemorySegment errno, MemorySegment prog) {
        try { return (MemorySegment) H.ATTACH_LSM.invokeExact(errno, prog); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachCgroup(MemorySegment errno, MemorySegment prog, int cgroupFd) {
        try { return (MemorySegment) H.ATTACH_CGROUP.invokeExact(errno, prog, cgroupFd); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachXdp(MemorySegment errno, MemorySegment prog, int ifindex) {
        try { return (MemorySegment) H.ATTACH_XDP.invokeExact(errno, prog, ifindex); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachKprobe(MemorySegment errno, MemorySegment prog, boolean retprobe, MemorySegment func) {
        try { return (MemorySegment) H.ATTACH_KPROBE.invokeExact(errno, prog, retprobe, func); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment attachUprobeOpts(MemorySegment errno, MemorySegment prog, int pid, MemorySegment binary, long offset, MemorySegment opts) {
        try { return (MemorySegment) H.ATTACH_UPROBE_OPTS.invokeExact(errno, prog, pid, binary, offset, opts); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int linkDestroy(MemorySegment link) {
        try { return (int) H.LINK_DESTROY.invokeExact(link); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int linkFd(MemorySegment link) {
        try { return (int) H.LINK_FD.invokeExact(link); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- map (object side) ---
    public static String mapName(MemorySegment map) {
        try { return Native.cString((MemorySegment) H.MAP_NAME.invokeExact(map)); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapFd(MemorySegment map) {
        try { return (int) H.MAP_FD.invokeExact(map); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapType(MemorySegment map) {
        try { return (int) H.MAP_TYPE.invokeExact(map); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapKeySize(MemorySegment map) {
        try { return (int) H.MAP_KEY_SIZE.invokeExact(map); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapValueSize(MemorySegment map) {
        try { return (int) H.MAP_VALUE_SIZE.invokeExact(map); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapMaxEntries(MemorySegment map) {
        try { return (int) H.MAP_MAX_ENTRIES.invokeExact(map); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapSetMaxEntries(MemorySegment map, int maxEntries) {
        try { return (int) H.MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment mapInitialValue(MemorySegment map, MemorySegment sizeOut) {
        try { return (MemorySegment) H.MAP_INITIAL_VALUE.invokeExact(map, sizeOut); } catch (Throwable t) { throw rethrow(t); }
    }

    public static boolean mapIsInternal(MemorySegment map) {
        try { return (boolean) H.MAP_IS_INTERNAL.invokeExact(map); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- map (fd side, return -errno) ---
    public static int mapLookupElem(int fd, MemorySegment key, MemorySegment value) {
        try { return (int) H.MAP_LOOKUP_ELEM.invokeExact(fd, key, value); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapUpdateElem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try { return (int) H.MAP_UPDATE_ELEM.invokeExact(fd, key, value, flags); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapDeleteElem(int fd, MemorySegment key) {
        try { return (int) H.MAP_DELETE_ELEM.invokeExact(fd, key); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int mapGetNextKey(int fd, MemorySegment key, MemorySegment next) {
        try { return (int) H.MAP_GET_NEXT_KEY.invokeExact(fd, key, next); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- pins (fd side, return -errno) ---
    public static int objPin(int fd, MemorySegment path) {
        try { return (int) H.OBJ_PIN.invokeExact(fd, path); } catch (Throwable t) { throw rethrow(t); }
    }

    /** A new fd for the object pinned at path, or -errno. */
    public static int objGet(MemorySegment path) {
        try { return (int) H.OBJ_GET.invokeExact(path); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int objGetInfoByFd(int fd, MemorySegment info, MemorySegment len) {
        try { return (int) H.OBJ_GET_INFO_BY_FD.invokeExact(fd, info, len); } catch (Throwable t) { throw rethrow(t); }
    }

    /** A new fd for the link with this kernel id, or -errno (-ENOENT once it is freed). */
    public static int linkGetFdById(int id) {
        try { return (int) H.LINK_GET_FD_BY_ID.invokeExact(id); } catch (Throwable t) { throw rethrow(t); }
    }

    /** The ids of the programs attached to a cgroup (fd) for an attach type; -errno on failure. */
    public static int progQuery(int targetFd, int attachType, MemorySegment attachFlags, MemorySegment progIds, MemorySegment progCount) {
        try { return (int) H.PROG_QUERY.invokeExact(targetFd, attachType, 0, attachFlags, progIds, progCount); } catch (Throwable t) { throw rethrow(t); }
    }

    /** Atomically replaces the program of a link (opts NULL: any old program). */
    public static int linkUpdate(int linkFd, int newProgFd) {
        try { return (int) H.LINK_UPDATE.invokeExact(linkFd, newProgFd, MemorySegment.NULL); } catch (Throwable t) { throw rethrow(t); }
    }

    // --- BTF ---
    public static int btfFindByNameKind(MemorySegment btf, MemorySegment name, int kind) {
        try { return (int) H.BTF_FIND_BY_NAME_KIND.invokeExact(btf, name, kind); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment btfTypeById(MemorySegment btf, int id) {
        try { return (MemorySegment) H.BTF_TYPE_BY_ID.invokeExact(btf, id); } catch (Throwable t) { throw rethrow(t); }
    }

    public static String btfNameByOffset(MemorySegment btf, int offset) {
        try { return Native.cString((MemorySegment) H.BTF_NAME_BY_OFFSET.invokeExact(btf, offset)); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long btfResolveSize(MemorySegment btf, int typeId) {
        try { return (long) H.BTF_RESOLVE_SIZE.invokeExact(btf, typeId); } catch (Throwable t) { throw rethrow(t); }
    }
}
