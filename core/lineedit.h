/* A one-line text editor that works in characters and display columns,
 * with no terminal code: the screen asks it what to show. */
#ifndef DOORSTEP_LINEEDIT_H
#define DOORSTEP_LINEEDIT_H

#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_MAX 4096	/* characters in one answer */

struct lineedit {
	uint32_t *cps;		/* code points */
	size_t n;
	size_t cap;
	size_t cursor;		/* 0..n, in characters */
	size_t scroll;		/* first character shown */
};

void lineedit_init(struct lineedit *le);
void lineedit_free(struct lineedit *le);
/* Replaces the text (UTF-8) and puts the cursor at its end. */
void lineedit_set(struct lineedit *le, const char *text);
/* The text as UTF-8; the caller frees it. */
char *lineedit_text(const struct lineedit *le);

/* Inserts at the cursor; returns -1 when the line is full or cp is a
 * control character. */
int lineedit_insert(struct lineedit *le, uint32_t cp);
void lineedit_backspace(struct lineedit *le);
void lineedit_delete(struct lineedit *le);
void lineedit_left(struct lineedit *le);
void lineedit_right(struct lineedit *le);
void lineedit_home(struct lineedit *le);
void lineedit_end(struct lineedit *le);
void lineedit_kill_before(struct lineedit *le);	/* Ctrl-U */
void lineedit_kill_after(struct lineedit *le);	/* Ctrl-K */
void lineedit_kill_word(struct lineedit *le);	/* Ctrl-W */

/* Scrolls so that the cursor shows in a field of width columns; gives the
 * characters to draw as UTF-8 (caller frees) and the cursor's column. */
char *lineedit_view(struct lineedit *le, int width, int *cursor_col);

#endif
