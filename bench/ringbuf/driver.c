// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's load: getppid() in a tight loop, in phases started from stdin so that a
 * consumer can learn this process's pid and attach before the first traced call.
 *
 *   driver [--cpu N] (--seconds S | --calls N)
 *
 * For every line read on stdin ("go", or "go X" to run X seconds / X calls instead of the default)
 * it runs one phase (S seconds, or N calls) and prints one line:
 * "calls=<n> ns=<elapsed> ns_per_call=<x.y>". EOF ends it.
 * syscall(SYS_getppid) always enters the kernel (no libc caching). The clock is read through the
 * vDSO every 1024 calls, so the loop makes no other syscalls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: driver [--cpu N] (--seconds S | --calls N)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 0;
	long long calls_wanted = 0;
	int cpu = -1;
	char line[64];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpu = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls_wanted = atoll(argv[++i]);
		else
			usage();
	}
	if ((seconds <= 0) == (calls_wanted <= 0))
		usage();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			fprintf(stderr, "driver: sched_setaffinity(cpu %d): %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		double amount = 0;
		double phase_seconds = seconds;
		long long phase_calls = calls_wanted;

		if (sscanf(line, "go %lf", &amount) == 1 && amount > 0) {
			if (calls_wanted > 0)
				phase_calls = (long long)amount;
			else
				phase_seconds = amount;
		}
		long long calls = 0, t0 = now_ns(), t1;

		if (phase_calls > 0) {
			for (; calls < phase_calls; calls++)
				syscall(SYS_getppid);
			t1 = now_ns();
		} else {
			long long end = t0 + (long long)(phase_seconds * 1e9);

			for (;;) {
				for (int k = 0; k < 1024; k++)
					syscall(SYS_getppid);
				calls += 1024;
				if ((t1 = now_ns()) >= end)
					break;
			}
		}
		printf("calls=%lld ns=%lld ns_per_call=%.1f\n", calls, t1 - t0, (double)(t1 - t0) / calls);
	}
	return 0;
}
