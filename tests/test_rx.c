/* The patterns of regex(): the same answers as libc's POSIX matcher on
 * the patterns forms use, and a located refusal, in little time, of the
 * patterns that made libc take gigabytes (issue 11, item 9). */
#include "helpers.h"

#include <regex.h>
#include <sys/resource.h>

#include "../core/rx.h"

static const char *const patterns[] = {
	"1[3-9][0-9]{9}", "[0-9]{17}[0-9Xx]", "[0-9]{6}", "a|b|", "(|a)b",
	"(ab|a)(bc|c)", "a*", "a+", "a?", "(a*)*", "(a|b)*abb", "a{2,3}",
	"a{0}", "a{,2}", "a{2,}", "(ab){1,2}c", "[^0-9]+", "[]a]+", "[^]a]",
	"[a-]+", "[--/]", "[[:digit:]]+", "[[:alpha:]_][[:alnum:]_]*",
	"[[:upper:]][[:lower:]]*", "[[:space:]]*x", "[[.-.]]", "[[=a=]]b",
	".*", ".", "..", "a.c", "^abc$", "a^b", "a$", "(^a|b)c", "x)",
	"\\.", "a\\*", "\\(a\\)", "[\\]+", "\\w+", "\\W", "\\s\\S",
	"刘.", "[刘王]丽", "[^a]", "(a|ab)(c|bcd)(d*)",
	"((a|b)?){4}", "(a?){3}a{3}", "[[:xdigit:]]{4}", "[[:punct:]]",
};

static const char *const texts[] = {
	"", "a", "b", "ab", "abb", "aabb", "babb", "abc", "abcd", "aa", "aaa",
	"aaaa", "c", "abbc", "ababc", "13812345678", "12812345678", "1381234567",
	"11010519491231002X", "100101", "x", "]", "-", "]a", "a-", ".", "/",
	"*", "a*", "(a)", "\\", "\\\\", "_x9", "Abc", "ABC", " \tx", "刘丽",
	"王丽", "刘", "中文", "中文名字", "abcbcd", "12ab", "Ff09", "!", "a\nb",
	"^", "x)", "ac", "abb\n",
};

/* Whether libc's regexec finds text to match ^(pattern)$. */
static int
libc_matches(const char *pattern, const char *text)
{
	char *anchored = xasprintf("^(%s)$", pattern);
	regex_t re;
	int m;

	if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
		fail_msg("libc refuses %s", anchored);
	m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	free(anchored);
	return m;
}

static void
same_answers_as_libc(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(patterns); i++) {
		char *cause, *warning;
		size_t at;
		struct rx *rx = rx_compile(patterns[i], &at, &cause, &warning);

		if (rx == NULL)
			fail_msg("%s: %s", patterns[i], cause);
		assert_null(warning);
		for (j = 0; j < ARRAY_LEN(texts); j++) {
			int want = libc_matches(patterns[i], texts[j]);
			int got = rx_match(rx, texts[j], strlen(texts[j]));

			if (want != got)
				fail_msg("'%s' on \"%s\": %d, libc says %d", patterns[i],
				    texts[j], got, want);
		}
		rx_free(rx);
	}
}

/* Refused, with where and why. */
#define REFUSED(pattern, want_at, text) do {				\
	char *cause_;							\
	size_t at_;							\
	struct rx *rx_ = rx_compile((pattern), &at_, &cause_, NULL);	\
	if (rx_ != NULL)						\
		fail_msg("%s was accepted", (pattern));			\
	if (strstr(cause_, (text)) == NULL)				\
		fail_msg("%s: %s", (pattern), cause_);			\
	assert_int_equal(at_, (want_at));				\
	free(cause_);							\
} while (0)

