// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The C reference consumer of the ring buffer benchmark: libbpf's ring_buffer__poll on the
 * producer bpf/ringbench.bpf.o, for the same driver and with the same outputs as the Java
 * consumer (dev.vigil.bench.ringbuf.RingBench). See bench/ringbuf/run.sh.
 *
 *   consumer --obj ringbench.bpf.o --driver DRIVER [--mode stream|filtered|drain]
 *            [--seconds S] [--warmup-seconds W] [--calls N] [--reps R] [--driver-cpu C]
 *            [--timeout-ms T] [--ring-bytes B] [--wakeup-bytes B]
 *
 * stream:   starts the driver, loads the producer with target_tgid = the driver's pid, runs a
 *           warm-up phase, then a measured phase while one thread drains the ring in a loop of
 *           ring_buffer__poll(T) + ring_buffer__consume (the BPF side decides wakeups, so data
 *           submitted without one is drained at the latest T ms later).
 * filtered: the program is attached but matches no process (cost of the hook alone).
 * drain:    fills the ring with --calls records and no consumer running, then times one
 *           ring_buffer__consume of the full ring; R repetitions.
 * Prints one "key=value ..." line per measured phase on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/types.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "vigil/ringbench.h"

struct opts {
	const char *obj, *driver, *mode;
	double seconds, warmup;
	long long calls;
	int reps, driver_cpu, timeout_ms;
	long long ring_bytes, wakeup_bytes;
};

struct counts {
	long long received, gaps, bad, last_seq;
};

static struct counts cnt;
static atomic_int phase_done;
static FILE *driver_out;
static char driver_line[256];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "consumer: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* CPU time of the process or of the calling thread, in ns (getrusage's is only tick-precise). */
static long long cpu_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct ringbench_record *r = data;
	__u32 *want_pid = ctx;

	if (size != sizeof(*r) || r->pid != *want_pid)
		cnt.bad++;
	cnt.gaps += (long long)(r->seq - cnt.last_seq - 1);
	cnt.last_seq = (long long)r->seq;
	cnt.received++;
	return 0;
}

/* Blocks on the driver's stdout; the poll loop only reads an atomic flag (no syscall per loop). */
static void *driver_reader(void *arg)
{
	(void)arg;
	while (fgets(driver_line, sizeof(driver_line), driver_out)) {
		driver_line[strcspn(driver_line, "\n")] = 0;
		atomic_store_explicit(&phase_done, 1, memory_order_release);
		while (atomic_load_explicit(&phase_done, memory_order_acquire))
			usleep(1000);
	}
	return NULL;
}

static __u64 read_produced(struct bpf_object *obj)
{
	struct bpf_map *bss = NULL, *m;
	__u32 zero = 0;
	__u64 v = 0;
	char *buf;

	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);

		if (strlen(n) >= 4 && !strcmp(n + strlen(n) - 4, ".bss"))
			bss = m;
	}
	if (!bss)
		die("no .bss map in the object");
	buf = calloc(1, bpf_map__value_size(bss));
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, buf))
		die("reading .bss: %s", strerror(errno));
	memcpy(&v, buf, sizeof(v)); /* 'produced' is the only .bss variable */
	free(buf);
	return v;
}

static __u64 read_drops(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "vigil_drops");
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu, sizeof(__u64)), sum = 0;
	__u32 key = RINGBENCH_KIND_RECORD;

	if (!m || bpf_map_lookup_elem(bpf_map__fd(m), &key, vals))
		die("reading vigil_drops: %s", strerror(errno));
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	free(vals);
	return sum;
}

static void set_rodata(struct bpf_object *obj, const char *var, __u64 value, size_t size)
{
	struct bpf_map *rodata = NULL, *m;
	const struct btf *btf = bpf_object__btf(obj);
	size_t sz;
	char *data;
	int sec_id;
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;

	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);

		if (strlen(n) >= 7 && !strcmp(n + strlen(n) - 7, ".rodata"))
			rodata = m;
	}
	if (!rodata || !btf)
		die("object has no .rodata or BTF");
	data = (char *)bpf_map__initial_value(rodata, &sz);
	sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!data || sec_id < 0)
		die("no .rodata initial value / DATASEC");
	sec = btf__type_by_id(btf, sec_id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, v->name_off), var)) {
			if (vs->size != size)
				die("%s is %u bytes, not %zu", var, vs->size, size);
			memcpy(data + vs->offset, &value, size); /* little-endian */
			return;
		}
	}
	die("no const volatile '%s' in .rodata", var);
}

