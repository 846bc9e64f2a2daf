/*
 * postseal import-opendkim: read an opendkim.conf (and the KeyTable,
 * SigningTable, InternalHosts and ExternalIgnoreList files it names) and
 * write the equivalent postseal.conf to stdout.  Every option without an
 * equivalent, or whose meaning changes, becomes a comment saying so.  Key
 * files and tables are referenced in place (postseal reads OpenDKIM's
 * file: and refile: tables itself); each key is checked as check-keys
 * would and the verdict is written next to it and to stderr.
 * With --root DIR every file is read under DIR; the paths written stay as
 * the running system sees them.  Exit 0, 1 when a key or table has a
 * problem, 2 on usage errors or an unreadable opendkim.conf.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "confvalue.h"
#include "keys.h"
#include "keytable.h"
#include "privdrop.h"
#include "xmalloc.h"

struct imp {
	const char *root;		/* "" or DIR */
	struct strlist top, dns, milter;	/* lines of each group */
	struct strlist notes;		/* comments for the header */
	char *domains, *selector, *keyfile, *kt, *st, *user;
	int problems;
};

/* Options that postseal covers by design: what to tell the admin. */
static const struct { const char *name, *note; } imp_notes[] = {
	{ "Syslog", "postseal logs to syslog (mail facility) always; -f adds stderr" },
	{ "SyslogSuccess", "postseal logs every signature and verification" },
	{ "LogWhy", "postseal always logs the reason of a failure" },
	{ "Mode", "postseal signs mail from SASL users and internal_hosts and "
	    "verifies all other mail; there is no sign-only or verify-only mode" },
	{ "RequireSafeKeys", "postseal always checks key paths (keys.require_safe "
	    "= true); fix what check-keys reports instead of turning it off" },
	{ "SignatureAlgorithm", "postseal picks rsa-sha256 or ed25519-sha256 "
	    "from each key" },
	{ "MinimumKeyBits", "postseal refuses RSA keys under 2048 bits for signing" },
	{ "AutoRestart", "let systemd restart postseal-milter (Restart=on-failure)" },
	{ "AutoRestartRate", "let systemd limit restarts (StartLimitBurst)" },
	{ "Background", "postseal-milter runs in the background unless -f" },
	{ "ReportAddress", "postseal sends no per-message failure reports" },
	{ "SendReports", "postseal sends DMARC aggregate reports instead "
	    "(postseal dmarc-report)" },
	{ "ExternalIgnoreList", "postseal has no such list: mail from these "
	    "hosts is verified like any other inbound mail, never signed" },
	{ "ResolverConfiguration", "use dns.nameservers and dns.trust_anchor" },
	{ "UMask", "translated to milter.socket_mode" },
	{ "On-BadSignature", "postseal records a bad signature in "
	    "Authentication-Results and lets DMARC decide" },
	{ "On-NoSignature", "unsigned mail is accepted; DMARC decides" },
	{ "On-KeyNotFound", "a missing DNS key is dkim=permerror; DMARC decides" },
	{ "On-Security", "postseal has no separate security action" },
	{ "On-Default", "each postseal fallback has its own setting" },
	{ "On-InternalError", "see milter.on_sign_error" },
	{ "ReloadOnSigHUP", "postseal-milter reloads on SIGHUP always: the new "
	    "config and keys replace the old ones only if all of them load" },
};

static void
imp_note(struct imp *im, const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof imp_notes / sizeof imp_notes[0]; i++)
		if (strcasecmp(imp_notes[i].name, name) == 0) {
			strlist_addf(&im->notes, "%s %s: %s", name, value,
			    imp_notes[i].note);
			return;
		}
	strlist_addf(&im->notes, "%s %s: no postseal equivalent; ignored",
	    name, value);
}

static char *
imp_path(const struct imp *im, const char *p)
{
	return xasprintf("%s%s", im->root, p);
}

/* check-keys' verdict on one key file, as a comment line in out. */
static void
imp_check_key(struct imp *im, const char *path, struct strlist *out)
{
	struct safepath_trust tr = { .uid = (uid_t)-1, .enforce = 0 };
	char *real = imp_path(im, path), why[2048];
	EVP_PKEY *pk = NULL;
	int alg, bits, unsafe = 0;
	gid_t gid;

	(void)privdrop_lookup(im->user ? im->user : "root", &tr.uid, &gid, why, sizeof why);
	if (keys_load_file(real, &tr, &pk, &alg, &bits, &unsafe, why, sizeof why) == -1) {
		strlist_addf(out, "# check-keys: ERROR %s", why);
		im->problems++;
	} else if (unsafe) {
		strlist_addf(out, "# check-keys: UNSAFE %s: %s", real, why);
		im->problems++;
	} else
		strlist_addf(out, "# check-keys: OK %s (%s %d)", real,
		    keys_alg_name(alg), bits);
	fprintf(stderr, "%s\n", out->v[out->n - 1] + 2);
	EVP_PKEY_free(pk);
	free(real);
}

