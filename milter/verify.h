/* verify: inbound mail, DKIM results into one Authentication-Results header. */
#ifndef POSTSEAL_MILTER_VERIFY_H
#define POSTSEAL_MILTER_VERIFY_H

#include <stddef.h>

#include "session.h"

/* At end of headers: start the verifier and feed it the headers. 0 / -1. */
int verify_start(struct session *s, char *why, size_t n);
int verify_body(struct session *s, const unsigned char *buf, size_t len);

struct verify_outcome {
	char *authres;		/* the A-R header value (caller frees) */
	int temperror;		/* some signature could not be checked for now */
	int passes;		/* signatures that passed */
	int count;		/* signatures reported */
};

/* Finish verification and build the A-R header value. 0 / -1 with why. */
int verify_finish(struct session *s, struct verify_outcome *out, char *why, size_t n);

#endif
