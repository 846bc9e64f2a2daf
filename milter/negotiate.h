/*
 * negotiate: what postseal-milter asks of the MTA at option negotiation,
 * in one place, so the benchmark's reference milter (bench/nullmilter.c)
 * asks for exactly the same.
 *
 * Protocol steps: every step but end-of-message needs no reply (saving the
 * MTA a round trip per step), no DATA or unknown-command events, header
 * values with their leading space.
 *
 * Macros: only those the milter reads, {auth_authen} at MAIL and the queue
 * ID at end-of-headers.  By default Postfix sends some at every step, each
 * parsed and stored for nothing; it takes an empty list as "the defaults",
 * so the other steps ask for a macro no MTA defines, and get none.  An MTA
 * that ignores the request sends its defaults, which are read the same way.
 */
#ifndef POSTSEAL_MILTER_NEGOTIATE_H
#define POSTSEAL_MILTER_NEGOTIATE_H

#include <libmilter/mfapi.h>

/* The protocol flags to answer with, of those the MTA offered. */
unsigned long negotiate_steps(unsigned long offered);

/* Ask for the macros above; returns how many stages the MTA's libmilter
 * refused to limit (0 when all were). */
int negotiate_macros(SMFICTX *ctx);

#endif
