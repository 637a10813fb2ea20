/* Test helper for the sensor's kernel tests: each command performs a few precise syscalls. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <poll.h>

/* struct clone_args, version 0 (64 bytes): declared here, <linux/sched.h> clashes with <sched.h> */
struct helper_clone_args {
	__u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int thread_tid;
static int thread_pipe[2];

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	__atomic_store_n(&thread_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	/* parked until main writes: alive while it is signalled */
	if (read(thread_pipe[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

/* sockaddr of family "4", "6" or "unix" (PATH), port 0 or PORT. */
static socklen_t addr_of(const char *fam, const char *path, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (!strcmp(fam, "4")) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a);
	}
	if (!strcmp(fam, "6")) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		return sizeof(*a);
	}
	struct sockaddr_un *a = (struct sockaddr_un *)ss;
	a->sun_family = AF_UNIX;
	strncpy(a->sun_path, path, sizeof(a->sun_path) - 1);
	return sizeof(*a);
}

static int port_of(int s)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	getsockname(s, (struct sockaddr *)&ss, &l);
	return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
		: ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) : 0;
}

static int tree(int depth, const char *marker)
{
	if (depth == 0) {
		int fd = open(marker, O_RDONLY);
		printf("%d\n", getpid());
		fflush(stdout);
		return fd >= 0 ? 0 : 1;
	}
	pid_t c = fork();
	if (c == 0)
		exit(tree(depth - 1, marker));
	int st;
	waitpid(c, &st, 0);
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "open-abs")) {          /* PATH */
		int fd = open(argv[2], O_RDONLY);
		printf("%d %d\n", fd, fd < 0 ? errno : 0);
	} else if (!strcmp(cmd, "opens")) {      /* FLAGS(octal) PATH...: open each in order, then close(12345) as a marker */
		int flags = (int)strtol(argv[2], NULL, 8);
		for (int i = 3; i < argc; i++) {
			int fd = open(argv[i], flags, 0644);
			printf("%d %d\n", fd, fd < 0 ? errno : 0);
			if (fd >= 0)
				close(fd);
		}
		close(12345);
	} else if (!strcmp(cmd, "open-rel")) {   /* DIR NAME: chdir, openat(AT_FDCWD, NAME) */
		if (chdir(argv[2]))
			return 2;
		int fd = openat(AT_FDCWD, argv[3], O_RDONLY | O_CLOEXEC);
		printf("%d %d\n", fd, fd < 0 ? errno : 0);
	} else if (!strcmp(cmd, "open-dirfd")) { /* DIR NAME: openat(dirfd(DIR), NAME) */
		int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		int fd = openat(dfd, argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0640);
		printf("%d %d\n", fd, fd < 0 ? errno : 0);
	} else if (!strcmp(cmd, "files")) {      /* DIR: mkdir, rename, symlink, chmod, unlink, rmdir, dup2 */
		char a[4096], b[4096];
		if (chdir(argv[2]))
			return 2;
		mkdir("d", 0750);
		int fd = creat("d/f", 0600);
		dup2(fd, 42);
		rename("d/f", "d/g");
		symlink("/etc/passwd", "d/link");
		chmod("d/g", 0604);
		unlink("d/link");
		unlink("d/g");
		rmdir("d");
		(void)a; (void)b;
	} else if (!strcmp(cmd, "poll")) {       /* PORT: connect to 127.0.0.1:PORT, make a pipe, poll then ppoll on both */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
		int s = socket(AF_INET, SOCK_STREAM, 0), p[2];
		struct timespec ts = { 1, 0 };

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) || pipe(p))
			return 2;
		if (write(p[1], "x", 1) != 1)
			return 2;
		struct pollfd fds[2] = { { .fd = s, .events = POLLOUT }, { .fd = p[0], .events = POLLIN } };
		int r1 = poll(fds, 2, 1000);
		int r2 = ppoll(fds, 2, &ts, NULL);
		printf("%d %d %d %d %d %d\n", s, port_of(s), p[0], p[1], r1, r2);
		fflush(stdout);
		while (read(0, &sa, 1) > 0) /* open until the test closes stdin: its fds stay readable in /proc */
			;
	} else if (!strcmp(cmd, "connect4") || !strcmp(cmd, "connect6")) { /* PORT */
		int v6 = cmd[7] == '6';
		int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		int rc;
		if (v6) {
			struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(atoi(argv[2]))};
			sa.sin6_addr = in6addr_loopback;
			rc = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		} else {
			struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			rc = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		}
		printf("%d %d\n", rc, rc < 0 ? errno : 0);
		close(s);
	} else if (!strcmp(cmd, "connect-unix")) { /* PATH */
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		strncpy(sa.sun_path, argv[2], sizeof(sa.sun_path) - 1);
		int rc = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		printf("%d %d\n", rc, rc < 0 ? errno : 0);
		close(s);
	} else if (!strcmp(cmd, "accept4")) {    /* prints the port, accepts one connection */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET};
		socklen_t l = sizeof(sa);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(s, (struct sockaddr *)&sa, sizeof(sa));
		listen(s, 4);
		getsockname(s, (struct sockaddr *)&sa, &l);
		printf("%d\n", ntohs(sa.sin_port));
		fflush(stdout);
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		close(c);
		close(s);
	} else if (!strcmp(cmd, "tree")) {      /* DEPTH MARKER: a chain of DEPTH forks, the last opens MARKER */
		return tree(atoi(argv[2]), argv[3]);
	} else if (!strcmp(cmd, "orphan")) {    /* MARKER: the parent exits, the child opens MARKER later */
		pid_t c = fork();
		if (c == 0) {
			usleep(300000);
			printf("%d %d\n", getpid(), getppid());
			fflush(stdout);
			int fd = open(argv[2], O_RDONLY);
			return fd >= 0 ? 0 : 1;
		}
		printf("%d\n", c);
		fflush(stdout);
		return 0;
	} else if (!strcmp(cmd, "rename")) {    /* NAME MARKER */
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		open(argv[3], O_RDONLY);
	} else if (!strcmp(cmd, "memfd-exec")) { /* BINARY ARG: copy BINARY into a memfd and exec it */
		int src = open(argv[2], O_RDONLY);
		int m = memfd_create("vigil-memfd", 0);
		char buf[65536];
		ssize_t n;
		while ((n = read(src, buf, sizeof(buf))) > 0)
			if (write(m, buf, n) != n)
				return 3;
		char *args[] = {"memfd-child", argv[3], NULL};
		char *env[] = {NULL};
		syscall(SYS_execveat, m, "", args, env, AT_EMPTY_PATH);
		return 4;
	} else if (!strcmp(cmd, "close-loop")) { /* N: waits for a line on stdin, then N close(-1) */
		long n = atol(argv[2]);
		char line[16];
		printf("%d\n", getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 2;
		for (long i = 0; i < n; i++)
			syscall(SYS_close, -1);
	} else if (!strcmp(cmd, "setuid")) {    /* UID */
		int rc = setuid(atoi(argv[2]));
		printf("%d\n", rc);
	} else if (!strcmp(cmd, "creds")) {     /* setgid, setresgid, setresuid, then a setuid(0) that fails EPERM */
		printf("%d", setgid(1000));
		printf(" %d", setresgid(1000, 1001, 1002));
		printf(" %d", setresuid(2001, 2002, 2003));
		printf(" %d\n", setuid(0));
	} else if (!strcmp(cmd, "ptrace")) {    /* a child PTRACE_TRACEMEs; another is attached, detached, killed */
		pid_t a = fork();
		if (a == 0) {
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			_exit(0);
		}
		waitpid(a, 0, 0);
		pid_t b = fork();
		if (b == 0) {
			pause();
			_exit(0);
		}
		long r = ptrace(PTRACE_ATTACH, b, 0, 0);
		waitpid(b, 0, 0);
		ptrace(PTRACE_DETACH, b, 0, 0);
		kill(b, SIGKILL);
		waitpid(b, 0, 0);
		int k = kill(999999999, 0);
		printf("%d %d %ld %d\n", a, b, r, k);
	} else if (!strcmp(cmd, "unshare")) {
		printf("%d\n", unshare(CLONE_NEWUTS));
	} else if (!strcmp(cmd, "files2")) {     /* DIR: chown, truncate, linkat, renameat2, memfd_create */
		if (chdir(argv[2]))
			return 2;
		close(creat("f", 0600));
		chown("f", 1234, 5678);
		truncate("f", 10);
		linkat(AT_FDCWD, "f", AT_FDCWD, "h", 0);
		syscall(SYS_renameat2, AT_FDCWD, "h", AT_FDCWD, "i", 1 /* RENAME_NOREPLACE */);
		int m = memfd_create("vigil-mfd", MFD_CLOEXEC);
		printf("%d\n", m);
	} else if (!strcmp(cmd, "churn")) {     /* N: after a line on stdin, N short-lived children, one after the other */
		int n = atoi(argv[2]);
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			return 2;
		for (int i = 0; i < n; i++) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
			waitpid(c, 0, 0);
		}
	} else if (!strcmp(cmd, "exec")) {      /* DIR: failing execve/execveat, then real ones (dirfd, relative) */
		char *args[] = {"true", "vigil-arg", NULL};
		char *env[] = {NULL};
		int st;
		if (chdir(argv[2]))
			return 2;
		close(creat("noexec", 0644));
		int r1 = execve("/nonexistent/vigil-none", args, env), e1 = errno;
		int r2 = execve("missing-rel", args, env), e2 = errno;
		int r3 = execve("./noexec", args, env), e3 = errno; /* no x bit: EACCES even for root */
		int dfd = open(".", O_RDONLY | O_DIRECTORY);
		int r4 = syscall(SYS_execveat, dfd, "missing-at", args, env, 0), e4 = errno;
		int bin = open("/usr/bin", O_RDONLY | O_DIRECTORY);
		pid_t c1 = fork();
		if (c1 == 0) {
			syscall(SYS_execveat, bin, "true", args, env, 0);
			_exit(127);
		}
		waitpid(c1, &st, 0);
		pid_t c2 = fork();
		if (c2 == 0) {
			if (chdir("/usr/bin") == 0)
				execve("./true", args, env);
			_exit(127);
		}
		waitpid(c2, &st, 0);
		printf("%d %d %d %d %d %d %d %d %d %d %d %d\n", r1, e1, r2, e2, r3, e3, dfd, r4, e4, bin, c1, c2);
	} else if (!strcmp(cmd, "fork")) {      /* fork(2), vfork(2), clone(2) with CLONE_NEWUTS, clone3(2) */
		pid_t a = syscall(SYS_fork);
		if (a == 0)
			_exit(11);
		pid_t b = vfork(); /* glibc's vfork is the vfork syscall; its fork() is clone */
		if (b == 0)
			_exit(12);
		pid_t c = syscall(SYS_clone, SIGCHLD | CLONE_NEWUTS, 0, 0, 0, 0);
		if (c == 0)
			_exit(13);
		struct helper_clone_args ca = {.exit_signal = SIGCHLD};
		pid_t d = syscall(SYS_clone3, &ca, sizeof(ca));
		if (d == 0)
			_exit(14);
		waitpid(a, 0, 0);
		waitpid(b, 0, 0);
		waitpid(c, 0, 0);
		waitpid(d, 0, 0);
		printf("%d %d %d %d\n", a, b, c, d);
	} else if (!strcmp(cmd, "creds2")) {    /* capset (drop CAP_NET_RAW; re-adding it fails), setregid, setreuid */
		struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct data[2];
		syscall(SYS_capget, &hdr, data);
		data[0].effective &= ~(1u << CAP_NET_RAW);
		data[0].permitted &= ~(1u << CAP_NET_RAW);
		data[0].inheritable = 1u << CAP_CHOWN;
		int c1 = syscall(SYS_capset, &hdr, data);
		unsigned long long eff = data[0].effective | (unsigned long long)data[1].effective << 32;
		unsigned long long prm = data[0].permitted | (unsigned long long)data[1].permitted << 32;
		data[0].permitted |= 1u << CAP_NET_RAW;
		int c2 = syscall(SYS_capset, &hdr, data), ce = errno;
		int g = setregid(1000, 1001);
		int u = setreuid(2001, 2002);
		int u2 = setreuid(0, 0), ue = errno;
		printf("%d %d %d %llu %llu %d %d %d %d\n", c1, c2, ce, eff, prm, g, u, u2, ue);
	} else if (!strcmp(cmd, "signals")) {   /* tkill/tgkill of a second thread (SIGUSR1 ignored); ESRCH; EINVAL */
		pthread_t t;
		signal(SIGUSR1, SIG_IGN);
		if (pipe(thread_pipe) || pthread_create(&t, NULL, thread_main, NULL))
			return 3;
		int tid;
		while (!(tid = __atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE)))
			usleep(100);
		int a = syscall(SYS_tkill, tid, SIGUSR1);
		int b = syscall(SYS_tgkill, getpid(), tid, SIGUSR1);
		int c = syscall(SYS_tgkill, getpid(), 999999999, 0), ce = errno;
		int d = syscall(SYS_tkill, tid, 1000), de = errno;
		if (write(thread_pipe[1], "x", 1) != 1)
			return 4;
		pthread_join(t, NULL);
		printf("%d %d %d %d %d %d %d\n", tid, a, b, c, ce, d, de);
	} else if (!strcmp(cmd, "setns")) {     /* back into its first uts ns after unsharing; EINVAL; EBADF */
		int fd = open("/proc/self/ns/uts", O_RDONLY);
		if (unshare(CLONE_NEWUTS))
			return 3;
		int a = setns(fd, CLONE_NEWUTS);
		int b = setns(fd, CLONE_NEWNET), be = errno;
		int c = setns(987, 0), ce = errno;
		printf("%d %d %d %d %d %d\n", fd, a, b, be, c, ce);
	} else if (!strcmp(cmd, "chroot")) {    /* DIR: ENOENT, a relative chroot, a relative open after it, EPERM */
		if (chdir(argv[2]))
			return 2;
		mkdir("root", 0755);
		close(creat("after", 0644));
		int a = chroot("missing"), ae = errno;
		int b = chroot("root");
		int fd = open("after", O_RDONLY); /* the cwd stays outside the new root */
		if (setuid(65534))
			return 3;
		int c = chroot("."), ce = errno;
		printf("%d %d %d %d %d %d\n", a, ae, b, fd, c, ce);
	} else if (!strcmp(cmd, "mount")) {     /* DIR: tmpfs on DIR/mnt in a private mount ns, ENOENT, umount2 x2 */
		/* a private namespace: nothing reaches the host's mount table, and it all goes when the helper exits */
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			return 3;
		if (chdir(argv[2]))
			return 2;
		mkdir("mnt", 0755);
		int a = mount("vigil-tmpfs", "mnt", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
		int b = mount("vigil-tmpfs", "missing", "tmpfs", 0, NULL), be = errno;
		int c = umount2("mnt", MNT_DETACH);
		int d = umount2("mnt", 0), de = errno;
		printf("%d %d %d %d %d %d\n", a, b, be, c, d, de);
	} else if (!strcmp(cmd, "bpf")) {       /* BPF_MAP_CREATE, then an unknown command (EINVAL) */
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.map_type = BPF_MAP_TYPE_ARRAY;
		attr.key_size = 4;
		attr.value_size = 4;
		attr.max_entries = 1;
		int a = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
		int b = syscall(SYS_bpf, 9999, &attr, sizeof(attr)), be = errno;
		printf("%d %d %d\n", a, b, be);
	} else if (!strcmp(cmd, "uffd")) {      /* userfaultfd(O_CLOEXEC|O_NONBLOCK), then bad flags (EINVAL) */
		int a = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK), ae = errno;
		int b = syscall(SYS_userfaultfd, 0x10), be = errno;
		printf("%d %d %d %d\n", a, ae, b, be);
	} else if (!strcmp(cmd, "intruder")) {  /* PATH: the appended syscalls, each once; prints what they returned */
		int fd = open(argv[2], O_RDONLY);
		int dup = fcntl(fd, F_DUPFD_CLOEXEC, 100);
		int pg = setpgid(0, 0), sid = setsid(); /* a group leader now: setsid fails (EPERM) */
		void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int mp = mprotect(m, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
		int p1[2], p2[2], sp[2];
		int pa = syscall(SYS_pipe, p1), pb = pipe2(p2, O_CLOEXEC);
		int so = socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
		int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
		int got = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		char buf[8], src[8] = "vigil";
		struct iovec l = {buf, 5}, r = {src, 5};
		long rv = syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0);
		unsigned int action = 0x7fff0000U; /* SECCOMP_RET_ALLOW */
		int sc = syscall(SYS_seccomp, 2 /* SECCOMP_GET_ACTION_AVAIL */, 0, &action);
		char params[120] = {0};
		int ur = syscall(SYS_io_uring_setup, 1, params);
		printf("%d %d %d %d %d %d %d %d %d %d %d %ld %d %d\n", fd, dup, pg, sid, m == MAP_FAILED ? -1 : 0, mp, pa, pb, so,
		       pidfd, got, rv, sc, ur);
	} else if (!strcmp(cmd, "generic")) {   /* DIR: #10's syscalls, each once, and two without a decoder (umask, getppid) */
		if (chdir(argv[2]))
			return 2;
		int fd = open("in.txt", O_RDWR | O_CREAT, 0600);
		if (write(fd, "vigil", 5) != 5 || lseek(fd, 0, SEEK_SET))
			return 3;
		int avail = -1;
		int io = ioctl(fd, FIONREAD, &avail);
		int mk = syscall(SYS_mknod, "fifo1", S_IFIFO | 0600, 0); /* glibc's mknod() is mknodat */
		int dfd = open(".", O_RDONLY | O_DIRECTORY);
		int mka = mknodat(dfd, "fifo2", S_IFIFO | 0640, 0);
		long kc = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2 /* KEY_SPEC_PROCESS_KEYRING */, 0);
		int out = open("out.txt", O_WRONLY | O_CREAT, 0600);
		long sf = sendfile(out, fd, NULL, 2);
		int pp[2];
		if (pipe(pp))
			return 4;
		long spl = splice(fd, NULL, pp[1], NULL, 3, 0);
		int hi = dup2(fd, 205);
		int io2 = ioctl(205, FIONREAD, &avail); /* before close_range: fd 205 is in.txt */
		int cr = syscall(SYS_close_range, 200, 210, 0);
		int io3 = ioctl(205, FIONREAD, &avail), io3e = errno; /* after: EBADF, and no fd in the table */
		long ue = syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), uee = errno;
		int um1 = syscall(SYS_umask, 027), um2 = syscall(SYS_umask, 022);
		int ppid = syscall(SYS_getppid);
		printf("%d %d %d %d %ld %d %ld %ld %d %d %d %d %d %ld %ld %d %d %d %d\n", fd, io, mk, mka, kc, out, sf, spl, hi, io2,
		       cr, io3, io3e, ue, uee, um1, um2, ppid, avail);
	} else if (!strcmp(cmd, "modules")) {   /* the module syscalls: ENOSYS on a kernel without modules */
		char img[64] = {0};
		int a = syscall(SYS_init_module, img, sizeof(img), "vigil=1"), ae = errno;
		int b = syscall(SYS_finit_module, 0, "vigil=1", 0), be = errno;
		int c = syscall(SYS_delete_module, "vigil_none", O_NONBLOCK), ce = errno;
		printf("%d %d %d %d %d %d\n", a, ae, b, be, c, ce);
	} else if (!strcmp(cmd, "fileat")) {    /* DIR: raw, dirfd-relative and fd file syscalls; then failures as nobody */
		if (chdir(argv[2]))
			return 2;
		int dfd = open(".", O_RDONLY | O_DIRECTORY);
		int o = syscall(SYS_open, "o.txt", O_WRONLY | O_CREAT, 0600);
		int cr = syscall(SYS_creat, "c.txt", 0640);
		int crf = syscall(SYS_creat, "nodir/c.txt", 0640), crfe = errno;
		struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};
		int o2 = syscall(SYS_openat2, dfd, "o.txt", &how, sizeof(how));
		int o2f = syscall(SYS_openat2, dfd, "../o.txt", &how, sizeof(how)), o2fe = errno;
		int mk = mkdirat(dfd, "sub", 0700);
		int mkf = mkdirat(dfd, "sub", 0700), mkfe = errno;
		int sfd = openat(dfd, "sub", O_RDONLY | O_DIRECTORY);
		int sl = symlinkat("target-x", sfd, "sl");
		int ln = linkat(dfd, "o.txt", sfd, "hard", 0);
		int ln2 = link("o.txt", "l2");
		int rn = renameat(sfd, "hard", dfd, "moved");
		int rn2 = syscall(SYS_renameat2, dfd, "moved", sfd, "back", 1 /* RENAME_NOREPLACE */);
		int chm = fchmodat(sfd, "../o.txt", 0640, 0);
		int fchm = fchmod(o, 0600);
		int cho = fchownat(dfd, "o.txt", 1, 2, AT_SYMLINK_NOFOLLOW);
		int fcho = fchown(o, 3, 4);
		int lcho = lchown("sub/sl", 5, 6);
		int ftr = ftruncate(o, 7);
		int d1 = dup(o);
		int d3 = dup3(o, 50, O_CLOEXEC);
		int d3f = dup3(o, o, 0), d3fe = errno;
		int ul = unlinkat(sfd, "sl", 0);
		int rmf = unlinkat(dfd, "sub", AT_REMOVEDIR), rmfe = errno;
		int ul2 = unlinkat(sfd, "back", 0);
		int rm = unlinkat(dfd, "sub", AT_REMOVEDIR);
		int fcd = fchdir(dfd);
		printf("%d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d\n",
		       dfd, o, cr, crf, crfe, o2, o2f, o2fe, mk, mkf, mkfe, sfd, sl, ln, ln2, rn, rn2, chm, fchm, cho, fcho,
		       lcho, ftr, d1, d3, d3f, d3fe, ul, rmf, rmfe, ul2, rm, fcd);
		/* as nobody: the root-owned 0600 file is EACCES to open, EPERM to chmod */
		if (setgid(65534) || setuid(65534))
			return 3;
		int na = syscall(SYS_open, "o.txt", O_RDONLY), nae = errno;
		int np = chmod("o.txt", 0777), npe = errno;
		printf("%d %d %d %d\n", na, nae, np, npe);
	} else if (!strcmp(cmd, "net")) {       /* FAM(4|6|unix) DIR: stream and datagram syscalls, named addresses */
		const char *fam = argv[2];
		int domain = !strcmp(fam, "4") ? AF_INET : !strcmp(fam, "6") ? AF_INET6 : AF_UNIX;
		char p1[108], p2[108], p3[108];
		struct sockaddr_storage sa, ua, va, from;
		socklen_t sl, ul, vl, fl = sizeof(from);
		char buf[64];
		snprintf(p1, sizeof(p1), "%s/stream.sock", argv[3]);
		snprintf(p2, sizeof(p2), "%s/dgram-a.sock", argv[3]);
		snprintf(p3, sizeof(p3), "%s/dgram-b.sock", argv[3]);
		/* stream: bind, listen, connect, accept, accept4, close; a second bind to the same address fails */
		int srv = socket(domain, SOCK_STREAM, 0);
		sl = addr_of(fam, p1, 0, &sa);
		int b = bind(srv, (struct sockaddr *)&sa, sl);
		int l = listen(srv, 7);
		int port = port_of(srv);
		sl = addr_of(fam, p1, port, &sa);
		int srv2 = socket(domain, SOCK_STREAM, 0);
		int b2 = bind(srv2, (struct sockaddr *)&sa, sl), b2e = errno;
		int c1 = socket(domain, SOCK_STREAM, 0);
		int cc1 = connect(c1, (struct sockaddr *)&sa, sl);
		int a1 = syscall(SYS_accept, srv, NULL, NULL); /* glibc may make accept() an accept4 */
		int c2 = socket(domain, SOCK_STREAM, 0);
		int cc2 = connect(c2, (struct sockaddr *)&sa, sl);
		int a2 = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
		int cl = close(a1);
		/* datagram: u sends to v by name (sendto), v answers by name (sendmsg); recvfrom/recvmsg name the sender */
		int u = socket(domain, SOCK_DGRAM, 0), v = socket(domain, SOCK_DGRAM, 0);
		ul = addr_of(fam, p2, 0, &ua);
		vl = addr_of(fam, p3, 0, &va);
		bind(u, (struct sockaddr *)&ua, ul);
		bind(v, (struct sockaddr *)&va, vl);
		int uport = port_of(u), vport = port_of(v);
		ul = addr_of(fam, p2, uport, &ua);
		vl = addr_of(fam, p3, vport, &va);
		int st = sendto(u, "ping", 4, 0, (struct sockaddr *)&va, vl);
		int rf = recvfrom(v, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		struct iovec iov = {.iov_base = "pong!", .iov_len = 5};
		struct msghdr m = {.msg_name = &ua, .msg_namelen = ul, .msg_iov = &iov, .msg_iovlen = 1};
		int sm = sendmsg(v, &m, 0);
		struct iovec riov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr rm = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &riov, .msg_iovlen = 1};
		int rv = recvmsg(u, &rm, 0);
		printf("%d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d\n", srv, b, l, port, srv2, b2, b2e,
		       c1, cc1, a1, c2, cc2, a2, cl, u, v, uport, vport, st, rf, sm, rv);
		close(c1);
		close(c2);
		close(a2);
		close(srv);
		close(srv2);
		close(u);
		close(v);
	} else if (!strcmp(cmd, "vchurn")) {    /* N: after a line on stdin, N vfork+_exit children (the fastest churn) */
		int n = atoi(argv[2]);
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			return 2;
		/* volatile: the vfork child runs on this stack frame before the parent resumes */
		for (volatile int i = 0; i < n; i++) {
			pid_t c = vfork();
			if (c == 0)
				_exit(0);
			if (c < 0)
				return 3;
			waitpid(c, 0, 0);
		}
	} else if (!strcmp(cmd, "sleep")) {     /* MS */
		usleep(atoi(argv[2]) * 1000);
	} else {
		fprintf(stderr, "unknown command %s\n", cmd);
		return 2;
	}
	return 0;
}
