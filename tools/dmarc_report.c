/*
 * postseal dmarc-report [-c FILE] [--db PATH] [--since T --until T]
 *                       [--out DIR] [--send] [--sendmail PATH]
 *
 * Reads the DMARC history (milter.dmarc.history, or --db) and writes one
 * RFC 9990 aggregate report per policy domain and UTC day of [since,
 * until) into DIR as receiver!policy-domain!begin!end.xml.gz (gzip by
 * /bin/gzip -n).  T is seconds since the epoch or YYYY-MM-DD (UTC); the
 * default is yesterday.  Each rua mailto: address outside the policy
 * domain's organizational domain must be authorised by a v=DMARC1 TXT
 * record at <policy-domain>._report._dmarc.<host> (RFC 9990 4, RFC 7489
 * 7.1); others are dropped.  --send mails each report to its authorised
 * addresses through sendmail -t -oi, from dmarc-noreply@<authserv_id>;
 * mail from that address is never reported on.
 * Exit: 0 done, 1 a report could not be written or sent, 2 usage/config.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "domain.h"
#include "history.h"
#include "strlist.h"
#include "toolconf.h"
#include "xmalloc.h"

struct rpt {
	struct history *h;
	struct dns *dns;
	const char *receiver;		/* authserv_id */
	char *from;			/* dmarc-noreply@receiver */
	const char *outdir;
	const char *sendmail;		/* NULL: do not send */
	int failed;
};

/* One report being made: its day, domain, id and file. */
struct rpt_one {
	time_t begin, end;		/* [begin, end) */
	const char *domain;
	const char *rua;
	char id[400];
	char file[1024];
};

static int
rpt_time(const char *s, time_t *out)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0') {
		*out = timegm(&tm);
		return 0;
	}
	errno = 0;
	*out = (time_t)strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= 0 ? 0 : -1;
}

/* Run argv with stdin from a new pipe and stdout to fd (or inherited when
 * fd is -1).  Returns the pipe's write end as a FILE, *pid set. */
