/*
 * history_int: what history.c and history_report.c share; not for other
 * modules.
 */
#ifndef POSTSEAL_HISTORY_INT_H
#define POSTSEAL_HISTORY_INT_H

#include <pthread.h>
#include <sqlite3.h>

struct history {
	sqlite3 *db;
	sqlite3_stmt *insert;		/* history_add's, prepared once */
	pthread_mutex_t lock;		/* held around every use of db */
	char err[256];			/* the last error, under lock */
};

/* Finalize st; when rc is not SQLITE_OK copy the error to h->err, point
 * *why at it and return -1; else return 0.  Call with h->lock held. */
int history_done(struct history *h, sqlite3_stmt *st, int rc, const char **why);

#endif
