/* The trail: who did what to which record or household, and when, kept
 * in a table that nothing (not doorstep, not SQL run through it) can edit
 * or delete. */
#ifndef DOORSTEP_TRAIL_H
#define DOORSTEP_TRAIL_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

/* One entry to add. what is a fixed word: answer, entry_deleted (of a
 * repeat), finalize, discard, hand_over, registered, edited, closed,
 * reopened, deleted, upload, import, export. The record (0: none) gives its instance ID and its
 * household; else household, else household_id (0: none) gives it. */
struct trail_entry {
	const char *what;
	int64_t record;
	const char *household;
	int64_t household_id;
	const char *question;	/* an answer's question */
	long entry;		/* its repeat entry (1-based), 0 outside:
				 * kept as question[entry] */
	const char *old;	/* the value before, or NULL */
	const char *new_value;	/* the value after, or NULL */
	const char *detail;	/* a reason, a count, the server's fate, the
				 * round an answer confirmed was carried from */
};

/* One entry as read back. */
struct trail_row {
	int64_t id;
	const char *at;
	const char *login;
	const char *what;
	const char *instance_id;
	const char *household;
	const char *question;
	const char *old;
	const char *new_value;
	const char *detail;
};

/* The login entries are written under from now on (the store starts with
 * the process's login). */
void trail_set_login(struct store *s, const char *login);

/* Adds an entry, inside the caller's transaction when there is one (so
 * that it stays or goes with the change it records). */
int trail_add(struct store *s, const struct trail_entry *e, char **cause);

/* Calls fn for each entry of a household (household not NULL), of a
 * record (instance_id not NULL), or every entry, oldest first. */
int trail_read(struct store *s, const char *household,
    const char *instance_id, void (*fn)(void *ctx, const struct trail_row *r),
    void *ctx, char **cause);

/* Writes the entries trail_read gives as CSV with a header row; returns
 * how many, or -1. */
long trail_csv(struct store *s, FILE *out, const char *household,
    char **cause);

#endif
