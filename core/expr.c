#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rx.h"
#include "text.h"
#include "i18n.h"
#include "util.h"

static struct value eval(const struct expr *e, const struct expr_env *env);

static const struct {
	const char *name;
	int min, max;		/* arguments; max -1: any number */
} functions[] = {
	[FN_NOT] = { "not", 1, 1 },
	[FN_SELECTED] = { "selected", 2, 2 },
	[FN_COUNT_SELECTED] = { "count-selected", 1, 1 },
	[FN_STRING_LENGTH] = { "string-length", 1, 1 },
	[FN_REGEX] = { "regex", 2, 2 },
	[FN_TODAY] = { "today", 0, 0 },
	[FN_IF] = { "if", 3, 3 },
	[FN_COALESCE] = { "coalesce", 2, 2 },
	[FN_CONCAT] = { "concat", 1, -1 },
	[FN_INT] = { "int", 1, 1 },
	[FN_NUMBER] = { "number", 1, 1 },
	[FN_COUNT] = { "count", 1, 1 },
	[FN_SUM] = { "sum", 1, 1 },
};

const char *
expr_fn_name(enum expr_fn fn)
{
	return functions[fn].name;
}

/* Parsing: recursive descent, one function per precedence level. */

struct parser {
	const char *src;
	size_t pos;
	int depth;
	char *cause;
	size_t at;
};

static struct expr *parse_or(struct parser *p);

static void
skip_space(struct parser *p)
{
	while (p->src[p->pos] == ' ' || p->src[p->pos] == '\t' ||
	    p->src[p->pos] == '\n' || p->src[p->pos] == '\r')
		p->pos++;
}

static struct expr *
fail(struct parser *p, size_t at, const char *fmt, ...) ATTR_PRINTF(3, 4);
static struct expr *
fail(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (p->cause == NULL) {
		va_start(ap, fmt);
		p->cause = xvasprintf(fmt, ap);
		va_end(ap);
		p->at = at;
	}
	return NULL;
}

static struct expr *
node(enum expr_op op, size_t pos)
{
	struct expr *e = xcalloc(1, sizeof *e);

	e->op = op;
	e->pos = pos;
	e->ref = -1;
	return e;
}

static void
add_arg(struct expr *e, struct expr *arg)
{
	e->args = xreallocarray(e->args, e->nargs + 1, sizeof *e->args);
	e->args[e->nargs++] = arg;
}

static struct expr *
binary(enum expr_op op, size_t pos, struct expr *l, struct expr *r)
{
	struct expr *e;

	if (l == NULL || r == NULL) {
		expr_free(l);
		expr_free(r);
		return NULL;
	}
	e = node(op, pos);
	add_arg(e, l);
	add_arg(e, r);
	return e;
}

/* Whether the word at the cursor is kw, standing alone. */
static bool
word_is(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	char after;

	if (strncmp(p->src + p->pos, kw, n) != 0)
		return false;
	after = p->src[p->pos + n];
	return !isalnum((unsigned char)after) && after != '_' && after != '-' &&
	    after != '(';
}

