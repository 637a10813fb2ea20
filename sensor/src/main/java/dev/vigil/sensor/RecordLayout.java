package dev.vigil.sensor;

import dev.vigil.ebpf.btf.Btf;
import dev.vigil.ebpf.btf.StructView;

/**
 * Java's views of the structs in bpf/include/vigil/sensor.h, verified against the object's BTF at load
 * ({@link #verify}). Offsets used by the decoders come from these views only.
 */
final class RecordLayout {
    private RecordLayout() {}

    static final int NBLOBS = 7;
    static final int NARGS = 6;
    static final int COMM_LEN = 16;
    static final int MAX_KINDS = 128;
    static final int MAX_SYSCALLS = 512;

    static final int KIND_PROC_EXEC = 1;
    static final int KIND_PROC_FORK = 2;
    static final int KIND_PROC_EXIT = 3;
    static final int KIND_TASK_RENAME = 4;
    static final int KIND_TCP_RESET = 5;
    static final int KIND_GENERIC = 6;
    static final int KIND_FIRST_SYSCALL = 8;

    static final int SPEC_SOCK_ARG0 = 1;
    static final int SPEC_SOCK_RET = 2;
    static final int SPEC_EXEC = 4;
    static final int SPEC_CLONE = 8;
    static final int SPEC_CAPS = 32;
    static final int SPEC_MSGHDR = 64;
    static final int SPEC_LEN_PTR = 128;

    static final int SLOT_PATH0 = 0, SLOT_BASE0 = 1, SLOT_PATH1 = 2, SLOT_BASE1 = 3, SLOT_EXTRA = 4, SLOT_SOCK = 5;
    /** An exec record's executable times (slot 3: ctime, mtime) and environment (slot 6). */
    static final int SLOT_ENV = 6;

    /** An exec record's args[5] flags about the executable (above the old tid). */
    static final long EXE_UPPER_LAYER = 1L << 32, EXE_LOWER_LAYER = 1L << 33, EXE_WRITABLE = 1L << 34;

    static final StructView HDR = StructView.builder("sensor_hdr", 192)
            .field("size", 0, 4).field("kind", 4, 2).field("cpu", 6, 2).field("seq", 8, 8)
            .field("ts_mono", 16, 8).field("ret", 24, 8).field("args", 32, 48)
            .field("pid", 80, 4).field("tid", 84, 4).field("ppid", 88, 4).field("uid", 92, 4)
            .field("gid", 96, 4).field("euid", 100, 4).field("egid", 104, 4).field("loginuid", 108, 4)
            .field("cgroup_id", 112, 8).field("pid_ns", 120, 4).field("mnt_ns", 124, 4).field("net_ns", 128, 4)
            .field("syscall_nr", 132, 4).field("comm", 136, COMM_LEN).field("blob_len", 152, 2 * NBLOBS)
            .field("vpid", 168, 4).field("vtid", 172, 4).field("pgid", 176, 4).field("sid", 180, 4)
            .field("vpgid", 184, 4).field("file_layer", 188, 4)
            .build();

    static final StructView SOCK = StructView.builder("sensor_sock", 264)
            .field("family", 0, 2).field("type", 2, 2).field("protocol", 4, 2).field("lport", 6, 2)
            .field("rport", 8, 2).field("laddr", 16, 16).field("raddr", 32, 16)
            .field("lpath", 48, 108).field("rpath", 156, 108)
            .build();

    static final StructView SPEC = StructView.builder("sensor_spec", 16)
            .field("kind", 0, 1).field("flags", 1, 1).field("path", 2, 2).field("dirfd", 4, 2)
            .field("str", 6, 1).field("sockaddr", 7, 1).field("sockaddr_len", 8, 1).field("raw_only", 9, 1)
            .field("flags2", 10, 1)
            .build();

    static final int SPEC2_FILE_RET = 1;
    static final int SPEC2_POLLFDS = 2;
    /** A poll/ppoll record's fds (slot 4): the first POLL_FDS_MAX sensor_pollfd entries of its array. */
    static final int POLL_FDS_MAX = 16;

    static final StructView POLLFD = StructView.builder("sensor_pollfd", 8)
            .field("fd", 0, 4).field("events", 4, 2).field("revents", 6, 2).build();
    static final long PF_FD = POLLFD.field("fd").offset();
    static final long PF_REVENTS = POLLFD.field("revents").offset();
    static final int FILE_UPPER_LAYER = 1, FILE_LOWER_LAYER = 2;
    /** hdr.file_layer of an open: the open created the file (sensor.h SENSOR_FILE_CREATED). */
    static final int FILE_CREATED = 16;
    /** hdr.file_layer of a SOCK_ARG0 record without a socket: the fd is open and not a socket, or not open (sensor.h). */
    static final int FD_NOT_SOCK = 4, FD_CLOSED = 8;

    static final StructView CONFIG = StructView.builder("sensor_config", 16)
            .field("pid_filter", 0, 4).field("comm_filter", 4, 4).field("cgroup_filter", 8, 4)
            .field("paused", 12, 4).build();

    static final long FILE_LAYER = HDR.field("file_layer").offset();
    static final long SIZE = HDR.field("size").offset();
    static final long KIND = HDR.field("kind").offset();
    static final long CPU = HDR.field("cpu").offset();
    static final long SEQ = HDR.field("seq").offset();
    static final long TS_MONO = HDR.field("ts_mono").offset();
    static final long RET = HDR.field("ret").offset();
    static final long ARGS = HDR.field("args").offset();
    static final long PID = HDR.field("pid").offset();
    static final long TID = HDR.field("tid").offset();
    static final long PPID = HDR.field("ppid").offset();
    static final long UID = HDR.field("uid").offset();
    static final long GID = HDR.field("gid").offset();
    static final long EUID = HDR.field("euid").offset();
    static final long EGID = HDR.field("egid").offset();
    static final long LOGINUID = HDR.field("loginuid").offset();
    static final long CGROUP_ID = HDR.field("cgroup_id").offset();
    static final long PID_NS = HDR.field("pid_ns").offset();
    static final long MNT_NS = HDR.field("mnt_ns").offset();
    static final long NET_NS = HDR.field("net_ns").offset();
    static final long SYSCALL_NR = HDR.field("syscall_nr").offset();
    static final long COMM = HDR.field("comm").offset();
    static final long BLOB_LEN = HDR.field("blob_len").offset();
    static final long VPID = HDR.field("vpid").offset();
    static final long VTID = HDR.field("vtid").offset();
    static final long PGID = HDR.field("pgid").offset();
    static final long SID = HDR.field("sid").offset();
    static final long VPGID = HDR.field("vpgid").offset();
    static final long DATA = HDR.size();

    static final long S_FAMILY = SOCK.field("family").offset();
    static final long S_TYPE = SOCK.field("type").offset();
    static final long S_PROTOCOL = SOCK.field("protocol").offset();
    static final long S_LPORT = SOCK.field("lport").offset();
    static final long S_RPORT = SOCK.field("rport").offset();
    static final long S_LADDR = SOCK.field("laddr").offset();
    static final long S_RADDR = SOCK.field("raddr").offset();
    static final long S_LPATH = SOCK.field("lpath").offset();
    static final long S_RPATH = SOCK.field("rpath").offset();
    static final int S_PATH_LEN = 108;

    static void verify(Btf btf) {
        HDR.verify(btf);
        SOCK.verify(btf);
        SPEC.verify(btf);
        POLLFD.verify(btf);
        CONFIG.verify(btf);
    }
}
