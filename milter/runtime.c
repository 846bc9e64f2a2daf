/* runtime: see runtime.h. */
#include "runtime.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkverify.h"
#include "dns.h"
#include "history.h"
#include "keybroker.h"
#include "keys.h"
#include "log.h"
#include "privdrop.h"
#include "safepath.h"
#include "spf.h"
#include "xmalloc.h"

/* The live runtime: swapped by pointer under this lock (DESIGN.md reload). */
static pthread_mutex_t runtime_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime *runtime_live;

static void
runtime_free(struct runtime *rt)
{
	if (rt == NULL)
		return;
	dkverify_lib_free(&rt->vlib);
	spf_free(&rt->spf);
	history_close(&rt->history);
	keys_free(&rt->keys);
	dns_free(&rt->dns);
	free(rt->internal);
	conf_free(&rt->conf);
	free(rt);
}

static void
runtime_trust(const struct conf *c, struct safepath_trust *t)
{
	uid_t uid;
	gid_t gid;
	char why[256];

	memset(t, 0, sizeof *t);
	t->enforce = c->keys.require_safe;
	t->uid = (uid_t)-1;
	if (privdrop_lookup(c->user, &uid, &gid, why, sizeof why) == 0)
		t->uid = uid;
	/* After the privilege drop (a reload), root opens the keys. */
	if (geteuid() != 0 && keybroker_running())
		t->opener = keybroker_open;
}

/* The reason a reload could not read path, or "" (why has n bytes). */
static void
runtime_reload_hint(const char *path, char *why, size_t n)
{
	struct passwd *pw;
	struct group *gr;

	*why = '\0';
	if (geteuid() == 0 || access(path, R_OK) == 0 || errno != EACCES)
		return;
	pw = getpwuid(geteuid());
	gr = getgrgid(getegid());
	snprintf(why, n, "user %s (uid %ld) cannot read %s; a reload reads it "
	    "as that user and would fail, keeping the current configuration "
	    "and keys: make the file readable to it (chgrp %s %s; chmod g+r "
	    "%s) or restart the daemon instead of reloading",
	    pw ? pw->pw_name : "?", (long)geteuid(), path,
	    gr ? gr->gr_name : "?", path, path);
}

static void
runtime_warn_reload(const char *what, const char *path)
{
	char why[1024];

	runtime_reload_hint(path, why, sizeof why);
	if (*why != '\0')
		log_warnx("event=reload-unreadable file=%s what=%s detail=\"%s\"",
		    path, what, why);
}

/* A KeyTable / SigningTable setting names its file after "file:" or
 * "refile:", or is the path itself. */
static const char *
runtime_table_path(const char *v)
{
	const char *colon = strchr(v, ':');

	return colon != NULL && v[0] != '/' ? colon + 1 : v;
}

void
runtime_check_reload(const struct runtime *rt, const char *conf_path)
{
	const struct conf *c = rt->conf;

	runtime_warn_reload("config", conf_path);
	/* Keys: the broker opens them as root, when there is one. */
	for (size_t i = 0; !keybroker_running() && i < keys_count(rt->keys); i++)
		runtime_warn_reload("key", keys_get(rt->keys, i)->path);
	if (*c->milter.keytable != '\0')
		runtime_warn_reload("keytable", runtime_table_path(c->milter.keytable));
	if (*c->milter.signingtable != '\0')
		runtime_warn_reload("signingtable",
		    runtime_table_path(c->milter.signingtable));
}

static void
runtime_load_keys(struct runtime *rt, struct strlist *problems)
{
	const struct conf *c = rt->conf;
	struct safepath_trust trust;
	char why[2048];

	runtime_trust(c, &trust);
	rt->keys = keys_new();
	for (int i = 0; i < c->milter.n_sign; i++) {
		const struct conf_sign *s = &c->milter.sign[i];
		char *path = conf_key_path(c, s);

		if (keys_add_file(rt->keys, s->domain, s->selector, path, &trust,
		    why, sizeof why) == -1) {
			char hint[1024];

			*hint = '\0';
			if (!keybroker_running())
				runtime_reload_hint(path, hint, sizeof hint);
			strlist_addf(problems, "key %s/%s: %s%s%s%s", s->domain,
			    s->selector, why, *hint ? " (" : "", hint,
			    *hint ? ")" : "");
		}
		free(path);
	}
	if (*c->milter.keytable != '\0' || *c->milter.signingtable != '\0')
		keys_load_opendkim(rt->keys, c->milter.keytable,
		    c->milter.signingtable, &trust, problems);
}

