/* milterio: see milterio.h. */
#include "milterio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct milterio_buf {
	size_t off, len;		/* input: data[off..len) not yet read */
	size_t held;			/* output: out[0..held) not yet sent */
	unsigned char data[MILTERIO_BUFSIZE];
	unsigned char out[MILTERIO_OUTSIZE];
};

/* The milter's replies that change the message (libmilter's SMFIR_*
 * letters): add/delete recipient, recipient with arguments, replace body,
 * change sender, add/insert/change header, quarantine.  Each is followed
 * by a final reply before the MTA reads on. */
#define MILTERIO_MODS "+-2behimq"
#define MILTERIO_HDR 5			/* 4-byte length, command letter */

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

/* Send what is held, all of it; 0, or -1 with errno. */
static int
milterio_flush(int fd, struct milterio_buf *b)
{
	size_t done = 0;
	ssize_t r;

	while (done < b->held) {
		r = write(fd, b->out + done, b->held - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	b->held = 0;
	return 0;
}

/* The command letter when iov holds exactly one whole milter reply (as
 * libmilter's mi_wr_cmd writes it: header, then payload), else 0. */
static unsigned char
milterio_whole(const struct iovec *iov, int n, size_t *total)
{
	const unsigned char *h = iov[0].iov_base;
	uint32_t len;

	*total = 0;
	for (int i = 0; i < n; i++)
		*total += iov[i].iov_len;
	if (n < 1 || iov[0].iov_len < MILTERIO_HDR)
		return 0;
	memcpy(&len, h, sizeof len);
	return *total == sizeof len + (size_t)ntohl(len) ? h[4] : 0;
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
	if (b->held > 0 && milterio_flush(fd, b) == -1)
		return -1;
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

	/* Nothing waits for input with replies still held. */
	if (nfds == 1 && (fds[0].events & POLLIN) &&
	    (b = milterio_get(fds[0].fd)) != NULL && b->held > 0 &&
	    milterio_flush(fds[0].fd, b) == -1)
		return -1;
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

ssize_t
__wrap_writev(int fd, const struct iovec *iov, int n)
{
	struct milterio_buf *b = milterio_get(fd);
	struct iovec v[MILTERIO_IOV + 1];
	unsigned char cmd;
	size_t total;
	ssize_t r;

	if (b == NULL || n < 1 || n > MILTERIO_IOV)
		return __real_writev(fd, iov, n);
	cmd = milterio_whole(iov, n, &total);
	if (cmd != 0 && strchr(MILTERIO_MODS, cmd) != NULL &&
	    total <= sizeof b->out - b->held) {
		for (int i = 0; i < n; i++) {
			memcpy(b->out + b->held, iov[i].iov_base, iov[i].iov_len);
			b->held += iov[i].iov_len;
		}
		return (ssize_t)total;
	}
	if (b->held == 0)
		return __real_writev(fd, iov, n);
	/* What is held goes out first, in the same system call. */
	v[0].iov_base = b->out;
	v[0].iov_len = b->held;
	memcpy(v + 1, iov, (size_t)n * sizeof *iov);
	if ((r = __real_writev(fd, v, n + 1)) == -1)
		return -1;
	if ((size_t)r < b->held) {
		/* Not even the held part went out: keep the rest, and have
		 * libmilter try its write again (it retries on EINTR). */
		memmove(b->out, b->out + r, b->held - (size_t)r);
		b->held -= (size_t)r;
		errno = EINTR;
		return -1;
	}
	r -= (ssize_t)b->held;
	b->held = 0;
	return r;
}

int
__wrap_close(int fd)
{
	if (fd >= 0 && fd < MILTERIO_MAXFD)
		free(atomic_exchange(&milterio_bufs[fd], NULL));
	return __real_close(fd);
}
