/*
 * postseal doctor: audit a Postfix + Dovecot + postseal installation, or a
 * staged copy of one (--root DIR), and print one finding per problem:
 *
 *   error: AREA: evidence (file, line, owner, mode, DNS answer)
 *       fix: the command or configuration line that fixes it
 *
 * then "N errors, M warnings" or "no problems found".  Files are read
 * under DIR; sockets and DNS are queried only without --root or with
 * --live.  Exit 0 clean, 1 findings, 2 usage or configuration error.
 */
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "dns.h"
#include "doctor.h"
#include "keytable.h"
#include "xmalloc.h"

void
doctor_finding(struct doctor *d, int error, const char *area, const char *fix,
    const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s: ", error ? "error" : "warning", area);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fix != NULL)
		printf("    fix: %s\n", fix);
	if (error)
		d->errors++;
	else
		d->warnings++;
}

char *
doctor_path(const struct doctor *d, const char *path)
{
	return xasprintf("%s%s%s", d->root, *path == '/' ? "" : "/", path);
}

/* The passwd entry of name: the audited tree's file, or NSS for "/". */
static int
dr_pwent(const struct doctor *d, const char *name, uid_t uid, struct passwd *out,
    char *buf, size_t n)
{
	struct passwd *pw = NULL;
	char *path;
	FILE *f;
	int found = 0;

	if (*d->root == '\0') {
		if (name ? getpwnam_r(name, out, buf, n, &pw) : getpwuid_r(uid, out, buf, n, &pw))
			return -1;
		return pw ? 0 : -1;
	}
	path = doctor_path(d, "/etc/passwd");
	f = fopen(path, "re");
	free(path);
	while (f != NULL && !found && fgetpwent_r(f, out, buf, n, &pw) == 0)
		found = name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid;
	if (f != NULL)
		fclose(f);
	return found ? 0 : -1;
}

static int
dr_grent(const struct doctor *d, gid_t gid, struct group *out, char *buf, size_t n)
{
	struct group *gr = NULL;
	char *path;
	FILE *f;
	int found = 0;

	if (*d->root == '\0')
		return getgrgid_r(gid, out, buf, n, &gr) == 0 && gr ? 0 : -1;
	path = doctor_path(d, "/etc/group");
	f = fopen(path, "re");
	free(path);
	while (f != NULL && !found && fgetgrent_r(f, out, buf, n, &gr) == 0)
		found = gr->gr_gid == gid;
	if (f != NULL)
		fclose(f);
	return found ? 0 : -1;
}

