#include "export.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
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

struct answer_ctx {
	const struct form *form;
	json_t *answers;
};

static void
collect(void *ctx, const char *name, const char *value)
{
	struct answer_ctx *a = ctx;
	long i = form_find(a->form, name);

	if (i >= 0 && question_has_value(a->form->questions[i]))
		json_object_set_new(a->answers, name,
		    answer_json(a->form->questions[i], value));
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
		struct answer_ctx a;
		json_t *obj, *ordered;
		char *line;

		if (f == NULL) {
			written = -1;
			break;
		}
		a.form = f;
		a.answers = json_object();
		if (store_answers_load(s, r->id, collect, &a, cause) != 0) {
			json_decref(a.answers);
			written = -1;
			break;
		}
		/* In the form's order; a question never reached is null. */
		ordered = json_object();
		for (q = 0; q < f->nquestions; q++) {
			const struct question *qq = f->questions[q];
			json_t *v = json_object_get(a.answers, qq->name);

			if (!question_has_value(qq))
				continue;
			json_object_set(ordered, qq->name, v ? v : json_null());
		}
		json_decref(a.answers);

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
		json_object_set_new(obj, "needs", json_array());
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
