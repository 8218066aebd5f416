#include "form.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entity.h"
#include "i18n.h"
#include "ids.h"
#include "seal.h"
#include "lineedit.h"
#include "phone.h"
#include "rx.h"
#include "text.h"
#include "util.h"
#include "ytree.h"

static const char *const type_names[] = {
	[QT_TEXT] = "text",
	[QT_INTEGER] = "integer",
	[QT_DECIMAL] = "decimal",
	[QT_DATE] = "date",
	[QT_SELECT_ONE] = "select_one",
	[QT_SELECT_MULTIPLE] = "select_multiple",
	[QT_NOTE] = "note",
	[QT_CALCULATE] = "calculate",
};

static const char *const top_keys[] = {
	"form", "version", "title", "languages", "choices", "needs",
	"not_assessed", "body", "public_key", "sealed_keeps", "audit",
	"instance_name", "entities", NULL
};
static const char *const question_keys[] = {
	"name", "type", "label", "hint", "required", "required_message",
	"relevant", "constraint", "constraint_message", "choices", "calculation",
	"default", "prefill", "appearance", "from_household", "identifying",
	"save_to", NULL
};
static const char *const group_keys[] = {
	"group", "label", "relevant", "body", NULL
};
static const char *const repeat_keys[] = {
	"repeat", "label", "count", "relevant", "body", NULL
};
static const char *const choice_keys[] = { "value", "label", NULL };
static const char *const need_keys[] = { "id", "label", "when", NULL };
static const char *const not_assessed_keys[] = { "question", "answers", NULL };

struct name_pos {
	const char *name;
	int line;
	int col;
	size_t seq;
};

enum expr_use { USE_RELEVANT, USE_CONSTRAINT, USE_REQUIRED, USE_CALCULATION,
    USE_COUNT, USE_WHEN };

/* An expression waiting for its ${names} to be resolved, once every
 * question is known. */
struct pending {
	struct expr *e;
	const struct ynode *at;
	enum expr_use use;
	long question;			/* the question it belongs to, or -1 */
	const struct group *scope;	/* the repeat it is evaluated in */
};

struct loader {
	struct form *f;
	struct diags *d;
	struct name_pos *names;
	size_t nnames;
	const struct ynode *choices;	/* the top-level choices: mapping */
	struct pending *pending;
	size_t npending;
	const struct group *repeat;	/* the repeat being read, or NULL */
	const struct choice_list **named;	/* named lists, sorted by name */
	size_t nnamed;
	const struct group **repeats;	/* repeats, sorted by name */
	size_t nrepeats;
	const char **qnames;		/* question names, for suggestions */
	const struct ynode *lang_at[FORM_MAX_LANGUAGES];	/* in languages: */
	bool lang_used[FORM_MAX_LANGUAGES];	/* some text is written in it */
	size_t nunknown;		/* unknown ${names} met so far */
};

/* The comparisons of names, counted for form_name_compares(). */
static unsigned long name_compares;

static int
name_cmp(const char *a, const char *b)
{
	name_compares++;
	return strcmp(a, b);
}

unsigned long
form_name_compares(void)
{
	unsigned long n = name_compares;

	name_compares = 0;
	return n;
}

/* A text and where it stood, to find the ones written twice by sorting
 * rather than by comparing every pair. */
struct keyed {
	const char *s;
	size_t seq;
	const struct ynode *at;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = name_cmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts v: the copies of a text stand together, the first written first. */
static void
keyed_sort(struct keyed *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, keyed_cmp);
}

/* Room for one more item in an array of n items that grows by doubling
 * (one realloc per item made loading 10,000 questions quadratic). */
static void *
grow(void *v, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		return xreallocarray(v, n ? n * 2 : 1, size);
	return v;
}

const char *
question_type_name(enum question_type type)
{
	return type_names[type];
}

static const char *const household_field_names[] = {
	[HF_NONE] = "",
	[HF_HEAD] = "head",
	[HF_PHONE] = "phone",
	[HF_ADDRESS] = "address",
	[HF_SITE] = "site",
	[HF_CODE] = "code",
};

const char *
form_household_field_name(enum household_field field)
{
	return household_field_names[field];
}

bool
question_has_value(const struct question *q)
{
	return q->type != QT_NOTE;
}

bool
question_is_shown(const struct question *q)
{
	return q->type != QT_CALCULATE;
}

const struct group *
form_repeat(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ngroups; i++)
		if (f->groups[i]->repeat && strcmp(f->groups[i]->name, name) == 0)
			return f->groups[i];
	return NULL;
}

static void
err(struct loader *L, const struct ynode *n, const char *fmt, ...)
    ATTR_PRINTF(3, 4);
static void
err(struct loader *L, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(L->d, DIAG_ERROR, n->line, n->col, fmt, ap);
	va_end(ap);
}

static void
warn(struct loader *L, const struct ynode *n, const char *fmt, ...)
    ATTR_PRINTF(3, 4);
static void
warn(struct loader *L, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(L->d, DIAG_WARNING, n->line, n->col, fmt, ap);
	va_end(ap);
}

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* The closest word in list, if it is a likely misspelling of s. */
static const char *
suggest(const char *const *list, size_t n, const char *s)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; i < n && list[i] != NULL; i++) {
		size_t dist = edit_distance(s, list[i], best_d);

		if (dist < best_d) {
			best = list[i];
			best_d = dist;
		}
	}
	if (best != NULL && best_d * 2 > strlen(s))
		return NULL;	/* too far to be a slip of the fingers */
	return best;
}

/* A scalar's text, checked to be printable; NULL (with an error) when the
 * node is not a scalar. */
static const char *
scalar(struct loader *L, const struct ynode *n, const char *what)
{
	if (n->kind != YNODE_SCALAR) {
		err(L, n, _("%s must be a text, not %s"), what, ytree_kind_name(n));
		return NULL;
	}
	if (strlen(n->str) != n->len) {
		err(L, n, _("%s holds a NUL character"), what);
		return NULL;
	}
	if (!text_is_clean(n->str, true))
		warn(L, n, _("%s holds a control character; it will be shown as "
		    "\\xHH, not sent to the terminal"), what);
	return n->str;
}

static bool
valid_name(const char *s, bool lower_only)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!(islower(*u) || (!lower_only && (isupper(*u) || *u == '_'))))
		return false;
	for (u++; *u != '\0'; u++)
		if (!(islower(*u) || isdigit(*u) || *u == '_' ||
		    (!lower_only && isupper(*u))))
			return false;
	return strlen(s) <= 64;
}

/* Why ODK Central or XML cannot take this question or group name, or
 * NULL when they can: <meta> holds the instance's metadata, XML keeps
 * names beginning with xml, and Central and pyxform names beginning with
 * __ (valid_name has made sure it is an XML NCName). */
static const char *
reserved_name(const char *s)
{
	if (strcmp(s, "meta") == 0 || strcmp(s, "instanceID") == 0)
		return N_("it is ODK's own (the record's <meta> and its instanceID)");
	if (strncasecmp(s, "xml", 3) == 0)
		return N_("XML keeps names beginning with 'xml' for itself");
	if (strncmp(s, "__", 2) == 0)
		return N_("ODK Central keeps names beginning with '__' for itself");
	return NULL;
}

static bool
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* Checks that every key of a mapping is known (with a "did you mean" for
 * misspellings) and written once. */
static void
check_keys(struct loader *L, const struct ynode *map, const char *const *keys,
    const char *what)
{
	struct keyed *seen = xcalloc(map->n / 2 + 1, sizeof *seen);
	size_t i, first, nkeys = 0, nseen = 0;

	while (keys[nkeys] != NULL)
		nkeys++;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		const char *hint;

		if (k->kind != YNODE_SCALAR) {
			err(L, k, _("a key in %s must be a plain word, not %s"), what,
			    ytree_kind_name(k));
			continue;
		}
		seen[nseen].s = k->str;
		seen[nseen].seq = i;
		seen[nseen++].at = k;
		if (in_list(keys, k->str))
			continue;
		hint = suggest(keys, nkeys, k->str);
		if (hint != NULL)
			err(L, k, _("unknown key '%s' in %s (did you mean '%s'?)"),
			    k->str, what, hint);
		else
			err(L, k, _("unknown key '%s' in %s"), k->str, what);
	}
	keyed_sort(seen, nseen);
	/* first: the first copy of seen[i].s, kept as the scan goes (looking
	 * back from each copy compared n squared / 2 keys). */
	for (i = 1, first = 0; i < nseen; i++)
		if (name_cmp(seen[i].s, seen[first].s) != 0)
			first = i;
		else
			err(L, seen[i].at, _("'%s' is written twice in %s (first at "
			    "line %d)"), seen[i].s, what, seen[first].at->line);
	free(seen);
}

static bool
lang_known(const struct form *f, const char *lang)
{
	size_t i;

	for (i = 0; i < f->nlanguages; i++)
		if (strcmp(f->languages[i], lang) == 0)
			return true;
	return false;
}

static void
mtext_add(struct mtext *m, const char *lang, const char *text)
{
	m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
	m->v[m->n].lang = lang ? xstrdup(lang) : NULL;
	m->v[m->n].text = xstrdup(text);
	m->n++;
}

static void
mtext_free(struct mtext *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].lang);
		free(m->v[i].text);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static void
mark_lang_used(struct loader *L, const char *lang)
{
	size_t i;

	for (i = 0; i < L->f->nlanguages; i++)
		if (strcmp(L->f->languages[i], lang) == 0)
			L->lang_used[i] = true;
}

/* A warning for each language of 'languages:' that no text is written
 * in: an interviewer who switches to it sees the first language's texts
 * and cannot tell why. */
static void
check_languages_used(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->f->nlanguages; i++)
		if (!L->lang_used[i])
			warn(L, L->lang_at[i], _("language '%s' is in 'languages:' but "
			    "no label, hint or title is written in it; add %s: texts, "
			    "or take it out of the list"), L->f->languages[i],
			    L->f->languages[i]);
}

/* A text, or a mapping of language to text. */
static void
parse_mtext(struct loader *L, const struct ynode *n, const char *what,
    struct mtext *out)
{
	size_t i;

	if (n->kind == YNODE_SCALAR) {
		const char *s = scalar(L, n, what);

		if (s != NULL)
			mtext_add(out, NULL, s);
		return;
	}
	if (n->kind != YNODE_MAP) {
		err(L, n, _("%s must be a text or a mapping of language to text, "
		    "as in {zh: 年龄, en: Age}"), what);
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];
		const char *s;

		if (k->kind != YNODE_SCALAR) {
			err(L, k, _("a language in %s must be a code like zh or en"), what);
			continue;
		}
		if (n->flow && i > 0 && !lang_known(L->f, k->str) &&
		    v->kind == YNODE_SCALAR && v->len == 0 && !v->quoted)
			err(L, k, _("'%s' is read as a language because the ',' before it "
			    "ends the text; inside { } quote a text that holds a comma, "
			    "as in en: \"Hometown (province, county)\""), k->str);
		else if (L->f->nlanguages == 0)
			err(L, k, _("%s is given in '%s', but the form has no "
			    "'languages:' list (add languages: [%s])"), what, k->str, k->str);
		else if (!lang_known(L->f, k->str))
			err(L, k, _("language '%s' is not in the form's languages"), k->str);
		s = scalar(L, v, what);
		if (s != NULL)
			mtext_add(out, k->str, s);
		mark_lang_used(L, k->str);
	}
	if (n->n == 0)
		err(L, n, _("%s is empty"), what);
}

