/* The trail: each answer changed (old and new value), finalize, discard
 * with its reason, hand-over and every household event is kept with the
 * login that did it; nothing, not even SQL through doorstep's own
 * connection, changes or deletes an entry. */
#include "helpers.h"

#include <sqlite3.h>

#include "../core/household.h"
#include "../core/interview.h"
#include "../core/store.h"
#include "../core/trail.h"
#include "../core/util.h"

static const char form_yaml[] =
    "form: t\nversion: \"1\"\ntitle: T\nbody:\n"
    "  - {name: name, type: text, label: Name}\n"
    "  - {name: size, type: integer, label: Size}\n"
    "  - {name: twice, type: calculate, calculation: \"${size} * 2\"}\n";

struct fixture {
	char *dir;
	char *path;
	struct store *s;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	fx->dir = test_tmpdir();
	fx->path = xasprintf("%s/d.db", fx->dir);
	fx->s = store_open(fx->path, NULL);
	if (fx->s == NULL)
		return -1;
	trail_set_login(fx->s, "liu");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	test_store_free(fx->s, fx->dir);
	free(fx->path);
	free(fx);
	return 0;
}

static struct interview *
begin(struct fixture *fx, const char *who)
{
	struct form *f = test_form_parse(form_yaml, sizeof form_yaml - 1);
	struct interview *iv;
	char *cause = NULL;

	iv = interview_begin(fx->s, f, "BJ-0001", "R1", NULL, who, &cause);
	assert_non_null(iv);
	return iv;
}

static void
answer(struct interview *iv, size_t step, const char *typed)
{
	char *why = NULL, *cause = NULL;

	assert_int_equal(interview_go(iv, step, NULL), 0);
	assert_int_equal(interview_answer(iv, typed, true, "en", &why, &cause), 0);
}

/* The trail as lines "login what household question old>new (detail)". */
static void
to_line(void *ctx, const struct trail_row *r)
{
	struct buf *b = ctx;

	buf_printf(b, "%s %s %s %s %s>%s (%s)\n", r->login, r->what,
	    r->household ? r->household : "-", r->question ? r->question : "-",
	    r->old ? r->old : "", r->new_value ? r->new_value : "",
	    r->detail ? r->detail : "");
}

static char *
trail_text(struct fixture *fx, const char *household, const char *instance)
{
	struct buf b = { 0 };

	assert_int_equal(trail_read(fx->s, household, instance, to_line, &b,
	    NULL), 0);
	return b.data ? b.data : xstrdup("");
}

static void
answers_finalize_and_discard_are_kept(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx, "liu");
	size_t first, nbad;
	char *text, *instance = xstrdup(iv->instance_id);
	int64_t second;

	answer(iv, 0, "Liu Li");
	answer(iv, 1, "3");
	answer(iv, 1, "3");		/* the same again: no entry */
	answer(iv, 1, "4");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	interview_free(iv);
	text = trail_text(fx, NULL, instance);
	/* One entry per answer changed, old and new; not the calculation. */
	assert_string_equal(text,
	    "liu answer BJ-0001 name >Liu Li ()\n"
	    "liu answer BJ-0001 size >3 ()\n"
	    "liu answer BJ-0001 size 3>4 ()\n"
	    "liu finalize BJ-0001 - > ()\n");
	free(text);
	/* A draft discarded by a supervisor, with the reason. */
	trail_set_login(fx->s, "wang");
	iv = begin(fx, "wang");
	answer(iv, 0, "x");
	second = iv->record;
	interview_free(iv);
	trail_set_login(fx->s, "boss");
	assert_int_equal(store_draft_discard(fx->s, second, NULL, "left the "
	    "team", NULL), 0);
	text = trail_text(fx, "BJ-0001", NULL);
	assert_non_null(strstr(text, "wang answer BJ-0001 name >x ()\n"
	    "boss discard BJ-0001 - > (left the team)\n"));
	free(text);
	free(instance);
}

static void
hand_over_is_kept(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx, "liu");
	struct record_info rec;
	char *text;

	answer(iv, 0, "Liu Li");
	trail_set_login(fx->s, "boss");
	assert_int_equal(store_draft_hand_over(fx->s, iv->record, "zhang", NULL),
	    0);
	assert_int_equal(store_record_get(fx->s, iv->record, &rec, NULL), 0);
	assert_string_equal(rec.interviewer, "zhang");
	/* liu's session had it open: it can change it no more. */
	assert_int_equal(interview_go(iv, 1, NULL), -1);
	text = trail_text(fx, NULL, rec.instance_id);
	assert_non_null(strstr(text, "boss hand_over BJ-0001 - liu>zhang ()\n"));
	free(text);
	store_record_clear(&rec);
	interview_free(iv);
}