static struct expr *
parse_call(struct parser *p, size_t start)
{
	size_t end = p->pos, f;
	struct expr *e;
	char *name;

	while (isalnum((unsigned char)p->src[end]) || p->src[end] == '-' ||
	    p->src[end] == '_')
		end++;
	name = xstrndup(p->src + p->pos, end - p->pos);
	p->pos = end;
	skip_space(p);
	if (p->src[p->pos] != '(') {
		e = fail(p, start, _("'%s' is not a function, an operator or a "
		    "value; write a question as ${name} and a text in quotes"), name);
		free(name);
		return e;
	}
	for (f = 0; f < ARRAY_LEN(functions); f++)
		if (strcmp(functions[f].name, name) == 0)
			break;
	if (f == ARRAY_LEN(functions)) {
		e = fail(p, start, _("unknown function %s()"), name);
		free(name);
		return e;
	}
	free(name);
	e = node(EX_CALL, start);
	e->fn = (enum expr_fn)f;
	p->pos++;
	skip_space(p);
	if (p->src[p->pos] != ')') {
		for (;;) {
			struct expr *arg = parse_or(p);

			if (arg == NULL) {
				expr_free(e);
				return NULL;
			}
			add_arg(e, arg);
			skip_space(p);
			if (p->src[p->pos] == ',') {
				p->pos++;
				continue;
			}
			break;
		}
	}
	if (p->src[p->pos] != ')') {
		expr_free(e);
		return fail(p, p->pos, _("expected ',' or ')' in the call of %s()"),
		    functions[f].name);
	}
	p->pos++;
	if ((int)e->nargs < functions[f].min ||
	    (functions[f].max >= 0 && (int)e->nargs > functions[f].max)) {
		size_t got = e->nargs;

		expr_free(e);
		if (functions[f].min == functions[f].max)
			return fail(p, start, ngettext("%s() takes %d argument, "
			    "not %zu", "%s() takes %d arguments, not %zu",
			    (unsigned long)functions[f].min), functions[f].name,
			    functions[f].min, got);
		return fail(p, start, ngettext("%s() takes at least %d argument",
		    "%s() takes at least %d arguments",
		    (unsigned long)functions[f].min), functions[f].name,
		    functions[f].min);
	}
	return e;
}

static struct expr *
parse_primary(struct parser *p)
{
	const char *s;
	size_t start;
	struct expr *e;

	skip_space(p);
	start = p->pos;
	s = p->src + p->pos;
	if (isdigit((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1]))) {
		char *end;

		e = node(EX_NUM, start);
		e->num = strtod(s, &end);
		p->pos += (size_t)(end - s);
		if (isalpha((unsigned char)p->src[p->pos])) {
			expr_free(e);
			return fail(p, p->pos, _("a number cannot be followed by a letter"));
		}
		return e;
	}
	if (s[0] == '\'' || s[0] == '"') {
		const char *close = strchr(s + 1, s[0]);

		if (close == NULL)
			return fail(p, start, _("this text has no closing %c"), s[0]);
		e = node(EX_STR, start);
		e->str = xstrndup(s + 1, (size_t)(close - s - 1));
		p->pos += (size_t)(close - s) + 1;
		return e;
	}
	if (s[0] == '$') {
		size_t n = 0;

		if (s[1] != '{')
			return fail(p, start, _("write a question as ${name}"));
		while (isalnum((unsigned char)s[2 + n]) || s[2 + n] == '_')
			n++;
		if (n == 0 || s[2 + n] != '}')
			return fail(p, start, _("write a question as ${name}, with a name "
			    "of letters, digits and _"));
		e = node(EX_REF, start);
		e->str = xstrndup(s + 2, n);
		p->pos += n + 3;
		return e;
	}
	if (s[0] == '.' && s[1] != '.') {
		p->pos++;
		return node(EX_DOT, start);
	}
	if (s[0] == '(') {
		p->pos++;
		e = parse_or(p);
		if (e == NULL)
			return NULL;
		skip_space(p);
		if (p->src[p->pos] != ')') {
			expr_free(e);
			return fail(p, p->pos, _("expected ')' to close the '(' at column "
			    "%zu"), start + 1);
		}
		p->pos++;
		return e;
	}
	if (isalpha((unsigned char)s[0]))
		return parse_call(p, start);
	if (s[0] == '\0')
		return fail(p, start, _("the expression ends where a value is expected"));
	return fail(p, start, _("unexpected '%c'"), s[0]);
}

static struct expr *
parse_unary(struct parser *p)
{
	size_t start;
	struct expr *e, *operand;

	skip_space(p);
	if (p->src[p->pos] != '-')
		return parse_primary(p);
	start = p->pos++;
	if (++p->depth > EXPR_MAX_DEPTH)
		return fail(p, start, _("the expression is nested too deeply"));
	operand = parse_unary(p);
	p->depth--;
	if (operand == NULL)
		return NULL;
	e = node(EX_NEG, start);
	add_arg(e, operand);
	return e;
}

