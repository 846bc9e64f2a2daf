/*
 * history_report: the RFC 9990 aggregate report (history.h), written from
 * the message table with two queries: the latest published policy, then
 * the rows grouped into records.
 */
#include "history.h"
#include "history_int.h"

#include <stdio.h>
#include <string.h>

#define HISTORY_NS "urn:ietf:params:xml:ns:dmarc-2.0"

/* Columns of the policy query, in order. */
enum { POL_P, POL_SP, POL_NP, POL_FO, POL_ADKIM, POL_ASPF, POL_TESTING,
	POL_DISCOVERY };

/* Columns of the record query, in order. */
enum { REC_IP, REC_COUNT, REC_DISP, REC_DDKIM, REC_DSPF, REC_OVERRIDE,
	REC_REASON, REC_HFROM, REC_EFROM, REC_ETO, REC_DKIM, REC_SPFD,
	REC_SPFR };

#define HISTORY_WHERE " FROM message WHERE policy_domain = ?1 COLLATE NOCASE" \
	" AND time >= ?2 AND time < ?3" \
	" AND (?4 IS NULL OR envelope_from <> ?4 COLLATE NOCASE)"

static const char history_policy_sql[] =
	"SELECT p, sp, np, fo, adkim, aspf, testing, discovery"
	HISTORY_WHERE " ORDER BY time DESC, id DESC LIMIT 1";

/* The envelope-from domain: after the last "@", without a closing ">". */
#define HISTORY_EFROM "lower(rtrim(CASE WHEN instr(envelope_from, '@') > 0" \
	" THEN substr(envelope_from, instr(envelope_from, '@') + 1)" \
	" ELSE '' END, '>'))"

static const char history_record_sql[] =
	"SELECT source_ip, count(*), disposition, dmarc_dkim, dmarc_spf,"
	" override, max(reason), header_from, " HISTORY_EFROM ", envelope_to,"
	" dkim, spf_domain, spf_result" HISTORY_WHERE
	" GROUP BY source_ip, disposition, dmarc_dkim, dmarc_spf, override,"
	" header_from, " HISTORY_EFROM ", envelope_to, dkim, spf_domain,"
	" spf_result ORDER BY source_ip, header_from, count(*) DESC";

/* Text content: markup characters as entities, control bytes dropped. */
static void
history_xml_text(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c >= 0x20 && c != 0x7f)
			fputc(c, out);
		else if (c == '\t')
			fputc(' ', out);
	}
}

static void
history_el(FILE *out, int indent, const char *name, const char *text)
{
	fprintf(out, "%*s<%s>", indent, "", name);
	history_xml_text(out, text);
	fprintf(out, "</%s>\n", name);
}

static const char *
history_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static int
history_bind(sqlite3_stmt *st, const char *domain, time_t since,
    time_t until, const char *skip)
{
	int rc = sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)until);
	if (rc == SQLITE_OK)
		rc = skip != NULL && *skip != '\0' ?
		    sqlite3_bind_text(st, 4, skip, -1, SQLITE_STATIC) :
		    sqlite3_bind_null(st, 4);
	return rc;
}

static void
history_metadata(FILE *out, const struct history_reporter *r, time_t since,
    time_t until)
{
	fprintf(out, "  <report_metadata>\n");
	history_el(out, 4, "org_name", r->org_name);
	history_el(out, 4, "email", r->email);
	if (r->extra_contact != NULL && *r->extra_contact != '\0')
		history_el(out, 4, "extra_contact_info", r->extra_contact);
	history_el(out, 4, "report_id", r->report_id);
	fprintf(out, "    <date_range>\n      <begin>%lld</begin>\n"
	    "      <end>%lld</end>\n    </date_range>\n", (long long)since,
	    (long long)until - 1);
	history_el(out, 4, "generator", "postseal " POSTSEAL_VERSION);
	fprintf(out, "  </report_metadata>\n");
}

/* policy_published, in the element order of RFC 9990 3.1.1.3. */
static void
history_policy(FILE *out, sqlite3_stmt *st, const char *domain)
{
	fprintf(out, "  <policy_published>\n");
	history_el(out, 4, "domain", domain);
	if (*history_col(st, POL_DISCOVERY) != '\0')
		history_el(out, 4, "discovery_method",
		    history_col(st, POL_DISCOVERY));
	history_el(out, 4, "p", history_col(st, POL_P));
	if (*history_col(st, POL_SP) != '\0')
		history_el(out, 4, "sp", history_col(st, POL_SP));
	if (*history_col(st, POL_NP) != '\0')
		history_el(out, 4, "np", history_col(st, POL_NP));
	history_el(out, 4, "fo", history_col(st, POL_FO));
	history_el(out, 4, "adkim", history_col(st, POL_ADKIM));
	history_el(out, 4, "aspf", history_col(st, POL_ASPF));
	history_el(out, 4, "testing", sqlite3_column_int(st, POL_TESTING) ?
	    "y" : "n");
	fprintf(out, "  </policy_published>\n");
}

