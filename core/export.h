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

#endif
