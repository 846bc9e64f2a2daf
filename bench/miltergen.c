/*
 * miltergen: a milter-protocol (version 6) load generator, no MTA needed.
 *
 *	miltergen -S unix:/path|inet:PORT@HOST [-c CONNS] [-m MSGS] [-l BYTES]
 *	          [-f FILE] [-d DOMAIN] [-a AUTHUSER] [-i IP] [-p PID] [-e N]
 *	          [-x TEXT]
 *	miltergen -w OUTFILE [-l BYTES] [-d DOMAIN]
 *
 * Opens CONNS connections at once; each negotiates (SMFIC_OPTNEG), sends
 * CONNECT (client IP, default 127.0.0.1, so the milter treats the mail as
 * internal) and HELO, then MSGS messages: MAIL (with the {auth_authen}
 * macro when -a is given), RCPT, DATA, the headers, EOH, the body in
 * chunks of at most 64 KB, EOM, reading the milter's modification
 * requests until its final reply.  Steps the milter asked to skip
 * (SMFIP_NO*) are not sent; replies it asked not to give (SMFIP_NR_*) are
 * not awaited (mgproto.c).  The message is generated (about -l bytes in
 * all, From sender@DOMAIN) or read from FILE (-f, headers and body as on the wire).
 *
 * Prints one line of key=value: messages, wall seconds, messages/s, the
 * milter process's CPU seconds during the run (from /proc/PID/stat, -p),
 * the generator's own CPU seconds, headers added and final replies.
 * Exits 1 on a protocol or connection error, or when fewer than -e
 * headers were added per message (a milter that stopped signing); with
 * -x STRING only added headers containing STRING count.  -w FILE writes
 * the generated message to FILE and exits.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "benchio.h"
#include "mgmsg.h"
#include "mgproto.h"

static double
mg_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* -w FILE: write the generated message instead of sending it. */
static int
mg_write(const char *path, const char *domain, size_t size)
{
	struct mgmsg *m = mgmsg_generate(domain, size);
	FILE *f = fopen(path, "wb");
	int ok = m != NULL && f != NULL &&
	    fwrite(m->text, 1, m->textlen, f) == m->textlen;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	mgmsg_free(m);
	return ok ? 0 : 1;
}

static void
mg_usage(void)
{
	fprintf(stderr, "usage: miltergen -S unix:PATH|inet:PORT@HOST [-c conns] "
	    "[-m msgs] [-l bytes] [-f file] [-d domain] [-a auth] [-i ip] "
	    "[-p pid] [-e headers-per-message] [-x match] [-w outfile]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct mg_opts o = { NULL, "127.0.0.1", NULL, NULL, 1, 100, 0, NULL };
	const char *file = NULL, *domain = "bench.example", *out = NULL;
	long pid = 0, size = 4096, added = 0, acc = 0, rej = 0, tf = 0;
	double t0, t1, c0, c1, s0;
	struct mg_conn *cs;
	pthread_t *tids;
	int ch, fails = 0;

	while ((ch = getopt(argc, argv, "S:c:m:l:f:d:a:i:p:e:x:w:")) != -1) {
		switch (ch) {
		case 'S': o.sock = optarg; break;
		case 'c': o.conns = atoi(optarg); break;
		case 'm': o.msgs = atoi(optarg); break;
		case 'l': size = atol(optarg); break;
		case 'f': file = optarg; break;
		case 'd': domain = optarg; break;
		case 'a': o.auth = optarg; break;
		case 'i': o.ip = optarg; break;
		case 'p': pid = atol(optarg); break;
		case 'e': o.expect = atoi(optarg); break;
		case 'x': o.match = optarg; break;
		case 'w': out = optarg; break;
		default: mg_usage();
		}
	}
	if (out != NULL)
		return mg_write(out, domain, (size_t)size);
	if (o.sock == NULL || o.conns < 1 || o.conns > 1000 || o.msgs < 1 ||
	    size < 0 || size > 64L * 1024 * 1024)
		mg_usage();
	o.msg = file ? mgmsg_load(file) : mgmsg_generate(domain, (size_t)size);
	if (o.msg == NULL) {
		fprintf(stderr, "miltergen: cannot %s the message%s%s\n",
		    file ? "read" : "make", file ? " " : "", file ? file : "");
		return 2;
	}
	cs = calloc((size_t)o.conns, sizeof *cs);
	tids = calloc((size_t)o.conns, sizeof *tids);
	if (cs == NULL || tids == NULL)
		return 2;
	c0 = benchio_proc_cpu(pid);
	s0 = mg_self_cpu();
	t0 = benchio_now();
	for (int i = 0; i < o.conns; i++) {
		cs[i].o = &o;
		cs[i].id = i;
		if (pthread_create(&tids[i], NULL, mgproto_run, &cs[i]) != 0)
			return 2;
	}
	for (int i = 0; i < o.conns; i++) {
		pthread_join(tids[i], NULL);
		added += cs[i].added;
		acc += cs[i].accepted;
		rej += cs[i].rejected;
		tf += cs[i].tempfailed;
		if (cs[i].err[0] != '\0' && fails++ == 0)
			fprintf(stderr, "miltergen: connection %d: %s\n", i, cs[i].err);
	}
	t1 = benchio_now();
	c1 = benchio_proc_cpu(pid);
	long total = (long)o.conns * o.msgs;
	printf("messages=%ld wall=%.3f rate=%.1f milter_cpu=%.2f "
	    "milter_cpu_per_msg_us=%.1f gen_cpu=%.2f added=%ld accepted=%ld "
	    "rejected=%ld tempfailed=%ld failed_conns=%d\n", total, t1 - t0,
	    (double)total / (t1 - t0), pid > 0 ? c1 - c0 : -1.0,
	    pid > 0 ? (c1 - c0) / (double)total * 1e6 : -1.0,
	    mg_self_cpu() - s0, added, acc, rej, tf, fails);
	mgmsg_free(o.msg);
	free(cs);
	free(tids);
	if (fails > 0 || acc != total || added < (long)o.expect * total)
		return 1;
	return 0;
}