/* KeyTable + SigningTable: referenced in place, parsed, keys checked. */
static void
imp_tables(struct imp *im, const char *kt, const char *st)
{
	struct keytable t = { 0 };
	struct strlist problems = { 0 };
	const char *kp = "", *sp = "";
	int ktype = keytable_spec(kt, &kp), stype = *st ? keytable_spec(st, &sp) : 0;
	char *rk = imp_path(im, kp), *rs = imp_path(im, sp), *k2, *s2;

	k2 = xasprintf("%s%s", ktype == KEYTABLE_REFILE ? "refile:" : "file:", rk);
	s2 = *st ? xasprintf("%s%s", stype == KEYTABLE_REFILE ? "refile:" : "file:", rs) :
	    xstrdup("");
	if (ktype == -1 || stype == -1 || keytable_read(&t, k2, s2, &problems) == -1) {
		for (size_t i = 0; i < problems.n; i++)
			strlist_addf(&im->milter, "# problem: %s", problems.v[i]);
		if (ktype == -1 || stype == -1)
			strlist_add(&im->milter, "# problem: only file: and refile: "
			    "tables can be read (export others to a file)");
		im->problems++;
	}
	strlist_addf(&im->milter, "keytable = \"%s\";", kt);
	if (*st)
		strlist_addf(&im->milter, "signingtable = \"%s\";%s", st, stype ==
		    KEYTABLE_REFILE ? "   # patterns: '*' matches any run, as in OpenDKIM" : "");
	for (size_t i = 0; i < t.n_keys; i++)
		imp_check_key(im, t.keys[i].path, &im->milter);
	keytable_clear(&t);
	strlist_clear(&problems);
	free(rk), free(rs), free(k2), free(s2);
}

/* Domain + Selector + KeyFile: one milter.sign entry per domain. */
static void
imp_single(struct imp *im)
{
	struct strlist doms = { 0 }, sign = { 0 };
	char *d = im->domains, *tok, *save = NULL;

	if (im->keyfile == NULL || im->selector == NULL || d == NULL) {
		if (im->keyfile || im->selector || d)
			strlist_add(&im->notes, "Domain, Selector and KeyFile go "
			    "together; the incomplete set was not translated");
		return;
	}
	if (*d == '/' || strchr(d, ':') != NULL) {
		strlist_addf(&im->notes, "Domain %s: a domain data set; list "
		    "the domains in milter.sign", d);
		return;
	}
	for (tok = strtok_r(d, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
		strlist_addf(&doms, "%s", tok);
	strlist_add(&im->milter, "sign = (");
	for (size_t i = 0; i < doms.n; i++)
		strlist_addf(&im->milter, "\t{ domain = \"%s\"; selector = \"%s\"; "
		    "key = \"%s\"; }%s", doms.v[i], im->selector, im->keyfile,
		    i + 1 < doms.n ? "," : "");
	strlist_add(&im->milter, ");");
	imp_check_key(im, im->keyfile, &sign);
	for (size_t i = 0; i < sign.n; i++)
		strlist_add(&im->milter, sign.v[i]);
	strlist_clear(&doms);
	strlist_clear(&sign);
}

/* InternalHosts: a data set file or a comma list of hosts and networks. */
static void
imp_hosts(struct imp *im, const char *value)
{
	struct strlist in = { 0 }, ok = { 0 };
	const char *why, *p = value;
	char line[512], *real = NULL, *tok, *save = NULL, buf[4096];
	FILE *f = NULL;

	if (strncmp(p, "file:", 5) == 0 || strncmp(p, "refile:", 7) == 0)
		p = strchr(p, ':') + 1;
	if (*p == '/' && (f = fopen(real = imp_path(im, p), "re")) == NULL)
		strlist_addf(&im->notes, "InternalHosts %s: cannot read it", real);
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " %511[^# \t\r\n]", buf) == 1)
			strlist_add(&in, buf);
	snprintf(buf, sizeof buf, "%s", value);
	for (tok = *p == '/' ? NULL : strtok_r(buf, ", \t", &save); tok;
	    tok = strtok_r(NULL, ", \t", &save))
		strlist_add(&in, tok);
	for (size_t i = 0; i < in.n; i++) {
		if (strcasecmp(in.v[i], "localhost") == 0) {
			strlist_add(&ok, "\"127.0.0.1\""), strlist_add(&ok, "\"::1\"");
		} else if (confvalue_cidr(in.v[i], strlen(in.v[i]), &why) == 0)
			strlist_addf(&ok, "\"%s\"", in.v[i]);
		else
			strlist_addf(&im->notes, "InternalHosts entry %s: %s; "
			    "postseal takes addresses and networks only", in.v[i], why);
	}
	buf[0] = '\0';
	for (size_t i = 0; i < ok.n; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
		    i ? ", " : "", ok.v[i]);
	strlist_addf(&im->milter, "internal_hosts = [ %s ];", buf);
	if (f)
		fclose(f);
	free(real);
	strlist_clear(&in);
	strlist_clear(&ok);
}

