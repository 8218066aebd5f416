/* What --import lets in: a record another site exported comes in as it
 * was, once; a record the form would not have let an interviewer write is
 * refused whole, with FILE:LINE and the question, and the rest go on. */
#include "helpers.h"

#include "../core/household.h"
#include "../core/import.h"
#include "../core/store.h"
#include "../core/util.h"

#define FORM_PATH "tests/forms/import/strict.yaml"

struct fixture {
	char *dir;
	struct store *s;
	struct form *form;
	struct buf notes;
	struct import_summary sum;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct diags d;

	fx->s = test_store_new(&fx->dir);
	diags_init(&d, FORM_PATH);
	fx->form = form_load(FORM_PATH, &d);
	if (fx->form == NULL)
		test_print_diags(&d);
	diags_free(&d);
	*state = fx;
	return fx->s == NULL || fx->form == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	form_free(fx->form);
	buf_free(&fx->notes);
	test_store_free(fx->s, fx->dir);
	free(fx);
	return 0;
}

static void
collect(void *ctx, const char *msg)
{
	struct buf *b = ctx;

	buf_adds(b, msg);
	buf_addc(b, '\n');
}

/* Imports text as the file t.jsonl, with the test form in the forms
 * folder; the messages go to fx->notes. */
static void
import_with(struct fixture *fx, const char *text, size_t len,
    const struct form *folder)
{
	const struct form *forms[1];
	char *cause = NULL;
	FILE *in = fmemopen((void *)(uintptr_t)text, len, "r");

	assert_non_null(in);
	forms[0] = folder;
	fx->notes.len = 0;
	if (fx->notes.data != NULL)
		fx->notes.data[0] = '\0';
	assert_int_equal(import_jsonl(fx->s, in, "t.jsonl", forms, 1, "en",
	    collect, &fx->notes, &fx->sum, &cause), 0);
	assert_null(cause);
	fclose(in);
}

static void
import_text(struct fixture *fx, const char *text)
{
	import_with(fx, text, strlen(text), fx->form);
}

/* A record of the test form, number nn, with these answers; field, when
 * not NULL, is "key":value put in place of that key's usual value. */
static char *
record_with(int nn, const char *status, const char *answers,
    const char *field)
{
	static const char *const keys[] = {
		"instance_id", "form", "form_version", "status", "household", "round",
		"site", "interviewer", "started_at", "finalized_at",
	};
	char id[48];
	const char *values[ARRAY_LEN(keys)];
	struct buf b = { 0 };
	size_t k;

	snprintf(id, sizeof id, "uuid:00000000-0000-4000-8000-%012d", nn);
	values[0] = id;
	values[1] = "strict";
	values[2] = "1";
	values[3] = status;
	values[4] = "BJ-0001";
	values[5] = "2020-R1";
	values[6] = "beijing";
	values[7] = "liu";
	values[8] = "2020-03-01T10:00:00+08:00";
	values[9] = "2020-03-01T10:30:00+08:00";
	buf_addc(&b, '{');
	for (k = 0; k < ARRAY_LEN(keys); k++) {
		size_t n = strlen(keys[k]);

		if (field != NULL && strncmp(field + 1, keys[k], n) == 0 &&
		    field[n + 1] == '"')
			buf_adds(&b, field);
		else
			buf_printf(&b, "\"%s\":\"%s\"", keys[k], values[k]);
		buf_addc(&b, ',');
	}
	buf_printf(&b, "\"answers\":%s}\n", answers);
	return buf_steal(&b);
}

static char *
record(int nn, const char *status, const char *answers)
{
	return record_with(nn, status, answers, NULL);
}

static bool
stored(struct fixture *fx, int nn)
{
	char id[48];
	int64_t row = 0;

	snprintf(id, sizeof id, "uuid:00000000-0000-4000-8000-%012d", nn);
	assert_int_equal(store_record_find(fx->s, id, &row, NULL), 0);
	return row != 0;
}

static bool
told(const struct fixture *fx, const char *text)
{
	if (fx->notes.data != NULL && strstr(fx->notes.data, text) != NULL)
		return true;
	print_message("notes were:\n%s\n", fx->notes.data ? fx->notes.data : "");
	return false;
}

