/* The household register: codes the staff can say aloud and that never
 * collide, search by any part of a name or phone number, follow-up dates,
 * and closing a case without losing its history. */
#include "helpers.h"

#include "../core/expr.h"
#include "../core/form.h"
#include "../core/household.h"
#include "../core/phone.h"
#include "../core/pinyin.h"
#include "../core/store.h"
#include "../core/store-impl.h"
#include "../core/util.h"

struct fixture {
	char *dir;
	struct store *s;
	int64_t ref;		/* a stored form version, for records */
};

static const char form_yaml[] =
    "form: t\nversion: \"1\"\ntitle: T\nbody:\n"
    "  - {name: a, type: text, label: A}\n";

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct form *f = test_form_parse(form_yaml, sizeof form_yaml - 1);

	if ((fx->s = test_store_new(&fx->dir)) == NULL ||
	    store_form_remember(fx->s, f, &fx->ref, NULL) != 0)
		return -1;
	form_free(f);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	test_store_free(fx->s, fx->dir);
	free(fx);
	return 0;
}

/* Registers a household; returns its id. */
static int64_t
add(struct fixture *fx, const char *code, const char *head, const char *phone,
    const char *address, const char *next_visit)
{
	struct household h = { 0 };
	char *cause = NULL;
	int64_t id;

	h.code = xstrdup(code);
	h.head = head ? xstrdup(head) : NULL;
	h.phone = phone ? xstrdup(phone) : NULL;
	h.address = address ? xstrdup(address) : NULL;
	h.next_visit = next_visit ? xstrdup(next_visit) : NULL;
	h.site = xstrdup("beijing");
	if (household_add(fx->s, &h, &cause) != 0)
		fail_msg("%s: %s", code, cause);
	id = h.id;
	household_clear(&h);
	return id;
}

static void
add_record(struct fixture *fx, const char *household, const char *round)
{
	int64_t rec;

	assert_int_equal(store_record_create(fx->s, fx->ref, household, round,
	    "beijing", "liu", &rec, NULL, NULL), 0);
}

/* The codes found for a search, space-separated, in order. */
static char *
found(struct fixture *fx, const char *term)
{
	struct household *v;
	struct buf b = { 0 };
	size_t n, i;

	assert_int_equal(household_search(fx->s, term, &v, &n, NULL), 0);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, v[i].code);
	}
	households_free(v, n);
	return buf_steal(&b);
}

static void
date_in(long days_from_today, char out[11])
{
	expr_date_string(expr_today() + days_from_today, out);
}

static void
codes_are_normalized_and_checked(void **state)
{
	static const char *const bad[] = {
		"", "   ", "BJ 42", "BJ/42", "北京-1", "BJ-0042\x1b[2J",
		"ABCDEFGHIJKLMNOPQRSTUVWXY",
	};
	const char *why;
	char *code;
	size_t i;

	(void)state;
	code = household_code_normalize("  bj-0042 ", &why);
	assert_string_equal(code, "BJ-0042");
	free(code);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		assert_null(household_code_normalize(bad[i], &why));
		assert_non_null(why);
	}
}

static void
round_names_are_one_word(void **state)
{
	const char *why;

	(void)state;
	assert_true(round_name_valid("2020-R2", &why));
	assert_true(round_name_valid("2020_R1.b", &why));
	assert_false(round_name_valid("2020 R2", &why));
	assert_non_null(strstr(why, "slashes"));
	assert_false(round_name_valid("2020/R2", &why));
	assert_false(round_name_valid("..\\R2", &why));
	assert_false(round_name_valid("", &why));
	assert_true(date_valid("2020-02-29"));
	assert_false(date_valid("2021-02-29"));
	assert_false(date_valid("2020-13-01"));
	assert_false(date_valid("2020-2-1"));
	assert_false(date_valid("tomorrow"));
}

static void
codes_follow_the_site_prefix(void **state)
{
	struct fixture *fx = *state;
	char *p, *code;

	p = household_prefix(NULL, "beijing");
	assert_string_equal(p, "BE");
	free(p);
	p = household_prefix(NULL, "北京");
	assert_string_equal(p, "HH");
	free(p);
	p = household_prefix("BJ", "beijing");
	assert_string_equal(p, "BJ");
	code = household_next_code(fx->s, p, NULL);
	assert_string_equal(code, "BJ-0001");
	free(code);
	add(fx, "BJ-0001", NULL, NULL, NULL, NULL);
	add(fx, "bj-0012", NULL, NULL, NULL, NULL);
	add(fx, "BJX-0100", NULL, NULL, NULL, NULL);
	add(fx, "BJ-ABC", NULL, NULL, NULL, NULL);
	add(fx, "SH-0500", NULL, NULL, NULL, NULL);
	code = household_next_code(fx->s, p, NULL);
	assert_string_equal(code, "BJ-0013");
	free(code);
	free(p);
}

static void
duplicate_codes_are_refused(void **state)
{
	struct fixture *fx = *state;
	struct household h = { 0 };
	char *cause = NULL, *all;

	add(fx, "BJ-0042", "刘建华", NULL, NULL, NULL);
	h.code = xstrdup(" bj-0042");
	h.head = xstrdup("Wang Fang");
	assert_int_equal(household_add(fx->s, &h, &cause), 1);
	assert_non_null(strstr(cause, "BJ-0042"));
	assert_non_null(strstr(cause, "刘建华"));
	free(cause);
	household_clear(&h);
	all = found(fx, "");
	assert_string_equal(all, "BJ-0042");
	free(all);
}

static void
search_finds_any_part(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *term, *codes;
	} cases[] = {
		{ "建华", "BJ-0001" },
		{ "wang", "BJ-0002" },
		{ "FANG", "BJ-0002" },
		{ "13800138000", "BJ-0001" },
		{ "0013 8000", "BJ-0001" },
		{ "139-1111", "BJ-0002" },
		{ "朝阳", "BJ-0001 BJ-0003" },
		{ "bj-0003", "BJ-0003" },
		{ "BEIJ", "BJ-0001 BJ-0002 BJ-0003" },	/* the site */
		{ "%", "" },
		{ "_", "" },
		{ "", "BJ-0001 BJ-0002 BJ-0003" },
	};
	size_t i;

	add(fx, "BJ-0001", "刘建华", "138 0013 8000", "朝阳区 东坝", NULL);
	add(fx, "BJ-0002", "Wang Fang", "139-1111-2222", "Haidian", NULL);
	add(fx, "BJ-0003", "陈静", NULL, "朝阳区", NULL);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = found(fx, cases[i].term);

		if (strcmp(got, cases[i].codes) != 0)
			fail_msg("'%s' found '%s', not '%s'", cases[i].term, got,
			    cases[i].codes);
		free(got);
	}
}

