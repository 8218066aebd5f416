/* An interview from first answer to export: what is refused, what is
 * kept across a resume, and what the JSONL export holds, field by field. */
#include "helpers.h"

#include <jansson.h>
#include <signal.h>
#include <sys/wait.h>

#include "../core/export.h"
#include "../core/household.h"
#include "../core/import.h"
#include "../core/interview.h"
#include "../core/store-impl.h"
#include "../core/util.h"

static const char form_yaml[] =
    "form: mini\nversion: \"v1\"\ntitle: {zh: 小表, en: Mini}\n"
    "languages: [zh, en]\n"
    "choices:\n  debt:\n"
    "    - {value: online_loan, label: 网贷}\n"
    "    - {value: credit_card, label: 信用卡}\n"
    "    - {value: relatives, label: 亲友}\n"
    "body:\n"
    "  - {name: intro, type: note, label: Hello}\n"
    "  - group: hh\n    label: Household\n    body:\n"
    "      - {name: name, type: text, label: Name, required: true,\n"
    "         required_message: {zh: 请填写姓名, en: Enter the name}}\n"
    "      - {name: size, type: integer, label: Size, required: true}\n"
    "  - {name: rent, type: decimal, label: Rent}\n"
    "  - {name: day, type: date, label: Day}\n"
    "  - {name: debts, type: select_multiple, choices: debt, label: Debts}\n"
    "  - {name: ok, type: select_one, label: OK, choices: [{value: y, label: Y},"
    " {value: n, label: N}]}\n"
    "  - {name: notes, type: text, label: Notes}\n"
    "  - {name: loan_amount, type: integer, label: How much,\n"
    "     relevant: \"selected(${debts}, 'online_loan')\",\n"
    "     constraint: \". > 0 and . < 1000000\",\n"
    "     constraint_message: {zh: 金额不对, en: Amount out of range}}\n"
    "  - {name: per_head, type: calculate, calculation: \"${rent} div ${size}\"}\n"
    "  - repeat: members\n    label: Member\n    count: \"${size}\"\n    body:\n"
    "      - {name: age, type: integer, label: Age, required: true}\n"
    "      - {name: school, type: select_one, choices: [{value: y, label: Y},"
    " {value: n, label: N}],\n"
    "         label: In school?, relevant: \"${age} < 18\"}\n"
    "  - repeat: visits\n    label: Visit\n    body:\n"
    "      - {name: when, type: date, label: When}\n"
    "  - {name: kids, type: calculate, calculation: \"count(${members}) - 1\"}\n"
    "needs:\n"
    "  - {id: livelihood, label: L, when: \"selected(${debts}, 'online_loan')\"}\n"
    "  - {id: education, label: E, when: \"${kids} > 5\"}\n";

struct fixture {
	char *dir;
	struct store *s;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	fx->s = test_store_new(&fx->dir);
	*state = fx;
	return fx->s == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	test_store_free(fx->s, fx->dir);
	free(fx);
	return 0;
}

static struct interview *
begin(struct fixture *fx)
{
	char *cause = NULL;
	struct interview *iv = interview_begin(fx->s, test_form_parse(form_yaml,
	    sizeof form_yaml - 1), "BJ-0042", "2020-R2", "beijing", "liu", &cause);

	assert_non_null(iv);
	return iv;
}

static long
idx(const struct interview *iv, const char *name)
{
	long i = form_find(iv->form, name);

	assert_true(i >= 0);
	return i;
}

/* Moves to the step of question name (entry), which must be laid out. */
static void
go_to(struct interview *iv, const char *name, long entry)
{
	size_t i;

	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].kind == STEP_QUESTION &&
		    iv->steps[i].q == (size_t)idx(iv, name) &&
		    iv->steps[i].entry == entry) {
			assert_int_equal(interview_go(iv, i, NULL), 0);
			return;
		}
	fail_msg("%s#%ld is not asked", name, entry);
}

/* Moving to question name must be refused (its position not saved). */
static void
go_to_fails(struct interview *iv, const char *name)
{
	char *cause = NULL;
	size_t i;

	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].kind == STEP_QUESTION &&
		    iv->steps[i].q == (size_t)idx(iv, name)) {
			assert_int_equal(interview_go(iv, i, &cause), -1);
			assert_non_null(cause);
			free(cause);
			return;
		}
	fail_msg("%s is not asked", name);
}

static bool
asked(const struct interview *iv, const char *name, long entry)
{
	size_t i;

	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].kind == STEP_QUESTION &&
		    iv->steps[i].q == (size_t)idx(iv, name) &&
		    iv->steps[i].entry == entry)
			return true;
	return false;
}

/* Answers question name (entry) strictly; the answer must be taken. */
static void
answer_in(struct interview *iv, const char *name, long entry, const char *typed)
{
	char *why = NULL, *cause = NULL;

	go_to(iv, name, entry);
	if (interview_answer(iv, typed, true, "en", &why, &cause) != 0)
		fail_msg("%s refused: %s %s", name, why ? why : "", cause ? cause : "");
}

/* Opens a resumed draft for editing; the claim must be as expected. */
static void
take(struct interview *iv, bool take_over, int expected)
{
	struct holder other;
	char *cause = NULL;
	int rc = interview_take(iv, take_over, &other, &cause);

	if (rc != expected)
		fail_msg("interview_take gave %d, not %d: %s", rc, expected,
		    cause ? cause : "");
	holder_clear(&other);
}

static void
answer_ok(struct interview *iv, const char *name, const char *typed)
{
	answer_in(iv, name, 0, typed);
}

/* The refusal message for an answer. */
static char *
refused(struct interview *iv, const char *name, long entry, const char *typed,
    bool strict, const char *lang)
{
	char *why = NULL, *cause = NULL;

	go_to(iv, name, entry);
	assert_int_equal(interview_answer(iv, typed, strict, lang, &why, &cause), 1);
	return why;
}

static void
refusals(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	char *why;

	why = refused(iv, "size", 0, "  ", true, "en");
	assert_string_equal(why, "this question needs an answer");
	free(why);
	why = refused(iv, "name", 0, "", true, "zh");
	assert_string_equal(why, "请填写姓名");	/* the form's own words */
	free(why);
	why = refused(iv, "size", 0, "four", true, "en");
	assert_string_equal(why, "enter a whole number, digits only");
	free(why);
	why = refused(iv, "day", 0, "2020-02-30", true, "en");
	assert_string_equal(why, "there is no such day");
	free(why);
	answer_ok(iv, "debts", "online_loan");
	why = refused(iv, "loan_amount", 0, "0", true, "zh");
	assert_string_equal(why, "金额不对");
	free(why);
	answer_ok(iv, "loan_amount", "5000");
	/* Going back may leave a required question empty; finalize may not. */
	go_to(iv, "size", 0);
	assert_int_equal(interview_answer(iv, "", false, "en", &why, NULL), 0);
	interview_free(iv);
}

