/*
 * milterio: the read buffer under libmilter.  Whatever the buffering, the
 * bytes a reader sees must be exactly the bytes sent, in order, and a poll
 * must never claim data that is not there.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "milterio.h"

/* Without --wrap in this test, the "real" calls are libc's. */
int __real_accept(int fd, struct sockaddr *sa, socklen_t *len)
{ return accept(fd, sa, len); }
ssize_t __real_read(int fd, void *buf, size_t n) { return read(fd, buf, n); }
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{ return poll(fds, nfds, timeout); }
int __real_close(int fd) { return close(fd); }
ssize_t __real_writev(int fd, const struct iovec *iov, int n)
{ return writev(fd, iov, n); }

/* One milter reply as libmilter writes it: header piece, payload piece. */
static ssize_t
reply(int fd, char cmd, const char *payload, size_t n)
{
	uint32_t len = htonl((uint32_t)n + 1);
	unsigned char h[5];
	struct iovec iov[2] = { { h, sizeof h }, { (void *)payload, n } };

	memcpy(h, &len, 4);
	h[4] = (unsigned char)cmd;
	return __wrap_writev(fd, iov, n > 0 ? 2 : 1);
}

#define REPLY(fd, cmd, lit) reply(fd, cmd, lit, sizeof lit - 1)

/* Bytes the peer can read now, without waiting. */
static size_t
pending(int fd, unsigned char *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t r;

	if (poll(&p, 1, 0) != 1)
		return 0;
	r = read(fd, buf, size);
	return r > 0 ? (size_t)r : 0;
}

static int
poll_in(int fd, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return __wrap_poll(&p, 1, timeout);
}

/* A burst of milter-sized pieces, read back in 5-byte and payload reads. */
static void
test_burst(void **state)
{
	unsigned char sent[3000], got[3000];
	int sv[2];
	size_t off = 0;

	(void)state;
	for (size_t i = 0; i < sizeof sent; i++)
		sent[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(milterio_track(sv[0]), 0);
	assert_int_equal(write(sv[1], sent, sizeof sent), (ssize_t)sizeof sent);
	while (off < sizeof got) {
		size_t want = off % 2 ? 5 : 113;
		ssize_t r;

		if (want > sizeof got - off)
			want = sizeof got - off;
		assert_int_equal(poll_in(sv[0], 1000), 1);
		r = __wrap_read(sv[0], got + off, want);
		assert_true(r > 0);
		off += (size_t)r;
	}
	assert_memory_equal(got, sent, sizeof sent);
	/* Everything consumed: nothing buffered, and poll asks the kernel. */
	assert_int_equal(milterio_buffered(sv[0]), 0);
	assert_int_equal(poll_in(sv[0], 0), 0);
	assert_int_equal(__wrap_close(sv[0]), 0);
	close(sv[1]);
}

/* One kernel read fills the buffer; later reads and polls use it. */
static void
test_buffered_poll(void **state)
{
	char buf[16];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(milterio_track(sv[0]), 0);
	assert_int_equal(write(sv[1], "abcdefghij", 10), 10);
	assert_int_equal(__wrap_read(sv[0], buf, 4), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(milterio_buffered(sv[0]), 6);
	assert_int_equal(poll_in(sv[0], 0), 1);
	assert_int_equal(__wrap_read(sv[0], buf, sizeof buf), 6);
	assert_memory_equal(buf, "efghij", 6);
	/* End of stream is passed on once the buffer is empty. */
	close(sv[1]);
	assert_int_equal(__wrap_read(sv[0], buf, sizeof buf), 0);
	assert_int_equal(__wrap_close(sv[0]), 0);
}

/* A read larger than the buffer goes straight to the caller. */
static void
test_large_read(void **state)
{
	static unsigned char sent[100000], got[sizeof sent];
	int sv[2];
	size_t off = 0;

	(void)state;
	memset(sent, 'x', sizeof sent);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(milterio_track(sv[0]), 0);
	for (size_t w = 0; w < sizeof sent;) {
		ssize_t r = write(sv[1], sent + w, sizeof sent - w);

		assert_true(r > 0);
		w += (size_t)r;
		while (off < w) {
			ssize_t g = __wrap_read(sv[0], got + off, sizeof got - off);

			assert_true(g > 0);
			off += (size_t)g;
		}
	}
	assert_memory_equal(got, sent, sizeof sent);
	assert_int_equal(__wrap_close(sv[0]), 0);
	close(sv[1]);
}

/* An untracked descriptor, and one closed and reused, are not buffered. */
static void
test_untracked(void **state)
{
	char buf[8];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], "12345678", 8), 8);
	assert_int_equal(__wrap_read(sv[0], buf, 3), 3);
	assert_int_equal(milterio_buffered(sv[0]), 0);
	assert_int_equal(__wrap_read(sv[0], buf, 8), 5);
	assert_int_equal(milterio_track(-1), -1);
	assert_int_equal(milterio_track(MILTERIO_MAXFD), -1);
	assert_int_equal(milterio_track(sv[0]), 0);
	assert_int_equal(__wrap_close(sv[0]), 0);
	assert_int_equal(milterio_buffered(sv[0]), 0);
	close(sv[1]);
}

static void *
write_later(void *arg)
{
	int fd = *(int *)arg;

	usleep(100 * 1000);
	if (write(fd, "Q", 1) != 1)
		return arg;
	return NULL;
}

/* libmilter's 1 ms wait for the next command becomes a wait of at least
 * MILTERIO_HOLD_MS on a milter connection, so a command 100 ms later is
 * seen by the same poll; other descriptors keep their timeouts. */
