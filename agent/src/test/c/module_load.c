/* Tries to load a kernel module (a bogus image, then an fd): what a module-injecting intruder does first. */
#include <stdio.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
	char img[64] = {0};
	long a = syscall(SYS_init_module, img, sizeof(img), "");
	int ae = errno;
	long b = syscall(SYS_finit_module, 0, "", 0);
	int be = errno;

	printf("init_module %ld %d finit_module %ld %d\n", a, ae, b, be);
	return 0;
}
