// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Interleaved TCP stream throughput (issue 13's benchmark), the stream counterpart of connect_loop.c.
 *
 *   stream_loop sink PORT                                  discards what every connection to PORT sends (test host)
 *   stream_loop IP PORT ROUNDS MS NAME:PROCS:SETUP...      the sender (container's netns)
 *
 * The sender opens one connection per configuration that shares the first one's SETUP (none, and the cgroups under
 * BPF programs: it moves into PROCS before the connect, so the socket belongs to that cgroup and its packets run
 * that cgroup's programs); the other configurations (nftables rulesets) use the first one's connection with their
 * SETUP loaded (with "ct state established accept" first, an open connection's packets take the same path as a new
 * one's after the handshake). In each round the first kind take turns chunk by chunk (CHUNK bytes written each) for
 * MS each in all, then each ruleset gets MS of chunks after its SETUP. A chunk starts with the send buffer drained
 * (the other configurations ran meanwhile) for every configuration alike, so ratios are not biased by it; the send
 * buffer is kept small so that a chunk is mostly wire time. Prints per configuration and round
 * "stream ROUND NAME MEDIAN_GBITS BYTES MEAN_GBITS" (median over its chunks: a preempted chunk is an outlier).
 *
 * With STREAM_STATS=NAME=LINKS in the environment, the kernel's BPF run-time statistics are on (BPF_ENABLE_STATS,
 * held by this process) and the programs of the pinned links in LINKS are read around each of NAME's chunks; at the
 * end "progshare NAME PROG_NS WALL_NS RUNS": the time those programs ran during NAME's chunks against the chunks'
 * wall time. That share bounds what the programs can take from the stream's throughput, and unlike the throughput
 * it does not depend on how much CPU the other processes of a shared machine leave.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONFIGS 8
#define CHUNK (1 << 20)
#define SNDBUF (128 << 10)
#define MAX_CHUNKS 16384

struct config {
	char *name, *procs, *setup;
	int fd;
};

static char buf[1 << 20];
static int stat_cfg = -1, nprogs, progs[16];
static unsigned long long prog_ns, prog_runs, wall_ns;

static void prog_totals(unsigned long long *ns, unsigned long long *runs)
{
	*ns = *runs = 0;
	for (int i = 0; i < nprogs; i++) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);

		if (bpf_obj_get_info_by_fd(progs[i], &pi, &len) == 0) {
			*ns += pi.run_time_ns;
			*runs += pi.run_cnt;
		}
	}
}