/* One record refused: nothing of it stored, and the message names the
 * line and what is wrong. */
static void
refused_with(struct fixture *fx, const char *status, const char *answers,
    const char *message)
{
	char *line = record(7, status, answers);

	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.refused, 1);
	assert_int_equal(fx->sum.imported, 0);
	assert_false(stored(fx, 7));
	assert_true(told(fx, "t.jsonl:1: "));
	assert_true(told(fx, message));
	assert_int_equal(store_count(fx->s, "finalized"), 0);
}

static void
a_good_record_comes_in(void **state)
{
	struct fixture *fx = *state;
	char *line = record(1, "finalized", "{\"consent\":\"yes\",\"size\":4,"
	    "\"visit_date\":\"2020-03-01\",\"phone\":\"13812345678\","
	    "\"rent\":800.5,\"notes\":null,\"visits\":[{\"visit_day\":"
	    "\"2020-03-02\"}],\"visits_made\":1}");

	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.imported, 1);
	assert_int_equal(fx->sum.refused, 0);
	assert_true(stored(fx, 1));
	assert_int_equal(store_count(fx->s, "finalized"), 1);
}

static void
a_number_must_be_a_number(void **state)
{
	refused_with(*state, "finalized", "{\"consent\":\"yes\",\"size\":\"abc\"}",
	    "question 'size': enter a whole number");
}

static void
a_number_must_meet_the_constraint(void **state)
{
	refused_with(*state, "finalized", "{\"consent\":\"yes\",\"size\":999}",
	    "question 'size': Enter 1 to 20");
}

static void
a_choice_must_be_one_of_the_list(void **state)
{
	refused_with(*state, "draft", "{\"consent\":\"maybe\"}",
	    "question 'consent': that is not one of the choices");
}

static void
a_date_must_be_a_real_day(void **state)
{
	refused_with(*state, "draft", "{\"consent\":\"yes\",\"visit_date\":"
	    "\"2020-13-45\"}", "question 'visit_date': ");
}

static void
a_phone_must_match_the_forms_pattern(void **state)
{
	refused_with(*state, "draft", "{\"consent\":\"yes\",\"phone\":\"12345\"}",
	    "question 'phone': Enter an 11-digit mobile number");
}

static void
a_repeat_holds_at_most_its_limit(void **state)
{
	struct buf b = { 0 };
	int i;

	buf_adds(&b, "{\"consent\":\"yes\",\"visits\":[");
	for (i = 0; i < 150; i++)
		buf_adds(&b, i ? ",{\"visit_day\":null}" : "{\"visit_day\":null}");
	buf_adds(&b, "]}");
	refused_with(*state, "draft", b.data, "repeat 'visits' has 150 entries; a "
	    "repeat holds at most 100");
	buf_free(&b);
}

static void
a_finalized_record_answers_what_is_required(void **state)
{
	struct fixture *fx = *state;
	char *line;

	refused_with(fx, "finalized", "{\"consent\":\"yes\"}",
	    "question 'size': this question needs an answer");
	/* A draft may be left unfinished, as in the interview program. */
	line = record(8, "draft", "{\"consent\":\"yes\"}");
	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.imported, 1);
	assert_true(stored(fx, 8));
}

static void
an_unknown_question_refuses_the_record(void **state)
{
	struct fixture *fx = *state;

	refused_with(fx, "draft", "{\"consent\":\"yes\",\"size\":4,\"sise\":5}",
	    "unknown question 'sise'");
	refused_with(fx, "draft", "{\"consent\":\"yes\",\"visits\":[{\"visit_dya\":"
	    "\"2020-03-02\"}]}", "unknown question 'visit_dya' in entry 1 of "
	    "repeat 'visits'");
}