static void
relevance_skips_and_keeps(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);

	assert_false(asked(iv, "loan_amount", 0));
	answer_ok(iv, "debts", "online_loan relatives");
	assert_true(asked(iv, "loan_amount", 0));
	answer_ok(iv, "loan_amount", "3000");
	/* Toggled off, the answer is kept but not asked; toggled back, it is. */
	answer_ok(iv, "debts", "relatives");
	assert_false(asked(iv, "loan_amount", 0));
	assert_string_equal(interview_value(iv, (size_t)idx(iv, "loan_amount"), 0),
	    "3000");
	answer_ok(iv, "debts", "online_loan");
	assert_true(asked(iv, "loan_amount", 0));
	interview_free(iv);
}

static void
calculations_follow_their_inputs(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	size_t per_head = (size_t)idx(iv, "per_head");

	assert_null(interview_value(iv, per_head, 0));	/* NaN is kept empty */
	answer_ok(iv, "rent", "1200");
	answer_ok(iv, "size", "4");
	assert_string_equal(interview_value(iv, per_head, 0), "300");
	answer_ok(iv, "size", "3");
	assert_string_equal(interview_value(iv, per_head, 0), "400");
	/* Calculations are stored too, for the export and a resume. */
	assert_string_equal(interview_value(iv, (size_t)idx(iv, "kids"), 0), "2");
	interview_free(iv);
}

static void
repeats_by_count_and_by_asking(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	const struct group *visits = form_repeat(iv->form, "visits");
	size_t first, i;
	char *cause = NULL;

	answer_ok(iv, "size", "3");
	assert_true(asked(iv, "age", 3));
	assert_false(asked(iv, "age", 4));
	answer_in(iv, "age", 1, "34");
	answer_in(iv, "age", 2, "8");
	assert_false(asked(iv, "school", 1));
	assert_true(asked(iv, "school", 2));		/* only the child */
	/* Without count, entries are added on request. */
	assert_int_equal(interview_entries(iv, visits), 0);
	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].kind == STEP_ADD)
			break;
	assert_true(i < iv->nsteps);
	assert_int_equal(interview_add_entry(iv, visits, &first, &cause), 0);
	assert_int_equal(iv->steps[first].q, idx(iv, "when"));
	assert_int_equal(iv->steps[first].entry, 1);
	assert_int_equal(iv->current, first);
	answer_in(iv, "when", 1, "2020-02-26");
	assert_int_equal(interview_add_entry(iv, visits, &first, &cause), 0);
	answer_in(iv, "when", 2, "2020-03-03");
	assert_int_equal(interview_add_entry(iv, visits, &first, &cause), 0);
	answer_in(iv, "when", 3, "2020-03-10");
	assert_int_equal(interview_delete_entry(iv, visits, 2, &cause), 0);
	assert_int_equal(interview_entries(iv, visits), 2);
	assert_string_equal(interview_value(iv, (size_t)idx(iv, "when"), 2),
	    "2020-03-10");
	/* A finalize needs every member's age. */
	{
		size_t bad, n;

		assert_int_equal(interview_finalize(iv, &bad, &n, NULL), 1);
		assert_true(n >= 2);	/* name and the third age, at least */
	}
	interview_free(iv);
}

static void
finalize_names_what_is_missing(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	size_t first = 99, nbad = 0;

	answer_ok(iv, "size", "1");
	answer_in(iv, "age", 1, "40");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 1);
	assert_int_equal(nbad, 1);
	assert_int_equal(iv->steps[first].q, idx(iv, "name"));
	assert_int_equal(store_count(fx->s, "draft"), 1);
	answer_ok(iv, "name", "刘丽");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	assert_int_equal(store_count(fx->s, "finalized"), 1);
	interview_free(iv);
}

static void
resume_where_left_on_the_same_form(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx), *again;
	struct record_info *recs;
	char *cause = NULL;
	size_t n;
	const struct step *st;

	answer_ok(iv, "name", "王芳");
	answer_ok(iv, "size", "04");
	answer_in(iv, "age", 2, "7");
	interview_free(iv);	/* as if the connection dropped here */

	assert_int_equal(store_records_list(fx->s, STORE_DRAFTS, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	again = interview_resume(fx->s, &recs[0], &cause);
	assert_non_null(again);
	st = interview_step(again);
	assert_int_equal(st->q, idx(again, "age"));
	assert_int_equal(st->entry, 2);
	assert_string_equal(interview_value(again, (size_t)idx(again, "name"), 0),
	    "王芳");
	assert_string_equal(interview_value(again, (size_t)idx(again, "size"), 0),
	    "4");
	assert_true(asked(again, "age", 4));		/* count from the answer */
	assert_null(interview_value(again, (size_t)idx(again, "rent"), 0));
	assert_string_equal(again->form->version, "v1");
	interview_free(again);
	store_records_free(recs, n);
}

static int
count_commit(void *arg)
{
	++*(int *)arg;
	return 0;
}

/* A question answered and the next one shown make one durable commit
 * between them (on the SD cards of cheap hardware each costs a flush):
 * the position is saved in the answer's own transaction, where the
 * interviewer goes next, and showing that question writes nothing. A
 * dropped connection then resumes there. */
static void
one_commit_per_question(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx), *again;
	struct record_info *recs;
	char *why = NULL, *cause = NULL;
	const struct step *st;
	size_t n;
	int commits = 0;

	go_to(iv, "name", 0);
	sqlite3_commit_hook(fx->s->db, count_commit, &commits);
	assert_int_equal(interview_answer_onward(iv, "王芳", true, "en", &why,
	    &cause), 0);
	assert_int_equal(interview_go(iv, iv->current + 1, NULL), 0);
	assert_int_equal(interview_answer_onward(iv, "3", true, "en", &why, &cause),
	    0);
	assert_int_equal(interview_go(iv, iv->current + 1, NULL), 0);
	sqlite3_commit_hook(fx->s->db, NULL, NULL);
	assert_int_equal(commits, 2);
	/* Going back is a move of its own: it is saved. */
	assert_int_equal(interview_go(iv, iv->current - 1, NULL), 0);
	assert_int_equal(interview_answer_onward(iv, "4", true, "en", &why,
	    &cause), 0);
	interview_free(iv);	/* the connection drops after the answer */

	assert_int_equal(store_records_list(fx->s, STORE_DRAFTS, &recs, &n, NULL), 0);
	again = interview_resume(fx->s, &recs[0], &cause);
	assert_non_null(again);
	st = interview_step(again);
	assert_int_equal(st->q, idx(again, "rent"));	/* the one after size */
	assert_string_equal(interview_value(again, (size_t)idx(again, "size"), 0),
	    "4");
	interview_free(again);
	store_records_free(recs, n);
}