static struct expr *
parse_mul(struct parser *p)
{
	struct expr *l = parse_unary(p);

	while (l != NULL) {
		enum expr_op op;
		size_t at;

		skip_space(p);
		at = p->pos;
		if (p->src[p->pos] == '*') {
			op = EX_MUL;
			p->pos++;
		} else if (word_is(p, "div")) {
			op = EX_DIV;
			p->pos += 3;
		} else if (word_is(p, "mod")) {
			op = EX_MOD;
			p->pos += 3;
		} else
			break;
		l = binary(op, at, l, parse_unary(p));
	}
	return l;
}

static struct expr *
parse_add(struct parser *p)
{
	struct expr *l = parse_mul(p);

	while (l != NULL) {
		size_t at;
		char c;

		skip_space(p);
		at = p->pos;
		c = p->src[p->pos];
		if (c != '+' && c != '-')
			break;
		p->pos++;
		l = binary(c == '+' ? EX_ADD : EX_SUB, at, l, parse_mul(p));
	}
	return l;
}

static struct expr *
parse_rel(struct parser *p)
{
	struct expr *l = parse_add(p);

	while (l != NULL) {
		enum expr_op op;
		size_t at;
		const char *s;

		skip_space(p);
		at = p->pos;
		s = p->src + p->pos;
		if (s[0] == '<' && s[1] == '=')
			op = EX_LE;
		else if (s[0] == '>' && s[1] == '=')
			op = EX_GE;
		else if (s[0] == '<')
			op = EX_LT;
		else if (s[0] == '>')
			op = EX_GT;
		else
			break;
		p->pos += op == EX_LE || op == EX_GE ? 2 : 1;
		l = binary(op, at, l, parse_add(p));
	}
	return l;
}

static struct expr *
parse_eq(struct parser *p)
{
	struct expr *l = parse_rel(p);

	while (l != NULL) {
		size_t at;
		const char *s;

		skip_space(p);
		at = p->pos;
		s = p->src + p->pos;
		if (s[0] == '=' && s[1] == '=')
			return binary(EX_EQ, at, l, fail(p, at, _("use = to compare, "
			    "not ==")));
		if (s[0] == '=') {
			p->pos++;
			l = binary(EX_EQ, at, l, parse_rel(p));
		} else if (s[0] == '!' && s[1] == '=') {
			p->pos += 2;
			l = binary(EX_NE, at, l, parse_rel(p));
		} else
			break;
	}
	return l;
}

static struct expr *
parse_and(struct parser *p)
{
	struct expr *l = parse_eq(p);

	while (l != NULL) {
		size_t at;

		skip_space(p);
		at = p->pos;
		if (p->src[at] == '&')
			return binary(EX_AND, at, l, fail(p, at, _("write 'and', not &&")));
		if (!word_is(p, "and"))
			break;
		p->pos += 3;
		l = binary(EX_AND, at, l, parse_eq(p));
	}
	return l;
}

static struct expr *
parse_or(struct parser *p)
{
	struct expr *l;

	if (++p->depth > EXPR_MAX_DEPTH)
		return fail(p, p->pos, _("the expression is nested too deeply"));
	l = parse_and(p);
	while (l != NULL) {
		size_t at;

		skip_space(p);
		at = p->pos;
		if (p->src[at] == '|')
			return binary(EX_OR, at, l, fail(p, at, _("write 'or', not ||")));
		if (!word_is(p, "or"))
			break;
		p->pos += 2;
		l = binary(EX_OR, at, l, parse_and(p));
	}
	p->depth--;
	return l;
}

struct expr *
expr_parse(const char *src, size_t *at, char **cause)
{
	struct parser p = { src, 0, 0, NULL, 0 };
	struct expr *e;

	*cause = NULL;
	*at = 0;
	if (strlen(src) > EXPR_MAX_LEN) {
		*cause = xasprintf(_("the expression is longer than %d characters"),
		    EXPR_MAX_LEN);
		return NULL;
	}
	e = parse_or(&p);
	if (e != NULL) {
		skip_space(&p);
		if (src[p.pos] != '\0') {
			expr_free(e);
			e = fail(&p, p.pos, _("unexpected '%c' after a complete "
			    "expression"), src[p.pos]);
		}
	}
	if (e == NULL) {
		*cause = p.cause ? p.cause : xstrdup(_("cannot read the expression"));
		*at = p.at;
	}
	return e;
}