/* What the line editor would not take, and a choice ticked twice. */
static void
an_answer_is_what_could_be_typed(void **state)
{
	struct fixture *fx = *state;
	char *line;

	refused_with(fx, "draft", "{\"consent\":\"yes\",\"notes\":"
	    "\"ok\\u001b]0;pwned\\u0007\"}", "question 'notes': an answer "
	    "cannot hold control characters or escape sequences");
	refused_with(fx, "draft", "{\"consent\":\"yes\",\"help\":[\"food\","
	    "\"food\"]}", "question 'help': that choice is given twice");
	line = record(9, "draft", "{\"consent\":\"yes\",\"help\":[\"food\","
	    "\"rent\"]}");
	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.imported, 1);
}

static void
a_question_not_asked_takes_no_answer(void **state)
{
	refused_with(*state, "draft", "{\"consent\":\"no\",\"size\":4}",
	    "question 'size' is not asked when the other answers are as given "
	    "(relevant: ${consent} = 'yes')");
}

/* Household codes, rounds, instance IDs and the other fields around the
 * answers: clean, bounded, of their shape; each bad line is refused and
 * the others still come in. */
static void
the_fields_around_the_answers_are_clean(void **state)
{
	static const char *const bad[] = {
		"\"household\":\"BJ-0001\\u001b[2J\"",
		"\"round\":\"2020-R1\\u0007\"",
		"\"instance_id\":\"uuid:\\u001b]0;pwned\\u0007\"",
		"\"instance_id\":\"uuid:not-a-uuid\"",
		"\"site\":\"beijing\\u001b[31m\"",
		"\"interviewer\":\"liu\\r\\nroot\"",
		"\"status\":\"done\"",
		"\"started_at\":\"yesterday\"",
		"\"site\":\"" "0123456789012345678901234567890123456789"
		    "012345678901234567890123456789\"",
	};
	struct fixture *fx = *state;
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		char *line = record_with((int)i + 10, "draft", "{\"consent\":\"yes\"}",
		    bad[i]);

		buf_adds(&b, line);
		free(line);
	}
	{
		char *good = record(99, "draft", "{\"consent\":\"yes\"}");

		buf_adds(&b, good);
		free(good);
	}
	import_text(fx, b.data);
	buf_free(&b);
	assert_int_equal(fx->sum.refused, (long)ARRAY_LEN(bad));
	assert_int_equal(fx->sum.imported, 1);
	assert_true(stored(fx, 99));
	for (i = 0; i < ARRAY_LEN(bad); i++)
		assert_false(stored(fx, (int)i + 10));
	assert_true(told(fx, "t.jsonl:1: household: a household code holds only"));
	assert_true(told(fx, "t.jsonl:2: round: a round name is one word"));
	assert_true(told(fx, "t.jsonl:3: instance_id must be \"uuid:\" and a "
	    "version 4 UUID"));
	assert_true(told(fx, "t.jsonl:4: instance_id must be"));
	assert_true(told(fx, "t.jsonl:5: site must be plain text"));
	assert_true(told(fx, "t.jsonl:6: interviewer must be plain text"));
	assert_true(told(fx, "t.jsonl:7: status must be draft, finalized"));
	assert_true(told(fx, "t.jsonl:8: started_at must be a time"));
	assert_true(told(fx, "t.jsonl:9: site must be plain text of at most 64"));
	/* No escape byte from the file in any message. */
	assert_null(strchr(fx->notes.data, '\033'));
}

/* A line longer than the bound is refused without being kept whole; an
 * answer longer than the line editor takes is refused too. */
static void
a_long_line_is_refused_and_the_next_read(void **state)
{
	struct fixture *fx = *state;
	size_t big = IMPORT_MAX_LINE + 4096, n;
	char *head = record(20, "draft", "{\"consent\":\"yes\",\"notes\":\"");
	char *good = record(21, "draft", "{\"consent\":\"yes\"}");
	char *text, *line;
	struct buf b = { 0 };
	int i;

	/* head ends in "notes":"}\n: keep it to the opening quote. */
	n = strlen(head) - 2;
	text = malloc(n + big + strlen(good) + 8);
	assert_non_null(text);
	memcpy(text, head, n);
	memset(text + n, 'x', big);
	memcpy(text + n + big, "\"}}\n", 4);
	memcpy(text + n + big + 4, good, strlen(good));
	import_with(fx, text, n + big + 4 + strlen(good), fx->form);
	free(text);
	assert_int_equal(fx->sum.refused, 1);
	assert_int_equal(fx->sum.imported, 1);
	assert_false(stored(fx, 20));
	assert_true(stored(fx, 21));
	assert_true(told(fx, "t.jsonl:1: the line is longer than 1048576 bytes"));

	/* 5000 characters: a short line, but more than one answer holds. */
	buf_adds(&b, "{\"consent\":\"yes\",\"notes\":\"");
	for (i = 0; i < 5000; i++)
		buf_addc(&b, 'y');
	buf_adds(&b, "\"}");
	line = record(22, "draft", b.data);
	import_text(fx, line);
	assert_int_equal(fx->sum.refused, 1);
	assert_false(stored(fx, 22));
	assert_true(told(fx, "question 'notes': an answer holds at most 4096 "
	    "characters"));
	free(line);
	buf_free(&b);
	free(head);
	free(good);
}

