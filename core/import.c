#include "import.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "formcache.h"
#include "household.h"
#include "i18n.h"
#include "interview.h"
#include "text.h"
#include "util.h"
#include "xml.h"

/* One answer given in the file, as the store keeps it. */
struct given {
	size_t q;		/* the question */
	long entry;		/* its repeat entry, 0 outside repeats */
	char *value;		/* normalized; NULL when left empty */
};

/* One record read from a line. Strings in rec are the JSON's, except
 * household, which is the normalized code and owned. */
struct incoming {
	struct record_info rec;
	const struct form *form;
	const struct form *from_folder;	/* to be kept in the store, or NULL */
	int64_t form_ref;		/* in the store already, or 0 */
	struct given *v;
	size_t n, cap;
	long *entries;		/* per group: entries given of a repeat, -1 none */
	char *why;		/* the first reason to refuse it, or NULL */
};

/* An import under way. */
struct importer {
	struct store *s;
	const char *name;
	const struct form *const *forms;
	size_t nforms;
	const char *lang;
	void (*note)(void *ctx, const char *msg);
	void *ctx;
	struct import_summary *sum;
	struct form_cache cache;
	long line;
	/* Records are added in batches of IMPORT_BATCH, each a transaction,
	 * each record a savepoint in it (a refused one is undone alone):
	 * one durable commit a record was most of an import's time. */
	long pending, pending_imported, pending_households;
	bool pending_sealed;	/* a sealed record: checkpoint after commit */
};

#define IMPORT_BATCH 500

static void tell(const struct importer *im, const char *fmt, ...)
    ATTR_PRINTF(2, 3);
