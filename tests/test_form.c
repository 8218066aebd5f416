/* The form loader and checker: the bundled form loads, and every kind of
 * broken form gets a located message a supervisor can act on. */
#include "helpers.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include "../core/form.h"
#include "../core/formdir.h"
#include "../core/util.h"

static struct form *
parse(const char *yaml, struct diags *d)
{
	diags_init(d, "t.yaml");
	return form_parse(yaml, strlen(yaml), d);
}

#define HEAD "form: f\nversion: \"1\"\ntitle: T\n"

static void
bundled_form_loads(void **state)
{
	struct diags d;
	struct form *f;
	const struct question *q;
	long i;

	(void)state;
	diags_init(&d, "forms/needs_assessment.yaml");
	f = form_load("forms/needs_assessment.yaml", &d);
	if (f == NULL)
		test_print_diags(&d);
	assert_non_null(f);
	assert_int_equal(d.n, 0);
	assert_string_equal(f->id, "needs_assessment");
	assert_int_equal(f->nlanguages, 2);
	assert_string_equal(f->languages[0], "zh");
	assert_in_range(f->nquestions, 35, 60);
	i = form_find(f, "size");
	assert_true(i >= 0);
	q = f->questions[i];
	assert_int_equal(q->type, QT_INTEGER);
	assert_true(q->required);
	assert_string_equal(form_text(f, &q->label, "en"),
	    "People in the household (with the respondent)");
	assert_string_equal(form_text(f, &q->group->label, "zh"), "家庭基本情况");
	/* Every type of schema v1 that this version runs is used. */
	{
		int used[QT_CALCULATE + 1] = { 0 };
		size_t k;

		for (k = 0; k < f->nquestions; k++)
			used[f->questions[k]->type] = 1;
		for (k = 0; k <= QT_CALCULATE; k++)
			assert_true(used[k]);
		/* Skip logic, constraints, a members repeat, eight need areas. */
		assert_non_null(form_repeat(f, "members"));
		assert_int_equal(f->nneeds, 8);
		for (k = 0; k < f->nneeds; k++)
			assert_non_null(f->needs[k].when);
	}
	/* Eight need-area groups, among others. */
	assert_true(f->ngroups >= 8);
	form_free(f);
	diags_free(&d);
}

static void
named_and_inline_lists(void **state)
{
	struct diags d;
	struct form *f = parse(HEAD "languages: [zh, en]\nchoices:\n  yn:\n"
	    "    - {value: y, label: {zh: 是, en: \"Yes\"}}\n"
	    "    - {value: n, label: {zh: 否, en: \"No\"}}\n"
	    "body:\n"
	    "  - {name: a, type: select_one, choices: yn, label: {zh: 甲, en: A}}\n"
	    "  - name: b\n    type: select_multiple\n    label: B\n    choices:\n"
	    "      - {value: x, label: X}\n      - {value: z, label: Z}\n", &d);

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->questions[0]->choices->n, 2);
	assert_string_equal(form_text(f, &f->questions[0]->choices->v[0].label,
	    "en"), "Yes");
	assert_string_equal(form_text(f, &f->questions[0]->label, "fr"), "甲");
	assert_string_equal(form_text(f, &f->questions[1]->label, "zh"), "B");
	assert_string_equal(f->questions[1]->choices->v[1].value, "z");
	assert_int_equal(strlen(f->sha256), 64);
	form_free(f);
	diags_free(&d);
}


/* Names ODK Central or XML cannot take are refused where they are written:
 * Central refused the form with a question named meta. */
static void
names_central_cannot_take(void **state)
{
	static const char *const bad[] = {
		"meta", "instanceID", "__secret", "xml_note", "XMLdata", "Xmlx",
	};
	struct diags d;
	struct form *f;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		char *yaml = xasprintf(HEAD "body:\n  - {name: %s, type: text, "
		    "label: A}\n", bad[i]);

		assert_null(parse(yaml, &d));
		assert_diag(&d, 5, 12, "cannot be used");
		diags_free(&d);
		free(yaml);
	}
	assert_null(parse(HEAD "body:\n  - group: meta\n    label: G\n    body:\n"
	    "      - {name: a, type: text, label: A}\n", &d));
	assert_diag(&d, 5, 12, "name 'meta' cannot be used: it is ODK's own");
	diags_free(&d);
	/* Close to them is fine. */
	f = parse(HEAD "body:\n  - {name: metadata, type: text, label: A}\n"
	    "  - {name: _x, type: text, label: B}\n"
	    "  - {name: my_xml, type: text, label: C}\n", &d);
	assert_non_null(f);
	form_free(f);
	diags_free(&d);
}

/* A form's shape is what a server stores per version: labels may change,
 * names, types, choices' values and structure may not. */
static void
shape_tells_what_changed(void **state)
{
	static const char base[] = HEAD "body:\n"
	    "  - group: hh\n    label: H\n    body:\n"
	    "      - {name: size, type: integer, label: Size}\n"
	    "  - {name: debts, type: select_one, label: D, choices: "
	    "[{value: a, label: A}, {value: b, label: B}]}\n";
	static const struct { const char *from, *to, *change; } cases[] = {
		{ "label: Size", "label: How many", NULL },
		{ "label: A}", "label: AA}", NULL },
		{ "type: integer", "type: decimal", "'/hh/size' changed" },
		{ "value: b", "value: c", "'/debts' changed" },
		{ "group: hh", "group: home", "'/home' is new" },
		{ "      - {name: size", "      - {name: n, type: text, label: N}\n"
		  "      - {name: size", "'/hh/n' is new" },
	};
	struct diags d;
	struct form *f;
	char *was, *now, *change;
	size_t i;

	(void)state;
	f = parse(base, &d);
	assert_non_null(f);
	was = form_shape(f);
	form_free(f);
	diags_free(&d);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b = { 0 };
		const char *at = strstr(base, cases[i].from);

		assert_non_null(at);
		buf_add(&b, base, (size_t)(at - base));
		buf_adds(&b, cases[i].to);
		buf_adds(&b, at + strlen(cases[i].from));
		f = parse(b.data, &d);
		if (f == NULL)
			fail_msg("case %zu does not parse", i);
		now = form_shape(f);
		change = form_shape_change(was, now);
		if (cases[i].change == NULL)
			assert_null(change);
		else if (change == NULL || strstr(change, cases[i].change) == NULL)
			fail_msg("case %zu: %s, not %s", i, change ? change : "no change",
			    cases[i].change);
		free(change);
		free(now);
		form_free(f);
		diags_free(&d);
		buf_free(&b);
	}
	free(was);
}