void
expr_free(struct expr *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nargs; i++)
		expr_free(e->args[i]);
	free(e->args);
	free(e->str);
	free(e);
}

void
expr_walk_refs(struct expr *e, void (*fn)(void *ctx, struct expr *ref),
    void *ctx)
{
	size_t i;

	if (e == NULL)
		return;
	if (e->op == EX_REF)
		fn(ctx, e);
	for (i = 0; i < e->nargs; i++)
		expr_walk_refs(e->args[i], fn, ctx);
}

bool
expr_uses_dot(const struct expr *e)
{
	size_t i;

	if (e == NULL)
		return false;
	if (e->op == EX_DOT)
		return true;
	for (i = 0; i < e->nargs; i++)
		if (expr_uses_dot(e->args[i]))
			return true;
	return false;
}

/* Values. */

static long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, long *y, long *m, long *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

bool
expr_date_days(const char *s, long *days)
{
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

void
expr_date_string(long days, char out[11])
{
	long y, m, d;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

long
expr_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return days_from_civil(tm.tm_year + 1900L, tm.tm_mon + 1L, tm.tm_mday);
}

static struct value
v_num(double x)
{
	struct value v = { VAL_NUM, x, NULL };

	return v;
}

static struct value
v_bool(bool b)
{
	struct value v = { VAL_BOOL, b ? 1 : 0, NULL };

	return v;
}

static struct value
v_str_owned(char *s)
{
	struct value v = { VAL_STR, 0, s };

	return v;
}

static struct value
v_date(double days)
{
	struct value v = { VAL_DATE, days, NULL };

	return v;
}

void
value_free(struct value *v)
{
	free(v->str);
	v->str = NULL;
}

double
value_number(const struct value *v)
{
	const char *s;
	char *end;
	long days;
	double x;

	if (v->kind != VAL_STR)
		return v->num;
	s = v->str;
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return NAN;
	if (expr_date_days(s, &days))
		return (double)days;
	x = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (*end != '\0' || end == s || isalpha((unsigned char)*s))
		return NAN;	/* "inf", "nan" and hex are not numbers here */
	return x;
}

bool
value_truthy(const struct value *v)
{
	switch (v->kind) {
	case VAL_STR:
		return v->str[0] != '\0';
	case VAL_BOOL:
		return v->num != 0;
	case VAL_NUM:
		return v->num != 0 && !isnan(v->num);
	case VAL_DATE:
		return true;
	}
	return false;
}

/* A number as XML Schema's decimal writes it (the instance sends it to
 * the server): 15 significant digits, never an exponent, so 1e-07 is
 * 0.0000001. */
static char *
number_plain(double x)
{
	char *s = xasprintf("%.15g", x), *end;
	int decimals;

	if (strpbrk(s, "eE") == NULL)
		return s;
	free(s);
	decimals = 14 - (int)floor(log10(fabs(x)));
	if (decimals < 0)
		decimals = 0;
	if (decimals > 400)
		decimals = 400;
	s = xasprintf("%.*f", decimals, x);
	if (strchr(s, '.') != NULL) {
		end = s + strlen(s);
		while (end[-1] == '0')
			*--end = '\0';
		if (end[-1] == '.')
			end[-1] = '\0';
	}
	return s;
}

char *
value_string(const struct value *v)
{
	long y, m, d;

	switch (v->kind) {
	case VAL_STR:
		return xstrdup(v->str);
	case VAL_BOOL:
		return xstrdup(v->num != 0 ? "true" : "false");
	case VAL_DATE:
		civil_from_days((long)v->num, &y, &m, &d);
		return xasprintf("%04ld-%02ld-%02ld", y, m, d);
	case VAL_NUM:
		break;
	}
	if (isnan(v->num))
		return xstrdup("NaN");
	if (isinf(v->num))
		return xstrdup(v->num > 0 ? "Infinity" : "-Infinity");
	if (v->num == trunc(v->num) && fabs(v->num) < 1e15)
		return xasprintf("%.0f", v->num == 0 ? 0.0 : v->num);
	return number_plain(v->num);
}

static long
entry_for(const struct expr_env *env, long q)
{
	return env->repeat_of(env->ctx, q) >= 0 ? env->entry : 0;
}

/* The value of question q in an entry, typed as the question is. */
static struct value
answer_value(const struct expr_env *env, long q, long entry)
{
	const char *a = env->answer(env->ctx, q, entry);
	enum value_kind kind = env->kind(env->ctx, q);
	long days;

	if (a == NULL || *a == '\0')
		return v_str_owned(xstrdup(""));
	if (kind == VAL_NUM)
		return v_num(strtod(a, NULL));
	if (kind == VAL_DATE && expr_date_days(a, &days))
		return v_date((double)days);
	return v_str_owned(xstrdup(a));
}

static struct value
ref_value(const struct expr *e, const struct expr_env *env)
{
	if (e->ref < 0 || e->ref_is_repeat)
		return v_str_owned(xstrdup(""));
	return answer_value(env, e->ref, entry_for(env, e->ref));
}

static char *
eval_string(const struct expr *e, const struct expr_env *env)
{
	struct value v = eval(e, env);
	char *s = value_string(&v);

	value_free(&v);
	return s;
}

static double
eval_number(const struct expr *e, const struct expr_env *env)
{
	struct value v = eval(e, env);
	double x = value_number(&v);

	value_free(&v);
	return x;
}

static bool
eval_truthy(const struct expr *e, const struct expr_env *env)
{
	struct value v = eval(e, env);
	bool b = value_truthy(&v);

	value_free(&v);
	return b;
}

static bool
compare(enum expr_op op, struct value *a, struct value *b)
{
	double x, y;
	int c;

	if (op == EX_EQ || op == EX_NE) {
		bool eq;

		if (a->kind == VAL_BOOL || b->kind == VAL_BOOL)
			eq = value_truthy(a) == value_truthy(b);
		else if (a->kind != VAL_STR || b->kind != VAL_STR)
			eq = value_number(a) == value_number(b);
		else
			eq = strcmp(a->str, b->str) == 0;
		return op == EX_EQ ? eq : !eq;
	}
	x = value_number(a);
	y = value_number(b);
	if (isnan(x) || isnan(y))
		return false;
	c = x < y ? -1 : x > y;
	switch (op) {
	case EX_LT:
		return c < 0;
	case EX_LE:
		return c <= 0;
	case EX_GT:
		return c > 0;
	default:
		return c >= 0;
	}
}

/* How many words a space-separated list holds, and whether it holds w. */
static size_t
words(const char *list, const char *w, bool *has)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	size_t n = 0;

	*has = false;
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		n++;
		if (w != NULL && strcmp(tok, w) == 0)
			*has = true;
	}
	free(copy);
	return n;
}