static void
the_code_changes_only_without_interviews(void **state)
{
	struct fixture *fx = *state;
	struct household h;
	char *cause = NULL;

	add(fx, "BJ-0001", "刘建华", NULL, NULL, NULL);
	add(fx, "BJ-0002", "Wang Fang", NULL, NULL, NULL);
	assert_int_equal(household_get(fx->s, "bj-0001", &h, NULL), 0);
	free(h.code);
	h.code = xstrdup("BJ-0009");
	free(h.head);
	h.head = xstrdup("刘建国");
	assert_int_equal(household_update(fx->s, &h, NULL), 0);
	household_clear(&h);
	assert_int_equal(household_get(fx->s, "BJ-0001", &h, NULL), 1);
	assert_int_equal(household_get(fx->s, "BJ-0009", &h, NULL), 0);
	assert_string_equal(h.head, "刘建国");
	{
		struct household same;

		/* Found by its id whatever its code became. */
		assert_int_equal(household_get_id(fx->s, h.id, &same, NULL), 0);
		assert_string_equal(same.code, "BJ-0009");
		household_clear(&same);
		assert_int_equal(household_get_id(fx->s, 999, &same, NULL), 1);
	}

	/* Another household's code is refused. */
	free(h.code);
	h.code = xstrdup("bj-0002");
	assert_int_equal(household_update(fx->s, &h, &cause), 1);
	assert_non_null(strstr(cause, "Wang Fang"));
	free(cause);
	cause = NULL;

	/* Once a record carries the code, it stays. */
	add_record(fx, "BJ-0009", "2020-R1");
	free(h.code);
	h.code = xstrdup("BJ-0010");
	assert_int_equal(household_update(fx->s, &h, &cause), 1);
	assert_non_null(strstr(cause, "1 interview"));
	free(cause);
	household_clear(&h);
	assert_int_equal(household_get(fx->s, "BJ-0009", &h, NULL), 0);
	assert_int_equal(h.interviews, 1);
	household_clear(&h);
}

static void
closing_keeps_the_history(void **state)
{
	struct fixture *fx = *state;
	struct household h;
	struct household_entry *tl;
	struct record_info *recs;
	char today[11], *cause = NULL;
	size_t n, i, closed = 0;
	int64_t id = add(fx, "BJ-0001", "刘建华", NULL, NULL, "2020-03-01");

	add_record(fx, "BJ-0001", "2020-R1");
	add_record(fx, "BJ-0001", "2020-R2");
	assert_int_equal(household_close(fx->s, id, "  ", &cause), 1);
	free(cause);
	assert_int_equal(household_close(fx->s, id, "hardship resolved", NULL), 0);
	assert_int_equal(household_get(fx->s, "BJ-0001", &h, NULL), 0);
	assert_true(h.closed);
	assert_string_equal(h.closed_reason, "hardship resolved");
	date_in(0, today);
	assert_string_equal(h.closed_at, today);
	assert_null(h.next_visit);
	assert_int_equal(h.interviews, 2);
	assert_int_equal(store_records_of(fx->s, "bj-0001", &recs, &n, NULL), 0);
	assert_int_equal(n, 2);
	store_records_free(recs, n);
	assert_int_equal(household_timeline(fx->s, &h, "en", &tl, &n, NULL), 0);
	assert_int_equal(n, 4);		/* registered, two interviews, closed */
	assert_string_equal(tl[0].status, "registered");
	for (i = 0; i < n; i++)
		if (strcmp(tl[i].status, "closed") == 0) {
			assert_string_equal(tl[i].detail, "hardship resolved");
			closed++;
		}
	assert_int_equal(closed, 1);
	household_timeline_free(tl, n);
	household_clear(&h);

	/* Deleting it would lose that history: refused. */
	assert_int_equal(household_delete(fx->s, id, &cause), 1);
	assert_non_null(strstr(cause, "Close the case"));
	free(cause);
	assert_int_equal(household_reopen(fx->s, id, NULL), 0);
	assert_int_equal(household_get(fx->s, "BJ-0001", &h, NULL), 0);
	assert_false(h.closed);
	assert_null(h.closed_reason);
	household_clear(&h);
}

static void
a_household_without_interviews_can_be_deleted(void **state)
{
	struct fixture *fx = *state;
	struct household h;
	int64_t id = add(fx, "BJ-0001", "typo", NULL, NULL, NULL);

	assert_int_equal(household_delete(fx->s, id, NULL), 0);
	assert_int_equal(household_get(fx->s, "BJ-0001", &h, NULL), 1);
}

static int
count_step(void *arg)
{
	++*(long *)arg;
	return 0;
}

/* The SQLite instructions (in hundreds) the home screen's figures take:
 * the counts, and the first `limit` visits due. */
static long
home_cost(struct fixture *fx, const char *today, long *open, long *due,
    size_t *shown)
{
	struct household *v;
	long steps = 0;

	sqlite3_progress_handler(fx->s->db, 100, count_step, &steps);
	assert_int_equal(household_counts(fx->s, today, open, due, NULL), 0);
	assert_int_equal(household_due_first(fx->s, today, 20, &v, shown, NULL), 0);
	sqlite3_progress_handler(fx->s->db, 0, NULL, NULL);
	households_free(v, *shown);
	return steps;
}

/* Adds n households from `from` on; the first `due` of them due today,
 * the rest with no visit planned. */
