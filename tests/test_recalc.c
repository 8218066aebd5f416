/* An answer recomputes only what depends on it (core/interview.c, the
 * graph form->readers): after every answer of a long walk the interview
 * holds the same values, relevance and steps as one computed afresh from
 * the database, and an answer with one dependent evaluates a handful of
 * expressions, not one per question of the form. */
#include "helpers.h"

#include "../core/interview.h"
#include "../core/util.h"

struct fixture {
	char *dir;
	struct store *s;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	char *path;

	fx->dir = test_tmpdir();
	path = xasprintf("%s/d.db", fx->dir);
	fx->s = store_open(path, NULL);
	free(path);
	*state = fx;
	return fx->s == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_close(fx->s);
	test_rmtree(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

static struct form *
parse(const char *yaml, size_t len)
{
	struct diags d;
	struct form *f;

	diags_init(&d, "t.yaml");
	f = form_parse(yaml, len, &d);
	if (f == NULL)
		test_print_diags(&d);
	diags_free(&d);
	assert_non_null(f);
	return f;
}

static struct form *
load(const char *path)
{
	struct diags d;
	struct form *f;

	diags_init(&d, path);
	f = form_load(path, &d);
	if (f == NULL)
		test_print_diags(&d);
	diags_free(&d);
	assert_non_null(f);
	return f;
}

/* A small deterministic generator (the walk is the same on every run). */
static unsigned long
rnd(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return (*seed >> 33) % 1000003UL;
}

/* The interview as a full recompute makes it from what the database
 * holds, against iv as the answers left it: every value and whether it
 * was stored, every question's relevance in every entry, the entries of
 * every repeat, and the steps. */
static void
assert_same_as_fresh(struct fixture *fx, struct interview *iv, int answer)
{
	const struct form *f = iv->form;
	struct record_info rec;
	struct interview *fresh;
	size_t q, i;
	long e;

	assert_int_equal(store_record_get(fx->s, iv->record, &rec, NULL), 0);
	fresh = interview_open(fx->s, f, &rec, NULL);
	assert_non_null(fresh);
	for (i = 0; i < f->ngroups; i++)
		assert_int_equal(interview_entries(iv, f->groups[i]),
		    interview_entries(fresh, f->groups[i]));
	for (q = 0; q < f->nquestions; q++) {
		const struct group *r = f->questions[q]->repeat;
		long n = r ? interview_entries(fresh, r) : 0;

		for (e = r ? 1 : 0; e <= n; e++) {
			const char *a = interview_value(iv, q, e);
			const char *b = interview_value(fresh, q, e);

			if (!str_eq(a, b) || interview_relevant(iv, q, e) !=
			    interview_relevant(fresh, q, e))
				fail_msg("answer %d: %s#%ld is '%s' %s here, '%s' %s afresh",
				    answer, f->questions[q]->name, e, a ? a : "(none)",
				    interview_relevant(iv, q, e) ? "asked" : "skipped",
				    b ? b : "(none)", interview_relevant(fresh, q, e) ?
				    "asked" : "skipped");
		}
	}
	if (iv->nsteps != fresh->nsteps)
		fail_msg("answer %d: %zu steps here, %zu afresh", answer, iv->nsteps,
		    fresh->nsteps);
	for (i = 0; i < iv->nsteps; i++) {
		const struct step *a = &iv->steps[i], *b = &fresh->steps[i];

		if (a->kind != b->kind || a->q != b->q || a->entry != b->entry ||
		    a->repeat != b->repeat)
			fail_msg("answer %d: step %zu is %s#%ld here, %s#%ld afresh",
			    answer, i, f->questions[a->q]->name, a->entry,
			    f->questions[b->q]->name, b->entry);
	}
	interview_free(fresh);
	store_record_clear(&rec);
}

/* A value to type for question q: often one the form takes, sometimes
 * one it refuses, sometimes nothing. */
static const char *
some_value(const struct question *q, unsigned long *seed, char *buf,
    size_t size)
{
	unsigned long r = rnd(seed);

	if (r % 11 == 0)
		return "";
	switch (q->type) {
	case QT_INTEGER:
	case QT_DECIMAL:
		snprintf(buf, size, "%lu", r % 13);
		return buf;
	case QT_DATE:
		snprintf(buf, size, "2020-02-%02lu", 1 + r % 28);
		return buf;
	case QT_SELECT_ONE:
		return q->choices->v[r % q->choices->n].value;
	case QT_SELECT_MULTIPLE:
		if (q->choices->n > 1 && r % 3 == 0) {
			snprintf(buf, size, "%s %s", q->choices->v[0].value,
			    q->choices->v[q->choices->n - 1].value);
			return buf;
		}
		return q->choices->v[r % q->choices->n].value;
	default:
		return r % 5 == 0 ? "张伟" : "x";
	}
}

/* answers answers, each on a step chosen at random (going back as often
 * as on), entries added and deleted on the way; after each, the state is
 * compared with a full recompute. */
static void
walk(struct fixture *fx, struct interview *iv, int answers, unsigned long seed)
{
	char buf[64], *why = NULL, *cause = NULL;
	int k;

	for (k = 0; k < answers; k++) {
		const struct step *st;
		unsigned long r = rnd(&seed);
		size_t at = iv->nsteps ? (size_t)(r % iv->nsteps) : 0, first;

		if (iv->nsteps == 0)
			break;
		/* Mostly the next step, as an interviewer goes. */
		if (r % 4 != 0 && iv->current + 1 < iv->nsteps)
			at = iv->current + 1;
		assert_int_equal(interview_go(iv, at, &cause), 0);
		st = interview_step(iv);
		if (st->kind == STEP_ADD) {
			if (r % 3 != 0 && interview_entries(iv, st->repeat) < 4)
				assert_int_equal(interview_add_entry(iv, st->repeat, &first,
				    &cause), 0);
			else if (interview_entries(iv, st->repeat) > 0)
				assert_int_equal(interview_delete_entry(iv, st->repeat, 1 +
				    (long)(r % (unsigned long)interview_entries(iv,
				    st->repeat)), &cause), 0);
		} else {
			const struct question *q = iv->form->questions[st->q];

			if (!question_has_value(q))
				continue;
			assert_true(interview_answer_onward(iv, some_value(q, &seed, buf,
			    sizeof buf), false, "en", &why, &cause) >= 0);
			free(why);
			why = NULL;
		}
		assert_same_as_fresh(fx, iv, k);
	}
}

static void
bundled_form_walk(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = interview_begin(fx->s,
	    load("forms/needs_assessment.yaml"), "BJ-0042", "2020-R1", "beijing",
	    "liu", NULL);

	assert_non_null(iv);
	assert_same_as_fresh(fx, iv, -1);
	walk(fx, iv, 150, 42);
	interview_free(iv);
}

/* Chains of calculations, relevance that reads calculations (one of them
 * reads a calculation further down the form), a group asked on a
 * calculation, a repeat counted by an answer with sums out of it, and a
 * repeat whose entries are added by hand. */
static const char chains_yaml[] =
    "form: chains\nversion: \"1\"\ntitle: Chains\nbody:\n"
    "  - {name: gate, type: integer, label: Gate}\n"
    "  - {name: pre, type: calculate, calculation: \"${gate} * 3\","
    " relevant: \"${late} > 4\"}\n"
    "  - {name: n1, type: integer, label: N1, relevant: \"${gate} > 1\"}\n"
    "  - {name: c1, type: calculate, calculation: \"coalesce(${n1}, 0) +"
    " coalesce(${gate}, 0)\"}\n"
    "  - {name: t1, type: text, label: T1, relevant: \"${c1} > 6\"}\n"
    "  - {name: n2, type: integer, label: N2, relevant: \"${c1} < 20\"}\n"
    "  - {name: c2, type: calculate, calculation: \"coalesce(${c1}, 0) +"
    " coalesce(${n2}, 0)\"}\n"
    "  - {name: t2, type: text, label: T2, relevant: \"${c2} > 10 or"
    " ${pre} > 9\"}\n"
    "  - {name: n3, type: integer, label: N3, relevant: \"${c2} < 30\"}\n"
    "  - {name: c3, type: calculate, calculation: \"if(${c2} > 8, ${c2} +"
    " coalesce(${n3}, 0), 0)\", relevant: \"${n1} != 3\"}\n"
    "  - group: g\n    label: G\n    relevant: \"${c3} > 5\"\n    body:\n"
    "      - {name: gq, type: integer, label: GQ}\n"
    "      - {name: gc, type: calculate, calculation: \"coalesce(${gq}, 0) +"
    " ${c3}\"}\n"
    "      - {name: gt, type: text, label: GT, relevant: \"${gc} > 12\"}\n"
    "  - {name: size, type: integer, label: Size, constraint: \". < 6\"}\n"
    "  - repeat: m\n    label: M\n    count: \"${size}\"\n    body:\n"
    "      - {name: age, type: integer, label: Age}\n"
    "      - {name: kid, type: calculate, calculation: \"if(${age} < 7, 1,"
    " 0)\"}\n"
    "      - {name: school, type: text, label: School, relevant: \"${age} <"
    " 7 and ${gate} > 2\"}\n"
    "  - {name: kids, type: calculate, calculation: \"sum(${kid})\"}\n"
    "  - {name: late, type: calculate, calculation: \"coalesce(${kids}, 0) +"
    " coalesce(${gate}, 0)\"}\n"
    "  - repeat: v\n    label: V\n    relevant: \"${late} != 5\"\n    body:\n"
    "      - {name: w, type: integer, label: W}\n"
    "      - {name: wd, type: calculate, calculation: \"coalesce(${w}, 0) *"
    " 2\"}\n"
    "      - {name: wt, type: text, label: WT, relevant: \"${wd} > ${kids}\"}\n"
    "  - {name: tot, type: calculate, calculation: \"sum(${wd}) +"
    " count(${v})\"}\n"
    "  - {name: last, type: text, label: Last, relevant: \"${tot} > 3 or"
    " ${pre} > 1\"}\n";

static void
generated_chains_walk(void **state)
{
	struct fixture *fx = *state;
	unsigned long seed;

	for (seed = 1; seed <= 4; seed++) {
		struct interview *iv = interview_begin(fx->s, parse(chains_yaml,
		    sizeof chains_yaml - 1), NULL, NULL, NULL, "liu", NULL);

		assert_non_null(iv);
		assert_same_as_fresh(fx, iv, -1);
		walk(fx, iv, 100, seed);
		interview_free(iv);
	}
}

/* 5,000 questions, each asked on the gate; a0 has one dependent (a
 * calculation, and a text asked on it). Answering a0 evaluates that
 * calculation and that relevance (and a0's constraint), not 5,000
 * expressions; answering a question nothing reads evaluates only its
 * own constraint. */
static void
an_answer_evaluates_its_dependents(void **state)
{
	struct fixture *fx = *state;
	struct buf b = { 0 };
	struct interview *iv;
	char *why = NULL, *cause = NULL;
	unsigned long before, a0, a1;
	int i;

	buf_adds(&b, "form: wide\nversion: \"1\"\ntitle: Wide\nbody:\n"
	    "  - {name: gate, type: integer, label: Gate}\n"
	    "  - {name: a0, type: integer, label: A0, constraint: \". < 100\","
	    " relevant: \"${gate} > 0\"}\n"
	    "  - {name: c0, type: calculate, calculation: \"coalesce(${a0}, 0) *"
	    " 2\"}\n"
	    "  - {name: t0, type: text, label: T0, relevant: \"${c0} > 3\"}\n");
	for (i = 1; i < 4997; i++)
		buf_printf(&b, "  - {name: a%d, type: integer, label: A, constraint:"
		    " \". < 100\", relevant: \"${gate} > 0\"}\n", i);
	iv = interview_begin(fx->s, parse(b.data, b.len), NULL, NULL, NULL, "liu",
	    &cause);
	buf_free(&b);
	assert_non_null(iv);
	assert_int_equal(iv->form->nquestions, 5000);
	assert_int_equal(interview_answer_onward(iv, "1", true, "en", &why,
	    &cause), 0);
	assert_int_equal(iv->nsteps, 1 + 4997);	/* t0 waits for c0 */
	assert_int_equal(interview_go(iv, 1, &cause), 0);

	before = expr_evaluations;
	assert_int_equal(interview_answer_onward(iv, "5", true, "en", &why,
	    &cause), 0);
	a0 = expr_evaluations - before;
	assert_string_equal(interview_value(iv, 2, 0), "10");
	assert_int_equal(iv->nsteps, 1 + 4998);	/* t0 now asked */
	assert_int_equal(iv->steps[2].q, 3);
	assert_int_equal(iv->current, 1);

	assert_int_equal(interview_go(iv, 3, &cause), 0);
	assert_int_equal(iv->form->questions[interview_step(iv)->q]->type,
	    QT_INTEGER);
	before = expr_evaluations;
	assert_int_equal(interview_answer_onward(iv, "7", true, "en", &why,
	    &cause), 0);
	a1 = expr_evaluations - before;

	/* a0: its constraint, c0, t0's relevance. a1: its constraint. */
	if (a0 > 4 || a1 > 2)
		fail_msg("a0 evaluated %lu expressions, a1 %lu (of a 5,000-question "
		    "form)", a0, a1);
	assert_same_as_fresh(fx, iv, 2);
	interview_free(iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bundled_form_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(generated_chains_walk, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_answer_evaluates_its_dependents,
		    setup, teardown),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
