#include "rx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "i18n.h"
#include "text.h"
#include "util.h"

#define INF (-1)

/* A bracket expression: sorted, merged ranges of code points, named
 * classes ([:digit:]), and whether it is negated. */
struct rx_class {
	struct range {
		uint32_t lo, hi;
	} *ranges;
	size_t nranges;
	wctype_t types[12];
	size_t ntypes;
	bool negate;
};

enum node_kind { N_EMPTY, N_CHAR, N_ANY, N_CLASS, N_BOL, N_EOL, N_CAT, N_ALT,
    N_REPEAT };

/* The parsed pattern: nodes in one array, children by index. */
struct node {
	enum node_kind kind;
	uint32_t cp;		/* N_CHAR */
	size_t cls;		/* N_CLASS: index in rx->classes */
	size_t *kids;		/* N_CAT, N_ALT; N_REPEAT has one */
	size_t nkids;
	int min, max;		/* N_REPEAT; max INF for no bound */
};

enum op { OP_CHAR, OP_ANY, OP_CLASS, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL,
    OP_MATCH };

struct inst {
	enum op op;
	uint32_t cp;		/* OP_CHAR */
	size_t x;		/* OP_CLASS: class; OP_SPLIT, OP_JMP: target */
	size_t y;		/* OP_SPLIT: second target */
};

struct rx {
	struct inst *prog;
	size_t nprog;
	struct rx_class *classes;
	size_t nclasses;
};

struct parser {
	const char *s;
	size_t len;
	size_t i;		/* byte offset */
	struct node *nodes;
	size_t nnodes;
	struct rx *rx;
	char *cause;
	size_t at;
	char *warning;
};

static bool
fail(struct parser *p, size_t at, char *msg)
{
	if (p->cause == NULL) {
		p->cause = msg;
		p->at = at;
	} else
		free(msg);
	return false;
}

static size_t
new_node(struct parser *p, enum node_kind kind)
{
	if ((p->nnodes & (p->nnodes - 1)) == 0)
		p->nodes = xreallocarray(p->nodes, p->nnodes ? p->nnodes * 2 : 1,
		    sizeof *p->nodes);
	memset(&p->nodes[p->nnodes], 0, sizeof *p->nodes);
	p->nodes[p->nnodes].kind = kind;
	return p->nnodes++;
}

static void
add_kid(struct parser *p, size_t parent, size_t kid)
{
	struct node *n = &p->nodes[parent];

	if ((n->nkids & (n->nkids - 1)) == 0)
		n->kids = xreallocarray(n->kids, n->nkids ? n->nkids * 2 : 1,
		    sizeof *n->kids);
	n->kids[n->nkids++] = kid;
}

static uint32_t
next_cp(struct parser *p)
{
	uint32_t cp;

	p->i += text_decode(p->s + p->i, p->len - p->i, &cp);
	return cp;
}

static size_t
new_class(struct parser *p)
{
	struct rx *rx = p->rx;

	rx->classes = xreallocarray(rx->classes, rx->nclasses + 1,
	    sizeof *rx->classes);
	memset(&rx->classes[rx->nclasses], 0, sizeof *rx->classes);
	return rx->nclasses++;
}

static void
class_add(struct rx_class *c, uint32_t lo, uint32_t hi)
{
	c->ranges = xreallocarray(c->ranges, c->nranges + 1, sizeof *c->ranges);
	c->ranges[c->nranges].lo = lo;
	c->ranges[c->nranges].hi = hi;
	c->nranges++;
}

/* Adds one of the twelve POSIX classes, by name. */
static bool
class_add_type(struct rx_class *c, const char *name)
{
	static const char *const names[] = { "alpha", "digit", "alnum", "upper",
	    "lower", "space", "blank", "punct", "print", "graph", "cntrl",
	    "xdigit" };
	wctype_t t = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(names[i], name) == 0)
			t = wctype(name);
	if (t == 0)
		return false;
	for (i = 0; i < c->ntypes; i++)
		if (c->types[i] == t)
			return true;
	c->types[c->ntypes++] = t;	/* at most the 12 POSIX names */
	return true;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts and merges the ranges, so that a look-up is a binary search. */
static void
class_finish(struct rx_class *c)
{
	size_t i, k = 0;

	if (c->nranges < 2)
		return;
	qsort(c->ranges, c->nranges, sizeof *c->ranges, range_cmp);
	for (i = 1; i < c->nranges; i++) {
		if (c->ranges[i].lo <= c->ranges[k].hi + 1) {
			if (c->ranges[i].hi > c->ranges[k].hi)
				c->ranges[k].hi = c->ranges[i].hi;
		} else
			c->ranges[++k] = c->ranges[i];
	}
	c->nranges = k + 1;
}

