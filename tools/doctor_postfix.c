/*
 * doctor, postfix: main.cf and master.cf as parsed by lib/pfconf (never
 * grepped): the milter wired into smtpd_milters / non_smtpd_milters
 * (master.cf -o overrides included), milter_protocol and
 * milter_default_action, the milter socket as Postfix's chroot sees it,
 * the policy service after reject_unauth_destination, and the submission
 * service's STARTTLS and SASL settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "doctor.h"
#include "xmalloc.h"

#define QUEUE_DIR_DEFAULT "/var/spool/postfix"

/* The value in effect for service s (NULL: main.cf): -o, main.cf, dflt. */
static char *
dp_value(const struct doctor *d, const struct pfconf_service *s,
    const char *name, const char *dflt)
{
	const char *o = s ? pfconf_service_opt(s, name) : NULL;

	return o ? pfconf_expand_text(&d->main, o) : doctor_pf(d, name, dflt);
}

static size_t
dp_line(const struct doctor *d, const char *name)
{
	const struct pfconf_param *p = pfconf_main_find(&d->main, name);

	return p ? p->line : 0;
}

/*
 * The forms in which Postfix may name the postseal milter socket:
 * "inet:8891@127.0.0.1" is "inet:127.0.0.1:8891" to Postfix; a unix socket
 * under the queue directory may also be named relative to it.
 */
static void
dp_milter_names(const struct doctor *d, struct strlist *names, char **unix_r)
{
	const char *s = d->conf->milter.socket, *at;
	char *q = doctor_pf(d, "queue_directory", QUEUE_DIR_DEFAULT);
	size_t ql = strlen(q);

	*unix_r = NULL;
	if (strncmp(s, "inet:", 5) == 0 && (at = strchr(s, '@')) != NULL) {
		strlist_addf(names, "inet:%s:%.*s", at + 1, (int)(at - s - 5), s + 5);
		if (strcmp(at + 1, "127.0.0.1") == 0)
			strlist_addf(names, "inet:localhost:%.*s", (int)(at - s - 5), s + 5);
	} else if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0) {
		s = strchr(s, ':') + 1;
		*unix_r = xstrdup(s);
		strlist_addf(names, "unix:%s", s);
		strlist_addf(names, "local:%s", s);
		if (strncmp(s, q, ql) == 0 && s[ql] == '/') {
			strlist_addf(names, "unix:%s", s + ql + 1);
			strlist_addf(names, "local:%s", s + ql + 1);
		}
	} else
		strlist_add(names, s);
	free(q);
}

static int
dp_has_milter(const char *value, const struct strlist *names)
{
	struct strlist items = { 0 };
	int found = 0;

	pfconf_split(value ? value : "", &items);
	for (size_t i = 0; i < items.n && !found; i++)
		found = strlist_contains(names, items.v[i]);
	strlist_clear(&items);
	return found;
}

static void
dp_milter_list(struct doctor *d, const char *name, int error,
    const struct strlist *names)
{
	char *v = doctor_pf(d, name, NULL), *fix;

	if (dp_has_milter(v, names)) {
		free(v);
		return;
	}
	fix = xasprintf("postconf -e '%s = %s%s%s'", name, v ? v : "",
	    v && *v ? ", " : "", names->v[0]);
	if (v == NULL)
		doctor_finding(d, error, "postfix", fix, "%s: %s is not set: "
		    "%s does not reach postseal-milter (%s)", d->main_path, name,
		    error ? "mail received by smtpd" : "locally submitted mail",
		    d->conf->milter.socket);
	else
		doctor_finding(d, error, "postfix", fix, "%s:%zu: %s = %s does not "
		    "include the postseal milter %s", d->main_path,
		    dp_line(d, name), name, v, names->v[0]);
	free(fix);
	free(v);
}

/* smtpd services of master.cf that override smtpd_milters without ours. */
static void
dp_milter_overrides(struct doctor *d, const struct strlist *names)
{
	const struct pfconf_service *s;
	const char *o;
	char *v, *fix;

	for (size_t i = 0; i < d->master.n; i++) {
		s = &d->master.v[i];
		if (strcmp(s->command, "smtpd") != 0 ||
		    (o = pfconf_service_opt(s, "smtpd_milters")) == NULL)
			continue;
		v = pfconf_expand_text(&d->main, o);
		if (!dp_has_milter(v, names)) {
			fix = xasprintf("postconf -P '%s/%s/smtpd_milters=%s%s%s'",
			    s->name, s->type, v, *v ? "," : "", names->v[0]);
			doctor_finding(d, DOCTOR_ERROR, "postfix", fix, "%s:%zu: "
			    "service %s overrides smtpd_milters = %s without the "
			    "postseal milter", d->master_path, s->line, s->name, v);
			free(fix);
		}
		free(v);
	}
}

