/* A scrolling list of one-line items with a highlighted one. */
#ifndef DOORSTEP_TUI_MENU_H
#define DOORSTEP_TUI_MENU_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "keys.h"

struct app;

struct menu {
	size_t n;
	size_t cursor;
	size_t top;		/* first item shown */
	bool numbered;		/* "1." before each of the first nine */
	bool unset;		/* no item highlighted yet: Up or Down shows
				 * one, a digit chooses one */
};

/* Moves the highlight for Up/Down; a digit 1-9 moves it to that item and
 * returns true in *chosen. Returns true when the key was used. */
bool menu_key(struct menu *m, enum action act, bool fkey, wint_t ch,
    bool *chosen);

/* Draws rows [y, y + rows) with item(i) giving each item's text. */
void menu_draw(struct menu *m, struct app *app, int y, int x, int width,
    int rows, const char *(*item)(void *ctx, size_t i, char *scratch,
    size_t size), void *ctx);

#endif