static void
imp_socket(struct imp *im, const char *v)
{
	if (strncmp(v, "local:", 6) == 0)
		strlist_addf(&im->milter, "socket = \"unix:%s\";", v + 6);
	else if (strncmp(v, "inet:", 5) == 0 || strncmp(v, "unix:", 5) == 0)
		strlist_addf(&im->milter, "socket = \"%s\";", v);
	else
		strlist_addf(&im->milter, "socket = \"unix:%s\";", v);
}

static void
imp_user(struct imp *im, const char *v)
{
	const char *colon = strchr(v, ':');

	free(im->user);
	im->user = xstrndup(v, colon ? (size_t)(colon - v) : strlen(v));
	strlist_addf(&im->top, "user = \"%.*s\";   # OpenDKIM's UserID; keys "
	    "stay owned by it", colon ? (int)(colon - v) : (int)strlen(v), v);
	if (colon)
		strlist_addf(&im->milter, "socket_group = \"%s\";", colon + 1);
}

static void
imp_nameservers(struct imp *im, const char *v)
{
	char buf[1024], out[1200] = "", *tok, *save = NULL;

	snprintf(buf, sizeof buf, "%s", v);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s\"%s\"",
		    *out ? ", " : "", tok);
	strlist_addf(&im->dns, "nameservers = [ %s ];", out);
}

/* One "Name value" line of opendkim.conf. */
static void
imp_set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void
imp_option(struct imp *im, const char *n, const char *v)
{
	if (!strcasecmp(n, "KeyTable")) imp_set(&im->kt, v);
	else if (!strcasecmp(n, "SigningTable")) imp_set(&im->st, v);
	else if (!strcasecmp(n, "Domain")) imp_set(&im->domains, v);
	else if (!strcasecmp(n, "Selector")) imp_set(&im->selector, v);
	else if (!strcasecmp(n, "KeyFile")) imp_set(&im->keyfile, v);
	else if (!strcasecmp(n, "Socket")) imp_socket(im, v);
	else if (!strcasecmp(n, "UserID")) imp_user(im, v);
	else if (!strcasecmp(n, "InternalHosts")) imp_hosts(im, v);
	else if (!strcasecmp(n, "Nameservers")) imp_nameservers(im, v);
	else if (!strcasecmp(n, "AuthservID")) strlist_addf(&im->top, "authserv_id = \"%s\";", v);
	else if (!strcasecmp(n, "PidFile")) strlist_addf(&im->milter, "pidfile = \"%s\";", v);
	else if (!strcasecmp(n, "Canonicalization"))
		strlist_addf(&im->milter, "canonicalization = \"%s%s\";", v,
		    strchr(v, '/') ? "" : "/simple");
	else if (!strcasecmp(n, "SubDomains"))
		strlist_addf(&im->milter, "subdomains = %s;",
		    strcasecmp(v, "yes") && strcasecmp(v, "true") ? "false" : "true");
	else if (!strcasecmp(n, "OversignHeaders"))
		strlist_addf(&im->milter, "oversign_headers = [ \"%s\" ];", v);
	else if (!strcasecmp(n, "TrustAnchorFile"))
		strlist_addf(&im->dns, "trust_anchor = \"%s\";", v);
	else if (!strcasecmp(n, "DNSTimeout"))
		strlist_addf(&im->dns, "timeout = %d;", atoi(v) < 1 ? 1 :
		    atoi(v) > 60 ? 60 : atoi(v));
	else if (!strcasecmp(n, "UMask"))
		strlist_addf(&im->milter, "socket_mode = 0%o;",
		    0666u & ~(unsigned)strtoul(v, NULL, 8));
	else if (!strcasecmp(n, "On-SignatureError") || !strcasecmp(n, "On-DNSError")) {
		strlist_addf(&im->milter, "%s = \"%s\";   # from %s %s",
		    n[3] == 'S' ? "on_sign_error" : "on_verify_temperror",
		    strcasecmp(v, "tempfail") ? "accept" : "tempfail", n, v);
		if (strcasecmp(v, "tempfail") && strcasecmp(v, "accept"))
			strlist_addf(&im->notes, "%s %s: postseal accepts or "
			    "tempfails; accept was chosen", n, v);
	} else
		imp_note(im, n, v);
}

