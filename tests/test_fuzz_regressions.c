/* Every input the fuzzers ever broke something with, run again under the
 * sanitizers: each must give a form or located messages, an expression
 * or a message, and nothing else. */
#include "helpers.h"

#include <dirent.h>

#include "../core/expr.h"
#include "../core/form.h"
#include "../core/util.h"

/* The file's bytes (which may hold NULs) and their number. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fclose(f);
	text = test_read_file(path);
	return text;
}

/* Calls fn on every file of dir; returns how many there were. */
static int
each_file(const char *dir, void (*fn)(const char *path))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		fn(path);
		free(path);
		n++;
	}
	closedir(d);
	return n;
}

static void
one_form(const char *path)
{
	struct diags d;
	struct form *f;
	size_t len;
	char *text = slurp(path, &len);

	diags_init(&d, path);
	f = form_parse(text, len, &d);
	if (f == NULL && d.errors == 0)
		fail_msg("%s: refused without a message", path);
	form_free(f);
	diags_free(&d);
	free(text);
}

static void
one_expr(const char *path)
{
	size_t len, at;
	char *text = slurp(path, &len), *cause;
	struct expr *e = expr_parse(text, &at, &cause);

	if (e == NULL) {
		if (cause == NULL || at > strlen(text))
			fail_msg("%s: refused without a place or message", path);
		free(cause);
	}
	expr_free(e);
	free(text);
}

static void
forms_found_by_fuzzing(void **state)
{
	(void)state;
	assert_true(each_file("tests/fuzz/regressions/form", one_form) >= 1);
}

static void
expressions_found_by_fuzzing(void **state)
{
	(void)state;
	each_file("tests/fuzz/regressions/expr", one_expr);
}

static void
the_seed_corpus_still_loads(void **state)
{
	(void)state;
	assert_true(each_file("tests/fuzz/corpus/form", one_form) >= 5);
	assert_true(each_file("tests/fuzz/corpus/expr", one_expr) >= 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forms_found_by_fuzzing),
		cmocka_unit_test(expressions_found_by_fuzzing),
		cmocka_unit_test(the_seed_corpus_still_loads),
	};

	return cmocka_run_group_tests_name("fuzz_regressions", tests, NULL, NULL);
}
