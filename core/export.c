#include "export.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "interview.h"
#include "text.h"
#include "util.h"

/* Forms read back from the store, one per version in use. */
struct form_cache {
	int64_t *refs;
	struct form **forms;
	size_t n;
};

static const struct form *
cache_get(struct form_cache *c, struct store *s, int64_t ref, char **cause)
{
	struct diags d;
	struct form *f;
	size_t i, len;
	char *yaml;

	for (i = 0; i < c->n; i++)
		if (c->refs[i] == ref)
			return c->forms[i];
	if ((yaml = store_form_yaml(s, ref, &len, cause)) == NULL)
		return NULL;
	diags_init(&d, "stored form");
	f = form_parse(yaml, len, &d);
	free(yaml);
	if (f == NULL) {
		char *first = diags_first(&d);

		set_cause(cause, "a stored form version cannot be read: %s",
		    first ? first : "unknown problem");
		free(first);
		diags_free(&d);
		return NULL;
	}
	diags_free(&d);
	c->refs = xreallocarray(c->refs, c->n + 1, sizeof *c->refs);
	c->forms = xreallocarray(c->forms, c->n + 1, sizeof *c->forms);
	c->refs[c->n] = ref;
	c->forms[c->n++] = f;
	return f;
}

static void
cache_free(struct form_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		form_free(c->forms[i]);
	free(c->refs);
	free(c->forms);
}

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

long
export_jsonl(struct store *s, FILE *out, bool all, char **cause)
{
	struct form_cache cache = { 0 };
	struct record_info *recs;
	size_t n, i, q;
	long written = 0;

	if (store_records_list(s, all ? STORE_ALL : STORE_DONE, &recs, &n,
	    cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct record_info *r = &recs[i];
		const struct form *f = cache_get(&cache, s, r->form_ref, cause);
		struct interview *iv;
		json_t *obj, *ordered, *needs;
		char *line;

		if (f == NULL) {
			written = -1;
			break;
		}
		iv = interview_open(s, f, r, cause);
		if (iv == NULL) {
			written = -1;
			break;
		}
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
			set_cause(cause, "cannot encode record %s", r->instance_id);
			written = -1;
			break;
		}
		if (fputs(line, out) == EOF || fputc('\n', out) == EOF) {
			set_cause(cause, "cannot write the export");
			free(line);
			written = -1;
			break;
		}
		free(line);
		written++;
	}
	store_records_free(recs, n);
	cache_free(&cache);
	if (written >= 0 && fflush(out) != 0) {
		set_cause(cause, "cannot write the export");
		return -1;
	}
	return written;
}