static void refuse(struct incoming *in, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Tells the caller about the current line: "name:LINE: message". */
static void
tell(const struct importer *im, const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	if (im->note == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("%s:%ld: %s", im->name, im->line, msg);
	im->note(im->ctx, full);
	free(full);
	free(msg);
}

/* Keeps the first reason a record cannot come in. */
static void
refuse(struct incoming *in, const char *fmt, ...)
{
	va_list ap;

	if (in->why != NULL)
		return;
	va_start(ap, fmt);
	in->why = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Text from the file shortened for a message (the caller makes it safe
 * for a terminal); caller frees. */
static char *
shorten(const char *s)
{
	size_t n = 0, i;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++n > 40)
			return xasprintf("%.*s...", (int)i, s);
	return xstrdup(s);
}

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Reads one line, without its newline, into b: at most max bytes are
 * kept, the rest of a longer line is read and dropped (*too_long). Returns
 * 1, 0 at the end of the file, -1 on a read error. */
static int
read_line(FILE *in, struct buf *b, size_t max, bool *too_long)
{
	bool any = false;
	int c;

	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
	*too_long = false;
	while ((c = getc_unlocked(in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (b->len < max)
			buf_addc(b, (char)c);
		else
			*too_long = true;
	}
	if (ferror(in))
		return -1;
	return any ? 1 : 0;
}

/* Record fields. */

/* "uuid:" and a version 4 UUID in lower case, as doorstep writes them. */
static bool
instance_id_valid(const char *s)
{
	static const char shape[] = "uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
	size_t i;

	if (strlen(s) != sizeof shape - 1)
		return false;
	for (i = 0; shape[i] != '\0'; i++) {
		char c = s[i];

		switch (shape[i]) {
		case 'x':
			if (strchr("0123456789abcdef", c) == NULL || c == '\0')
				return false;
			break;
		case 'y':
			if (strchr("89ab", c) == NULL || c == '\0')
				return false;
			break;
		default:
			if (c != shape[i])
				return false;
		}
	}
	return true;
}

static bool
digits(const char *s, size_t n, int max)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max;
}

/* A time as the store writes it: 2020-02-26T09:30:00+08:00 (a real date;
 * fractions of a second, Z or an offset without colon are taken too). */
static bool
time_valid(const char *s)
{
	char date[11];
	size_t n = strlen(s), i = 19;

	if (n < 19 || n > 40)
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!date_valid(date) || s[10] != 'T' || !digits(s + 11, 2, 23) ||
	    s[13] != ':' || !digits(s + 14, 2, 59) || s[16] != ':' ||
	    !digits(s + 17, 2, 60))
		return false;
	if (s[i] == '.') {
		size_t f = strspn(s + i + 1, "0123456789");

		if (f == 0 || f > 9)
			return false;
		i += 1 + f;
	}
	if (s[i] == '\0' || (s[i] == 'Z' && s[i + 1] == '\0'))
		return true;
	if (s[i] != '+' && s[i] != '-')
		return false;
	if (strlen(s + i) == 6)
		return digits(s + i + 1, 2, 23) && s[i + 3] == ':' &&
		    digits(s + i + 4, 2, 59);
	return strlen(s + i) == 5 && digits(s + i + 1, 2, 23) &&
	    digits(s + i + 3, 2, 59);
}

/* The value of an optional text field: NULL when absent or null. */
static const char *
optional(struct incoming *in, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		refuse(in, _("%s must be a string"), key);
		return NULL;
	}
	return json_string_value(v);
}

static void
plain_name(struct incoming *in, const char *key, const char *v)
{
	if (v != NULL && (!text_is_clean(v, false) || chars(v) > IMPORT_MAX_NAME))
		refuse(in, _("%s must be plain text of at most %d characters, without "
		    "control characters or escape sequences"), key, IMPORT_MAX_NAME);
}

/* Checks the fields around the answers and fills in->rec. */
static void
read_fields(struct incoming *in, const json_t *obj)
{
	static const char *const keys[] = {
		"instance_id", "form", "form_version", "status", "household",
		"round", "site", "interviewer", "started_at", "finalized_at",
		"answers", "needs",
	};
	static const char *const statuses[] = {
		"draft", "finalized", "uploaded", "conflict"
	};
	struct record_info *r = &in->rec;
	const char *key, *household, *why;
	const json_t *v;
	size_t k;

	json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
		for (k = 0; k < ARRAY_LEN(keys); k++)
			if (strcmp(key, keys[k]) == 0)
				break;
		if (k == ARRAY_LEN(keys)) {
			char *s = shorten(key);

			refuse(in, _("unknown field '%s' (a record has instance_id, form, "
			    "form_version, status, household, round, site, interviewer, "
			    "started_at, finalized_at, answers and needs)"), s);
			free(s);
			return;
		}
	}
	r->instance_id = (char *)(uintptr_t)optional(in, obj, "instance_id");
	r->form_id = (char *)(uintptr_t)optional(in, obj, "form");
	r->form_version = (char *)(uintptr_t)optional(in, obj, "form_version");
	r->status = (char *)(uintptr_t)optional(in, obj, "status");
	if (r->instance_id != NULL && !instance_id_valid(r->instance_id))
		refuse(in, "%s", _("instance_id must be \"uuid:\" and a version 4 UUID "
		    "in lower case, such as uuid:0f8fad5b-d9cb-469f-a165-70867728950e"));
	plain_name(in, "form", r->form_id);
	plain_name(in, "form_version", r->form_version);
	for (k = 0; r->status != NULL && k < ARRAY_LEN(statuses); k++)
		if (strcmp(r->status, statuses[k]) == 0)
			break;
	if (k == ARRAY_LEN(statuses))
		refuse(in, "%s", _("status must be draft, finalized, uploaded or "
		    "conflict"));

	household = optional(in, obj, "household");
	if (household != NULL && *household != '\0') {
		r->household = household_code_normalize(household, &why);
		if (r->household == NULL)
			refuse(in, _("household: %s"), _(why));
	}
	r->round = (char *)(uintptr_t)optional(in, obj, "round");
	if (r->round != NULL && *r->round == '\0')
		r->round = NULL;
	if (r->round != NULL && !round_name_valid(r->round, &why))
		refuse(in, _("round: %s"), _(why));
	r->site = (char *)(uintptr_t)optional(in, obj, "site");
	plain_name(in, "site", r->site);
	r->interviewer = (char *)(uintptr_t)optional(in, obj, "interviewer");
	plain_name(in, "interviewer", r->interviewer);
	r->started_at = (char *)(uintptr_t)optional(in, obj, "started_at");
	if (r->started_at != NULL && !time_valid(r->started_at))
		refuse(in, _("%s must be a time such as 2020-02-26T09:30:00+08:00"),
		    "started_at");
	r->finalized_at = (char *)(uintptr_t)optional(in, obj, "finalized_at");
	if (r->finalized_at != NULL && !time_valid(r->finalized_at))
		refuse(in, _("%s must be a time such as 2020-02-26T09:30:00+08:00"),
		    "finalized_at");
	/* The needs flagged follow from the answers: worked out here again. */
	v = json_object_get(obj, "needs");
	if (v != NULL && !json_is_null(v) && !json_is_array(v))
		refuse(in, "%s", _("needs must be a list"));
}

