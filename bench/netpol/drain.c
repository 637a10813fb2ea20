// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * drain RING: consumes a pinned BPF ring buffer (Vigil's flow ring) and discards the records, on a 10 ms timer as
 * the agent reads it (the producers submit without wakeups), until SIGTERM. With it, the "pinned" configuration
 * measures the programs as they run in use, every flow record reserved and submitted, instead of a full ring whose
 * failed reserves are cheaper. Prints the number of records consumed on exit.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static unsigned long long records;

static void on_term(int sig)
{
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	records++;
	return 0;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s RING\n", argv[0]);
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	rb = fd < 0 ? NULL : ring_buffer__new(fd, on_record, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop) {
		ring_buffer__consume(rb);
		usleep(10000);
	}
	ring_buffer__consume(rb);
	printf("%llu\n", records);
	ring_buffer__free(rb);
	return 0;
}