static void
not_yaml(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body: [\n  - {name: a\n", &d));
	assert_int_equal(d.errors, 1);
	assert_true(d.v[0].line >= 4);
	diags_free(&d);
}

static void
empty_file(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse("", &d));
	assert_diag(&d, 1, 1, "the file is empty");
	diags_free(&d);
	assert_null(parse("# only a comment\n", &d));
	assert_diag(&d, 1, 1, "the file is empty");
	diags_free(&d);
}

static void
top_is_not_a_mapping(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse("- a\n- b\n", &d));
	assert_diag(&d, 1, 1, "must be a mapping");
	diags_free(&d);
}

static void
unknown_type_suggests(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n  - {name: a, type: interger, label: A}\n",
	    &d));
	assert_diag(&d, 5, 21, "unknown type 'interger' (did you mean 'integer'?)");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: photo, label: A}\n", &d));
	assert_diag(&d, 5, 21, "the types are text, integer");
	diags_free(&d);
}

static void
missing_list(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "choices:\n  yes_no: [{value: y, label: Y}]\n"
	    "body:\n  - {name: a, type: select_one, choices: yesno, label: A}\n",
	    &d));
	assert_diag(&d, 7, 42, "choice list 'yesno' is not defined under "
	    "'choices:' (did you mean 'yes_no'?)");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: select_one, label: A}\n",
	    &d));
	assert_diag(&d, 5, 5, "has no 'choices:'");
	diags_free(&d);
}

static void
duplicate_names(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n  - {name: age, type: integer, label: A}\n"
	    "  - group: g\n    label: G\n    body:\n"
	    "      - {name: age, type: text, label: B}\n", &d));
	assert_diag(&d, 9, 16, "duplicate name 'age' (first used at line 5)");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
}

static void
unknown_key_suggests(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n  - name: a\n    type: text\n    lable: A\n",
	    &d));
	assert_diag(&d, 7, 5, "unknown key 'lable' in a question (did you mean "
	    "'label'?)");
	assert_diag(&d, 5, 5, "has no 'label:'");
	diags_free(&d);
	assert_null(parse(HEAD "colour: red\nbody:\n  - {name: a, type: text, "
	    "label: A}\n", &d));
	assert_diag(&d, 4, 1, "unknown key 'colour' in the form");
	diags_free(&d);
}

static void
every_problem_is_reported(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse("form: Bad-Id\ntitle: T\nbody:\n"
	    "  - {name: 1a, type: text, label: A}\n"
	    "  - {name: b, type: txet, label: B}\n"
	    "  - {name: c, type: text}\n", &d));
	assert_diag(&d, 1, 7, "form id 'Bad-Id'");
	assert_diag(&d, 1, 1, "no 'version:'");
	assert_diag(&d, 4, 12, "name '1a' must start with a letter");
	assert_diag(&d, 5, 21, "did you mean 'text'?");
	assert_diag(&d, 6, 5, "question 'c' has no 'label:'");
	assert_int_equal(d.errors, 5);
	diags_free(&d);
}

static void
tab_indent_hint(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n\t- {name: a, type: text, label: A}\n", &d));
	assert_diag(&d, 5, 0, "a tab is used here; YAML indents with spaces only");
	diags_free(&d);
}

