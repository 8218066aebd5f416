#include "export.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcache.h"
#include "interview.h"
#include "text.h"
#include "i18n.h"
#include "util.h"


/* A JSON string; bytes that are not UTF-8 become U+FFFD rather than
 * losing the value. */
static json_t *
str_or_null(const char *s)
{
	json_t *j;
	char *clean;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	clean = text_sanitize(s, true);
	j = json_string(clean);
	free(clean);
	return j ? j : json_null();
}

/* An answer as its JSON type: numbers as numbers, multiple choices as an
 * array, the rest as strings. */
static json_t *
answer_json(const struct question *q, const char *value)
{
	json_t *arr;
	char *copy, *tok, *save = NULL;

	if (value == NULL)
		return json_null();
	switch (q->type) {
	case QT_INTEGER:
		return json_integer(strtoll(value, NULL, 10));
	case QT_DECIMAL:
		return json_real(strtod(value, NULL));
	case QT_SELECT_MULTIPLE:
		arr = json_array();
		copy = xstrdup(value);
		for (tok = strtok_r(copy, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save))
			json_array_append_new(arr, str_or_null(tok));
		free(copy);
		return arr;
	default:
		return str_or_null(value);
	}
}

/* A calculation's value: a number when it reads as one. */
static json_t *
calc_json(const char *value)
{
	char *end;
	double x;

	if (value == NULL)
		return json_null();
	x = strtod(value, &end);
	if (*value != '\0' && *end == '\0' && isfinite(x) &&
	    strspn(value, "-0123456789.") == strlen(value)) {
		if (x == trunc(x) && fabs(x) < 1e15)
			return json_integer((json_int_t)x);
		return json_real(x);
	}
	return str_or_null(value);
}

static json_t *
value_json(const struct interview *iv, size_t q, long entry)
{
	const struct question *qq = iv->form->questions[q];
	const char *v = interview_value(iv, q, entry);

	return qq->type == QT_CALCULATE ? calc_json(v) : answer_json(qq, v);
}

/* The answers object: relevant questions in the form's order, a repeat as
 * an array of objects, groups not nested. */
static json_t *
answers_json(const struct interview *iv)
{
	const struct form *f = iv->form;
	json_t *obj = json_object();
	size_t i = 0, j;

	while (i < f->nquestions) {
		const struct question *q = f->questions[i];
		const struct group *r = q->repeat;

		if (r != NULL && i == r->first) {
			if (interview_group_relevant(iv, r, 0)) {
				json_t *arr = json_array();
				long n = interview_entries(iv, r), e;

				for (e = 1; e <= n; e++) {
					json_t *entry = json_object();

					for (j = r->first; j < r->end; j++)
						if (question_has_value(f->questions[j]) &&
						    interview_relevant(iv, j, e))
							json_object_set_new(entry, f->questions[j]->name,
							    value_json(iv, j, e));
					json_array_append_new(arr, entry);
				}
				json_object_set_new(obj, r->name, arr);
			}
			i = r->end;
			continue;
		}
		if (question_has_value(q) && interview_relevant(iv, i, 0))
			json_object_set_new(obj, q->name, value_json(iv, i, 0));
		i++;
	}
	return obj;
}

struct jsonl_walk {
	struct store *s;
	struct form_cache cache;
	FILE *out;
	long written;
};

/* Writes one record's line. */
static int
jsonl_one(const struct record_info *r, void *ctx, char **cause)
{
	struct jsonl_walk *w = ctx;
	const struct form *f = formcache_get(&w->cache, w->s, r->form_ref, cause);
	struct interview *iv;
	json_t *obj, *ordered, *needs;
	char *line;
	size_t q;

	if (f == NULL || (iv = interview_open(w->s, f, r, cause)) == NULL)
		return -1;
	ordered = answers_json(iv);
	needs = json_array();
	for (q = 0; q < f->nneeds; q++)
		if (interview_need(iv, q))
			json_array_append_new(needs, json_string(f->needs[q].id));
	interview_free(iv);

	obj = json_object();
	json_object_set_new(obj, "instance_id", str_or_null(r->instance_id));
	json_object_set_new(obj, "form", str_or_null(r->form_id));
	json_object_set_new(obj, "form_version", str_or_null(r->form_version));
	json_object_set_new(obj, "status", str_or_null(r->status));
	json_object_set_new(obj, "household", str_or_null(r->household));
	json_object_set_new(obj, "round", str_or_null(r->round));
	json_object_set_new(obj, "site", str_or_null(r->site));
	json_object_set_new(obj, "interviewer", str_or_null(r->interviewer));
	json_object_set_new(obj, "started_at", str_or_null(r->started_at));
	json_object_set_new(obj, "finalized_at", str_or_null(r->finalized_at));
	json_object_set_new(obj, "answers", ordered);
	json_object_set_new(obj, "needs", needs);
	line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(obj);
	if (line == NULL) {
		set_cause(cause, _("cannot encode record %s"), r->instance_id);
		return -1;
	}
	if (fputs(line, w->out) == EOF || fputc('\n', w->out) == EOF) {
		set_cause(cause, _("cannot write the export"));
		free(line);
		return -1;
	}
	free(line);
	w->written++;
	return 0;
}