static void
add_many(struct fixture *fx, long from, long n, long due, const char *today)
{
	sqlite3_stmt *st;
	long i;

	assert_int_equal(sqlite3_prepare_v2(fx->s->db, "INSERT INTO households "
	    "(code, next_visit, created_at, updated_at) VALUES (printf('HH-%06d', "
	    "?), ?, 'x', 'x')", -1, &st, NULL), SQLITE_OK);
	sqlite3_exec(fx->s->db, "BEGIN", NULL, NULL, NULL);
	for (i = from; i < from + n; i++) {
		sqlite3_bind_int64(st, 1, i);
		sq_bind_text(st, 2, i - from < due ? today : NULL);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_exec(fx->s->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
}

/* The home screen opens as fast with 20,000 households as with 2,000:
 * its counts do not grow with the register, and it reads only the visits
 * due that it shows (the most overdue first), however many are due. */
static void
home_figures_cost_the_same_at_any_size(void **state)
{
	struct fixture *fx = *state;
	struct household *v;
	char today[11];
	long open, due, small, large;
	size_t shown, n;

	date_in(0, today);
	add_many(fx, 0, 2000, 100, today);
	small = home_cost(fx, today, &open, &due, &shown);
	assert_int_equal(open, 2000);
	assert_int_equal(due, 100);
	assert_int_equal(shown, 20);
	add_many(fx, 2000, 18000, 0, today);
	large = home_cost(fx, today, &open, &due, &shown);
	assert_int_equal(open, 20000);
	assert_int_equal(due, 100);
	assert_int_equal(shown, 20);
	print_message("# home screen: %ld00 SQLite steps at 2,000 households, "
	    "%ld00 at 20,000\n", small, large);
	assert_true(large <= small + small / 2);

	/* Closing, reopening and deleting keep the counts. */
	assert_int_equal(household_close(fx->s, 1, "moved away", NULL), 0);
	assert_int_equal(household_delete(fx->s, 2, NULL), 0);
	assert_int_equal(household_counts(fx->s, today, &open, &due, NULL), 0);
	assert_int_equal(open, 19998);
	assert_int_equal(household_reopen(fx->s, 1, NULL), 0);
	assert_int_equal(household_counts(fx->s, today, &open, &due, NULL), 0);
	assert_int_equal(open, 19999);
	assert_int_equal(household_search_count(fx->s, "", 100000, NULL), 19999);
	/* The full list of visits due still has every one. */
	assert_int_equal(household_due(fx->s, today, &v, &n, NULL), 0);
	assert_int_equal(n, (size_t)due);
	assert_true(due >= 98);
	households_free(v, n);
}

/* The SQLite instructions (in hundreds) to open the household list and
 * to show one page of a search: its count (up to 1,000) and 20 rows. */
static long
page_cost(struct fixture *fx, const char *term, long offset, long *count,
    struct household **v, size_t *n)
{
	long steps = 0;

	sqlite3_progress_handler(fx->s->db, 100, count_step, &steps);
	*count = household_search_count(fx->s, term, 1000, NULL);
	assert_int_equal(household_search_page(fx->s, term, offset, 20, v, n, NULL),
	    0);
	sqlite3_progress_handler(fx->s->db, 0, NULL, NULL);
	return steps;
}

/* The household chooser reads a page at a time: its first page, and the
 * first page of a search that finds many, cost the same among 20,000
 * households as among 2,000 (a search that finds few still reads every
 * household once); a page holds the rows of the whole list at
 * its place, and the count says when there are more than it counted. */
static void
the_chooser_reads_a_page_at_a_time(void **state)
{
	struct fixture *fx = *state;
	struct household *v, *all;
	char today[11];
	long count, small, large, small_search, large_search;
	size_t n, nall, i;

	date_in(0, today);
	add_many(fx, 0, 2000, 0, today);
	small = page_cost(fx, "", 0, &count, &v, &n);
	assert_int_equal(count, 1001);	/* more than 1,000 */
	assert_int_equal(n, 20);
	assert_string_equal(v[0].code, "HH-000000");
	households_free(v, n);
	small_search = page_cost(fx, "HH-00", 0, &count, &v, &n);
	assert_int_equal(count, 1001);	/* all 2,000 */
	households_free(v, n);
	add_many(fx, 2000, 18000, 0, today);
	large = page_cost(fx, "", 0, &count, &v, &n);
	households_free(v, n);
	large_search = page_cost(fx, "HH-00", 0, &count, &v, &n);
	assert_int_equal(count, 1001);	/* 10,000 */
	households_free(v, n);
	print_message("# chooser: %ld00 and %ld00 SQLite steps at 2,000 households, "
	    "%ld00 and %ld00 at 20,000\n", small, small_search, large, large_search);
	assert_true(large <= small + small / 2);
	assert_true(large_search <= small_search + small_search / 2);

	/* A page in the middle is that part of the whole list. */
	assert_int_equal(household_search(fx->s, "HH-00", &all, &nall, NULL), 0);
	assert_int_equal(nall, 10000);
	assert_int_equal(household_search_page(fx->s, "HH-00", 5000, 20, &v, &n,
	    NULL), 0);
	assert_int_equal(n, 20);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].code, all[5000 + i].code);
	households_free(v, n);
	households_free(all, nall);
}

/* Registers a household with every field the search reads. */
static int64_t
add_full(struct fixture *fx, const char *code, const char *site,
    const char *head, const char *phone, const char *address,
    const char *notes)
{
	struct household h = { 0 };
	char *cause = NULL;
	int64_t id;

	h.code = xstrdup(code);
	h.site = site ? xstrdup(site) : NULL;
	h.head = head ? xstrdup(head) : NULL;
	h.phone = phone ? xstrdup(phone) : NULL;
	h.address = address ? xstrdup(address) : NULL;
	h.notes = notes ? xstrdup(notes) : NULL;
	if (household_add(fx->s, &h, &cause) != 0)
		fail_msg("%s: %s", code, cause);
	id = h.id;
	household_clear(&h);
	return id;
}

/* What a search finds and counts, with or without the index. */
static char *
found_by(struct fixture *fx, const char *term, bool index, long *count)
{
	char *codes;

	household_search_use_index(fx->s, index);
	codes = found(fx, term);
	*count = household_search_count(fx->s, term, 1000, NULL);
	household_search_use_index(fx->s, true);
	return codes;
}