static void
flow_colon_hint(void **state)
{
	struct diags d;

	(void)state;
	/* An unquoted ': ' inside { }. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: Note: "
	    "read aloud}\n", &d));
	assert_int_equal(d.errors, 1);
	assert_diag(&d, 5, 0, "must be quoted");
	diags_free(&d);
	/* An unquoted ',' inside { } splits the text. */
	assert_null(parse(HEAD "languages: [en]\nbody:\n  - {name: a, type: text, "
	    "label: {en: Town, county}}\n", &d));
	assert_diag(&d, 6, 0, "'county' is read as a language because the ','");
	diags_free(&d);
	/* A '?' starting a plain text inside { }. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: ? Why}\n",
	    &d));
	assert_true(d.errors >= 1);
	diags_free(&d);
}

static void
aliases_refused(void **state)
{
	struct diags d;
	const char *laughs =
	    "a: &a [x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";

	(void)state;
	assert_null(parse(laughs, &d));
	assert_diag(&d, 2, 8, "aliases (*a) are not allowed");
	diags_free(&d);
}

static void
deep_nesting_refused(void **state)
{
	struct diags d;
	char *yaml = malloc(20000);
	size_t i, n = 0;

	(void)state;
	n += (size_t)sprintf(yaml, "form: f\nx: ");
	for (i = 0; i < 5000; i++)
		yaml[n++] = '[';
	for (i = 0; i < 5000; i++)
		yaml[n++] = ']';
	yaml[n++] = '\n';
	yaml[n] = '\0';
	assert_null(parse(yaml, &d));
	assert_diag(&d, 2, 0, "nested more than 32 levels deep");
	diags_free(&d);
	free(yaml);
}

static void
huge_label_refused(void **state)
{
	struct diags d;
	size_t big = 2 * 1024 * 1024, n;
	char *yaml = malloc(big + 200);

	(void)state;
	n = (size_t)sprintf(yaml, HEAD "body:\n  - name: a\n    type: text\n"
	    "    label: ");
	memset(yaml + n, 'x', big);
	strcpy(yaml + n + big, "\n");
	assert_null(parse(yaml, &d));
	assert_diag(&d, 7, 12, "this text is 2097152 bytes long; the limit is");
	diags_free(&d);
	free(yaml);
}

static void
nul_and_bad_utf8(void **state)
{
	static const char with_nul[] = HEAD "body:\n  - {name: a, type: text, "
	    "label: A\0B}\n";
	static const char escaped_nul[] = HEAD "body:\n  - {name: a, type: text, "
	    "label: \"A\\0B\"}\n";
	struct diags d;

	(void)state;
	diags_init(&d, "t.yaml");
	assert_null(form_parse(with_nul, sizeof with_nul - 1, &d));
	assert_diag(&d, 5, 0, "control character");
	diags_free(&d);
	assert_null(parse(escaped_nul, &d));
	assert_diag(&d, 5, 34, "holds a NUL character");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: \xff\xfe}\n",
	    &d));
	assert_diag(&d, 5, 0, "not valid UTF-8");
	diags_free(&d);
}

static void
escape_sequence_warned_not_refused(void **state)
{
	struct diags d;
	struct form *f = parse(HEAD "body:\n  - {name: a, type: text, label: "
	    "\"\\e[31mred\"}\n", &d);

	(void)state;
	assert_non_null(f);
	assert_int_equal(d.errors, 0);
	assert_diag(&d, 5, 34, "control character");
	form_free(f);
	diags_free(&d);
}

static void
choices_checked(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n  - name: a\n    type: select_multiple\n"
	    "    label: A\n    choices:\n      - {value: two words, label: X}\n"
	    "      - {value: x, label: X}\n      - {value: x, label: Y}\n"
	    "      - {label: Z}\n", &d));
	assert_diag(&d, 9, 17, "must be one word without spaces");
	assert_diag(&d, 11, 17, "'x' appears twice");
	assert_diag(&d, 12, 9, "has no 'value:'");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "choices: [{value: x, label: X}]}\n", &d));
	assert_diag(&d, 5, 46, "'choices:' is only for select_one");
	diags_free(&d);
}

static void
logic_errors_located(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	/* A syntax error, with the column inside the expression. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: integer, label: A}\n"
	    "  - {name: b, type: text, label: B, relevant: \"${a} > \"}\n", &d));
	assert_diag(&d, 6, 55, "in relevant \"${a} > \": the expression ends");
	diags_free(&d);
	/* Unknown names, with a suggestion. */
	assert_null(parse(HEAD "body:\n  - {name: size, type: integer, label: A}\n"
	    "  - {name: b, type: text, label: B, relevant: \"${sise} > 1\"}\n", &d));
	assert_diag(&d, 6, 48, "there is no question ${sise} (did you mean ${size}?)");
	diags_free(&d);
	/* Wrong argument counts. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "constraint: \"regex(.)\"}\n", &d));
	assert_diag(&d, 5, 50, "regex() takes 2 arguments, not 1");
	diags_free(&d);
	/* '.' outside a constraint. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: integer, label: A, "
	    "relevant: \". > 1\"}\n", &d));
	assert_diag(&d, 5, 51, "'.' stands for the answer being checked");
	diags_free(&d);
	/* An invalid regular expression. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "constraint: \"regex(., '[0-9')\"}\n", &d));
	assert_diag(&d, 5, 60, "the pattern '[0-9' is refused: '[' is never "
	    "closed with ']'");
	diags_free(&d);
	/* A choice selected() can never find: a warning, the form loads. */
	f = parse(HEAD "body:\n  - {name: a, type: select_one, label: A, choices: "
	    "[{value: x, label: X}]}\n  - {name: b, type: text, label: B, "
	    "relevant: \"selected(${a}, 'y')\"}\n", &d);
	assert_non_null(f);
	assert_int_equal(d.errors, 0);
	assert_diag(&d, 6, 63, "'y' is not a choice of ${a}");
	form_free(f);
	diags_free(&d);
}

static void
calculation_cycles_named(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n"
	    "  - {name: a, type: calculate, calculation: \"${c} + 1\"}\n"
	    "  - {name: b, type: calculate, calculation: \"${a} * 2\"}\n"
	    "  - {name: c, type: calculate, calculation: \"${b} - 1\"}\n"
	    "  - {name: x, type: text, label: X}\n", &d));
	assert_diag(&d, 5, 0, "the calculations form a cycle: a -> c -> b -> a");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n"
	    "  - {name: a, type: calculate, calculation: \"${a} + 1\"}\n"
	    "  - {name: x, type: text, label: X}\n", &d));
	assert_diag(&d, 5, 0, "cycle: a -> a");
	diags_free(&d);
}

static void
calculation_order(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse(HEAD "body:\n"
	    "  - {name: total, type: calculate, calculation: \"${half} * 2\"}\n"
	    "  - {name: half, type: calculate, calculation: \"${n} div 2\"}\n"
	    "  - {name: n, type: integer, label: N}\n", &d);
	assert_non_null(f);
	assert_int_equal(f->ncalc, 2);
	assert_string_equal(f->questions[f->calc_order[0]]->name, "half");
	assert_string_equal(f->questions[f->calc_order[1]]->name, "total");
	form_free(f);
	diags_free(&d);
}