/* Answers. */

/* Where an answer is, for a message; caller frees. */
static char *
where(const struct form *f, size_t q, long entry)
{
	const struct question *qq = f->questions[q];

	if (entry > 0 && qq->repeat != NULL)
		return xasprintf(_("question '%s' in entry %ld of '%s'"), qq->name,
		    entry, qq->repeat->name);
	return xasprintf(_("question '%s'"), qq->name);
}

static const char *
json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return _("an object");
	case JSON_ARRAY:
		return _("a list");
	case JSON_TRUE:
	case JSON_FALSE:
		return _("true or false");
	default:
		return _("a number");
	}
}

/* A JSON answer as the text an interviewer would type; NULL when refused
 * (in->why says why). */
static char *
typed_text(struct incoming *in, size_t qi, long entry, const json_t *v)
{
	const struct question *q = in->form->questions[qi];
	struct buf b = { 0 };
	char *at;
	size_t i;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v) && q->type != QT_SELECT_MULTIPLE)
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v) && q->type != QT_SELECT_MULTIPLE) {
		struct value num = { VAL_NUM, json_real_value(v), NULL };

		return value_string(&num);
	}
	if (json_is_array(v) && q->type == QT_SELECT_MULTIPLE) {
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *e = json_array_get(v, i);

			if (!json_is_string(e)) {
				at = where(in->form, qi, entry);
				refuse(in, _("%s: a multiple choice is a list of choice "
				    "values (strings)"), at);
				free(at);
				buf_free(&b);
				return NULL;
			}
			if (b.len > 0)
				buf_addc(&b, ' ');
			buf_adds(&b, json_string_value(e));
		}
		return b.data ? buf_steal(&b) : xstrdup("");
	}
	at = where(in->form, qi, entry);
	refuse(in, _("%s takes %s, not %s"), at, question_type_name(q->type),
	    json_kind(v));
	free(at);
	return NULL;
}

/* Takes one answer from the file: of the question's type, normalized as a
 * typed answer is. Where it is (where()) is worked out for a refusal only:
 * for every answer, it was a tenth of an import. */
static void
take(struct incoming *in, size_t q, long entry, const json_t *v)
{
	const struct question *qq = in->form->questions[q];
	const char *why;
	char *at, *text, *value = NULL;

	if (qq->type == QT_CALCULATE)
		return;		/* worked out by the form, whatever the file says */
	if (!question_has_value(qq)) {
		if (!json_is_null(v)) {
			at = where(in->form, q, entry);
			refuse(in, _("%s is a note: it takes no answer"), at);
			free(at);
		}
		return;
	}
	text = json_is_null(v) ? NULL : typed_text(in, q, entry, v);
	if (text != NULL && text[strspn(text, " ")] != '\0') {
		value = form_value_normalize(qq, text, &why);
		if (value == NULL) {
			at = where(in->form, q, entry);
			refuse(in, "%s: %s", at, _(why));
			free(at);
		}
	}
	free(text);
	if (in->why != NULL) {
		free(value);
		return;
	}
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 64;
		in->v = xreallocarray(in->v, in->cap, sizeof *in->v);
	}
	in->v[in->n].q = q;
	in->v[in->n].entry = entry;
	in->v[in->n].value = value;
	in->n++;
}