static bool
class_has(const struct rx_class *c, uint32_t cp)
{
	size_t lo = 0, hi = c->nranges, i;
	bool in = false;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < c->ranges[mid].lo)
			hi = mid;
		else if (cp > c->ranges[mid].hi)
			lo = mid + 1;
		else {
			in = true;
			break;
		}
	}
	for (i = 0; !in && i < c->ntypes; i++)
		in = iswctype((wint_t)cp, c->types[i]) != 0;
	return in != c->negate;
}

/* \w \W \s \S: the GNU shorthands that libc's regcomp reads. */
static size_t
shorthand_class(struct parser *p, char letter)
{
	size_t k = new_class(p);
	struct rx_class *c = &p->rx->classes[k];

	if (letter == 'w' || letter == 'W') {
		class_add_type(c, "alnum");
		class_add(c, '_', '_');
	} else
		class_add_type(c, "space");
	c->negate = letter == 'W' || letter == 'S';
	class_finish(c);
	return k;
}

/* One element of a bracket expression: a character, or [.c.] or [=c=]
 * standing for the one character c. */
static bool
bracket_char(struct parser *p, uint32_t *cp)
{
	size_t start = p->i;

	if (p->i + 1 < p->len && p->s[p->i] == '[' &&
	    (p->s[p->i + 1] == '.' || p->s[p->i + 1] == '=')) {
		char kind = p->s[p->i + 1];

		p->i += 2;
		if (p->i >= p->len)
			return fail(p, start, xstrdup(_("'[' is never closed with ']'")));
		*cp = next_cp(p);
		if (p->i + 1 >= p->len || p->s[p->i] != kind || p->s[p->i + 1] != ']')
			return fail(p, start, xasprintf(_("only one character may stand "
			    "inside [%c %c]"), kind, kind));
		p->i += 2;
		return true;
	}
	*cp = next_cp(p);
	return true;
}

/* A bracket expression, p->i just after its '['. */
static bool
parse_bracket(struct parser *p, size_t *out)
{
	size_t open = p->i - 1, k = new_class(p);
	bool first = true;

	if (p->i < p->len && p->s[p->i] == '^') {
		p->rx->classes[k].negate = true;
		p->i++;
	}
	for (;;) {
		uint32_t lo, hi;
		size_t at = p->i;

		if (p->i >= p->len)
			return fail(p, open, xstrdup(_("'[' is never closed with ']'")));
		if (p->s[p->i] == ']' && !first) {
			p->i++;
			break;
		}
		first = false;
		if (p->i + 1 < p->len && p->s[p->i] == '[' && p->s[p->i + 1] == ':') {
			const char *end = memchr(p->s + p->i + 2, ':', p->len - p->i - 2);
			char name[16];
			size_t n = end ? (size_t)(end - (p->s + p->i + 2)) : 0;

			if (end == NULL || end + 1 >= p->s + p->len || end[1] != ']' ||
			    n == 0 || n >= sizeof name)
				return fail(p, at, xstrdup(_("'[:' starts a class such as "
				    "[:digit:] and ends with ':]'")));
			memcpy(name, p->s + p->i + 2, n);
			name[n] = '\0';
			if (!class_add_type(&p->rx->classes[k], name))
				return fail(p, at, xasprintf(_("there is no class [:%s:]; the "
				    "classes are alpha, digit, alnum, upper, lower, space, "
				    "blank, punct, print, graph, cntrl and xdigit"), name));
			p->i += n + 4;
			continue;
		}
		if (!bracket_char(p, &lo))
			return false;
		hi = lo;
		if (p->i + 1 < p->len && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
			p->i++;
			if (!bracket_char(p, &hi))
				return false;
			if (hi < lo)
				return fail(p, at, xasprintf(_("the range %.*s goes "
				    "backwards"), (int)(p->i - at), p->s + at));
		}
		class_add(&p->rx->classes[k], lo, hi);
	}
	class_finish(&p->rx->classes[k]);
	*out = new_node(p, N_CLASS);
	p->nodes[*out].cls = k;
	return true;
}

static bool parse_alt(struct parser *p, int depth, size_t *out);