static void open_stats(const char *spec, struct config *cfg, int ncfg)
{
	char name[64];
	const char *eq = strchr(spec, '=');
	DIR *d;
	struct dirent *e;

	if (!eq || eq - spec >= (long)sizeof(name)) {
		fprintf(stderr, "bad STREAM_STATS %s (NAME=LINKS)\n", spec);
		exit(2);
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
	for (int k = 0; k < ncfg; k++)
		if (strcmp(cfg[k].name, name) == 0)
			stat_cfg = k;
	d = opendir(eq + 1);
	if (stat_cfg < 0 || !d) {
		fprintf(stderr, "STREAM_STATS %s: no such configuration or folder\n", spec);
		exit(2);
	}
	while ((e = readdir(d)) && nprogs < 16) {
		char path[512];
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", eq + 1, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &li, &len) != 0) {
			fprintf(stderr, "cannot read link %s: %s\n", path, strerror(errno));
			exit(1);
		}
		close(fd);
		progs[nprogs++] = bpf_prog_get_fd_by_id(li.prog_id);
	}
	closedir(d);
	if (bpf_enable_stats(BPF_STATS_RUN_TIME) < 0) {
		fprintf(stderr, "BPF_ENABLE_STATS: %s\n", strerror(errno));
		exit(1);
	}
}
static double chunk_gbit[MAX_CONFIGS][MAX_CHUNKS];

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int sink(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct pollfd p[64];
	int n = 1, one = 1;

	p[0].fd = socket(AF_INET, SOCK_STREAM, 0);
	p[0].events = POLLIN;
	setsockopt(p[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(p[0].fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(p[0].fd, 64)) {
		perror("sink: bind/listen");
		return 1;
	}
	for (;;) {
		if (poll(p, n, -1) < 0)
			continue;
		if ((p[0].revents & POLLIN) && n < 64) {
			p[n].fd = accept(p[0].fd, NULL, NULL);
			p[n].events = POLLIN;
			if (p[n].fd >= 0)
				n++;
		}
		for (int i = 1; i < n; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (read(p[i].fd, buf, sizeof(buf)) <= 0) {
				close(p[i].fd);
				p[i--] = p[--n];
			}
		}
	}
}

static void run_setup(const struct config *c)
{
	if (c->setup[0] && system(c->setup) != 0) {
		fprintf(stderr, "%s: setup failed: %s\n", c->name, c->setup);
		exit(1);
	}
}

static void move(const struct config *c)
{
	FILE *f = fopen(c->procs, "w");

	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot move into %s: %s\n", c->name, c->procs, strerror(errno));
		exit(1);
	}
}

/* writes CHUNK bytes on fd; returns Gbit/s */
static double chunk(const struct config *c, int fd)
{
	long long t0 = now_ns();

	for (long left = CHUNK; left > 0;) {
		ssize_t w = write(fd, buf, left < (long)sizeof(buf) ? left : (long)sizeof(buf));

		if (w < 0) {
			fprintf(stderr, "%s: write: %s\n", c->name, strerror(errno));
			exit(1);
		}
		left -= w;
	}
	return CHUNK * 8.0 / (now_ns() - t0);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(int r, const struct config *c, double *g, int n)
{
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += 1 / g[i];
	qsort(g, n, sizeof(g[0]), cmp_d);
	printf("stream %d %s %.3f %lld %.3f\n", r, c->name, n % 2 ? g[n / 2] : (g[n / 2 - 1] + g[n / 2]) / 2,
	       (long long)n * CHUNK, n / sum);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct config cfg[MAX_CONFIGS];
	int ncfg = 0, cheap[MAX_CONFIGS], ncheap = 0;

	if (argc == 3 && strcmp(argv[1], "sink") == 0)
		return sink(atoi(argv[2]));
	if (argc < 6) {
		fprintf(stderr, "usage: %s sink PORT | %s IP PORT ROUNDS MS NAME:PROCS:SETUP...\n", argv[0], argv[0]);
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	int rounds = atoi(argv[3]);
	long ms = atol(argv[4]);

	for (int i = 5; i < argc && ncfg < MAX_CONFIGS; i++) {
		char *a = argv[i], *p = strchr(a, ':'), *q = p ? strchr(p + 1, ':') : NULL;

		if (!q) {
			fprintf(stderr, "bad configuration %s (NAME:PROCS:SETUP)\n", a);
			return 2;
		}
		*p = *q = 0;
		cfg[ncfg++] = (struct config){a, p + 1, q + 1, -1};
	}
	memset(buf, 'v', sizeof(buf));
	if (getenv("STREAM_STATS"))
		open_stats(getenv("STREAM_STATS"), cfg, ncfg);
	run_setup(&cfg[0]);
	for (int k = 0; k < ncfg; k++) {
		int sndbuf = SNDBUF;

		if (strcmp(cfg[k].setup, cfg[0].setup) != 0)
			continue;
		cheap[ncheap++] = k;
		move(&cfg[k]);
		cfg[k].fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(cfg[k].fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		if (connect(cfg[k].fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fprintf(stderr, "%s: connect: %s\n", cfg[k].name, strerror(errno));
			return 1;
		}
		for (int w = 0; w < 8; w++) /* warm-up: slow start, caches */
			chunk(&cfg[k], cfg[k].fd);
	}
	move(&cfg[0]);
	for (int r = 0; r < rounds; r++) {
		int n[MAX_CONFIGS] = {0};

		run_setup(&cfg[0]);
		for (long long end = now_ns() + ms * ncheap * 1000000LL, j = 0; now_ns() < end; j++) {
			for (int i = 0; i < ncheap; i++) {
				int k = cheap[(i + j + r) % ncheap];

				unsigned long long ns0, r0, ns1, r1;
				long long t0;

				if (k == stat_cfg)
					prog_totals(&ns0, &r0);
				t0 = now_ns();
				double g = chunk(&cfg[k], cfg[k].fd);

				if (k == stat_cfg) {
					wall_ns += now_ns() - t0;
					prog_totals(&ns1, &r1);
					prog_ns += ns1 - ns0;
					prog_runs += r1 - r0;
				}
				if (n[k] < MAX_CHUNKS)
					chunk_gbit[k][n[k]++] = g;
			}
		}
		for (int i = 0; i < ncheap; i++)
			report(r, &cfg[cheap[i]], chunk_gbit[cheap[i]], n[cheap[i]]);
		for (int i = 0; i < ncfg; i++) {
			const struct config *c = &cfg[(i + r) % ncfg];
			int m = 0;

			if (strcmp(c->setup, cfg[0].setup) == 0)
				continue;
			run_setup(c);
			for (long long end = now_ns() + ms * 1000000LL; now_ns() < end && m < MAX_CHUNKS;)
				chunk_gbit[0][m++] = chunk(c, cfg[0].fd);
			report(r, c, chunk_gbit[0], m);
		}
		fflush(stdout);
	}
	if (stat_cfg >= 0)
		printf("progshare %s %llu %llu %llu\n", cfg[stat_cfg].name, prog_ns, wall_ns, prog_runs);
	return 0;
}