static void
add_name(struct loader *L, const char *name, const struct ynode *at)
{
	L->names = grow(L->names, L->nnames, sizeof *L->names);
	L->names[L->nnames].name = name;
	L->names[L->nnames].line = at->line;
	L->names[L->nnames].col = at->col;
	L->names[L->nnames].seq = L->nnames;
	L->nnames++;
}

/* Where, in the file, byte `at` of an expression written in node n is. */
static void
expr_pos(const struct ynode *n, size_t at, int *line, int *col)
{
	size_t i;
	int chars = 0;

	*line = n->line;
	*col = n->col;
	if (strchr(n->str, '\n') != NULL || (n->quoted && !n->one_line_quoted))
		return;	/* a block or folded text: point at its start */
	for (i = 0; i < at && n->str[i] != '\0'; i++)
		chars += ((unsigned char)n->str[i] & 0xC0) != 0x80;
	*col += chars + (n->one_line_quoted ? 1 : 0);
}

static const char *const use_names[] = {
	[USE_RELEVANT] = "relevant", [USE_CONSTRAINT] = "constraint",
	[USE_REQUIRED] = "required", [USE_CALCULATION] = "calculation",
	[USE_COUNT] = "count", [USE_WHEN] = "when",
};

/* Parses the expression in n; it is checked once every name is known. */
static struct expr *
parse_expr(struct loader *L, const struct ynode *n, enum expr_use use,
    long question, char **src)
{
	const char *text = scalar(L, n, use_names[use]);
	struct pending *pd;
	struct expr *e;
	size_t at;
	char *cause;
	int line, col;

	if (text == NULL)
		return NULL;
	if (text[strspn(text, " ")] == '\0') {
		err(L, n, _("'%s' is empty"), use_names[use]);
		return NULL;
	}
	e = expr_parse(text, &at, &cause);
	if (e == NULL) {
		expr_pos(n, at, &line, &col);
		diags_add(L->d, DIAG_ERROR, line, col, _("in %s \"%s\": %s"),
		    use_names[use], text, cause);
		free(cause);
		return NULL;
	}
	*src = xstrdup(text);
	L->pending = grow(L->pending, L->npending, sizeof *L->pending);
	pd = &L->pending[L->npending++];
	pd->e = e;
	pd->at = n;
	pd->use = use;
	pd->question = question;
	pd->scope = L->repeat;
	return e;
}

