/* The form model (schema v1) and its loader and checker. */
#ifndef DOORSTEP_FORM_H
#define DOORSTEP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "expr.h"

#define FORM_MAX_BYTES (8 * 1024 * 1024)
#define FORM_MAX_LANGUAGES 32

/* A text in several languages; an entry with a NULL lang serves all. */
struct mtext {
	struct mtext_entry {
		char *lang;
		char *text;
	} *v;
	size_t n;
};

enum question_type {
	QT_TEXT,
	QT_INTEGER,
	QT_DECIMAL,
	QT_DATE,
	QT_SELECT_ONE,
	QT_SELECT_MULTIPLE,
	QT_NOTE,
	QT_CALCULATE,	/* not shown; its value is computed */
};

/* The household register's fields a question may be filled from
 * (from_household:). */
enum household_field {
	HF_NONE,
	HF_HEAD,	/* head: the head of the household's name */
	HF_PHONE,	/* phone: read and kept as phone_normalize does */
	HF_ADDRESS,	/* address: community or address */
	HF_SITE,	/* site */
	HF_CODE,	/* code: the household's code */
};

#define FORM_MAX_ENTRIES 100	/* entries one repeat may have */

struct choice {
	char *value;
	struct mtext label;
};

struct choice_list {
	char *name;		/* NULL for an inline list */
	struct choice *v;
	size_t n;
	size_t *by_value;	/* indices into v, sorted by value */
};

/* A group of questions, or a repeat: questions [first, end) of the form
 * belong to it. */
struct group {
	char *name;
	struct mtext label;
	const struct group *parent;
	size_t index;		/* in form->groups */
	bool repeat;
	char *relevant_src;
	struct expr *relevant;
	char *count_src;	/* repeat: how many entries, or NULL to ask */
	struct expr *count;
	size_t first;
	size_t end;
	int line;
	int col;
};

struct question {
	char *name;
	enum question_type type;
	struct mtext label;
	struct mtext hint;
	bool required;
	char *required_src;	/* required as an expression */
	struct expr *required_if;
	struct mtext required_message;
	char *relevant_src;
	struct expr *relevant;
	char *constraint_src;
	struct expr *constraint;
	char *calculation_src;
	struct expr *calculation;
	struct mtext constraint_message;
	const struct choice_list *choices;	/* owned by the form */
	char *default_value;
	bool default_today;	/* default: today, for a date */
	char *appearance;
	bool prefill;
	enum household_field from_household;	/* HF_NONE, or the field */
	bool identifying;	/* names the family: left out when shared */
	char *save_to;		/* the entity property it fills, or NULL */
	const struct group *group;		/* innermost group, or NULL */
	const struct group *repeat;		/* the repeat it is in, or NULL */
	int line;
	int col;
};

struct need {
	char *id;
	struct mtext label;
	char *when_src;
	struct expr *when;
};

/* A loaded form. Owns everything it points to. */
struct form {
	char *id;
	char *version;
	struct mtext title;
	char **languages;
	size_t nlanguages;
	struct choice_list **lists;	/* named and inline, all owned here */
	size_t nlists;
	struct group **groups;
	size_t ngroups;
	struct question **questions;	/* in the order they are asked */
	size_t nquestions;
	struct need *needs;
	size_t nneeds;
	/* not_assessed: the answers to one choice question that mean the
	 * household was not assessed (a refusal); the report counts such
	 * interviews apart. Question -1 when the form has none. */
	long not_assessed_q;
	char **not_assessed;		/* choice values */
	size_t nnot_assessed;
	size_t *calc_order;		/* calculate questions, dependencies first */
	size_t ncalc;
	size_t *by_name;		/* question indices sorted by name */
	/* Who reads what, built once at load. Node k is question k, or for
	 * k >= nquestions the group k - nquestions. The nodes whose
	 * relevance, calculation or count name node k are
	 * readers[reader_start[k] .. reader_start[k + 1]) (count(${repeat})
	 * names the repeat's node). */
	size_t *reader_start;
	size_t *readers;
	/* calc_rank[q], for a calculation q: its place in an order where each
	 * calculation that its calculation, its relevance or its groups'
	 * relevance and count read comes before it (but around a cycle
	 * through relevance, which --check allows). */
	size_t *calc_rank;
	/* public_key: the organisation's RSA public key (base64 DER); when
	 * set, finalized records are sealed (core/seal.h). */
	char *public_key;
	bool sealed_keeps_needs;	/* sealed_keeps: [needs] */
	bool sealed_keeps_prefill;	/* sealed_keeps: [prefill] */
	char *source;			/* the YAML text, as read */
	size_t source_len;
	char sha256[65];		/* of the YAML text, hex */
	bool audit;			/* record ODK audit events (audit.csv) */
	char *instance_name;		/* template: "${household} ${round}" */
	/* entities: the ODK Entity List its records create and update the
	 * household in (core/entity.h), or NULL. */
	char *entity_dataset;
	bool entity_create;
	bool entity_update;
	bool head_only;			/* only id, version, languages and
					 * title were read (form_load_head) */
};