/* The drafts list counts what "Draft saved: N of M" counts: answered
 * questions that apply. An answer made irrelevant (loan_amount once debts
 * no longer says online_loan) and a stored calculation are kept in the
 * store, but are not answers the interviewer still has. */
static void
drafts_list_counts_as_draft_saved(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	struct record_info *recs;
	size_t n, shown;

	answer_ok(iv, "name", "王芳");
	answer_ok(iv, "size", "1");
	answer_ok(iv, "rent", "900");
	answer_ok(iv, "debts", "online_loan");
	answer_ok(iv, "loan_amount", "5000");
	answer_ok(iv, "debts", "relatives");	/* loan_amount no longer applies */
	shown = interview_answered(iv);		/* as "Draft saved" says it */
	assert_int_equal(shown, 4);
	interview_free(iv);

	assert_int_equal(store_records_list(fx->s, STORE_DRAFTS, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	interview_count_answered(fx->s, recs, n);
	assert_int_equal(recs[0].answered, (long)shown);
	store_records_free(recs, n);
}

/* The export, as text. */
static char *
export_text(struct store *s, bool all)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);

	assert_true(export_jsonl(s, mem, all, NULL) >= 0);
	fclose(mem);
	return text;
}

/* Runs the export into memory and parses each line. */
static json_t **
export_lines(struct store *s, bool all, size_t *count)
{
	char *text = export_text(s, all), *line, *save = NULL;
	json_t **v = NULL;

	*count = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;

		v = realloc(v, (*count + 1) * sizeof *v);
		v[*count] = json_loads(line, 0, &err);
		if (v[*count] == NULL)
			fail_msg("not JSON: %s (%s)", line, err.text);
		(*count)++;
	}
	free(text);
	return v;
}

static void
export_is_the_contract(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx), *draft = begin(fx);
	json_t **lines, *r, *a;
	size_t n, first, nbad, i;

	answer_ok(iv, "name", "刘丽 \"Li\"");
	answer_ok(iv, "size", "2");
	answer_in(iv, "age", 1, "34");
	answer_in(iv, "age", 2, "8");
	answer_in(iv, "school", 2, "y");
	answer_ok(iv, "rent", "1200.5");
	answer_ok(iv, "day", "2020/2/26");
	answer_ok(iv, "debts", "online_loan relatives");
	answer_ok(iv, "loan_amount", "2000");
	answer_ok(iv, "ok", "y");
	answer_ok(iv, "notes", "");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	answer_ok(draft, "name", "draft only");

	lines = export_lines(fx->s, false, &n);
	assert_int_equal(n, 1);		/* the draft stays out */
	r = lines[0];
	assert_string_equal(json_string_value(json_object_get(r, "instance_id")),
	    iv->instance_id);
	assert_int_equal(strncmp(iv->instance_id, "uuid:", 5), 0);
	assert_string_equal(json_string_value(json_object_get(r, "form")), "mini");
	assert_string_equal(json_string_value(json_object_get(r, "form_version")),
	    "v1");
	assert_string_equal(json_string_value(json_object_get(r, "status")),
	    "finalized");
	assert_string_equal(json_string_value(json_object_get(r, "household")),
	    "BJ-0042");
	assert_string_equal(json_string_value(json_object_get(r, "round")), "2020-R2");
	assert_string_equal(json_string_value(json_object_get(r, "site")), "beijing");
	assert_string_equal(json_string_value(json_object_get(r, "interviewer")),
	    "liu");
	assert_non_null(json_string_value(json_object_get(r, "started_at")));
	assert_non_null(json_string_value(json_object_get(r, "finalized_at")));
	assert_true(json_is_array(json_object_get(r, "needs")));

	a = json_object_get(r, "answers");
	assert_string_equal(json_string_value(json_object_get(a, "name")),
	    "刘丽 \"Li\"");
	assert_true(json_is_integer(json_object_get(a, "size")));
	assert_int_equal(json_integer_value(json_object_get(a, "size")), 2);
	assert_true(json_is_real(json_object_get(a, "per_head")) ||
	    json_is_integer(json_object_get(a, "per_head")));
	assert_true(json_number_value(json_object_get(a, "per_head")) == 600.25);
	assert_true(json_is_integer(json_object_get(a, "kids")));
	assert_int_equal(json_integer_value(json_object_get(a, "kids")), 1);
	{
		json_t *m = json_object_get(a, "members");

		assert_true(json_is_array(m));
		assert_int_equal(json_array_size(m), 2);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(m,
		    0), "age")), 34);
		/* Not relevant for an adult: absent. For the child: there. */
		assert_null(json_object_get(json_array_get(m, 0), "school"));
		assert_string_equal(json_string_value(json_object_get(json_array_get(m,
		    1), "school")), "y");
		assert_null(json_object_get(a, "age"));	/* only inside entries */
	}
	assert_true(json_is_array(json_object_get(a, "visits")));
	assert_int_equal(json_array_size(json_object_get(a, "visits")), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "loan_amount")), 2000);
	{
		json_t *needs = json_object_get(r, "needs");

		assert_int_equal(json_array_size(needs), 1);
		assert_string_equal(json_string_value(json_array_get(needs, 0)),
		    "livelihood");
	}
	assert_true(json_is_real(json_object_get(a, "rent")));
	assert_true(json_real_value(json_object_get(a, "rent")) == 1200.5);
	assert_string_equal(json_string_value(json_object_get(a, "day")),
	    "2020-02-26");
	assert_true(json_is_array(json_object_get(a, "debts")));
	assert_int_equal(json_array_size(json_object_get(a, "debts")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a,
	    "debts"), 1)), "relatives");
	assert_string_equal(json_string_value(json_object_get(a, "ok")), "y");
	assert_true(json_is_null(json_object_get(a, "notes")));	/* left empty */
	assert_null(json_object_get(a, "intro"));	/* a note has no value */
	assert_null(json_object_get(a, "hh"));		/* groups do not nest */
	for (i = 0; i < n; i++)
		json_decref(lines[i]);
	free(lines);

	lines = export_lines(fx->s, true, &n);
	assert_int_equal(n, 2);
	assert_string_equal(json_string_value(json_object_get(lines[1], "status")),
	    "draft");
	assert_true(json_is_null(json_object_get(lines[1], "finalized_at")));
	assert_true(json_is_null(json_object_get(json_object_get(lines[1],
	    "answers"), "size")));	/* never reached */
	assert_null(json_object_get(json_object_get(lines[1], "answers"),
	    "loan_amount"));	/* not relevant: absent, not null */
	assert_int_equal(json_array_size(json_object_get(json_object_get(lines[1],
	    "answers"), "members")), 0);
	for (i = 0; i < n; i++)
		json_decref(lines[i]);
	free(lines);
	interview_free(iv);
	interview_free(draft);
}

/* 10,000 questions with relevance, constraints and calculations load, lay
 * out and follow their logic (how fast is for make bench). */
