#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

void
diags_init(struct diags *d, const char *file)
{
	memset(d, 0, sizeof *d);
	d->file = xstrdup(file);
}

void
diags_add(struct diags *d, enum diag_level level, int line, int col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(d, level, line, col, fmt, ap);
	va_end(ap);
}

void
diags_vadd(struct diags *d, enum diag_level level, int line, int col,
    const char *fmt, va_list ap)
{
	struct diag *g;

	if ((d->n & (d->n - 1)) == 0)	/* 0, 1, 2, 4 ...: doubles */
		d->v = xreallocarray(d->v, d->n ? d->n * 2 : 1, sizeof *d->v);
	g = &d->v[d->n++];
	g->seq = d->n - 1;
	g->level = level;
	g->line = line;
	g->col = col;
	g->msg = xvasprintf(fmt, ap);
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
diags_print(const struct diags *d, FILE *out)
{
	struct diag *sorted;
	size_t i;

	if (d->n == 0)
		return;
	sorted = xreallocarray(NULL, d->n, sizeof *sorted);
	memcpy(sorted, d->v, d->n * sizeof *sorted);
	qsort(sorted, d->n, sizeof *sorted, diag_cmp);
	for (i = 0; i < d->n; i++) {
		const char *level = sorted[i].level == DIAG_ERROR ? "error" : "warning";
		/* A message may quote the file: shown, never obeyed. */
		char *line = sorted[i].line == 0 ?	/* the file as a whole */
		    xasprintf("%s: %s: %s", d->file, level, sorted[i].msg) :
		    xasprintf("%s:%d:%d: %s: %s", d->file, sorted[i].line,
		    sorted[i].col, level, sorted[i].msg);
		char *safe = text_sanitize(line, false);

		fprintf(out, "%s\n", safe);
		free(safe);
		free(line);
	}
	free(sorted);
}

char *
diags_first(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR && d->v[i].line == 0)
			return xasprintf("%s: %s", d->file, d->v[i].msg);
		else if (d->v[i].level == DIAG_ERROR)
			return xasprintf("%s:%d:%d: %s", d->file, d->v[i].line,
			    d->v[i].col, d->v[i].msg);
	return NULL;
}

void
diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	free(d->file);
	memset(d, 0, sizeof *d);
}
