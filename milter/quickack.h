/*
 * quickack: make an inet: milter socket as fast as a unix: one.
 *
 * Postfix and the milter each write two small packets back to back; on TCP
 * the second waits for the peer's delayed ACK (40 ms or more per message).
 * TCP_NODELAY on the listener (main.c) fixes our side's writes; the
 * receiving side must also ACK at once, and Linux forgets TCP_QUICKACK
 * after a while, so it is set again after every read.  libmilter reads
 * with plain read() and does not expose its connections, so the daemon
 * links libmilter statically with -Wl,--wrap=read and this module is the
 * wrapper.  Off (one flag test per read) unless the socket is inet.
 */
#ifndef POSTSEAL_MILTER_QUICKACK_H
#define POSTSEAL_MILTER_QUICKACK_H

#include <sys/types.h>

/* Turn the ACK-at-once behaviour on; call before libmilter starts. */
void quickack_enable(void);

/* The linker routes every read() of the daemon here (--wrap=read). */
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);

#endif
