/*
 * policygen: a Postfix policy-protocol load generator.
 *
 *	policygen -S HOST:PORT|/unix/path [-c CLIENTS] [-n REQUESTS] [-w|-C TAG]
 *	          [-a IP] [-p PID]
 *
 * CLIENTS persistent connections at once, each sending REQUESTS
 * smtpd_access_policy requests (RCPT state, a new instance every time)
 * one after the other and timing each answer.  Warm (-w, default): the
 * sender and HELO domains come from a set of 16 names, so every cache is
 * warm after the first requests.  Cold (-C TAG): every request names a
 * domain never asked before (<TAG>-<client>-<n>.cold.bench.example, a
 * wildcard in the zone), so nothing is cached anywhere.
 *
 * Prints one key=value line: requests, wall seconds, requests/s, p50 /
 * p99 / max latency in microseconds, the daemon's CPU seconds (-p PID;
 * helper processes of spawn(8)-run peers are not included), replies that
 * name an SPF pass, and errors.  Exits 1 on any connection error or
 * malformed reply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "benchio.h"

struct pg_opts {
	const char *addr;
	const char *ip;
	const char *cold;	/* NULL: warm */
	int clients;
	int requests;
};

struct pg_client {
	const struct pg_opts *o;
	pthread_barrier_t *start;
	int id;
	double *lat;		/* seconds, one per request */
	long passes;
	char err[256];
};

static size_t
pg_request(const struct pg_client *c, int n, char *buf, size_t size)
{
	char dom[160];

	if (c->o->cold != NULL)
		snprintf(dom, sizeof dom, "%s-%d-%d.cold.bench.example",
		    c->o->cold, c->id, n);
	else
		snprintf(dom, sizeof dom, "w%d.warm.bench.example",
		    (c->id + n) % 16);
	return (size_t)snprintf(buf, size, "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=%s\n"
	    "client_name=unknown\nreverse_client_name=unknown\n"
	    "helo_name=mx.%s\nsender=user%d@%s\nrecipient=rcpt@dest.example\n"
	    "recipient_count=0\nqueue_id=\ninstance=%x.%x.%x\nsize=0\n"
	    "sasl_method=\nsasl_username=\nccert_subject=\nencryption_protocol=\n"
	    "\n", c->o->ip, dom, n, dom, (unsigned)getpid(), (unsigned)c->id,
	    (unsigned)n);
}

/* Read one reply (up to the empty line); 0, or -1 with err set. */
static int
pg_reply(struct pg_client *c, int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < 2 || buf[len - 1] != '\n' || buf[len - 2] != '\n') {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || len + (size_t)n >= size - 1) {
			snprintf(c->err, sizeof c->err, "connection closed "
			    "or reply too long after %zu bytes", len);
			return -1;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (strncmp(buf, "action=", 7) != 0) {
		snprintf(c->err, sizeof c->err, "bad reply: %.80s", buf);
		return -1;
	}
	if (strcasestr(buf, "pass") != NULL)
		c->passes++;
	return 0;
}

static void *
pg_run(void *arg)
{
	struct pg_client *c = arg;
	char req[2048], rep[8192];
	size_t len;
	int fd;

	if ((fd = benchio_connect(c->o->addr)) == -1) {
		snprintf(c->err, sizeof c->err, "connect %s: %s", c->o->addr,
		    strerror(errno));
		pthread_barrier_wait(c->start);
		return NULL;
	}
	/* One untimed request first: a peer run by spawn(8) starts its
	 * interpreter on the first request of a connection. */
	len = pg_request(c, -1, req, sizeof req);
	if (write(fd, req, len) != (ssize_t)len ||
	    pg_reply(c, fd, rep, sizeof rep) == -1) {
		snprintf(c->err, sizeof c->err, "warm-up request failed");
		c->passes = -1;
	} else
		c->passes = 0;
	pthread_barrier_wait(c->start);
	for (int i = 0; i < c->o->requests && c->passes >= 0; i++) {
		len = pg_request(c, i, req, sizeof req);
		double t0 = benchio_now();

		if (write(fd, req, len) != (ssize_t)len) {
			snprintf(c->err, sizeof c->err, "write: %s", strerror(errno));
			break;
		}
		if (pg_reply(c, fd, rep, sizeof rep) == -1)
			break;
		c->lat[i] = benchio_now() - t0;
	}
	close(fd);
	return NULL;
}

static int
pg_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
pg_usage(void)
{
	fprintf(stderr, "usage: policygen -S HOST:PORT|/path [-c clients] "
	    "[-n requests] [-w | -C tag] [-a client-ip] [-p pid]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct pg_opts o = { NULL, "192.0.2.10", NULL, 1, 1000 };
	struct pg_client *cs;
	pthread_barrier_t start;
	pthread_t *tids;
	double *all, t0, t1, c0, c1;
	long pid = 0, passes = 0, total;
	int ch, fails = 0;

	while ((ch = getopt(argc, argv, "S:c:n:wC:a:p:")) != -1) {
		switch (ch) {
		case 'S': o.addr = optarg; break;
		case 'c': o.clients = atoi(optarg); break;
		case 'n': o.requests = atoi(optarg); break;
		case 'w': o.cold = NULL; break;
		case 'C': o.cold = optarg; break;
		case 'a': o.ip = optarg; break;
		case 'p': pid = atol(optarg); break;
		default: pg_usage();
		}
	}
	if (o.addr == NULL || o.clients < 1 || o.clients > 2000 ||
	    o.requests < 1 || o.requests > 10000000)
		pg_usage();
	total = (long)o.clients * o.requests;
	cs = calloc((size_t)o.clients, sizeof *cs);
	tids = calloc((size_t)o.clients, sizeof *tids);
	all = calloc((size_t)total, sizeof *all);
	if (cs == NULL || tids == NULL || all == NULL)
		return 2;
	pthread_barrier_init(&start, NULL, (unsigned)o.clients + 1);
	for (int i = 0; i < o.clients; i++) {
		cs[i].o = &o;
		cs[i].start = &start;
		cs[i].id = i;
		cs[i].lat = all + (size_t)i * (size_t)o.requests;
		if (pthread_create(&tids[i], NULL, pg_run, &cs[i]) != 0)
			return 2;
	}
	pthread_barrier_wait(&start);
	c0 = benchio_proc_cpu(pid);
	t0 = benchio_now();
	for (int i = 0; i < o.clients; i++) {
		pthread_join(tids[i], NULL);
		passes += cs[i].passes > 0 ? cs[i].passes : 0;
		if (cs[i].err[0] != '\0' && fails++ == 0)
			fprintf(stderr, "policygen: client %d: %s\n", i, cs[i].err);
	}
	t1 = benchio_now();
	c1 = benchio_proc_cpu(pid);
	qsort(all, (size_t)total, sizeof *all, pg_cmp);
	printf("requests=%ld wall=%.3f rate=%.1f p50_us=%.0f p99_us=%.0f "
	    "max_us=%.0f daemon_cpu=%.2f passes=%ld failed_clients=%d\n", total,
	    t1 - t0, (double)total / (t1 - t0), all[total / 2] * 1e6,
	    all[total * 99 / 100] * 1e6, all[total - 1] * 1e6,
	    pid > 0 ? c1 - c0 : -1.0, passes, fails);
	pthread_barrier_destroy(&start);
	free(all);
	free(cs);
	free(tids);
	return fails > 0 ? 1 : 0;
}
