/* libFuzzer target: any text as an expression, parsed, then evaluated
 * against answers that are all present, so every path of the evaluator
 * runs. A parse error must come with a message and a place inside the
 * text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/expr.h"
#include "../../core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
answer(void *ctx, long q, long entry)
{
	static const char *const values[] = { "12", "2020-02-26", "a b c", "" };

	(void)ctx;
	return values[(q + entry) & 3];
}

static enum value_kind
kind(void *ctx, long q)
{
	(void)ctx;
	return (enum value_kind)(q % 4 == 1 ? VAL_DATE : q % 4 == 0 ? VAL_NUM :
	    VAL_STR);
}

static long
repeat_of(void *ctx, long q)
{
	(void)ctx;
	return q % 2 ? 0 : -1;
}

static long
entries(void *ctx, long g)
{
	(void)ctx;
	(void)g;
	return 3;
}

static void
resolve(void *ctx, struct expr *ref)
{
	(void)ctx;
	ref->ref = (long)(strlen(ref->str) % 5);
	ref->ref_is_repeat = ref->str[0] == 'r';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expr_env env = { answer, kind, repeat_of, entries, NULL, 1, "7",
	    18000 };
	char *src = xstrndup((const char *)data, size), *cause;
	struct expr *e;
	size_t at;

	e = expr_parse(src, &at, &cause);
	if (e == NULL) {
		if (cause == NULL || at > strlen(src))
			__builtin_trap();
		free(cause);
	} else {
		struct value v;
		char *s;

		expr_walk_refs(e, resolve, NULL);
		v = expr_eval(e, &env);
		s = value_string(&v);
		free(s);
		value_free(&v);
		expr_free(e);
	}
	free(src);
	return 0;
}
