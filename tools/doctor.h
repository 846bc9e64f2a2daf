/*
 * doctor: the internals shared by the areas of `postseal doctor`
 * (doctor.c: command and report; doctor_keys.c, doctor_postfix.c,
 * doctor_dovecot.c, doctor_dns.c: one area each).
 *
 * Every area reads what it needs through struct doctor and reports with
 * doctor_finding(); none prints anything else.  Paths found in
 * configuration files are as seen from the audited root: doctor_path()
 * turns them into paths of this machine (root "" is "/").
 */
#ifndef POSTSEAL_DOCTOR_H
#define POSTSEAL_DOCTOR_H

#include <sys/types.h>

#include "conf.h"
#include "pfconf.h"
#include "strlist.h"

struct dns;

struct doctor {
	const char *root;		/* "" or the staged tree, no trailing '/' */
	int live;			/* sockets and DNS may be queried */
	const char *ip;			/* --ip: the public address, or NULL */
	struct conf *conf;		/* postseal.conf (defaults if missing) */
	struct pfconf_main main;	/* empty when there is no main.cf */
	struct pfconf_master master;
	int have_postfix;
	char *main_path;		/* DIR/etc/postfix/main.cf */
	char *master_path;
	struct strlist domains;		/* signing domains, lower case */
	struct dns *dns;		/* NULL unless live */
	int errors, warnings;
};

enum { DOCTOR_WARNING = 0, DOCTOR_ERROR = 1 };

/*
 * One finding: "error: AREA: EVIDENCE" then "    fix: FIX" (fix NULL:
 * none).  The evidence is formatted printf-style.
 */
void doctor_finding(struct doctor *d, int error, const char *area,
    const char *fix, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* path (as seen from the audited root) on this machine.  Caller frees. */
char *doctor_path(const struct doctor *d, const char *path);

/* A user of the audited system (DIR/etc/passwd): 0 and uid/gid, or -1. */
int doctor_user(const struct doctor *d, const char *name, uid_t *uid, gid_t *gid);

/* Name of uid / gid on the audited system, or the number as text. */
void doctor_user_name(const struct doctor *d, uid_t uid, char *buf, size_t n);
void doctor_group_name(const struct doctor *d, gid_t gid, char *buf, size_t n);

/* Is user (uid, primary gid) a member of gid (primary or DIR/etc/group)? */
int doctor_in_group(const struct doctor *d, const char *user, gid_t primary,
    gid_t gid);

/* main.cf value of name, $references expanded, or dflt; caller frees. */
char *doctor_pf(const struct doctor *d, const char *name, const char *dflt);

/* Postfix's mail_version as a number major*10000+minor*100+patch, or 0. */
int doctor_pf_version(const struct doctor *d);

void doctor_keys(struct doctor *d);
void doctor_postfix(struct doctor *d);
void doctor_dovecot(struct doctor *d);
void doctor_dns(struct doctor *d);
/* Live only: does postseal-milter answer at its configured socket? */
void doctor_reach(struct doctor *d);

#endif
