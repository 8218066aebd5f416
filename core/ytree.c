#include "ytree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "text.h"
#include "i18n.h"
#include "util.h"

/* A tree's nodes, texts and item lists are cut from a few large blocks,
 * freed together: one allocation each (three a scalar) made malloc and
 * free a quarter of --check's time on a form of 10,000 questions, and
 * scattered the tree over the heap. */
struct yblock {
	struct yblock *next;
	size_t used, cap;
	max_align_t data[];
};

#define YBLOCK_SIZE (64 * 1024)

static void
blocks_free(struct yblock *b)
{
	while (b != NULL) {
		struct yblock *next = b->next;

		free(b);
		b = next;
	}
}

/* size bytes from the blocks at *head (not zeroed). */
static void *
yalloc(struct yblock **head, size_t size)
{
	const size_t align = _Alignof(struct ynode);
	struct yblock *b = *head;
	void *p;

	size = (size + align - 1) / align * align;
	if (b == NULL || b->cap - b->used < size) {
		size_t cap = size > YBLOCK_SIZE / 4 ? size : YBLOCK_SIZE;

		b = xmalloc(sizeof *b + cap);
		b->used = 0;
		b->cap = cap;
		if (size > YBLOCK_SIZE / 4 && *head != NULL) {
			/* A large list of items: a block of its own, behind the
			 * one being filled. */
			b->next = (*head)->next;
			(*head)->next = b;
		} else {
			b->next = *head;
			*head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += size;
	return p;
}

void
ytree_free(struct ynode *root)
{
	if (root != NULL)
		blocks_free(root->blocks);
}

struct ynode *
ytree_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != YNODE_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];

		if (k->kind == YNODE_SCALAR && strcmp(k->str, key) == 0)
			return map->items[i + 1];
	}
	return NULL;
}

const char *
ytree_kind_name(const struct ynode *node)
{
	switch (node->kind) {
	case YNODE_SCALAR:
		return _("a text");
	case YNODE_SEQ:
		return _("a list");
	case YNODE_MAP:
		return _("a mapping");
	}
	return "?";
}

/* libyaml counts columns in characters from 0 and lines from 0. */
static void
mark_pos(const yaml_mark_t *m, int *line, int *col)
{
	*line = (int)m->line + 1;
	*col = (int)m->column + 1;
}

/* Line and column (in characters) of a byte offset, for the reader's
 * errors, which libyaml gives only as an offset. */
static void
offset_pos(const char *text, size_t len, size_t offset, int *line, int *col)
{
	size_t i;

	*line = *col = 1;
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80)
			++*col;
	}
}

/* The items of a list or mapping being read, gathered here and put in
 * the tree at its end, in a list of the right size. */
struct yitems {
	struct ynode **v;
	size_t n;
	size_t cap;
};

static void
add_item(struct yitems *items, struct ynode *child)
{
	if (items->n == items->cap) {
		items->cap = items->cap ? items->cap * 2 : 16;
		items->v = xreallocarray(items->v, items->cap, sizeof *items->v);
	}
	items->v[items->n++] = child;
}

static void
close_items(struct yblock **blocks, struct ynode *parent, struct yitems *items)
{
	if (items->n > 0) {
		parent->items = yalloc(blocks, items->n * sizeof *parent->items);
		memcpy(parent->items, items->v, items->n * sizeof *parent->items);
	}
	parent->n = items->n;
	items->n = 0;
}

/* The byte at a libyaml mark, or -1 past the end. The mark's index
 * counts characters, not bytes, so the byte is found by line and column:
 * with Chinese text before it, the index pointed at the wrong byte and a
 * tab went unexplained. */
static int
byte_at(const char *text, size_t len, const yaml_mark_t *m)
{
	size_t i = 0, line = 0, col = 0;

	while (i < len && line < m->line)
		if (text[i++] == '\n')
			line++;
	while (i < len && col < m->column && text[i] != '\n') {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		col++;
	}
	return i < len ? (unsigned char)text[i] : -1;
}

/* The byte before a libyaml mark, or -1 at the start of a line. */
static int
byte_before(const char *text, size_t len, const yaml_mark_t *m)
{
	yaml_mark_t before = *m;

	if (m->column == 0)
		return -1;
	before.column--;
	return byte_at(text, len, &before);
}

/* Whether the problem is a quote that was never closed, which libyaml
 * finds only at the end of the file. */
static bool
unclosed_quote(const yaml_parser_t *p)
{
	return p->error == YAML_SCANNER_ERROR && p->context != NULL &&
	    strstr(p->context, "quoted scalar") != NULL;
}

