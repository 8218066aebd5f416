/* A one-line text field on screen: the editing keys, and its drawing. */
#ifndef DOORSTEP_TUI_FIELD_H
#define DOORSTEP_TUI_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "../core/lineedit.h"
#include "keys.h"

struct app;

/* Applies an editing key (moves, deletions, a typed character) to ed;
 * returns false for keys that are not editing keys. At most max
 * characters are kept (0: LINEEDIT_MAX). */
bool field_key(struct lineedit *ed, enum action act, bool fkey, wint_t ch,
    size_t max);

/* Draws "> text" on row y from column x, width columns wide, and puts the
 * cursor in it. Plain text after a prompt: each typed character then costs
 * the link one byte, where an underlined field costs sixteen. */
void field_draw(struct app *app, struct lineedit *ed, int y, int x,
    int width);

#endif
