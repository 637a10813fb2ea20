// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Interleaved connect+close loop (issue 13's benchmark). One process, on one CPU, runs ROUNDS rounds; in each round
 * every configuration gets one batch, in an order that rotates per round, so machine load drifts over all of them
 * alike and a round's ratios compare like with like. A configuration is NAME:PROCS:SETUP — before its batch the
 * process runs SETUP with system() (e.g. loading an nftables ruleset; empty for none), then moves itself into the
 * cgroup whose cgroup.procs is PROCS (a socket belongs to the cgroup it was created in: inside the policy's attach
 * root or outside it), neither timed. The configurations with the first one's SETUP (no ruleset of their own: none,
 * the cgroups under BPF programs) take turns chunk by chunk (20 connects each, moving cgroup in between, untimed)
 * for BATCH_MS each per round; every other one then gets a batch of BATCH_MS after its SETUP. A connect is TCP
 * connect+close to IP:PORT (a closed allowed port of the test host: SYN, RST; the policy hooks run, no accept).
 *
 * Prints one line per configuration and round: "connect ROUND NAME MEDIAN_NS CONNECTS MEAN_NS" (MEDIAN_NS: the
 * median over its chunks of 20 connects of the time per connect, see batch(); MEAN_NS: the mean). With STATS ("NAME=LINKS,...": a
 * configuration and the folder of pinned BPF links whose programs it runs), $STATS_ROUNDS (default 5) more batches per named
 * configuration run with the kernel's BPF run-time statistics on (BPF_ENABLE_STATS, held only by this process), in
 * rounds like the timed ones, and each link's program prints "prog I NAME LINK NS_PER_RUN RUNS", then
 * "progs I NAME NS_PER_CONNECT" (all of them, per connect): the programs' own cost, without the rest of the
 * connect's (a program preempted under load still counts the time it waited). The statistics batches are not
 * timed rounds: the kernel's two clock reads per program run would be in them.
 * Fails if a connect does anything but connect or get ECONNREFUSED (an EPERM: the policy refused it).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONFIGS 8
#define MAX_LINKS 16

struct config {
	char *name, *procs, *setup;
};

static struct sockaddr_in sa = {.sin_family = AF_INET};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* the setup first (its processes stay out of the policy's cgroup), then the move */
static void move(const struct config *c)
{
	FILE *f = fopen(c->procs, "w");

	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot move into %s: %s\n", c->name, c->procs, strerror(errno));
		exit(1);
	}
}

static void enter(const struct config *c)
{
	if (c->setup[0] && system(c->setup) != 0) {
		fprintf(stderr, "%s: setup failed: %s\n", c->name, c->setup);
		exit(1);
	}
	move(c);
}

#define CHUNK 20		/* connects timed together */
#define MAX_CHUNKS (1 << 20)

static long long chunk_ns[MAX_CHUNKS];

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* CHUNK connects; returns their time */
static long long chunk(const char *name)
{
	long long c0 = now_ns();

	for (int i = 0; i < CHUNK; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			perror("socket");
			exit(1);
		}
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != ECONNREFUSED) {
			fprintf(stderr, "%s: connect: %s\n", name, strerror(errno));
			exit(1);
		}
		close(s);
	}
	return now_ns() - c0;
}

#define MAX_FINE (1 << 16)
static long long fine_ns[MAX_CONFIGS][MAX_FINE];

static double median_of(long long *v, long n)
{
	qsort(v, n, sizeof(v[0]), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/*
 * Connects for at least ms milliseconds (and CHUNK connects); returns the number made, *ns the time they took and
 * *median_ns the median over its chunks of CHUNK connects of the time per connect. On a shared machine a batch is
 * preempted now and then (another engineer's process gets the CPU for a time slice): the mean carries those slices,
 * the median chunk is a connect's own cost, so per-round differences of medians are not swamped by them.
 */
static long batch(const char *name, long ms, long long *ns, double *median_ns)
{
	long n = 0, chunks = 0;
	long long t0 = now_ns(), end = t0 + ms * 1000000LL, t = t0, c0;

	do {
		c0 = t;
		for (int i = 0; i < CHUNK; i++, n++) {
			int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (s < 0) {
				perror("socket");
				exit(1);
			}
			if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != ECONNREFUSED) {
				fprintf(stderr, "%s: connect %ld: %s\n", name, n, strerror(errno));
				exit(1);
			}
			close(s);
		}
		t = now_ns();
		if (chunks < MAX_CHUNKS)
			chunk_ns[chunks++] = t - c0;
	} while (t < end);
	*ns = t - t0;
	qsort(chunk_ns, chunks, sizeof(chunk_ns[0]), cmp_ll);
	*median_ns = (chunks % 2 ? chunk_ns[chunks / 2] : (chunk_ns[chunks / 2 - 1] + chunk_ns[chunks / 2]) / 2.0) / CHUNK;
	return n;
}

struct link_stat {
	char name[256];
	int prog_fd;
	unsigned long long cnt, time;
};

static int open_links(const char *dir, struct link_stat *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d) {
		fprintf(stderr, "cannot open %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) && n < MAX_LINKS) {
		char path[512];
		struct bpf_link_info li = {};
		__u32 len = sizeof(li);
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &li, &len) != 0) {
			fprintf(stderr, "cannot read link %s: %s\n", path, strerror(errno));
			exit(1);
		}
		close(fd);
		out[n].prog_fd = bpf_prog_get_fd_by_id(li.prog_id);
		if (out[n].prog_fd < 0) {
			fprintf(stderr, "cannot open program %u: %s\n", li.prog_id, strerror(errno));
			exit(1);
		}
		snprintf(out[n].name, sizeof(out[n].name), "%s", e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void read_stats(struct link_stat *l, int n)
{
	for (int i = 0; i < n; i++) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);

		if (bpf_obj_get_info_by_fd(l[i].prog_fd, &pi, &len) != 0) {
			perror("bpf_obj_get_info_by_fd");
			exit(1);
		}
		l[i].cnt = pi.run_cnt;
		l[i].time = pi.run_time_ns;
	}
}

