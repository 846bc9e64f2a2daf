/*
 * keybroker: the key files of a reload, opened by a process that kept the
 * privileges the milter gave up (DESIGN.md: keys are loaded at start and
 * at reload while privileged).
 *
 * Started as root before the privilege drop, the broker is a child process
 * that does one thing: for each path the milter asks for, it reads the
 * configuration file again itself (as root), and opens the path through
 * safepath_open() with the configuration's trust (keys.require_safe, the
 * daemon user) only if that configuration names it as a key file — a
 * milter.sign entry or a line of the KeyTable.  It answers with the
 * verdict and, when the file was opened, its descriptor (SCM_RIGHTS), so
 * the milter reads a root-only key without being able to open anything
 * else as root.  The milter's runtime uses keybroker_open() as its
 * safepath opener (safepath.h) once it runs as the daemon user.
 *
 * The broker leaves when the milter closes its end or dies (it is killed
 * with the milter: PR_SET_PDEATHSIG).  If it is gone, a reload fails and
 * keeps the current keys, as for any key that cannot be loaded, and the
 * dead broker is reaped.
 */
#ifndef POSTSEAL_MILTER_KEYBROKER_H
#define POSTSEAL_MILTER_KEYBROKER_H

#include <stddef.h>

#include "safepath.h"

/*
 * Fork the broker for the configuration file conf_path.  Called once, as
 * root, before any thread exists; 0, or -1 with why (no broker: reloads
 * read keys as the daemon user).
 */
int keybroker_start(const char *conf_path, char *why, size_t n);
/* Is there a broker to ask? */
int keybroker_running(void);

/* A safepath opener (safepath.h) that asks the broker; arg is unused. */
int keybroker_open(const char *path, const struct safepath_trust *t,
    struct safepath_verdict *v, void *arg);

/*
 * Does the configuration in conf_path name path as a key file (a
 * milter.sign entry, or a KeyTable line)?  1 yes, with *trust set as the
 * configuration asks; 0 no, or the configuration does not load, with why.
 */
int keybroker_allowed(const char *conf_path, const char *path,
    struct safepath_trust *trust, char *why, size_t n);

#endif
