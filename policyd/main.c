/*
 * postseal-policyd: SPF decisions over the Postfix policy protocol.
 *
 * Start-up order (STYLE.md 8): config -> listener -> daemonize -> resolver
 * and SPF engine -> drop privileges -> serve.  No request is read before
 * the drop.  SIGTERM/SIGINT: remove the socket and pidfile, exit 0.
 * SIGHUP: load the config again, keep the old one on any problem.
 */
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "handle.h"
#include "listener.h"
#include "log.h"
#include "privdrop.h"
#include "server.h"
#include "state.h"
#include "xmalloc.h"

#define IDENT "postseal-policyd"

/*
 * Shared with the connection threads, which may still run while main
 * returns: static storage keeps them valid to the very end.
 */
static struct live shared_live;
static struct handler handler;

struct opts {
	const char *config;
	int check, foreground, stdio;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: " IDENT " [-c FILE] [-n] [-f] [--stdio]\n");
	exit(2);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "stdio", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->config = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:nf", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'n': o->check = 1; break;
		case 'f': o->foreground = 1; break;
		case 'S': o->stdio = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
}

/* -n: every problem, or "configuration OK". */
static int
check_config(const char *path)
{
	struct strlist problems = { NULL, 0 };
	struct state *st = state_load(path, &problems);
	int ok = st != NULL && problems.n == 0;

	for (size_t i = 0; i < problems.n; i++)
		fprintf(stderr, "%s\n", problems.v[i]);
	if (ok)
		printf("configuration OK\n");
	strlist_clear(&problems);
	state_free(&st);
	return ok ? 0 : 1;
}

static struct state *
load_or_report(const char *path)
{
	struct strlist problems = { NULL, 0 };
	struct state *st = state_load(path, &problems);

	for (size_t i = 0; i < problems.n; i++)
		log_warnx("event=config problem=\"%s\"", problems.v[i]);
	strlist_clear(&problems);
	return st;
}

/*
 * spawn(8) mode: stdout is the protocol.  Keep a private copy of it and
 * point fds 1 and 2 at /dev/null, so no library can ever write into it.
 */
static int
stdio_guard(void)
{
	int out = fcntl(1, F_DUPFD_CLOEXEC, 3), null;

	if (out == -1 || (null = open("/dev/null", O_RDWR)) == -1)
		fatal(1, "event=start stdio");
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
	return out;
}

static void
daemonize(void)
{
	int null;

	if (daemon(0, 1) == -1)
		fatal(1, "event=start daemon");
	if ((null = open("/dev/null", O_RDWR)) == -1)
		fatal(1, "event=start open(/dev/null)");
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
}

static void
write_pidfile(const char *path)
{
	FILE *f;
	int fd;

	if (path == NULL || *path == '\0')
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL)
		fatal(1, "event=start pidfile=%s", path);
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

static void
drop_privileges(const char *user)
{
	char why[512];
	int r = privdrop_user(user, NULL, why, sizeof why);

	if (r == 1)
		log_warnx("event=privdrop user=%s result=skipped reason=\"not "
		    "running as root\"", user);
	else if (r == -1)
		fatalx(1, "event=privdrop user=%s result=fail reason=\"%s\"",
		    user, why);
}

static void
reload(struct live *live, const char *path)
{
	struct state *st = load_or_report(path);
	char why[512];

	if (st == NULL || state_resolver(st, why, sizeof why) == -1) {
		if (st != NULL)
			log_warnx("event=reload result=fail reason=\"%s\"", why);
		else
			log_warnx("event=reload result=fail reason=\"config "
			    "problems\" config=%s", path);
		state_free(&st);
		return;
	}
	live_swap(live, st);
	log_info("event=reload result=ok config=%s", path);
}

/* Accept connections until SIGTERM or SIGINT; SIGHUP reloads. */
static void
serve(struct server *srv, struct live *live, int lfd, int sfd,
    const char *path)
{
	struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN },
	    { .fd = sfd, .events = POLLIN } };
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno != EINTR)
				fatal(1, "event=poll");
			continue;
		}
		if (pfd[1].revents & POLLIN) {
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo != SIGHUP)
				return;
			reload(live, path);
		}
		if (pfd[0].revents & POLLIN)
			server_accept(srv, lfd);
	}
}

static int
block_signals(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Threads inherit the mask: only the signalfd sees these signals. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		fatal(1, "event=start signalfd");
	return fd;
}

/* The daemon's own exit: listener and pidfile go, shared state stays
 * allocated while connection threads may still use it. */
static void
stop(struct server **srv, struct listener *l, char *pidfile)
{
	int busy = server_active(*srv);

	log_info("event=stop open_connections=%d", busy);
	listener_close(l);
	if (pidfile != NULL && *pidfile != '\0' && unlink(pidfile) == -1)
		log_warn("event=stop unlink=%s", pidfile);
	free(pidfile);
	if (busy > 0)
		return;
	server_free(srv);
	cache_free(&handler.cache);
	live_destroy(&shared_live);
}

int
main(int argc, char **argv)
{
	struct listener l = { -1, NULL };
	struct server *srv;
	struct state *st;
	struct opts o;
	char why[512], *pidfile = NULL;
	int out = 1, sfd = -1;

	parse_opts(argc, argv, &o);
	if (o.check)
		return check_config(o.config);
	if (o.stdio) {
		log_init(IDENT, 0, 1);
		out = stdio_guard();
	} else {
		log_init(IDENT, 1, !o.foreground);
	}
	if ((st = load_or_report(o.config)) == NULL)
		fatalx(1, "event=start result=fail reason=\"config problems\" "
		    "config=%s", o.config);
	if (!o.stdio && listener_open(st->conf->policyd.socket,
	    st->conf->policyd.socket_mode, st->conf->policyd.socket_group, &l,
	    why, sizeof why) == -1)
		fatalx(1, "event=start result=fail reason=\"%s\"", why);
	if (!o.stdio && !o.foreground) {
		daemonize();
		log_set_stderr(0);
	}
	/* Before any thread exists, so that every thread inherits the mask. */
	if (!o.stdio)
		sfd = block_signals();
	if (state_resolver(st, why, sizeof why) == -1)
		fatalx(1, "event=start result=fail reason=\"%s\"", why);
	if (!o.stdio) {
		pidfile = xstrdup(st->conf->policyd.pidfile);
		write_pidfile(pidfile);
	}
	drop_privileges(st->conf->user);

	handler.cache = cache_new();
	handler.live = &shared_live;
	srv = server_new(&handler, st->conf->policyd.max_connections,
	    SERVER_IDLE_TIMEOUT);
	live_init(&shared_live, st);
	if (o.stdio) {
		server_serve_fd(srv, 0, out, "stdio");
		server_free(&srv);
		cache_free(&handler.cache);
		live_destroy(&shared_live);
		return 0;
	}
	log_info("event=start socket=%s spf=%s", st->conf->policyd.socket,
	    spf_engine_name());
	serve(srv, &shared_live, l.fd, sfd, o.config);
	close(sfd);
	stop(&srv, &l, pidfile);
	return 0;
}