/* The form's questions as a server stores them, one line each: groups
 * and repeats, and each question's path, type and choices' values (not
 * labels, hints or logic). Two forms that differ here need two versions.
 * Returns a new string. */
char *form_shape(const struct form *f);

/* What changed between two shapes, in words (a new string), or NULL when
 * they are the same. */
char *form_shape_change(const char *was, const char *now);

/* Whether the form's instance_name template names only questions outside
 * repeats and the record's household, round, site and interviewer. */
int form_instance_name_check(const struct form *f, char **cause);

/* The instance name of a record (the template, else "${household}
 * ${round}"), each ${name} given by value (q: the question's index, or -1
 * for a record field); with xpath, the XPath that computes it instead,
 * value giving a question's path. Returns a new string, or NULL when the
 * template is broken. */
char *form_instance_name(const struct form *f,
    const char *(*value)(void *ctx, const char *name, long q), void *ctx,
    bool xpath);

/* Reads and checks a form from YAML text. Every problem goes to d;
 * returns NULL when there was any error. name is used in messages. */
struct form *form_parse(const char *text, size_t len, struct diags *d);

/* Reads a form file; problems (a missing file among them) go to d. */
struct form *form_load(const char *path, struct diags *d);

/* Reads only what a list of forms shows: the form's id, version,
 * languages and title (head_only set; no questions), from the top-level
 * keys that hold them, however long the body; a file read otherwise
 * (those keys written in another way) is read whole, and problems go to
 * d as form_load says them. */
struct form *form_load_head(const char *path, struct diags *d);

void form_free(struct form *form);

/* The text in lang, else in the form's first language, else any; never
 * NULL (an empty string when the text is missing). */
const char *form_text(const struct form *form, const struct mtext *m,
    const char *lang);

/* Like form_text; *used is the language of the text given back, NULL for
 * a text written for every language. A caller can so show that a text
 * is in another language than the one asked for. */
const char *form_text_in(const struct form *form, const struct mtext *m,
    const char *lang, const char **used);

/* The question's position in form->questions, or -1. */
long form_find(const struct form *form, const char *name);

/* For tests: how many times the loader and form_find have compared two
 * names (to sort them, find the ones written twice, or look one up)
 * since the last call. It grows as n log n with a form's names; a scan
 * of every pair, as n squared. */
unsigned long form_name_compares(void);

/* Whether the answer value to the not_assessed question (a choice, or
 * space-separated choices) is one that means "not assessed". */
bool form_not_assessed(const struct form *form, const char *value);

/* The choice with value, or NULL. */
const struct choice *form_choice(const struct question *q, const char *value);

const char *question_type_name(enum question_type type);

/* The name of a household field as a form writes it (head, phone, ...). */
const char *form_household_field_name(enum household_field field);

/* Whether the question has a value to store and export (notes do not). */
bool question_has_value(const struct question *q);

/* Whether the question is shown to the interviewer (calculations are not). */
bool question_is_shown(const struct question *q);

/* The repeat called name, or NULL. */
const struct group *form_repeat(const struct form *form, const char *name);

/* The canonical form of a typed answer: surrounding spaces trimmed, a
 * whole number without leading zeros, a date as YYYY-MM-DD (2020/2/26,
 * 2020.2.26 and 2020年2月26日 are read as 2020-02-26), full-width digits
 * in numbers, dates and phones as ASCII, a phone question's number as
 * phone_normalize keeps it. Returns a new string, or NULL when value is not
 * valid for the type: not a whole number, a decimal, a real date, a
 * known choice or space-separated known choices each given once, or not
 * what the line editor takes (control characters, more than LINEEDIT_MAX
 * characters); *why says which. */
char *form_value_normalize(const struct question *q, const char *value,
    const char **why);

#endif
