/*
 * milterio: fewer system calls and no delayed-ACK stalls on the milter
 * connections, underneath libmilter.
 *
 * libmilter reads each milter command with poll() + read() of the 5-byte
 * header and poll() + read() of the payload: about 40 poll and 24 read
 * calls for one message, although Postfix sends most of a message in one
 * burst (the milter asks for no replies until end-of-message).  And on TCP
 * the peer's second small packet waits for a delayed ACK unless the
 * receiver ACKs at once (TCP_QUICKACK, which Linux forgets, so it is set
 * again after every read).
 *
 * And Debian's libmilter serves connections from a pool of worker threads:
 * after each command a worker waits 1 ms for the next one, then hands the
 * connection to a controller thread that polls all idle connections and
 * wakes a worker again when one becomes readable.  Postfix sends a message
 * in three or four bursts, more than 1 ms apart under load, so each burst
 * cost a pipe write, two more thread wake-ups and a poll-set rebuild.
 *
 * libmilter does not expose its connections, so the daemon links
 * libmilter.a with -Wl,--wrap= for accept, read, poll, writev and close,
 * and these wrappers sit between libmilter and the kernel:
 *   - a socket libmilter accept()s gets a read buffer: a read takes what
 *     is buffered, or fills the buffer with one read() of up to
 *     MILTERIO_BUFSIZE bytes;
 *   - a poll() for input on one such socket with buffered data returns at
 *     once, without a system call;
 *   - a poll() that must wait on one such socket waits at least
 *     MILTERIO_HOLD_MS: the worker keeps its connection between bursts, as
 *     libmilter's threads did before the pool (one thread per connection
 *     busy with a message); a connection idle longer goes back to the pool;
 *   - a reply that changes the message (a header to add, insert or change,
 *     a recipient, the sender, the body, quarantine) written to such a
 *     socket is held, up to MILTERIO_OUTSIZE bytes, and sent in one
 *     writev() with the final reply (continue, accept, reject...) that
 *     always follows it: one packet and one wake-up of the MTA instead
 *     of one per reply.  Anything else written, and any read or wait for
 *     input, sends what is held first.  (libmilter writes to the MTA only
 *     through writev(), one whole reply per call, so nothing can overtake
 *     a held reply.)  Through Postfix on TCP: 45-46 segments per message
 *     instead of 47-48;
 *   - close() of such a socket drops its buffers first.
 * Every other descriptor passes straight through.  A connection is served
 * by one libmilter thread at a time, so a buffer needs no lock; the table
 * of buffers is written only at accept and close.
 */
#ifndef POSTSEAL_MILTER_MILTERIO_H
#define POSTSEAL_MILTER_MILTERIO_H

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#define MILTERIO_BUFSIZE 16384
#define MILTERIO_OUTSIZE 8192	/* held replies: a few signatures' headers */
#define MILTERIO_IOV 8		/* writes with more pieces pass straight through */
#define MILTERIO_MAXFD 65536	/* sockets above this are not buffered */
#define MILTERIO_HOLD_MS 2000	/* see above */

/* TCP_NODELAY on every listening socket (descriptors 3-1023), which
 * accepted sockets inherit on Linux: Postfix and the milter each write small
 * packets back to back (at end-of-message a header change, then the
 * verdict), and without it the second waits for the peer's delayed ACK,
 * 40 ms or more a message.  No-op on unix sockets. */
void milterio_listen_nodelay(void);
/* Set TCP_QUICKACK after every read (inet sockets); before libmilter runs. */
void milterio_quickack(void);

/* Give fd a read buffer (what accept does); 0, or -1 if fd is out of range. */
int milterio_track(int fd);
/* Bytes buffered for fd (for tests). */
size_t milterio_buffered(int fd);

/* The wrappers the linker routes libmilter's calls to. */
int __real_accept(int fd, struct sockaddr *sa, socklen_t *len);
ssize_t __real_read(int fd, void *buf, size_t n);
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __real_close(int fd);
ssize_t __real_writev(int fd, const struct iovec *iov, int n);
int __wrap_accept(int fd, struct sockaddr *sa, socklen_t *len);
ssize_t __wrap_read(int fd, void *buf, size_t n);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __wrap_close(int fd);
ssize_t __wrap_writev(int fd, const struct iovec *iov, int n);

#endif