static void
repeats_checked(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse(HEAD "body:\n  - {name: size, type: integer, label: S}\n"
	    "  - repeat: members\n    label: M\n    count: \"${size}\"\n"
	    "    body:\n      - {name: age, type: integer, label: A}\n"
	    "  - {name: n, type: calculate, calculation: \"count(${members})\"}\n",
	    &d);
	assert_non_null(f);
	assert_non_null(form_repeat(f, "members"));
	assert_ptr_equal(f->questions[1]->repeat, form_repeat(f, "members"));
	form_free(f);
	diags_free(&d);
	/* A question inside a repeat, from outside it. */
	assert_null(parse(HEAD "body:\n  - repeat: m\n    label: M\n    body:\n"
	    "      - {name: age, type: integer, label: A}\n"
	    "  - {name: b, type: text, label: B, relevant: \"${age} > 1\"}\n", &d));
	assert_diag(&d, 9, 48, "${age} is inside the repeat 'm'; from outside it, "
	    "use count(${age}) or sum(${age})");
	diags_free(&d);
	/* A repeat name where a value is wanted. */
	assert_null(parse(HEAD "body:\n  - repeat: m\n    label: M\n    body:\n"
	    "      - {name: age, type: integer, label: A}\n"
	    "  - {name: b, type: text, label: B, relevant: \"${m} > 1\"}\n", &d));
	assert_diag(&d, 9, 48, "${m} is a repeat; count its entries with count(${m})");
	diags_free(&d);
	/* A repeat inside a repeat. */
	assert_null(parse(HEAD "body:\n  - repeat: m\n    label: M\n    body:\n"
	    "      - repeat: k\n        label: K\n        body:\n"
	    "          - {name: age, type: integer, label: A}\n", &d));
	assert_diag(&d, 8, 9, "repeat 'k' is inside repeat 'm'");
	diags_free(&d);
}

static void
undeclared_language(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "languages: [zh]\nbody:\n  - {name: a, type: text, "
	    "label: {zh: 甲, fr: A}}\n", &d));
	assert_diag(&d, 6, 42, "language 'fr' is not in the form's languages");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: {en: A}}\n",
	    &d));
	assert_diag(&d, 5, 35, "no 'languages:' list");
	diags_free(&d);
}

static void
defaults_checked(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	assert_null(parse(HEAD "body:\n  - {name: a, type: integer, label: A, "
	    "default: many}\n", &d));
	assert_diag(&d, 5, 49, "default 'many' is not valid for integer");
	diags_free(&d);
	f = parse(HEAD "body:\n  - {name: a, type: date, label: A, "
	    "default: 2020/2/3}\n", &d);
	assert_non_null(f);
	assert_string_equal(f->questions[0]->default_value, "2020-02-03");
	form_free(f);
	diags_free(&d);
}

/* regex() takes a quoted pattern of the form, within limits that keep
 * matching cheap (issue 11: the 12 bytes (a{1,32767}) took --check to
 * 7 GB; a pattern from an answer did the same to --import). */
static void
regex_patterns_checked(void **state)
{
	struct diags d;
	struct form *f;
	double start = cpu_seconds();

	(void)state;
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "constraint: \"regex(., '(a{1,32767})')\"}\n", &d));
	assert_diag(&d, 5, 62, "a count may be at most 255");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "constraint: \"regex(., '((a|b){0,99}){0,99}')\"}\n", &d));
	assert_diag(&d, 5, 60, "too large");
	diags_free(&d);
	/* From an answer, or computed: refused where it is written. */
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A}\n"
	    "  - {name: b, type: text, label: B, constraint: \"regex(., ${a})\"}\n",
	    &d));
	assert_diag(&d, 6, 59, "regex() takes its pattern as a quoted text");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "constraint: \"regex(., concat('[0-9]', '{3}'))\"}\n", &d));
	assert_diag(&d, 5, 59, "regex() takes its pattern as a quoted text");
	diags_free(&d);
	/* \d is the letter d in POSIX: a warning, the form loads. */
	f = parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "constraint: \"regex(., '\\\\d{11}')\"}\n", &d);
	assert_non_null(f);
	assert_diag(&d, 5, 59, "for a digit write [0-9]");
	form_free(f);
	diags_free(&d);
	assert_true(cpu_seconds() - start < CPU_HANG_LIMIT);
}

/* A list of 100,000 choices loads in a moment (comparing every pair of
 * values took 21 s, and froze the program for 32 s), and a value written
 * twice is still found. */
