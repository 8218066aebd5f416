/* The interview program: a stack of screens over one event loop. */
#ifndef DOORSTEP_TUI_APP_H
#define DOORSTEP_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "../core/formdir.h"
#include "../core/store.h"
#include "../core/util.h"
#include "keys.h"

#define APP_MIN_COLS 40
#define APP_MIN_LINES 15
#define APP_MAX_SCREENS 8

struct app;

enum key_result {
	KR_STAY,	/* redraw and wait for the next key */
	KR_POP,		/* close this screen */
	KR_HOME,	/* close every screen above the home screen */
	KR_QUIT,
};

/* A screen is a small vtable; each screen's struct starts with one. */
struct screen {
	const struct screen_ops *ops;
};

struct screen_ops {
	/* Draws into stdscr, inside rows [1, LINES - 2). */
	void (*draw)(struct screen *s, struct app *app);
	/* Handles one key: the action it is bound to, and the key itself. */
	enum key_result (*key)(struct screen *s, struct app *app,
	    enum action act, bool fkey, wint_t ch);
	/* Called when the connection is lost: save what can be saved. */
	void (*hangup)(struct screen *s, struct app *app);
	/* Called when the screen above it closes. */
	void (*resume)(struct screen *s, struct app *app);
	void (*free)(struct screen *s);
	/* The actions shown in the key bar, ending with ACT_NONE. */
	const enum action *bar;
};

struct app {
	struct store *store;
	const char *db_path;
	const char *forms_dir;
	struct formdir_entry *forms;
	size_t nforms;
	const char *lang;		/* UI and default form language: zh or en */
	const char *interviewer;
	const char *site;
	const char *round;
	struct screen *stack[APP_MAX_SCREENS];
	size_t depth;
	char *flash;			/* one-line message, shown until a key */
	bool flash_error;
	bool colors;
	bool utf8;			/* the locale's codeset is UTF-8 */
	int cursor_y, cursor_x;		/* where a screen wants the cursor, or -1 */
};

/* Runs the program until the user quits; returns an exit status. */
int app_run(struct app *app);

/* Whether terminfo knows $TERM (tui/terminfo.c, apart because term.h
 * defines names such as lines and hangup). */
bool app_term_known(void);

/* Gives the terminal back before the process dies (out of memory). */
void app_emergency_exit(void);

void app_push(struct app *app, struct screen *s);
void app_flash(struct app *app, bool error, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

/* Drawing helpers: text is sanitized and cut to the width given, in
 * columns. */
void draw_text(int y, int x, int width, const char *s, int attr);
/* Wraps s into rows from y, at most max_rows; returns the rows used. */
int draw_wrapped(int y, int x, int width, int max_rows, const char *s,
    int attr);
/* The title bar on row 0 with a right-hand part. */
void draw_title(struct app *app, const char *left, const char *right);

/* Attributes that work with and without colour. */
int attr_title(const struct app *app);
int attr_error(const struct app *app);
int attr_selected(const struct app *app);

/* Screens. */
struct screen *home_new(struct app *app);
struct screen *help_new(struct app *app);

#endif
