/* Opens an AF_PACKET raw socket (what ARP spoofing and CVE-2020-14386 need), prints the result, exits.
 * Built with gcc -static so it runs in a busybox-only container image. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	printf("packet socket: %d\n", s);
	if (s >= 0)
		close(s);
	return s >= 0 ? 0 : 1;
}