static void
large_choice_list_fast(void **state)
{
	struct buf b = { 0 };
	struct diags d;
	struct form *f;
	double start = cpu_seconds();
	int i, n = 100000;

	(void)state;
	buf_adds(&b, HEAD "choices:\n  many:\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "    - {value: v%d, label: C}\n", i);
	buf_adds(&b, "    - {value: v7, label: Again}\n");
	buf_adds(&b, "body:\n  - {name: a, type: select_one, choices: many, "
	    "label: A}\n");
	diags_init(&d, "t.yaml");
	assert_null(form_parse(b.data, b.len, &d));
	assert_diag(&d, 6 + n, 15, "choice value 'v7' appears twice");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
	/* Without the second v7, it loads and every value is found. */
	b.len -= strlen("    - {value: v7, label: Again}\n") + strlen("body:\n  - "
	    "{name: a, type: select_one, choices: many, label: A}\n");
	b.data[b.len] = '\0';
	buf_adds(&b, "body:\n  - {name: a, type: select_one, choices: many, "
	    "label: A}\n");
	diags_init(&d, "t.yaml");
	f = form_parse(b.data, b.len, &d);
	assert_non_null(f);
	assert_non_null(form_choice(f->questions[0], "v0"));
	assert_non_null(form_choice(f->questions[0], "v99999"));
	assert_string_equal(form_choice(f->questions[0], "v4242")->value, "v4242");
	assert_null(form_choice(f->questions[0], "v100000"));
	form_free(f);
	diags_free(&d);
	buf_free(&b);
	assert_true(cpu_seconds() - start < CPU_HANG_LIMIT);
}

/* Thousands of lists, needs and questions, and a chain of calculations
 * as long: every check sorts or indexes rather than compares each pair,
 * and the chain is walked without deep recursion. */
static void
many_names_fast(void **state)
{
	struct buf b = { 0 };
	struct diags d;
	struct form *f;
	double start = cpu_seconds();
	int i, n = 10000;

	(void)state;
	buf_adds(&b, HEAD "choices:\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "  l%d: [{value: x, label: X}]\n", i);
	buf_adds(&b, "needs:\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "  - {id: n%d, label: N, when: \"${q%d} = 'x'\"}\n",
		    i, i);
	buf_adds(&b, "body:\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "  - {name: q%d, type: select_one, choices: l%d, "
		    "label: Q}\n", i, i);
	buf_adds(&b, "  - {name: c0, type: calculate, calculation: \"1\"}\n");
	for (i = 1; i < 3 * n; i++)
		buf_printf(&b, "  - {name: c%d, type: calculate, calculation: "
		    "\"${c%d} + 1\"}\n", i, i - 1);
	diags_init(&d, "t.yaml");
	f = form_parse(b.data, b.len, &d);
	if (f == NULL)
		test_print_diags(&d);
	assert_non_null(f);
	assert_int_equal(f->ncalc, 3 * n);
	assert_string_equal(f->questions[f->calc_order[0]]->name, "c0");
	form_free(f);
	diags_free(&d);
	/* The same with a list and a need written twice. */
	buf_adds(&b, "  - {name: late, type: select_one, choices: l9, label: L}\n");
	{
		char *twice = xasprintf("%s", b.data);
		char *at = strstr(twice, "  l9: ");
		char *need = strstr(twice, "  - {id: n9, ");

		at[3] = '8';	/* l9 -> l8, defined twice */
		need[10] = '8';	/* n9 -> n8, listed twice */
		diags_init(&d, "t.yaml");
		assert_null(form_parse(twice, strlen(twice), &d));
		assert_diag(&d, 14, 3, "choice list 'l8' is defined twice");
		assert_diag(&d, 15 + n, 10, "need 'n8' is listed twice");
		diags_free(&d);
		free(twice);
	}
	buf_free(&b);
	assert_true(cpu_seconds() - start < CPU_HANG_LIMIT);
}

/* --check of a form of 50,000 questions where one name is written 20,000
 * times and one key 10,000 times in a question: each copy is reported
 * with the line of the first, found by sorting. Finding that first copy
 * again for each copy compared n squared / 2 names (200 million here, and
 * --check took 4 s for 20,000 copies); counted, not timed, it stays
 * within n log n. */
static void
many_copies_of_a_name_linear(void **state)
{
	struct buf b = { 0 };
	struct diags d;
	int i, n = 50000, copies = 20000, keys = 10000;
	unsigned long compares, names = (unsigned long)(n + copies + keys);

	(void)state;
	buf_adds(&b, HEAD "body:\n  - {name: q0, type: integer, label: Q}\n");
	for (i = 1; i < n; i++)
		buf_printf(&b, "  - {name: q%d, type: integer, label: Q, "
		    "relevant: \"${q%d} > 1\"}\n", i, i - 1);
	for (i = 0; i < copies; i++)
		buf_adds(&b, "  - {name: dup, type: integer, label: D}\n");
	buf_adds(&b, "  - {name: keys, type: integer, label: K");
	for (i = 0; i < keys; i++)
		buf_adds(&b, ", hint: H");
	buf_adds(&b, "}\n");
	diags_init(&d, "t.yaml");
	(void)form_name_compares();
	assert_null(form_parse(b.data, b.len, &d));
	compares = form_name_compares();
	assert_int_equal(d.errors, (copies - 1) + (keys - 1));
	/* A sort compares about n log2 n = 17 n names; the ${names} are looked
	 * up in 17 comparisons each. */
	if (compares > 64 * names)
		fail_msg("%lu names compared for %lu names", compares, names);
	assert_diag(&d, 5 + n + 1, 12, "duplicate name 'dup' (first used at line "
	    "50005)");
	assert_diag(&d, 5 + n + copies - 1, 12, "duplicate name 'dup' (first used "
	    "at line 50005)");
	assert_diag(&d, 5 + n + copies, 0, "'hint' is written twice in a question "
	    "(first at line 70005)");
	diags_free(&d);
	buf_free(&b);
}

/* Only plain files are read: a FIFO named *.yaml hung --check and
 * --import for ever (alarm() turns a hang into a failure here). A file
 * over the limit is refused before it is read. */
static void
only_plain_files(void **state)
{
	char *dir = test_tmpdir();
	char *fifo = xasprintf("%s/pipe.yaml", dir);
	char *big = xasprintf("%s/big.yaml", dir);
	struct diags d;
	FILE *fp;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(20);
	diags_init(&d, fifo);
	assert_null(form_load(fifo, &d));
	assert_diag(&d, 0, 0, "this is a named pipe (FIFO), not a form file");
	diags_free(&d);
	diags_init(&d, "/dev/zero");
	assert_null(form_load("/dev/zero", &d));
	assert_diag(&d, 0, 0, "this is a device, not a form file");
	diags_free(&d);
	diags_init(&d, dir);
	assert_null(form_load(dir, &d));
	assert_diag(&d, 0, 0, "this is a folder, not a form file");
	diags_free(&d);
	alarm(0);
	assert_non_null(fp = fopen(big, "w"));
	assert_int_equal(ftruncate(fileno(fp), 64L * 1024 * 1024 * 1024), 0);
	fclose(fp);
	diags_init(&d, big);
	assert_null(form_load(big, &d));
	assert_diag(&d, 0, 0, "the file is 68719476736 bytes; a form may be at most");
	diags_free(&d);
	free(fifo);
	free(big);
	test_rmtree(dir);
	free(dir);
}

/* Form files as supervisors save them (issue 11, item 10). */
static void
byte_order_mark_read(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse("\xEF\xBB\xBF" HEAD "body:\n  - {name: a, type: text, "
	    "label: A}\n", &d);
	if (f == NULL)
		test_print_diags(&d);
	assert_non_null(f);
	assert_string_equal(f->id, "f");
	form_free(f);
	diags_free(&d);
	/* Positions after the mark are where an editor shows them. */
	assert_null(parse("\xEF\xBB\xBF" "form: f\nversoin: \"1\"\n", &d));
	assert_diag(&d, 2, 1, "unknown key 'versoin'");
	assert_diag(&d, 1, 1, "the form has no 'version:'");
	diags_free(&d);
	assert_null(parse("\xFF\xFE" "f\0o\0", &d));
	assert_diag(&d, 1, 1, "saved as UTF-16");
	diags_free(&d);
}

static void
unclosed_quote_located(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse(HEAD "body:\n  - name: a\n    type: text\n"
	    "    label: \"Unclosed\n  - name: b\n    type: text\n    label: B\n",
	    &d));
	assert_diag(&d, 7, 12, "this quoted text is never closed; add the "
	    "closing \"");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
	assert_null(parse("form: f\nversion: '1\ntitle: T\n", &d));
	assert_diag(&d, 2, 10, "add the closing '");
	diags_free(&d);
	/* Chinese text before the quote: the column counts characters. */
	assert_null(parse("form: f\nversion: \"1\"\ntitle: {zh: 标题, en: \"T}\n",
	    &d));
	assert_diag(&d, 3, 21, "never closed");
	diags_free(&d);
}

static void
second_document_refused(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A}\n"
	    "---\nform: g\n", &d));
	assert_diag(&d, 6, 1, "a second YAML document starts here");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
	/* One document, marked at its start and end, is fine. */
	f = parse("---\n" HEAD "body:\n  - {name: a, type: text, label: A}\n...\n",
	    &d);
	assert_non_null(f);
	form_free(f);
	diags_free(&d);
}

