/*
 * doctor, dovecot: dovecot.conf (with conf.d, via lib/dovecotconf) against
 * Postfix and the files on disk: the auth socket Postfix's SASL uses (path,
 * mode, owner), the passwd-file files that dovecot's auth process must
 * read as its own user (the "missing +r perm" failure), and the owner of
 * the Maildir tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "doctor.h"
#include "dovecotconf.h"
#include "xmalloc.h"

#define LISTENER "service auth > unix_listener "

/* May user (uid, gid) open a file of this owner/mode with these bits
 * (4 read, 2 write, 1 search)?  Root may always read and write. */
static int
dd_may(const struct doctor *d, const char *user, uid_t uid, gid_t gid,
    const struct stat *sb, unsigned bits)
{
	if (uid == 0 && bits != 1)
		return 1;
	if (sb->st_uid == uid)
		return ((sb->st_mode >> 6) & bits) == bits;
	if (doctor_in_group(d, user, gid, sb->st_gid))
		return ((sb->st_mode >> 3) & bits) == bits;
	return (sb->st_mode & bits) == bits;
}

static void
dd_owner(const struct doctor *d, const struct stat *sb, char *buf, size_t n)
{
	char u[64], g[64];

	doctor_user_name(d, sb->st_uid, u, sizeof u);
	doctor_group_name(d, sb->st_gid, g, sizeof g);
	snprintf(buf, n, "owner %s:%s, mode %04o", u, g,
	    (unsigned)sb->st_mode & 07777);
}

/* Postfix's SASL settings, main.cf or the submission service's -o. */
static char *
dd_pf_sasl(const struct doctor *d, const char *name, const char *dflt)
{
	const struct pfconf_service *s = pfconf_master_find(&d->master,
	    "submission", "inet");
	const char *o = s ? pfconf_service_opt(s, name) : NULL;

	return o ? pfconf_expand_text(&d->main, o) : doctor_pf(d, name, dflt);
}

static void
dd_listener_mode(struct doctor *d, const struct dovecotconf *dc,
    const char *sect, const char *path)
{
	const char *mode = dovecotconf_get(dc, sect, "mode");
	const char *user = dovecotconf_get(dc, sect, "user");
	const char *group = dovecotconf_get(dc, sect, "group");
	const struct dovecotconf_entry *e = dovecotconf_find(dc, sect, "mode");
	unsigned m = mode ? (unsigned)strtoul(mode, NULL, 8) : 0600;

	/* Dovecot creates the socket with these; postfix must be able to
	 * connect (write permission on the socket). */
	if ((user && strcmp(user, "postfix") == 0 && (m & 0200)) ||
	    (group && strcmp(group, "postfix") == 0 && (m & 020)) || (m & 02))
		return;
	doctor_finding(d, DOCTOR_ERROR, "dovecot", "in that unix_listener set: "
	    "mode = 0660, user = postfix, group = postfix; then doveadm reload",
	    "%s:%zu: unix_listener %s (user %s, group %s, mode %04o): Postfix "
	    "(user postfix) cannot connect to dovecot's auth socket",
	    e ? e->file : dc->files.v[0], e ? e->line : 0, path,
	    user ? user : "(default)", group ? group : "(default)", m);
}

static void
dd_auth_socket(struct doctor *d, const struct dovecotconf *dc)
{
	char *type = dd_pf_sasl(d, "smtpd_sasl_type", "cyrus");
	char *spath = dd_pf_sasl(d, "smtpd_sasl_path", "smtpd");
	char *q = doctor_pf(d, "queue_directory", "/var/spool/postfix");
	char *abs = NULL, *sect = NULL;

	if (strcasecmp(type, "dovecot") != 0)
		goto out;
	abs = *spath == '/' ? xstrdup(spath) : xasprintf("%s/%s", q, spath);
	sect = xasprintf(LISTENER "%s", abs);
	for (size_t i = 0; i < dc->n; i++)
		if (strcmp(dc->v[i].section, sect) == 0) {
			dd_listener_mode(d, dc, sect, abs);
			goto out;
		}
	doctor_finding(d, DOCTOR_ERROR, "dovecot", "in dovecot's "
	    "conf.d/10-master.conf: service auth { unix_listener "
	    "/var/spool/postfix/private/auth { mode = 0660  user = postfix  "
	    "group = postfix } }", "%s: no unix_listener %s in service auth, "
	    "but Postfix authenticates through it (smtpd_sasl_type = dovecot, "
	    "smtpd_sasl_path = %s)", dc->files.v[0], abs, spath);
out:
	free(type), free(spath), free(q), free(abs), free(sect);
}

