/*
 * benchio: what both load generators need from the system.
 *
 * benchio_connect() opens a stream socket to "unix:/path" or "/path"
 * (unix), "inet:PORT@HOST" (libmilter's spelling) or "HOST:PORT" (IPv4,
 * TCP_NODELAY set); returns the descriptor or -1 with errno set.
 * benchio_writeall()/benchio_readall() move exactly len bytes (0, or -1
 * on error or end of file).  benchio_proc_cpu() is a process's user +
 * system CPU in seconds from /proc/PID/stat (-1 when unreadable);
 * benchio_now() is CLOCK_MONOTONIC in seconds.  All are thread-safe.
 */
#ifndef BENCH_BENCHIO_H
#define BENCH_BENCHIO_H

#include <stddef.h>

int benchio_connect(const char *spec);
int benchio_writeall(int fd, const void *buf, size_t len);
int benchio_readall(int fd, void *buf, size_t len);
double benchio_proc_cpu(long pid);
double benchio_now(void);

#endif