int main(int argc, char **argv)
{
	struct config cfg[MAX_CONFIGS];
	int ncfg = 0;

	if (argc < 7) {
		fprintf(stderr, "usage: %s IP PORT ROUNDS BATCH_MS STATS|- NAME:PROCS:SETUP...\n", argv[0]);
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	int rounds = atoi(argv[3]);
	long ms = atol(argv[4]);
	char *stats = argv[5];

	for (int i = 6; i < argc && ncfg < MAX_CONFIGS; i++) {
		char *a = argv[i], *p = strchr(a, ':'), *q = p ? strchr(p + 1, ':') : NULL;

		if (!q) {
			fprintf(stderr, "bad configuration %s (NAME:PROCS:SETUP)\n", a);
			return 2;
		}
		*p = *q = 0;
		cfg[ncfg++] = (struct config){a, p + 1, q + 1};
	}
	for (int i = 0; i < ncfg; i++) { /* warm-up: caches, JIT of the hooks, the route */
		long long ns;
		double med;

		enter(&cfg[i]);
		batch(cfg[i].name, ms / 4 + 1, &ns, &med);
	}
	/* the configurations that need no setup of their own (the first one's, "none"'s) are interleaved chunk by chunk
	 * within a round: one chunk each in turn, for ms each in all; drift between them is then at the scale of a
	 * chunk, not of a batch. The others (nft rulesets, loaded untimed) get a batch each. */
	int cheap[MAX_CONFIGS], ncheap = 0;

	for (int k = 0; k < ncfg; k++)
		if (strcmp(cfg[k].setup, cfg[0].setup) == 0)
			cheap[ncheap++] = k;
	for (int r = 0; r < rounds; r++) {
		long nfine[MAX_CONFIGS] = {0};
		long long sum[MAX_CONFIGS] = {0};

		if (cfg[0].setup[0] && system(cfg[0].setup) != 0) {
			fprintf(stderr, "%s: setup failed: %s\n", cfg[0].name, cfg[0].setup);
			exit(1);
		}
		for (long long end = now_ns() + ms * ncheap * 1000000LL, j = 0; now_ns() < end; j++) {
			for (int i = 0; i < ncheap; i++) {
				int k = cheap[(i + j + r) % ncheap];

				move(&cfg[k]);
				long long t = chunk(cfg[k].name);

				sum[k] += t;
				if (nfine[k] < MAX_FINE)
					fine_ns[k][nfine[k]++] = t;
			}
		}
		for (int i = 0; i < ncheap; i++) {
			int k = cheap[i];

			printf("connect %d %s %.1f %ld %.1f\n", r, cfg[k].name, median_of(fine_ns[k], nfine[k]) / CHUNK,
			       nfine[k] * CHUNK, (double)sum[k] / (nfine[k] * CHUNK));
		}
		for (int i = 0; i < ncfg; i++) {
			const struct config *c = &cfg[(i + r) % ncfg];
			long long ns;
			double med;
			long n;

			if (strcmp(c->setup, cfg[0].setup) == 0)
				continue;
			enter(c);
			n = batch(c->name, ms, &ns, &med);
			printf("connect %d %s %.1f %ld %.1f\n", r, c->name, med, n, (double)ns / n);
		}
		fflush(stdout);
	}
	if (strcmp(stats, "-") == 0)
		return 0;
	struct stat_target {
		int cfg, nl;
		struct link_stat before[MAX_LINKS], after[MAX_LINKS];
	} *st = calloc(MAX_CONFIGS, sizeof(*st));
	int nst = 0;
	char *save = NULL;

	for (char *t = strtok_r(stats, ",", &save); t && nst < MAX_CONFIGS; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		int k;

		if (!eq) {
			fprintf(stderr, "bad statistics target %s (NAME=LINKS)\n", t);
			return 2;
		}
		*eq = 0;
		for (k = 0; k < ncfg && strcmp(cfg[k].name, t) != 0; k++)
			;
		if (k == ncfg) {
			fprintf(stderr, "statistics for %s: no such configuration\n", t);
			return 2;
		}
		st[nst].cfg = k;
		st[nst].nl = open_links(eq + 1, st[nst].before);
		nst++;
	}
	int stats_rounds = getenv("STATS_ROUNDS") ? atoi(getenv("STATS_ROUNDS")) : 5;
	int sfd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (sfd < 0) {
		fprintf(stderr, "BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	for (int sr = 0; sr < stats_rounds; sr++)
	for (int j = 0; j < nst; j++) {
		struct stat_target *x = &st[(j + sr) % nst];
		const struct config *c = &cfg[x->cfg];
		unsigned long long total = 0;
		long long ns;
		double med;
		long n;

		memcpy(x->after, x->before, sizeof(x->before));
		enter(c);
		read_stats(x->before, x->nl);
		n = batch(c->name, ms, &ns, &med);
		read_stats(x->after, x->nl);
		printf("connect stats%d %s %.1f %ld %.1f\n", sr, c->name, med, n, (double)ns / n);
		for (int i = 0; i < x->nl; i++) {
			unsigned long long cn = x->after[i].cnt - x->before[i].cnt, t = x->after[i].time - x->before[i].time;

			total += t;
			printf("prog %d %s %s %.1f %llu\n", sr, c->name, x->before[i].name, cn ? (double)t / cn : 0.0, cn);
		}
		printf("progs %d %s %.1f\n", sr, c->name, (double)total / n);
	}
	close(sfd);
	return 0;
}
