/* Expressions of the form logic (the XLSForm subset), parsed once when a
 * form loads and evaluated with ODK's rules: an unanswered value is the
 * empty string, dates compare and subtract as days, regex() matches the
 * whole value. */
#ifndef DOORSTEP_EXPR_H
#define DOORSTEP_EXPR_H

#include <stdbool.h>
#include <stddef.h>

enum expr_op {
	EX_NUM, EX_STR, EX_REF, EX_DOT, EX_NEG,
	EX_ADD, EX_SUB, EX_MUL, EX_DIV, EX_MOD,
	EX_EQ, EX_NE, EX_LT, EX_LE, EX_GT, EX_GE,
	EX_AND, EX_OR, EX_CALL,
};

enum expr_fn {
	FN_NOT, FN_SELECTED, FN_COUNT_SELECTED, FN_STRING_LENGTH, FN_REGEX,
	FN_TODAY, FN_IF, FN_COALESCE, FN_CONCAT, FN_INT, FN_NUMBER, FN_COUNT,
	FN_SUM,
};

struct expr {
	enum expr_op op;
	size_t pos;		/* byte offset in the source, for messages */
	double num;		/* EX_NUM */
	char *str;		/* EX_STR text; EX_REF name */
	long ref;		/* EX_REF: question index, set by the form loader */
	bool ref_is_repeat;	/* EX_REF: ref is the index of a repeat group */
	enum expr_fn fn;	/* EX_CALL */
	struct expr **args;	/* operands or arguments */
	size_t nargs;
};

#define EXPR_MAX_DEPTH 64
#define EXPR_MAX_LEN 4096

/* Parses src. On error returns NULL with *cause a message and *at the
 * byte offset where it went wrong. */
struct expr *expr_parse(const char *src, size_t *at, char **cause);
void expr_free(struct expr *e);

/* Calls fn for every ${name} in e (depth first, in source order). */
void expr_walk_refs(struct expr *e, void (*fn)(void *ctx, struct expr *ref),
    void *ctx);

/* Whether e uses '.', the value being checked. */
bool expr_uses_dot(const struct expr *e);

enum value_kind { VAL_STR, VAL_NUM, VAL_BOOL, VAL_DATE };

/* A value; a string is owned by the value. */
struct value {
	enum value_kind kind;
	double num;		/* VAL_NUM, VAL_BOOL (0/1), VAL_DATE (days) */
	char *str;		/* VAL_STR */
};

/* What an evaluation reads: the answers, through the caller. */
struct expr_env {
	/* The answer of question q in repeat entry `entry` (0 outside
	 * repeats), or NULL when there is none. */
	const char *(*answer)(void *ctx, long q, long entry);
	/* The kind of value question q holds (VAL_NUM for numbers, VAL_DATE
	 * for dates, VAL_STR otherwise). */
	enum value_kind (*kind)(void *ctx, long q);
	/* The repeat that question q is in (-1 when none), and how many
	 * entries it has. */
	long (*repeat_of)(void *ctx, long q);
	long (*entries)(void *ctx, long repeat);
	void *ctx;
	long entry;		/* the repeat entry being evaluated, or 0 */
	const char *dot;	/* the value '.' stands for */
	long today;		/* days since 1970-01-01 */
};

struct value expr_eval(const struct expr *e, const struct expr_env *env);
/* How many expressions expr_eval was given (each counted once, not its
 * parts): what the tests count to show that an answer evaluates only
 * what depends on it. */
extern unsigned long expr_evaluations;
void value_free(struct value *v);

bool value_truthy(const struct value *v);
double value_number(const struct value *v);
/* The value as text (numbers without a needless ".0"); caller frees. */
char *value_string(const struct value *v);

/* Days since 1970-01-01 of a YYYY-MM-DD date; false when not one. */
bool expr_date_days(const char *s, long *days);
/* The YYYY-MM-DD date of a day number. */
void expr_date_string(long days, char out[11]);
/* Days since 1970-01-01 today, in local time. */
long expr_today(void);

/* The function's name and how many arguments it takes (max -1: any). */
const char *expr_fn_name(enum expr_fn fn);

#endif
