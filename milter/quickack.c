/* quickack: see quickack.h. */
#include "quickack.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Written once by main before any milter thread exists, then only read. */
static int quickack_on;

void
quickack_enable(void)
{
	quickack_on = 1;
}

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	ssize_t r = __real_read(fd, buf, n);
	int one = 1;

	/* On a descriptor that is not a TCP socket (the signal pipe, a key
	 * file at reload) this fails harmlessly. */
	if (quickack_on && r > 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	return r;
}