long
export_jsonl(struct store *s, FILE *out, bool all, char **cause)
{
	struct jsonl_walk w = { s, { 0 }, out, 0 };
	int rc;

	/* One record at a time: memory stays flat at any size. */
	rc = store_records_each(s, all ? STORE_ALL : STORE_DONE, jsonl_one, &w,
	    cause);
	formcache_free(&w.cache);
	if (rc != 0)
		return -1;
	if (fflush(out) != 0) {
		set_cause(cause, _("cannot write the export"));
		return -1;
	}
	return w.written;
}

/* CSV. */

/* One column of a CSV table. */
struct column {
	char *title;
	const char *question;	/* the question's name, or NULL */
	const char *choice;	/* for a 0/1 column of a multiple choice */
	const char *need;	/* for a 0/1 column of a need area */
	enum question_type type;
};

struct table {
	const char *repeat;	/* NULL for the records table */
	struct column *cols;
	size_t ncols;
	struct safe_file file;	/* repeat tables */
	FILE *f;
};

static void
add_column(struct table *t, char *title, const char *question,
    const char *choice, const char *need, enum question_type type)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].title, title) == 0) {
			free(title);	/* the same column in another form version */
			return;
		}
	t->cols = xreallocarray(t->cols, t->ncols + 1, sizeof *t->cols);
	t->cols[t->ncols].title = title;
	t->cols[t->ncols].question = question;
	t->cols[t->ncols].choice = choice;
	t->cols[t->ncols].need = need;
	t->cols[t->ncols].type = type;
	t->ncols++;
}

static void
question_columns(struct table *t, const struct question *q)
{
	size_t k;

	if (!question_has_value(q))
		return;
	add_column(t, xstrdup(q->name), q->name, NULL, NULL, q->type);
	if (q->type == QT_SELECT_MULTIPLE)
		for (k = 0; k < q->choices->n; k++)
			add_column(t, xasprintf("%s/%s", q->name, q->choices->v[k].value),
			    q->name, q->choices->v[k].value, NULL, q->type);
}

