// Enforcement cost workloads; each prints the mean nanoseconds per operation.
//   loops exec N      fork + execve(/bin/true) + waitpid
//   loops open N PATH openat(PATH, O_RDONLY) + close
//   loops connect N   connect() of one UDP socket to 127.0.0.1:9 (no packet: the cgroup connect4 hook runs)
//   loops unlink N [PATH]  unlink() of a path that does not exist (the pin-removal report's tracepoint runs)
// With VIGIL_BPF_STATS=1 the kernel's BPF run-time statistics are on while the loop runs (BPF_ENABLE_STATS, held by
// this process only: they cost every program a clock read, so timed loops run without them).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int n = atoi(argv[2]);
	if (getenv("VIGIL_BPF_STATS") && !strcmp(getenv("VIGIL_BPF_STATS"), "1")) {
		unsigned int attr[4] = {0}; /* union bpf_attr.enable_stats.type = BPF_STATS_RUN_TIME (0) */

		if (syscall(SYS_bpf, 32 /* BPF_ENABLE_STATS */, attr, sizeof(attr)) < 0) {
			perror("BPF_ENABLE_STATS");
			return 1;
		}
	}
	double t0 = now_ns();

	if (!strcmp(argv[1], "exec")) {
		for (int i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, NULL, 0) < 0)
				return 1;
		}
	} else if (!strcmp(argv[1], "open")) {
		for (int i = 0; i < n; i++) {
			int fd = open(argc > 3 ? argv[3] : "/etc/hostname", O_RDONLY);

			if (fd < 0)
				return 1;
			close(fd);
		}
	} else if (!strcmp(argv[1], "connect")) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};

		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		for (int i = 0; i < n; i++)
			if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
				return 1;
	} else if (!strcmp(argv[1], "unlink")) {
		/* a path that is not there: the call fails at once, its entry tracepoint still runs */
		for (int i = 0; i < n; i++)
			if (unlink(argc > 3 ? argv[3] : "/tmp/vigil-bench-absent") == 0)
				return 1;
	} else {
		return 2;
	}
	printf("%.1f\n", (now_ns() - t0) / n);
	return 0;
}
