/* benchio: see benchio.h. */
#include "benchio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int
benchio_connect_unix(const char *path)
{
	struct sockaddr_un un;
	int fd;

	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof un.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(un.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&un, sizeof un) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
benchio_connect(const char *spec)
{
	struct sockaddr_in in;
	char host[64];
	int fd, port, on = 1;

	if (strncmp(spec, "unix:", 5) == 0)
		return benchio_connect_unix(spec + 5);
	if (spec[0] == '/')
		return benchio_connect_unix(spec);
	if (sscanf(spec, "inet:%d@%63s", &port, host) != 2 &&
	    sscanf(spec, "%63[^:]:%d", host, &port) != 2) {
		errno = EINVAL;
		return -1;
	}
	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &in.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (connect(fd, (struct sockaddr *)&in, sizeof in) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
benchio_writeall(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
benchio_readall(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

double
benchio_proc_cpu(long pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut, st;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The fields after the command name, which may hold spaces. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

double
benchio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
