/* Text measured in columns: what the interviewer sees lines up, and
 * nothing hostile reaches the terminal. */
#include "helpers.h"

#include <locale.h>

#include "../core/text.h"

static void
decode_and_encode(void **state)
{
	uint32_t cp;
	char out[4];

	(void)state;
	assert_int_equal(text_decode("刘", 3, &cp), 3);
	assert_int_equal(cp, 0x5218);
	assert_int_equal(text_encode(cp, out), 3);
	assert_memory_equal(out, "刘", 3);
	assert_int_equal(text_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	/* Truncated, overlong and surrogate sequences become U+FFFD. */
	assert_int_equal(text_decode("\xE5\x88", 2, &cp), 1);
	assert_int_equal(cp, TEXT_REPLACEMENT);
	assert_int_equal(text_decode("\xC0\xAF", 2, &cp), 1);
	assert_int_equal(cp, TEXT_REPLACEMENT);
	assert_int_equal(text_decode("\xED\xA0\x80", 3, &cp), 1);
	assert_int_equal(cp, TEXT_REPLACEMENT);
}

static void
widths(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("家庭人数"), 8);
	assert_int_equal(text_width("口罩，消毒"), 10);	/* full-width comma */
	assert_int_equal(text_width("e\xCC\x81"), 1);	/* e + combining acute */
	assert_int_equal(text_width("\xF0\x9F\x98\x80"), 2);	/* emoji */
	assert_int_equal(text_width("a\x1b"), 5);	/* shown as a\x1B */
}

static void
sanitize_makes_escapes_inert(void **state)
{
	char *s;

	(void)state;
	/* ESC, BEL and the one-byte CSI (U+009B, C2 9B in UTF-8). */
	s = text_sanitize("red\x1b[31mX\x07\xC2\x9B" "2J", false);
	assert_null(strchr(s, 0x1b));
	assert_null(strchr(s, 0x07));
	assert_string_equal(s, "red\\x1B[31mX\\x07\\x9B2J");
	free(s);
	s = text_sanitize("a\tb\nc", false);
	assert_string_equal(s, "a b c");
	free(s);
	s = text_sanitize("a\nb", true);
	assert_string_equal(s, "a\nb");
	free(s);
	s = text_sanitize("bad\xff", false);
	assert_string_equal(s, "bad\xEF\xBF\xBD");
	free(s);
	assert_true(text_is_clean("家庭 ok", false));
	assert_false(text_is_clean("x\x1b", false));
	assert_false(text_is_clean("x\xff", false));
	assert_true(text_is_clean("x\ny", true));
}

static char *
line_of(const char *s, const struct text_line *l)
{
	return strndup(s + l->off, l->len);
}

static void
wrap_latin_at_spaces(void **state)
{
	struct text_line *lines;
	const char *s = "How many people live in the household";
	size_t n = text_wrap(s, 12, &lines);
	char *l0 = line_of(s, &lines[0]), *l1 = line_of(s, &lines[1]);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(l0, "How many");
	assert_string_equal(l1, "people live");
	assert_int_equal(lines[1].width, 11);
	free(l0);
	free(l1);
	free(lines);
}

static void
wrap_chinese_by_columns(void **state)
{
	struct text_line *lines;
	/* 20 wide characters: 40 columns, in lines of 9 columns each. */
	const char *s = "你如何评价家人的健康状况你如何评价家人的";
	size_t n = text_wrap(s, 9, &lines), i;

	(void)state;
	assert_int_equal(n, 5);
	for (i = 0; i < 4; i++)
		assert_int_equal(lines[i].width, 8);	/* a 9th column cannot hold half */
	assert_int_equal(lines[4].width, 8);
	assert_int_equal(lines[1].off, 12);		/* 4 characters of 3 bytes */
	free(lines);
}

static void
wrap_mixed_and_long_words(void **state)
{
	struct text_line *lines;
	const char *s = "口罩够用吗 masks enough? supercalifragilistic";
	size_t n = text_wrap(s, 10, &lines), i;
	char *l;

	(void)state;
	for (i = 0; i < n; i++)
		assert_true(lines[i].width <= 10);
	l = line_of(s, &lines[0]);
	assert_string_equal(l, "口罩够用吗");
	free(l);
	l = line_of(s, &lines[1]);
	assert_string_equal(l, "masks");
	free(l);
	l = line_of(s, &lines[n - 1]);
	assert_string_equal(l, "ragilistic");	/* a word longer than a line is cut */
	free(l);
	free(lines);
	/* Newlines force a break; an empty string is one empty line. */
	n = text_wrap("a\nb", 10, &lines);
	assert_int_equal(n, 2);
	free(lines);
	n = text_wrap("", 10, &lines);
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].len, 0);
	free(lines);
}

static void
fit_by_columns(void **state)
{
	(void)state;
	assert_int_equal(text_fit("家庭人数", 5), 6);	/* two wide chars */
	assert_int_equal(text_fit("家庭人数", 8), 12);
	assert_int_equal(text_fit("ab家", 3), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_and_encode),
		cmocka_unit_test(widths),
		cmocka_unit_test(sanitize_makes_escapes_inert),
		cmocka_unit_test(wrap_latin_at_spaces),
		cmocka_unit_test(wrap_chinese_by_columns),
		cmocka_unit_test(wrap_mixed_and_long_words),
		cmocka_unit_test(fit_by_columns),
	};

	return cmocka_run_group_tests_name("text", tests, test_utf8_locale, NULL);
}
