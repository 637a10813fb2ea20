/* The profilers' test subject: burns CPU in spin_here() or sleeps in sleep_here(), until killed.
 * Built with frame pointers so the kernel can walk its user stack. */
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) void spin_here(void)
{
	for (;;)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

/* libc's nanosleep keeps no frame pointer, so a frame-pointer walk skips its immediate caller:
 * that is do_sleep, and sleep_here above it stays on the stack. */
__attribute__((noinline)) void do_sleep(void)
{
	struct timespec ts = {0, 5 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

__attribute__((noinline)) void sleep_here(void)
{
	for (;;)
		do_sleep();
}

int main(int argc, char **argv)
{
	printf("ready\n");
	fflush(stdout);
	if (argc > 1 && strcmp(argv[1], "sleep") == 0)
		sleep_here();
	spin_here();
	return 0;
}
