#include "menu.h"

#include <stdio.h>

#include "app.h"
#include "curses.h"

bool
menu_key(struct menu *m, enum action act, bool fkey, wint_t ch, bool *chosen)
{
	*chosen = false;
	if (m->n == 0)
		return false;
	if (m->unset && (act == ACT_UP || act == ACT_DOWN)) {
		m->unset = false;
		m->cursor = act == ACT_UP ? m->n - 1 : 0;
		return true;
	}
	if (act == ACT_UP) {
		m->cursor = m->cursor > 0 ? m->cursor - 1 : m->n - 1;
		return true;
	}
	if (act == ACT_DOWN) {
		m->cursor = m->cursor + 1 < m->n ? m->cursor + 1 : 0;
		return true;
	}
	if (!fkey && ch >= '1' && ch <= '9' && (size_t)(ch - '1') < m->n) {
		m->cursor = (size_t)(ch - '1');
		m->unset = false;
		*chosen = true;
		return true;
	}
	return false;
}

void
menu_draw(struct menu *m, struct app *app, int y, int x, int width, int rows,
    const char *(*item)(void *ctx, size_t i, char *scratch, size_t size),
    void *ctx)
{
	char scratch[512];
	size_t i;
	int r;

	if (rows < 1)
		return;
	if (m->cursor < m->top)
		m->top = m->cursor;
	if (m->cursor >= m->top + (size_t)rows)
		m->top = m->cursor - (size_t)rows + 1;
	for (r = 0, i = m->top; i < m->n && r < rows; i++, r++) {
		int attr = i == m->cursor && !m->unset ? attr_selected(app) : 0;
		int indent = 0;

		if (m->numbered) {
			char num[8];

			/* The space after the number highlighted too: one
			 * run of reverse for the row, not two. */
			if (i < 9)
				snprintf(num, sizeof num, "%zu. ", i + 1);
			else
				snprintf(num, sizeof num, "   ");
			draw_text(y + r, x, 3, num, attr);
			indent = 3;
		}
		draw_text(y + r, x + indent, width - indent,
		    item(ctx, i, scratch, sizeof scratch), attr);
	}
	if (m->top > 0)
		draw_text(y, x + width - 1, 1, "^", A_BOLD);
	if (m->top + (size_t)rows < m->n)
		draw_text(y + rows - 1, x + width - 1, 1, "v", A_BOLD);
}
