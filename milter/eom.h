/* eom: end of message, where results become header changes and verdicts. */
#ifndef POSTSEAL_MILTER_EOM_H
#define POSTSEAL_MILTER_EOM_H

#include <libmilter/mfapi.h>

#include "session.h"

/* Outbound: insert one DKIM-Signature per key; on failure apply
 * milter.on_sign_error. */
sfsistat eom_sign(SMFICTX *ctx, struct session *s);
/* Inbound: remove forged A-R headers, insert ours; on a temporary failure
 * apply milter.on_verify_temperror. */
sfsistat eom_verify(SMFICTX *ctx, struct session *s);

#endif
