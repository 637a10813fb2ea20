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
	} else if (!strcmp(cmd, "churn")) {     /* N: N short-lived children, one after the other */
		int n = atoi(argv[2]);
		for (int i = 0; i < n; i++) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
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
