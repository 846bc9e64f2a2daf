/* keybroker: see keybroker.h. */
#include "keybroker.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "keytable.h"
#include "privdrop.h"
#include "strlist.h"

#define KEYBROKER_MAX_PATH 4096
#define KEYBROKER_TIMEOUT_S 10	/* a configuration and a file: milliseconds */

/* The milter's end of the socket pair and the broker; written once,
 * before any thread. */
static int keybroker_fd = -1;
static pid_t keybroker_pid = -1;
/* One request and its answer at a time on the socket. */
static pthread_mutex_t keybroker_lock = PTHREAD_MUTEX_INITIALIZER;

int
keybroker_running(void)
{
	return keybroker_fd != -1;
}

static int
keybroker_in_table(const struct conf *c, const char *path,
    struct strlist *problems)
{
	struct keytable t;
	int found = 0;

	if (*c->milter.keytable == '\0')
		return 0;
	memset(&t, 0, sizeof t);
	(void)keytable_read(&t, c->milter.keytable, c->milter.signingtable,
	    problems);
	for (size_t i = 0; i < t.n_keys && !found; i++)
		found = strcmp(t.keys[i].path, path) == 0;
	keytable_clear(&t);
	return found;
}

int
keybroker_allowed(const char *conf_path, const char *path,
    struct safepath_trust *trust, char *why, size_t n)
{
	struct strlist problems = { 0 };
	struct conf *c = conf_load(conf_path, &problems);
	int found = 0;
	gid_t gid;

	memset(trust, 0, sizeof *trust);
	if (c == NULL) {
		snprintf(why, n, "%s does not load%s%s", conf_path,
		    problems.n > 0 ? ": " : "", problems.n > 0 ? problems.v[0] : "");
		strlist_clear(&problems);
		return 0;
	}
	for (int i = 0; i < c->milter.n_sign && !found; i++) {
		char *p = conf_key_path(c, &c->milter.sign[i]);

		found = strcmp(p, path) == 0;
		free(p);
	}
	if (!found)
		found = keybroker_in_table(c, path, &problems);
	trust->enforce = c->keys.require_safe;
	if (privdrop_lookup(c->user, &trust->uid, &gid, why, n) == -1)
		trust->uid = (uid_t)-1;
	if (!found)
		snprintf(why, n, "%s names no key file %s", conf_path, path);
	conf_free(&c);
	strlist_clear(&problems);
	return found;
}

/* The verdict, and the descriptor when there is one. */
static int
keybroker_send(int s, const struct safepath_verdict *v, int fd)
{
	struct safepath_verdict copy = *v;
	struct iovec iov = { &copy, sizeof copy };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct cmsghdr *cm;

	if (fd != -1) {
		memset(&u, 0, sizeof u);
		m.msg_control = u.buf;
		m.msg_controllen = sizeof u.buf;
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	}
	while (sendmsg(s, &m, MSG_NOSIGNAL) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

static void
keybroker_serve(int s, const char *conf_path)
{
	char path[KEYBROKER_MAX_PATH + 1], why[1024];
	struct safepath_verdict v;
	struct safepath_trust trust;
	ssize_t n;
	int fd;

	while ((n = recv(s, path, sizeof path - 1, 0)) > 0 || (n == -1 &&
	    errno == EINTR)) {
		if (n <= 0)
			continue;
		path[n] = '\0';
		fd = -1;
		if (keybroker_allowed(conf_path, path, &trust, why, sizeof why))
			fd = safepath_open(path, &trust, &v);
		else {
			memset(&v, 0, sizeof v);
			v.status = SAFEPATH_ERROR;
			snprintf(v.component, sizeof v.component, "%.*s",
			    (int)sizeof v.component - 1, path);
			snprintf(v.reason, sizeof v.reason, "not opened for the "
			    "reload: %.*s", (int)sizeof v.reason - 40, why);
		}
		n = keybroker_send(s, &v, fd);
		if (fd != -1)
			close(fd);
		if (n == -1)
			return;
	}
}

/* In the child: nothing but the socket, serve until the milter is gone. */
static void
keybroker_child(int s, const char *conf_path, pid_t milter)
{
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != milter)
		_exit(0);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* Not the milter's listening socket, syslog's or any other; the
	 * broker reports through its answers only. */
	if (s > 3)
		(void)close_range(3, (unsigned)s - 1, 0);
	(void)close_range((unsigned)s + 1, ~0U, 0);
	keybroker_serve(s, conf_path);
	_exit(0);
}

int
keybroker_start(const char *conf_path, char *why, size_t n)
{
	struct timeval tv = { KEYBROKER_TIMEOUT_S, 0 };
	pid_t me = getpid(), pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(why, n, "socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(why, n, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		keybroker_child(sv[1], conf_path, me);
	}
	close(sv[1]);
	(void)setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	keybroker_fd = sv[0];
	keybroker_pid = pid;
	return 0;
}

/* The descriptor in m's control data, or -1. */
static int
keybroker_fd_of(struct msghdr *m)
{
	struct cmsghdr *cm = CMSG_FIRSTHDR(m);
	int fd = -1;

	if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

int
keybroker_open(const char *path, const struct safepath_trust *t,
    struct safepath_verdict *v, void *arg)
{
	struct iovec iov = { v, sizeof *v };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t r = -1;
	int fd = -1, e = 0;

	(void)t;
	(void)arg;
	memset(&u, 0, sizeof u);
	pthread_mutex_lock(&keybroker_lock);
	if (keybroker_fd != -1 && strlen(path) <= KEYBROKER_MAX_PATH &&
	    send(keybroker_fd, path, strlen(path), MSG_NOSIGNAL) != -1)
		r = recvmsg(keybroker_fd, &m, MSG_CMSG_CLOEXEC);
	e = errno;
	pthread_mutex_unlock(&keybroker_lock);
	if (r > 0)
		fd = keybroker_fd_of(&m);
	if (r != (ssize_t)sizeof *v || (v->status == SAFEPATH_OK && fd == -1) ||
	    (v->status == SAFEPATH_ERROR && fd != -1)) {
		if (fd != -1)
			close(fd);
		/* A broker that died is reaped here, not left a zombie. */
		(void)waitpid(keybroker_pid, NULL, WNOHANG);
		memset(v, 0, sizeof *v);
		v->status = SAFEPATH_ERROR;
		snprintf(v->component, sizeof v->component, "%s", path);
		snprintf(v->reason, sizeof v->reason, "%s: no answer from the "
		    "key broker (the process that opens keys as root for a "
		    "reload)%s%s", path, r == -1 ? ": " : "",
		    r == -1 ? strerror(e) : "");
		return -1;
	}
	v->component[sizeof v->component - 1] = '\0';
	v->reason[sizeof v->reason - 1] = '\0';
	v->fix[sizeof v->fix - 1] = '\0';
	return fd;
}