/* A count {m}, {m,}, {m,n} or {,n}, p->i on its '{'. */
static bool
parse_count(struct parser *p, int *min, int *max)
{
	size_t open = p->i, j = p->i + 1;
	long m = -1, n;
	bool comma = false;

	while (j < p->len && p->s[j] >= '0' && p->s[j] <= '9') {
		m = (m < 0 ? 0 : m * 10) + (p->s[j++] - '0');
		if (m > 100000)
			m = 100000;
	}
	n = m;
	if (j < p->len && p->s[j] == ',') {
		comma = true;
		j++;
		n = -1;
		while (j < p->len && p->s[j] >= '0' && p->s[j] <= '9') {
			n = (n < 0 ? 0 : n * 10) + (p->s[j++] - '0');
			if (n > 100000)
				n = 100000;
		}
	}
	if (j >= p->len || p->s[j] != '}' || (m < 0 && (!comma || n < 0)))
		return fail(p, open, xstrdup(_("'{' starts a count such as {11} or "
		    "{1,5}; for the character itself write [{]")));
	if (m < 0)
		m = 0;
	if (m > RX_MAX_COUNT || n > RX_MAX_COUNT)
		return fail(p, open, xasprintf(_("a count may be at most %d"),
		    RX_MAX_COUNT));
	if (n >= 0 && n < m)
		return fail(p, open, xasprintf(_("the count {%ld,%ld} goes "
		    "backwards"), m, n));
	*min = (int)m;
	*max = n < 0 ? INF : (int)n;
	p->i = j + 1;
	return true;
}

/* An escaped character, p->i just after the backslash. */
static bool
parse_escape(struct parser *p, size_t *out)
{
	size_t at = p->i - 1;
	char c;

	if (p->i >= p->len)
		return fail(p, at, xstrdup(_("the pattern ends with a lone '\\'")));
	c = p->s[p->i];
	if (c >= '1' && c <= '9')
		return fail(p, at, xasprintf(_("back-references such as \\%c are not "
		    "allowed: they can make matching take longer than any "
		    "interview"), c));
	if (strchr("bB<>`'", c) != NULL)
		return fail(p, at, xasprintf(_("\\%c is not supported in a pattern; "
		    "regex() always matches the whole answer"), c));
	if (strchr("wWsS", c) != NULL) {
		p->i++;
		*out = new_node(p, N_CLASS);
		p->nodes[*out].cls = shorthand_class(p, c);
		return true;
	}
	if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9')) && p->warning == NULL)
		p->warning = xasprintf(_("in a POSIX pattern \\%c is the character "
		    "'%c'; for a digit write [0-9], for a space [[:space:]]"), c, c);
	*out = new_node(p, N_CHAR);
	p->nodes[*out].cp = next_cp(p);
	return true;
}

static bool
parse_atom(struct parser *p, int depth, size_t *out)
{
	size_t at = p->i;
	char c = p->s[p->i];

	switch (c) {
	case '(':
		if (depth >= RX_MAX_NESTING)
			return fail(p, at, xasprintf(_("parentheses are nested more than "
			    "%d deep"), RX_MAX_NESTING));
		p->i++;
		if (!parse_alt(p, depth + 1, out))
			return false;
		if (p->i >= p->len || p->s[p->i] != ')')
			return fail(p, at, xstrdup(_("'(' is never closed with ')'")));
		p->i++;
		return true;
	case '*': case '+': case '?': case '{':
		return fail(p, at, xasprintf(_("'%c' has nothing before it to "
		    "repeat; for the character itself write [%c]"), c, c));
	case '.':
		p->i++;
		*out = new_node(p, N_ANY);
		return true;
	case '^':
		p->i++;
		*out = new_node(p, N_BOL);
		return true;
	case '$':
		p->i++;
		*out = new_node(p, N_EOL);
		return true;
	case '[':
		p->i++;
		return parse_bracket(p, out);
	case '\\':
		p->i++;
		return parse_escape(p, out);
	default:
		*out = new_node(p, N_CHAR);
		p->nodes[*out].cp = next_cp(p);
		return true;
	}
}

/* Atoms, each with its repetitions, up to '|' or the group's ')'. */
static bool
parse_cat(struct parser *p, int depth, size_t *out)
{
	size_t cat = new_node(p, N_CAT);

	*out = cat;
	while (p->i < p->len && p->s[p->i] != '|' &&
	    !(p->s[p->i] == ')' && depth > 0)) {
		size_t atom = 0;

		if (!parse_atom(p, depth, &atom))
			return false;
		while (p->i < p->len && strchr("*+?{", p->s[p->i]) != NULL) {
			size_t rep, at = p->i;
			int min, max;

			if (p->nodes[atom].kind == N_BOL || p->nodes[atom].kind == N_EOL)
				return fail(p, at, xasprintf(_("'%c' has nothing before "
				    "it to repeat; for the character itself write [%c]"),
				    p->s[at], p->s[at]));
			if (p->s[p->i] == '{') {
				if (!parse_count(p, &min, &max))
					return false;
			} else {
				min = p->s[p->i] == '+' ? 1 : 0;
				max = p->s[p->i] == '?' ? 1 : INF;
				p->i++;
			}
			rep = new_node(p, N_REPEAT);
			p->nodes[rep].min = min;
			p->nodes[rep].max = max;
			add_kid(p, rep, atom);
			atom = rep;
		}
		add_kid(p, cat, atom);
	}
	return true;
}

