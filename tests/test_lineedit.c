/* The line editor moves, deletes and inserts by character, and puts the
 * cursor on the right column when a line holds wide characters. */
#include "helpers.h"

#include <locale.h>

#include "../core/lineedit.h"
#include "../core/text.h"

static void
typed(struct lineedit *le, const char *s)
{
	size_t i = 0, n = strlen(s);

	while (i < n) {
		uint32_t cp;

		i += text_decode(s + i, n - i, &cp);
		assert_int_equal(lineedit_insert(le, cp), 0);
	}
}

static void
expect_text(const struct lineedit *le, const char *want)
{
	char *got = lineedit_text(le);

	assert_string_equal(got, want);
	free(got);
}

static void
moves_by_characters(void **state)
{
	struct lineedit le;
	int col;
	char *view;

	(void)state;
	lineedit_init(&le);
	typed(&le, "刘丽abc");
	lineedit_left(&le);
	lineedit_left(&le);
	lineedit_left(&le);
	lineedit_left(&le);		/* now between 刘 and 丽 */
	view = lineedit_view(&le, 20, &col);
	assert_int_equal(col, 2);
	assert_string_equal(view, "刘丽abc");
	free(view);
	lineedit_backspace(&le);	/* removes all of 刘, not one byte */
	expect_text(&le, "丽abc");
	typed(&le, "王");
	expect_text(&le, "王丽abc");
	lineedit_delete(&le);
	expect_text(&le, "王abc");
	lineedit_end(&le);
	view = lineedit_view(&le, 20, &col);
	assert_int_equal(col, 5);
	free(view);
	lineedit_free(&le);
}

static void
combining_marks_travel_with_their_letter(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le);
	lineedit_set(&le, "xe\xCC\x81y");
	lineedit_left(&le);		/* before y */
	lineedit_backspace(&le);	/* e and its accent go together */
	expect_text(&le, "xy");
	lineedit_home(&le);
	assert_int_equal(lineedit_insert(&le, 0x301), -1);	/* no mark first */
	lineedit_free(&le);
}

static void
refuses_control_characters(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le);
	assert_int_equal(lineedit_insert(&le, 0x1b), -1);
	assert_int_equal(lineedit_insert(&le, 0x9b), -1);
	assert_int_equal(le.n, 0);
	lineedit_set(&le, "a\tb\nc");
	expect_text(&le, "a b c");
	lineedit_free(&le);
}

static void
scrolls_to_keep_the_cursor_in_view(void **state)
{
	struct lineedit le;
	int col;
	char *view;

	(void)state;
	lineedit_init(&le);
	typed(&le, "一二三四五六七八九十");	/* 20 columns */
	view = lineedit_view(&le, 9, &col);	/* room for 4 + the cursor */
	assert_int_equal(col, 8);
	assert_string_equal(view, "七八九十");
	free(view);
	lineedit_home(&le);
	view = lineedit_view(&le, 9, &col);
	assert_int_equal(col, 0);
	assert_string_equal(view, "一二三四");
	free(view);
	lineedit_free(&le);
}

static void
kills(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le);
	lineedit_set(&le, "online loan  家里");
	lineedit_kill_word(&le);
	expect_text(&le, "online loan  ");
	lineedit_kill_word(&le);
	expect_text(&le, "online ");
	lineedit_home(&le);
	lineedit_right(&le);
	lineedit_kill_after(&le);
	expect_text(&le, "o");
	lineedit_kill_before(&le);
	expect_text(&le, "");
	lineedit_free(&le);
}

static void
has_a_limit(void **state)
{
	struct lineedit le;
	size_t i;

	(void)state;
	lineedit_init(&le);
	for (i = 0; i < LINEEDIT_MAX; i++)
		assert_int_equal(lineedit_insert(&le, 'x'), 0);
	assert_int_equal(lineedit_insert(&le, 'x'), -1);
	lineedit_free(&le);
}

/* Ctrl-U, Ctrl-W and Ctrl-K on an answer never typed into (no buffer
 * yet) leave it empty; under UBSan this once aborted the program. */
static void
kills_on_an_untouched_line(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le);
	lineedit_kill_before(&le);
	lineedit_kill_word(&le);
	lineedit_kill_after(&le);
	lineedit_backspace(&le);
	lineedit_delete(&le);
	expect_text(&le, "");
	lineedit_set(&le, NULL);
	lineedit_kill_word(&le);
	expect_text(&le, "");
	lineedit_free(&le);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(moves_by_characters),
		cmocka_unit_test(combining_marks_travel_with_their_letter),
		cmocka_unit_test(refuses_control_characters),
		cmocka_unit_test(scrolls_to_keep_the_cursor_in_view),
		cmocka_unit_test(kills),
		cmocka_unit_test(has_a_limit),
		cmocka_unit_test(kills_on_an_untouched_line),
	};

	return cmocka_run_group_tests_name("lineedit", tests, test_utf8_locale, NULL);
}
