// Syscall-mix workload for bench/syscalls/run.sh.
//
//   mix --mode mix     [--seconds S | --iters N] [--cpu C] [--dir D] [--exec-every K]
//   mix --mode getppid [--seconds S | --iters N] [--cpu C]   cheap syscall no tracer captures
//   mix --mode close   [--seconds S | --iters N] [--cpu C]   close(-1): cheap syscall the sensor captures
//   mix --mode openfail [--seconds S | --iters N] [--cpu C]  openat of a missing file (ENOENT): a cheap
//                                                            open, captured by the sensor and by `vigil run`
//
// mix mode runs, round-robin until the time (or iteration count) is used up, timed blocks of one kind
// each, so that no clock read sits between two syscalls of a block:
//   open     BLOCK x openat(O_RDONLY) of a small file in DIR (default /tmp)
//   close    BLOCK x close of those fds
//   stat     BLOCK x stat of the file
//   read     BLOCK x pread(4 KiB) of the file at offset 0
//   connect  BLOCK/8 x (socket + setsockopt(SO_LINGER 0) + connect to a loopback TCP listener this program
//            owns + close);
//            a thread accepts and closes the peer end
//   exec     one fork + execve(/bin/true) + waitpid every K blocks (default 4): the smaller share
// and prints one line of key=value pairs: ns per operation of each kind (connect: per socket+connect+close,
// exec: per fork+exec+wait), counts, and the overall mean ns per syscall over the whole run.
// getppid/close/openfail modes print calls, seconds, ns_per_call and calls_per_s.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 256

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "mix: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int listen_fd;
static void *acceptor(void *arg) {
    (void)arg;
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return NULL;
        }
        close(c);
    }
}

enum { K_OPEN, K_CLOSE, K_STAT, K_READ, K_CONNECT, K_EXEC, K_N };
static const char *kname[K_N] = {"open", "close", "stat", "read", "connect", "exec"};
// syscalls per operation of each kind (for the overall ns per syscall; exec counted as fork+execve+wait4)
static const int ksys[K_N] = {1, 1, 1, 1, 4, 3};

int main(int argc, char **argv) {
    const char *mode = "mix", *dir = "/tmp";
    double seconds = 3;
    long iters = 0;
    int cpu = -1, exec_every = 4;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) { fprintf(stderr, "mix: %s needs a value\n", a); return 2; }
        if (!strcmp(a, "--mode")) mode = v;
        else if (!strcmp(a, "--seconds")) seconds = atof(v);
        else if (!strcmp(a, "--iters")) iters = atol(v);
        else if (!strcmp(a, "--cpu")) cpu = atoi(v);
        else if (!strcmp(a, "--dir")) dir = v;
        else if (!strcmp(a, "--exec-every")) exec_every = atoi(v);
        else { fprintf(stderr, "mix: unknown option %s\n", a); return 2; }
        i++;
    }
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set)) die("sched_setaffinity");
    }
    uint64_t limit = (uint64_t)(seconds * 1e9);

    if (!strcmp(mode, "getppid") || !strcmp(mode, "close") || !strcmp(mode, "openfail")) {
        int is_close = !strcmp(mode, "close"), is_open = !strcmp(mode, "openfail");
        long calls = 0;
        uint64_t t0 = now_ns(), t = t0;
        for (;;) {
            // batches of 4096 between clock reads; raw syscall() so libc cannot cache or skip anything
            if (is_open) for (int k = 0; k < 4096; k++) syscall(SYS_openat, AT_FDCWD, "/nonexistent-vigil-bench", O_RDONLY);
            else if (is_close) for (int k = 0; k < 4096; k++) syscall(SYS_close, -1);
            else for (int k = 0; k < 4096; k++) syscall(SYS_getppid);
            calls += 4096;
            t = now_ns();
            if (iters ? calls >= iters : t - t0 >= limit) break;
        }
        double s = (t - t0) / 1e9;
        printf("mode=%s calls=%ld seconds=%.3f ns_per_call=%.1f calls_per_s=%.0f\n", mode, calls, s,
               (t - t0) / (double)calls, calls / s);
        return 0;
    }
    if (strcmp(mode, "mix")) { fprintf(stderr, "mix: unknown mode %s\n", mode); return 2; }

    char path[4096];
    snprintf(path, sizeof path, "%s/vigil-bench-mix-%d", dir, getpid());
    int f = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (f < 0) die(path);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    if (write(f, buf, sizeof buf) != sizeof buf) die("write");
    close(f);
    int rfd = open(path, O_RDONLY);
    if (rfd < 0) die(path);

    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0) die("socket");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) || listen(listen_fd, 4096)) die("bind/listen");
    if (getsockname(listen_fd, (struct sockaddr *)&sa, &sl)) die("getsockname");
    pthread_t th;
    if (pthread_create(&th, NULL, acceptor, NULL)) die("pthread_create");

    uint64_t ns[K_N] = {0};
    long ops[K_N] = {0};
    int fds[BLOCK];
    long blocks = 0;
    uint64_t start = now_ns(), t, t1;
    for (;;) {
        t = now_ns();
        for (int k = 0; k < BLOCK; k++)
            if ((fds[k] = open(path, O_RDONLY)) < 0) die("open");
        t1 = now_ns(); ns[K_OPEN] += t1 - t; ops[K_OPEN] += BLOCK; t = t1;
        for (int k = 0; k < BLOCK; k++) close(fds[k]);
        t1 = now_ns(); ns[K_CLOSE] += t1 - t; ops[K_CLOSE] += BLOCK; t = t1;
        struct stat st;
        for (int k = 0; k < BLOCK; k++)
            if (stat(path, &st)) die("stat");
        t1 = now_ns(); ns[K_STAT] += t1 - t; ops[K_STAT] += BLOCK; t = t1;
        for (int k = 0; k < BLOCK; k++)
            if (pread(rfd, buf, sizeof buf, 0) != sizeof buf) die("pread");
        t1 = now_ns(); ns[K_READ] += t1 - t; ops[K_READ] += BLOCK; t = t1;
        for (int k = 0; k < BLOCK / 8; k++) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (s < 0) die("socket");
            // close with RST: no TIME_WAIT pile-up (tens of thousands of connects per run would use up
            // the ephemeral ports)
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            if (connect(s, (struct sockaddr *)&sa, sizeof sa)) die("connect");
            close(s);
        }
        t1 = now_ns(); ns[K_CONNECT] += t1 - t; ops[K_CONNECT] += BLOCK / 8; t = t1;
        if (exec_every > 0 && blocks % exec_every == 0) {
            pid_t p = fork();
            if (p < 0) die("fork");
            if (p == 0) {
                execl("/bin/true", "true", (char *)NULL);
                _exit(127);
            }
            int status;
            if (waitpid(p, &status, 0) < 0) die("waitpid");
            t1 = now_ns(); ns[K_EXEC] += t1 - t; ops[K_EXEC]++; t = t1;
        }
        blocks++;
        if (iters ? blocks >= iters : t - start >= limit) break;
    }
    uint64_t total = t - start;
    long sys = 0;
    for (int k = 0; k < K_N; k++) sys += ops[k] * ksys[k];
    unlink(path);
    printf("mode=mix blocks=%ld seconds=%.3f syscalls=%ld ns_per_syscall=%.1f", blocks, total / 1e9, sys,
           total / (double)sys);
    for (int k = 0; k < K_N; k++)
        printf(" %s_n=%ld %s_ns=%.1f", kname[k], ops[k], kname[k], ops[k] ? ns[k] / (double)ops[k] : 0.0);
    printf("\n");
    return 0;
}
