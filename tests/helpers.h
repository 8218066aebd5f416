/* Small helpers shared by the cmocka tests. */
#ifndef DOORSTEP_TEST_HELPERS_H
#define DOORSTEP_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "../core/diag.h"
#include "../core/form.h"
#include "../core/store.h"
#include "../core/util.h"

/* A fresh private directory under $TMPDIR; the caller frees the path. */
static inline char *
test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path = malloc(4096);

	/* mkdtemp's template: six X's at the end. */
	snprintf(path, 4096, "%s/doorstep-test-%s", base ? base : "/tmp",
	    "XX" "XX" "XX");
	assert_non_null(mkdtemp(path));
	return path;
}

static inline void
test_rmtree(const char *path)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* Whether d holds a problem at line:col whose message contains text. */
static inline int
test_has_diag(const struct diags *d, int line, int col, const char *text)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].line == line && (col == 0 || d->v[i].col == col) &&
		    strstr(d->v[i].msg, text) != NULL)
			return 1;
	return 0;
}

static inline void
test_print_diags(const struct diags *d)
{
	diags_print(d, stderr);
}

/* A cmocka group setup: the UTF-8 locale that widths depend on. */
static inline int
test_utf8_locale(void **state)
{
	(void)state;
	return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

/* A whole file as a string; the caller frees it. */
static inline char *
test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0, n;

	assert_non_null(f);
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			assert_non_null(data);
		}
		n = fread(data + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	data[len] = '\0';
	return data;
}

/* A database d.db in a fresh private directory *dir (the caller frees
 * it); NULL when it cannot be opened. */
static inline struct store *
test_store_new(char **dir)
{
	char *path;
	struct store *s;

	*dir = test_tmpdir();
	path = xasprintf("%s/d.db", *dir);
	s = store_open(path, NULL);
	free(path);
	return s;
}

/* Closes what test_store_new opened and removes its directory. */
static inline void
test_store_free(struct store *s, char *dir)
{
	store_close(s);
	test_rmtree(dir);
	free(dir);
}

/* A form from YAML text, which must load (its problems printed if not). */
static inline struct form *
test_form_parse(const char *yaml, size_t len)
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

#define assert_diag(d, line, col, text) do {				\
	if (!test_has_diag((d), (line), (col), (text))) {		\
		test_print_diags(d);					\
		fail_msg("no problem at %d:%d containing \"%s\"",	\
		    (line), (col), (text));				\
	}								\
} while (0)

/* A guard against a hang, not a speed test (speed is measured in make
 * bench): the quadratic or exponential code the loader and regex tests
 * replaced took minutes to hours of CPU; linear code takes well under a
 * second, even under ASan on a loaded machine. */
#define CPU_HANG_LIMIT 60.0

/* CPU seconds this process has used. */
static inline double
cpu_seconds(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

#endif