static void
take_repeat(struct incoming *in, const struct group *r, const json_t *v)
{
	const char *key;
	const json_t *entry, *a;
	size_t e;
	long q;

	if (json_is_null(v))
		return;
	if (!json_is_array(v)) {
		refuse(in, _("repeat '%s' must be a list of entries"), r->name);
		return;
	}
	if (json_array_size(v) > FORM_MAX_ENTRIES) {
		refuse(in, _("repeat '%s' has %zu entries; a repeat holds at most %d"),
		    r->name, json_array_size(v), FORM_MAX_ENTRIES);
		return;
	}
	in->entries[r->index] = (long)json_array_size(v);
	json_array_foreach(v, e, entry) {
		if (!json_is_object(entry)) {
			refuse(in, _("entry %zu of repeat '%s' must be an object of "
			    "answers"), e + 1, r->name);
			return;
		}
		json_object_foreach((json_t *)(uintptr_t)entry, key, a) {
			q = form_find(in->form, key);
			if (q < 0 || in->form->questions[q]->repeat != r) {
				char *s = shorten(key);

				refuse(in, _("unknown question '%s' in entry %zu of repeat "
				    "'%s'"), s, e + 1, r->name);
				free(s);
				return;
			}
			take(in, (size_t)q, (long)e + 1, a);
			if (in->why != NULL)
				return;
		}
	}
}

/* Takes the answers object: each key a question outside repeats, or a
 * repeat and its entries. */
static void
read_answers(struct incoming *in, const json_t *answers)
{
	const struct form *f = in->form;
	const struct group *r;
	const char *key;
	const json_t *v;
	long q;

	json_object_foreach((json_t *)(uintptr_t)answers, key, v) {
		q = form_find(f, key);
		if (q >= 0 && f->questions[q]->repeat == NULL)
			take(in, (size_t)q, 0, v);
		else if (q >= 0)
			refuse(in, _("question '%s' is asked in each entry of repeat "
			    "'%s': give it inside the repeat's entries"), key,
			    f->questions[q]->repeat->name);
		else if ((r = form_repeat(f, key)) != NULL)
			take_repeat(in, r, v);
		else {
			char *s = shorten(key);

			refuse(in, _("unknown question '%s': form %s version %s has no "
			    "question of that name"), s, f->id, f->version);
			free(s);
		}
		if (in->why != NULL)
			return;
	}
}

/* The group whose condition keeps question q from being asked, or NULL
 * when it is the question's own. */
static const struct group *
not_asked_by(const struct interview *iv, size_t q, long entry)
{
	const struct group *g = iv->form->questions[q]->group;

	if (g == NULL || interview_group_relevant(iv, g, entry))
		return NULL;
	while (g->parent != NULL && !interview_group_relevant(iv, g->parent, entry))
		g = g->parent;
	return g;
}

/* Checks the record as stored (inside the transaction) with the interview
 * program's rules: every answer asked and allowed where it stands, and
 * for a record that is not a draft, nothing finalize would refuse. */
static void
check_record(struct incoming *in, const struct interview *iv, const char *lang)
{
	const struct form *f = in->form;
	size_t i, first = 0, nbad;

	for (i = 0; i < in->n && in->why == NULL; i++) {
		const struct given *g = &in->v[i];
		const struct question *q = f->questions[g->q];
		char *at, *value, *why;

		if (g->value == NULL)
			continue;
		if (q->repeat != NULL && g->entry > interview_entries(iv, q->repeat)) {
			at = where(f, g->q, g->entry);
			refuse(in, _("%s: the form asks for %ld entries of '%s' here "
			    "(count: %s)"), at, interview_entries(iv, q->repeat),
			    q->repeat->name, q->repeat->count_src ? q->repeat->count_src :
			    "");
			free(at);
		} else if (!interview_relevant(iv, g->q, g->entry)) {
			const struct group *by = not_asked_by(iv, g->q, g->entry);

			const char *src = by ? by->relevant_src : q->relevant_src;

			at = where(f, g->q, g->entry);
			refuse(in, _("%s is not asked when the other answers are as given "
			    "(relevant: %s)"), at, src ? src : "");
			free(at);
		} else if (interview_check(iv, g->q, g->entry, g->value, false, lang,
		    &value, &why) != 0) {
			at = where(f, g->q, g->entry);
			refuse(in, "%s: %s", at, _(why));
			free(at);
			free(why);
		} else
			free(value);
	}
	if (in->why != NULL || strcmp(in->rec.status, "draft") == 0)
		return;
	nbad = interview_problems(iv, &first);
	if (nbad > 0) {
		const struct step *st = &iv->steps[first];
		char *p = interview_problem(iv, first, lang);
		char *at = where(f, st->q, st->entry);

		refuse(in, ngettext("%s: %s (a %s record answers all that the "
		    "form requires; %zu problem)", "%s: %s (a %s record answers all "
		    "that the form requires; %zu problems)", nbad), at, _(p),
		    in->rec.status, nbad);
		free(at);
		free(p);
	}
}