/* A refused record leaves nothing: not its household, not its form
 * version. */
static void
a_refused_record_leaves_nothing(void **state)
{
	struct fixture *fx = *state;
	struct household h;
	int64_t ref = 0;
	char *line = record(30, "finalized", "{\"consent\":\"yes\",\"size\":999}");

	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.refused, 1);
	assert_int_equal(fx->sum.households, 0);
	assert_int_equal(household_get(fx->s, "BJ-0001", &h, NULL), 1);
	household_clear(&h);
	assert_int_equal(store_form_find(fx->s, "strict", "1", &ref, NULL), 0);
	assert_int_equal(ref, 0);
}

/* A file written by hand, imported twice: "2" and 2 are one integer, a
 * key left out is the same as null; only a real difference conflicts. */
static void
a_hand_written_file_twice_is_already_here(void **state)
{
	struct fixture *fx = *state;
	char *first = record(40, "finalized", "{\"consent\":\"yes\",\"size\":\"2\","
	    "\"rent\":\"800.50\",\"phone\":null,\"visits\":[{\"visit_day\":"
	    "\"2020-03-02\"}]}");
	char *again = record(40, "finalized", "{\"visits\":[{\"visit_day\":"
	    "\"2020-03-02\"}],\"size\":2,\"rent\":800.5,\"notes\":null,"
	    "\"consent\":\"yes\",\"visits_made\":1}");
	char *changed = record(40, "finalized", "{\"consent\":\"yes\",\"size\":3}");

	import_text(fx, first);
	assert_int_equal(fx->sum.imported, 1);
	import_text(fx, first);
	assert_int_equal(fx->sum.unchanged, 1);
	assert_int_equal(fx->sum.conflicts, 0);
	import_text(fx, again);
	assert_int_equal(fx->sum.unchanged, 1);
	assert_int_equal(fx->sum.conflicts, 0);
	import_text(fx, changed);
	assert_int_equal(fx->sum.conflicts, 1);
	assert_true(told(fx, "t.jsonl:1: uuid:00000000-0000-4000-8000-000000000040 "
	    "is already here with different answers"));
	free(first);
	free(again);
	free(changed);
}

/* The form version in the store decides, not a file of the same id and
 * version edited since. */
static void
the_stored_form_version_decides(void **state)
{
	struct fixture *fx = *state;
	struct diags d;
	struct form *edited;
	int64_t ref;
	char *yaml = test_read_file(FORM_PATH), *p, *line;

	assert_int_equal(store_form_remember(fx->s, fx->form, &ref, NULL), 0);
	p = strstr(yaml, ". <= 20");
	assert_non_null(p);
	memcpy(p, ". <=200", 7);
	diags_init(&d, "edited.yaml");
	edited = form_parse(yaml, strlen(yaml), &d);
	diags_free(&d);
	assert_non_null(edited);
	line = record(50, "finalized", "{\"consent\":\"yes\",\"size\":150}");
	import_with(fx, line, strlen(line), edited);
	assert_int_equal(fx->sum.refused, 1);
	assert_false(stored(fx, 50));
	assert_true(told(fx, "question 'size': Enter 1 to 20"));
	free(line);
	form_free(edited);
	free(yaml);
}