/* Whether all of s matches pattern; a pattern that is not valid or
 * over the limits of rx.h matches nothing (the loader refuses such a
 * pattern, so only a form that never passed --check can have one). */
static bool
regex_whole(const char *s, const char *pattern)
{
	struct rx *rx;
	char *cause;
	size_t at;
	bool match;

	if ((rx = rx_compile(pattern, &at, &cause, NULL)) == NULL) {
		free(cause);
		return false;
	}
	match = rx_match(rx, s, strlen(s));
	rx_free(rx);
	return match;
}

/* count() and sum() take a repeat or a question inside one. */
static struct value
over_repeat(const struct expr *e, const struct expr_env *env)
{
	const struct expr *arg = e->args[0];
	long repeat, n, i;
	double total = 0;

	if (arg->op != EX_REF || arg->ref < 0)
		return v_num(NAN);
	repeat = arg->ref_is_repeat ? arg->ref : env->repeat_of(env->ctx, arg->ref);
	n = repeat >= 0 ? env->entries(env->ctx, repeat) : 0;
	if (e->fn == FN_COUNT)
		return v_num((double)n);
	if (arg->ref_is_repeat)
		return v_num(NAN);
	for (i = 1; i <= n; i++) {
		struct value v = answer_value(env, arg->ref, i);

		total += value_number(&v);
		value_free(&v);
	}
	return v_num(total);
}

