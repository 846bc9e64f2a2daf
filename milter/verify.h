/* verify: inbound mail, DKIM results into one Authentication-Results header. */
#ifndef POSTSEAL_MILTER_VERIFY_H
#define POSTSEAL_MILTER_VERIFY_H

#include <stddef.h>

#include "session.h"

/* At end of headers: start the verifier and feed it the headers. 0 / -1. */
int verify_start(struct session *s, char *why, size_t n);
int verify_body(struct session *s, const unsigned char *buf, size_t len);

struct authres;

struct verify_outcome {
	int temperror;		/* some signature could not be checked for now */
	int passes;		/* signatures that passed */
	int count;		/* signatures reported */
};

/* Finish verification; one dkim= entry per signature into ar.  0 / -1. */
int verify_finish(struct session *s, struct authres *ar,
    struct verify_outcome *out, char *why, size_t n);

#endif