/* Values a spreadsheet would take for a formula get a leading quote. */
static void
csv_field(FILE *f, const char *v, bool numeric)
{
	bool quote;
	const char *p;

	if (v == NULL)
		return;
	if (!numeric && strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0') {
		fputc('"', f);
		fputc('\'', f);
		quote = true;
	} else {
		quote = strpbrk(v, ",\"\r\n") != NULL;
		if (quote)
			fputc('"', f);
	}
	for (p = v; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
}

static bool
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while (list != NULL && (p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static bool
is_numeric(enum question_type t)
{
	return t == QT_INTEGER || t == QT_DECIMAL;
}

/* One cell: the answer, a 0/1 for a choice, nothing when not asked. */
static void
cell(FILE *f, const struct interview *iv, const struct column *c, long entry)
{
	long q = form_find(iv->form, c->question);
	const char *v;

	if (q < 0 || !interview_relevant(iv, (size_t)q, entry))
		return;
	v = interview_value(iv, (size_t)q, entry);
	if (c->choice != NULL) {
		if (v != NULL)
			fputc(has_word(v, c->choice) ? '1' : '0', f);
		return;
	}
	csv_field(f, v, is_numeric(c->type) || iv->form->questions[q]->type ==
	    QT_CALCULATE);
}

static void
header(FILE *f, const struct table *t, const char *const *fixed, size_t nfixed,
    bool bom)
{
	size_t i;

	if (bom)
		fputs("\xEF\xBB\xBF", f);
	for (i = 0; i < nfixed; i++)
		fprintf(f, "%s%s", i ? "," : "", fixed[i]);
	for (i = 0; i < t->ncols; i++) {
		fputc(',', f);
		csv_field(f, t->cols[i].title, false);
	}
	fputs("\r\n", f);
}

static const char *const csv_fixed[] = {
	"instance_id", "form", "form_version", "status", "household", "round",
	"site", "interviewer", "started_at", "finalized_at", "needs",
};

/* The CSV export walks the records twice, one at a time: once for the
 * columns (every question of every form version in use), once for rows. */
struct csv_walk {
	struct store *s;
	struct form_cache cache;
	struct table main_t, *reps;
	size_t nreps;
	FILE *out;
	const char *repeat_base;
	long written;
};

static int
csv_columns(const struct record_info *r, void *ctx, char **cause)
{
	struct csv_walk *w = ctx;
	const struct form *f = formcache_get(&w->cache, w->s, r->form_ref, cause);
	size_t j, k;

	if (f == NULL)
		return -1;
	for (j = 0; j < f->nquestions; j++) {
		const struct question *q = f->questions[j];
		struct table *t = &w->main_t;

		if (q->repeat != NULL) {
			for (k = 0; k < w->nreps; k++)
				if (strcmp(w->reps[k].repeat, q->repeat->name) == 0)
					break;
			if (k == w->nreps) {
				w->reps = xreallocarray(w->reps, w->nreps + 1, sizeof *w->reps);
				memset(&w->reps[w->nreps], 0, sizeof *w->reps);
				w->reps[w->nreps++].repeat = q->repeat->name;
			}
			t = &w->reps[k];
		}
		question_columns(t, q);
	}
	for (j = 0; j < f->nneeds; j++)
		add_column(&w->main_t, xasprintf("need/%s", f->needs[j].id), NULL, NULL,
		    f->needs[j].id, QT_INTEGER);
	return 0;
}

static int
csv_row(const struct record_info *r, void *ctx, char **cause)
{
	struct csv_walk *w = ctx;
	const struct form *f = formcache_get(&w->cache, w->s, r->form_ref, cause);
	const char *meta[ARRAY_LEN(csv_fixed)];
	struct interview *iv;
	struct buf needs = { 0 };
	FILE *out = w->out;
	size_t j, k;

	if (f == NULL || (iv = interview_open(w->s, f, r, cause)) == NULL)
		return -1;
	for (j = 0; j < f->nneeds; j++)
		if (interview_need(iv, j)) {
			if (needs.len)
				buf_addc(&needs, ' ');
			buf_adds(&needs, f->needs[j].id);
		}
	meta[0] = r->instance_id;
	meta[1] = r->form_id;
	meta[2] = r->form_version;
	meta[3] = r->status;
	meta[4] = r->household;
	meta[5] = r->round;
	meta[6] = r->site;
	meta[7] = r->interviewer;
	meta[8] = r->started_at;
	meta[9] = r->finalized_at;
	meta[10] = needs.data ? needs.data : "";
	for (j = 0; j < ARRAY_LEN(csv_fixed); j++) {
		if (j)
			fputc(',', out);
		csv_field(out, meta[j], false);
	}
	for (j = 0; j < w->main_t.ncols; j++) {
		const struct column *c = &w->main_t.cols[j];

		fputc(',', out);
		if (c->need != NULL) {
			for (k = 0; k < f->nneeds; k++)
				if (strcmp(f->needs[k].id, c->need) == 0)
					fputc(interview_need(iv, k) ? '1' : '0', out);
		} else
			cell(out, iv, c, 0);
	}
	fputs("\r\n", out);
	buf_free(&needs);
	for (k = 0; k < w->nreps && w->repeat_base != NULL; k++) {
		struct table *t = &w->reps[k];
		const struct group *g = form_repeat(f, t->repeat);
		long e, ne = g && interview_group_relevant(iv, g, 0) ?
		    interview_entries(iv, g) : 0;

		for (e = 1; e <= ne; e++) {
			csv_field(t->f, r->instance_id, false);
			fprintf(t->f, ",%ld", e);
			for (j = 0; j < t->ncols; j++) {
				fputc(',', t->f);
				cell(t->f, iv, &t->cols[j], e);
			}
			fputs("\r\n", t->f);
		}
	}
	interview_free(iv);
	w->written++;
	return 0;
}

long
export_csv(struct store *s, FILE *out, const char *repeat_base, bool all,
    bool bom, bool *skipped, char **cause)
{
	static const char *const rfixed[] = { "instance_id", "entry" };
	enum store_filter which = all ? STORE_ALL : STORE_DONE;
	struct csv_walk w = { s, { 0 }, { 0 }, NULL, 0, out, repeat_base, 0 };
	size_t j, k;
	long written = -1;

	*skipped = false;
	if (store_records_each(s, which, csv_columns, &w, cause) != 0)
		goto done;
	header(out, &w.main_t, csv_fixed, ARRAY_LEN(csv_fixed), bom);
	if (w.nreps > 0 && repeat_base == NULL)
		*skipped = true;
	for (k = 0; k < w.nreps && repeat_base != NULL; k++) {
		char *path = xasprintf("%s-%s.csv", repeat_base, w.reps[k].repeat);
		int rc = safe_file_open(&w.reps[k].file, path, cause);

		free(path);
		if (rc != 0)
			goto done;
		w.reps[k].f = w.reps[k].file.f;
		header(w.reps[k].f, &w.reps[k], rfixed, ARRAY_LEN(rfixed), bom);
	}
	if (store_records_each(s, which, csv_row, &w, cause) != 0)
		goto done;
	if (fflush(out) != 0 || ferror(out)) {
		set_cause(cause, _("cannot write the export"));
		goto done;
	}
	for (k = 0; k < w.nreps && repeat_base != NULL; k++) {
		w.reps[k].f = NULL;
		if (safe_file_commit(&w.reps[k].file, cause) != 0)
			goto done;
	}
	written = w.written;
done:
	for (k = 0; k < w.nreps; k++) {
		if (w.reps[k].file.path != NULL)
			safe_file_abort(&w.reps[k].file);
		for (j = 0; j < w.reps[k].ncols; j++)
			free(w.reps[k].cols[j].title);
		free(w.reps[k].cols);
	}
	free(w.reps);
	for (j = 0; j < w.main_t.ncols; j++)
		free(w.main_t.cols[j].title);
	free(w.main_t.cols);
	formcache_free(&w.cache);
	return written;
}
