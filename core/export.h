/* Writes records out for analysis and for other sites (JSONL). */
#ifndef DOORSTEP_EXPORT_H
#define DOORSTEP_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

/* Writes one JSON object a line for every finalized, uploaded or conflict
 * record (with all: drafts too). Returns the number of records written,
 * or -1 with *cause set. */
long export_jsonl(struct store *s, FILE *out, bool all, char **cause);

/* Writes records as CSV for spreadsheets: one row per record, one column
 * per question (a multiple choice also as one 0/1 column per choice, a
 * need area as a 0/1 column), into out. When repeat_base is not NULL,
 * each repeat goes to REPEAT_BASE-NAME.csv, one row per entry keyed by
 * instance_id; without it repeats are left out (*skipped says so). Text
 * that a spreadsheet would run as a formula (= + - @) is made inert; bom
 * starts each file with a UTF-8 byte order mark (Excel, WPS). Returns the
 * number of records, or -1 with *cause. */
long export_csv(struct store *s, FILE *out, const char *repeat_base, bool all,
    bool bom, bool *skipped, char **cause);

/* What an import did. */
struct import_summary {
	long imported;		/* new records */
	long unchanged;		/* already here, the same */
	long conflicts;		/* already here under that instance_id, different */
	long unknown;		/* of a form version not in the forms folder or store */
	long bad;		/* lines that are not a record */
	long households;	/* households registered for their records */
};

/* Reads records in the JSONL export format (another site's --export) and
 * adds the new ones with their status, household, round and site. The
 * same file twice changes nothing; a different record under a known
 * instance_id is a conflict, reported and not applied. Each record's form
 * version must be in the store or among forms[]; note() gets one line per
 * problem (prefixed name:LINE:). Returns 0, or -1 on a database error. */
int import_jsonl(struct store *s, FILE *in, const char *name,
    const struct form *const *forms, size_t nforms,
    void (*note)(void *ctx, const char *msg), void *ctx,
    struct import_summary *sum, char **cause);

#endif
