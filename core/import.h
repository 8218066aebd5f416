/* Brings in records exported elsewhere (another site's --export, JSONL),
 * each checked with the interview program's own rules: a record its form
 * would not have let an interviewer write is refused whole. */
#ifndef DOORSTEP_IMPORT_H
#define DOORSTEP_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "form.h"
#include "store.h"

#define IMPORT_MAX_LINE (1024 * 1024)	/* bytes in one record's line */
#define IMPORT_MAX_NAME 64	/* characters in a form id or version, a
				 * site, an interviewer's name */

/* What an import did. */
struct import_summary {
	long imported;		/* new records */
	long unchanged;		/* already here, the same */
	long conflicts;		/* already here under that instance_id, different */
	long unknown;		/* of a form version not in the forms folder or store */
	long refused;		/* records the form or the record format does not
				 * allow, and lines too long to read */
	long bad;		/* lines that are not a record */
	long households;	/* households registered for their records */
};

/* Reads records in the JSONL export format and adds the new ones with
 * their status, household, round and site. Each record is checked against
 * its form version (the one in the store, else the one in forms[], which
 * is then kept) as the interview program checks what is typed: every
 * answer of its question's type and choices, within its constraint, asked
 * at all (relevance, repeat entries and their limit); a record that is not
 * a draft must also answer every required question, as finalize demands.
 * Its instance ID (uuid: and a version 4 UUID), status, household code,
 * round, site, interviewer and times must be well formed; a key that is
 * not a question of the form refuses the record. A refused record leaves
 * nothing in the store (one transaction per record). A line longer than
 * IMPORT_MAX_LINE is refused without being held in memory.
 *
 * The same file twice changes nothing: a record already here with the same
 * answers (compared as normalized, a key left out the same as null) is
 * counted unchanged; with other answers it is a conflict, not applied.
 * note() gets one message per problem, "name:LINE: reason"; constraint
 * messages are the form's, in lang. Returns 0, or -1 when the database or
 * the file failed (*cause). */
int import_jsonl(struct store *s, FILE *in, const char *name,
    const struct form *const *forms, size_t nforms, const char *lang,
    void (*note)(void *ctx, const char *msg), void *ctx,
    struct import_summary *sum, char **cause);

#endif
