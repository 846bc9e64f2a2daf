/*
 * history: one row per DMARC-evaluated message in SQLite (WAL mode), and
 * the RFC 9990 aggregate report built from those rows.
 *
 * One struct history per process, shared by its threads: every call takes
 * the handle's mutex.  A busy database waits at most HISTORY_BUSY_MS; every
 * failure returns -1 with a reason and never blocks or fails mail (the
 * milter logs and goes on).  Strings in rows are copied; callers keep
 * ownership of theirs.
 */
#ifndef POSTSEAL_HISTORY_H
#define POSTSEAL_HISTORY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define HISTORY_BUSY_MS		250
#define HISTORY_MAX_DKIM	16	/* signatures kept per message */

struct history_dkim {
	const char *domain;		/* d= */
	const char *selector;		/* s= */
	const char *result;		/* RFC 8601 word: "pass", "fail", ... */
};

struct history_row {
	time_t time;
	const char *source_ip;
	const char *header_from;	/* RFC5322.From domain */
	const char *envelope_from;	/* MAIL FROM address ("" for <>) */
	const char *envelope_to;	/* RCPT TO domain */
	const char *spf_domain;		/* the domain SPF checked */
	const char *spf_scope;		/* "mfrom" or "helo" */
	const char *spf_result;		/* "pass", "fail", ... */
	const struct history_dkim *dkim;
	size_t n_dkim;			/* beyond HISTORY_MAX_DKIM: dropped */
	/* The policy that was applied. */
	const char *policy_domain;	/* where the record was found */
	const char *discovery;		/* "psl" or "treewalk" */
	const char *p, *sp, *np;	/* "none" / "quarantine" / "reject" / "" */
	const char *adkim, *aspf;	/* "r" / "s" */
	int pct;			/* 0..100 */
	int testing;			/* t=y */
	const char *fo;
	const char *rua;		/* the record's rua URIs, comma-separated */
	/* The outcome. */
	const char *disposition;	/* "none" / "quarantine" / "reject" */
	const char *dmarc_dkim;		/* "pass" / "fail": aligned DKIM */
	const char *dmarc_spf;		/* "pass" / "fail": aligned SPF */
	const char *override;		/* RFC 9990 reason type, or NULL */
	const char *reason;		/* free text */
};

struct history;

/* Open (create) the database at path, WAL, busy timeout.  Returns the
 * handle or NULL with *why (static or sqlite's, valid until next call). */
struct history *history_open(const char *path, const char **why);
void history_close(struct history **h);

/* Append one message.  Returns 0, or -1 with *why. */
int history_add(struct history *h, const struct history_row *r,
    const char **why);

/* Delete rows older than before.  Returns rows deleted or -1. */
long history_purge(struct history *h, time_t before, const char **why);

/*
 * Policy domains with rows in [since, until), in name order: calls fn
 * once for each with its latest rua (fn must not call history functions).
 * Returns how many or -1.
 */
int history_domains(struct history *h, time_t since, time_t until,
    void (*fn)(void *arg, const char *domain, const char *rua), void *arg,
    const char **why);

struct history_reporter {
	const char *org_name;		/* report_metadata/org_name */
	const char *email;		/* report_metadata/email */
	const char *extra_contact;	/* or NULL */
	const char *report_id;
	const char *skip_envelope_from;	/* our own report mail, or NULL */
};

/*
 * Write the RFC 9990 aggregate report (namespace
 * urn:ietf:params:xml:ns:dmarc-2.0) for policy_domain over [since, until)
 * to out: report_metadata, policy_published (the latest row's policy),
 * one record per distinct (source IP, identifiers, disposition, aligned
 * results, override, SPF and DKIM results) with its count.  Rows whose
 * envelope-from is r->skip_envelope_from are left out.  Writes nothing
 * and returns 0 when no row matches; else returns the number of messages
 * reported, or -1 with *why.
 */
long history_report(struct history *h, const char *policy_domain,
    time_t since, time_t until, const struct history_reporter *r, FILE *out,
    const char **why);

#endif