/* Hands fn each answer the record keeps as given: the answers, then the
 * entry counts of repeats without a count, as (name, entry, value). */
static int
each_given(const struct incoming *in, int (*fn)(void *ctx, const char *name,
    long entry, const char *value), void *ctx)
{
	const struct form *f = in->form;
	size_t i;

	for (i = 0; i < in->n; i++)
		if (fn(ctx, f->questions[in->v[i].q]->name, in->v[i].entry,
		    in->v[i].value) != 0)
			return -1;
	for (i = 0; i < f->ngroups; i++) {
		char count[24];

		if (!f->groups[i]->repeat || f->groups[i]->count != NULL ||
		    in->entries[i] < 0)
			continue;
		snprintf(count, sizeof count, "%ld", in->entries[i]);
		if (fn(ctx, f->groups[i]->name, 0, count) != 0)
			return -1;
	}
	return 0;
}

struct loading {
	void (*put)(void *iv, const char *name, long entry, const char *value);
	void *iv;
};

static int
load_one(void *ctx, const char *name, long entry, const char *value)
{
	struct loading *l = ctx;

	l->put(l->iv, name, entry, value);
	return 0;
}

/* The interview's answers: exactly the rows put_answers writes. */
static void
load_given(void *ctx, void (*put)(void *iv, const char *name, long entry,
    const char *value), void *iv)
{
	struct loading l = { put, iv };

	each_given(ctx, load_one, &l);
}

struct putting {
	struct store *s;
	int64_t id;
	char **cause;
};

static int
put_one(void *ctx, const char *name, long entry, const char *value)
{
	struct putting *p = ctx;

	return store_answer_put(p->s, p->id, name, entry, value, p->cause);
}

/* Writes the answers given and the repeats' entry counts. */
static int
put_answers(struct store *s, const struct incoming *in, int64_t id,
    char **cause)
{
	struct putting p = { s, id, cause };

	return each_given(in, put_one, &p);
}

/* Keeps the calculations as the form works them out. */
static int
put_calculations(struct store *s, const struct interview *iv, int64_t id,
    char **cause)
{
	const struct form *f = iv->form;
	size_t k;

	for (k = 0; k < f->ncalc; k++) {
		size_t q = f->calc_order[k];
		const struct question *qq = f->questions[q];
		long n = qq->repeat ? interview_entries(iv, qq->repeat) : 0, e;

		for (e = qq->repeat ? 1 : 0; e <= n; e++)
			if (interview_relevant(iv, q, e) && store_answer_put(s, id,
			    qq->name, e, interview_value(iv, q, e), cause) != 0)
				return -1;
	}
	return 0;
}

/* Frees an XML instance, its answers wiped first (a sealed form's are
 * kept in no clear copy). */
static void
forget(char *xml)
{
	if (xml == NULL)
		return;
	explicit_bzero(xml, strlen(xml));
	free(xml);
}

/* Adds a new record, checked first with the interview program's rules on
 * its answers as they will be stored (before anything is written: reading
 * them back from the store was a tenth of an import), then written in a
 * part of the batch's transaction, undone whole on a database error.
 * Returns 0 (in->why set when refused), or -1 on a database error. */
