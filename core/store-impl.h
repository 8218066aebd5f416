/* What the store's own modules (store.c, household.c) share: the handle
 * and the small statement helpers. Not for the rest of the program. */
#ifndef DOORSTEP_STORE_IMPL_H
#define DOORSTEP_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

struct store {
	sqlite3 *db;
	char *path;
	bool in_transaction;
	int busy_ms;		/* how long to wait for another process */
	int queued_ms;		/* of which store_begin spent in the write
				 * queue: SQLite's busy handler has the rest */
	int queue_fd;		/* the write queue beside the database
				 * (store.c), or -1: none */
	int64_t *queue;		/* its two counters, mapped */
	int64_t turn;		/* the queue's ticket this handle holds (its
				 * slot locked), or -1 */
	bool queue_gave_up;	/* the last store_begin stopped waiting in
				 * the queue (its bound) */
	bool search_like_only;	/* the household search reads every
				 * household, without its index */
	char *login;		/* who the trail's entries name; NULL: the
				 * process's login */
	bool scrub_due;		/* a sealed record's plain answers were
				 * deleted: store_scrub empties the log */
	bool in_memory;		/* store_open_memory's */
	bool shared;		/* store_open_shared's */
	bool scrub_failed;	/* the last try met a reader: the next
				 * ones do not wait */
	struct {		/* statements compiled once (sq_cached) */
		const char *sql;
		sqlite3_stmt *st;
	} cached[24];
	struct search_cache *search;	/* the last household search's
					 * households (core/household.c) */
};

/* Lets go of the household search's cache (before the database closes). */
void household_search_forget(struct store *s);

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
/* A change is a transaction of its own, unless the caller (an import, a
 * bulk registration, a step of an interview) holds one and it is part of
 * that: sq_begin begins one only then, and *own says so. */
int sq_begin(struct store *s, bool *own, char **cause);
/* Ends what sq_begin began: a transaction of its own is committed when rc
 * is 0 and rolled back otherwise (on a failed commit too). Returns rc, or
 * -1 when the commit fails; the caller's transaction is left to it. */
int sq_end(struct store *s, bool own, int rc, char **cause);

#endif
