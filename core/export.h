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

#endif