static void
ten_thousand_questions(void **state)
{
	struct fixture *fx = *state;
	struct buf b = { 0 };
	struct interview *iv;
	struct form *f;
	struct diags d;
	char *cause = NULL, *why = NULL;
	size_t before;
	int i;

	(void)state;
	buf_adds(&b, "form: big\nversion: \"1\"\ntitle: Big\nbody:\n"
	    "  - {name: gate, type: integer, label: Gate}\n");
	for (i = 0; i < 10000; i++)
		switch (i % 3) {
		case 0:
			buf_printf(&b, "  - {name: q%d, type: integer, label: Q, constraint: "
			    "\". < 100\", relevant: \"${gate} > %d\"}\n", i, i % 7);
			break;
		case 1:
			buf_printf(&b, "  - {name: q%d, type: calculate, calculation: "
			    "\"coalesce(${q%d}, 0) * 2\"}\n", i, i - 1);
			break;
		default:
			buf_printf(&b, "  - {name: q%d, type: text, label: Q, relevant: "
			    "\"${q%d} > 3\"}\n", i, i - 1);
		}
	diags_init(&d, "big");
	f = form_parse(b.data, b.len, &d);
	buf_free(&b);
	assert_non_null(f);
	diags_free(&d);
	assert_int_equal(f->nquestions, 10001);
	assert_int_equal(f->ncalc, 3333);
	iv = interview_begin(fx->s, f, NULL, NULL, NULL, "liu", &cause);
	assert_non_null(iv);
	before = iv->nsteps;
	assert_int_equal(before, 1);			/* only the gate */
	assert_int_equal(interview_answer(iv, "9", true, "en", &why, &cause), 0);
	/* Every q0, q3 ... shows; q2, q5 ... wait for their calculation. */
	assert_int_equal(iv->nsteps, 1 + 3334);
	assert_int_equal(interview_go(iv, 1, NULL), 0);
	assert_int_equal(interview_answer(iv, "5", true, "en", &why, &cause), 0);
	assert_string_equal(interview_value(iv, (size_t)form_find(iv->form, "q1"), 0),
	    "10");
	assert_int_equal(iv->nsteps, 1 + 3334 + 1);	/* q2 now applies */
	assert_int_equal(interview_answer(iv, "100", true, "en", &why, &cause), 1);
	free(why);
	interview_free(iv);
}

static void
csv_for_spreadsheets(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	char *base = xasprintf("%s/out", fx->dir), *path, *text, *members;
	size_t first, nbad;
	bool skipped;
	FILE *out;

	answer_ok(iv, "name", "=HYPERLINK(\"http://x\")");
	answer_ok(iv, "size", "2");
	answer_in(iv, "age", 1, "34");
	answer_in(iv, "age", 2, "8");
	answer_ok(iv, "debts", "online_loan");
	answer_ok(iv, "loan_amount", "500");
	answer_ok(iv, "rent", "-1.5");
	answer_ok(iv, "notes", "a, \"quoted\" note");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	interview_free(iv);

	path = xasprintf("%s.csv", base);
	out = fopen(path, "w");
	assert_int_equal(export_csv(fx->s, out, base, false, true, &skipped, NULL), 1);
	fclose(out);
	assert_false(skipped);
	text = test_read_file(path);
	/* A byte order mark for Excel and WPS, then the header. */
	{
		static const char head[] = "\xEF\xBB\xBFinstance_id,form,form_version,"
		    "status,household,round,site,interviewer,started_at,finalized_at,"
		    "needs,name,size,rent,day,debts,debts/online_loan,debts/credit_card,"
		    "debts/relatives,ok,notes,loan_amount,per_head,kids,need/livelihood,"
		    "need/education\r\n";

		assert_memory_equal(text, head, sizeof head - 1);
	}
	/* A formula is made inert; a negative number stays a number. */
	assert_non_null(strstr(text, ",\"'=HYPERLINK(\"\"http://x\"\")\",2,-1.5,,"
	    "online_loan,1,0,0,,\"a, \"\"quoted\"\" note\",500,-0.75,1,1,0\r\n"));
	assert_non_null(strstr(text, ",finalized,BJ-0042,2020-R2,beijing,liu,"));
	assert_non_null(strstr(text, ",livelihood,"));
	free(text);
	free(path);
	path = xasprintf("%s-members.csv", base);
	members = test_read_file(path);
	assert_non_null(strstr(members, "instance_id,entry,age,school\r\n"));
	assert_non_null(strstr(members, ",1,34,\r\n"));	/* school not asked */
	assert_non_null(strstr(members, ",2,8,\r\n"));	/* asked, not answered */
	free(members);
	free(path);
	path = xasprintf("%s-visits.csv", base);
	members = test_read_file(path);
	assert_string_equal(members, "\xEF\xBB\xBFinstance_id,entry,when\r\n");
	free(members);
	free(path);
	/* Without a place for the repeats, the caller is told. */
	out = fopen("/dev/null", "w");
	assert_int_equal(export_csv(fx->s, out, NULL, false, false, &skipped, NULL), 1);
	fclose(out);
	assert_true(skipped);
	free(base);
}

static void
count_note(void *ctx, const char *msg)
{
	struct buf *b = ctx;

	buf_adds(b, msg);
	buf_addc(b, '\n');
}

/* Another site's export comes in as it was, once: the same file twice
 * changes nothing, a different record under a known id is a conflict. */
