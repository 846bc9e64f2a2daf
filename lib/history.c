/* history: see history.h.  The report builder is in history_report.c. */
#include "history.h"
#include "history_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* WAL with synchronous=NORMAL: a commit is one append to the log, with no
 * fsync (about 15 us against 240 us on this project's test disk, more on a
 * spinning one), and rows are only written one message at a time under the
 * lock.  A crash of the milter loses nothing; a power cut can lose the
 * last rows before a checkpoint, never the database: report data, which
 * the aggregate reports tolerate. */
static const char history_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS message ("
	" id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL, source_ip TEXT NOT NULL,"
	" header_from TEXT NOT NULL, envelope_from TEXT NOT NULL,"
	" envelope_to TEXT NOT NULL, spf_domain TEXT NOT NULL,"
	" spf_scope TEXT NOT NULL, spf_result TEXT NOT NULL,"
	" dkim TEXT NOT NULL,"			/* see history_dkim_text() */
	" policy_domain TEXT NOT NULL, discovery TEXT NOT NULL,"
	" p TEXT NOT NULL, sp TEXT NOT NULL, np TEXT NOT NULL,"
	" adkim TEXT NOT NULL, aspf TEXT NOT NULL, pct INTEGER NOT NULL,"
	" testing INTEGER NOT NULL, fo TEXT NOT NULL, rua TEXT NOT NULL,"
	" disposition TEXT NOT NULL, dmarc_dkim TEXT NOT NULL,"
	" dmarc_spf TEXT NOT NULL, override TEXT NOT NULL,"
	" reason TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS message_domain_time"
	" ON message(policy_domain, time);";

struct history *
history_open(const char *path, const char **why)
{
	struct history *h;
	char *err = NULL;

	h = xcalloc(1, sizeof *h);
	pthread_mutex_init(&h->lock, NULL);
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		*why = "cannot open the history database";
		history_close(&h);
		return NULL;
	}
	sqlite3_busy_timeout(h->db, HISTORY_BUSY_MS);
	if (sqlite3_exec(h->db, history_schema, NULL, NULL, &err) != SQLITE_OK) {
		sqlite3_free(err);
		*why = "cannot create the history schema (not a database, "
		    "or not writable)";
		history_close(&h);
		return NULL;
	}
	return h;
}

void
history_close(struct history **hp)
{
	struct history *h = *hp;

	if (h == NULL)
		return;
	sqlite3_finalize(h->insert);
	if (h->db != NULL)
		sqlite3_close(h->db);
	pthread_mutex_destroy(&h->lock);
	free(h);
	*hp = NULL;
}

/* A growing string. */
struct history_buf {
	char *s;
	size_t len, cap;
};

static void
history_putc(struct history_buf *b, char c)
{
	if (b->len + 2 > b->cap) {
		b->cap = b->cap * 2 + 64;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

/* Percent-encode everything but [A-Za-z0-9._-], so DKIM fields can be
 * joined with ' ' and ';' and split back without ambiguity. */
static void
history_enc(struct history_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
			history_putc(b, (char)c);
			continue;
		}
		history_putc(b, '%');
		history_putc(b, hex[c >> 4]);
		history_putc(b, hex[c & 15]);
	}
}

/* "d s result;d s result": one column, so identical sets group. */
static char *
history_dkim_text(const struct history_row *r)
{
	struct history_buf b = { NULL, 0, 0 };
	size_t i;

	history_putc(&b, ' ');
	b.len = 0;
	b.s[0] = '\0';
	for (i = 0; i < r->n_dkim && i < HISTORY_MAX_DKIM; i++) {
		if (i > 0)
			history_putc(&b, ';');
		history_enc(&b, r->dkim[i].domain);
		history_putc(&b, ' ');
		history_enc(&b, r->dkim[i].selector);
		history_putc(&b, ' ');
		history_enc(&b, r->dkim[i].result);
	}
	return b.s;
}

static const char *
history_s(const char *s)
{
	return s != NULL ? s : "";
}