/* The file argument of a passwd-file passdb/userdb: its last path. */
static const char *
dd_args_path(const char *args, char *buf, size_t n)
{
	const char *p = args, *best = NULL;
	size_t len = 0;

	for (; *p; p += strcspn(p, " \t")) {
		p += strspn(p, " \t");
		if (*p == '/') {
			best = p;
			len = strcspn(p, " \t");
		}
	}
	if (best == NULL || len >= n || memchr(best, '%', len) != NULL)
		return NULL;
	memcpy(buf, best, len);
	buf[len] = '\0';
	return buf;
}

static void
dd_readable(struct doctor *d, const char *who, const char *seen,
    const struct dovecotconf_entry *e)
{
	char *real = doctor_path(d, seen), own[200], *fix, g[64];
	struct stat sb;
	uid_t uid;
	gid_t gid;

	if (stat(real, &sb) == -1) {
		doctor_finding(d, DOCTOR_ERROR, "dovecot", "create the file or "
		    "correct args", "%s:%zu: %s does not exist", e->file, e->line, real);
	} else if (doctor_user(d, who, &uid, &gid) == 0 &&
	    !dd_may(d, who, uid, gid, &sb, 4)) {
		dd_owner(d, &sb, own, sizeof own);
		doctor_group_name(d, gid, g, sizeof g);
		fix = xasprintf("chown root:%s %s && chmod 0640 %s", g, real, real);
		doctor_finding(d, DOCTOR_ERROR, "dovecot", fix, "%s (%s) cannot be "
		    "read by user %s, which runs dovecot's auth process (%s:%zu): "
		    "logins fail with \"Permission denied ... missing +r perm\"",
		    real, own, who, e->file, e->line);
		free(fix);
	}
	free(real);
}

static void
dd_passwd_files(struct doctor *d, const struct dovecotconf *dc)
{
	const char *who = dovecotconf_get(dc, "service auth", "user");
	const char *driver, *path;
	char buf[1024];

	if (who == NULL || strcmp(who, "$default_internal_user") == 0)
		who = dovecotconf_get(dc, "", "default_internal_user");
	who = who ? who : "dovecot";
	for (size_t i = 0; i < dc->n; i++) {
		const struct dovecotconf_entry *e = &dc->v[i];
		if ((strncmp(e->section, "passdb", 6) != 0 &&
		    strncmp(e->section, "userdb", 6) != 0) ||
		    strchr(e->section, '>') != NULL || strcmp(e->key, "args") != 0)
			continue;
		driver = dovecotconf_get(dc, e->section, "driver");
		if (driver == NULL || strcmp(driver, "passwd-file") != 0 ||
		    (path = dd_args_path(e->value, buf, sizeof buf)) == NULL)
			continue;
		dd_readable(d, who, path, e);
	}
}

static void
dd_maildir(struct doctor *d, const struct dovecotconf *dc)
{
	const char *loc = dovecotconf_get(dc, "", "mail_location");
	const char *muser = dovecotconf_get(dc, "", "mail_uid");
	char *base, *real, own[200], *fix, *cut;
	struct stat sb;
	uid_t uid;
	gid_t gid;

	if (loc == NULL || muser == NULL || strncmp(loc, "maildir:/", 9) != 0 ||
	    doctor_user(d, muser, &uid, &gid) == -1)
		return;
	/* The fixed part of the location: up to the last '/' before a %. */
	base = xstrndup(loc + 8, strcspn(loc + 8, "%:"));
	if ((cut = strrchr(base, '/')) != NULL && cut != base)
		*cut = '\0';
	real = doctor_path(d, base);
	if (stat(real, &sb) == 0 && sb.st_uid != uid) {
		dd_owner(d, &sb, own, sizeof own);
		fix = xasprintf("chown -R %s: %s", muser, real);
		doctor_finding(d, DOCTOR_ERROR, "dovecot", fix, "%s (%s): the "
		    "Maildir tree of mail_location = %s is not owned by mail_uid "
		    "= %s: delivery and IMAP fail", real, own, loc, muser);
		free(fix);
	}
	free(real);
	free(base);
}

void
doctor_dovecot(struct doctor *d)
{
	struct dovecotconf dc = { 0 };
	struct strlist problems = { 0 };
	char *path = doctor_path(d, "/etc/dovecot/dovecot.conf");
	struct stat sb;

	if (stat(path, &sb) == -1) {
		free(path);
		return;		/* no Dovecot on this system: nothing to audit */
	}
	if (dovecotconf_read(&dc, d->root, "/etc/dovecot/dovecot.conf",
	    &problems) == -1)
		for (size_t i = 0; i < problems.n; i++)
			doctor_finding(d, DOCTOR_ERROR, "dovecot", "doveconf -n "
			    "shows the parse error too", "%s", problems.v[i]);
	if (dc.files.n > 0) {
		dd_auth_socket(d, &dc);
		dd_passwd_files(d, &dc);
		dd_maildir(d, &dc);
	}
	dovecotconf_clear(&dc);
	strlist_clear(&problems);
	free(path);
}
