/*
 * dmarctag: the tags of a DMARC record (RFC 7489 6.3, RFC 9989 4.7): their
 * names and the grammar of each tag's value, pure.
 *
 * No I/O, no logging, no globals: every function may be called from any
 * thread.  Values are taken as (pointer, length) spans of the record, not
 * NUL-terminated.  The record around the tags (version, tag-list, defaults,
 * what an invalid value means) is dmarcrec.h's business.
 */
#ifndef POSTSEAL_DMARCTAG_H
#define POSTSEAL_DMARCTAG_H

#include <stddef.h>

#include "dmarcrec.h"

/* "v", "p", "sp", ...; "" for a value out of range. */
const char *dmarctag_name(enum dmarc_tag t);

/* The tag whose name is the n bytes at name (case-insensitive), or -1 for
 * a tag this module does not know. */
int dmarctag_lookup(const char *name, size_t n);

/*
 * Parse the value of tag t, the n bytes at v (WSP around it already
 * trimmed), into its field(s) of r: p, sp, np, adkim, aspf, pct, ri, fo,
 * rf, rua (with n_rua), ruf (with n_ruf), psd, t (testing).  rua / ruf
 * keep up to DMARC_MAX_URIS valid URIs and drop the others (RFC 9989 4.7).
 * Returns 0, or -1 when the value is invalid (for rua / ruf: no valid URI
 * at all) or t is DMARC_TAG_V or unknown; the field may then hold part of
 * the value and the caller puts its default back.
 */
int dmarctag_set(enum dmarc_tag t, const char *v, size_t n,
    struct dmarc_record *r);

#endif
