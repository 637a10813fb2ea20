// Forks and execs a path that is a string literal: in the child, the page holding it is not mapped
// until the kernel's own copy faults it in, which is what tracers reading at syscall entry miss.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/echo", "echo-literal", argc > 1 ? argv[1] : "x", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) < 0)
		return 1;
	printf("%d\n", pid);
	return 0;
}