static void
dp_milter_settings(struct doctor *d)
{
	char *proto = doctor_pf(d, "milter_protocol", NULL);
	char *action = doctor_pf(d, "milter_default_action", "tempfail");
	int version = doctor_pf_version(d);

	if (proto == NULL && version != 0 && version < 20600)
		doctor_finding(d, DOCTOR_ERROR, "postfix", "postconf -e "
		    "'milter_protocol = 4' (or upgrade Postfix to 2.6 or later, "
		    "whose default is 6)", "%s: milter_protocol is not set and "
		    "mail_version = %d.%d.%d (before 2.6) defaults to protocol 2, "
		    "which libmilter milters reject", d->main_path, version / 10000,
		    version / 100 % 100, version % 100);
	else if (proto != NULL && atoi(proto) < 6 && (version == 0 || version >= 20600))
		doctor_finding(d, DOCTOR_WARNING, "postfix", "postconf -e "
		    "'milter_protocol = 6'", "%s:%zu: milter_protocol = %s is "
		    "older than this Postfix supports (6)", d->main_path,
		    dp_line(d, "milter_protocol"), proto);
	if (strcasecmp(action, "tempfail") == 0)
		doctor_finding(d, DOCTOR_WARNING, "postfix", "postconf -e "
		    "'milter_default_action = accept'", "%s: milter_default_action "
		    "= tempfail: every message is deferred (451 4.7.1) while "
		    "postseal-milter is down", d->main_path);
	free(proto);
	free(action);
}

/* Is the smtp service chrooted (master.cf column 5; "-" is y before 3.0)? */
static int
dp_chrooted(const struct doctor *d)
{
	const struct pfconf_service *s = pfconf_master_find(&d->master, "smtp", "inet");
	int v = doctor_pf_version(d);

	if (s == NULL)
		return 0;
	if (strcmp(s->chroot, "-") == 0)
		return v != 0 && v < 30000;
	return strcmp(s->chroot, "y") == 0;
}

static void
dp_socket_file(struct doctor *d, const char *path)
{
	char *real = doctor_path(d, path), owner[64], group[64], *fix;
	struct stat sb;
	uid_t pu;
	gid_t pg;

	if (stat(real, &sb) == -1 || doctor_user(d, "postfix", &pu, &pg) == -1) {
		free(real);
		return;
	}
	if (!((sb.st_uid == pu && (sb.st_mode & 0200)) ||
	    (doctor_in_group(d, "postfix", pg, sb.st_gid) && (sb.st_mode & 020)) ||
	    (sb.st_mode & 02))) {
		doctor_user_name(d, sb.st_uid, owner, sizeof owner);
		doctor_group_name(d, sb.st_gid, group, sizeof group);
		fix = xasprintf("set milter.socket_group = \"postfix\"; and "
		    "milter.socket_mode = 0660; in postseal.conf, then restart "
		    "postseal-milter");
		doctor_finding(d, DOCTOR_ERROR, "postfix", fix, "%s: milter "
		    "socket (owner %s:%s, mode %04o) cannot be opened by user "
		    "postfix", real, owner, group, (unsigned)sb.st_mode & 07777);
		free(fix);
	}
	free(real);
}

static void
dp_socket(struct doctor *d, const char *unix_path)
{
	char *q = doctor_pf(d, "queue_directory", QUEUE_DIR_DEFAULT);
	size_t ql = strlen(q);

	if (unix_path == NULL) {
		free(q);
		return;
	}
	if (dp_chrooted(d) && !(strncmp(unix_path, q, ql) == 0 && unix_path[ql] == '/'))
		doctor_finding(d, DOCTOR_ERROR, "postfix", "milter.socket = "
		    "\"unix:" QUEUE_DIR_DEFAULT "/postseal/milter.sock\"; in "
		    "postseal.conf and smtpd_milters = unix:postseal/milter.sock",
		    "%s: smtpd runs chrooted in %s (master.cf smtp chroot = y) and "
		    "cannot reach the milter socket %s", d->master_path, q, unix_path);
	dp_socket_file(d, unix_path);
	free(q);
}

static void
dp_milter(struct doctor *d)
{
	struct strlist names = { 0 };
	char *unix_path;

	dp_milter_names(d, &names, &unix_path);
	dp_milter_list(d, "smtpd_milters", DOCTOR_ERROR, &names);
	dp_milter_list(d, "non_smtpd_milters", DOCTOR_WARNING, &names);
	dp_milter_overrides(d, &names);
	dp_milter_settings(d);
	dp_socket(d, unix_path);
	free(unix_path);
	strlist_clear(&names);
}

static void dp_policy(struct doctor *d);
static void dp_submission(struct doctor *d);

void
doctor_postfix(struct doctor *d)
{
	if (!d->have_postfix) {
		doctor_finding(d, DOCTOR_WARNING, "postfix", "install Postfix "
		    "(apt-get install postfix)", "%s does not exist: Postfix "
		    "checks skipped", d->main_path);
		return;
	}
	dp_milter(d);
	dp_policy(d);
	dp_submission(d);
}

