/*
 * postseal-milter: DKIM signing and verification for Postfix (libmilter).
 *
 * Start-up order (STYLE.md 8): config -> socket -> keys -> drop privileges
 * -> serve.  libmilter runs in its own thread with every signal blocked;
 * this main thread keeps SIGHUP/SIGUSR1 (reload) and SIGTERM/SIGINT (stop)
 * for itself.  libmilter's own signal thread would stop the milter on
 * SIGHUP; the kernel prefers the main thread for a process signal when the
 * main thread does not block it, so the signal reaches us instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callbacks.h"
#include "conf.h"
#include "keybroker.h"
#include "log.h"
#include "privdrop.h"
#include "milterio.h"
#include "runtime.h"
#include "session.h"

#define STOP_GRACE_MS 10000	/* for messages in flight at SIGTERM */

static int signal_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	(void)!write(signal_pipe[1], &c, 1);
	errno = saved;
}

static void
usage(void)
{
	fprintf(stderr, "usage: postseal-milter [-c FILE] [-n] [-f]\n");
	exit(2);
}

static struct conf *
load_conf(const char *path, int check_only)
{
	struct strlist problems = { 0 };
	struct conf *c = conf_load(path, &problems);

	for (size_t i = 0; i < problems.n; i++)
		log_errx("%s", problems.v[i]);
	strlist_clear(&problems);
	if (c == NULL && check_only)
		exit(1);
	if (c == NULL)
		fatalx(1, "event=startup-failed reason=\"configuration has errors\"");
	return c;
}

static struct runtime *
build_runtime(struct conf *c, int check_only)
{
	struct strlist problems = { 0 };
	struct runtime *rt = runtime_build(c, &problems);

	for (size_t i = 0; i < problems.n; i++)
		log_errx("%s", problems.v[i]);
	strlist_clear(&problems);
	if (rt == NULL)
		exit(1);
	return rt;
}

static void
socket_permissions(const struct conf *c)
{
	const char *path = c->milter.socket;
	struct group *gr;

	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	else if (strncmp(path, "local:", 6) == 0)
		path += 6;
	else
		return;
	if (*c->milter.socket_group != '\0') {
		if ((gr = getgrnam(c->milter.socket_group)) == NULL)
			fatalx(1, "event=startup-failed reason=\"milter.socket_group "
			    "%s does not exist\"", c->milter.socket_group);
		if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
			fatal(1, "chown(%s, group %s)", path, c->milter.socket_group);
	}
	if (chmod(path, (mode_t)c->milter.socket_mode) == -1)
		fatal(1, "chmod(%s, %04o)", path, c->milter.socket_mode);
}

static void
open_socket(const struct conf *c)
{
	if (smfi_setconn(c->milter.socket) == MI_FAILURE)
		fatalx(1, "event=startup-failed reason=\"bad milter.socket %s\"",
		    c->milter.socket);
	if (smfi_register(callbacks_desc) == MI_FAILURE)
		fatalx(1, "event=startup-failed reason=\"smfi_register failed\"");
	if (smfi_opensocket(1) == MI_FAILURE)
		fatalx(1, "event=startup-failed reason=\"cannot listen on %s "
		    "(in use, or its directory missing?)\"", c->milter.socket);
	socket_permissions(c);
	milterio_listen_nodelay();
#ifdef POSTSEAL_MILTERIO
	if (strncmp(c->milter.socket, "inet", 4) == 0)
		milterio_quickack();
#endif
}