int
doctor_user(const struct doctor *d, const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw;
	char buf[4096];

	if (dr_pwent(d, name, 0, &pw, buf, sizeof buf) == -1)
		return -1;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

void
doctor_user_name(const struct doctor *d, uid_t uid, char *out, size_t n)
{
	struct passwd pw;
	char buf[4096];

	if (dr_pwent(d, NULL, uid, &pw, buf, sizeof buf) == 0)
		snprintf(out, n, "%s", pw.pw_name);
	else
		snprintf(out, n, "%lu", (unsigned long)uid);
}

void
doctor_group_name(const struct doctor *d, gid_t gid, char *out, size_t n)
{
	struct group gr;
	char buf[4096];

	if (dr_grent(d, gid, &gr, buf, sizeof buf) == 0)
		snprintf(out, n, "%s", gr.gr_name);
	else
		snprintf(out, n, "%lu", (unsigned long)gid);
}

int
doctor_in_group(const struct doctor *d, const char *user, gid_t primary,
    gid_t gid)
{
	struct group gr;
	char buf[8192];

	if (primary == gid)
		return 1;
	if (dr_grent(d, gid, &gr, buf, sizeof buf) == -1)
		return 0;
	for (char **m = gr.gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return 1;
	return 0;
}

char *
doctor_pf(const struct doctor *d, const char *name, const char *dflt)
{
	char *v = pfconf_expand(&d->main, name);

	return v ? v : (dflt ? pfconf_expand_text(&d->main, dflt) : NULL);
}

int
doctor_pf_version(const struct doctor *d)
{
	char *v = doctor_pf(d, "mail_version", NULL), line[64] = "";
	unsigned a = 0, b = 0, c = 0;
	FILE *p;

	/* Only a live audit may ask the installed Postfix; a staged tree
	 * says its version in main.cf or not at all. */
	if (v == NULL && *d->root == '\0' &&
	    (p = popen("postconf -dh mail_version 2>/dev/null", "re")) != NULL) {
		if (fgets(line, sizeof line, p) != NULL)
			v = xstrdup(line);
		pclose(p);
	}
	if (v == NULL || sscanf(v, "%u.%u.%u", &a, &b, &c) < 2) {
		free(v);
		return 0;
	}
	free(v);
	return (int)(a * 10000 + b * 100 + c);
}

/* Read and parse one Postfix file; 0 when it exists and parses. */
static int
dr_read(struct doctor *d, const char *path, char **buf_r, size_t *len_r)
{
	FILE *f = fopen(path, "re");
	size_t n = 0, cap = 0, r;
	char *buf = NULL;

	if (f == NULL)
		return -1;
	do {
		if (n + 4096 > cap)
			buf = xreallocarray(buf, cap = n + 65536, 1);
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0 && n <= PFCONF_MAX_FILE);
	fclose(f);
	*buf_r = buf;
	*len_r = n;
	return 0;
}

static void
dr_load_postfix(struct doctor *d)
{
	const char *why;
	char *buf;
	size_t len, line;

	d->main_path = doctor_path(d, "/etc/postfix/main.cf");
	d->master_path = doctor_path(d, "/etc/postfix/master.cf");
	if (dr_read(d, d->main_path, &buf, &len) == -1)
		return;
	d->have_postfix = 1;
	if (pfconf_main_parse(buf, len, &d->main, &why, &line) == -1)
		doctor_finding(d, DOCTOR_ERROR, "postfix", "correct the line "
		    "(postconf(5) syntax)", "%s:%zu: %s", d->main_path, line, why);
	free(buf);
	if (dr_read(d, d->master_path, &buf, &len) == -1)
		return;
	if (pfconf_master_parse(buf, len, &d->master, &why, &line) == -1)
		doctor_finding(d, DOCTOR_ERROR, "postfix", "correct the line "
		    "(master(5) syntax)", "%s:%zu: %s", d->master_path, line, why);
	free(buf);
}

/* Signing domains: milter.sign and the KeyTable's (read under root). */
static void
dr_domains(struct doctor *d)
{
	struct keytable t = { 0 };
	struct strlist problems = { 0 };
	const char *file;
	char *spec, *path;
	int type;

	for (int i = 0; i < d->conf->milter.n_sign; i++)
		if (!strlist_contains(&d->domains, d->conf->milter.sign[i].domain))
			strlist_add(&d->domains, d->conf->milter.sign[i].domain);
	if (*d->conf->milter.keytable == '\0' ||
	    (type = keytable_spec(d->conf->milter.keytable, &file)) == -1)
		return;
	path = doctor_path(d, file);
	spec = xasprintf("%s%s", type == KEYTABLE_REFILE ? "refile:" : "file:",
	    path);
	free(path);
	(void)keytable_read(&t, spec, "", &problems);
	for (size_t i = 0; i < t.n_keys; i++)
		if (!strlist_contains(&d->domains, t.keys[i].domain))
			strlist_add(&d->domains, t.keys[i].domain);
	keytable_clear(&t);
	strlist_clear(&problems);
	free(spec);
}

static int
dr_conf(struct doctor *d, const char *cf)
{
	struct strlist problems = { 0 };
	char *path = cf ? xstrdup(cf) : doctor_path(d, "/etc/postseal/postseal.conf");

	if (cf == NULL && access(path, F_OK) == -1) {
		doctor_finding(d, DOCTOR_ERROR, "postseal", "install "
		    "/etc/postseal/postseal.conf (see postseal.conf(5)); "
		    "checks below use the defaults", "%s does not exist", path);
		d->conf = conf_defaults();
	} else if ((d->conf = conf_load(path, &problems)) == NULL) {
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "postseal doctor: %s\n", problems.v[i]);
	}
	strlist_clear(&problems);
	free(path);
	return d->conf ? 0 : -1;
}

static int
dr_dns(struct doctor *d)
{
	const struct conf *c = d->conf;
	char why[512];

	if (!d->live)
		return 0;
	if ((d->dns = conf_resolver(c, why, sizeof why)) == NULL) {
		fprintf(stderr, "postseal doctor: DNS: %s\n", why);
		return -1;
	}
	return 0;
}

static void
dr_free(struct doctor *d)
{
	conf_free(&d->conf);
	pfconf_main_clear(&d->main);
	pfconf_master_clear(&d->master);
	strlist_clear(&d->domains);
	dns_free(&d->dns);
	free(d->main_path);
	free(d->master_path);
}

static int
doctor_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "live", no_argument, NULL, 'l' },
		{ "ip", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct doctor d = { .root = "", .live = -1 };
	const char *cf = NULL;
	char *root = NULL;
	struct stat sb;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': cf = optarg; break;
		case 'r': free(root); root = xstrdup(optarg); break;
		case 'l': d.live = 1; break;
		case 'i': d.ip = optarg; break;
		default: free(root); return command_usage("doctor");
		}
	}
	if (optind != argc) {
		free(root);
		return command_usage("doctor");
	}
	if (root != NULL) {
		while (*root != '\0' && root[strlen(root) - 1] == '/')
			root[strlen(root) - 1] = '\0';
		d.root = root;
		if (stat(root, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "postseal doctor: --root %s: not a "
			    "directory\n", root);
			free(root);
			return EXIT_USAGE;
		}
	}
	if (d.live == -1)
		d.live = *d.root == '\0';
	if (dr_conf(&d, cf) == -1 || dr_dns(&d) == -1) {
		dr_free(&d);
		free(root);
		return EXIT_USAGE;
	}
	dr_domains(&d);
	dr_load_postfix(&d);
	doctor_keys(&d);
	doctor_postfix(&d);
	doctor_reach(&d);
	doctor_dovecot(&d);
	doctor_dns(&d);
	if (d.errors + d.warnings == 0)
		printf("no problems found\n");
	else
		printf("%d error%s, %d warning%s\n", d.errors, d.errors == 1 ?
		    "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
	ch = d.errors + d.warnings ? EXIT_FINDING : EXIT_OK;
	dr_free(&d);
	free(root);
	return ch;
}

POSTSEAL_COMMAND(doctor, "doctor",
    "[-c FILE] [--root DIR] [--live] [--ip ADDRESS]",
    "audit Postfix, Dovecot, keys and DNS; print each problem and its fix",
    doctor_main)