static int
name_pos_cmp(const void *a, const void *b)
{
	const struct name_pos *x = a, *y = b;
	int c = name_cmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
choice_index_cmp(const void *a, const void *b, void *ctx)
{
	const struct choice_list *list = ctx;

	return name_cmp(list->v[*(const size_t *)a].value,
	    list->v[*(const size_t *)b].value);
}

/* Drops the choices whose value came earlier in the list (each with an
 * error) and indexes the rest by value; sorting keeps this fast for a
 * list of 100,000 choices, where comparing every pair took 21 s. */
static void
dedupe_choices(struct loader *L, struct choice_list *list,
    const struct ynode **at)
{
	struct keyed *k = xcalloc(list->n + 1, sizeof *k);
	bool *dup = xcalloc(list->n + 1, sizeof *dup);
	size_t i, kept = 0;

	for (i = 0; i < list->n; i++) {
		k[i].s = list->v[i].value;
		k[i].seq = i;
		k[i].at = at[i];
	}
	keyed_sort(k, list->n);
	for (i = 1; i < list->n; i++)
		if (name_cmp(k[i].s, k[i - 1].s) == 0) {
			err(L, k[i].at, _("choice value '%s' appears twice in this list"),
			    k[i].s);
			dup[k[i].seq] = true;
		}
	free(k);
	for (i = 0; i < list->n; i++) {
		if (dup[i]) {
			free(list->v[i].value);
			mtext_free(&list->v[i].label);
		} else
			list->v[kept++] = list->v[i];
	}
	list->n = kept;
	free(dup);
	list->by_value = xcalloc(list->n + 1, sizeof *list->by_value);
	for (i = 0; i < list->n; i++)
		list->by_value[i] = i;
	if (list->n > 1)
		qsort_r(list->by_value, list->n, sizeof *list->by_value,
		    choice_index_cmp, list);
}

static struct choice_list *
parse_choice_list(struct loader *L, const struct ynode *n, const char *name)
{
	struct choice_list *list;
	const struct ynode **at;
	size_t i;

	if (n->kind != YNODE_SEQ) {
		err(L, n, _("a choice list must be a list of {value: ..., label: ...}, "
		    "not %s"), ytree_kind_name(n));
		return NULL;
	}
	if (n->n == 0) {
		err(L, n, _("the choice list%s%s is empty"), name ? " " : "",
		    name ? name : "");
		return NULL;
	}
	list = xcalloc(1, sizeof *list);
	list->name = name ? xstrdup(name) : NULL;
	list->v = xcalloc(n->n, sizeof *list->v);
	at = xcalloc(n->n, sizeof *at);
	for (i = 0; i < n->n; i++) {
		const struct ynode *item = n->items[i], *v, *lab;
		const char *value;
		struct choice *c;

		if (item->kind != YNODE_MAP) {
			err(L, item, _("a choice must be {value: ..., label: ...}, not %s"),
			    ytree_kind_name(item));
			continue;
		}
		check_keys(L, item, choice_keys, _("a choice"));
		v = ytree_get(item, "value");
		lab = ytree_get(item, "label");
		if (v == NULL) {
			err(L, item, _("this choice has no 'value:'"));
			continue;
		}
		if ((value = scalar(L, v, _("a choice value"))) == NULL)
			continue;
		if (*value == '\0' || strpbrk(value, " \t\n") != NULL) {
			err(L, v, _("choice value '%s' must be one word without spaces "
			    "(answers to a multiple choice are stored space-separated)"),
			    value);
			continue;
		}
		at[list->n] = v;
		c = &list->v[list->n++];
		c->value = xstrdup(value);
		if (lab == NULL)
			err(L, item, _("choice '%s' has no 'label:'"), value);
		else
			parse_mtext(L, lab, _("a choice label"), &c->label);
	}
	dedupe_choices(L, list, at);
	free(at);
	L->f->lists = grow(L->f->lists, L->f->nlists, sizeof *L->f->lists);
	L->f->lists[L->f->nlists++] = list;
	return list;
}

static int
list_name_cmp(const void *a, const void *b)
{
	const struct choice_list *const *x = a, *const *y = b;

	return name_cmp((*x)->name, (*y)->name);
}

/* The named list called name, or NULL. */
static const struct choice_list *
find_list(const struct loader *L, const char *name)
{
	size_t lo = 0, hi = L->nnamed;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(L->named[mid]->name, name);

		if (c == 0)
			return L->named[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* from_household: FIELD, for a question that can hold the field. */
static void
parse_from_household(struct loader *L, const struct ynode *v,
    struct question *q, bool type_ok)
{
	const char *s = scalar(L, v, _("from_household"));
	size_t i;

	if (s == NULL)
		return;
	for (i = 1; i < ARRAY_LEN(household_field_names); i++)
		if (strcmp(s, household_field_names[i]) == 0)
			q->from_household = (enum household_field)i;
	if (q->from_household == HF_NONE) {
		const char *hint = suggest(household_field_names + 1,
		    ARRAY_LEN(household_field_names) - 1, s);

		if (hint != NULL)
			err(L, v, _("from_household: unknown field '%s' (did you mean "
			    "'%s'?); the fields are head, phone, address, site, code"),
			    s, hint);
		else
			err(L, v, _("from_household: unknown field '%s'; the fields are "
			    "head, phone, address, site, code"), s);
		return;
	}
	if (q->repeat != NULL)
		err(L, v, _("from_household is for a question outside repeats: a "
		    "household has one %s"), s);
	else if (type_ok && q->type != QT_TEXT && !(q->type == QT_SELECT_ONE &&
	    q->from_household == HF_SITE))
		err(L, v, q->from_household == HF_SITE ? _("'%s' is a %s, which "
		    "cannot hold the household's %s: use type text or select_one") :
		    _("'%s' is a %s, which cannot hold the household's %s: use type "
		    "text"), q->name, question_type_name(q->type), s);
}

/* Whether a question asks for a phone or an identity number: by its
 * appearance (cn_mobile, cn_id) or by a word in its name. */
static bool
looks_identifying(const struct ynode *n)
{
	static const char *const words[] = {
		"phone", "mobile", "id_card", "idcard", "id_number", "id_no",
		"passport", "identity", "national_id",
	};
	const struct ynode *v;
	size_t i;

	if ((v = ytree_get(n, "appearance")) != NULL && v->kind == YNODE_SCALAR &&
	    (strcmp(v->str, "cn_mobile") == 0 || strcmp(v->str, "cn_id") == 0))
		return true;
	if ((v = ytree_get(n, "name")) == NULL || v->kind != YNODE_SCALAR)
		return false;
	for (i = 0; i < ARRAY_LEN(words); i++)
		if (strstr(v->str, words[i]) != NULL)
			return true;
	return false;
}

static void
parse_question(struct loader *L, const struct ynode *n,
    const struct group *group)
{
	const struct ynode *name_n = ytree_get(n, "name");
	const struct ynode *type_n = ytree_get(n, "type");
	const struct ynode *v;
	struct question *q;
	const char *name = NULL, *type = NULL;
	size_t t;
	bool type_ok = false;

	check_keys(L, n, question_keys, _("a question"));
	if (name_n == NULL)
		err(L, n, _("this question has no 'name:' (or is it meant to be a "
		    "'group:'?)"));
	else if ((name = scalar(L, name_n, _("a question name"))) != NULL &&
	    !valid_name(name, false)) {
		err(L, name_n, _("name '%s' must start with a letter or _ and hold "
		    "only letters, digits and _ (at most 64)"), name);
		name = NULL;
	} else if (name != NULL && reserved_name(name) != NULL) {
		err(L, name_n, _("name '%s' cannot be used: %s; choose another"), name,
		    _(reserved_name(name)));
		name = NULL;
	}
	q = xcalloc(1, sizeof *q);
	q->line = n->line;
	q->col = n->col;
	q->group = group;
	q->repeat = L->repeat;
	q->name = xstrdup(name ? name : "");
	L->f->questions = grow(L->f->questions, L->f->nquestions,
	    sizeof *L->f->questions);
	L->f->questions[L->f->nquestions++] = q;
	if (name != NULL)
		add_name(L, q->name, name_n);

	if (type_n == NULL)
		err(L, n, _("question '%s' has no 'type:'"), q->name);
	else if ((type = scalar(L, type_n, _("a type"))) != NULL) {
		for (t = 0; t < ARRAY_LEN(type_names); t++)
			if (strcmp(type, type_names[t]) == 0) {
				q->type = (enum question_type)t;
				type_ok = true;
			}
		if (!type_ok) {
			const char *hint = suggest(type_names, ARRAY_LEN(type_names), type);

			if (hint != NULL)
				err(L, type_n, _("unknown type '%s' (did you mean '%s'?)"), type,
				    hint);
			else
				err(L, type_n, _("unknown type '%s'; the types are text, "
				    "integer, decimal, date, select_one, select_multiple, note, "
				    "calculate"), type);
		}
	}

	if ((v = ytree_get(n, "label")) != NULL)
		parse_mtext(L, v, _("a label"), &q->label);
	else if (!type_ok || q->type != QT_CALCULATE)
		err(L, n, _("question '%s' has no 'label:'"), q->name);
	{
		long self = (long)L->f->nquestions - 1;

		if ((v = ytree_get(n, "relevant")) != NULL)
			q->relevant = parse_expr(L, v, USE_RELEVANT, self,
			    &q->relevant_src);
		if ((v = ytree_get(n, "constraint")) != NULL)
			q->constraint = parse_expr(L, v, USE_CONSTRAINT, self,
			    &q->constraint_src);
		if ((v = ytree_get(n, "calculation")) != NULL) {
			if (type_ok && q->type != QT_CALCULATE)
				err(L, v, _("'calculation:' is only for type calculate"));
			else
				q->calculation = parse_expr(L, v, USE_CALCULATION, self,
				    &q->calculation_src);
		} else if (type_ok && q->type == QT_CALCULATE)
			err(L, n, _("calculate '%s' has no 'calculation:'"), q->name);
		if ((v = ytree_get(n, "required")) != NULL) {
			const char *rs = scalar(L, v, _("required"));

			if (rs != NULL && !parse_bool(rs, &q->required))
				q->required_if = parse_expr(L, v, USE_REQUIRED, self,
				    &q->required_src);
		}
	}
	if ((v = ytree_get(n, "hint")) != NULL)
		parse_mtext(L, v, _("a hint"), &q->hint);
	if ((v = ytree_get(n, "required_message")) != NULL)
		parse_mtext(L, v, _("a required_message"), &q->required_message);
	if ((v = ytree_get(n, "constraint_message")) != NULL)
		parse_mtext(L, v, _("a constraint_message"), &q->constraint_message);
	if ((v = ytree_get(n, "prefill")) != NULL) {
		const char *s = scalar(L, v, _("prefill"));

		if (s != NULL && !parse_bool(s, &q->prefill))
			err(L, v, _("prefill must be true or false, not '%s'"), s);
	}
	if ((v = ytree_get(n, "identifying")) != NULL) {
		const char *s = scalar(L, v, _("identifying"));

		if (s != NULL && !parse_bool(s, &q->identifying))
			err(L, v, _("identifying must be true or false, not '%s'"), s);
	}
	if (!q->identifying && looks_identifying(n))
		warn(L, n, _("'%s' asks for a phone number or an identity number "
		    "but is not marked 'identifying: true': a shared export would "
		    "carry it"), q->name);
	if ((v = ytree_get(n, "appearance")) != NULL) {
		const char *s = scalar(L, v, _("appearance"));

		if (s != NULL)
			q->appearance = xstrdup(s);
	}
	if ((v = ytree_get(n, "from_household")) != NULL)
		parse_from_household(L, v, q, type_ok);
	if ((v = ytree_get(n, "save_to")) != NULL &&
	    scalar(L, v, _("save_to")) != NULL) {
		const char *why = entity_property_why(v->str);

		q->save_to = xstrdup(v->str);

		if (why != NULL)
			err(L, v, _("save_to: '%s' cannot name an entity property: %s"),
			    q->save_to, _(why));
		else if (q->repeat != NULL || !question_has_value(q))
			err(L, v, _("save_to: '%s' is on a question inside a repeat or "
			    "without a value: an entity property holds one value"),
			    q->save_to);
	}

	v = ytree_get(n, "choices");
	if (type_ok && (q->type == QT_SELECT_ONE || q->type == QT_SELECT_MULTIPLE)) {
		if (v == NULL)
			err(L, n, _("question '%s' is a %s but has no 'choices:'"), q->name,
			    type);
		else if (v->kind == YNODE_SCALAR) {
			q->choices = find_list(L, v->str);
			if (q->choices == NULL) {
				const struct ynode *c = L->choices;
				const char *names[64];
				size_t i, k = 0;

				for (i = 0; c && c->kind == YNODE_MAP && i + 1 < c->n &&
				    k < ARRAY_LEN(names); i += 2)
					if (c->items[i]->kind == YNODE_SCALAR)
						names[k++] = c->items[i]->str;
				{
					const char *hint = suggest(names, k, v->str);

					if (hint != NULL)
						err(L, v, _("choice list '%s' is not defined under "
						    "'choices:' (did you mean '%s'?)"), v->str, hint);
					else
						err(L, v, _("choice list '%s' is not defined under "
						    "'choices:'"), v->str);
				}
			}
		} else
			q->choices = parse_choice_list(L, v, NULL);
	} else if (v != NULL && type_ok)
		err(L, v, _("'choices:' is only for select_one and select_multiple, "
		    "and '%s' is a %s"), q->name, type);

	if ((v = ytree_get(n, "default")) != NULL && type_ok) {
		const char *s = scalar(L, v, _("default"));

		if (q->type == QT_NOTE || q->type == QT_CALCULATE)
			err(L, v, _("a %s takes no default"), type);
		else if (s != NULL && (strcmp(s, "today") == 0 ||
		    strcmp(s, "today()") == 0)) {
			if (q->type == QT_DATE)
				q->default_today = true;
			else
				err(L, v, _("only a date takes 'default: today', and '%s' is "
				    "a %s"), q->name, type);
		} else if (s != NULL && (q->type != QT_SELECT_ONE &&
		    q->type != QT_SELECT_MULTIPLE ? true : q->choices != NULL)) {
			const char *why;
			char *norm = form_value_normalize(q, s, &why);

			if (norm == NULL)
				err(L, v, _("default '%s' is not valid for %s: %s"), s, type, why);
			else
				q->default_value = norm;
		}
	}
}

static void parse_body(struct loader *L, const struct ynode *n,
    const struct group *parent, int depth);

/* A group, or a repeat (is_repeat): a group whose questions are asked
 * once per entry. */
static void
parse_group(struct loader *L, const struct ynode *n, const struct group *parent,
    int depth, bool is_repeat)
{
	const char *kind = is_repeat ? "repeat" : "group";
	const struct ynode *name_n = ytree_get(n, kind), *v;
	const struct group *outer_repeat = L->repeat;
	struct group *g;
	const char *name;

	check_keys(L, n, is_repeat ? repeat_keys : group_keys,
	    is_repeat ? _("a repeat") : _("a group"));
	g = xcalloc(1, sizeof *g);
	g->parent = parent;
	g->repeat = is_repeat;
	g->line = n->line;
	g->col = n->col;
	g->index = L->f->ngroups;
	g->first = L->f->nquestions;
	L->f->groups = grow(L->f->groups, L->f->ngroups, sizeof *L->f->groups);
	L->f->groups[L->f->ngroups++] = g;
	name = scalar(L, name_n, is_repeat ? _("a repeat name") : _("a group name"));
	if (name != NULL && !valid_name(name, false)) {
		err(L, name_n, _("%s name '%s' must start with a letter or _ and "
		    "hold only letters, digits and _"), kind, name);
		name = NULL;
	} else if (name != NULL && reserved_name(name) != NULL) {
		err(L, name_n, _("name '%s' cannot be used: %s; choose another"), name,
		    _(reserved_name(name)));
		name = NULL;
	}
	g->name = xstrdup(name ? name : "");
	if (name != NULL)
		add_name(L, g->name, name_n);
	if ((v = ytree_get(n, "label")) != NULL)
		parse_mtext(L, v, is_repeat ? _("a repeat label") : _("a group label"),
		    &g->label);
	else
		err(L, n, _("%s '%s' has no 'label:'"), kind, g->name);
	if ((v = ytree_get(n, "relevant")) != NULL)
		g->relevant = parse_expr(L, v, USE_RELEVANT, -1, &g->relevant_src);
	if (is_repeat) {
		if (outer_repeat != NULL)
			err(L, n, _("repeat '%s' is inside repeat '%s'; doorstep runs one "
			    "level of repeats"), g->name, outer_repeat->name);
		/* The count is evaluated outside the repeat it counts. */
		if ((v = ytree_get(n, "count")) != NULL)
			g->count = parse_expr(L, v, USE_COUNT, -1, &g->count_src);
		L->repeat = g;
	}
	if ((v = ytree_get(n, "body")) == NULL)
		err(L, n, _("%s '%s' has no 'body:' with its questions"), kind, g->name);
	else
		parse_body(L, v, g, depth + 1);
	L->repeat = outer_repeat;
	g->end = L->f->nquestions;
}

static void
parse_body(struct loader *L, const struct ynode *n, const struct group *parent,
    int depth)
{
	size_t i;

	if (n->kind != YNODE_SEQ) {
		err(L, n, _("'body:' must be a list of questions and groups, not %s"),
		    ytree_kind_name(n));
		return;
	}
	if (n->n == 0)
		err(L, n, _("'body:' is empty"));
	for (i = 0; i < n->n; i++) {
		const struct ynode *item = n->items[i];

		if (item->kind != YNODE_MAP) {
			err(L, item, _("each entry of 'body:' must be a question or a "
			    "group (a mapping), not %s"), ytree_kind_name(item));
			continue;
		}
		if (ytree_get(item, "repeat") != NULL)
			parse_group(L, item, parent, depth, true);
		else if (ytree_get(item, "group") != NULL)
			parse_group(L, item, parent, depth, false);
		else
			parse_question(L, item, parent);
	}
}

static void
parse_languages(struct loader *L, const struct ynode *n)
{
	size_t i;

	if (n->kind != YNODE_SEQ || n->n == 0) {
		err(L, n, _("'languages:' must be a list of language codes, as in "
		    "[zh, en]"));
		return;
	}
	if (n->n > FORM_MAX_LANGUAGES) {
		err(L, n, _("'languages:' lists %zu languages; a form may have at "
		    "most %d"), n->n, FORM_MAX_LANGUAGES);
		return;
	}
	L->f->languages = xcalloc(n->n, sizeof *L->f->languages);
	for (i = 0; i < n->n; i++) {
		const char *s = scalar(L, n->items[i], _("a language"));

		if (s == NULL)
			continue;
		if (!valid_name(s, true) || strlen(s) > 8) {
			err(L, n->items[i], _("language '%s' should be a short code such "
			    "as zh or en"), s);
			continue;
		}
		if (lang_known(L->f, s)) {
			err(L, n->items[i], _("language '%s' is listed twice"), s);
			continue;
		}
		L->lang_at[L->f->nlanguages] = n->items[i];
		L->f->languages[L->f->nlanguages++] = xstrdup(s);
	}
}

/* entities: {dataset: households, create: true, update: true}: the ODK
 * Entity List the household of each record is kept in (core/entity.h). */
static void
parse_entities(struct loader *L, const struct ynode *n)
{
	static const char *const keys[] = { "dataset", "create", "update", NULL };
	struct form *f = L->f;
	const struct ynode *v;
	size_t i, j;

	if (n->kind != YNODE_MAP) {
		err(L, n, "%s", _("'entities:' must be a map such as {dataset: "
		    "households}"));
		return;
	}
	check_keys(L, n, keys, "entities");
	f->entity_create = f->entity_update = true;
	if ((v = ytree_get(n, "dataset")) == NULL)
		err(L, n, "%s", _("'entities:' needs 'dataset:', the name of the "
		    "Entity List (for example households)"));
	else if (scalar(L, v, _("dataset")) != NULL) {
		if (!entity_dataset_valid(v->str))
			err(L, v, _("'%s' cannot name an Entity List: a letter or '_' "
			    "first, then letters, digits, '_' or '-', not beginning with "
			    "'__'"), v->str);
		else
			f->entity_dataset = xstrdup(v->str);
	}
	if ((v = ytree_get(n, "create")) != NULL && scalar(L, v, _("create")) !=
	    NULL && !parse_bool(v->str, &f->entity_create))
		err(L, v, _("create must be true or false, not '%s'"), v->str);
	if ((v = ytree_get(n, "update")) != NULL && scalar(L, v, _("update")) !=
	    NULL && !parse_bool(v->str, &f->entity_update))
		err(L, v, _("update must be true or false, not '%s'"), v->str);
	if (!f->entity_create && !f->entity_update)
		err(L, n, "%s", _("'entities:' must create or update: ODK Central "
		    "refuses a form that does neither"));
	if (f->public_key != NULL)
		err(L, n, "%s", _("'entities:' cannot go with public_key: ODK "
		    "Central cannot read a sealed record to update its Entity List"));
	for (i = 0; i < f->nquestions; i++)
		for (j = 0; f->questions[i]->save_to != NULL && j < i; j++)
			if (str_eq(f->questions[i]->save_to, f->questions[j]->save_to))
				diags_add(L->d, DIAG_ERROR, f->questions[i]->line,
				    f->questions[i]->col, _("save_to: '%s' is also the "
				    "property of '%s': one question a property"),
				    f->questions[i]->save_to, f->questions[j]->name);
}

/* save_to: without entities: there is no list to save to. */
static void
check_save_to_alone(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->f->nquestions; i++)
		if (L->f->questions[i]->save_to != NULL)
			diags_add(L->d, DIAG_ERROR, L->f->questions[i]->line,
			    L->f->questions[i]->col, _("'%s' has save_to: but the form "
			    "has no 'entities:' naming the Entity List"),
			    L->f->questions[i]->name);
}

/* public_key: and sealed_keeps: (what a sealed record keeps in plain
 * text: its needs, its answers marked prefill). */
static void
parse_sealing(struct loader *L, const struct ynode *root)
{
	const struct ynode *v;
	char *cause = NULL;
	size_t i;

	if ((v = ytree_get(root, "public_key")) != NULL &&
	    scalar(L, v, _("the public key")) != NULL) {
		if (seal_public_key_check(v->str, &cause) != 0) {
			err(L, v, "%s", cause);
			free(cause);
		} else
			L->f->public_key = xstrdup(v->str);
	}
	if ((v = ytree_get(root, "sealed_keeps")) == NULL)
		return;
	if (v->kind != YNODE_SEQ) {
		err(L, v, _("'sealed_keeps:' must be a list of what a sealed record "
		    "keeps in plain text: [needs], [prefill] or [needs, prefill]"));
		return;
	}
	if (ytree_get(root, "public_key") == NULL)
		warn(L, v, _("'sealed_keeps:' has no effect without 'public_key:'"));
	for (i = 0; i < v->n; i++) {
		const char *s = scalar(L, v->items[i], _("sealed_keeps"));

		if (s == NULL)
			continue;
		if (strcmp(s, "needs") == 0)
			L->f->sealed_keeps_needs = true;
		else if (strcmp(s, "prefill") == 0)
			L->f->sealed_keeps_prefill = true;
		else
			err(L, v->items[i], _("a sealed record can keep 'needs' or "
			    "'prefill' in plain text, not '%s'"), s);
	}
}

static void
parse_choices(struct loader *L, const struct ynode *n)
{
	struct keyed *names;
	bool *dup;
	size_t i, nnames = 0;

	if (n->kind != YNODE_MAP) {
		err(L, n, _("'choices:' must map list names to lists, as in "
		    "choices: {yes_no: [...]}"));
		return;
	}
	names = xcalloc(n->n / 2 + 1, sizeof *names);
	dup = xcalloc(n->n + 1, sizeof *dup);
	for (i = 0; i + 1 < n->n; i += 2)
		if (n->items[i]->kind == YNODE_SCALAR) {
			names[nnames].s = n->items[i]->str;
			names[nnames].seq = i;
			names[nnames++].at = n->items[i];
		}
	keyed_sort(names, nnames);
	for (i = 1; i < nnames; i++)
		if (name_cmp(names[i].s, names[i - 1].s) == 0)
			dup[names[i].seq] = true;
	free(names);
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->items[i];
		struct choice_list *list;

		if (k->kind != YNODE_SCALAR || !valid_name(k->str, false)) {
			err(L, k, _("a choice list name must be a word of letters, "
			    "digits and _"));
			continue;
		}
		if (dup[i]) {
			err(L, k, _("choice list '%s' is defined twice"), k->str);
			continue;
		}
		list = parse_choice_list(L, n->items[i + 1], k->str);
		if (list != NULL) {
			L->named = grow(L->named, L->nnamed, sizeof *L->named);
			L->named[L->nnamed++] = list;
		}
	}
	free(dup);
	if (L->nnamed > 1)
		qsort(L->named, L->nnamed, sizeof *L->named, list_name_cmp);
}

static void
parse_needs(struct loader *L, const struct ynode *n)
{
	struct keyed *ids;
	size_t i, nids = 0;

	if (n->kind != YNODE_SEQ) {
		err(L, n, _("'needs:' must be a list of {id: ..., label: ...}"));
		return;
	}
	L->f->needs = xcalloc(n->n ? n->n : 1, sizeof *L->f->needs);
	ids = xcalloc(n->n + 1, sizeof *ids);
	for (i = 0; i < n->n; i++) {
		const struct ynode *item = n->items[i], *v;
		struct need *need;
		const char *id;

		if (item->kind != YNODE_MAP) {
			err(L, item, _("a need must be {id: ..., label: ...}"));
			continue;
		}
		check_keys(L, item, need_keys, _("a need"));
		if ((v = ytree_get(item, "id")) == NULL) {
			err(L, item, _("this need has no 'id:'"));
			continue;
		}
		if ((id = scalar(L, v, _("a need id"))) == NULL)
			continue;
		if (!valid_name(id, false)) {
			err(L, v, _("need id '%s' must be a word of letters, digits and _"), id);
			continue;
		}
		need = &L->f->needs[L->f->nneeds++];
		need->id = xstrdup(id);
		ids[nids].s = need->id;
		ids[nids].seq = nids;
		ids[nids++].at = v;
		if ((v = ytree_get(item, "label")) != NULL)
			parse_mtext(L, v, _("a need label"), &need->label);
		else
			err(L, item, _("need '%s' has no 'label:'"), id);
		if ((v = ytree_get(item, "when")) != NULL)
			need->when = parse_expr(L, v, USE_WHEN, -1, &need->when_src);
		else
			err(L, item, _("need '%s' has no 'when:' saying which answers "
			    "show it"), id);
	}
	keyed_sort(ids, nids);
	for (i = 1; i < nids; i++)
		if (name_cmp(ids[i].s, ids[i - 1].s) == 0)
			err(L, ids[i].at, _("need '%s' is listed twice"), ids[i].s);
	free(ids);
}

/* A problem at byte pos of the expression pd. */
static void
expr_verr(struct loader *L, const struct pending *pd, size_t pos,
    enum diag_level level, const char *fmt, va_list ap) ATTR_PRINTF(5, 0);
static void
expr_verr(struct loader *L, const struct pending *pd, size_t pos,
    enum diag_level level, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	int line, col;

	expr_pos(pd->at, pos, &line, &col);
	diags_add(L->d, level, line, col, _("in %s: %s"), use_names[pd->use], msg);
	free(msg);
}

static void
expr_err(struct loader *L, const struct pending *pd, const struct expr *e,
    enum diag_level level, const char *fmt, ...) ATTR_PRINTF(5, 6);
static void
expr_err(struct loader *L, const struct pending *pd, const struct expr *e,
    enum diag_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	expr_verr(L, pd, e->pos, level, fmt, ap);
	va_end(ap);
}

static void
expr_err_at(struct loader *L, const struct pending *pd, size_t pos,
    enum diag_level level, const char *fmt, ...) ATTR_PRINTF(5, 6);
static void
expr_err_at(struct loader *L, const struct pending *pd, size_t pos,
    enum diag_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	expr_verr(L, pd, pos, level, fmt, ap);
	va_end(ap);
}

/* regex() takes its pattern as a quoted text of the form, checked here
 * against the limits of rx.h: a pattern from an answer could be anything
 * (issue 11: one made --import take gigabytes). */
static void
check_regex(struct loader *L, const struct pending *pd, const struct expr *e)
{
	const struct expr *pat = e->args[1];
	char *cause, *warning;
	struct rx *rx;
	size_t at;

	if (pat->op != EX_STR) {
		expr_err(L, pd, pat, DIAG_ERROR, _("regex() takes its pattern as a "
		    "quoted text of the form, as in regex(., '1[3-9][0-9]{9}'), not "
		    "from an answer or a calculation"));
		return;
	}
	/* The pattern starts one byte after its opening quote. */
	rx = rx_compile(pat->str, &at, &cause, &warning);
	if (rx == NULL) {
		expr_err_at(L, pd, pat->pos + 1 + at, DIAG_ERROR, _("the pattern "
		    "'%s' is refused: %s (regex() takes POSIX extended patterns)"),
		    pat->str, cause);
		free(cause);
		return;
	}
	if (warning != NULL) {
		expr_err(L, pd, pat, DIAG_WARNING, "%s", warning);
		free(warning);
	}
	rx_free(rx);
}

static int
repeat_name_cmp(const void *a, const void *b)
{
	const struct group *const *x = a, *const *y = b;

	return name_cmp((*x)->name, (*y)->name);
}

/* The repeat called name, or NULL: a binary search, as form_find. */
static const struct group *
find_repeat(const struct loader *L, const char *name)
{
	size_t lo = 0, hi = L->nrepeats;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(L->repeats[mid]->name, name);

		if (c == 0)
			return L->repeats[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The question names close to name, for the first few unknown names only:
 * a suggestion costs a look at every question. */
static const char *
suggest_question(struct loader *L, const char *name)
{
	const struct form *f = L->f;
	size_t i;

	if (L->nunknown++ >= 20)
		return NULL;
	if (L->qnames == NULL) {
		L->qnames = xcalloc(f->nquestions + 1, sizeof *L->qnames);
		for (i = 0; i < f->nquestions; i++)
			L->qnames[i] = f->questions[i]->name;
	}
	return suggest(L->qnames, f->nquestions, name);
}

/* Resolves each ${name} of e and checks that it is used where it means
 * something. in_count: e is the argument of count() or sum(). */
static void
check_expr(struct loader *L, const struct pending *pd, struct expr *e,
    bool in_count)
{
	const struct form *f = L->f;
	size_t i;

	switch (e->op) {
	case EX_DOT:
		if (pd->use != USE_CONSTRAINT)
			expr_err(L, pd, e, DIAG_ERROR, _("'.' stands for the answer being "
			    "checked, so it belongs in a constraint; name the question "
			    "as ${name} here"));
		return;
	case EX_REF: {
		long q = form_find(f, e->str);
		const struct group *g = q < 0 ? find_repeat(L, e->str) : NULL;
		const struct group *rep;

		if (q < 0 && g == NULL) {
			const char *hint = suggest_question(L, e->str);

			if (hint != NULL)
				expr_err(L, pd, e, DIAG_ERROR, _("there is no question "
				    "${%s} (did you mean ${%s}?)"), e->str, hint);
			else
				expr_err(L, pd, e, DIAG_ERROR, _("there is no question "
				    "${%s} in this form"), e->str);
			return;
		}
		if (g != NULL) {
			e->ref = (long)g->index;
			e->ref_is_repeat = true;
			if (!in_count)
				expr_err(L, pd, e, DIAG_ERROR, _("${%s} is a repeat; count its "
				    "entries with count(${%s})"), e->str, e->str);
			return;
		}
		e->ref = q;
		if (f->questions[q]->type == QT_NOTE)
			expr_err(L, pd, e, DIAG_ERROR, _("${%s} is a note, which has no "
			    "value"), e->str);
		rep = f->questions[q]->repeat;
		if (rep != NULL && rep != pd->scope && !in_count)
			expr_err(L, pd, e, DIAG_ERROR, _("${%s} is inside the repeat "
			    "'%s'; from outside it, use count(${%s}) or sum(${%s})"),
			    e->str, rep->name, e->str, e->str);
		return;
	}
	case EX_CALL:
		if (e->fn == FN_COUNT || e->fn == FN_SUM) {
			const struct expr *a = e->args[0];

			if (a->op != EX_REF) {
				expr_err(L, pd, e, DIAG_ERROR, _("%s() takes a repeat or a "
				    "question inside one, as in %s(${members})"),
				    expr_fn_name(e->fn), expr_fn_name(e->fn));
				return;
			}
			check_expr(L, pd, e->args[0], true);
			if (a->ref < 0)
				return;
			if (e->fn == FN_SUM && (a->ref_is_repeat ||
			    f->questions[a->ref]->repeat == NULL))
				expr_err(L, pd, a, DIAG_ERROR, _("sum() adds up a question "
				    "inside a repeat, as in sum(${age})"));
			else if (e->fn == FN_COUNT && !a->ref_is_repeat &&
			    f->questions[a->ref]->repeat == NULL)
				expr_err(L, pd, a, DIAG_ERROR, _("count() counts the entries "
				    "of a repeat; ${%s} is not in one"), a->str);
			return;
		}
		for (i = 0; i < e->nargs; i++)
			check_expr(L, pd, e->args[i], false);
		if (e->fn == FN_SELECTED && e->args[0]->op == EX_REF &&
		    e->args[0]->ref >= 0 && !e->args[0]->ref_is_repeat &&
		    e->args[1]->op == EX_STR) {
			const struct question *sq = f->questions[e->args[0]->ref];

			if (sq->choices != NULL && form_choice(sq, e->args[1]->str) == NULL)
				expr_err(L, pd, e->args[1], DIAG_WARNING, _("'%s' is not a "
				    "choice of ${%s}, so this is never true"),
				    e->args[1]->str, sq->name);
		}
		if (e->fn == FN_REGEX)
			check_regex(L, pd, e);
		return;
	default:
		for (i = 0; i < e->nargs; i++)
			check_expr(L, pd, e->args[i], false);
	}
}

/* One calculation on the path of the walk: the calculations it uses,
 * and how many of them were followed. */
struct calc_frame {
	size_t q;
	size_t *uses;
	size_t nuses;
	size_t next;
};

struct calc_graph {
	struct loader *L;
	const struct pending **of;	/* per question: its calculation */
	unsigned char *state;		/* 0 new, 1 on the path, 2 done */
	struct calc_frame *path;
	size_t depth;
	size_t *order;
	size_t norder;
	bool cycle;
};

/* The calculations that e uses, in the order written. */
static void
calc_uses(const struct calc_graph *g, const struct expr *e,
    struct calc_frame *fr)
{
	size_t i;

	if (e->op == EX_REF && !e->ref_is_repeat && e->ref >= 0 &&
	    g->of[e->ref] != NULL) {
		fr->uses = grow(fr->uses, fr->nuses, sizeof *fr->uses);
		fr->uses[fr->nuses++] = (size_t)e->ref;
	}
	for (i = 0; i < e->nargs; i++)
		calc_uses(g, e->args[i], fr);
}

static void
calc_push(struct calc_graph *g, size_t q)
{
	struct calc_frame *fr = &g->path[g->depth++];

	memset(fr, 0, sizeof *fr);
	fr->q = q;
	g->state[q] = 1;
	calc_uses(g, g->of[q]->e, fr);
}

/* The cycle that closes at q, which is on the path, with its names. */
static void
report_cycle(struct calc_graph *g, size_t q)
{
	const struct form *f = g->L->f;
	struct buf b = { 0 };
	size_t i = g->depth;

	while (i > 0 && g->path[i - 1].q != q)
		i--;
	for (i = i > 0 ? i - 1 : 0; i < g->depth; i++)
		buf_printf(&b, "%s -> ", f->questions[g->path[i].q]->name);
	buf_adds(&b, f->questions[q]->name);
	diags_add(g->L->d, DIAG_ERROR, g->of[q]->at->line, g->of[q]->at->col,
	    _("the calculations form a cycle: %s"), b.data);
	buf_free(&b);
	g->cycle = true;
}

/* Depth first over calculations, with the path kept here rather than on
 * the C stack (a chain of 100,000 calculations is a valid form); a
 * calculation met again on the path is a cycle, reported with its names. */
static void
visit_calc(struct calc_graph *g, size_t root)
{
	if (g->state[root] != 0)
		return;
	calc_push(g, root);
	while (g->depth > 0 && !g->cycle) {
		struct calc_frame *top = &g->path[g->depth - 1];

		if (top->next < top->nuses) {
			size_t q = top->uses[top->next++];

			if (g->state[q] == 1)
				report_cycle(g, q);
			else if (g->state[q] == 0)
				calc_push(g, q);
			continue;
		}
		g->state[top->q] = 2;
		g->order[g->norder++] = top->q;
		free(top->uses);
		g->depth--;
	}
	while (g->depth > 0)
		free(g->path[--g->depth].uses);
}

static void
check_logic(struct loader *L)
{
	struct form *f = L->f;
	struct calc_graph g = { 0 };
	size_t i;

	L->repeats = xcalloc(f->ngroups + 1, sizeof *L->repeats);
	for (i = 0; i < f->ngroups; i++)
		if (f->groups[i]->repeat)
			L->repeats[L->nrepeats++] = f->groups[i];
	if (L->nrepeats > 1)
		qsort(L->repeats, L->nrepeats, sizeof *L->repeats, repeat_name_cmp);
	for (i = 0; i < L->npending; i++)
		check_expr(L, &L->pending[i], L->pending[i].e, false);
	if (L->d->errors > 0)
		return;
	g.L = L;
	g.of = xcalloc(f->nquestions + 1, sizeof *g.of);
	g.state = xcalloc(f->nquestions + 1, 1);
	g.path = xcalloc(f->nquestions + 1, sizeof *g.path);
	g.order = xcalloc(f->nquestions + 1, sizeof *g.order);
	for (i = 0; i < L->npending; i++)
		if (L->pending[i].use == USE_CALCULATION)
			g.of[L->pending[i].question] = &L->pending[i];
	for (i = 0; i < f->nquestions && !g.cycle; i++)
		if (g.of[i] != NULL)
			visit_calc(&g, i);
	free(g.of);
	free(g.state);
	free(g.path);
	f->calc_order = g.order;
	f->ncalc = g.norder;
}

/* The dependency graph (form->readers, form->calc_rank). */

struct dep_fill {
	size_t *count;		/* per node: edges counted or placed */
	size_t *list;		/* NULL: only count */
	const size_t *start;
	size_t node;
};

static void
dep_ref(const struct form *f, const struct expr *e, struct dep_fill *df)
{
	size_t i;

	if (e == NULL)
		return;
	if (e->op == EX_REF && e->ref >= 0) {
		size_t src = e->ref_is_repeat ? f->nquestions + (size_t)e->ref :
		    (size_t)e->ref;

		if (df->list != NULL)
			df->list[df->start[df->node] + df->count[df->node]] = src;
		df->count[df->node]++;
	}
	for (i = 0; i < e->nargs; i++)
		dep_ref(f, e->args[i], df);
}

/* The expressions of node k that decide its value or whether it applies. */
static void
node_exprs(const struct form *f, size_t k, const struct expr *out[2])
{
	if (k < f->nquestions) {
		out[0] = f->questions[k]->relevant;
		out[1] = f->questions[k]->calculation;
	} else {
		out[0] = f->groups[k - f->nquestions]->relevant;
		out[1] = f->groups[k - f->nquestions]->count;
	}
}

/* The node a node sits in (its group), or SIZE_MAX. */
static size_t
node_parent(const struct form *f, size_t k)
{
	const struct group *g = k < f->nquestions ? f->questions[k]->group :
	    f->groups[k - f->nquestions]->parent;

	return g ? f->nquestions + g->index : SIZE_MAX;
}

static void
build_deps(struct form *f)
{
	size_t nodes = f->nquestions + f->ngroups, k, j, i, total = 0, next = 0;
	size_t *fstart = xcalloc(nodes + 1, sizeof *fstart), *fwd;
	size_t *count = xcalloc(nodes + 1, sizeof *count);
	size_t *stack, *at;
	unsigned char *state;
	struct dep_fill df = { count, NULL, NULL, 0 };
	const struct expr *ex[2];

	/* What each node reads (forward), counted then placed. */
	for (k = 0; k < nodes; k++) {
		df.node = k;
		node_exprs(f, k, ex);
		dep_ref(f, ex[0], &df);
		dep_ref(f, ex[1], &df);
		fstart[k] = total;
		total += count[k];
	}
	fstart[nodes] = total;
	fwd = xcalloc(total + 1, sizeof *fwd);
	memset(count, 0, (nodes + 1) * sizeof *count);
	df.list = fwd;
	df.start = fstart;
	for (k = 0; k < nodes; k++) {
		df.node = k;
		node_exprs(f, k, ex);
		dep_ref(f, ex[0], &df);
		dep_ref(f, ex[1], &df);
	}
	/* Who reads each node: the same edges turned round. */
	f->reader_start = xcalloc(nodes + 1, sizeof *f->reader_start);
	f->readers = xcalloc(total + 1, sizeof *f->readers);
	for (i = 0; i < total; i++)
		f->reader_start[fwd[i] + 1]++;
	for (k = 0; k < nodes; k++)
		f->reader_start[k + 1] += f->reader_start[k];
	memset(count, 0, (nodes + 1) * sizeof *count);
	for (k = 0; k < nodes; k++)
		for (j = fstart[k]; j < fstart[k + 1]; j++)
			f->readers[f->reader_start[fwd[j]] + count[fwd[j]]++] = k;
	/* Calculations ranked depth first over what they read (and the group
	 * they sit in), the path kept here rather than on the C stack. */
	f->calc_rank = xcalloc(f->nquestions + 1, sizeof *f->calc_rank);
	stack = xcalloc(nodes + 1, sizeof *stack);
	at = xcalloc(nodes + 1, sizeof *at);
	state = xcalloc(nodes + 1, 1);
	for (k = 0; k < f->nquestions; k++) {
		size_t depth = 0;

		if (f->questions[k]->type != QT_CALCULATE || state[k] != 0)
			continue;
		stack[depth++] = k;
		state[k] = 1;
		at[k] = fstart[k];
		while (depth > 0) {
			size_t top = stack[depth - 1], n;

			if (at[top] <= fstart[top + 1]) {
				/* The node's reads, then its group. */
				n = at[top] < fstart[top + 1] ? fwd[at[top]] :
				    node_parent(f, top);
				at[top]++;
				if (n != SIZE_MAX && state[n] == 0) {
					state[n] = 1;
					at[n] = fstart[n];
					stack[depth++] = n;
				}
				continue;
			}
			state[top] = 2;
			if (top < f->nquestions &&
			    f->questions[top]->type == QT_CALCULATE)
				f->calc_rank[top] = next++;
			depth--;
		}
	}
	free(stack);
	free(at);
	free(state);
	free(fwd);
	free(fstart);
	free(count);
}

static void index_names(struct form *f);

/* not_assessed: {question: NAME, answers: [VALUE, ...]}: which answers to
 * a choice question mean the household was not assessed (a refusal). Read
 * once every question is known. */
static void
parse_not_assessed(struct loader *L, const struct ynode *n)
{
	struct form *f = L->f;
	const struct ynode *qn, *an;
	const struct question *q;
	const char *name, *hint;
	long at;
	size_t i, nanswers;

	if (n->kind != YNODE_MAP) {
		err(L, n, _("'not_assessed:' must be {question: NAME, answers: "
		    "[VALUE, ...]}, such as {question: consent, answers: [\"no\"]}"));
		return;
	}
	check_keys(L, n, not_assessed_keys, _("not_assessed"));
	if ((qn = ytree_get(n, "question")) == NULL ||
	    (an = ytree_get(n, "answers")) == NULL) {
		err(L, n, _("'not_assessed:' needs 'question:' (a choice question) "
		    "and 'answers:' (its values that mean the household was not "
		    "assessed)"));
		return;
	}
	if ((name = scalar(L, qn, _("the not_assessed question"))) == NULL)
		return;
	if ((at = form_find(f, name)) < 0) {
		hint = suggest_question(L, name);
		if (hint != NULL)
			err(L, qn, _("not_assessed names question '%s', which the form "
			    "does not have (did you mean '%s'?)"), name, hint);
		else
			err(L, qn, _("not_assessed names question '%s', which the form "
			    "does not have"), name);
		return;
	}
	q = f->questions[at];
	if ((q->type != QT_SELECT_ONE && q->type != QT_SELECT_MULTIPLE) ||
	    q->repeat != NULL || q->choices == NULL) {
		err(L, qn, _("not_assessed question '%s' must be a select_one or "
		    "select_multiple outside any repeat"), name);
		return;
	}
	if (an->kind != YNODE_SCALAR && (an->kind != YNODE_SEQ || an->n == 0)) {
		err(L, an, _("not_assessed 'answers:' must be a list of the "
		    "question's values, such as [\"no\"]"));
		return;
	}
	/* One answer may be written without a list. */
	nanswers = an->kind == YNODE_SCALAR ? 1 : an->n;
	f->not_assessed = xcalloc(nanswers, sizeof *f->not_assessed);
	for (i = 0; i < nanswers; i++) {
		const struct ynode *item = an->kind == YNODE_SCALAR ? an :
		    an->items[i];
		const char *value = scalar(L, item, _("a not_assessed answer"));

		if (value == NULL)
			continue;
		if (form_choice(q, value) == NULL) {
			err(L, item, _("'%s' is not a value of question '%s''s "
			    "choices"), value, name);
			continue;
		}
		f->not_assessed[f->nnot_assessed++] = xstrdup(value);
	}
	f->not_assessed_q = at;
}

static void
check_duplicates(struct loader *L)
{
	size_t i, first = 0;

	if (L->nnames < 2)
		return;
	qsort(L->names, L->nnames, sizeof *L->names, name_pos_cmp);
	/* Sorted by name, then as written: first is the first copy of
	 * names[i], kept as the scan goes (looking back from each copy
	 * compared n squared / 2 names: 4 s for 20,000 copies of one). */
	for (i = 1; i < L->nnames; i++)
		if (name_cmp(L->names[i].name, L->names[first].name) != 0)
			first = i;
		else
			diags_add(L->d, DIAG_ERROR, L->names[i].line, L->names[i].col,
			    _("duplicate name '%s' (first used at line %d); every question "
			    "and group needs its own name"), L->names[i].name,
			    L->names[first].line);
}

struct form *
form_parse(const char *text, size_t len, struct diags *d)
{
	struct loader L = { 0 };
	struct ynode *root, *v;
	int line, col;
	char *cause;
	struct form *f;
	size_t errors_before = d->errors;

	if (len > FORM_MAX_BYTES) {
		diags_add(d, DIAG_ERROR, 0, 0, _("the file is %zu bytes; a form may be "
		    "at most %d bytes"), len, FORM_MAX_BYTES);
		return NULL;
	}
	root = ytree_parse(text, len, &line, &col, &cause);
	if (root == NULL) {
		if (cause != NULL) {
			diags_add(d, DIAG_ERROR, line, col, "%s", cause);
			free(cause);
		} else
			diags_add(d, DIAG_ERROR, 1, 1, _("the file is empty; a form starts "
			    "with 'form: ID', 'version:', 'title:' and 'body:'"));
		return NULL;
	}
	if (root->kind != YNODE_MAP) {
		diags_add(d, DIAG_ERROR, root->line, root->col, _("a form must be a "
		    "mapping starting with 'form: ID', not %s"), ytree_kind_name(root));
		ytree_free(root);
		return NULL;
	}

	f = xcalloc(1, sizeof *f);
	f->not_assessed_q = -1;
	L.f = f;
	L.d = d;
	L.choices = ytree_get(root, "choices");
	check_keys(&L, root, top_keys, _("the form"));

	if ((v = ytree_get(root, "form")) == NULL)
		err(&L, root, _("the form has no 'form:' id (a word such as "
		    "needs_assessment)"));
	else if (scalar(&L, v, _("the form id")) != NULL) {
		if (!valid_name(v->str, true))
			err(&L, v, _("form id '%s' must start with a lower-case letter and "
			    "hold only a-z, 0-9 and _"), v->str);
		f->id = xstrdup(v->str);
	}
	if ((v = ytree_get(root, "version")) == NULL)
		err(&L, root, _("the form has no 'version:' (any text, such as "
		    "\"2020-02\"; change it whenever questions change)"));
	else if (scalar(&L, v, _("the version")) != NULL) {
		if (v->str[0] == '\0' || strpbrk(v->str, "\n\t") != NULL)
			err(&L, v, _("the version must be a non-empty text on one line"));
		f->version = xstrdup(v->str);
	}
	if ((v = ytree_get(root, "languages")) != NULL)
		parse_languages(&L, v);
	if ((v = ytree_get(root, "title")) == NULL)
		err(&L, root, _("the form has no 'title:'"));
	else
		parse_mtext(&L, v, _("the title"), &f->title);
	if (L.choices != NULL)
		parse_choices(&L, L.choices);
	if ((v = ytree_get(root, "needs")) != NULL)
		parse_needs(&L, v);
	parse_sealing(&L, root);
	if ((v = ytree_get(root, "body")) == NULL)
		err(&L, root, _("the form has no 'body:' with its questions"));
	else
		parse_body(&L, v, NULL, 0);
	check_languages_used(&L);
	check_duplicates(&L);
	if ((v = ytree_get(root, "entities")) != NULL)
		parse_entities(&L, v);
	else
		check_save_to_alone(&L);
	index_names(f);
	check_logic(&L);
	if ((v = ytree_get(root, "not_assessed")) != NULL)
		parse_not_assessed(&L, v);
	if ((v = ytree_get(root, "audit")) != NULL &&
	    scalar(&L, v, _("audit")) != NULL && !parse_bool(v->str, &f->audit))
		err(&L, v, _("audit must be true or false, not '%s'"), v->str);
	else if (v != NULL && f->audit && f->public_key != NULL)
		err(&L, v, "%s", _("audit: true cannot go with public_key: the audit "
		    "log holds the answers in plain text, and doorstep does not seal "
		    "it; leave audit out of a sealed form"));
	if ((v = ytree_get(root, "instance_name")) != NULL &&
	    scalar(&L, v, _("instance_name")) != NULL) {
		char *why = NULL;

		f->instance_name = xstrdup(v->str);
		if (form_instance_name_check(f, &why) != 0) {
			err(&L, v, "%s", why);
			free(why);
		}
	}

	free(L.names);
	free(L.pending);
	free(L.named);
	free(L.repeats);
	free(L.qnames);
	ytree_free(root);
	if (d->errors > errors_before) {
		form_free(f);
		return NULL;
	}
	build_deps(f);
	f->source = xstrndup(text, len);
	f->source_len = len;
	ids_sha256_hex(text, len, f->sha256);
	return f;
}

/* What a path that is not a plain file is, for the message. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return _("a folder");
	if (S_ISFIFO(mode))
		return _("a named pipe (FIFO)");
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return _("a device");
	if (S_ISSOCK(mode))
		return _("a socket");
	return _("a special file");
}

/* Which of the keys a list of forms shows a top-level line starts
 * (HEAD_FORM ...), HEAD_MARK for a document marker, else 0. */
enum { HEAD_FORM = 1, HEAD_VERSION = 2, HEAD_TITLE = 4, HEAD_LANGUAGES = 8,
    HEAD_MARK = 16 };

static unsigned
head_key(const char *p, size_t len)
{
	static const struct {
		const char *key;
		unsigned bit;
	} keys[] = { { "form:", HEAD_FORM }, { "version:", HEAD_VERSION },
	    { "title:", HEAD_TITLE }, { "languages:", HEAD_LANGUAGES },
	    { "---", HEAD_MARK } };
	size_t i;

	for (i = 0; i < ARRAY_LEN(keys); i++) {
		size_t n = strlen(keys[i].key);

		if (len >= n && memcmp(p, keys[i].key, n) == 0)
			return keys[i].bit;
	}
	return 0;
}

/* The head of a form as it is read, one line at a time: the top-level
 * blocks of the keys a list of forms shows. */
struct head_scan {
	struct buf kept;
	unsigned seen;		/* HEAD_ bits of the blocks met */
	bool keep;		/* the block being read is kept */
	bool started;		/* a line was taken (the BOM is behind) */
};

/* Takes one line; false once the head is complete (the form, version
 * and title blocks were read, and another top-level key begins). */
static bool
head_line(struct head_scan *h, const char *p, size_t len)
{
	if (!h->started && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	h->started = true;
	if (len > 0 && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
	    *p != '#') {
		unsigned bit = head_key(p, len);

		if (bit == 0 && (h->seen & (HEAD_FORM | HEAD_VERSION | HEAD_TITLE)) ==
		    (HEAD_FORM | HEAD_VERSION | HEAD_TITLE))
			return false;
		h->seen |= bit;
		h->keep = bit != 0;
	}
	if (h->keep)
		buf_add(&h->kept, p, len);
	return true;
}

/* The form's id, version, languages and title, from the head read: what
 * a list of forms shows. NULL when they cannot be read so. */
static struct form *
head_parse(const struct head_scan *h)
{
	struct loader L = { 0 };
	struct diags d;
	struct ynode *root, *v;
	struct form *f;
	int line, col;
	char *cause = NULL;

	root = h->kept.data ? ytree_parse(h->kept.data, h->kept.len, &line, &col,
	    &cause) : NULL;
	free(cause);
	if (root == NULL || root->kind != YNODE_MAP) {
		ytree_free(root);
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->not_assessed_q = -1;
	f->head_only = true;
	diags_init(&d, "form");
	L.f = f;
	L.d = &d;
	if ((v = ytree_get(root, "form")) != NULL && v->kind == YNODE_SCALAR)
		f->id = xstrdup(v->str);
	if ((v = ytree_get(root, "version")) != NULL && v->kind == YNODE_SCALAR)
		f->version = xstrdup(v->str);
	if ((v = ytree_get(root, "languages")) != NULL)
		parse_languages(&L, v);
	if ((v = ytree_get(root, "title")) != NULL)
		parse_mtext(&L, v, _("the title"), &f->title);
	ytree_free(root);
	if (d.errors > 0 || f->id == NULL || f->version == NULL || f->title.n == 0) {
		diags_free(&d);
		form_free(f);
		return NULL;
	}
	diags_free(&d);
	return f;
}

/* Reads the head of the form file fd, a chunk at a time, no further than
 * the end of the head (form, version and title read and another key
 * begun): a long body is not even read when it comes after them. NULL
 * when the head cannot be read so. */
static struct form *
head_read(int fd)
{
	struct head_scan h = { 0 };
	struct buf line = { 0 };
	char chunk[65536];
	struct form *f = NULL;
	bool more = true;
	ssize_t n;

	while (more && (n = read(fd, chunk, sizeof chunk)) > 0) {
		const char *p = chunk, *end = chunk + n;

		while (more && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *next = nl ? nl + 1 : end;

			if (nl == NULL) {	/* goes on in the next chunk */
				buf_add(&line, p, (size_t)(next - p));
				break;
			}
			if (line.len > 0) {
				buf_add(&line, p, (size_t)(next - p));
				more = head_line(&h, line.data, line.len);
				line.len = 0;
			} else
				more = head_line(&h, p, (size_t)(next - p));
			p = next;
		}
	}
	if (more && line.len > 0)
		head_line(&h, line.data, line.len);
	f = head_parse(&h);
	buf_free(&line);
	buf_free(&h.kept);
	return f;
}

static struct form *
form_read(const char *path, struct diags *d, bool head)
{
	struct buf b = { 0 };
	char chunk[65536];
	struct form *f;
	struct stat st;
	ssize_t n;
	int fd;

	/* Without O_NONBLOCK, opening a FIFO named *.yaml waits for a writer
	 * for ever (issue 11: it hung --check and --import). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		diags_add(d, DIAG_ERROR, 0, 0, _("cannot open: %s"), strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		diags_add(d, DIAG_ERROR, 0, 0, _("cannot read: %s"), strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		diags_add(d, DIAG_ERROR, 0, 0, _("this is %s, not a form file; a form "
		    "must be a plain file"), file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	if (st.st_size > FORM_MAX_BYTES) {
		diags_add(d, DIAG_ERROR, 0, 0, _("the file is %lld bytes; a form may "
		    "be at most %d bytes"), (long long)st.st_size, FORM_MAX_BYTES);
		close(fd);
		return NULL;
	}
	if (head) {
		if ((f = head_read(fd)) != NULL) {
			close(fd);
			return f;
		}
		if (lseek(fd, 0, SEEK_SET) != 0) {
			diags_add(d, DIAG_ERROR, 0, 0, _("cannot read: %s"), strerror(errno));
			close(fd);
			return NULL;
		}
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf_add(&b, chunk, (size_t)n);
		if (b.len > FORM_MAX_BYTES)
			break;
	}
	if (n < 0) {
		diags_add(d, DIAG_ERROR, 0, 0, _("cannot read: %s"), strerror(errno));
		close(fd);
		buf_free(&b);
		return NULL;
	}
	close(fd);
	f = form_parse(b.data ? b.data : "", b.len, d);
	buf_free(&b);
	return f;
}

struct form *
form_load(const char *path, struct diags *d)
{
	return form_read(path, d, false);
}

struct form *
form_load_head(const char *path, struct diags *d)
{
	return form_read(path, d, true);
}

void
form_free(struct form *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	free(f->id);
	free(f->version);
	free(f->public_key);
	free(f->instance_name);
	free(f->entity_dataset);
	mtext_free(&f->title);
	for (i = 0; i < f->nlanguages; i++)
		free(f->languages[i]);
	free(f->languages);
	for (i = 0; i < f->nlists; i++) {
		for (j = 0; j < f->lists[i]->n; j++) {
			free(f->lists[i]->v[j].value);
			mtext_free(&f->lists[i]->v[j].label);
		}
		free(f->lists[i]->v);
		free(f->lists[i]->by_value);
		free(f->lists[i]->name);
		free(f->lists[i]);
	}
	free(f->lists);
	for (i = 0; i < f->ngroups; i++) {
		free(f->groups[i]->name);
		mtext_free(&f->groups[i]->label);
		free(f->groups[i]->relevant_src);
		expr_free(f->groups[i]->relevant);
		free(f->groups[i]->count_src);
		expr_free(f->groups[i]->count);
		free(f->groups[i]);
	}
	free(f->groups);
	for (i = 0; i < f->nquestions; i++) {
		struct question *q = f->questions[i];

		free(q->name);
		mtext_free(&q->label);
		mtext_free(&q->hint);
		mtext_free(&q->required_message);
		mtext_free(&q->constraint_message);
		free(q->default_value);
		free(q->appearance);
		free(q->save_to);
		free(q->required_src);
		expr_free(q->required_if);
		free(q->relevant_src);
		expr_free(q->relevant);
		free(q->constraint_src);
		expr_free(q->constraint);
		free(q->calculation_src);
		expr_free(q->calculation);
		free(q);
	}
	free(f->questions);
	for (i = 0; i < f->nneeds; i++) {
		free(f->needs[i].id);
		mtext_free(&f->needs[i].label);
		free(f->needs[i].when_src);
		expr_free(f->needs[i].when);
	}
	free(f->needs);
	for (i = 0; i < f->nnot_assessed; i++)
		free(f->not_assessed[i]);
	free(f->not_assessed);
	free(f->calc_order);
	free(f->by_name);
	free(f->reader_start);
	free(f->readers);
	free(f->calc_rank);
	free(f->source);
	free(f);
}

const char *
form_text_in(const struct form *f, const struct mtext *m, const char *lang,
    const char **used)
{
	size_t i;
	const char *def = f->nlanguages > 0 ? f->languages[0] : NULL;

	*used = NULL;
	if (m->n == 0)
		return "";
	for (i = 0; lang != NULL && i < m->n; i++)
		if (m->v[i].lang != NULL && strcmp(m->v[i].lang, lang) == 0) {
			*used = m->v[i].lang;
			return m->v[i].text;
		}
	for (i = 0; i < m->n; i++)
		if (m->v[i].lang == NULL)
			return m->v[i].text;
	for (i = 0; def != NULL && i < m->n; i++)
		if (strcmp(m->v[i].lang, def) == 0) {
			*used = m->v[i].lang;
			return m->v[i].text;
		}
	*used = m->v[0].lang;
	return m->v[0].text;
}

const char *
form_text(const struct form *f, const struct mtext *m, const char *lang)
{
	const char *used;

	return form_text_in(f, m, lang, &used);
}

static int
index_cmp(const void *a, const void *b, void *ctx)
{
	const struct form *f = ctx;

	return name_cmp(f->questions[*(const size_t *)a]->name,
	    f->questions[*(const size_t *)b]->name);
}

/* Builds the index that form_find searches: forms of 10,000 questions
 * look names up often (every ${name}, every stored answer). */
static void
index_names(struct form *f)
{
	size_t i;

	free(f->by_name);
	f->by_name = xcalloc(f->nquestions + 1, sizeof *f->by_name);
	for (i = 0; i < f->nquestions; i++)
		f->by_name[i] = i;
	if (f->nquestions > 1)
		qsort_r(f->by_name, f->nquestions, sizeof *f->by_name, index_cmp, f);
}

long
form_find(const struct form *f, const char *name)
{
	size_t lo = 0, hi = f->nquestions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(f->questions[f->by_name[mid]]->name, name);

		if (c == 0)
			return (long)f->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

bool
form_not_assessed(const struct form *f, const char *value)
{
	size_t i, len;
	const char *p;

	for (i = 0; value != NULL && i < f->nnot_assessed; i++) {
		len = strlen(f->not_assessed[i]);
		for (p = value; (p = strstr(p, f->not_assessed[i])) != NULL; p += len)
			if ((p == value || p[-1] == ' ') &&
			    (p[len] == ' ' || p[len] == '\0'))
				return true;
	}
	return false;
}

const struct choice *
form_choice(const struct question *q, const char *value)
{
	const struct choice_list *list = q->choices;
	size_t lo = 0, hi;

	if (list == NULL)
		return NULL;
	hi = list->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct choice *c = &list->v[list->by_value[mid]];
		int cmp = strcmp(c->value, value);

		if (cmp == 0)
			return c;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static char *normalize_ymd(const char *s, const char **why);

static bool
leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads Y-M-D, Y/M/D, Y.M.D or Y年M月D日 with a four-digit year into a
 * canonical date. */
static char *
normalize_date(const char *s, const char **why)
{
	char *dashed, *out;
	size_t len = strlen(s);

	/* 年 and 月 are separators; 日 (or 号) ends the date. */
	if (strstr(s, "年") == NULL)
		return normalize_ymd(s, why);
	if (len >= 3 && (strcmp(s + len - 3, "日") == 0 ||
	    strcmp(s + len - 3, "号") == 0))
		len -= 3;
	dashed = xstrndup(s, len);
	{
		char *p = strstr(dashed, "年"), *m;

		memmove(p + 1, p + 3, strlen(p + 3) + 1);
		*p = '-';
		if ((m = strstr(p, "月")) != NULL) {
			memmove(m + 1, m + 3, strlen(m + 3) + 1);
			*m = '-';
		}
	}
	out = strstr(dashed, "年") == NULL && strstr(dashed, "月") == NULL &&
	    strchr(dashed, '.') == NULL && strchr(dashed, '/') == NULL ?
	    normalize_ymd(dashed, why) : NULL;
	if (out == NULL && *why == NULL)
		*why = N_("enter a date as YYYY-MM-DD, for example 2020-02-26");
	free(dashed);
	return out;
}

/* Reads Y-M-D, Y/M/D or Y.M.D (one separator throughout). */
static char *
normalize_ymd(const char *s, const char **why)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long part[3];
	int i;
	char sep = 0;

	for (i = 0; i < 3; i++) {
		char *end;

		if (!isdigit((unsigned char)*s))
			goto bad;
		errno = 0;
		part[i] = strtol(s, &end, 10);
		if (errno != 0 || end - s > (i == 0 ? 4 : 2) || (i == 0 && end - s != 4))
			goto bad;
		s = end;
		if (i < 2) {
			if (*s != '-' && *s != '/' && *s != '.')
				goto bad;
			if (sep != 0 && *s != sep)
				goto bad;
			sep = *s++;
		}
	}
	if (*s != '\0')
		goto bad;
	if (part[1] < 1 || part[1] > 12 || part[2] < 1 ||
	    part[2] > mdays[part[1] - 1] + (part[1] == 2 && leap(part[0]))) {
		*why = N_("there is no such day");
		return NULL;
	}
	if (part[0] < 1900 || part[0] > 2200) {
		*why = N_("the year must be between 1900 and 2200");
		return NULL;
	}
	return xasprintf("%04ld-%02ld-%02ld", part[0], part[1], part[2]);
bad:
	*why = N_("enter a date as YYYY-MM-DD, for example 2020-02-26");
	return NULL;
}

static char *
normalize_integer(const char *s, const char **why)
{
	const char *p = s;
	bool neg = false;
	size_t digits;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	while (*p == '0' && isdigit((unsigned char)p[1]))
		p++;
	digits = strspn(p, "0123456789");
	if (digits == 0 || p[digits] != '\0') {
		*why = N_("enter a whole number, digits only");
		return NULL;
	}
	if (digits > 15) {
		*why = N_("the number is too large");
		return NULL;
	}
	return xasprintf("%s%s", neg && strcmp(p, "0") != 0 ? "-" : "", p);
}

static char *
normalize_decimal(const char *s, const char **why)
{
	const char *p = s;
	size_t before, after = 0;

	if (*p == '-' || *p == '+')
		p++;
	before = strspn(p, "0123456789");
	p += before;
	if (*p == '.') {
		p++;
		after = strspn(p, "0123456789");
		p += after;
	}
	if (before + after == 0 || *p != '\0') {
		*why = N_("enter a number, such as 12 or 3.5");
		return NULL;
	}
	if (before > 15 || after > 15) {
		*why = N_("the number has too many digits");
		return NULL;
	}
	return xstrdup(s[0] == '+' ? s + 1 : s);
}

/* Whether s (UTF-8) holds more than max characters; stops counting there. */
static bool
more_chars_than(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80 && ++n > max)
			return true;
	return false;
}

/* Whether a space-separated list of choices holds value. */
static bool
has_choice(const char *list, const char *value)
{
	size_t n = strlen(value);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, value, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	}
	return false;
}

static char *
normalize_choices(const struct question *q, const char *s, const char **why)
{
	struct buf b = { 0 };
	char *copy = xstrdup(s), *tok, *save = NULL;
	size_t count = 0;

	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if (form_choice(q, tok) == NULL) {
			*why = N_("that is not one of the choices");
			goto bad;
		}
		if (q->type == QT_SELECT_ONE && count > 0) {
			*why = N_("choose only one");
			goto bad;
		}
		if (has_choice(b.data, tok)) {
			*why = N_("that choice is given twice");
			goto bad;
		}
		if (count++ > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, tok);
	}
	if (count == 0) {
		*why = N_("choose one of the choices");
		goto bad;
	}
	free(copy);
	return buf_steal(&b);
bad:
	free(copy);
	buf_free(&b);
	return NULL;
}

/* A phone question's number (phone_normalize); with appearance
 * cn_mobile, a mainland mobile number only. */
static char *
normalize_phone(const char *s, bool mobile, const char **why)
{
	char *out = phone_normalize(s, why);

	if (mobile && !phone_is_mobile(out)) {
		free(out);
		out = NULL;
		*why = N_("a mainland mobile number has 11 digits and starts with 13 "
		    "to 19");
	}
	return out;
}

/* An 18-character resident ID: 17 digits and a check character (0-9 or
 * X) by ISO 7064 MOD 11-2, with a real date of birth in it. */
static char *
normalize_cn_id(const char *s, const char **why)
{
	static const int weight[17] = {
		7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
	};
	static const char check[] = "10X98765432";
	char id[19], birth[11];
	const char *date_why;
	char *date;
	int i, sum = 0;

	if (strlen(s) != 18) {
		*why = N_("a resident ID has 18 characters");
		return NULL;
	}
	for (i = 0; i < 18; i++) {
		id[i] = (char)toupper((unsigned char)s[i]);
		if (!isdigit((unsigned char)id[i]) && !(i == 17 && id[i] == 'X')) {
			*why = N_("a resident ID is 17 digits and a last digit or X");
			return NULL;
		}
	}
	id[18] = '\0';
	for (i = 0; i < 17; i++)
		sum += (id[i] - '0') * weight[i];
	if (check[sum % 11] != id[17]) {
		*why = N_("this resident ID's check digit does not match: please "
		    "check each digit");
		return NULL;
	}
	snprintf(birth, sizeof birth, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
	if ((date = normalize_date(birth, &date_why)) == NULL) {
		*why = N_("the date of birth inside this resident ID is not a real date");
		return NULL;
	}
	free(date);
	return xstrdup(id);
}

char *
form_value_normalize(const struct question *q, const char *value,
    const char **why)
{
	const char *start = value, *end;
	char *trimmed, *folded = NULL, *out = NULL;

	*why = NULL;
	/* What the line editor would take: no control characters, and at
	 * most LINEEDIT_MAX characters. */
	if (!text_is_clean(value, false)) {
		*why = N_("an answer cannot hold control characters or escape "
		    "sequences");
		return NULL;
	}
	_Static_assert(LINEEDIT_MAX == 4096, "the message below says 4096");
	if (more_chars_than(value, LINEEDIT_MAX)) {
		*why = N_("an answer holds at most 4096 characters");
		return NULL;
	}
	/* Numbers and dates as an input method types them: full-width. */
	if (q->type == QT_INTEGER || q->type == QT_DECIMAL || q->type == QT_DATE)
		start = folded = text_fold_ascii(value);
	while (*start == ' ')
		start++;
	end = start + strlen(start);
	while (end > start && end[-1] == ' ')
		end--;
	trimmed = xstrndup(start, (size_t)(end - start));
	free(folded);
	switch (q->type) {
	case QT_TEXT:
		if (q->appearance != NULL && strcmp(q->appearance, "cn_mobile") == 0)
			out = normalize_phone(trimmed, true, why);
		else if (q->from_household == HF_PHONE)
			out = normalize_phone(trimmed, false, why);
		else if (q->appearance != NULL && strcmp(q->appearance, "cn_id") == 0)
			out = normalize_cn_id(trimmed, why);
		else
			out = xstrdup(trimmed);
		break;
	case QT_CALCULATE:
		out = xstrdup(trimmed);
		break;
	case QT_INTEGER:
		out = normalize_integer(trimmed, why);
		break;
	case QT_DECIMAL:
		out = normalize_decimal(trimmed, why);
		break;
	case QT_DATE:
		out = normalize_date(trimmed, why);
		break;
	case QT_SELECT_ONE:
	case QT_SELECT_MULTIPLE:
		out = normalize_choices(q, trimmed, why);
		break;
	case QT_NOTE:
		*why = N_("a note takes no answer");
		break;
	}
	free(trimmed);
	return out;
}

/* The record's own fields a name template may use, beside questions. */
static const char *const meta_names[] = {
	"household", "round", "site", "interviewer",
};

/* Calls piece for each part of an instance_name template: literal text
 * (name NULL) and ${name} references. Returns -1 with *cause set when a
 * reference is not closed or names neither a question outside repeats
 * nor a record field. */
static int
template_walk(const struct form *f, const char *t,
    void (*piece)(void *ctx, const char *text, size_t len, const char *name,
    long q), void *ctx, char **cause)
{
	while (*t != '\0') {
		const char *ref = strstr(t, "${"), *end;
		char *name;
		long q = -1;
		size_t k;

		if (ref == NULL) {
			piece(ctx, t, strlen(t), NULL, -1);
			break;
		}
		if (ref > t)
			piece(ctx, t, (size_t)(ref - t), NULL, -1);
		if ((end = strchr(ref, '}')) == NULL) {
			set_cause(cause, _("instance_name: '${' without its '}'"));
			return -1;
		}
		name = xstrndup(ref + 2, (size_t)(end - ref - 2));
		for (k = 0; k < ARRAY_LEN(meta_names); k++)
			if (strcmp(name, meta_names[k]) == 0)
				break;
		if (k == ARRAY_LEN(meta_names) && ((q = form_find(f, name)) < 0 ||
		    f->questions[q]->repeat != NULL)) {
			set_cause(cause, _("instance_name: ${%s} is neither a question "
			    "outside repeats nor household, round, site or interviewer"),
			    name);
			free(name);
			return -1;
		}
		piece(ctx, NULL, 0, name, q);
		free(name);
		t = end + 1;
	}
	return 0;
}

static void
ignore_piece(void *ctx, const char *text, size_t len, const char *name, long q)
{
	(void)ctx;
	(void)text;
	(void)len;
	(void)name;
	(void)q;
}

int
form_instance_name_check(const struct form *f, char **cause)
{
	return template_walk(f, f->instance_name, ignore_piece, NULL, cause);
}

struct name_fill {
	struct buf b;
	const char *(*value)(void *ctx, const char *name, long q);
	void *ctx;
	bool xpath;
	const struct form *f;
	int parts;
};

static void
fill_piece(void *ctx, const char *text, size_t len, const char *name, long q)
{
	struct name_fill *nf = ctx;

	if (!nf->xpath) {
		const char *v = name ? nf->value(nf->ctx, name, q) : NULL;

		if (name == NULL)
			buf_add(&nf->b, text, len);
		else if (v != NULL)
			buf_adds(&nf->b, v);
		return;
	}
	buf_adds(&nf->b, nf->parts++ ? ", " : "concat(");
	if (name == NULL) {
		/* An XPath literal: quoted with whichever quote it lacks. */
		char quote = memchr(text, '\'', len) ? '"' : '\'';
		size_t i;

		buf_addc(&nf->b, quote);
		for (i = 0; i < len; i++)
			if (text[i] != quote)
				buf_addc(&nf->b, text[i]);
		buf_addc(&nf->b, quote);
	} else if (q < 0)
		buf_printf(&nf->b, "/%s/meta/%s", nf->f->id, name);
	else
		buf_adds(&nf->b, nf->value(nf->ctx, name, q));
}

char *
form_instance_name(const struct form *f,
    const char *(*value)(void *ctx, const char *name, long q), void *ctx,
    bool xpath)
{
	static const char fallback[] = "${household} ${round}";
	struct name_fill nf = { { 0 }, value, ctx, xpath, f, 0 };

	if (template_walk(f, f->instance_name ? f->instance_name : fallback,
	    fill_piece, &nf, NULL) != 0) {
		buf_free(&nf.b);
		return NULL;
	}
	if (xpath)
		buf_adds(&nf.b, nf.parts ? ")" : "''");
	return nf.b.data ? buf_steal(&nf.b) : xstrdup("");
}

/* The path of a group, or of a question in its groups. */
static void
shape_path(struct buf *b, const struct group *g, const char *name)
{
	const struct group *chain[64];
	size_t n = 0;

	for (; g != NULL && n < ARRAY_LEN(chain); g = g->parent)
		chain[n++] = g;
	while (n > 0)
		buf_printf(b, "/%s", chain[--n]->name);
	if (name != NULL)
		buf_printf(b, "/%s", name);
}

char *
form_shape(const struct form *f)
{
	struct buf b = { 0 };
	size_t i, j;

	for (i = 0; i < f->ngroups; i++) {
		shape_path(&b, f->groups[i], NULL);
		buf_printf(&b, " %s\n", f->groups[i]->repeat ? "repeat" : "group");
	}
	for (i = 0; i < f->nquestions; i++) {
		const struct question *q = f->questions[i];

		shape_path(&b, q->group, q->name);
		buf_printf(&b, " %s", question_type_name(q->type));
		for (j = 0; q->choices != NULL && j < q->choices->n; j++)
			buf_printf(&b, "%s%s", j ? "," : " ", q->choices->v[j].value);
		buf_addc(&b, '\n');
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* The line of shape that starts with path (up to the space), or NULL. */
static const char *
shape_line(const char *shape, const char *path, size_t len)
{
	const char *p = shape;

	while (*p != '\0') {
		if (strncmp(p, path, len) == 0 && p[len] == ' ')
			return p;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return NULL;
}

char *
form_shape_change(const char *was, const char *now)
{
	const char *p;
	int pass;

	/* What changed or came, then what went. */
	for (pass = 0; pass < 2; pass++) {
		const char *a = pass == 0 ? now : was, *b = pass == 0 ? was : now;

		for (p = a; *p != '\0';) {
			const char *eol = strchr(p, '\n'), *sp = strchr(p, ' '), *other;
			size_t len = eol ? (size_t)(eol - p) : strlen(p);

			if (sp == NULL || (eol != NULL && sp > eol))
				break;
			other = shape_line(b, p, (size_t)(sp - p));
			if (other == NULL)
				return xasprintf(pass == 0 ? _("'%.*s' is new") :
				    _("'%.*s' is gone"), (int)(sp - p), p);
			if (strncmp(other, p, len) != 0 || (other[len] != '\n' &&
			    other[len] != '\0'))
				return xasprintf(_("'%.*s' changed (its type or its "
				    "choices' values)"), (int)(sp - p), p);
			p += len + (eol != NULL);
		}
	}
	if (strcmp(was, now) != 0)
		return xstrdup(_("the order of the questions changed"));
	return NULL;
}
