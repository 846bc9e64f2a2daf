/*
 * dmarcrec: DMARC policy records (the TXT strings found at _dmarc names),
 * parsed, pure.
 *
 * RFC 7489 (DMARC) with the additions of RFC 9989 (np, psd, t; missing p
 * treated as none), which obsoletes it.  No I/O, no logging, no globals:
 * every function may be called from any thread.  This module handles the
 * record as a whole (version, tag-list, repeated tags, defaults, the rules
 * for unusable p / sp / np); the grammar of each tag's value is in
 * dmarctag.h, discovery over DNS in dmarcfind.h, the verdict in dmarc.h.
 */
#ifndef POSTSEAL_DMARCREC_H
#define POSTSEAL_DMARCREC_H

#include <stddef.h>

#define DMARC_MAX_RECORD	4096	/* bytes of one record; longer is refused */
#define DMARC_MAX_URIS		8	/* rua / ruf URIs kept, each list */
#define DMARC_MAX_URI		256	/* bytes of one URI */

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,		/* tag absent */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

enum dmarc_align { DMARC_ALIGN_RELAXED = 0, DMARC_ALIGN_STRICT };
enum dmarc_psd { DMARC_PSD_U = 0, DMARC_PSD_Y, DMARC_PSD_N };

/* One bit per tag, for struct dmarc_record.seen / .ignored. */
enum dmarc_tag {
	DMARC_TAG_V = 0, DMARC_TAG_P, DMARC_TAG_SP, DMARC_TAG_NP,
	DMARC_TAG_ADKIM, DMARC_TAG_ASPF, DMARC_TAG_PCT, DMARC_TAG_RI,
	DMARC_TAG_FO, DMARC_TAG_RF, DMARC_TAG_RUA, DMARC_TAG_RUF,
	DMARC_TAG_PSD, DMARC_TAG_T, DMARC_TAG_COUNT
};

struct dmarc_record {
	enum dmarc_policy p;		/* never UNSET after a successful parse */
	enum dmarc_policy sp;		/* UNSET: p applies */
	enum dmarc_policy np;		/* UNSET: sp, else p applies */
	enum dmarc_align adkim, aspf;	/* default relaxed */
	unsigned pct;			/* 0..100, default 100 (RFC 7489) */
	unsigned long ri;		/* seconds, default 86400 (RFC 7489) */
	int testing;			/* t=y (RFC 9989) */
	enum dmarc_psd psd;		/* default u */
	char fo[16];			/* default "0" */
	char rf[32];			/* default "afrf" */
	size_t n_rua, n_ruf;		/* valid URIs kept, in record order */
	char rua[DMARC_MAX_URIS][DMARC_MAX_URI + 1];
	char ruf[DMARC_MAX_URIS][DMARC_MAX_URI + 1];
	/* p was missing, or p / sp / np invalid with a valid rua: the
	 * record acts as "p=none" (RFC 9989 4.7 and 4.10.1). */
	int p_as_none;
	unsigned seen;			/* 1u << enum dmarc_tag present */
	unsigned ignored;		/* tags whose invalid value was ignored */
};

/*
 * Parse one DMARC record (the TXT strings joined), len bytes; rec need not
 * be NUL-terminated.  Returns 0 with out filled, or -1 with *why (static):
 *   - not a DMARC record: "v=DMARC1" is not the first tag (RFC 9989 4.7);
 *   - longer than DMARC_MAX_RECORD, NUL or control bytes, tag syntax;
 *   - a tag given twice (the tag-list rule of RFC 6376 3.2 that DMARC
 *     records follow);
 *   - p (present) invalid, or sp / np invalid, and no valid rua URI: "no
 *     DMARC processing" (RFC 7489 6.6.3, RFC 9989 4.10.1).
 * Other invalid values fall back to their defaults and set a bit in
 * out->ignored; unknown tags are ignored (RFC 9989 4.7).
 */
int dmarcrec_parse(const char *rec, size_t len, struct dmarc_record *out,
    const char **why);

/* 1 when the len bytes start with the "v=DMARC1" tag (used to discard
 * other TXT records at _dmarc names before counting them); else 0. */
int dmarcrec_is_record(const char *rec, size_t len);

/* "none", "quarantine", "reject"; "" for UNSET or out of range. */
const char *dmarcrec_policy_name(enum dmarc_policy p);

#endif