static void
write_pidfile(const char *path)
{
	FILE *f;

	if (path == NULL || *path == '\0')
		return;
	if ((f = fopen(path, "w")) == NULL)
		fatal(1, "fopen(%s)", path);
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/* Reloads open keys through a process that stays root (keybroker.h);
 * started before any thread, and before the drop. */
static void
start_keybroker(const char *path)
{
	char why[512];

	if (geteuid() != 0)
		return;
	if (keybroker_start(path, why, sizeof why) == -1)
		log_warnx("event=keybroker-failed reason=\"%s\" detail=\"a "
		    "reload reads the keys as the daemon user\"", why);
}

static void
drop_privileges(const struct conf *c)
{
	char why[512];
	int r = privdrop_user(c->user, NULL, why, sizeof why);

	if (r == -1)
		fatalx(1, "event=startup-failed reason=\"privilege drop: %s\"", why);
	if (r == 1)
		log_info("event=not-root detail=\"running as uid %ld; no "
		    "privileges to drop\"", (long)getuid());
}

static void
reload(const char *path)
{
	struct strlist problems = { 0 };
	struct conf *c = conf_load(path, &problems);
	struct runtime *rt = c ? runtime_build(c, &problems) : NULL;

	for (size_t i = 0; i < problems.n; i++)
		log_errx("event=reload-problem detail=\"%s\"", problems.v[i]);
	strlist_clear(&problems);
	if (rt == NULL) {
		log_errx("event=reload-failed action=\"keeping the previous "
		    "configuration and keys\"");
		return;
	}
	runtime_open_history(rt);
	runtime_install(rt);
	log_info("event=reloaded config=%s", path);
}

static void *
milter_thread(void *arg)
{
	(void)arg;
	if (smfi_main() == MI_FAILURE)
		log_errx("event=milter-stopped reason=\"smfi_main failed\"");
	on_signal(SIGTERM);
	return NULL;
}

/* smfi_stop() marks libmilter stopping at once, then waits for its
 * listener, which holds a lock while it polls (seconds). */
static void *
stop_listener(void *arg)
{
	(void)arg;
	smfi_stop();
	return NULL;
}

/*
 * Stop taking connections, let the messages in flight finish (at most
 * STOP_GRACE_MS), then return.  The listener is not waited for: its thread
 * ends with the process.  Messages still in flight after the grace are cut
 * off and the MTA applies its milter_default_action to them; the process
 * then leaves with _exit(), because a callback may still be running in a
 * libmilter thread while exit() would tear down OpenSSL.
 */
static void
stop(void)
{
	pthread_t tid;
	int n, waited = 0;

	log_info("event=stopping in_flight=%d", session_in_flight());
	if (pthread_create(&tid, NULL, stop_listener, NULL) == 0)
		pthread_detach(tid);
	else
		smfi_stop();
	while ((n = session_in_flight()) > 0 && waited < STOP_GRACE_MS) {
		usleep(20 * 1000);
		waited += 20;
	}
	if (n > 0) {
		log_warnx("event=stopped in_flight=%d detail=\"cut off after "
		    "%d ms; the MTA applies milter_default_action to them\"",
		    n, STOP_GRACE_MS);
		_exit(0);
	}
	log_info("event=stopped in_flight=0");
}

static void
serve(const char *path)
{
	sigset_t all, old;
	pthread_t tid;
	unsigned char sig;
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC) == -1)
		fatal(1, "pipe2");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&tid, NULL, milter_thread, NULL) != 0)
		fatalx(1, "event=startup-failed reason=\"pthread_create\"");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	log_info("event=started version=%s", POSTSEAL_VERSION);
	for (;;) {
		ssize_t n = read(signal_pipe[0], &sig, 1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n != 1 || sig == SIGTERM || sig == SIGINT)
			break;
		reload(path);
	}
	stop();
}

int
main(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	int check_only = 0, foreground = 0, ch;
	struct runtime *rt;
	struct conf *c;

	while ((ch = getopt(argc, argv, "c:nfh")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'f': foreground = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* -f logs to stderr only (systemd's journal takes it); a daemon in the
	 * background logs to syslog.  Not both: every syslog() to a missing
	 * /dev/log costs a socket()+connect() per line. */
	log_init("postseal-milter", foreground || check_only,
	    !foreground && !check_only);
	c = load_conf(path, check_only);
	if (!check_only)
		open_socket(c);
	rt = build_runtime(c, check_only);
	if (check_only) {
		printf("configuration OK\n");
		runtime_install(rt);
		runtime_shutdown();
		return 0;
	}
	runtime_install(rt);
	if (!foreground && daemon(0, 0) == -1)
		fatal(1, "daemon");
	start_keybroker(path);
	write_pidfile(rt->conf->milter.pidfile);
	drop_privileges(rt->conf);
	runtime_check_reload(rt, path);
	runtime_open_history(rt);
	serve(path);
	runtime_shutdown();
	return 0;
}