static bool
parse_alt(struct parser *p, int depth, size_t *out)
{
	size_t branch = 0;

	if (!parse_cat(p, depth, &branch))
		return false;
	if (p->i >= p->len || p->s[p->i] != '|') {
		*out = branch;
		return true;
	}
	*out = new_node(p, N_ALT);
	add_kid(p, *out, branch);
	while (p->i < p->len && p->s[p->i] == '|') {
		p->i++;
		if (!parse_cat(p, depth, &branch))
			return false;
		add_kid(p, *out, branch);
	}
	return true;
}

/* Program steps the node compiles to, or RX_MAX_STEPS + 1 for more. */
static size_t
steps(const struct parser *p, size_t k)
{
	const size_t over = RX_MAX_STEPS + 1;
	const struct node *n = &p->nodes[k];
	size_t sum = 0, s, i;

	switch (n->kind) {
	case N_EMPTY:
		return 0;
	case N_CAT:
	case N_ALT:
		for (i = 0; i < n->nkids && sum < over; i++)
			sum += steps(p, n->kids[i]);
		if (n->kind == N_ALT)
			sum += 2 * (n->nkids - 1);
		return sum < over ? sum : over;
	case N_REPEAT:
		s = steps(p, n->kids[0]);
		if (s >= over)
			return over;
		sum = (size_t)n->min * s + (n->max == INF ? s + 2 :
		    (size_t)(n->max - n->min) * (s + 1));
		return sum < over ? sum : over;
	default:
		return 1;
	}
}

static size_t
emit(struct rx *rx, enum op op)
{
	struct inst *in = &rx->prog[rx->nprog];

	memset(in, 0, sizeof *in);
	in->op = op;
	return rx->nprog++;
}

/* Writes node k's program; rx->prog has room (steps() counted it). */
static void
compile(struct rx *rx, const struct parser *p, size_t k)
{
	const struct node *n = &p->nodes[k];
	size_t i, at, loop, *jumps;
	int r;

	switch (n->kind) {
	case N_EMPTY:
		return;
	case N_CHAR:
		rx->prog[emit(rx, OP_CHAR)].cp = n->cp;
		return;
	case N_ANY:
		emit(rx, OP_ANY);
		return;
	case N_CLASS:
		rx->prog[emit(rx, OP_CLASS)].x = n->cls;
		return;
	case N_BOL:
		emit(rx, OP_BOL);
		return;
	case N_EOL:
		emit(rx, OP_EOL);
		return;
	case N_CAT:
		for (i = 0; i < n->nkids; i++)
			compile(rx, p, n->kids[i]);
		return;
	case N_ALT:
		jumps = xcalloc(n->nkids, sizeof *jumps);
		for (i = 0; i + 1 < n->nkids; i++) {
			at = emit(rx, OP_SPLIT);
			rx->prog[at].x = at + 1;
			compile(rx, p, n->kids[i]);
			jumps[i] = emit(rx, OP_JMP);
			rx->prog[at].y = rx->nprog;
		}
		compile(rx, p, n->kids[i]);
		for (i = 0; i + 1 < n->nkids; i++)
			rx->prog[jumps[i]].x = rx->nprog;
		free(jumps);
		return;
	case N_REPEAT:
		for (r = 0; r < n->min; r++)
			compile(rx, p, n->kids[0]);
		if (n->max == INF) {
			loop = emit(rx, OP_SPLIT);
			rx->prog[loop].x = loop + 1;
			compile(rx, p, n->kids[0]);
			rx->prog[emit(rx, OP_JMP)].x = loop;
			rx->prog[loop].y = rx->nprog;
			return;
		}
		/* e{2,4} is e e (e (e)?)?: each optional copy may end it all. */
		jumps = xcalloc((size_t)(n->max - n->min) + 1, sizeof *jumps);
		for (r = 0; r < n->max - n->min; r++) {
			jumps[r] = emit(rx, OP_SPLIT);
			rx->prog[jumps[r]].x = jumps[r] + 1;
			compile(rx, p, n->kids[0]);
		}
		for (r = 0; r < n->max - n->min; r++)
			rx->prog[jumps[r]].y = rx->nprog;
		free(jumps);
		return;
	}
}

