/* Acts out attack techniques the stable Falco rules exist to catch, with real system calls, for the agent's tests. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *cmd = argv[1];
	if (!strcmp(cmd, "traceme")) { /* PTRACE_TRACEME: the anti-debug trick */
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		return 0;
	} else if (!strcmp(cmd, "attach")) { /* PTRACE_ATTACH to a child of ours */
		pid_t c = fork();
		if (c == 0) {
			pause();
			_exit(0);
		}
		usleep(10000);
		long r = ptrace(PTRACE_ATTACH, c, 0, 0);
		if (r == 0) {
			waitpid(c, NULL, 0);
			ptrace(PTRACE_DETACH, c, 0, 0);
		}
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
		return r == 0 ? 0 : 3;
	} else if (!strcmp(cmd, "memfd-exec") && argc >= 4) { /* BINARY ARG: copy BINARY into a memfd and exec it */
		int src = open(argv[2], O_RDONLY);
		int m = memfd_create("payload", 0);
		char buf[65536];
		ssize_t n;
		while ((n = read(src, buf, sizeof(buf))) > 0)
			if (write(m, buf, n) != n)
				return 3;
		char *args[] = {"payload", argv[3], NULL};
		char *env[] = {NULL};
		syscall(SYS_execveat, m, "", args, env, AT_EMPTY_PATH);
		return 4;
	} else if (!strcmp(cmd, "open") && argc >= 3) { /* PATH: open for reading as given (e.g. with ../) */
		int fd = open(argv[2], O_RDONLY);
		return fd < 0 ? 1 : 0;
	} else if (!strcmp(cmd, "open-after") && argc >= 4) { /* SECONDS PATH: a long-running server reading it later */
		sleep(atoi(argv[2]));
		int fd = open(argv[3], O_RDONLY);
		return fd < 0 ? 1 : 0;
	}
	return 2;
}