static int
add_record(struct importer *im, struct incoming *in, char **cause)
{
	struct store *s = im->s;
	struct record_info full = in->rec;
	struct interview *iv;
	bool created = false;
	bool sealed = in->form->public_key != NULL && !store_in_memory(s);
	int64_t ref = in->form_ref, id = 0;
	char now[40], *xml = NULL;
	int rc;

	/* As the store will give it back: store_record_import's defaults. */
	iso8601_now(now, sizeof now);
	full.form_ref = ref;
	full.form_id = in->rec.form_id;
	full.form_version = in->rec.form_version;
	if (full.interviewer == NULL)
		full.interviewer = "";
	if (full.started_at == NULL)
		full.started_at = now;
	full.updated_at = now;
	full.position = NULL;
	full.sealed = false;
	iv = interview_open_given(s, in->form, &full, load_given, in);
	check_record(in, iv, im->lang);
	if (in->why != NULL) {
		interview_free(iv);
		return 0;
	}
	/* Its XML instance, as if finalized here, for the upload; sealed,
	 * and no answer kept, when its form says so (not in memory: records
	 * opened to be written as CSV). */
	if (strcmp(in->rec.status, "draft") != 0)
		xml = xml_instance(iv, &full);
	if ((rc = store_savepoint(s, cause)) != 0) {
		forget(xml);
		interview_free(iv);
		return -1;
	}
	if (in->from_folder != NULL)
		rc = store_form_remember(s, in->from_folder, &ref, cause);
	if (rc == 0 && in->rec.household != NULL)
		rc = household_ensure(s, in->rec.household, in->rec.site, &created,
		    cause);
	if (rc == 0)
		rc = store_record_import(s, ref, &full, sealed ? NULL : xml, &id,
		    cause);
	if (rc == 0)
		rc = put_answers(s, in, id, cause);
	if (rc == 0)
		rc = put_calculations(s, iv, id, cause);
	if (rc == 0 && xml != NULL && sealed) {
		full.id = id;
		full.form_ref = ref;
		iv->record = id;
		rc = interview_seal(iv, &full, xml, cause);
	}
	forget(xml);
	interview_free(iv);
	if (rc == 0 && store_release(s, cause) == 0) {
		im->sum->imported++;
		im->sum->households += created;
		im->pending++;
		im->pending_imported++;
		im->pending_households += created;
		im->pending_sealed |= in->form->public_key != NULL;
		return 0;
	}
	store_rollback_to(s);
	return -1;
}

/* Answers as compared for "already here": normalized, the empty ones
 * left out, decimals as numbers, calculations left out (worked out again
 * on reading). Keys are "name#entry"; a repeat without count adds
 * "name#n", its number of entries. */
static void
canon_put(json_t *obj, const struct question *q, long entry, const char *v)
{
	const char *why;
	char *norm, *key;

	if (v == NULL || *v == '\0' || q->type == QT_CALCULATE)
		return;
	norm = form_value_normalize(q, v, &why);
	if (norm == NULL)
		norm = xstrdup(v);	/* kept before these checks: as it is */
	if (q->type == QT_DECIMAL) {
		struct value num = { VAL_NUM, strtod(norm, NULL), NULL };

		free(norm);
		norm = value_string(&num);
	}
	key = xasprintf("%s#%ld", q->name, entry);
	json_object_set_new(obj, key, json_string_nocheck(norm));
	free(key);
	free(norm);
}

static json_t *
canon_given(const struct incoming *in)
{
	const struct form *f = in->form;
	json_t *obj = json_object();
	size_t i;

	for (i = 0; i < in->n; i++)
		canon_put(obj, f->questions[in->v[i].q], in->v[i].entry,
		    in->v[i].value);
	for (i = 0; i < f->ngroups; i++)
		if (f->groups[i]->repeat && f->groups[i]->count == NULL &&
		    in->entries[i] > 0) {
			char *key = xasprintf("%s#n", f->groups[i]->name);

			json_object_set_new(obj, key, json_integer(in->entries[i]));
			free(key);
		}
	return obj;
}