static void
test_hold(void **state)
{
	struct timespec t0, t1;
	pthread_t tid;
	int sv[2], other[2];
	double ms;
	char c;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
	assert_int_equal(milterio_track(sv[0]), 0);
	assert_int_equal(pthread_create(&tid, NULL, write_later, &sv[1]), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(poll_in(sv[0], 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(pthread_join(tid, NULL), 0);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms >= 50 && ms < MILTERIO_HOLD_MS);
	assert_int_equal(__wrap_read(sv[0], &c, 1), 1);
	assert_int_equal(c, 'Q');
	/* A zero timeout stays a check; an untracked socket is not held. */
	assert_int_equal(poll_in(sv[0], 0), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(poll_in(other[0], 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms < 50);
	assert_int_equal(__wrap_close(sv[0]), 0);
	close(sv[1]);
	close(other[0]);
	close(other[1]);
}

/* Header changes wait for the final reply and leave with it, in order,
 * in one piece; a progress reply is not held. */
static void
test_held_replies(void **state)
{
	static const char ins[] = "\1\1\1\1DKIM-Signature\0v=1";
	static const char add[] = "Authentication-Results\0x";
	static const char chg[] = "\0\0\0\1Subject\0x";
	const size_t i = 5 + sizeof ins - 1, h = 5 + sizeof add - 1;
	const size_t m = 5 + sizeof chg - 1;
	unsigned char got[512];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(milterio_track(sv[0]), 0);
	assert_int_equal(REPLY(sv[0], 'i', ins), i);
	assert_int_equal(REPLY(sv[0], 'h', add), h);
	assert_int_equal(pending(sv[1], got, sizeof got), 0);
	assert_int_equal(REPLY(sv[0], 'c', ""), 5);
	assert_int_equal(pending(sv[1], got, sizeof got), i + h + 5);
	assert_int_equal(got[4], 'i');
	assert_memory_equal(got + 9, "DKIM-Signature", 14);
	assert_int_equal(got[i + 4], 'h');
	assert_int_equal(got[i + h + 4], 'c');
	/* Progress goes at once, and takes what is held with it. */
	assert_int_equal(REPLY(sv[0], 'm', chg), m);
	assert_int_equal(REPLY(sv[0], 'p', ""), 5);
	assert_int_equal(pending(sv[1], got, sizeof got), m + 5);
	assert_int_equal(got[4], 'm');
	assert_int_equal(got[m + 4], 'p');
	assert_int_equal(__wrap_close(sv[0]), 0);
	close(sv[1]);
}

/* Held replies are sent before any wait for input, so nothing can wait
 * on a peer that is itself waiting for them; what does not fit is not
 * held; an untracked socket and a partial piece pass straight through. */
static void
test_held_flush(void **state)
{
	static char big[MILTERIO_OUTSIZE + 100];
	unsigned char got[MILTERIO_OUTSIZE + 300];
	int sv[2], other[2];
	size_t n = 0, r;
	unsigned char h[5] = { 0, 0, 0, 9, 'h' };
	struct iovec half = { h, 3 };

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
	assert_int_equal(milterio_track(sv[0]), 0);
	assert_int_equal(REPLY(sv[0], 'i', "\0\0\0\0A\0b"), 5 + 7);
	assert_int_equal(poll_in(sv[0], 0), 0);
	assert_int_equal(pending(sv[1], got, sizeof got), 12);
	assert_int_equal(REPLY(sv[0], 'i', "\0\0\0\0A\0b"), 5 + 7);
	assert_int_equal(write(sv[1], "Q", 1), 1);
	assert_int_equal(__wrap_read(sv[0], got, 1), 1);
	assert_int_equal(pending(sv[1], got, sizeof got), 12);
	/* Larger than the hold: out at once. */
	memset(big, 'x', sizeof big - 1);
	assert_int_equal(reply(sv[0], 'h', big, sizeof big - 1), (ssize_t)sizeof big + 4);
	while ((r = pending(sv[1], got + n, sizeof got - n)) > 0)
		n += r;
	assert_int_equal(n, sizeof big + 4);
	/* Not a whole reply: written as it is. */
	assert_int_equal(__wrap_writev(sv[0], &half, 1), 3);
	assert_int_equal(pending(sv[1], got, sizeof got), 3);
	assert_int_equal(REPLY(other[0], 'i', "\0\0\0\0A\0b"), 12);
	assert_int_equal(pending(other[1], got, sizeof got), 12);
	assert_int_equal(__wrap_close(sv[0]), 0);
	close(sv[1]);
	close(other[0]);
	close(other[1]);
}

/* A TCP listener gets TCP_NODELAY, and the sockets accepted from it have
 * it; a socket that does not listen is left alone. */
static void
test_listen_nodelay(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int lst, cli, acc, on = 0;

	(void)state;
	assert_true((lst = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(lst, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(lst, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(listen(lst, 1), 0);
	milterio_listen_nodelay();
	len = sizeof on;
	assert_int_equal(getsockopt(lst, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
	assert_int_equal(on, 1);
	assert_true((cli = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(cli, (struct sockaddr *)&a, sizeof a), 0);
	assert_true((acc = __wrap_accept(lst, NULL, NULL)) >= 0);
	on = 0;
	len = sizeof on;
	assert_int_equal(getsockopt(acc, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
	assert_int_equal(on, 1);
	/* A socket that does not listen is not touched. */
	on = 1;
	len = sizeof on;
	assert_int_equal(getsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
	assert_int_equal(on, 0);
	assert_int_equal(__wrap_close(acc), 0);
	close(cli);
	close(lst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_buffered_poll),
		cmocka_unit_test(test_large_read),
		cmocka_unit_test(test_untracked),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_listen_nodelay),
		cmocka_unit_test(test_held_replies),
		cmocka_unit_test(test_held_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