static void usage(void)
{
	fprintf(stderr, "usage: consumer --obj OBJ --driver DRIVER [--mode stream|filtered|drain] [--seconds S]\n"
			"  [--warmup-seconds W] [--calls N] [--reps R] [--driver-cpu C] [--timeout-ms T]\n"
			"  [--ring-bytes B] [--wakeup-bytes B]\n");
	exit(2);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct opts o = { .mode = "stream", .seconds = 4, .warmup = 1, .calls = 200000, .reps = 5,
			  .driver_cpu = -1, .timeout_ms = 2, .ring_bytes = RINGBENCH_DEFAULT_RING_BYTES,
			  .wakeup_bytes = -1 };
	int to_driver[2], from_driver[2];
	pid_t child;
	__u32 tgid;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--obj")) o.obj = v;
		else if (!strcmp(a, "--driver")) o.driver = v;
		else if (!strcmp(a, "--mode")) o.mode = v;
		else if (!strcmp(a, "--seconds")) o.seconds = atof(v);
		else if (!strcmp(a, "--warmup-seconds")) o.warmup = atof(v);
		else if (!strcmp(a, "--calls")) o.calls = atoll(v);
		else if (!strcmp(a, "--reps")) o.reps = atoi(v);
		else if (!strcmp(a, "--driver-cpu")) o.driver_cpu = atoi(v);
		else if (!strcmp(a, "--timeout-ms")) o.timeout_ms = atoi(v);
		else if (!strcmp(a, "--ring-bytes")) o.ring_bytes = atoll(v);
		else if (!strcmp(a, "--wakeup-bytes")) o.wakeup_bytes = atoll(v);
		else usage();
	}
	if (!o.obj || !o.driver)
		usage();
	int stream = !strcmp(o.mode, "stream"), filtered = !strcmp(o.mode, "filtered"),
	    drain = !strcmp(o.mode, "drain");
	if (!stream && !filtered && !drain)
		usage();
	if (o.wakeup_bytes < 0)
		o.wakeup_bytes = o.ring_bytes / 4;
	libbpf_set_print(libbpf_print);

	/* 1. the driver, waiting on its stdin */
	if (pipe(to_driver) || pipe(from_driver))
		die("pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		char cpu[16], amount[32];

		dup2(to_driver[0], 0);
		dup2(from_driver[1], 1);
		close(to_driver[0]); close(to_driver[1]); close(from_driver[0]); close(from_driver[1]);
		snprintf(cpu, sizeof(cpu), "%d", o.driver_cpu);
		if (drain) {
			snprintf(amount, sizeof(amount), "%lld", o.calls);
			execl(o.driver, o.driver, "--cpu", cpu, "--calls", amount, (char *)NULL);
		} else {
			snprintf(amount, sizeof(amount), "%g", o.seconds);
			execl(o.driver, o.driver, "--cpu", cpu, "--seconds", amount, (char *)NULL);
		}
		fprintf(stderr, "consumer: exec %s: %s\n", o.driver, strerror(errno));
		_exit(127);
	}
	close(to_driver[0]);
	close(from_driver[1]);
	FILE *to = fdopen(to_driver[1], "w");
	driver_out = fdopen(from_driver[0], "r");
	setvbuf(to, NULL, _IOLBF, 0);

	/* 2. the producer, for the driver's pid */
	tgid = filtered ? RINGBENCH_NO_TGID : (__u32)child;
	struct bpf_object *obj = bpf_object__open_file(o.obj, NULL);
	if (!obj)
		die("opening %s: %s", o.obj, strerror(errno));
	set_rodata(obj, "target_tgid", tgid, 4);
	set_rodata(obj, "vigil_wakeup_bytes", (__u64)o.wakeup_bytes, 8);
	struct bpf_map *ring = bpf_object__find_map_by_name(obj, "ring");
	if (!ring || bpf_map__set_max_entries(ring, (__u32)o.ring_bytes))
		die("setting the ring size");
	int err = bpf_object__load(obj);
	if (err)
		die("loading %s: %s", o.obj, strerror(-err));
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "ringbench_sys_enter");
	struct bpf_link *link = prog ? bpf_program__attach_raw_tracepoint(prog, "sys_enter") : NULL;
	if (!link)
		die("attaching raw_tp/sys_enter: %s", strerror(errno));
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(ring), on_record, &tgid, NULL);
	if (!rb)
		die("ring_buffer__new: %s", strerror(errno));
	pthread_t reader;
	pthread_create(&reader, NULL, driver_reader, NULL);

	if (drain) {
		for (int rep = 0; rep < o.reps; rep++) {
			__u64 p0 = read_produced(obj), d0 = read_drops(obj);

			fprintf(to, "go\n");
			while (!atomic_load_explicit(&phase_done, memory_order_acquire))
				usleep(1000);
			__u64 p1 = read_produced(obj), d1 = read_drops(obj);
			memset(&cnt, 0, sizeof(cnt));
			cnt.last_seq = (long long)p0 - 1;
			long long c0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns();
			int n = ring_buffer__consume(rb);
			long long t1 = now_ns(), c1 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
			if (n < 0)
				die("ring_buffer__consume: %d", n);
			printf("consumer=c mode=drain rep=%d produced=%llu received=%lld dropped=%llu gaps=%lld bad=%lld "
			       "drain_ns=%lld drain_mrec_s=%.1f cpu_ns_per_event=%.2f\n",
			       rep, p1 - p0, cnt.received, d1 - d0, cnt.gaps, cnt.bad, t1 - t0,
			       cnt.received * 1e3 / (double)(t1 - t0), (double)(c1 - c0) / cnt.received);
			atomic_store_explicit(&phase_done, 0, memory_order_release);
		}
	} else {
		/* phase 0 warms up (JIT on the Java side; here only for symmetry), phase 1 is measured */
		for (int phase = 0; phase < 2; phase++) {
			__u64 p0 = read_produced(obj), d0 = read_drops(obj);
			long long loops = 0, empty = 0;

			memset(&cnt, 0, sizeof(cnt));
			cnt.last_seq = (long long)p0 - 1;
			long long cp0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID), ct0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID), t0 = now_ns();
			if (phase == 0)
				fprintf(to, "go %g\n", o.warmup);
			else
				fprintf(to, "go\n");
			while (!atomic_load_explicit(&phase_done, memory_order_acquire)) {
				int n = ring_buffer__poll(rb, o.timeout_ms);

				if (n < 0 && n != -EINTR)
					die("ring_buffer__poll: %d", n);
				n = ring_buffer__consume(rb);
				if (n < 0)
					die("ring_buffer__consume: %d", n);
				loops++;
				empty += n == 0;
			}
			if (ring_buffer__consume(rb) < 0) /* the records of the driver's last calls */
				die("ring_buffer__consume failed");
			long long t1 = now_ns(), cp1 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID), ct1 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
			__u64 p1 = read_produced(obj), d1 = read_drops(obj);
			long long calls = 0, dns = 0;
			double nspc = 0;

			sscanf(driver_line, "calls=%lld ns=%lld ns_per_call=%lf", &calls, &dns, &nspc);
			if (phase == 1)
				printf("consumer=c mode=%s calls=%lld driver_ns=%lld ns_per_call=%.1f produced=%llu "
				       "received=%lld dropped=%llu gaps=%lld bad=%lld wall_ns=%lld events_per_s=%.0f "
				       "cpu_ns=%lld thread_cpu_ns=%lld cpu_ns_per_event=%.2f thread_cpu_ns_per_event=%.2f "
				       "loops=%lld empty_loops=%lld\n",
				       o.mode, calls, dns, nspc, p1 - p0, cnt.received, d1 - d0, cnt.gaps, cnt.bad,
				       t1 - t0, dns > 0 ? cnt.received * 1e9 / dns : 0.0, cp1 - cp0, ct1 - ct0,
				       cnt.received ? (double)(cp1 - cp0) / cnt.received : 0.0,
				       cnt.received ? (double)(ct1 - ct0) / cnt.received : 0.0, loops, empty);
			atomic_store_explicit(&phase_done, 0, memory_order_release);
		}
	}
	fclose(to); /* EOF: the driver exits */
	waitpid(child, NULL, 0);
	pthread_join(reader, NULL);
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
