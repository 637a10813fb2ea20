/* Holds BPF run-time statistics on (BPF_ENABLE_STATS) until killed. The kernel counts these holders, so
 * another user of the machine switching the kernel.bpf_stats_enabled sysctl off does not stop the count
 * (which a sysctl write of our own would not survive). Prints "on" once enabled.
 * usage: bpf_stats */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	fd = syscall(__NR_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
	if (fd < 0) {
		perror("BPF_ENABLE_STATS");
		return 1;
	}
	printf("on\n");
	fflush(stdout);
	for (;;)
		pause();
}
