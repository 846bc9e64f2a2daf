/* milterio: see milterio.h. */
#include "milterio.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct milterio_buf {
	size_t off, len;
	unsigned char data[MILTERIO_BUFSIZE];
};

/* Indexed by descriptor; an entry is written by accept and close only. */
static _Atomic(struct milterio_buf *) milterio_bufs[MILTERIO_MAXFD];
/* Written once by main before any milter thread exists. */
static int milterio_ack;

void
milterio_listen_nodelay(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		int on = 1, acc = 0;
		socklen_t len = sizeof acc;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1 ||
		    !acc)
			continue;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	}
}

void
milterio_quickack(void)
{
	milterio_ack = 1;
}

static struct milterio_buf *
milterio_get(int fd)
{
	if (fd < 0 || fd >= MILTERIO_MAXFD)
		return NULL;
	return atomic_load(&milterio_bufs[fd]);
}

int
milterio_track(int fd)
{
	struct milterio_buf *b;

	if (fd < 0 || fd >= MILTERIO_MAXFD || (b = calloc(1, sizeof *b)) == NULL)
		return -1;	/* unbuffered: still correct, only slower */
	free(atomic_exchange(&milterio_bufs[fd], b));
	return 0;
}

size_t
milterio_buffered(int fd)
{
	struct milterio_buf *b = milterio_get(fd);

	return b != NULL ? b->len - b->off : 0;
}

/* One read() from the kernel, then ACK at once on TCP (milterio.h). */
static ssize_t
milterio_sysread(int fd, void *buf, size_t n)
{
	ssize_t r = __real_read(fd, buf, n);
	int one = 1;

	if (milterio_ack && r > 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
	return r;
}

int
__wrap_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int s = __real_accept(fd, sa, len);

	if (s >= 0)
		(void)milterio_track(s);
	return s;
}

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	struct milterio_buf *b = milterio_get(fd);
	ssize_t r;
	size_t take;

	if (b == NULL || n == 0)
		return milterio_sysread(fd, buf, n);
	if (b->off == b->len) {
		/* A large read goes straight to the caller, no copy. */
		if (n >= sizeof b->data)
			return milterio_sysread(fd, buf, n);
		if ((r = milterio_sysread(fd, b->data, sizeof b->data)) <= 0)
			return r;
		b->off = 0;
		b->len = (size_t)r;
	}
	take = b->len - b->off < n ? b->len - b->off : n;
	memcpy(buf, b->data + b->off, take);
	b->off += take;
	return (ssize_t)take;
}

int
__wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct milterio_buf *b;

	/* Data already read from the kernel is readable now. */
	if (nfds == 1 && (fds[0].events & POLLIN) &&
	    (b = milterio_get(fds[0].fd)) != NULL && b->off < b->len) {
		fds[0].revents = POLLIN;
		return 1;
	}
	/* Wait for the MTA's next command here rather than hand the
	 * connection back to libmilter's worker pool (milterio.h). */
	if (nfds == 1 && timeout > 0 && timeout < MILTERIO_HOLD_MS &&
	    milterio_get(fds[0].fd) != NULL)
		timeout = MILTERIO_HOLD_MS;
	return __real_poll(fds, nfds, timeout);
}

int
__wrap_close(int fd)
{
	if (fd >= 0 && fd < MILTERIO_MAXFD)
		free(atomic_exchange(&milterio_bufs[fd], NULL));
	return __real_close(fd);
}
