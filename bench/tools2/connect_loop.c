/* Connects to a loopback listener N times (a thread accepts and closes), printing ns per connect+close.
 * usage: connect_loop N */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listener;

static void *acceptor(void *arg)
{
	for (;;) {
		int c = accept(listener, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int one = 1;
	pthread_t t;
	struct timespec t0, t1;

	listener = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listener, (struct sockaddr *)&a, sizeof(a)) || listen(listener, 4096) || getsockname(listener, (struct sockaddr *)&a, &len)) {
		perror("listen");
		return 1;
	}
	pthread_create(&t, NULL, acceptor, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct linger l = {1, 0}; /* RST on close: no TIME_WAIT pile-up over many rounds */
		if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("connect");
			return 1;
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
	return 0;
}