static FILE *
rpt_spawn(char *const argv[], int fd, pid_t *pid)
{
	int p[2];

	if (pipe(p) == -1)
		return NULL;
	if ((*pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (*pid == 0) {
		dup2(p[0], 0);
		if (fd != -1)
			dup2(fd, 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[0]);
	return fdopen(p[1], "w");
}

static int
rpt_wait(FILE *f, pid_t pid)
{
	int st, bad = fclose(f) != 0;

	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return bad || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ? -1 : 0;
}

/* Write one report through gzip.  Returns messages reported or -1. */
static long
rpt_write(struct rpt *r, struct rpt_one *o)
{
	char *const argv[] = { "/bin/gzip", "-n", "-c", NULL };
	struct history_reporter rep = { r->receiver, r->from, NULL, o->id,
	    r->from };
	const char *why = "write failed";
	pid_t pid;
	FILE *f;
	long n;
	int fd;

	fd = open(o->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || (f = rpt_spawn(argv, fd, &pid)) == NULL) {
		fprintf(stderr, "postseal dmarc-report: %s: %s\n", o->file,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	n = history_report(r->h, o->domain, o->begin, o->end, &rep, f, &why);
	if (rpt_wait(f, pid) == -1 && n >= 0) {
		why = "gzip failed";
		n = -1;
	}
	if (n == -1)
		fprintf(stderr, "postseal dmarc-report: %s: %s\n", o->file, why);
	if (n <= 0)
		unlink(o->file);
	return n;
}

/* The address of a "mailto:" URI without "!size" or "?query". */
static int
rpt_mailto(const char *uri, char *addr, size_t n)
{
	size_t len;

	while (*uri == ' ')
		uri++;
	if (strncasecmp(uri, "mailto:", 7) != 0)
		return -1;
	uri += 7;
	len = strcspn(uri, "!?, ");
	if (len == 0 || len >= n || memchr(uri, '@', len) == NULL)
		return -1;
	memcpy(addr, uri, len);
	addr[len] = '\0';
	return 0;
}

/* RFC 9990 4: an address outside the policy domain's organization needs
 * <domain>._report._dmarc.<host> TXT starting with v=DMARC1.  Returns 1
 * authorised, 0 not (with *why). */
static int
rpt_authorised(struct rpt *r, const char *domain, const char *addr,
    const char **why)
{
	const char *host = strrchr(addr, '@') + 1;
	char o1[256], o2[256], name[600];
	struct dns_answer a;
	int ok = 0;
	size_t i;

	if (strcasecmp(domain_org(host, o1, sizeof o1) ? o1 : host,
	    domain_org(domain, o2, sizeof o2) ? o2 : domain) == 0)
		return 1;
	snprintf(name, sizeof name, "%s._report._dmarc.%s", domain, host);
	memset(&a, 0, sizeof a);
	dns_txt(r->dns, name, &a);
	for (i = 0; a.status == DNS_OK && i < a.n; i++)
		ok |= dmarcrec_is_record(a.txt[i], a.txt_len[i]);
	*why = a.status == DNS_TEMP ? "temporary DNS failure, try later" :
	    "no v=DMARC1 record at the _report._dmarc name";
	dns_answer_free(&a);
	return ok;
}

static void
rpt_base64(FILE *out, FILE *in)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char b[57];
	size_t n, i;

	while ((n = fread(b, 1, sizeof b, in)) > 0) {
		for (i = 0; i < n; i += 3) {
			unsigned v = (unsigned)b[i] << 16 |
			    (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) |
			    (i + 2 < n ? b[i + 2] : 0);
			fputc(b64[v >> 18 & 63], out);
			fputc(b64[v >> 12 & 63], out);
			fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', out);
			fputc(i + 2 < n ? b64[v & 63] : '=', out);
		}
		fputc('\n', out);
	}
}

static void
rpt_message(struct rpt *r, const struct rpt_one *o, const char *to, FILE *m,
    FILE *gz)
{
	const char *base = strrchr(o->file, '/') ? strrchr(o->file, '/') + 1 :
	    o->file;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000",
	    gmtime_r(&now, &tm));
	fprintf(m, "From: %s\nTo: %s\nDate: %s\nMessage-ID: <%s>\n"
	    "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\n"
	    "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	    "boundary=\"=_postseal_%lld\"\n\n", r->from, to, date, o->id,
	    o->domain, r->receiver, o->id, (long long)o->begin);
	fprintf(m, "--=_postseal_%lld\nContent-Type: text/plain; "
	    "charset=us-ascii\n\nDMARC aggregate report for %s from %s.\n\n",
	    (long long)o->begin, o->domain, r->receiver);
	fprintf(m, "--=_postseal_%lld\nContent-Type: application/gzip; "
	    "name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n", (long long)o->begin, base,
	    base);
	rpt_base64(m, gz);
	fprintf(m, "--=_postseal_%lld--\n", (long long)o->begin);
}

static void
rpt_send(struct rpt *r, const struct rpt_one *o, const char *to)
{
	char *const argv[] = { (char *)r->sendmail, "-t", "-oi", "-f", r->from,
	    NULL };
	FILE *m, *gz;
	pid_t pid;

	if ((gz = fopen(o->file, "r")) == NULL ||
	    (m = rpt_spawn(argv, -1, &pid)) == NULL) {
		fprintf(stderr, "postseal dmarc-report: send %s: %s\n", o->file,
		    strerror(errno));
		if (gz != NULL)
			fclose(gz);
		r->failed = 1;
		return;
	}
	rpt_message(r, o, to, m, gz);
	fclose(gz);
	if (rpt_wait(m, pid) == -1) {
		fprintf(stderr, "postseal dmarc-report: %s failed for %s\n",
		    r->sendmail, to);
		r->failed = 1;
	} else
		printf("sent: %s to %s\n", o->file, to);
}

static void
rpt_deliver(struct rpt *r, const struct rpt_one *o)
{
	char uris[2048], addr[DMARC_MAX_URI + 1];
	const char *why = "";
	char *u, *save = NULL;

	snprintf(uris, sizeof uris, "%s", o->rua);
	for (u = strtok_r(uris, ",", &save); u != NULL;
	    u = strtok_r(NULL, ",", &save)) {
		if (rpt_mailto(u, addr, sizeof addr) == -1) {
			printf("rua: %s: not a mailto: address, skipped\n", u);
			continue;
		}
		if (!rpt_authorised(r, o->domain, addr, &why)) {
			printf("rua: %s: not authorised (%s)\n", addr, why);
			continue;
		}
		printf("rua: %s: authorised\n", addr);
		if (r->sendmail != NULL)
			rpt_send(r, o, addr);
	}
}

/* history_domains() hands out "domain" and "rua"; kept as two lists. */
static void
rpt_collect(void *arg, const char *domain, const char *rua)
{
	struct strlist *l = arg;

	strlist_add(&l[0], domain);
	strlist_add(&l[1], rua);
}

static void
rpt_day(struct rpt *r, time_t begin, time_t end)
{
	struct strlist l[2] = { { 0 }, { 0 } };
	struct rpt_one o;
	const char *why;
	size_t i;
	long n;

	if (history_domains(r->h, begin, end, rpt_collect, l, &why) == -1) {
		fprintf(stderr, "postseal dmarc-report: history: %s\n", why);
		r->failed = 1;
	}
	for (i = 0; i < l[0].n; i++) {
		memset(&o, 0, sizeof o);
		o.begin = begin;
		o.end = end;
		o.domain = l[0].v[i];
		o.rua = l[1].v[i];
		snprintf(o.id, sizeof o.id, "%lld.%s@%s", (long long)begin,
		    o.domain, r->receiver);
		snprintf(o.file, sizeof o.file, "%s/%s!%s!%lld!%lld.xml.gz",
		    r->outdir, r->receiver, o.domain, (long long)begin,
		    (long long)end - 1);
		if ((n = rpt_write(r, &o)) < 0)
			r->failed = 1;
		if (n <= 0)
			continue;
		printf("report: %s messages=%ld\n", o.file, n);
		rpt_deliver(r, &o);
	}
	strlist_clear(&l[0]);
	strlist_clear(&l[1]);
}

static struct dns *
rpt_dns(const struct conf *c)
{
	struct dns *d;
	char why[256];

	if ((d = conf_resolver(c, why, sizeof why)) == NULL)
		fprintf(stderr, "postseal dmarc-report: resolver: %s\n", why);
	return d;
}

struct rpt_opts {
	const char *conf, *db, *since, *until, *outdir, *sendmail;
	int send;
};

static int
rpt_options(int argc, char **argv, struct rpt_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ "send", no_argument, NULL, 'S' },
		{ "sendmail", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->outdir = ".";
	o->sendmail = "/usr/sbin/sendmail";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'd': o->db = optarg; break;
		case 's': o->since = optarg; break;
		case 'u': o->until = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'S': o->send = 1; break;
		case 'm': o->sendmail = optarg; break;
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* [since, until): given, or yesterday (UTC). */
static int
rpt_period(const struct rpt_opts *o, time_t *since, time_t *until)
{
	time_t now = time(NULL);

	*until = now - now % 86400;
	if (o->until != NULL && rpt_time(o->until, until) == -1)
		return -1;
	*since = *until - 86400;
	if (o->since != NULL && rpt_time(o->since, since) == -1)
		return -1;
	return *since < *until ? 0 : -1;
}

static int
rpt_open(struct rpt *r, const struct conf *c, const struct rpt_opts *o)
{
	const char *db = o->db ? o->db : c->milter.dmarc.history;
	const char *why;

	if (db == NULL || *db == '\0') {
		fprintf(stderr, "postseal dmarc-report: milter.dmarc.history is "
		    "not set; give --db PATH\n");
		return -1;
	}
	if ((r->h = history_open(db, &why)) == NULL) {
		fprintf(stderr, "postseal dmarc-report: %s: %s\n", db, why);
		return -1;
	}
	if ((r->dns = rpt_dns(c)) == NULL)
		return -1;
	r->receiver = c->authserv_id;
	r->from = xasprintf("dmarc-noreply@%s", c->authserv_id);
	r->outdir = o->outdir;
	r->sendmail = o->send ? o->sendmail : NULL;
	return 0;
}

static int
rpt_run(int argc, char **argv)
{
	struct rpt r = { 0 };
	struct rpt_opts o;
	struct conf *c;
	time_t since, until, day;
	int rc = EXIT_USAGE;

	if (rpt_options(argc, argv, &o) == -1)
		return command_usage("dmarc-report");
	if (rpt_period(&o, &since, &until) == -1) {
		fprintf(stderr, "postseal dmarc-report: bad --since/--until "
		    "(seconds or YYYY-MM-DD, since before until)\n");
		return EXIT_USAGE;
	}
	if ((c = toolconf_load("dmarc-report", o.conf, 0)) == NULL)
		return EXIT_USAGE;
	if (rpt_open(&r, c, &o) == 0) {
		/* One report per UTC day: reports cover whole days. */
		for (day = since - since % 86400; day < until; day += 86400)
			rpt_day(&r, day < since ? since : day,
			    day + 86400 < until ? day + 86400 : until);
		rc = r.failed ? EXIT_FINDING : EXIT_OK;
	}
	history_close(&r.h);
	dns_free(&r.dns);
	free(r.from);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(dmarc_report, "dmarc-report",
    "[-c FILE] [--db PATH] [--since T --until T] [--out DIR] [--send] "
    "[--sendmail PATH]",
    "DMARC aggregate reports (RFC 9990) from the history, gzip, optionally "
    "mailed", rpt_run)