static int
imp_read(struct imp *im, const char *conf)
{
	char *path = imp_path(im, conf), line[4096], name[128], value[4000];
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "postseal import-opendkim: %s: cannot open\n", path);
		free(path);
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "#\r\n")] = '\0';
		value[0] = '\0';
		if (sscanf(line, " %127s %3999[^\n]", name, value) < 1)
			continue;
		for (size_t n = strlen(value); n > 0 && value[n - 1] <= ' '; n--)
			value[n - 1] = '\0';
		imp_option(im, name, value);
	}
	fclose(f);
	if (im->kt)
		imp_tables(im, im->kt, im->st ? im->st : "");
	else if (im->st)
		strlist_add(&im->notes, "SigningTable without KeyTable: not translated");
	if (im->user == NULL)
		strlist_add(&im->notes, "no UserID: set user = to the owner of the "
		    "keys (postseal-milter does not run as root)");
	imp_single(im);
	/* OpenDKIM neither enforced DMARC nor kept a history of it. */
	strlist_add(&im->milter, "# OpenDKIM did not apply DMARC: enforce = true "
	    "rejects/quarantines as the sender's policy says;");
	strlist_add(&im->milter, "# history = \"/var/lib/postseal/dmarc.db\" "
	    "feeds postseal dmarc-report.");
	strlist_add(&im->milter, "dmarc = { enforce = false; history = \"\"; };");
	free(path);
	return 0;
}

static void
imp_group(const char *name, const struct strlist *l)
{
	if (l->n == 0)
		return;
	printf("%s = {\n", name);
	for (size_t i = 0; i < l->n; i++)
		printf("\t%s\n", l->v[i]);
	printf("};\n");
}

static void
imp_print(const struct imp *im, const char *conf)
{
	printf("# postseal.conf made by postseal import-opendkim from %s\n"
	    "# Check it with: postseal-milter -n -c FILE\n#\n"
	    "# Changes in meaning (postseal(8)):\n"
	    "# - SIGHUP reloads the whole configuration and every key; if any "
	    "fails, the\n#   old configuration stays in force (OpenDKIM "
	    "re-read its files as it went).\n"
	    "# - Keys are loaded once at start, never per message, and must "
	    "pass the safe-path\n#   rules (postseal check-keys).\n", conf);
	for (size_t i = 0; i < im->notes.n; i++)
		printf("# opendkim: %s\n", im->notes.v[i]);
	printf("\n");
	for (size_t i = 0; i < im->top.n; i++)
		printf("%s\n", im->top.v[i]);
	imp_group("dns", &im->dns);
	imp_group("milter", &im->milter);
}

static int
import_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct imp im = { .root = "" };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'r')
			return command_usage("import-opendkim");
		im.root = optarg;
	}
	if (optind + 1 != argc)
		return command_usage("import-opendkim");
	if (imp_read(&im, argv[optind]) == -1)
		rc = EXIT_USAGE;
	else {
		imp_print(&im, argv[optind]);
		rc = im.problems ? EXIT_FINDING : EXIT_OK;
	}
	strlist_clear(&im.top), strlist_clear(&im.dns);
	strlist_clear(&im.milter), strlist_clear(&im.notes);
	free(im.domains), free(im.selector), free(im.keyfile);
	free(im.kt), free(im.st), free(im.user);
	return rc;
}

POSTSEAL_COMMAND(import_opendkim, "import-opendkim", "[--root DIR] OPENDKIM_CONF",
    "translate an opendkim.conf and its tables into postseal.conf", import_main)