/* Turns libyaml's terse problems into advice a supervisor can act on. */
static char *
explain(const yaml_parser_t *p, const char *text, size_t len, bool in_flow)
{
	const char *problem = p->problem ? p->problem : _("cannot read this YAML");
	int c = byte_at(text, len, &p->problem_mark);

	if (unclosed_quote(p)) {
		int q = byte_at(text, len, &p->context_mark);

		return xasprintf(_("this quoted text is never closed; add the "
		    "closing %c where the text ends"), q == '\'' ? '\'' : '"');
	}

	if (c == '\t' || (byte_before(text, len, &p->problem_mark) == '\t' &&
	    strstr(problem, "cannot start any token") != NULL))
		return xstrdup(_("a tab is used here; YAML indents with spaces only "
		    "(replace each tab with spaces)"));
	if (p->error == YAML_READER_ERROR) {
		if (strstr(problem, "control characters") != NULL)
			return xasprintf(_("the file holds a control character (byte 0x%02X) "
			    "that YAML does not allow; remove it"), (unsigned)p->problem_value);
		if (strstr(problem, "UTF-8") != NULL || strstr(problem, "utf-8") != NULL)
			return xstrdup(_("the file is not valid UTF-8; save it as UTF-8 "
			    "(in most editors: Save As, Encoding UTF-8)"));
		return xasprintf("%s", problem);
	}
	if (in_flow || strstr(problem, "flow") != NULL ||
	    strstr(problem, "expected ',' or") != NULL)
		return xasprintf(_("%s; inside { } or [ ], a text holding ': ', ',', '?', "
		    "'#', '[', ']', '{' or '}' must be quoted, as in "
		    "{en: \"Why? Because: money\"}"), problem);
	if (strstr(problem, "mapping values are not allowed") != NULL)
		return xasprintf(_("%s; a text holding ': ' must be quoted, as in "
		    "label: \"Note: read this aloud\""), problem);
	if (strstr(problem, "did not find expected key") != NULL ||
	    strstr(problem, "did not find expected '-'") != NULL)
		return xasprintf(_("%s; check that this line is indented like the "
		    "lines around it"), problem);
	return xstrdup(problem);
}

struct ynode *
ytree_parse(const char *text, size_t len, int *line, int *col, char **cause)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[YTREE_MAX_DEPTH + 1];
	struct ynode *root = NULL;
	struct yblock *blocks = NULL;
	struct yitems items[YTREE_MAX_DEPTH + 1] = { { 0 } };
	size_t depth = 0, nodes = 0, flow = 0, documents = 0, i;
	bool done = false, failed = false;

	*cause = NULL;
	*line = *col = 1;
	/* The byte-order mark Windows Notepad writes: skipped here, as
	 * libyaml would when left to guess the encoding; UTF-8 stays forced so
	 * that every offset counts the bytes of the file. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	} else if (len >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 ||
	    memcmp(text, "\xFE\xFF", 2) == 0)) {
		set_cause(cause, _("the file is saved as UTF-16 (\"Unicode\" in "
		    "Notepad); save it as UTF-8"));
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		set_cause(cause, _("cannot start the YAML reader"));
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!done && !failed) {
		struct ynode *node = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_READER_ERROR)
				offset_pos(text, len, parser.problem_offset, line, col);
			else if (unclosed_quote(&parser))
				mark_pos(&parser.context_mark, line, col);
			else
				mark_pos(parser.problem ? &parser.problem_mark :
				    &parser.context_mark, line, col);
			*cause = explain(&parser, text, len, flow > 0);
			failed = true;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			documents++;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (documents == 0)
				break;
			mark_pos(&ev.start_mark, line, col);
			set_cause(cause, _("a second YAML document starts here, but a "
			    "form file holds one form: remove this '---' and what "
			    "follows it, or put that in a file of its own"));
			failed = true;
			break;
		case YAML_ALIAS_EVENT:
			mark_pos(&ev.start_mark, line, col);
			set_cause(cause, _("aliases (*%s) are not allowed in a form; "
			    "write the text out, or use a named list under 'choices:'"),
			    (const char *)ev.data.alias.anchor);
			failed = true;
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.length > YTREE_MAX_SCALAR) {
				mark_pos(&ev.start_mark, line, col);
				set_cause(cause, _("this text is %zu bytes long; the limit is "
				    "%d bytes"), ev.data.scalar.length, YTREE_MAX_SCALAR);
				failed = true;
				break;
			}
			node = yalloc(&blocks, sizeof *node);
			memset(node, 0, sizeof *node);
			node->kind = YNODE_SCALAR;
			node->str = yalloc(&blocks, ev.data.scalar.length + 1);
			memcpy(node->str, ev.data.scalar.value, ev.data.scalar.length);
			node->str[ev.data.scalar.length] = '\0';
			node->len = ev.data.scalar.length;
			node->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			node->one_line_quoted =
			    ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			node = yalloc(&blocks, sizeof *node);
			memset(node, 0, sizeof *node);
			node->kind = ev.type == YAML_SEQUENCE_START_EVENT ?
			    YNODE_SEQ : YNODE_MAP;
			if ((ev.type == YAML_SEQUENCE_START_EVENT &&
			    ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE) ||
			    (ev.type == YAML_MAPPING_START_EVENT &&
			    ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE)) {
				node->flow = true;
				flow++;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				close_items(&blocks, stack[depth], &items[depth]);
			}
			if (flow > 0)
				flow--;
			break;
		default:
			break;
		}
		if (node != NULL) {
			mark_pos(&ev.start_mark, &node->line, &node->col);
			if (++nodes > YTREE_MAX_NODES) {
				*line = node->line;
				*col = node->col;
				set_cause(cause, _("the form has more than %d entries"),
				    YTREE_MAX_NODES);
				failed = true;
			} else if (depth == 0) {
				if (root == NULL)
					root = node;
				else
					node = NULL;	/* cannot happen in one document */
			} else
				add_item(&items[depth - 1], node);
			if (!failed && node != NULL && node->kind != YNODE_SCALAR) {
				if (depth == YTREE_MAX_DEPTH) {
					*line = node->line;
					*col = node->col;
					set_cause(cause, _("nested more than %d levels deep"),
					    YTREE_MAX_DEPTH);
					failed = true;
				} else
					stack[depth++] = node;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (i = 0; i <= YTREE_MAX_DEPTH; i++)
		free(items[i].v);
	if (failed || root == NULL) {
		blocks_free(blocks);
		return NULL;
	}
	root->blocks = blocks;
	return root;
}
