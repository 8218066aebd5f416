#include "lineedit.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

void
lineedit_init(struct lineedit *le)
{
	memset(le, 0, sizeof *le);
}

void
lineedit_free(struct lineedit *le)
{
	free(le->cps);
	memset(le, 0, sizeof *le);
}

static int
cp_cols(uint32_t cp)
{
	int w = text_cp_width(cp);

	return w < 0 ? 1 : w;
}

void
lineedit_set(struct lineedit *le, const char *text)
{
	size_t len = text ? strlen(text) : 0, i = 0;

	le->n = le->cursor = le->scroll = 0;
	while (i < len) {
		uint32_t cp;

		i += text_decode(text + i, len - i, &cp);
		if (cp == '\n' || cp == '\t')
			cp = ' ';
		if (lineedit_insert(le, cp) != 0 && le->n >= LINEEDIT_MAX)
			break;
	}
}

char *
lineedit_text(const struct lineedit *le)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < le->n; i++) {
		char enc[4];

		buf_add(&b, enc, text_encode(le->cps[i], enc));
	}
	return buf_steal(&b);
}

int
lineedit_insert(struct lineedit *le, uint32_t cp)
{
	if (le->n >= LINEEDIT_MAX || text_cp_width(cp) < 0)
		return -1;
	/* A combining mark cannot start the line. */
	if (text_cp_width(cp) == 0 && le->cursor == 0)
		return -1;
	if (le->n == le->cap) {
		le->cap = le->cap ? le->cap * 2 : 32;
		le->cps = xreallocarray(le->cps, le->cap, sizeof *le->cps);
	}
	memmove(le->cps + le->cursor + 1, le->cps + le->cursor,
	    (le->n - le->cursor) * sizeof *le->cps);
	le->cps[le->cursor++] = cp;
	le->n++;
	return 0;
}

/* Characters and the combining marks after them move together. */
static size_t
prev_char(const struct lineedit *le, size_t at)
{
	while (at > 0) {
		at--;
		if (text_cp_width(le->cps[at]) != 0)
			break;
	}
	return at;
}

static size_t
next_char(const struct lineedit *le, size_t at)
{
	if (at < le->n)
		at++;
	while (at < le->n && text_cp_width(le->cps[at]) == 0)
		at++;
	return at;
}

static void
erase(struct lineedit *le, size_t from, size_t to)
{
	/* An untouched line has no buffer: nothing to move, and memmove
	 * must not be given NULL even for no bytes. */
	if (from == to)
		return;
	memmove(le->cps + from, le->cps + to, (le->n - to) * sizeof *le->cps);
	le->n -= to - from;
	le->cursor = from;
	if (le->scroll > le->cursor)
		le->scroll = le->cursor;
}

void
lineedit_backspace(struct lineedit *le)
{
	if (le->cursor > 0)
		erase(le, prev_char(le, le->cursor), le->cursor);
}

void
lineedit_delete(struct lineedit *le)
{
	if (le->cursor < le->n)
		erase(le, le->cursor, next_char(le, le->cursor));
}

void
lineedit_left(struct lineedit *le)
{
	le->cursor = prev_char(le, le->cursor);
}

void
lineedit_right(struct lineedit *le)
{
	le->cursor = next_char(le, le->cursor);
}

void
lineedit_home(struct lineedit *le)
{
	le->cursor = 0;
}

void
lineedit_end(struct lineedit *le)
{
	le->cursor = le->n;
}

void
lineedit_kill_before(struct lineedit *le)
{
	erase(le, 0, le->cursor);
}

void
lineedit_kill_after(struct lineedit *le)
{
	le->n = le->cursor;
}

void
lineedit_kill_word(struct lineedit *le)
{
	size_t at = le->cursor;

	while (at > 0 && le->cps[at - 1] == ' ')
		at--;
	while (at > 0 && le->cps[at - 1] != ' ')
		at--;
	erase(le, at, le->cursor);
}

char *
lineedit_view(struct lineedit *le, int width, int *cursor_col)
{
	struct buf b = { 0 };
	size_t i;
	int cols = 0;

	if (width < 2)
		width = 2;
	if (le->scroll > le->cursor)
		le->scroll = le->cursor;
	/* Keep one column free after the cursor for it to stand in. */
	for (;;) {
		cols = 0;
		for (i = le->scroll; i < le->cursor; i++)
			cols += cp_cols(le->cps[i]);
		if (cols + 1 <= width || le->scroll >= le->cursor)
			break;
		le->scroll = next_char(le, le->scroll);
	}
	*cursor_col = cols;
	cols = 0;
	for (i = le->scroll; i < le->n; i++) {
		char enc[4];
		int w = cp_cols(le->cps[i]);

		if (cols + w > width)
			break;
		cols += w;
		buf_add(&b, enc, text_encode(le->cps[i], enc));
	}
	return buf_steal(&b);
}