/* The stored record's answers as its export has them, compared alike. */
static json_t *
canon_stored(const struct interview *iv)
{
	const struct form *f = iv->form;
	json_t *obj = json_object();
	size_t q;

	for (q = 0; q < f->nquestions; q++) {
		const struct question *qq = f->questions[q];
		const struct group *r = qq->repeat;
		long n = 0, e;

		if (r != NULL && !interview_group_relevant(iv, r, 0))
			continue;
		if (r != NULL)
			n = interview_entries(iv, r);
		if (r != NULL && q == r->first && r->count == NULL && n > 0) {
			char *key = xasprintf("%s#n", r->name);

			json_object_set_new(obj, key, json_integer(n));
			free(key);
		}
		for (e = r ? 1 : 0; e <= n; e++)
			if (question_has_value(qq) && interview_relevant(iv, q, e))
				canon_put(obj, qq, e, interview_value(iv, q, e));
	}
	return obj;
}

/* A record whose instance ID is here already: the same, or a conflict. */
static int
compare_record(struct importer *im, const struct incoming *in, int64_t id,
    char **cause)
{
	struct record_info rec;
	struct interview *iv;
	json_t *have, *given;
	const struct form *f;
	bool same_form;

	if (store_record_get(im->s, id, &rec, cause) != 0)
		return -1;
	same_form = str_eq(rec.form_id, in->rec.form_id) &&
	    str_eq(rec.form_version, in->rec.form_version);
	/* Read with the form version it was stored with. */
	f = formcache_get(&im->cache, im->s, rec.form_ref, cause);
	iv = f ? interview_open(im->s, f, &rec, cause) : NULL;
	store_record_clear(&rec);
	if (iv == NULL)
		return -1;
	if (iv->sealed) {
		/* Its answers cannot be read to compare: taken as the same. */
		interview_free(iv);
		im->sum->unchanged++;
		return 0;
	}
	have = canon_stored(iv);
	interview_free(iv);
	given = canon_given(in);
	if (same_form && json_equal(have, given))
		im->sum->unchanged++;
	else {
		tell(im, _("%s is already here with different answers: a conflict, not "
		    "applied"), in->rec.instance_id);
		im->sum->conflicts++;
	}
	json_decref(have);
	json_decref(given);
	return 0;
}

/* Finds the record's form version: in the store, else in the forms
 * folder. Returns 0 (in->form NULL when neither has it), -1 on error. */
static int
find_form(struct importer *im, struct incoming *in, char **cause)
{
	size_t k;

	if (store_form_find(im->s, in->rec.form_id, in->rec.form_version,
	    &in->form_ref, cause) != 0)
		return -1;
	if (in->form_ref != 0) {
		in->form = formcache_get(&im->cache, im->s, in->form_ref, cause);
		return in->form ? 0 : -1;
	}
	for (k = 0; k < im->nforms; k++)
		if (im->forms[k] != NULL && strcmp(im->forms[k]->id,
		    in->rec.form_id) == 0 && strcmp(im->forms[k]->version,
		    in->rec.form_version) == 0) {
			in->form = in->from_folder = im->forms[k];
			break;
		}
	return 0;
}

/* Takes one line of the file. Returns -1 on a database error only. */
static int
import_line(struct importer *im, const char *line, size_t len, char **cause)
{
	struct incoming in = { 0 };
	json_error_t jerr;
	json_t *obj;
	int64_t id = 0;
	size_t i;
	int rc = 0;

	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (json_is_object(obj) && json_object_get(obj, "sealed") != NULL &&
	    json_object_get(obj, "answers") == NULL) {
		tell(im, "%s", _("a sealed record: open it first with doorstep "
		    "--decrypt KEYFILE, on the organisation's own machine; skipped"));
		im->sum->refused++;
		json_decref(obj);
		return 0;
	}
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj,
	    "instance_id")) || !json_is_string(json_object_get(obj, "form")) ||
	    !json_is_string(json_object_get(obj, "form_version")) ||
	    !json_is_string(json_object_get(obj, "status")) ||
	    !json_is_object(json_object_get(obj, "answers"))) {
		if (obj == NULL)
			tell(im, _("not a doorstep record: %s (column %d); skipped"),
			    jerr.text, jerr.column);
		else
			tell(im, "%s", _("not a doorstep record (instance_id, form, "
			    "form_version, status and answers are needed); skipped"));
		im->sum->bad++;
		json_decref(obj);
		return 0;
	}
	read_fields(&in, obj);
	if (in.why == NULL && (rc = find_form(im, &in, cause)) == 0 &&
	    in.form == NULL) {
		tell(im, _("%s is of form %s version %s, which is neither in the forms "
		    "folder nor in the database; not imported"), in.rec.instance_id,
		    in.rec.form_id, in.rec.form_version);
		im->sum->unknown++;
		goto done;
	}
	if (rc != 0)
		goto done;
	if (in.why == NULL) {
		in.entries = xcalloc(in.form->ngroups + 1, sizeof *in.entries);
		for (i = 0; i < in.form->ngroups; i++)
			in.entries[i] = -1;
		read_answers(&in, json_object_get(obj, "answers"));
	}
	if (in.why == NULL && (rc = store_record_find(im->s, in.rec.instance_id,
	    &id, cause)) == 0)
		rc = id != 0 ? compare_record(im, &in, id, cause) :
		    add_record(im, &in, cause);
	if (rc == 0 && in.why != NULL) {
		tell(im, _("%s; not imported"), in.why);
		im->sum->refused++;
	}