/* Asserts that the index finds what reading every household finds; returns
 * what they found. */
static char *
same_either_way(struct fixture *fx, const char *term)
{
	long with, without;
	char *indexed = found_by(fx, term, true, &with);
	char *scanned = found_by(fx, term, false, &without);

	if (strcmp(indexed, scanned) != 0 || with != without)
		fail_msg("'%s': the index finds '%s' (%ld), reading every household "
		    "'%s' (%ld)", term, indexed, with, scanned, without);
	free(scanned);
	return indexed;
}

/* The search index finds exactly what reading every household finds, for
 * codes, parts of phone numbers however typed, Chinese characters, pinyin
 * in full or by initials, sites, terms of 1 to many characters, and text
 * that is syntax to SQL or FTS5 (which must neither break the search nor
 * change what it means). */
static void
the_index_finds_what_a_scan_finds(void **state)
{
	struct fixture *fx = *state;
	static const char *const terms[] = {
		"B", "BJ", "bj-", "BJ-0005", "0005", "-000", "1", "13", "138", "1234",
		"138 1234", "138-1234-5678", "+86 138", "１３８ １２３４", "１３８１２",
		"0106", "5678", "345 000", "张", "张秀", "张秀英", "秀英", "东坝乡",
		"坝乡 3", "3号楼", "腿脚", "不便", "zhang", "zh", "z", "zx", "zxy",
		"ZXY", "zhangxy", "zhang xiu ying", "zhang'xiu", "xiuy", "xiuyingg",
		"lv", "lu", "lufang", "lvf", "shantian", "dantianfang", "stf",
		"chang", "zhangzhang", "changzh", "ouyang", "oyn", "ouyangnana",
		"nana", "beijing", "BEIJ", "shandong", "jiang", "Jiangxi", "road",
		"Road 12", "wang", "wei", "Wei", "guo", "zeng", "ceng", "gq", "\"",
		"\"7\"", "\"\"", "*", "a_b", "_", "%", "100%", "100", "-", "OR", "or",
		"\"7\" OR", "NEAR(", "NEAR(x)", "c-d", "b*c", "'", "''", "x:y",
		"code:BJ", "^BJ", "(", "zhang wei", "ABC", "ａｂｃ", "abc", "Room",
		"5th", "x", "   ", " zhang ", "😀", "5th street", "haidian 5",
	};
	size_t i;

	add_full(fx, "BJ-0001", "beijing", "张秀英", "138 1234 5678",
	    "朝阳区东坝乡", "腿脚不便");
	add_full(fx, "BJ-0002", "beijing", "曾国强", "010 6234 5678",
	    "Haidian 5th street", NULL);
	add_full(fx, "JX-0003", "jiangxi", "吕芳", "139 1234 5000",
	    "Jiangxi Road 12", "likes 100% cotton");
	add_full(fx, "BJ-0004", "beijing", "张伟", NULL, "东坝乡 3号楼", NULL);
	add_full(fx, "BJ-0005", "beijing", "Zhang Wei", "13800001111",
	    "Room \"7\" OR NEAR(x)", "a_b*c-d x:y code:BJ ^BJ (");
	add_full(fx, "BJ-0006", "beijing", "单田芳", NULL, NULL, NULL);
	add_full(fx, "BJ-0007", "beijing", "欧阳娜娜", NULL, "ＡＢＣ 小区",
	    "😀");
	assert_int_equal(household_close(fx->s, add_full(fx, "SD-0008",
	    "shandong", "王", NULL, NULL, NULL), "moved away", NULL), 0);
	add_full(fx, "JX-0009", "jiangxi", NULL, NULL, "abc", NULL);
	/* Spelled in too many ways for the index's keys: read itself. */
	add_full(fx, "BJ-0010", "beijing", "长长长长长长长长长长长长张", NULL,
	    NULL, NULL);
	for (i = 0; i < ARRAY_LEN(terms); i++)
		free(same_either_way(fx, terms[i]));
	/* And the index does find them. */
	{
		static const struct {
			const char *term, *codes;
		} cases[] = {
			{ "zhangxy", "BJ-0001" },
			{ "１３８ １２３４", "BJ-0001" },
			{ "1234 5678", "BJ-0001" },
			{ "oyn", "BJ-0007" },
			{ "\"7\" OR", "BJ-0005" },
			{ "100%", "JX-0003" },
			{ "changzh", "BJ-0010" },
			{ "zhangzhang", "BJ-0010" },
			{ "zhang wei", "BJ-0004 BJ-0005" },
		};

		for (i = 0; i < ARRAY_LEN(cases); i++) {
			long n;
			char *got = found_by(fx, cases[i].term, true, &n);

			if (strcmp(got, cases[i].codes) != 0)
				fail_msg("'%s' found '%s', not '%s'", cases[i].term, got,
				    cases[i].codes);
			free(got);
		}
	}
}

/* A household whose head, phone, address or code changes is found by its
 * new text and no longer by its old; one deleted is found no more; one an
 * interview's answer renamed is found by its new name's pinyin. */