static void
import_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx), *draft = begin(fx);
	char *path = xasprintf("%s/b.db", fx->dir), *a_text, *b_text, *tampered;
	struct import_summary sum;
	struct buf notes = { 0 };
	const struct form *forms[1];
	struct store *b = store_open(path, NULL);
	size_t first, nbad;
	FILE *in;

	answer_ok(iv, "name", "刘丽");
	answer_ok(iv, "size", "2");
	answer_in(iv, "age", 1, "34");
	answer_in(iv, "age", 2, "8");
	answer_in(iv, "school", 2, "y");
	answer_ok(iv, "debts", "online_loan relatives");
	answer_ok(iv, "loan_amount", "500");
	answer_ok(iv, "rent", "1200.5");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	answer_ok(draft, "name", "still a draft");
	a_text = export_text(fx->s, true);

	forms[0] = iv->form;
	in = fmemopen(a_text, strlen(a_text), "r");
	assert_int_equal(import_jsonl(b, in, "a.jsonl", forms, 1, NULL, count_note,
	    &notes, &sum, NULL), 0);
	fclose(in);
	assert_int_equal(sum.imported, 2);
	/* Both records are of BJ-0042: registered once, here, by that code. */
	assert_int_equal(sum.households, 1);
	{
		struct household h;

		assert_int_equal(household_get(b, "BJ-0042", &h, NULL), 0);
		assert_string_equal(h.site, "beijing");
		assert_int_equal(h.interviews, 2);
		household_clear(&h);
	}
	b_text = export_text(b, true);
	assert_string_equal(b_text, a_text);	/* the same records, field by field */
	assert_int_equal(store_count(b, "finalized"), 1);
	assert_int_equal(store_count(b, "draft"), 1);
	free(b_text);

	/* Twice: nothing changes. */
	in = fmemopen(a_text, strlen(a_text), "r");
	assert_int_equal(import_jsonl(b, in, "a.jsonl", forms, 1, NULL, count_note,
	    &notes, &sum, NULL), 0);
	fclose(in);
	assert_int_equal(sum.imported, 0);
	assert_int_equal(sum.unchanged, 2);
	assert_int_equal(sum.households, 0);

	/* A different record under a known id; a form nobody has; junk. */
	tampered = xasprintf("%s%s\n%s\n",
	    strstr(a_text, "\"name\":\"刘丽\"") ? "" : "",
	    "{\"instance_id\":\"uuid:00000000-0000-4000-8000-000000000001\","
	    "\"form\":\"nope\",\"form_version\":\"9\",\"status\":\"finalized\","
	    "\"answers\":{}}", "not json");
	{
		char *changed = xstrdup(a_text), *p = strstr(changed, "刘丽");

		memcpy(p, "王芳", strlen("王芳"));
		in = fmemopen(changed, strlen(changed), "r");
		assert_int_equal(import_jsonl(b, in, "c.jsonl", forms, 1, NULL,
		    count_note, &notes, &sum, NULL), 0);
		fclose(in);
		free(changed);
	}
	assert_int_equal(sum.conflicts, 1);
	assert_non_null(strstr(notes.data, "c.jsonl:1: uuid:"));
	assert_non_null(strstr(notes.data, "different answers: a conflict, not "
	    "applied"));
	in = fmemopen(tampered, strlen(tampered), "r");
	assert_int_equal(import_jsonl(b, in, "d.jsonl", forms, 1, NULL, count_note,
	    &notes, &sum, NULL), 0);
	fclose(in);
	assert_int_equal(sum.unknown, 1);
	assert_int_equal(sum.bad, 1);
	assert_non_null(strstr(notes.data, "d.jsonl:1: uuid:00000000-0000-4000-8000-"
	    "000000000001 is of form nope version 9"));
	assert_non_null(strstr(notes.data, "d.jsonl:2: not a doorstep record"));
	b_text = export_text(b, true);
	assert_non_null(strstr(b_text, "刘丽"));	/* the conflict was not applied */
	assert_null(strstr(b_text, "王芳"));
	free(b_text);
	/* The imported finalized record can be uploaded: it has its XML. */
	{
		struct record_info *q;
		size_t nq;
		char *xml, *cause = NULL;

		assert_int_equal(store_queue(b, &q, &nq, NULL), 0);
		assert_int_equal(nq, 1);
		xml = store_record_xml(b, q[0].id, &cause);
		assert_non_null(xml);
		assert_non_null(strstr(xml, "<name>刘丽</name>"));
		free(xml);
		store_records_free(q, nq);
	}
	free(tampered);
	free(a_text);
	buf_free(&notes);
	store_close(b);
	free(path);
	interview_free(iv);
	interview_free(draft);
}

static const char prefill_yaml[] =
    "form: p\nversion: \"1\"\ntitle: P\nbody:\n"
    "  - {name: size, type: integer, label: Size, required: true, prefill: true}\n"
    "  - {name: note, type: text, label: Note}\n"
    "  - {name: work, type: select_one, choices: yn, label: Work, prefill: true}\n"
    "  - {name: why, type: text, label: Why, relevant: \"${work} = 'no'\","
    " prefill: true}\n"
    "  - repeat: members\n    label: M\n    body:\n"
    "      - {name: age, type: integer, label: Age, prefill: true}\n"
    "choices:\n  yn:\n    - {value: 'yes', label: Y}\n    - {value: 'no', label: N}\n"
    "needs:\n  - {id: work, label: Livelihood, when: \"${work} = 'no'\"}\n";

static struct interview *
begin_round(struct fixture *fx, const char *household, const char *round)
{
	char *cause = NULL;
	struct interview *iv = interview_begin(fx->s,
	    test_form_parse(prefill_yaml, sizeof prefill_yaml - 1), household,
	    round, "beijing", "liu", &cause);

	if (iv == NULL)
		fail_msg("%s", cause);
	return iv;
}

/* A first-round interview, finalized. */
static void
first_round(struct fixture *fx, const char *round, const char *size,
    bool finalize)
{
	struct interview *iv = begin_round(fx, "BJ-0001", round);
	const struct group *m = iv->form->questions[idx(iv, "age")]->repeat;
	size_t first, n;

	answer_ok(iv, "size", size);
	answer_ok(iv, "note", "was ill");
	answer_ok(iv, "work", "yes");
	assert_int_equal(interview_add_entry(iv, m, &first, NULL), 0);
	answer_in(iv, "age", 1, "34");
	assert_int_equal(interview_add_entry(iv, m, &first, NULL), 0);
	answer_in(iv, "age", 2, "8");
	if (finalize)
		assert_int_equal(interview_finalize(iv, &first, &n, NULL), 0);
	interview_free(iv);
}

static void
second_round_starts_from_the_first(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv;
	struct record_info rec;
	size_t first = 0, n = 0;

	first_round(fx, "2020-R1", "4", true);
	iv = begin_round(fx, "BJ-0001", "2020-R2");
	/* Marked questions come back, marked; the others start empty. */
	assert_string_equal(interview_value(iv, idx(iv, "size"), 0), "4");
	assert_string_equal(interview_carried(iv, idx(iv, "size"), 0), "2020-R1");
	assert_string_equal(interview_value(iv, idx(iv, "work"), 0), "yes");
	assert_null(interview_value(iv, idx(iv, "note"), 0));
	assert_null(interview_carried(iv, idx(iv, "note"), 0));
	assert_int_equal(interview_entries(iv, iv->form->questions[idx(iv,
	    "age")]->repeat), 2);
	assert_string_equal(interview_value(iv, idx(iv, "age"), 2), "8");

	/* Not finalized while one is neither confirmed nor changed. */
	assert_int_equal(interview_problems(iv, &first), 4);
	assert_int_equal(interview_finalize(iv, &first, &n, NULL), 1);
	assert_int_equal(n, 4);
	answer_ok(iv, "size", "4");			/* confirmed */
	assert_null(interview_carried(iv, idx(iv, "size"), 0));
	answer_ok(iv, "work", "no");			/* changed */
	assert_null(interview_carried(iv, idx(iv, "work"), 0));
	assert_int_equal(interview_problems(iv, &first), 2);

	/* The marks are in the database: a resumed draft still shows them. */
	assert_int_equal(store_record_get(fx->s, iv->record, &rec, NULL), 0);
	interview_free(iv);
	iv = interview_resume(fx->s, &rec, NULL);
	assert_non_null(iv);
	take(iv, false, STORE_CLAIMED);
	assert_null(interview_carried(iv, idx(iv, "size"), 0));
	assert_string_equal(interview_carried(iv, idx(iv, "age"), 1), "2020-R1");
	answer_in(iv, "age", 1, "35");
	answer_in(iv, "age", 2, "8");
	answer_ok(iv, "why", "factory closed");
	assert_int_equal(interview_finalize(iv, &first, &n, NULL), 0);
	interview_free(iv);
	store_record_clear(&rec);
}

