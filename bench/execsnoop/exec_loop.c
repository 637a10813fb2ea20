// Exec workload: fork + execve(/bin/true ARG) + waitpid, N times; prints the mean time per exec.
// The marker argument lets a tracer's output be counted exactly.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	const char *marker = argc > 2 ? argv[2] : "vigil-bench-exec";
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			char *args[] = {"/bin/true", (char *)marker, NULL};

			execv(args[0], args);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) < 0) {
			perror("exec_loop");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n;
	printf("%.2f\n", us);
	return 0;
}
