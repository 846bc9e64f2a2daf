/*
 * confschema: the declarative table of every config key (name, type,
 * default, bounds, value check) and the defaults it gives.  conf.c walks
 * the file and reports, confset.c applies one setting to its field along
 * a row of this table, confvalue.c holds the value checks.  Internal to
 * lib/conf*: other modules use conf.h.
 *
 * The tables are constant; every function is thread-safe.
 */
#ifndef POSTSEAL_CONFSCHEMA_H
#define POSTSEAL_CONFSCHEMA_H

#include <stddef.h>

#include "conf.h"

#define CONFSCHEMA_PATH_MAX	4095	/* any path value */
#define CONFSCHEMA_MAX_ELEMENT	1024	/* one string of a list */

enum confschema_type {
	CONFSCHEMA_GROUP,	/* a group of keys: no field */
	CONFSCHEMA_STR,		/* char *, xstrdup'ed */
	CONFSCHEMA_BOOL,	/* int 0/1 */
	CONFSCHEMA_INT,		/* int in min..max */
	CONFSCHEMA_MODE,	/* int file mode 0..max, see confvalue_mode_*() */
	CONFSCHEMA_ENUM,	/* int: index of the word */
	CONFSCHEMA_LIST,	/* struct strlist, at most max entries */
	CONFSCHEMA_SIGN,	/* milter.sign: a list of confschema_sign groups */
};

/* A value check, as in confvalue.h. */
typedef int (*confschema_check_fn)(const char *s, size_t len, const char **why);
/* A whole-list check, run once every element passed: NULL or why not. */
typedef const char *(*confschema_list_fn)(const struct strlist *l);

/* One row of a schema: everything there is to know about a key. */
struct confschema_key {
	const char *name;		/* full path, "milter.dmarc.enforce" */
	enum confschema_type type;
	size_t off;			/* offset of the field in its struct */
	confschema_check_fn check;	/* STR; LIST elements */
	confschema_list_fn lcheck;	/* LIST as a whole */
	int empty_ok;			/* STR: "" skips check (means "none") */
	long long min, max;		/* INT range; STR length; LIST entries */
	const char *const *words;	/* ENUM: index = enum value */
	const char *def;		/* STR */
	int idef;			/* BOOL, INT, MODE, ENUM */
	const char *const *ldef;	/* LIST */
};

/* The field of row k in base, as a T *. */
#define CONFSCHEMA_FIELD(base, k, T) ((T *)(void *)((char *)(base) + (k)->off))

/* Every key of struct conf, groups included, in file-documentation order;
 * ends with a row whose name is NULL. */
extern const struct confschema_key confschema_top[];
/* The members of one milter.sign entry (fields of struct conf_sign). */
extern const struct confschema_key confschema_sign[];

/* Number of rows of confschema_top, the NULL row excluded. */
size_t confschema_count(void);

/* The row called name in schema, or NULL. */
const struct confschema_key *confschema_find(const struct confschema_key *schema,
    const char *name);

/* The name in schema closest to name (at most 2 edits), for "did you
 * mean"; NULL when none is that close.  Borrowed from the table. */
const char *confschema_suggest(const struct confschema_key *schema,
    const char *name);

/* Set every field of c to its default (authserv_id "" included: the host
 * name is conf's business).  c must be zeroed. */
void confschema_defaults(struct conf *c);

/* Free every field the schema owns, milter.sign and its entries included
 * (not c itself, nor c->path). */
void confschema_free_fields(struct conf *c);

#endif
