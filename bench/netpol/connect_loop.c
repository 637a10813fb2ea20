// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* connect+close loop: N TCP connects to IP:PORT (a closed port on the test host, so each one is a SYN and a RST:
 * the policy hooks run, no accept is needed). Prints ns per connect; fails if any connect is refused by policy
 * (EPERM) or does anything but connect or get ECONNREFUSED. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s IP PORT COUNT\n", argv[0]);
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
	long n = atol(argv[3]);
	struct timespec a, b;

	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			perror("socket");
			return 1;
		}
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != ECONNREFUSED) {
			fprintf(stderr, "connect %ld: %s\n", i, strerror(errno));
			return 1;
		}
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