static void
nothing_is_carried_without_a_previous_round(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv;

	/* A draft is not a source, nor is the same round, nor another
	 * household, nor an interview without a household or round. */
	first_round(fx, "2020-R1", "4", false);
	first_round(fx, "2020-R2", "5", true);
	iv = begin_round(fx, "BJ-0001", "2020-R2");
	assert_null(interview_value(iv, idx(iv, "size"), 0));
	interview_free(iv);
	iv = begin_round(fx, "BJ-0002", "2020-R3");
	assert_null(interview_value(iv, idx(iv, "size"), 0));
	interview_free(iv);
	iv = begin_round(fx, NULL, "2020-R3");
	assert_null(interview_value(iv, idx(iv, "size"), 0));
	interview_free(iv);
	iv = begin_round(fx, "bj-0001", NULL);
	assert_null(interview_value(iv, idx(iv, "size"), 0));
	interview_free(iv);
	/* The latest other round is the source. */
	iv = begin_round(fx, "bj-0001", "2020-R3");
	assert_string_equal(interview_value(iv, idx(iv, "size"), 0), "5");
	assert_string_equal(interview_carried(iv, idx(iv, "size"), 0), "2020-R2");
	interview_free(iv);
}

static void
timeline_shows_rounds_and_needs(void **state)
{
	struct fixture *fx = *state;
	struct household h;
	struct household_entry *tl;
	struct interview *iv;
	size_t n, first, nbad;

	memset(&h, 0, sizeof h);
	h.code = xstrdup("BJ-0001");
	assert_int_equal(household_add(fx->s, &h, NULL), 0);
	first_round(fx, "2020-R1", "4", true);
	iv = begin_round(fx, "BJ-0001", "2020-R2");
	answer_ok(iv, "size", "4");
	answer_ok(iv, "work", "no");
	answer_ok(iv, "why", "factory closed");
	answer_in(iv, "age", 1, "35");
	answer_in(iv, "age", 2, "9");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	interview_free(iv);
	assert_int_equal(household_timeline(fx->s, &h, "en", &tl, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(tl[0].status, "registered");
	assert_string_equal(tl[1].round, "2020-R1");
	assert_null(tl[1].detail);		/* no need flagged */
	assert_string_equal(tl[2].round, "2020-R2");
	assert_string_equal(tl[2].form, "p");
	assert_string_equal(tl[2].status, "finalized");
	assert_string_equal(tl[2].detail, "Livelihood");
	household_timeline_free(tl, n);
	household_clear(&h);
}


/* Eight questions, for two sessions of one draft. */
static const char eight_yaml[] =
    "form: eight\nversion: \"1\"\ntitle: Eight\nbody:\n"
    "  - {name: q1, type: text, label: Q1}\n"
    "  - {name: q2, type: text, label: Q2}\n"
    "  - {name: q3, type: text, label: Q3}\n"
    "  - {name: q4, type: text, label: Q4}\n"
    "  - {name: q5, type: text, label: Q5}\n"
    "  - {name: q6, type: text, label: Q6}\n"
    "  - {name: q7, type: text, label: Q7}\n"
    "  - {name: q8, type: text, label: Q8}\n";

/* The draft as the store lists it. */
static struct record_info
only_draft(struct store *s)
{
	struct record_info *recs, one;
	size_t n;

	assert_int_equal(store_records_list(s, STORE_DRAFTS, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	one = recs[0];
	free(recs);
	return one;
}

/* Whether the stored XML instance of rec holds <name>value</name>. */
static bool
xml_holds(struct store *s, int64_t rec, const char *name, const char *value)
{
	char *cause = NULL, *xml = store_record_xml(s, rec, &cause);
	char *want = xasprintf("<%s>%s</%s>", name, value, name);
	bool found = xml != NULL && strstr(xml, want) != NULL;

	free(want);
	free(xml);
	return found;
}

/* The failure seen in the field: a phone reconnects, so the same draft is
 * open in two sessions; one saves answers 4-8 while the other, holding
 * answers 1-3 from when it opened, finalizes. What --upload sends must
 * never lack answers that the database has. */
static void
two_sessions_never_finalize_stale_answers(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/d.db", fx->dir), *why = NULL, *cause = NULL;
	struct store *other = store_open(path, NULL);
	struct interview *iv, *a, *b;
	struct record_info rec;
	size_t first, nbad, i;
	char name[4], value[8];
	int rc;

	assert_non_null(other);
	iv = interview_begin(fx->s, test_form_parse(eight_yaml,
	    sizeof eight_yaml - 1), NULL, NULL, NULL, "liu", &cause);
	assert_non_null(iv);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof name, "q%zu", i);
		snprintf(value, sizeof value, "a%zu", i);
		answer_ok(iv, name, value);
	}
	interview_free(iv);		/* the connection dropped */

	rec = only_draft(fx->s);
	a = interview_resume(fx->s, &rec, &cause);	/* the old session */
	assert_non_null(a);
	take(a, false, STORE_CLAIMED);
	b = interview_resume(other, &rec, &cause);	/* the phone again */
	assert_non_null(b);
	take(b, false, STORE_HELD);	/* told; then takes it over */
	take(b, true, STORE_CLAIMED_OVER);
	for (i = 4; i <= 8; i++) {
		snprintf(name, sizeof name, "q%zu", i);
		snprintf(value, sizeof value, "a%zu", i);
		go_to(b, name, 0);
		assert_int_equal(interview_answer(b, value, true, "en", &why,
		    &cause), 0);
	}
	rc = interview_finalize(a, &first, &nbad, &cause);
	/* The old session did not see answers 4-8: it may not finalize. */
	assert_int_not_equal(rc, 0);
	assert_int_equal(store_count(fx->s, "finalized"), 0);
	assert_true(a->lost);
	assert_non_null(strstr(cause, "another session took this draft over"));
	free(cause);
	cause = NULL;
	interview_free(a);
	/* The session that has them finalizes, and the instance holds all. */
	assert_int_equal(interview_finalize(b, &first, &nbad, &cause), 0);
	for (i = 1; i <= 8; i++) {
		snprintf(name, sizeof name, "q%zu", i);
		snprintf(value, sizeof value, "a%zu", i);
		if (!xml_holds(fx->s, rec.id, name, value))
			fail_msg("the stored XML lacks %s=%s", name, value);
	}
	interview_free(b);
	store_record_clear(&rec);
	store_close(other);
	free(path);
}

/* Answers committed by another handle while this session holds the draft
 * (as --import can write them): finalize reads what is committed, shows
 * it rather than finalize what the interviewer did not see, and the
 * instance then holds every answer. */
static void
finalize_builds_from_what_is_committed(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/d.db", fx->dir), *cause = NULL;
	struct store *other = store_open(path, NULL);
	struct interview *iv;
	size_t first, nbad, i;
	char name[4], value[8];
	int64_t rec;

	assert_non_null(other);
	iv = interview_begin(fx->s, test_form_parse(eight_yaml,
	    sizeof eight_yaml - 1), NULL, NULL, NULL, "liu", &cause);
	assert_non_null(iv);
	rec = iv->record;
	answer_ok(iv, "q1", "a1");
	answer_ok(iv, "q2", "a2");
	for (i = 2; i <= 8; i++) {
		snprintf(name, sizeof name, "q%zu", i);
		snprintf(value, sizeof value, "b%zu", i);
		assert_int_equal(store_answer_save(other, rec, name, 0, value, NULL,
		    NULL), 0);
	}
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 2);
	assert_int_equal(store_count(fx->s, "draft"), 1);
	/* The session shows what is committed now, its place kept. */
	assert_string_equal(interview_value(iv, (size_t)idx(iv, "q2"), 0), "b2");
	assert_string_equal(interview_value(iv, (size_t)idx(iv, "q8"), 0), "b8");
	assert_int_equal(interview_step(iv)->q, idx(iv, "q2"));
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	assert_true(xml_holds(fx->s, rec, "q1", "a1"));
	for (i = 2; i <= 8; i++) {
		snprintf(name, sizeof name, "q%zu", i);
		snprintf(value, sizeof value, "b%zu", i);
		if (!xml_holds(fx->s, rec, name, value))
			fail_msg("the stored XML lacks %s=%s", name, value);
	}
	interview_free(iv);
	store_close(other);
	free(path);
}

/* A session whose draft was taken over is stopped at its next save, with a
 * message that says where the draft is open now, and overwrites nothing. */
static void
taken_over_session_cannot_overwrite(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/d.db", fx->dir), *why = NULL, *cause = NULL;
	struct store *other = store_open(path, NULL);
	struct interview *a, *b;
	struct record_info rec;
	struct holder now;
	size_t first, nbad;

	assert_non_null(other);
	a = interview_begin(fx->s, test_form_parse(eight_yaml,
	    sizeof eight_yaml - 1), NULL, NULL, NULL, "liu", &cause);
	assert_non_null(a);
	answer_ok(a, "q1", "from a");
	assert_int_equal(interview_check_hold(a, &now, NULL), 0);
	rec = only_draft(fx->s);
	b = interview_resume(other, &rec, &cause);
	assert_non_null(b);
	take(b, true, STORE_CLAIMED_OVER);
	answer_ok(b, "q1", "from b");

	/* The old session is told as soon as it looks, and who has it... */
	assert_int_equal(interview_check_hold(a, &now, NULL), 1);
	assert_true(a->lost);
	assert_string_equal(now.token, b->me->token);
	assert_string_equal(now.login, b->me->login);
	holder_clear(&now);
	/* ...and every write of it is refused, naming where it is open. */
	go_to_fails(a, "q2");
	assert_int_equal(interview_answer(a, "from a again", true, "en", &why,
	    &cause), -1);
	assert_non_null(strstr(cause, "another session took this draft over ("));
	assert_non_null(strstr(cause, b->me->login));	/* who: the login */
	free(cause);
	cause = NULL;
	assert_int_equal(interview_finalize(a, &first, &nbad, &cause), -1);
	free(cause);
	cause = NULL;
	interview_free(a);	/* leaving does not let b's hold go */
	answer_ok(b, "q2", "b again");
	assert_int_equal(interview_check_hold(b, &now, NULL), 0);
	assert_int_equal(interview_finalize(b, &first, &nbad, &cause), 0);
	assert_true(xml_holds(fx->s, rec.id, "q1", "from b"));
	interview_free(b);
	store_record_clear(&rec);
	store_close(other);
	free(path);
}

/* A session killed (kill -9, a dropped connection the system ended) does
 * not lock its draft forever: the next one takes it without asking. */
static void
dead_session_does_not_lock_the_draft(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/d.db", fx->dir), *cause = NULL;
	struct interview *iv;
	struct record_info rec;
	struct holder was;
	int status;
	pid_t pid;

	iv = interview_begin(fx->s, test_form_parse(eight_yaml,
	    sizeof eight_yaml - 1), NULL, NULL, NULL, "liu", &cause);
	assert_non_null(iv);
	answer_ok(iv, "q1", "a1");
	interview_free(iv);
	rec = only_draft(fx->s);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *s = store_open(path, NULL);
		struct interview *child = s ? interview_resume(s, &rec, NULL) : NULL;
		struct holder before;

		if (child == NULL || interview_take(child, false, &before, NULL) !=
		    STORE_CLAIMED)
			_exit(3);
		raise(SIGKILL);	/* dies holding the draft */
		_exit(4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	iv = interview_resume(fx->s, &rec, &cause);
	assert_non_null(iv);
	assert_int_equal(interview_take(iv, false, &was, &cause),
	    STORE_CLAIMED_GONE);
	assert_int_equal(was.pid, pid);
	holder_clear(&was);
	answer_ok(iv, "q2", "a2");
	interview_free(iv);
	store_record_clear(&rec);
	free(path);
}


/* A session alone is never told that its answers changed elsewhere: what
 * it holds in memory after answers, calculations, carried answers and a
 * deleted repeat entry is what the database holds. */
static void
alone_never_told_of_changes_elsewhere(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv;
	const struct group *m;
	size_t first, n;

	first_round(fx, "2020-R1", "4", true);
	iv = begin_round(fx, "BJ-0001", "2020-R2");
	m = iv->form->questions[idx(iv, "age")]->repeat;
	answer_in(iv, "age", 2, "9");		/* changed: no longer marked */
	assert_int_equal(interview_delete_entry(iv, m, 1, NULL), 0);
	assert_string_equal(interview_value(iv, (size_t)idx(iv, "age"), 1), "9");
	assert_null(interview_carried(iv, (size_t)idx(iv, "age"), 1));
	/* Refused for the marks left (size, work), not for a change. */
	assert_int_equal(interview_finalize(iv, &first, &n, NULL), 1);
	answer_ok(iv, "size", "4");
	answer_ok(iv, "work", "no");
	answer_ok(iv, "why", "closed");
	assert_int_equal(interview_finalize(iv, &first, &n, NULL), 0);
	interview_free(iv);
}

static const char register_yaml[] =
    "form: reg\nversion: \"1\"\ntitle: Reg\nbody:\n"
    "  - {name: day, type: date, label: Date of the visit, default: today}\n"
    "  - {name: head, type: text, label: Name, required: true,\n"
    "     from_household: head}\n"
    "  - {name: phone, type: text, label: Phone, from_household: phone,\n"
    "     constraint: \"regex(., '1[3-9][0-9]{9}')\",\n"
    "     constraint_message: Enter a mobile number}\n"
    "  - {name: where, type: text, label: Address, from_household: address}\n"
    "  - {name: size, type: integer, label: Size}\n";

static void
register_household(struct fixture *fx, const char *code, const char *head,
    const char *phone)
{
	struct household h = { 0 };
	char *cause = NULL;

	h.code = xstrdup(code);
	h.head = xstrdup(head);
	h.phone = xstrdup(phone);
	if (household_add(fx->s, &h, &cause) != 0)
		fail_msg("%s", cause);
	household_clear(&h);
}

/* The events of a household, "what: detail" one a line. */
static char *
events_of(struct fixture *fx, const char *code)
{
	struct household h;
	struct household_entry *v;
	struct buf b = { 0 };
	size_t n, i;

	assert_int_equal(household_get(fx->s, code, &h, NULL), 0);
	assert_int_equal(household_timeline(fx->s, &h, "en", &v, &n, NULL), 0);
	buf_adds(&b, "");
	for (i = 0; i < n; i++)
		if (v[i].record == 0)
			buf_printf(&b, "%s: %s\n", v[i].status,
			    v[i].detail ? v[i].detail : "");
	household_timeline_free(v, n);
	household_clear(&h);
	return buf_steal(&b);
}

/* The register and the questionnaire agree: questions marked
 * from_household start from the register, marked until confirmed; a
 * corrected phone reaches the register when the interview is finalized,
 * as the household's event "edited"; the visit date starts as today. */
static void
register_fills_and_learns(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv;
	struct household h;
	size_t first = 0, n = 0;
	char today[11], *v, *events;

	register_household(fx, "BJ-0042", "张秀英", "138 1234 5678");
	iv = interview_begin(fx->s, test_form_parse(register_yaml,
	    sizeof register_yaml - 1), "BJ-0042", "2020-R2", "beijing", "liu",
	    NULL);
	assert_non_null(iv);
	assert_string_equal(interview_value(iv, idx(iv, "head"), 0), "张秀英");
	assert_string_equal(interview_value(iv, idx(iv, "phone"), 0),
	    "13812345678");
	assert_string_equal(interview_carried(iv, idx(iv, "phone"), 0),
	    INTERVIEW_FROM_HOUSEHOLD);
	assert_null(interview_value(iv, idx(iv, "where"), 0));	/* none */
	assert_null(interview_carried(iv, idx(iv, "where"), 0));
	/* Today's date is where the date starts, not an answer yet. */
	expr_date_string(expr_today(), today);
	assert_string_equal(v = interview_default(iv, (size_t)idx(iv, "day")),
	    today);
	free(v);
	assert_null(interview_value(iv, idx(iv, "day"), 0));

	/* Not finalized while the prefilled answers are not confirmed. */
	assert_int_equal(interview_finalize(iv, &first, &n, NULL), 1);
	assert_int_equal(n, 2);
	answer_ok(iv, "head", "张秀英");			/* confirmed */
	answer_ok(iv, "phone", "１３９ ８７６５ ４３２１");	/* corrected */
	assert_string_equal(interview_value(iv, idx(iv, "phone"), 0),
	    "13987654321");
	answer_ok(iv, "size", "３");
	assert_string_equal(interview_value(iv, idx(iv, "size"), 0), "3");
	/* Not yet in the register: a draft changes nothing there. */
	assert_int_equal(household_get(fx->s, "BJ-0042", &h, NULL), 0);
	assert_string_equal(h.phone, "13812345678");
	household_clear(&h);
	assert_int_equal(interview_finalize(iv, &first, &n, NULL), 0);
	interview_free(iv);

	assert_int_equal(household_get(fx->s, "BJ-0042", &h, NULL), 0);
	assert_string_equal(h.phone, "13987654321");
	assert_string_equal(h.head, "张秀英");
	assert_null(h.address);
	household_clear(&h);
	events = events_of(fx, "BJ-0042");
	assert_string_equal(events, "registered: \n"
	    "edited: phone: 13812345678 -> 13987654321\n");
	free(events);
}

/* A register value that the form's rules refuse is left unanswered, and
 * the interviewer is told why. */
static void
register_value_refused_is_explained(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv;
	char *note;

	register_household(fx, "BJ-0043", "王芳", "010 6512 3456");
	iv = interview_begin(fx->s, test_form_parse(register_yaml,
	    sizeof register_yaml - 1), "BJ-0043", NULL, "beijing", "liu", NULL);
	assert_non_null(iv);
	assert_string_equal(interview_value(iv, idx(iv, "head"), 0), "王芳");
	assert_null(interview_value(iv, idx(iv, "phone"), 0));
	assert_null(interview_carried(iv, idx(iv, "phone"), 0));
	note = interview_household_note(iv, (size_t)idx(iv, "phone"), 0, "en");
	assert_non_null(note);
	assert_non_null(strstr(note, "01065123456"));
	assert_non_null(strstr(note, "Enter a mobile number"));
	free(note);
	assert_null(interview_household_note(iv, (size_t)idx(iv, "head"), 0,
	    "en"));
	interview_free(iv);
	/* Without a household, nothing is filled. */
	iv = interview_begin(fx->s, test_form_parse(register_yaml,
	    sizeof register_yaml - 1), NULL, NULL, "beijing", "liu", NULL);
	assert_non_null(iv);
	assert_null(interview_value(iv, idx(iv, "head"), 0));
	interview_free(iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(register_fills_and_learns, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(register_value_refused_is_explained,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(one_commit_per_question, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(relevance_skips_and_keeps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(calculations_follow_their_inputs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(repeats_by_count_and_by_asking, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(finalize_names_what_is_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(drafts_list_counts_as_draft_saved,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(resume_where_left_on_the_same_form,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(export_is_the_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_for_spreadsheets, setup, teardown),
		cmocka_unit_test_setup_teardown(ten_thousand_questions, setup, teardown),
		cmocka_unit_test_setup_teardown(import_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(second_round_starts_from_the_first,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    nothing_is_carried_without_a_previous_round, setup, teardown),
		cmocka_unit_test_setup_teardown(timeline_shows_rounds_and_needs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    two_sessions_never_finalize_stale_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    finalize_builds_from_what_is_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    taken_over_session_cannot_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    dead_session_does_not_lock_the_draft, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    alone_never_told_of_changes_elsewhere, setup, teardown),
	};

	return cmocka_run_group_tests_name("interview", tests, NULL, NULL);
}
