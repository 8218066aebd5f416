/* An interview from first answer to export: what is refused, what is
 * kept across a resume, and what the JSONL export holds, field by field. */
#include "helpers.h"

#include <jansson.h>

#include "../core/export.h"
#include "../core/interview.h"
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
    "  - {name: notes, type: text, label: Notes}\n";

struct fixture {
	char *dir;
	struct store *s;
};

static struct form *
mini_form(const char *yaml, size_t len)
{
	struct diags d;
	struct form *f;

	diags_init(&d, "mini.yaml");
	f = form_parse(yaml, len, &d);
	if (f == NULL)
		test_print_diags(&d);
	diags_free(&d);
	assert_non_null(f);
	return f;
}

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

static struct interview *
begin(struct fixture *fx)
{
	char *cause = NULL;
	struct interview *iv = interview_begin(fx->s, mini_form(form_yaml,
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

static void
answer_ok(struct interview *iv, const char *name, const char *typed)
{
	const char *why = NULL;
	char *cause = NULL;

	if (interview_answer(iv, (size_t)idx(iv, name), typed, -1, true, &why,
	    &cause) != 0)
		fail_msg("%s refused: %s %s", name, why ? why : "", cause ? cause : "");
}

static void
refusals(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	const char *why;
	char *cause = NULL;

	assert_int_equal(interview_answer(iv, (size_t)idx(iv, "size"), "  ", -1,
	    true, &why, &cause), 1);
	assert_string_equal(why, "this question needs an answer");
	assert_int_equal(interview_answer(iv, (size_t)idx(iv, "size"), "four", -1,
	    true, &why, &cause), 1);
	assert_string_equal(why, "enter a whole number, digits only");
	assert_int_equal(interview_answer(iv, (size_t)idx(iv, "day"), "2020-02-30",
	    -1, true, &why, &cause), 1);
	assert_string_equal(why, "there is no such day");
	/* Going back may leave a required question empty; finalize may not. */
	assert_int_equal(interview_answer(iv, (size_t)idx(iv, "size"), "", -1,
	    false, &why, &cause), 0);
	interview_free(iv);
}

static void
finalize_names_what_is_missing(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx);
	size_t first = 99, nbad = 0;

	answer_ok(iv, "size", "3");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 1);
	assert_int_equal(nbad, 1);
	assert_int_equal(first, idx(iv, "name"));
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
	const char *why;

	answer_ok(iv, "name", "王芳");
	assert_int_equal(interview_answer(iv, (size_t)idx(iv, "size"), "04",
	    idx(iv, "rent"), true, &why, &cause), 0);
	interview_free(iv);	/* as if the connection dropped here */

	assert_int_equal(store_records_list(fx->s, STORE_DRAFTS, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	again = interview_resume(fx->s, &recs[0], &cause);
	assert_non_null(again);
	assert_int_equal(again->current, idx(again, "rent"));
	assert_string_equal(interview_value(again, (size_t)idx(again, "name")),
	    "王芳");
	assert_string_equal(interview_value(again, (size_t)idx(again, "size")), "4");
	assert_null(interview_value(again, (size_t)idx(again, "rent")));
	assert_string_equal(again->form->version, "v1");
	assert_int_equal(interview_answered(again), 2);
	assert_int_equal(interview_total(again), 7);	/* the note takes none */
	interview_free(again);
	store_records_free(recs, n);
}

/* Runs the export into memory and parses each line. */
static json_t **
export_lines(struct store *s, bool all, size_t *count)
{
	char *text = NULL, *line, *save = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	json_t **v = NULL;

	assert_int_equal(export_jsonl(s, mem, all, NULL) >= 0, 1);
	fclose(mem);
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
	answer_ok(iv, "size", "4");
	answer_ok(iv, "rent", "1200.5");
	answer_ok(iv, "day", "2020/2/26");
	answer_ok(iv, "debts", "online_loan relatives");
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
	assert_int_equal(json_integer_value(json_object_get(a, "size")), 4);
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
	for (i = 0; i < n; i++)
		json_decref(lines[i]);
	free(lines);
	interview_free(iv);
	interview_free(draft);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(finalize_names_what_is_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(resume_where_left_on_the_same_form,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(export_is_the_contract, setup, teardown),
	};

	return cmocka_run_group_tests_name("interview", tests, NULL, NULL);
}
