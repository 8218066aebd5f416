/* What the store's own modules (store.c, household.c) share: the handle
 * and the small statement helpers. Not for the rest of the program. */
#ifndef DOORSTEP_STORE_IMPL_H
#define DOORSTEP_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store.h"

struct store {
	sqlite3 *db;
	char *path;
	bool in_transaction;
	int busy_ms;		/* how long to wait for another process */
	char *login;		/* who the trail's entries name; NULL: the
				 * process's login */
	struct {		/* statements compiled once (sq_cached) */
		const char *sql;
		sqlite3_stmt *st;
	} cached[24];
};

/* Sets *cause to "what: SQLite's message" and returns -1. */
int sq_fail(struct store *s, char **cause, const char *what);
int sq_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
    char **cause);
/* Binds a string, or NULL. */
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
/* A statement compiled once for the life of the handle, found by the
 * address of its SQL (a string literal), its bindings cleared: bind, step,
 * then sq_cached_done (never sqlite3_finalize). Compiling the same
 * statement again for each answer or record was most of an import. */
int sq_cached(struct store *s, const char *sql, sqlite3_stmt **st,
    char **cause);
/* Resets a cached statement (letting go of what it read). */
void sq_cached_done(sqlite3_stmt *st);
/* Runs a cached statement that returns no rows, then resets it. */
int sq_cached_step_done(struct store *s, sqlite3_stmt *st, char **cause,
    const char *what);
/* Runs a statement that returns no rows, then finalizes it. */
int sq_step_done(struct store *s, sqlite3_stmt *st, char **cause,
    const char *what);
/* A copy of a text column, or NULL. */
char *sq_col_dup(sqlite3_stmt *st, int i);

#endif