/* A tab after Chinese text: libyaml's offset counts characters, and the
 * raw "found character that cannot start any token" came through. */
static void
tab_after_chinese_explained(void **state)
{
	struct diags d;

	(void)state;
	assert_null(parse("form: f\nversion: \"1\"\ntitle: {zh: 标题, en: T}\n"
	    "\tlanguages: [zh, en]\n", &d));
	assert_diag(&d, 4, 1, "a tab is used here; YAML indents with spaces only");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
}

/* A language in 'languages:' that no text is written in: a warning at
 * the language, the form still loads. */
static void
unused_language_warned(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse("form: f\nversion: \"1\"\ntitle: {zh: 标题, en: T}\n"
	    "languages: [zh, en, ug]\n"
	    "body:\n  - {name: a, type: text, label: {zh: 甲, en: A}}\n", &d);
	assert_non_null(f);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_diag(&d, 4, 21, "language 'ug' is in 'languages:' but no label");
	form_free(f);
	diags_free(&d);
}

static void
missing_file(void **state)
{
	struct diags d;

	(void)state;
	diags_init(&d, "nope.yaml");
	assert_null(form_load("/nonexistent/nope.yaml", &d));
	assert_diag(&d, 0, 0, "cannot open: No such file");
	diags_free(&d);
}

/* Answers are checked and written one way, whatever was typed. */
static void
values_normalized(void **state)
{
	struct question q = { 0 };
	struct choice cs[] = { { "a", { 0 } }, { "b", { 0 } } };
	size_t by_value[] = { 0, 1 };
	struct choice_list list = { NULL, cs, 2, by_value };
	const char *why;
	char *v;

	(void)state;
	q.type = QT_INTEGER;
	assert_string_equal(v = form_value_normalize(&q, " 007 ", &why), "7");
	free(v);
	assert_string_equal(v = form_value_normalize(&q, "-0", &why), "0");
	free(v);
	assert_null(form_value_normalize(&q, "4.5", &why));
	assert_string_equal(why, "enter a whole number, digits only");
	assert_null(form_value_normalize(&q, "1234567890123456", &why));
	assert_null(form_value_normalize(&q, "四", &why));

	q.type = QT_DECIMAL;
	assert_string_equal(v = form_value_normalize(&q, "+3.50", &why), "3.50");
	free(v);
	assert_null(form_value_normalize(&q, "3,5", &why));
	assert_null(form_value_normalize(&q, ".", &why));

	q.type = QT_DATE;
	assert_string_equal(v = form_value_normalize(&q, "2020/2/26", &why),
	    "2020-02-26");
	free(v);
	assert_string_equal(v = form_value_normalize(&q, "2020-02-29", &why),
	    "2020-02-29");
	free(v);
	assert_null(form_value_normalize(&q, "2019-02-29", &why));
	assert_string_equal(why, "there is no such day");
	assert_null(form_value_normalize(&q, "2020-2/26", &why));
	assert_null(form_value_normalize(&q, "26/02/2020", &why));
	assert_null(form_value_normalize(&q, "2020-13-01", &why));

	q.type = QT_SELECT_MULTIPLE;
	q.choices = &list;
	assert_string_equal(v = form_value_normalize(&q, "b  a", &why), "b a");
	free(v);
	assert_null(form_value_normalize(&q, "a c", &why));
	q.type = QT_SELECT_ONE;
	assert_null(form_value_normalize(&q, "a b", &why));
	assert_string_equal(why, "choose only one");
}

static void
chinese_field_validators(void **state)
{
	struct question q = { 0 };
	const char *why;
	char *v;

	(void)state;
	q.type = QT_TEXT;
	q.appearance = "cn_mobile";
	assert_string_equal(v = form_value_normalize(&q, "138 1234-5678", &why),
	    "13812345678");
	free(v);
	assert_string_equal(v = form_value_normalize(&q, "+8613812345678", &why),
	    "13812345678");
	free(v);
	assert_null(form_value_normalize(&q, "1381234567", &why));	/* 10 */
	assert_non_null(strstr(why, "11 digits"));
	assert_null(form_value_normalize(&q, "12812345678", &why));
	assert_null(form_value_normalize(&q, "1381234567a", &why));
	q.appearance = "cn_id";
	/* A well-known specimen number: 11010519491231002X. */
	assert_string_equal(v = form_value_normalize(&q, "11010519491231002x", &why),
	    "11010519491231002X");
	free(v);
	assert_null(form_value_normalize(&q, "110105194912310021", &why));
	assert_non_null(strstr(why, "check digit"));
	assert_null(form_value_normalize(&q, "110105194913310021", &why));
	assert_non_null(strstr(why, "date of birth"));
	assert_null(form_value_normalize(&q, "1101051949123100", &why));
	assert_non_null(strstr(why, "18 characters"));
	q.appearance = "multiline";	/* other appearances change nothing */
	assert_string_equal(v = form_value_normalize(&q, "abc", &why), "abc");
	free(v);
}

