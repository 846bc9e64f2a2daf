/*
 * toolconf: how every `postseal` subcommand finds its configuration.
 *
 * -c FILE given: that file must load, or every problem is printed to
 * stderr as "postseal CMD: file:line: key: problem" and NULL is returned.
 * No -c: the default file when it exists; when it does not, the built-in
 * defaults if the command can work without a file (need_file == 0), else
 * NULL with a message that says to give -c.
 */
#ifndef POSTSEAL_TOOLCONF_H
#define POSTSEAL_TOOLCONF_H

#include "conf.h"

struct conf *toolconf_load(const char *cmd, const char *path, int need_file);

/* The safe-path trust of the daemons: root plus the configured user
 * (override with user != NULL); enforce as keys.require_safe, or 0 when
 * report_only (check-keys reports every rule instead of stopping). */
struct safepath_trust;
void toolconf_trust(const struct conf *c, const char *user, int report_only,
    struct safepath_trust *t);

#include <stdio.h>

/* All of in (at most max bytes), NUL-terminated; NULL on a read error or a
 * larger input.  The caller frees it. */
char *toolconf_read(FILE *in, size_t max, size_t *len);

#endif