static int
history_bind_row(sqlite3_stmt *st, const struct history_row *r,
    const char *dkim)
{
	const char *text[] = { r->source_ip, r->header_from, r->envelope_from,
	    r->envelope_to, r->spf_domain, r->spf_scope, r->spf_result, dkim,
	    r->policy_domain, r->discovery, r->p, r->sp, r->np, r->adkim,
	    r->aspf };
	const char *tail[] = { r->fo, r->rua, r->disposition, r->dmarc_dkim,
	    r->dmarc_spf, r->override, r->reason };
	int i, col = 1, rc = sqlite3_bind_int64(st, col++, (sqlite3_int64)r->time);

	for (i = 0; i < 15 && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_text(st, col++, history_s(text[i]), -1,
		    SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, col++, r->pct);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, col++, r->testing != 0);
	for (i = 0; i < 7 && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_text(st, col++, history_s(tail[i]), -1,
		    SQLITE_STATIC);
	return rc;
}

int
history_add(struct history *h, const struct history_row *r, const char **why)
{
	static const char sql[] = "INSERT INTO message (time, source_ip,"
	    " header_from, envelope_from, envelope_to, spf_domain, spf_scope,"
	    " spf_result, dkim, policy_domain, discovery, p, sp, np, adkim,"
	    " aspf, pct, testing, fo, rua, disposition, dmarc_dkim, dmarc_spf,"
	    " override, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?)";
	char *dkim;
	int rc = SQLITE_OK;

	if (r->source_ip == NULL || r->header_from == NULL ||
	    r->policy_domain == NULL) {
		*why = "history row without source IP, From or policy domain";
		return -1;
	}
	dkim = history_dkim_text(r);
	pthread_mutex_lock(&h->lock);
	/* Parsed once: a row per message is the milter's hot path. */
	if (h->insert == NULL)
		rc = sqlite3_prepare_v3(h->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &h->insert, NULL);
	if (rc == SQLITE_OK)
		rc = history_bind_row(h->insert, r, dkim);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(h->insert) == SQLITE_DONE ? SQLITE_OK :
		    SQLITE_ERROR;
	if (rc != SQLITE_OK) {
		snprintf(h->err, sizeof h->err, "%s", sqlite3_errmsg(h->db));
		*why = h->err;
	}
	/* The bindings point into r and dkim: dropped before they go. */
	if (h->insert != NULL) {
		sqlite3_reset(h->insert);
		sqlite3_clear_bindings(h->insert);
	}
	pthread_mutex_unlock(&h->lock);
	free(dkim);
	return rc == SQLITE_OK ? 0 : -1;
}

int
history_done(struct history *h, sqlite3_stmt *st, int rc, const char **why)
{
	if (rc != SQLITE_OK) {
		snprintf(h->err, sizeof h->err, "%s", sqlite3_errmsg(h->db));
		*why = h->err;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

long
history_purge(struct history *h, time_t before, const char **why)
{
	sqlite3_stmt *st = NULL;
	long n = -1;
	int rc;

	pthread_mutex_lock(&h->lock);
	rc = sqlite3_prepare_v2(h->db, "DELETE FROM message WHERE time < ?",
	    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	if (rc == SQLITE_OK)
		n = sqlite3_changes(h->db);
	if (history_done(h, st, rc, why) == -1)
		n = -1;
	pthread_mutex_unlock(&h->lock);
	return n;
}

int
history_domains(struct history *h, time_t since, time_t until,
    void (*fn)(void *, const char *, const char *), void *arg,
    const char **why)
{
	static const char sql[] = "SELECT policy_domain, (SELECT rua FROM"
	    " message m2 WHERE m2.policy_domain = m.policy_domain AND"
	    " m2.time >= ?1 AND m2.time < ?2 ORDER BY time DESC, id DESC"
	    " LIMIT 1) FROM message m WHERE time >= ?1 AND time < ?2"
	    " GROUP BY policy_domain ORDER BY policy_domain";
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	pthread_mutex_lock(&h->lock);
	rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)until);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    history_s((const char *)sqlite3_column_text(st, 1)));
		n++;
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	if (history_done(h, st, rc, why) == -1)
		n = -1;
	pthread_mutex_unlock(&h->lock);
	return n;
}
