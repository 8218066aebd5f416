#include "field.h"

#include <stdlib.h>

#include "app.h"
#include "curses.h"

bool
field_key(struct lineedit *ed, enum action act, bool fkey, wint_t ch,
    size_t max)
{
	switch (act) {
	case ACT_LEFT:
		lineedit_left(ed);
		return true;
	case ACT_RIGHT:
		lineedit_right(ed);
		return true;
	case ACT_HOME:
		lineedit_home(ed);
		return true;
	case ACT_END:
		lineedit_end(ed);
		return true;
	case ACT_BACKSPACE:
		lineedit_backspace(ed);
		return true;
	case ACT_DELETE:
		lineedit_delete(ed);
		return true;
	case ACT_KILL_BEFORE:
		lineedit_kill_before(ed);
		return true;
	case ACT_KILL_AFTER:
		lineedit_kill_after(ed);
		return true;
	case ACT_KILL_WORD:
		lineedit_kill_word(ed);
		return true;
	case ACT_NONE:
	case ACT_TOGGLE:
		if (!fkey && ch >= 0x20 && (max == 0 || ed->n < max))
			lineedit_insert(ed, (uint32_t)ch);
		return true;
	default:
		return false;
	}
}

void
field_draw(struct app *app, struct lineedit *ed, int y, int x, int width)
{
	int col;
	char *view = lineedit_view(ed, width - 2, &col);

	draw_text(y, x, 2, ">", A_BOLD);
	draw_text(y, x + 2, width - 2, view, A_NORMAL);
	free(view);
	app->cursor_y = y;
	app->cursor_x = x + 2 + col;
}