static void
household_events_are_kept(void **state)
{
	struct fixture *fx = *state;
	struct household h = { 0 };
	char *text;

	h.code = xstrdup("bj-0007");
	assert_int_equal(household_add(fx->s, &h, NULL), 0);
	free(h.head);
	h.head = xstrdup("Wang");
	assert_int_equal(household_update(fx->s, &h, NULL), 0);
	assert_int_equal(household_close(fx->s, h.id, "moved away", NULL), 0);
	trail_set_login(fx->s, "boss");
	assert_int_equal(household_reopen(fx->s, h.id, NULL), 0);
	text = trail_text(fx, "BJ-0007", NULL);
	assert_string_equal(text,
	    "liu registered BJ-0007 - > ()\n"
	    "liu edited BJ-0007 - > ()\n"
	    "liu closed BJ-0007 - > (moved away)\n"
	    "boss reopened BJ-0007 - > ()\n");
	free(text);
	household_clear(&h);
}

static const char rounds_yaml[] =
    "form: p\nversion: \"1\"\ntitle: P\nbody:\n"
    "  - {name: size, type: integer, label: S, prefill: true}\n"
    "  - repeat: visits\n    label: V\n    body:\n"
    "      - {name: when, type: text, label: W}\n";

static struct interview *
begin_round(struct fixture *fx, const char *round)
{
	struct form *f = test_form_parse(rounds_yaml, sizeof rounds_yaml - 1);
	struct interview *iv;

	iv = interview_begin(fx->s, f, "BJ-0002", round, NULL, "liu", NULL);
	assert_non_null(iv);
	return iv;
}

/* An answer carried over from the round before is kept when confirmed,
 * with that round; a repeat's entry deleted is kept too. */
static void
carried_and_deleted_entries_are_kept(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin_round(fx, "R1");
	const struct group *visits = form_repeat(iv->form, "visits");
	char *why = NULL, *text;
	size_t first, nbad;

	answer(iv, 0, "3");
	assert_int_equal(interview_finalize(iv, &first, &nbad, NULL), 0);
	interview_free(iv);
	iv = begin_round(fx, "R2");
	visits = form_repeat(iv->form, "visits");
	answer(iv, 0, "3");		/* the same, confirmed */
	assert_int_equal(interview_add_entry(iv, visits, &first, NULL), 0);
	assert_int_equal(interview_answer(iv, "May", true, "en", &why, NULL), 0);
	assert_int_equal(interview_delete_entry(iv, visits, 1, NULL), 0);
	text = trail_text(fx, NULL, iv->instance_id);
	assert_string_equal(text,
	    "liu answer BJ-0002 size 3>3 (R1)\n"
	    "liu answer BJ-0002 when[1] >May ()\n"
	    "liu entry_deleted BJ-0002 visits[1] > ()\n");
	free(text);
	interview_free(iv);
}

/* Runs sql on the database; returns SQLite's result and its message. */
static int
run_sql(const char *path, const char *sql, char **msg)
{
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, msg);
	sqlite3_close(db);
	return rc;
}

static void
entries_cannot_change_or_go(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx, "liu");
	char *msg = NULL, *text;

	answer(iv, 0, "Liu Li");
	interview_free(iv);
	assert_int_not_equal(run_sql(fx->path, "UPDATE trail SET login = 'nobody'",
	    &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	sqlite3_free(msg);
	msg = NULL;
	assert_int_not_equal(run_sql(fx->path, "DELETE FROM trail", &msg),
	    SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	sqlite3_free(msg);
	/* The entry is still there, as it was. */
	text = trail_text(fx, "BJ-0001", NULL);
	assert_string_equal(text, "liu answer BJ-0001 name >Liu Li ()\n");
	free(text);
}

static void
csv_export(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv = begin(fx, "liu");
	char *data = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&data, &len);

	answer(iv, 0, "=cmd|' /C calc'!A0, \"x\"");
	interview_free(iv);
	assert_int_equal(trail_csv(fx->s, out, "bj-0001", NULL), 1);
	fclose(out);
	assert_non_null(strstr(data, "id,at,login,what,household,instance_id,"
	    "question,old,new,detail\r\n"));
	/* A formula is not a formula to a spreadsheet; quotes are doubled. */
	assert_non_null(strstr(data, ",liu,answer,BJ-0001,uuid:"));
	assert_non_null(strstr(data, ",name,,\"'=cmd|' /C calc'!A0, \"\"x\"\"\",\r\n"));
	free(data);
	out = open_memstream(&data, &len);
	assert_int_equal(trail_csv(fx->s, out, "BJ-9999", NULL), 0);
	fclose(out);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(answers_finalize_and_discard_are_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(hand_over_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(carried_and_deleted_entries_are_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(household_events_are_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(entries_cannot_change_or_go, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(csv_export, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
