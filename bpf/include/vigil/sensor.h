/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The records sensor.bpf.c emits into its one ring, shared with user space. This header is the one
 * definition: the Java views (dev.vigil.sensor.RecordLayout) are checked against the object's BTF at load.
 *
 * Every record is a struct sensor_hdr followed by up to SENSOR_NBLOBS variable-length blobs packed back to
 * back (blob_len[i] bytes each, strings NUL-terminated and counted with their NUL). Blob slots:
 *   0 path argument 0 as the process passed it      1 base directory of path 0 when it was relative
 *   2 path argument 1 as passed                      3 base directory of path 1 when it was relative
 *   4 extra: a plain string argument, a user sockaddr, an exec's argv (NUL-separated), or a poll's fds
 *     (struct sensor_pollfd each, the first SENSOR_POLL_FDS_MAX, revents as the kernel wrote them back)
 *   5 a struct sensor_sock read from the socket itself, or an exec's executable path
 *   6 an exec's environment (NUL-separated), last: the first to go when the record is full
 * An exec record's slot 3 holds the executable inode's ctime and mtime (two u64, nanoseconds since the epoch).
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#define SENSOR_COMM_LEN 16
#define SENSOR_NBLOBS 7
#define SENSOR_NARGS 6
#define SENSOR_MAX_KINDS 128
#define SENSOR_MAX_SYSCALLS 512
#define SENSOR_PATH_MAX 4096
#define SENSOR_DATA_SIZE 16384
#define SENSOR_DATA_LIMIT 8192   /* a blob starts below this offset; each is at most SENSOR_PATH_MAX */
#define SENSOR_SOCKADDR_MAX 128
#define SENSOR_UNIX_PATH_MAX 108
#define SENSOR_POLL_FDS_MAX 16   /* fds of a poll/ppoll record (fdlist.*): the first 16 of the array */

/* Record kinds the kernel side knows itself; syscall kinds come from the spec map (Java's table). */
#define SENSOR_KIND_PROC_EXEC 1   /* sched_process_exec: a successful exec */
#define SENSOR_KIND_PROC_FORK 2   /* sched_process_fork: a new process (not a thread) */
#define SENSOR_KIND_PROC_EXIT 3   /* sched_process_exit with group_dead */
#define SENSOR_KIND_TASK_RENAME 4 /* task_rename: comm changed (prctl PR_SET_NAME, writes to /proc/.../comm) */
#define SENSOR_KIND_TCP_RESET 5   /* tcp_send_reset for no socket (a closed port): slot 5 the tuple, args[0] reason; no process */
#define SENSOR_KIND_GENERIC 6     /* a syscall without a decoder (Falco's generic event): the header alone, syscall_nr names it */
#define SENSOR_KIND_FIRST_SYSCALL 8

/* An exec record's args[5]: the old thread id in the low 32 bits, these flags about the executable above. */
#define SENSOR_EXE_UPPER_LAYER (1ULL << 32)  /* on overlayfs, in the upper (container-written) layer */
#define SENSOR_EXE_LOWER_LAYER (1ULL << 33)  /* on overlayfs, only in a lower (image) layer */
#define SENSOR_EXE_WRITABLE (1ULL << 34)     /* writable by the exec'ing process's fs credentials */

/* sensor_spec.flags */
#define SENSOR_SPEC_SOCK_ARG0 1   /* arg 0 is a socket fd: read its tuple (slot 5) */
#define SENSOR_SPEC_SOCK_RET 2    /* the return value is a socket fd: read its tuple (slot 5) */
#define SENSOR_SPEC_EXEC 4        /* execve/execveat: exit emits failures only, sched_process_exec the rest */
#define SENSOR_SPEC_CLONE 8       /* fork family: no record at exit, sched_process_fork names the kind */
#define SENSOR_SPEC_STR_IS_ARGV 16 /* unused by the kernel yet */
#define SENSOR_SPEC_CAPS 32       /* capset: args[2..4] = the task's inheritable/permitted/effective caps at exit */
#define SENSOR_SPEC_MSGHDR 64     /* the sockaddr argument is a struct user_msghdr: its msg_name, msg_namelen long */
#define SENSOR_SPEC_LEN_PTR 128   /* the sockaddr_len argument points to the length (written by the kernel) */

/* sensor_spec.flags2 */
#define SENSOR_SPEC2_FILE_RET 1   /* the return value is a new file's fd: hdr.file_layer gets its overlayfs layer */
#define SENSOR_SPEC2_POLLFDS 2    /* poll/ppoll: args[0] is a struct pollfd array of args[1] entries: slot 4 gets them */