static void
an_edit_is_found_by_its_new_text(void **state)
{
	struct fixture *fx = *state;
	struct household h = { 0 };
	char *codes;
	int64_t id, other;

	id = add_full(fx, "BJ-0001", "beijing", "张秀英", "138 1234 5678",
	    "朝阳区东坝乡", NULL);
	other = add_full(fx, "BJ-0002", "beijing", "李明", "139 0000 1111",
	    "Xicheng", NULL);
	codes = same_either_way(fx, "zhangxiuying");
	assert_string_equal(codes, "BJ-0001");
	free(codes);
	assert_int_equal(household_get_id(fx->s, id, &h, NULL), 0);
	free(h.head);
	h.head = xstrdup("王芳");
	free(h.phone);
	h.phone = xstrdup("137 7777 8888");
	free(h.address);
	h.address = xstrdup("海淀区");
	free(h.code);
	h.code = xstrdup("BJ-0100");
	assert_int_equal(household_update(fx->s, &h, NULL), 0);
	household_clear(&h);
	static const struct {
		const char *term, *codes;
	} cases[] = {
		{ "zhangxiuying", "" }, { "张秀英", "" }, { "1234 5678", "" },
		{ "东坝乡", "" }, { "BJ-0001", "" }, { "wangfang", "BJ-0100" },
		{ "王芳", "BJ-0100" }, { "7777 888", "BJ-0100" },
		{ "海淀区", "BJ-0100" }, { "BJ-0100", "BJ-0100" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		codes = same_either_way(fx, cases[i].term);
		if (strcmp(codes, cases[i].codes) != 0)
			fail_msg("after the edit, '%s' found '%s', not '%s'",
			    cases[i].term, codes, cases[i].codes);
		free(codes);
	}
	/* An interview's answer renames the head. */
	assert_int_equal(household_take_answer(fx->s, "BJ-0002", HF_HEAD, "赵敏",
	    NULL), 0);
	assert_int_equal(household_take_answer(fx->s, "BJ-0002", HF_PHONE,
	    "135 5555 6666", NULL), 0);
	codes = same_either_way(fx, "zhaomin");
	assert_string_equal(codes, "BJ-0002");
	free(codes);
	codes = same_either_way(fx, "liming");
	assert_string_equal(codes, "");
	free(codes);
	codes = same_either_way(fx, "5555 666");
	assert_string_equal(codes, "BJ-0002");
	free(codes);
	codes = same_either_way(fx, "0000 111");
	assert_string_equal(codes, "");
	free(codes);
	assert_int_equal(household_delete(fx->s, other, NULL), 0);
	codes = same_either_way(fx, "zhaomin");
	assert_string_equal(codes, "");
	free(codes);
}

/* A household another program registered (sqlite3, a script) is found
 * by its pinyin: this program keeps the keys at the next search, or, while
 * another process holds the database, reads that household itself. */
static void
households_registered_elsewhere_are_found(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *other;
	char *codes;

	add_full(fx, "BJ-0001", "beijing", "张秀英", NULL, NULL, NULL);
	assert_int_equal(sqlite3_open(fx->s->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "INSERT INTO households (code, head, "
	    "phone, created_at, updated_at) VALUES ('BJ-0002', '赵敏', "
	    "'13555556666', 'x', 'x'); BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	store_set_busy_timeout(fx->s, 0);
	codes = same_either_way(fx, "zhaomin");
	assert_string_equal(codes, "BJ-0002");
	free(codes);
	codes = same_either_way(fx, "5555 6666");
	assert_string_equal(codes, "BJ-0002");
	free(codes);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	codes = same_either_way(fx, "zhaom");
	assert_string_equal(codes, "BJ-0002");
	free(codes);
	codes = same_either_way(fx, "zhangxy");
	assert_string_equal(codes, "BJ-0001");
	free(codes);
	sqlite3_close(other);
}

/* A search that finds few households (the 5th key of HH-0012, a name of
 * two characters, or its first) reads only them: it costs about the same among 20,000
 * households as among 2,000, where reading every household costs ten
 * times as much. */
static void
a_search_that_finds_few_costs_the_same(void **state)
{
	struct fixture *fx = *state;
	struct household *v;
	char today[11];
	long count, small, large, scan_small, scan_large, small_name, large_name,
	    small_char, large_char;
	size_t n;

	date_in(0, today);
	add(fx, "BJ-0001", "赵敏", NULL, NULL, NULL);
	add_many(fx, 0, 2000, 0, today);
	small_name = page_cost(fx, "赵敏", 0, &count, &v, &n);
	assert_int_equal(count, 1);
	households_free(v, n);
	small_char = page_cost(fx, "赵", 0, &count, &v, &n);
	assert_int_equal(count, 1);
	households_free(v, n);
	small = page_cost(fx, "HH-0012", 0, &count, &v, &n);
	assert_int_equal(count, 100);
	assert_string_equal(v[0].code, "HH-001200");
	households_free(v, n);
	household_search_use_index(fx->s, false);
	scan_small = page_cost(fx, "HH-0012", 0, &count, &v, &n);
	households_free(v, n);
	household_search_use_index(fx->s, true);
	add_many(fx, 2000, 18000, 0, today);
	large_name = page_cost(fx, "赵敏", 0, &count, &v, &n);
	assert_int_equal(count, 1);
	assert_string_equal(v[0].code, "BJ-0001");
	households_free(v, n);
	large_char = page_cost(fx, "赵", 0, &count, &v, &n);
	assert_int_equal(count, 1);
	households_free(v, n);
	large = page_cost(fx, "HH-0012", 0, &count, &v, &n);
	assert_int_equal(count, 100);
	assert_int_equal(n, 20);
	assert_string_equal(v[19].code, "HH-001219");
	households_free(v, n);
	household_search_use_index(fx->s, false);
	scan_large = page_cost(fx, "HH-0012", 0, &count, &v, &n);
	households_free(v, n);
	household_search_use_index(fx->s, true);
	print_message("# a search finding 100: %ld00 SQLite steps at 2,000 "
	    "households, %ld00 at 20,000 (reading every household: %ld00, "
	    "%ld00)\n", small, large, scan_small, scan_large);
	print_message("# a two-character name found once: %ld00 SQLite steps at "
	    "2,000 households, %ld00 at 20,000; its first character: %ld00, "
	    "%ld00\n", small_name, large_name, small_char, large_char);
	assert_true(large <= small + small / 2);
	/* The index's own lists grow a little (more of its segments to ask):
	 * not as the register does. */
	assert_true(large_name <= 3 * small_name);
	assert_true(large_name * 10 < scan_large);
	assert_true(large_char <= 3 * small_char);
	assert_true(large_char * 10 < scan_large);
	assert_true(scan_large > 5 * scan_small);
}

/* Counts the statements that read the search index (a MATCH of
 * households_text or households_pinyin) as they start. */
static int
count_index_reads(unsigned type, void *ctx, void *p, void *x)
{
	(void)p;
	if (type == SQLITE_TRACE_STMT && strstr((const char *)x, " MATCH ") != NULL)
		++*(long *)ctx;
	return 0;
}

/* The codes of a page of a search, and its count. */
static char *
chooser_page(struct fixture *fx, const char *term, long offset, long *count)
{
	struct household *v;
	struct buf b = { 0 };
	size_t n, i;

	*count = household_search_count(fx->s, term, 1000, NULL);
	assert_int_equal(household_search_page(fx->s, term, offset, 64, &v, &n,
	    NULL), 0);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", v[i].code);
	households_free(v, n);
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

/* A key typed in the chooser reads the search index once: the search's
 * count, its first page and the pages scrolled to after use what it found
 * (the 5th key of HH-0012, which finds 100 of 2,000 households; a search
 * that finds many; a pinyin one). What is registered or edited after, by
 * this program or another, is found at the next key, as reading every
 * household finds it. */
static void
a_key_reads_the_index_once(void **state)
{
	struct fixture *fx = *state;
	struct household h = { 0 };
	char today[11], *codes, *first;
	long reads = 0, count;
	int64_t id;
	sqlite3 *other;

	date_in(0, today);
	add_many(fx, 0, 2000, 0, today);
	add_full(fx, "BJ-0001", "beijing", "张秀英", "138 1234 5678", NULL, NULL);
	sqlite3_trace_v2(fx->s->db, SQLITE_TRACE_STMT, count_index_reads, &reads);
	first = chooser_page(fx, "HH-0012", 0, &count);
	assert_int_equal(count, 100);
	codes = chooser_page(fx, "HH-0012", 64, &count);
	assert_int_equal(count, 100);
	assert_string_equal(codes, "HH-001264 HH-001265 HH-001266 HH-001267 "
	    "HH-001268 HH-001269 HH-001270 HH-001271 HH-001272 HH-001273 "
	    "HH-001274 HH-001275 HH-001276 HH-001277 HH-001278 HH-001279 "
	    "HH-001280 HH-001281 HH-001282 HH-001283 HH-001284 HH-001285 "
	    "HH-001286 HH-001287 HH-001288 HH-001289 HH-001290 HH-001291 "
	    "HH-001292 HH-001293 HH-001294 HH-001295 HH-001296 HH-001297 "
	    "HH-001298 HH-001299");
	free(codes);
	codes = chooser_page(fx, "HH-0012", 0, &count);
	assert_string_equal(codes, first);
	free(codes);
	assert_int_equal(reads, 1);
	/* A search that finds many; one by pinyin (two lists: one read each). */
	free(chooser_page(fx, "HH-00", 0, &count));
	free(chooser_page(fx, "HH-00", 64, &count));
	assert_int_equal(count, 1001);
	assert_int_equal(reads, 2);
	free(chooser_page(fx, "zhangxy", 0, &count));
	codes = chooser_page(fx, "zhangxy", 0, &count);
	assert_string_equal(codes, "BJ-0001");
	free(codes);
	assert_int_equal(reads, 4);

	/* Registered after: found at the next key. */
	id = add_full(fx, "HH-0012AB", NULL, NULL, NULL, NULL, NULL);
	codes = chooser_page(fx, "HH-0012", 64, &count);
	assert_int_equal(count, 101);
	assert_true(strstr(codes, "HH-0012AB") != NULL);
	free(codes);
	free(same_either_way(fx, "HH-0012"));
	/* Edited: found by its new text, no longer by its old. */
	assert_int_equal(household_get_id(fx->s, id, &h, NULL), 0);
	free(h.code);
	h.code = xstrdup("JX-0099");
	assert_int_equal(household_update(fx->s, &h, NULL), 0);
	household_clear(&h);
	codes = chooser_page(fx, "HH-0012", 64, &count);
	assert_int_equal(count, 100);
	assert_true(strstr(codes, "HH-0012AB") == NULL);
	free(codes);
	/* Registered by another program: found too. */
	assert_int_equal(sqlite3_open(fx->s->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "INSERT INTO households (code, "
	    "created_at, updated_at) VALUES ('HH-0012CD', 'x', 'x')", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(other);
	codes = chooser_page(fx, "HH-0012", 64, &count);
	assert_int_equal(count, 101);
	assert_true(strstr(codes, "HH-0012CD") != NULL);
	free(codes);
	free(same_either_way(fx, "HH-0012"));
	/* Reading every household, then the index again: the same. */
	household_search_use_index(fx->s, false);
	codes = chooser_page(fx, "HH-0012", 0, &count);
	household_search_use_index(fx->s, true);
	assert_string_equal(codes, first);
	free(codes);
	codes = chooser_page(fx, "HH-0012", 0, &count);
	assert_string_equal(codes, first);
	free(codes);
	sqlite3_trace_v2(fx->s->db, 0, NULL, NULL);
	free(first);
}

/* A search that finds many (more than 1,000) shows them in the list's
 * order even when the register's first households are not the list's
 * first (registered later, with smaller codes; a closed one last): the
 * same list, pages and count as reading every household. */
static void
a_search_that_finds_many_keeps_the_lists_order(void **state)
{
	struct fixture *fx = *state;
	struct household *all, *v;
	char today[11], *codes;
	long count;
	size_t nall, n, i;

	date_in(0, today);
	add_many(fx, 1000, 2000, 0, today);
	add_many(fx, 0, 1000, 0, today);
	assert_int_equal(household_close(fx->s, 5, "moved away", NULL), 0);
	free(same_either_way(fx, "HH-00"));
	free(same_either_way(fx, "HH-0"));
	codes = chooser_page(fx, "HH-00", 0, &count);
	assert_int_equal(count, 1001);
	assert_true(strncmp(codes, "HH-000000 HH-000001 ", 20) == 0);
	free(codes);
	assert_int_equal(household_search(fx->s, "HH-00", &all, &nall, NULL), 0);
	assert_int_equal(nall, 3000);
	assert_string_equal(all[nall - 1].code, "HH-001004");	/* closed */
	household_search_use_index(fx->s, false);
	assert_int_equal(household_search_page(fx->s, "HH-00", 990, 64, &v, &n,
	    NULL), 0);
	household_search_use_index(fx->s, true);
	assert_int_equal(n, 64);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].code, all[990 + i].code);
	households_free(v, n);
	assert_int_equal(household_search_page(fx->s, "HH-00", 990, 64, &v, &n,
	    NULL), 0);
	assert_int_equal(n, 64);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].code, all[990 + i].code);
	households_free(v, n);
	households_free(all, nall);
}

static void
due_visits_most_overdue_first(void **state)
{
	struct fixture *fx = *state;
	struct household *v;
	char yesterday[11], today[11], later[11], *cause = NULL;
	long open, due;
	size_t n;
	int64_t closed;

	date_in(-1, yesterday);
	date_in(0, today);
	date_in(10, later);
	add(fx, "BJ-0001", NULL, NULL, NULL, today);
	add(fx, "BJ-0002", NULL, NULL, NULL, yesterday);
	add(fx, "BJ-0003", NULL, NULL, NULL, later);
	add(fx, "BJ-0004", NULL, NULL, NULL, NULL);
	closed = add(fx, "BJ-0005", NULL, NULL, NULL, "2020-01-01");
	assert_int_equal(household_close(fx->s, closed, "moved away", NULL), 0);
	assert_int_equal(household_due(fx->s, today, &v, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].code, "BJ-0002");
	assert_string_equal(v[1].code, "BJ-0001");
	households_free(v, n);
	assert_int_equal(household_counts(fx->s, today, &open, &due, NULL), 0);
	assert_int_equal(open, 4);
	assert_int_equal(due, 2);

	/* A next visit must be a real date. */
	{
		struct household h = { 0 };

		h.code = xstrdup("BJ-0006");
		h.next_visit = xstrdup("2020-02-30");
		assert_int_equal(household_add(fx->s, &h, &cause), 1);
		assert_non_null(strstr(cause, "YYYY-MM-DD"));
		free(cause);
		household_clear(&h);
	}
}

static void
imports_register_missing_households_once(void **state)
{
	struct fixture *fx = *state;
	struct household h;
	bool created;

	add(fx, "BJ-0001", "刘建华", NULL, NULL, NULL);
	assert_int_equal(household_ensure(fx->s, "bj-0001", "beijing", &created,
	    NULL), 0);
	assert_false(created);
	assert_int_equal(household_ensure(fx->s, "SH-0007", "shanghai", &created,
	    NULL), 0);
	assert_true(created);
	assert_int_equal(household_ensure(fx->s, "SH-0007", "shanghai", &created,
	    NULL), 0);
	assert_false(created);
	assert_int_equal(household_get(fx->s, "SH-0007", &h, NULL), 0);
	assert_string_equal(h.site, "shanghai");
	household_clear(&h);
}

static void
rounds_and_settings_are_kept(void **state)
{
	struct fixture *fx = *state;
	char **names, *v;
	long *counts;
	size_t n, i;

	add_record(fx, NULL, "2020-R2");
	add_record(fx, NULL, "2020-R1");
	add_record(fx, NULL, "2020-R2");
	add_record(fx, NULL, NULL);
	assert_int_equal(store_rounds(fx->s, &names, &counts, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "2020-R1");
	assert_int_equal(counts[0], 1);
	assert_string_equal(names[1], "2020-R2");
	assert_int_equal(counts[1], 2);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(counts);
	/* The counts are kept as records come, go and change round (the
	 * round question reads them: reading every record took 6.6 s at a
	 * million), and say what a count of the records says. */
	assert_int_equal(sqlite3_exec(fx->s->db, "DELETE FROM records WHERE id = "
	    "(SELECT min(id) FROM records WHERE round = '2020-R1');"
	    "UPDATE records SET round = '2020-R3' WHERE id = (SELECT max(id) "
	    "FROM records WHERE round = '2020-R2');"
	    "UPDATE records SET round = '2020-R1' WHERE round IS NULL;",
	    NULL, NULL, NULL), SQLITE_OK);
	add_record(fx, NULL, "2020-R3");
	assert_int_equal(store_rounds(fx->s, &names, &counts, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "2020-R1");
	assert_int_equal(counts[0], 1);
	assert_string_equal(names[1], "2020-R2");
	assert_int_equal(counts[1], 1);
	assert_string_equal(names[2], "2020-R3");
	assert_int_equal(counts[2], 2);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(counts);
	assert_null(store_setting(fx->s, "round"));
	assert_int_equal(store_set_setting(fx->s, "round", "2020-R3", NULL), 0);
	v = store_setting(fx->s, "round");
	assert_string_equal(v, "2020-R3");
	free(v);
}

/* One phone format everywhere: the register reads the spellings the
 * interview reads, keeps the same digits, and refuses what is no number. */
static void
phones_have_one_normal_form(void **state)
{
	struct fixture *fx = *state;
	static const char *const spellings[] = {
		"138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
		"+8613812345678", "１３８ １２３４ ５６７８", "0086-138-1234-5678",
	};
	struct household h = { 0 }, got;
	char *cause = NULL, *codes;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_LEN(spellings); i++) {
		char *v = phone_normalize(spellings[i], &why);

		if (v == NULL || strcmp(v, "13812345678") != 0)
			fail_msg("'%s' gave '%s'", spellings[i], v ? v : why);
		free(v);
	}
	add(fx, "BJ-0001", "张秀英", "+86 138 1234 5678", NULL, NULL);
	assert_int_equal(household_get(fx->s, "BJ-0001", &got, NULL), 0);
	assert_string_equal(got.phone, "13812345678");
	got.phone = (free(got.phone), xstrdup("010-6512 3456"));
	assert_int_equal(household_update(fx->s, &got, NULL), 0);
	household_clear(&got);
	assert_int_equal(household_get(fx->s, "BJ-0001", &got, NULL), 0);
	assert_string_equal(got.phone, "01065123456");
	/* No number: refused, saying what a number is; nothing changes. */
	got.phone = (free(got.phone), xstrdup("123"));
	assert_int_equal(household_update(fx->s, &got, &cause), 1);
	assert_non_null(strstr(cause, "'123'"));
	assert_non_null(strstr(cause, "11-digit mobile"));
	free(cause);
	cause = NULL;
	household_clear(&got);
	h.code = xstrdup("BJ-0002");
	h.phone = xstrdup("138 1234 567a");
	assert_int_equal(household_add(fx->s, &h, &cause), 1);
	free(cause);
	household_clear(&h);
	codes = found(fx, "");
	assert_string_equal(codes, "BJ-0001");
	free(codes);
	/* Found however it is typed. */
	codes = found(fx, "６５１２");
	assert_string_equal(codes, "BJ-0001");
	free(codes);
}

/* Search `zhang` finds 张秀英: names are found by their pinyin, in full,
 * by initials, or both; any case; with or without spaces. */
static void
search_finds_pinyin(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *term, *codes;
	} cases[] = {
		{ "zhang", "BJ-0001 BJ-0004" },
		{ "zhangxiuying", "BJ-0001" },
		{ "zhang xiu ying", "BJ-0001" },
		{ "ZXY", "BJ-0001" },
		{ "zxy", "BJ-0001" },
		{ "zhangxy", "BJ-0001" },
		{ "xiuying", "BJ-0001" },
		{ "xiuy", "BJ-0001" },		/* still typing */
		{ "zeng", "BJ-0002" },		/* 曾 as a surname */
		{ "lvfang", "BJ-0003" },	/* 吕: lü */
		{ "lufang", "BJ-0003" },
		{ "zhangwei", "BJ-0004" },
		{ "zhaxiying", "" },		/* not a syllable */
		{ "wang", "" },
		{ "zhangxiuyingg", "" },
	};
	size_t i;

	add(fx, "BJ-0001", "张秀英", NULL, NULL, NULL);
	add(fx, "BJ-0002", "曾国强", NULL, NULL, NULL);
	add(fx, "BJ-0003", "吕芳", NULL, NULL, NULL);
	add(fx, "BJ-0004", "张伟", NULL, NULL, NULL);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = found(fx, cases[i].term);

		if (strcmp(got, cases[i].codes) != 0)
			fail_msg("'%s' found '%s', not '%s'", cases[i].term, got,
			    cases[i].codes);
		free(got);
	}
	assert_true(pinyin_match("张秀英", "zhang"));
	assert_false(pinyin_match("张秀英", "zhang!"));
	assert_false(pinyin_match("Zhang", "zhang"));	/* LIKE finds Latin */
}

/* Searching as one types, key after key, stays fast with 10,000
 * households (the chooser searches at every key). */
static void
pinyin_search_is_fast(void **state)
{
	struct fixture *fx = *state;
	static const char surname[] = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
	static const char given[] = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华";
	static const char typed[] = "zhangxiuying";
	struct household *v;
	char *cause = NULL;
	double start, per_key;
	size_t i, n;

	assert_int_equal(store_begin(fx->s, &cause), 0);
	for (i = 0; i < 10000; i++) {
		char code[16], name[16];

		snprintf(code, sizeof code, "BJ-%05zu", i);
		snprintf(name, sizeof name, "%.3s%.3s%.3s", surname + i % 20 * 3,
		    given + i / 20 % 20 * 3, given + i / 400 % 20 * 3);
		add(fx, code, name, NULL, NULL, NULL);
	}
	assert_int_equal(store_commit(fx->s, &cause), 0);
	start = cpu_seconds();
	for (i = 1; i <= strlen(typed); i++) {
		char *term = xstrndup(typed, i);

		assert_int_equal(household_search(fx->s, term, &v, &n, NULL), 0);
		assert_true(n > 0);
		households_free(v, n);
		free(term);
	}
	per_key = (cpu_seconds() - start) / (double)strlen(typed);
	print_message("pinyin search of 10,000 households: %.1f ms a key\n",
	    per_key * 1000);
	assert_true(per_key < 1.0);
}

/* The first screenful of the visits due reads only its own rows, however
 * many households are due: 2,000 due or 20,000, the same SQLite steps
 * (it sorted every household due before the due-list index). */
static void
due_list_reads_only_its_screen(void **state)
{
	struct fixture *fx = *state;
	struct household *v;
	char today[11];
	long small, large;
	size_t shown;

	date_in(0, today);
	add_many(fx, 0, 2000, 2000, today);
	small = 0;
	sqlite3_progress_handler(fx->s->db, 100, count_step, &small);
	assert_int_equal(household_due_first(fx->s, today, 20, &v, &shown, NULL), 0);
	sqlite3_progress_handler(fx->s->db, 0, NULL, NULL);
	assert_int_equal(shown, 20);
	assert_string_equal(v[0].code, "HH-000000");
	households_free(v, shown);
	add_many(fx, 2000, 18000, 18000, today);
	large = 0;
	sqlite3_progress_handler(fx->s->db, 100, count_step, &large);
	assert_int_equal(household_due_first(fx->s, today, 20, &v, &shown, NULL), 0);
	sqlite3_progress_handler(fx->s->db, 0, NULL, NULL);
	assert_int_equal(shown, 20);
	assert_string_equal(v[19].code, "HH-000019");
	households_free(v, shown);
	print_message("# due list: %ld00 SQLite steps with 2,000 due, %ld00 with "
	    "20,000\n", small, large);
	assert_true(large <= small + small / 2 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(codes_are_normalized_and_checked),
		cmocka_unit_test(round_names_are_one_word),
		cmocka_unit_test_setup_teardown(codes_follow_the_site_prefix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(duplicate_codes_are_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(search_finds_any_part, setup, teardown),
		cmocka_unit_test_setup_teardown(phones_have_one_normal_form, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(search_finds_pinyin, setup, teardown),
		cmocka_unit_test_setup_teardown(pinyin_search_is_fast, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_code_changes_only_without_interviews,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(closing_keeps_the_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_household_without_interviews_can_be_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(due_list_reads_only_its_screen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(home_figures_cost_the_same_at_any_size,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(the_chooser_reads_a_page_at_a_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(the_index_finds_what_a_scan_finds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_edit_is_found_by_its_new_text,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    households_registered_elsewhere_are_found, setup, teardown),
		cmocka_unit_test_setup_teardown(a_search_that_finds_few_costs_the_same,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_key_reads_the_index_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_search_that_finds_many_keeps_the_lists_order, setup, teardown),
		cmocka_unit_test_setup_teardown(due_visits_most_overdue_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(imports_register_missing_households_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(rounds_and_settings_are_kept, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("household", tests, test_utf8_locale,
	    NULL);
}
