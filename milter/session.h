/*
 * session: the state of one SMTP connection as the milter sees it, and of
 * the message in progress on it.  Owned by the libmilter connection
 * (smfi_setpriv); touched only by that connection's callbacks, so it needs
 * no locking.
 */
#ifndef POSTSEAL_MILTER_SESSION_H
#define POSTSEAL_MILTER_SESSION_H

#include <stddef.h>

#include "runtime.h"

struct dksign;
struct dkverify;
struct dkverify_result;

/* Bounds on what one message may make us hold in memory. */
#define SESSION_MAX_HEADERS 1000
#define SESSION_MAX_HEADER_BYTES (1024 * 1024)

struct session_header {
	char *name;
	char *value;	/* as received, leading whitespace included */
};

struct session {
	char client_ip[64];		/* "" for local submission (non_smtpd) */
	char client_name[256];
	char helo[256];
	int local;			/* no client address: sendmail(1) submission */
	unsigned long proto_flags;	/* SMFIP_* granted by the MTA */

	/* The message in progress; reset by session_end_message(). */
	struct runtime *rt;		/* the runtime this message started with */
	int outbound;			/* sign (1) or verify (0) */
	char queue_id[32];
	char mail_from[512];
	char auth_user[256];
	char rcpt_domain[256];		/* domain of the first RCPT TO */
	char sign_desc[160];		/* "d=... s=a,b" of the keys that sign */
	struct session_header *hdrs;
	size_t n_hdrs;
	size_t hdr_bytes;
	int too_big;			/* a bound was hit: sign/verify gives up */
	int *ar_forged;			/* 1-based indexes of A-R headers to remove */
	size_t n_ar_forged;
	size_t n_ar_seen;		/* Authentication-Results headers so far */
	struct dksign *signer;
	struct dkverify *verifier;
	struct dkverify_result *dkres;	/* verification results, for DMARC */
	size_t n_dkres;
};

struct session *session_new(void);
void session_free(struct session **s);

/* Take a reference to the live runtime for a new message; 0 or -1 (none). */
int session_begin_message(struct session *s);
/* Record one header; returns 0, or -1 when a bound was hit (too_big set). */
int session_add_header(struct session *s, const char *name, const char *value);
/* The first header called name (case-insensitive), or NULL. */
const char *session_header(const struct session *s, const char *name);
void session_end_message(struct session *s);
/* Messages between session_begin_message and their end, in all threads. */
int session_in_flight(void);

#endif
