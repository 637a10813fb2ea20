/* funclatency's subject: for each line N read from stdin, calls vigil_slow_call(N), which sleeps N ms in
 * nanosleep(), then prints "done K" (K calls so far). Prints "ready" first. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) void vigil_slow_call(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int main(void)
{
	char line[64];
	long n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		vigil_slow_call(atol(line));
		printf("done %ld\n", ++n);
	}
	return 0;
}