static void
costly_patterns_refused(void **state)
{
	double start = cpu_seconds();
	char *long_pattern = xcalloc(RX_MAX_PATTERN + 2, 1);
	char deep[2 * RX_MAX_NESTING + 8];
	size_t i;

	(void)state;
	/* The 12 bytes that took libc 7 GB. */
	REFUSED("(a{1,32767})", 2, "at most 255");
	REFUSED("a{256}", 1, "at most 255");
	REFUSED("a{99999999999999999999}", 1, "at most 255");
	/* Small counts that multiply. */
	REFUSED("((a{0,200}){0,200})", 0, "too large");
	REFUSED("(((a?){16}){16}){16}", 0, "too large");
	REFUSED(".{255}.{255}.{255}.{255}.{255}.{255}.{255}.{255}", 0,
	    "too large");
	/* Back-references make matching exponential. */
	REFUSED("(a*)\\1", 4, "back-references");
	memset(long_pattern, 'a', RX_MAX_PATTERN + 1);
	REFUSED(long_pattern, 0, "the limit is");
	for (i = 0; i < RX_MAX_NESTING + 1; i++) {
		deep[i] = '(';
		deep[RX_MAX_NESTING + 2 + i] = ')';
	}
	deep[RX_MAX_NESTING + 1] = 'a';
	deep[2 * RX_MAX_NESTING + 3] = '\0';
	REFUSED(deep, RX_MAX_NESTING, "nested more than");
	free(long_pattern);
	assert_true(cpu_seconds() - start < CPU_HANG_LIMIT);
}

static void
invalid_patterns_located(void **state)
{
	char *cause, *warning;
	size_t at;
	struct rx *rx;

	(void)state;
	REFUSED("[0-9", 0, "never closed");
	REFUSED("ab(c", 2, "never closed");
	REFUSED("*a", 0, "nothing before it");
	REFUSED("a|+", 2, "nothing before it");
	REFUSED("^*", 1, "nothing before it");
	REFUSED("a{2", 1, "starts a count");
	REFUSED("a{x}", 1, "starts a count");
	REFUSED("a{3,2}", 1, "backwards");
	REFUSED("[z-a]", 1, "backwards");
	REFUSED("[[:digits:]]", 1, "no class [:digits:]");
	REFUSED("ab\\", 2, "lone");
	REFUSED("\\bword", 0, "not supported");
	/* \d is the letter d in POSIX: it compiles, with a warning. */
	rx = rx_compile("\\d{3}", &at, &cause, &warning);
	assert_non_null(rx);
	assert_non_null(strstr(warning, "[0-9]"));
	assert_true(rx_match(rx, "ddd", 3));
	assert_false(rx_match(rx, "123", 3));
	free(warning);
	rx_free(rx);
	/* A range of Chinese characters, by code point (libc refuses it in
	 * the C.UTF-8 locale). */
	rx = rx_compile("[一-龥]{2,4}", &at, &cause, NULL);
	assert_non_null(rx);
	assert_true(rx_match(rx, "刘丽", strlen("刘丽")));
	assert_false(rx_match(rx, "刘", strlen("刘")));
	assert_false(rx_match(rx, "Liu", 3));
	rx_free(rx);
}

/* Time in proportion to the text: libc's matcher took 165 s here. */
static void
linear_in_the_text(void **state)
{
	size_t n = 1 << 18, i;
	char *text = malloc(n + 1);
	double start = cpu_seconds();
	char *cause;
	size_t at;
	struct rx *rx = rx_compile(".*a.{200}", &at, &cause, NULL);

	(void)state;
	assert_non_null(rx);
	for (i = 0; i < n; i++)
		text[i] = (i * 7 + i / 3) % 5 < 2 ? 'a' : 'b';
	text[n] = '\0';
	text[n - 201] = 'a';
	assert_true(rx_match(rx, text, n));
	text[n - 201] = 'b';
	assert_false(rx_match(rx, text, n));
	rx_free(rx);
	assert_true(cpu_seconds() - start < CPU_HANG_LIMIT);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_answers_as_libc),
		cmocka_unit_test(costly_patterns_refused),
		cmocka_unit_test(invalid_patterns_located),
		cmocka_unit_test(linear_in_the_text),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests_name("rx", tests, NULL, NULL);
}