/* Undo history.c's percent-encoding of one field of n bytes. */
static void
history_dec(const char *s, size_t n, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *hi, *lo;
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == '%' && i + 2 < n && s[i + 1] != '\0' &&
		    s[i + 2] != '\0' && (hi = strchr(hex, s[i + 1])) != NULL &&
		    (lo = strchr(hex, s[i + 2])) != NULL) {
			out[o++] = (char)((hi - hex) << 4 | (lo - hex));
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/* One <dkim> per "d s result" of the dkim column. */
static void
history_dkim(FILE *out, const char *col)
{
	char f[3][512];

	while (*col != '\0') {
		size_t k, n = strcspn(col, ";");
		const char *p = col;
		for (k = 0; k < 3; k++) {
			size_t m = strcspn(p, " ;");
			history_dec(p, m < (size_t)(col + n - p) ? m :
			    (size_t)(col + n - p), f[k], sizeof f[k]);
			p += m + (p[m] == ' ');
		}
		fprintf(out, "      <dkim>\n");
		history_el(out, 8, "domain", f[0]);
		history_el(out, 8, "selector", f[1]);
		history_el(out, 8, "result", f[2]);
		fprintf(out, "      </dkim>\n");
		col += n + (col[n] == ';');
	}
}

static void
history_record(FILE *out, sqlite3_stmt *st)
{
	fprintf(out, "  <record>\n    <row>\n");
	history_el(out, 6, "source_ip", history_col(st, REC_IP));
	fprintf(out, "      <count>%lld</count>\n      <policy_evaluated>\n",
	    (long long)sqlite3_column_int64(st, REC_COUNT));
	history_el(out, 8, "disposition", history_col(st, REC_DISP));
	history_el(out, 8, "dkim", history_col(st, REC_DDKIM));
	history_el(out, 8, "spf", history_col(st, REC_DSPF));
	if (*history_col(st, REC_OVERRIDE) != '\0') {
		fprintf(out, "        <reason>\n");
		history_el(out, 10, "type", history_col(st, REC_OVERRIDE));
		history_el(out, 10, "comment", history_col(st, REC_REASON));
		fprintf(out, "        </reason>\n");
	}
	fprintf(out, "      </policy_evaluated>\n    </row>\n"
	    "    <identifiers>\n");
	history_el(out, 6, "header_from", history_col(st, REC_HFROM));
	history_el(out, 6, "envelope_from", history_col(st, REC_EFROM));
	if (*history_col(st, REC_ETO) != '\0')
		history_el(out, 6, "envelope_to", history_col(st, REC_ETO));
	fprintf(out, "    </identifiers>\n    <auth_results>\n");
	history_dkim(out, history_col(st, REC_DKIM));
	fprintf(out, "      <spf>\n");
	history_el(out, 8, "domain", history_col(st, REC_SPFD));
	history_el(out, 8, "scope", "mfrom");
	history_el(out, 8, "result", history_col(st, REC_SPFR));
	fprintf(out, "      </spf>\n    </auth_results>\n  </record>\n");
}

/* Step st to its first row.  Returns 1 row, 0 none, -1 error (rc set). */
static int
history_first(sqlite3_stmt *st, int *rc)
{
	int s = sqlite3_step(st);

	if (s == SQLITE_ROW)
		return 1;
	*rc = s == SQLITE_DONE ? SQLITE_OK : s;
	return s == SQLITE_DONE ? 0 : -1;
}

static long
history_records(struct history *h, const char *domain, time_t since,
    time_t until, const char *skip, FILE *out, int *rc)
{
	sqlite3_stmt *st = NULL;
	long n = 0;
	int s = SQLITE_DONE;

	*rc = sqlite3_prepare_v2(h->db, history_record_sql, -1, &st, NULL);
	if (*rc == SQLITE_OK)
		*rc = history_bind(st, domain, since, until, skip);
	while (*rc == SQLITE_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
		history_record(out, st);
		n += (long)sqlite3_column_int64(st, REC_COUNT);
	}
	if (*rc == SQLITE_OK && s != SQLITE_DONE)
		*rc = s;
	sqlite3_finalize(st);
	return n;
}

long
history_report(struct history *h, const char *policy_domain, time_t since,
    time_t until, const struct history_reporter *r, FILE *out,
    const char **why)
{
	sqlite3_stmt *st = NULL;
	long n = 0;
	int rc, have = 0;

	pthread_mutex_lock(&h->lock);
	rc = sqlite3_prepare_v2(h->db, history_policy_sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = history_bind(st, policy_domain, since, until,
		    r->skip_envelope_from);
	if (rc == SQLITE_OK)
		have = history_first(st, &rc);
	if (have == 1) {
		fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<feedback xmlns=\"" HISTORY_NS "\">\n"
		    "  <version>1.0</version>\n");
		history_metadata(out, r, since, until);
		history_policy(out, st, policy_domain);
		n = history_records(h, policy_domain, since, until,
		    r->skip_envelope_from, out, &rc);
		fprintf(out, "</feedback>\n");
	}
	if (history_done(h, st, rc, why) == -1)
		n = -1;
	pthread_mutex_unlock(&h->lock);
	if (n >= 0 && ferror(out)) {
		*why = "cannot write the report";
		n = -1;
	}
	return n;
}