void
rx_free(struct rx *rx)
{
	size_t i;

	if (rx == NULL)
		return;
	for (i = 0; i < rx->nclasses; i++)
		free(rx->classes[i].ranges);
	free(rx->classes);
	free(rx->prog);
	free(rx);
}

struct rx *
rx_compile(const char *pattern, size_t *at, char **cause, char **warning)
{
	struct parser p = { 0 };
	struct rx *rx;
	size_t root = 0, n = 0, i;
	bool ok;

	*cause = NULL;
	*at = 0;
	if (warning != NULL)
		*warning = NULL;
	p.s = pattern;
	p.len = strlen(pattern);
	if (p.len > RX_MAX_PATTERN) {
		set_cause(cause, _("the pattern is %zu bytes long; the limit is %d"),
		    p.len, RX_MAX_PATTERN);
		return NULL;
	}
	rx = xcalloc(1, sizeof *rx);
	p.rx = rx;
	/* At the top, ')' without '(' is the character, as in libc. */
	ok = parse_alt(&p, 0, &root);
	if (ok && (n = steps(&p, root)) > RX_MAX_STEPS) {
		ok = fail(&p, 0, xasprintf(_("the pattern is too large once its "
		    "counts are spelled out (more than %d steps); use smaller counts "
		    "such as {1,50}, or string-length() for a length"),
		    RX_MAX_STEPS));
	}
	if (ok) {
		rx->prog = xcalloc(n + 1, sizeof *rx->prog);
		compile(rx, &p, root);
		emit(rx, OP_MATCH);
	}
	for (i = 0; i < p.nnodes; i++)
		free(p.nodes[i].kids);
	free(p.nodes);
	if (!ok) {
		*cause = p.cause;
		*at = p.at;
		free(p.warning);
		rx_free(rx);
		return NULL;
	}
	if (warning != NULL)
		*warning = p.warning;
	else
		free(p.warning);
	return rx;
}

/* The threads alive at one position of the text: program counters, each
 * once (gen[pc] == step marks those added). */
struct threads {
	size_t *pc;
	size_t n;
};

/* Adds pc and what it leads to without reading a character. */
static void
add_thread(const struct rx *rx, struct threads *t, size_t *gen, size_t step,
    size_t *stack, size_t pc, bool at_start, bool at_end)
{
	size_t top = 0;

	stack[top++] = pc;
	while (top > 0) {
		const struct inst *in;

		pc = stack[--top];
		if (gen[pc] == step)
			continue;
		gen[pc] = step;
		in = &rx->prog[pc];
		switch (in->op) {
		case OP_JMP:
			stack[top++] = in->x;
			break;
		case OP_SPLIT:
			stack[top++] = in->y;
			stack[top++] = in->x;
			break;
		case OP_BOL:
			if (at_start)
				stack[top++] = pc + 1;
			break;
		case OP_EOL:
			if (at_end)
				stack[top++] = pc + 1;
			break;
		default:
			t->pc[t->n++] = pc;
		}
	}
}

bool
rx_match(const struct rx *rx, const char *text, size_t len)
{
	struct threads a, b, *cur = &a, *next = &b, *swap;
	size_t *gen = xcalloc(rx->nprog, sizeof *gen);
	size_t *stack = xcalloc(2 * rx->nprog + 1, sizeof *stack);
	size_t pos = 0, step = 1, i;
	bool matched = false;

	a.pc = xcalloc(rx->nprog, sizeof *a.pc);
	b.pc = xcalloc(rx->nprog, sizeof *b.pc);
	a.n = b.n = 0;
	add_thread(rx, cur, gen, step, stack, 0, true, len == 0);
	while (pos < len && cur->n > 0) {
		uint32_t cp;
		size_t k = text_decode(text + pos, len - pos, &cp);

		step++;
		next->n = 0;
		for (i = 0; i < cur->n; i++) {
			const struct inst *in = &rx->prog[cur->pc[i]];
			bool take = in->op == OP_ANY ||
			    (in->op == OP_CHAR && in->cp == cp) ||
			    (in->op == OP_CLASS && class_has(&rx->classes[in->x], cp));

			if (take)
				add_thread(rx, next, gen, step, stack, cur->pc[i] + 1,
				    false, pos + k == len);
		}
		pos += k;
		swap = cur;
		cur = next;
		next = swap;
	}
	for (i = 0; pos == len && i < cur->n && !matched; i++)
		matched = rx->prog[cur->pc[i]].op == OP_MATCH;
	free(a.pc);
	free(b.pc);
	free(gen);
	free(stack);
	return matched;
}
