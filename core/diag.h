/* Located problems found in a file, printed as FILE:LINE:COL: error: ... */
#ifndef DOORSTEP_DIAG_H
#define DOORSTEP_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_level level;
	int line;
	int col;
	char *msg;
	size_t seq;	/* order of finding, to keep ties stable */
};

/* A list of problems; owns its messages. */
struct diags {
	char *file;
	struct diag *v;
	size_t n;
	size_t errors;
	size_t warnings;
};

void diags_init(struct diags *d, const char *file);
void diags_add(struct diags *d, enum diag_level level, int line, int col,
    const char *fmt, ...) ATTR_PRINTF(5, 6);
void diags_vadd(struct diags *d, enum diag_level level, int line, int col,
    const char *fmt, va_list ap) ATTR_PRINTF(5, 0);
/* Writes every problem, sorted by position, one a line: FILE:LINE:COL:
 * level: message, or FILE: level: message for one about the whole file
 * (line 0). */
void diags_print(const struct diags *d, FILE *out);
/* The first error as one line FILE:LINE:COL: message (FILE: message for
 * the whole file; caller frees), or NULL. */
char *diags_first(const struct diags *d);
void diags_free(struct diags *d);

#endif