done:
	for (i = 0; i < in.n; i++)
		free(in.v[i].value);
	free(in.v);
	free(in.entries);
	free(in.why);
	free(in.rec.household);
	json_decref(obj);
	return rc;
}

/* Commits the records added since the last batch (and begins the next
 * when again); a failed commit takes them out of the summary. */
static int
batch_commit(struct importer *im, bool again, char **cause)
{
	if (store_commit(im->s, cause) != 0) {
		im->sum->imported -= im->pending_imported;
		im->sum->households -= im->pending_households;
		im->pending = im->pending_imported = im->pending_households = 0;
		return -1;
	}
	/* What a sealed record's plain answers were is in the log until
	 * it is copied back and emptied. */
	if (im->pending_sealed)
		store_scrub(im->s, NULL);
	im->pending = im->pending_imported = im->pending_households = 0;
	im->pending_sealed = false;
	return again ? store_begin(im->s, cause) : 0;
}

int
import_jsonl(struct store *s, FILE *in, const char *name,
    const struct form *const *forms, size_t nforms, const char *lang,
    void (*note)(void *ctx, const char *msg), void *ctx,
    struct import_summary *sum, char **cause)
{
	struct importer im = { 0 };
	struct buf line = { 0 };
	bool too_long, open = true;
	int rc = 0, got = 0;

	memset(sum, 0, sizeof *sum);
	im.s = s;
	im.name = name;
	im.forms = forms;
	im.nforms = nforms;
	im.lang = lang;
	im.note = note;
	im.ctx = ctx;
	im.sum = sum;
	if (store_parts_in_memory(s, true, cause) != 0)
		return -1;
	if (store_begin(s, cause) != 0) {
		store_parts_in_memory(s, false, NULL);
		return -1;
	}
	while (rc == 0 && (got = read_line(in, &line, IMPORT_MAX_LINE,
	    &too_long)) > 0) {
		if (im.pending >= IMPORT_BATCH &&
		    (rc = batch_commit(&im, true, cause)) != 0) {
			open = false;
			break;
		}
		im.line++;
		if (too_long) {
			tell(&im, _("the line is longer than %d bytes: not a record this "
			    "program writes; not imported"), IMPORT_MAX_LINE);
			sum->refused++;
			continue;
		}
		if (line.len == 0 || line.data[strspn(line.data, " \t\r")] == '\0')
			continue;
		rc = import_line(&im, line.data, line.len, cause);
	}
	if (rc == 0 && got < 0) {
		set_cause(cause, _("cannot read %s"), name);
		rc = -1;
	}
	/* What was added before an error is kept, as when each record was a
	 * transaction of its own (the record in error was undone). */
	if (open && batch_commit(&im, false, rc == 0 ? cause : NULL) != 0)
		rc = -1;
	if (store_parts_in_memory(s, false, rc == 0 ? cause : NULL) != 0)
		rc = -1;
	buf_free(&line);
	formcache_free(&im.cache);
	/* Sealed records imported: their plain answers out of the log, once
	 * for the whole file. */
	if (store_scrub(s, rc == 0 ? cause : NULL) != 0)
		rc = -1;
	return rc;
}