/* A form fills questions from the household register (from_household:):
 * --check names an unknown field and a type that cannot hold it. */
static void
from_household_checked(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "from_household: head}\n  - {name: b, type: text, label: B, "
	    "from_household: phone}\n  - {name: c, type: select_one, label: C, "
	    "choices: [{value: bj, label: BJ}], from_household: site}\n", &d);
	assert_non_null(f);
	assert_int_equal(f->questions[0]->from_household, HF_HEAD);
	assert_int_equal(f->questions[1]->from_household, HF_PHONE);
	assert_int_equal(f->questions[2]->from_household, HF_SITE);
	form_free(f);
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "from_household: phon}\n", &d));
	assert_diag(&d, 5, 53, "unknown field 'phon' (did you mean 'phone'?)");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "from_household: income}\n", &d));
	assert_diag(&d, 5, 53, "head, phone, address, site, code");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: integer, label: A, "
	    "from_household: phone}\n", &d));
	assert_diag(&d, 5, 56, "'a' is a integer, which cannot hold the household's "
	    "phone");
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - repeat: r\n    label: R\n    body:\n"
	    "      - {name: a, type: text, label: A, from_household: head}\n", &d));
	assert_diag(&d, 8, 0, "outside repeats");
	diags_free(&d);
}

/* "Date of the visit" starts as today: default: today, for dates only. */
static void
default_today_checked(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse(HEAD "body:\n  - {name: a, type: date, label: A, "
	    "default: today}\n", &d);
	assert_non_null(f);
	assert_true(f->questions[0]->default_today);
	assert_null(f->questions[0]->default_value);
	form_free(f);
	diags_free(&d);
	assert_null(parse(HEAD "body:\n  - {name: a, type: text, label: A, "
	    "default: today}\n", &d));
	assert_diag(&d, 5, 0, "only a date takes 'default: today'");
	diags_free(&d);
}

/* Full-width digits and Chinese date spellings, as an input method types
 * them, are kept in the normal form. */
static void
full_width_and_chinese_dates(void **state)
{
	struct question q = { 0 };
	const char *why;
	char *v;

	(void)state;
	q.type = QT_INTEGER;
	assert_string_equal(v = form_value_normalize(&q, "３", &why), "3");
	free(v);
	assert_string_equal(v = form_value_normalize(&q, "　１２　", &why), "12");
	free(v);
	q.type = QT_DECIMAL;
	assert_string_equal(v = form_value_normalize(&q, "３．５", &why), "3.5");
	free(v);
	q.type = QT_DATE;
	static const char *const dates[] = {
		"2026年12月1日", "2026年12月01日", "2026年12月1", "2026.12.1",
		"2026/12/1", "2026-12-01", "２０２６年１２月１日", "２０２６．１２．１",
		"2026年12月1号",
	};
	for (size_t i = 0; i < ARRAY_LEN(dates); i++) {
		v = form_value_normalize(&q, dates[i], &why);
		if (v == NULL || strcmp(v, "2026-12-01") != 0)
			fail_msg("'%s' gave '%s' (%s)", dates[i], v ? v : "NULL",
			    why ? why : "");
		free(v);
	}
	assert_null(form_value_normalize(&q, "2026.12/1", &why));
	assert_null(form_value_normalize(&q, "2026年13月1日", &why));
	assert_null(form_value_normalize(&q, "2026年12月1日晚", &why));
	assert_null(form_value_normalize(&q, "年", &why));
	assert_non_null(why);
	/* A phone question reads every spelling the register reads. */
	q.type = QT_TEXT;
	q.from_household = HF_PHONE;
	static const char *const phones[] = {
		"138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
		"１３８１２３４５６７８", "0086 138 1234 5678", "(+86) 138.1234.5678",
	};
	for (size_t i = 0; i < ARRAY_LEN(phones); i++) {
		v = form_value_normalize(&q, phones[i], &why);
		if (v == NULL || strcmp(v, "13812345678") != 0)
			fail_msg("'%s' gave '%s' (%s)", phones[i], v ? v : "NULL",
			    why ? why : "");
		free(v);
	}
	assert_string_equal(v = form_value_normalize(&q, "010-6512 3456", &why),
	    "01065123456");
	free(v);
	assert_null(form_value_normalize(&q, "123", &why));
	assert_non_null(strstr(why, "11-digit mobile"));
	assert_null(form_value_normalize(&q, "+1 415 555 0100", &why));
	/* Text stays as typed. */
	q.from_household = HF_HEAD;
	assert_string_equal(v = form_value_normalize(&q, "１２", &why), "１２");
	free(v);
}

/* A form names the organisation's public key and what a sealed record
 * keeps in plain text; a key that is not one is refused at its line. */
static void
sealing_settings(void **state)
{
	struct diags d;
	struct form *f;
	char *yaml, key[1024] = "";
	FILE *kf = fopen("tests/seal/org.pub.b64", "r");

	(void)state;
	assert_non_null(kf);
	assert_non_null(fgets(key, sizeof key, kf));
	fclose(kf);
	yaml = xasprintf(HEAD "public_key: %s\nsealed_keeps: [needs]\n"
	    "body:\n  - {name: a, type: text, label: A}\n", key);
	f = parse(yaml, &d);
	assert_non_null(f);
	assert_string_equal(f->public_key, key);
	assert_true(f->sealed_keeps_needs);
	assert_false(f->sealed_keeps_prefill);
	form_free(f);
	diags_free(&d);
	free(yaml);

	f = parse(HEAD "public_key: bm90IGEga2V5\nsealed_keeps: [answers]\n"
	    "body:\n  - {name: a, type: text, label: A}\n", &d);
	assert_null(f);
	assert_true(test_has_diag(&d, 4, 13, "not an RSA public key"));
	assert_true(test_has_diag(&d, 5, 16, "not 'answers'"));
	diags_free(&d);
}

