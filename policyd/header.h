/*
 * header: the one trace header policyd asks Postfix to PREPEND, pure.
 *
 * Received-SPF (RFC 7208 9.1): result, a comment naming the receiver, then
 * identity=, receiver=, client-ip=, envelope-from=, helo= (and mechanism=
 * when known); or Authentication-Results (RFC 8601) with spf=, the
 * explanation as reason= and smtp.mailfrom= / smtp.helo=.  Both are built
 * by lib/authres: CR, LF and other control characters of client values are
 * dropped, so the text is always one line, and values that are neither
 * dot-atoms nor tokens are written as quoted strings.
 */
#ifndef POSTSEAL_POLICYD_HEADER_H
#define POSTSEAL_POLICYD_HEADER_H

#include <stddef.h>

#include "conf.h"
#include "spf.h"

struct header_input {
	const char *receiver;		/* our host name / authserv-id */
	const char *client_ip;
	const char *helo;		/* "" when the client sent none */
	const char *sender;		/* MAIL FROM, "" for the null sender */
	int identity_helo;		/* the result is the HELO identity's */
	const struct spf_outcome *spf;
};

/*
 * Write "Name: value" (no CR/LF) into out (size n), truncated to fit.
 * Returns out.
 */
const char *header_build(enum conf_spf_header style,
    const struct header_input *in, char *out, size_t n);

/*
 * Copy s into out (size n) without control characters; when strip is
 * non-NULL, characters in it are dropped too.  For client text put into a
 * reply line (reject and defer texts).  Returns out.
 */
const char *header_clean(const char *s, const char *strip, char *out, size_t n);

#endif