static void
runtime_parse_internal(struct runtime *rt, struct strlist *problems)
{
	const struct strlist *l = &rt->conf->milter.internal_hosts;

	rt->internal = xcalloc(l->n, sizeof *rt->internal);
	for (size_t i = 0; i < l->n; i++)
		if (domain_cidr_parse(l->v[i], &rt->internal[rt->n_internal]) == 0)
			rt->n_internal++;
		else
			strlist_addf(problems, "milter.internal_hosts: \"%s\" is "
			    "not an address or CIDR", l->v[i]);
}

/*
 * The DMARC history database.  It only feeds aggregate reports, so a
 * database that cannot be opened costs the history, never the mail: the
 * milter starts without it and says so once.
 */
void
runtime_open_history(struct runtime *rt)
{
	const char *path = rt->conf->milter.dmarc.history;
	const char *why = NULL;

	if (*path == '\0')
		return;
	if ((rt->history = history_open(path, &why)) == NULL)
		log_warnx("event=dmarc-history-off path=%s reason=\"%s\" "
		    "detail=\"no DMARC aggregate data is recorded until this is "
		    "fixed (install -d -o postseal /var/lib/postseal)\"", path,
		    why ? why : "cannot open");
}

static void
runtime_open_dns(struct runtime *rt, struct strlist *problems)
{
	const struct conf *c = rt->conf;
	char why[512];

	if ((rt->dns = conf_resolver(c, why, sizeof why)) == NULL) {
		strlist_addf(problems, "dns: %s", why);
		return;
	}
	if ((rt->vlib = dkverify_lib_new(rt->dns, why, sizeof why)) == NULL)
		strlist_addf(problems, "dkim verifier: %s", why);
	if ((rt->spf = spf_new(rt->dns, c->authserv_id, why, sizeof why)) == NULL)
		strlist_addf(problems, "spf: %s", why);
}

struct runtime *
runtime_build(struct conf *c, struct strlist *problems)
{
	struct runtime *rt;
	size_t before = problems->n;

	rt = xcalloc(1, sizeof *rt);
	rt->conf = c;
	if (!rt->conf->keys.require_safe)
		log_warnx("event=keys-unsafe-allowed detail=\"keys.require_safe "
		    "is false: key files are loaded even when other users could "
		    "replace them\"");
	runtime_parse_internal(rt, problems);
	runtime_load_keys(rt, problems);
	runtime_open_dns(rt, problems);
	if (problems->n != before) {
		runtime_free(rt);
		return NULL;
	}
	rt->refs = 1;
	return rt;
}

void
runtime_install(struct runtime *rt)
{
	struct runtime *old;

	pthread_mutex_lock(&runtime_lock);
	old = runtime_live;
	runtime_live = rt;
	pthread_mutex_unlock(&runtime_lock);
	runtime_release(&old);
}

struct runtime *
runtime_acquire(void)
{
	struct runtime *rt;

	pthread_mutex_lock(&runtime_lock);
	rt = runtime_live;
	if (rt != NULL)
		rt->refs++;
	pthread_mutex_unlock(&runtime_lock);
	return rt;
}

void
runtime_release(struct runtime **rtp)
{
	struct runtime *rt = *rtp;
	int last;

	if (rt == NULL)
		return;
	*rtp = NULL;
	pthread_mutex_lock(&runtime_lock);
	last = --rt->refs == 0;
	pthread_mutex_unlock(&runtime_lock);
	if (last)
		runtime_free(rt);
}

void
runtime_shutdown(void)
{
	runtime_install(NULL);
}

int
runtime_is_internal(const struct runtime *rt, const char *ip)
{
	for (size_t i = 0; i < rt->n_internal; i++)
		if (domain_cidr_match(&rt->internal[i], ip))
			return 1;
	return 0;
}