/* sensor_hdr.file_layer (fd.is_upper_layer / fd.is_lower_layer) */
#define SENSOR_FILE_UPPER_LAYER 1 /* on overlayfs, in the upper (container-written) layer */
#define SENSOR_FILE_LOWER_LAYER 2 /* on overlayfs, only in a lower (image) layer */
#define SENSOR_FILE_CREATED 16    /* an open's file was created by that open (FMODE_CREATED): evt.is_open_create */
/*
 * sensor_hdr.file_layer of a record whose spec asks for the socket behind an fd (SENSOR_SPEC_SOCK_ARG0) when slot 5
 * is empty: the kernel's word that user space must not take that fd for a socket (issue #17: the opens that
 * reused its number may have been dropped by the prefilter, so the fd table can hold a stale socket).
 */
#define SENSOR_FD_NOT_SOCK 4      /* the fd is open and is not a socket (S_IFSOCK clear) */
#define SENSOR_FD_CLOSED 8        /* no such fd is open */

/* How the kernel treats one syscall (key: x86-64 syscall number). Written by user space before attach. */
struct sensor_spec {
	__u8 kind;         /* record kind, 0 = not traced */
	__u8 flags;
	__s8 path[2];      /* argument index of a user path, -1 for none */
	__s8 dirfd[2];     /* argument index of the dirfd path[i] is relative to, -1 for the cwd */
	__s8 str;          /* argument index of a plain user string (slot 4), -1 for none */
	__s8 sockaddr;     /* argument index of a user sockaddr (slot 4), -1 for none */
	__s8 sockaddr_len; /* argument index of its length (a pointer to it with SENSOR_SPEC_LEN_PTR); -1: none */
	__u8 raw_only;     /* 1: this kernel has no tracepoint for it: the raw hook reports it beside the tracepoints */
	__u8 flags2;       /* SENSOR_SPEC2_* */
	__u8 _pad[5];
};

/* A socket's two ends, read from the kernel socket (not from the syscall's arguments). */
struct sensor_sock {
	__u16 family;      /* AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 type;        /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 protocol;
	__u16 lport;       /* host byte order */
	__u16 rport;       /* host byte order */
	__u16 _pad[3];
	__u8 laddr[16];    /* IPv4 in the first 4 bytes, network order */
	__u8 raddr[16];
	char lpath[SENSOR_UNIX_PATH_MAX]; /* unix: this socket's bound path (abstract: leading NUL) */
	char rpath[SENSOR_UNIX_PATH_MAX]; /* unix: the peer's bound path */
};

/* One entry of a poll's fd array, as user space's struct pollfd lays it out (copied as is). */
struct sensor_pollfd {
	__s32 fd;
	__s16 events;      /* POLLIN, POLLOUT, ... asked for */
	__s16 revents;     /* what the kernel reported, at exit */
};

struct sensor_hdr {
	__u32 size;        /* bytes of the whole record */
	__u16 kind;
	__u16 cpu;
	__u64 seq;         /* per-CPU emission counter, counted before reserve: gaps == drops */
	__u64 ts_mono;     /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) at syscall exit */
	__s64 ret;         /* syscall return value */
	__s64 args[SENSOR_NARGS]; /* raw syscall arguments; lifecycle kinds define their own */
	__u32 pid;         /* tgid */
	__u32 tid;
	__u32 ppid;        /* real parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 loginuid;
	__u64 cgroup_id;   /* cgroup v2 id */
	__u32 pid_ns;
	__u32 mnt_ns;
	__u32 net_ns;
	__u32 syscall_nr;
	char comm[SENSOR_COMM_LEN];
	__u16 blob_len[SENSOR_NBLOBS];
	__u32 vpid;        /* tgid and tid in the task's own pid namespace (a container's first process: 1) */
	__u32 vtid;
	__u32 pgid;        /* process group and session, global ids: every record follows setsid/setpgid */
	__u32 sid;
	__u32 vpgid;       /* the process group in the task's own pid namespace (0: its leader is outside it) */
	__u32 file_layer;  /* SENSOR_FILE_*: the opened file's overlayfs layer (specs with SENSOR_SPEC2_FILE_RET), else 0 */
};

struct sensor_event {
	struct sensor_hdr hdr;
	char data[SENSOR_DATA_SIZE];
};

/* Runtime filter switches (array map "sensor_config", key 0); the sets are hash maps. */
struct sensor_config {
	__u32 pid_filter;    /* 1: only tgids in sensor_pids */
	__u32 comm_filter;   /* 1: only comms in sensor_comms */
	__u32 cgroup_filter; /* 1: only cgroup ids in sensor_cgroups */
	__u32 paused;        /* 1: emit nothing (set at stop: detaching takes a while, tracing meanwhile is waste) */
};

#endif