static struct value
call(const struct expr *e, const struct expr_env *env)
{
	struct value v;
	char *s, *t;
	bool has;
	double x;

	switch (e->fn) {
	case FN_NOT:
		return v_bool(!eval_truthy(e->args[0], env));
	case FN_SELECTED:
		s = eval_string(e->args[0], env);
		t = eval_string(e->args[1], env);
		words(s, t, &has);
		free(s);
		free(t);
		return v_bool(has);
	case FN_COUNT_SELECTED:
		s = eval_string(e->args[0], env);
		x = (double)words(s, NULL, &has);
		free(s);
		return v_num(x);
	case FN_STRING_LENGTH: {
		size_t i = 0, n, chars = 0;
		uint32_t cp;

		s = eval_string(e->args[0], env);
		n = strlen(s);
		while (i < n) {
			i += text_decode(s + i, n - i, &cp);
			chars++;
		}
		free(s);
		return v_num((double)chars);
	}
	case FN_REGEX:
		s = eval_string(e->args[0], env);
		t = eval_string(e->args[1], env);
		has = regex_whole(s, t);
		free(s);
		free(t);
		return v_bool(has);
	case FN_TODAY:
		return v_date((double)env->today);
	case FN_IF:
		return eval(e->args[eval_truthy(e->args[0], env) ? 1 : 2], env);
	case FN_COALESCE:
		v = eval(e->args[0], env);
		if (v.kind != VAL_STR || v.str[0] != '\0')
			return v;
		value_free(&v);
		return eval(e->args[1], env);
	case FN_CONCAT: {
		struct buf b = { 0 };
		size_t i;

		for (i = 0; i < e->nargs; i++) {
			s = eval_string(e->args[i], env);
			buf_adds(&b, s);
			free(s);
		}
		return v_str_owned(buf_steal(&b));
	}
	case FN_INT:
		x = eval_number(e->args[0], env);
		return v_num(isnan(x) || isinf(x) ? x : trunc(x));
	case FN_NUMBER:
		return v_num(eval_number(e->args[0], env));
	case FN_COUNT:
	case FN_SUM:
		return over_repeat(e, env);
	}
	return v_str_owned(xstrdup(""));
}

static struct value
eval(const struct expr *e, const struct expr_env *env)
{
	struct value a, b;
	double x, y;
	bool r;

	switch (e->op) {
	case EX_NUM:
		return v_num(e->num);
	case EX_STR:
		return v_str_owned(xstrdup(e->str));
	case EX_REF:
		return ref_value(e, env);
	case EX_DOT:
		return v_str_owned(xstrdup(env->dot ? env->dot : ""));
	case EX_NEG:
		return v_num(-eval_number(e->args[0], env));
	case EX_AND:
		return v_bool(eval_truthy(e->args[0], env) &&
		    eval_truthy(e->args[1], env));
	case EX_OR:
		return v_bool(eval_truthy(e->args[0], env) ||
		    eval_truthy(e->args[1], env));
	case EX_CALL:
		return call(e, env);
	case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
		a = eval(e->args[0], env);
		b = eval(e->args[1], env);
		r = compare(e->op, &a, &b);
		value_free(&a);
		value_free(&b);
		return v_bool(r);
	default:
		break;
	}
	x = eval_number(e->args[0], env);
	y = eval_number(e->args[1], env);
	switch (e->op) {
	case EX_ADD:
		return v_num(x + y);
	case EX_SUB:
		return v_num(x - y);
	case EX_MUL:
		return v_num(x * y);
	case EX_DIV:
		return v_num(x / y);	/* IEEE: 1 div 0 is Infinity, as in XPath */
	default:
		return v_num(fmod(x, y));
	}
}

unsigned long expr_evaluations;

struct value
expr_eval(const struct expr *e, const struct expr_env *env)
{
	expr_evaluations++;
	return eval(e, env);
}
