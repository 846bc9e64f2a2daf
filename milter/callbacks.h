/* callbacks: the libmilter adapters; thin, they call session/sign/verify. */
#ifndef POSTSEAL_MILTER_CALLBACKS_H
#define POSTSEAL_MILTER_CALLBACKS_H

#include <libmilter/mfapi.h>

extern struct smfiDesc callbacks_desc;

#endif
