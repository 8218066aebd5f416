#include "interview.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

static struct interview *
interview_new(struct store *s, struct form *form)
{
	struct interview *iv = xcalloc(1, sizeof *iv);

	iv->store = s;
	iv->form = form;
	iv->values = xcalloc(form->nquestions, sizeof *iv->values);
	iv->seen = xcalloc(form->nquestions, sizeof *iv->seen);
	return iv;
}

void
interview_free(struct interview *iv)
{
	size_t i;

	if (iv == NULL)
		return;
	for (i = 0; i < iv->form->nquestions; i++)
		free(iv->values[i]);
	free(iv->values);
	free(iv->seen);
	free(iv->instance_id);
	form_free(iv->form);
	free(iv);
}

struct interview *
interview_begin(struct store *s, struct form *form, const char *household,
    const char *round, const char *site, const char *interviewer, char **cause)
{
	struct interview *iv;
	char instance[42];
	int64_t ref;
	size_t i;

	if (store_form_remember(s, form, &ref, cause) != 0) {
		form_free(form);
		return NULL;
	}
	iv = interview_new(s, form);
	if (store_record_create(s, ref, household, round, site, interviewer,
	    &iv->record, instance, cause) != 0) {
		interview_free(iv);
		return NULL;
	}
	iv->instance_id = xstrdup(instance);
	for (i = 0; i < form->nquestions; i++)
		if (form->questions[i]->default_value != NULL)
			iv->values[i] = xstrdup(form->questions[i]->default_value);
	return iv;
}

static void
load_answer(void *ctx, const char *name, const char *value)
{
	struct interview *iv = ctx;
	long i = form_find(iv->form, name);

	if (i < 0)
		return;	/* kept in the store; this form version has no such question */
	free(iv->values[i]);
	iv->values[i] = value ? xstrdup(value) : NULL;
	iv->seen[i] = true;
}

struct interview *
interview_resume(struct store *s, const struct record_info *rec, char **cause)
{
	struct diags d;
	struct interview *iv;
	struct form *form;
	size_t len;
	char *yaml;
	long at;

	yaml = store_form_yaml(s, rec->form_ref, &len, cause);
	if (yaml == NULL)
		return NULL;
	diags_init(&d, rec->form_id ? rec->form_id : "form");
	form = form_parse(yaml, len, &d);
	free(yaml);
	if (form == NULL) {
		char *first = diags_first(&d);

		set_cause(cause, "the form this interview began with cannot be read: "
		    "%s", first ? first : "unknown problem");
		free(first);
		diags_free(&d);
		return NULL;
	}
	diags_free(&d);
	iv = interview_new(s, form);
	iv->record = rec->id;
	iv->instance_id = rec->instance_id ? xstrdup(rec->instance_id) : NULL;
	if (store_answers_load(s, rec->id, load_answer, iv, cause) != 0) {
		interview_free(iv);
		return NULL;
	}
	at = rec->position ? form_find(form, rec->position) : -1;
	iv->current = at >= 0 ? (size_t)at : 0;
	return iv;
}

const char *
interview_value(const struct interview *iv, size_t i)
{
	return iv->values[i];
}

const char *
interview_problem(const struct interview *iv, size_t i)
{
	const struct question *q = iv->form->questions[i];

	if (q->required && question_has_value(q) && iv->values[i] == NULL)
		return "this question needs an answer";
	return NULL;
}

int
interview_answer(struct interview *iv, size_t i, const char *typed, long next,
    bool check_required, const char **why, char **cause)
{
	const struct question *q = iv->form->questions[i];
	const char *pos = next >= 0 ? iv->form->questions[next]->name : NULL;
	char *value = NULL;

	*why = NULL;
	if (!question_has_value(q))
		return interview_move(iv, next >= 0 ? (size_t)next : i, cause);
	if (typed != NULL && typed[strspn(typed, " ")] != '\0') {
		value = form_value_normalize(q, typed, why);
		if (value == NULL)
			return 1;
	} else if (q->required && check_required) {
		*why = "this question needs an answer";
		return 1;
	}
	if (store_answer_save(iv->store, iv->record, q->name, value, pos,
	    cause) != 0) {
		free(value);
		return -1;
	}
	free(iv->values[i]);
	iv->values[i] = value;
	iv->seen[i] = true;
	return 0;
}

int
interview_move(struct interview *iv, size_t next, char **cause)
{
	return store_answer_save(iv->store, iv->record, NULL, NULL,
	    iv->form->questions[next]->name, cause);
}

size_t
interview_total(const struct interview *iv)
{
	size_t i, n = 0;

	for (i = 0; i < iv->form->nquestions; i++)
		n += question_has_value(iv->form->questions[i]);
	return n;
}

size_t
interview_answered(const struct interview *iv)
{
	size_t i, n = 0;

	for (i = 0; i < iv->form->nquestions; i++)
		n += question_has_value(iv->form->questions[i]) &&
		    iv->values[i] != NULL;
	return n;
}

size_t
interview_problems(const struct interview *iv, size_t *first)
{
	size_t i, n = 0;

	for (i = 0; i < iv->form->nquestions; i++)
		if (interview_problem(iv, i) != NULL && n++ == 0)
			*first = i;
	return n;
}

int
interview_finalize(struct interview *iv, size_t *first_bad, size_t *nbad,
    char **cause)
{
	*nbad = interview_problems(iv, first_bad);
	if (*nbad > 0)
		return 1;
	return store_record_finalize(iv->store, iv->record, cause);
}