/* --check warns when a phone or ID question would leave in a shared
 * export; marked identifying, it is quiet. */
static void
identifying_questions(void **state)
{
	struct diags d;
	struct form *f;

	(void)state;
	f = parse(HEAD "body:\n"
	    "  - {name: phone, type: text, label: P}\n"
	    "  - {name: card, type: text, label: C, appearance: cn_id}\n"
	    "  - {name: mobile, type: text, label: M, identifying: true}\n"
	    "  - {name: hotel, type: text, label: H}\n", &d);
	assert_non_null(f);
	assert_true(test_has_diag(&d, 5, 5, "'phone' asks for a phone number"));
	assert_true(test_has_diag(&d, 6, 5, "'card' asks for"));
	assert_int_equal(d.n, 2);
	assert_true(f->questions[2]->identifying);
	assert_false(f->questions[0]->identifying);
	form_free(f);
	diags_free(&d);
}

/* What the list of forms shows (form_load_head) is read from the form's
 * head alone: a form whose body is long, or broken, gives its title and
 * version without its body being read; one whose head is written another
 * way is read whole; formdir_read reads whole what formdir_heads read. */
static void
heads_of_forms(void **state)
{
	char *dir = test_tmpdir();
	char *path = xasprintf("%s/a.yaml", dir), *odd = xasprintf("%s/b.yaml", dir);
	struct formdir_entry *v;
	struct diags d;
	struct form *f;
	size_t n;
	FILE *fp;
	int i;

	(void)state;
	assert_non_null(fp = fopen(path, "w"));
	fputs("\xEF\xBB\xBF# a supervisor's comment\nform: big\nversion: \"7\"\n"
	    "languages: [zh, en]\ntitle:\n  zh: 大表\n  en: Big\nbody:\n", fp);
	for (i = 0; i < 50000; i++)
		fprintf(fp, "  - {name: q%d, type: integer, label: {zh: 问, en: Q}}\n",
		    i);
	fputs("  - {name: q1, type: interger, label: Broken}\n", fp);
	fclose(fp);
	diags_init(&d, path);
	f = form_load_head(path, &d);
	assert_non_null(f);
	assert_true(f->head_only);
	assert_int_equal(f->nquestions, 0);
	assert_string_equal(f->id, "big");
	assert_string_equal(f->version, "7");
	assert_string_equal(form_text(f, &f->title, "en"), "Big");
	assert_string_equal(form_text(f, &f->title, NULL), "大表");
	form_free(f);
	diags_free(&d);
	/* Read whole, the same file is refused: the body was not read above. */
	diags_init(&d, path);
	assert_null(form_load(path, &d));
	diags_free(&d);

	assert_non_null(fp = fopen(odd, "w"));
	fputs("{form: odd, version: \"1\", title: Odd, body: [{name: a, type: "
	    "text, label: A}]}\n", fp);
	fclose(fp);
	diags_init(&d, odd);
	f = form_load_head(odd, &d);
	assert_non_null(f);
	assert_false(f->head_only);
	assert_int_equal(f->nquestions, 1);
	form_free(f);
	diags_free(&d);

	assert_int_equal(formdir_load(dir, &v, &n, true, NULL), 0);
	assert_int_equal(n, 2);
	formdir_heads(v, n);
	assert_true(v[0].form->head_only);
	formdir_read(v, n);
	assert_null(v[0].form);
	assert_non_null(v[0].error);
	assert_int_equal(v[1].form->nquestions, 1);
	formdir_free(v, n);
	test_rmtree(dir);
	free(dir);
	free(path);
	free(odd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bundled_form_loads),
		cmocka_unit_test(named_and_inline_lists),
		cmocka_unit_test(not_yaml),
		cmocka_unit_test(names_central_cannot_take),
		cmocka_unit_test(shape_tells_what_changed),
		cmocka_unit_test(empty_file),
		cmocka_unit_test(top_is_not_a_mapping),
		cmocka_unit_test(unknown_type_suggests),
		cmocka_unit_test(missing_list),
		cmocka_unit_test(duplicate_names),
		cmocka_unit_test(unknown_key_suggests),
		cmocka_unit_test(every_problem_is_reported),
		cmocka_unit_test(tab_indent_hint),
		cmocka_unit_test(flow_colon_hint),
		cmocka_unit_test(aliases_refused),
		cmocka_unit_test(deep_nesting_refused),
		cmocka_unit_test(huge_label_refused),
		cmocka_unit_test(nul_and_bad_utf8),
		cmocka_unit_test(escape_sequence_warned_not_refused),
		cmocka_unit_test(choices_checked),
		cmocka_unit_test(logic_errors_located),
		cmocka_unit_test(calculation_cycles_named),
		cmocka_unit_test(calculation_order),
		cmocka_unit_test(repeats_checked),
		cmocka_unit_test(undeclared_language),
		cmocka_unit_test(defaults_checked),
		cmocka_unit_test(regex_patterns_checked),
		cmocka_unit_test(large_choice_list_fast),
		cmocka_unit_test(many_names_fast),
		cmocka_unit_test(many_copies_of_a_name_linear),
		cmocka_unit_test(only_plain_files),
		cmocka_unit_test(byte_order_mark_read),
		cmocka_unit_test(unclosed_quote_located),
		cmocka_unit_test(second_document_refused),
		cmocka_unit_test(tab_after_chinese_explained),
		cmocka_unit_test(unused_language_warned),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(values_normalized),
		cmocka_unit_test(chinese_field_validators),
		cmocka_unit_test(from_household_checked),
		cmocka_unit_test(default_today_checked),
		cmocka_unit_test(full_width_and_chinese_dates),
		cmocka_unit_test(sealing_settings),
		cmocka_unit_test(identifying_questions),
		cmocka_unit_test(heads_of_forms),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