/* ---- policy service and submission ------------------------------------- */

static int
dp_find(const struct strlist *l, const char *a, const char *b)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], a) == 0 || (b && strcasecmp(l->v[i], b) == 0))
			return (int)i;
	return -1;
}

/* Restrictions followed by an argument (a table, a service, a domain). */
static int
dp_takes_arg(const char *item)
{
	return strncmp(item, "check_", 6) == 0 || strncmp(item, "reject_rbl", 10) == 0 ||
	    strncmp(item, "reject_rhsbl", 12) == 0 || strncmp(item, "permit_dnswl", 12) == 0;
}

/* The list with reject_unauth_destination moved before the policy check. */
static char *
dp_reordered(const struct strlist *l, int pol, int rud)
{
	char *out = xstrdup(""), *t;
	const char *prev = "";
	int j;

	for (int i = 0; i < (int)l->n; i++) {
		/* position i takes: rud at pol, items pol..rud-1 shift by one */
		j = i == pol ? rud : (i > pol && i <= rud) ? i - 1 : i;
		t = xasprintf("%s%s%s", out, i == 0 ? "" : dp_takes_arg(prev) ?
		    " " : ", ", l->v[j]);
		prev = l->v[j];
		free(out);
		out = t;
	}
	return out;
}

static void
dp_policy(struct doctor *d)
{
	static const char *const lists[] = { "smtpd_relay_restrictions",
	    "smtpd_recipient_restrictions" };
	struct strlist l = { 0 };
	char *v, *fixed, *fix;
	int pol, rud;

	for (size_t k = 0; k < 2; k++) {
		if ((v = doctor_pf(d, lists[k], NULL)) == NULL)
			continue;
		pfconf_split(v, &l);
		pol = dp_find(&l, "check_policy_service", NULL);
		rud = dp_find(&l, "reject_unauth_destination", "defer_unauth_destination");
		if (pol >= 0 && rud > pol) {
			fixed = dp_reordered(&l, pol, rud);
			fix = xasprintf("postconf -e '%s = %s'", lists[k], fixed);
			doctor_finding(d, DOCTOR_ERROR, "postfix", fix, "%s:%zu: %s: "
			    "check_policy_service comes before %s: a policy answer "
			    "of OK or PERMIT would relay mail for any destination "
			    "(open relay risk)", d->main_path, dp_line(d, lists[k]),
			    lists[k], l.v[rud]);
			free(fix);
			free(fixed);
		}
		strlist_clear(&l);
		free(v);
	}
}

static void
dp_tls(struct doctor *d, const struct pfconf_service *s)
{
	char *level = dp_value(d, s, "smtpd_tls_security_level", "");
	char *fix = xasprintf("postconf -P '%s/inet/smtpd_tls_security_level=encrypt'",
	    s->name);

	if (*level == '\0' || strcasecmp(level, "none") == 0)
		doctor_finding(d, DOCTOR_ERROR, "postfix", fix, "%s:%zu: service "
		    "%s offers no STARTTLS (smtpd_tls_security_level = %s): "
		    "passwords and mail cross the network in clear",
		    d->master_path, s->line, s->name, *level ? level : "(unset)");
	else if (strcasecmp(level, "may") == 0)
		doctor_finding(d, DOCTOR_WARNING, "postfix", fix, "%s:%zu: service "
		    "%s only offers STARTTLS (smtpd_tls_security_level = may): "
		    "clients may authenticate without it", d->master_path,
		    s->line, s->name);
	free(fix);
	free(level);
}

static void
dp_sasl(struct doctor *d, const struct pfconf_service *s)
{
	char *on = dp_value(d, s, "smtpd_sasl_auth_enable", "no"), *fix;

	if (strcasecmp(on, "yes") != 0) {
		fix = xasprintf("postconf -P '%s/inet/smtpd_sasl_auth_enable=yes'",
		    s->name);
		doctor_finding(d, DOCTOR_ERROR, "postfix", fix, "%s:%zu: service "
		    "%s does not enable SASL (smtpd_sasl_auth_enable = %s): users "
		    "cannot authenticate, and their mail is not signed as "
		    "outbound", d->master_path, s->line, s->name, on);
		free(fix);
	}
	free(on);
}

static void
dp_submission(struct doctor *d)
{
	const struct pfconf_service *s = pfconf_master_find(&d->master,
	    "submission", "inet");

	if (s == NULL)
		s = pfconf_master_find(&d->master, "587", "inet");
	if (s == NULL) {
		doctor_finding(d, DOCTOR_WARNING, "postfix", "postconf -Me "
		    "'submission/inet=submission inet n - y - - smtpd' and "
		    "postconf -P 'submission/inet/smtpd_tls_security_level=encrypt' "
		    "'submission/inet/smtpd_sasl_auth_enable=yes'", "%s: no "
		    "submission service (port 587) for users to send mail",
		    d->master_path);
		return;
	}
	dp_tls(d, s);
	dp_sasl(d, s);
}