static void
answer_into(void *ctx, const char *name, long entry, const char *value)
{
	struct buf *b = ctx;

	buf_printf(b, "%s#%ld=%s ", name, entry, value ? value : "null");
}

/* Full-width digits and Chinese date spellings come in as they would
 * have been typed: kept in the normal form (ASCII digits, YYYY-MM-DD). */
static void
full_width_and_chinese_dates_come_in_normal(void **state)
{
	struct fixture *fx = *state;
	struct buf got = { 0 };
	char *line = record(3, "finalized", "{\"consent\":\"yes\",\"size\":"
	    "\"４\",\"visit_date\":\"2020年3月1日\",\"rent\":\"８００．５\","
	    "\"visits\":[{\"visit_day\":\"2020.3.2\"}],\"visits_made\":1}");
	char id[48];
	int64_t row = 0;

	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.imported, 1);
	snprintf(id, sizeof id, "uuid:00000000-0000-4000-8000-%012d", 3);
	assert_int_equal(store_record_find(fx->s, id, &row, NULL), 0);
	assert_int_equal(store_answers_load(fx->s, row, answer_into, &got, NULL),
	    0);
	assert_non_null(strstr(got.data, "size#0=4 "));
	assert_non_null(strstr(got.data, "visit_date#0=2020-03-01 "));
	assert_non_null(strstr(got.data, "rent#0=800.5 "));
	assert_non_null(strstr(got.data, "visit_day#1=2020-03-02 "));
	buf_free(&got);
}

/* The calculations are the form's, whatever the file says, worked out
 * from the answers and the repeat's entries the record keeps; its XML
 * instance, made before anything is written, holds the same. */
static void
the_form_works_out_the_calculations(void **state)
{
	struct fixture *fx = *state;
	struct buf got = { 0 };
	char *xml, *cause = NULL, *line = record(4, "finalized",
	    "{\"consent\":\"yes\",\"size\":\"３\",\"visits\":[{\"visit_day\":"
	    "\"2020-03-02\"},{\"visit_day\":null}],\"visits_made\":7}");
	char id[48];
	int64_t row = 0;

	import_text(fx, line);
	free(line);
	assert_int_equal(fx->sum.imported, 1);
	snprintf(id, sizeof id, "uuid:00000000-0000-4000-8000-%012d", 4);
	assert_int_equal(store_record_find(fx->s, id, &row, NULL), 0);
	assert_int_equal(store_answers_load(fx->s, row, answer_into, &got, NULL),
	    0);
	assert_non_null(strstr(got.data, "visits_made#0=2 "));
	assert_non_null(strstr(got.data, "visits#0=2 "));
	assert_non_null(strstr(got.data, "size#0=3 "));
	buf_free(&got);
	xml = store_record_xml(fx->s, row, &cause);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<visits_made>2</visits_made>"));
	assert_non_null(strstr(xml, "<size>3</size>"));
	assert_non_null(strstr(xml, "<visit_day>2020-03-02</visit_day>"));
	assert_non_null(strstr(xml, "<timeStart>2020-03-01T10:00:00+08:00"
	    "</timeStart>"));
	assert_non_null(strstr(xml, "<instanceID>uuid:00000000-0000-4000-8000-"
	    "000000000004</instanceID>"));
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_good_record_comes_in, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    full_width_and_chinese_dates_come_in_normal, setup, teardown),
		cmocka_unit_test_setup_teardown(the_form_works_out_the_calculations,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_number_must_be_a_number, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_number_must_meet_the_constraint,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_choice_must_be_one_of_the_list,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_date_must_be_a_real_day, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_phone_must_match_the_forms_pattern,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_repeat_holds_at_most_its_limit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_finalized_record_answers_what_is_required, setup, teardown),
		cmocka_unit_test_setup_teardown(an_unknown_question_refuses_the_record,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_answer_is_what_could_be_typed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_question_not_asked_takes_no_answer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(the_fields_around_the_answers_are_clean,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_long_line_is_refused_and_the_next_read,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_refused_record_leaves_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_hand_written_file_twice_is_already_here, setup, teardown),
		cmocka_unit_test_setup_teardown(the_stored_form_version_decides, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, test_utf8_locale, NULL);
}
