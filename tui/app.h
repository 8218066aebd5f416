/* The interview program: a stack of screens over one event loop. */
#ifndef DOORSTEP_TUI_APP_H
#define DOORSTEP_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "../core/config.h"
#include "../core/access.h"
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
	/* What an action does on this screen, where the usual word in the key
	 * bar would be wrong ("next" question on a report); NULL: the usual. */
	const char *(*bar_word)(enum action act);
	/* KR_HOME stops at this screen (a household's page) rather than at
	 * the home screen. */
	bool anchor;
};

struct app {
	struct store *store;
	const char *db_path;
	const char *forms_dir;
	struct formdir_entry *forms;
	size_t nforms;
	const char *lang;		/* UI and default form language: zh or en */
	const char *interviewer;
	struct access who;		/* what this login may do */
	const char *site;
	const struct config_site *sites;	/* the config's list, or none */
	size_t nsites;
	char *round;			/* owned; NULL: none chosen */
	bool round_asked;		/* "no round" was chosen this run */
	const char *code_prefix;	/* of new household codes, or NULL */
	struct screen *stack[APP_MAX_SCREENS];
	struct screen *pending;		/* pushed once the key is handled */
	size_t depth;
	char *flash;			/* one-line message, shown until a key */
	bool flash_error;
	bool colors;
	bool plain;			/* the plain look: no colour, no highlight */
	bool utf8;			/* the locale's codeset is UTF-8 */
	bool zh_unshowable;		/* Chinese asked for, English shown */
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

/* Asks for one line; accept() gets the text and returns KR_POP when it
 * was taken, or KR_STAY (having flashed why not). */
typedef enum key_result (*prompt_fn)(struct app *app, void *ctx,
    const char *text);
struct screen *prompt_new(const char *title, const char *question,
    const char *note, const char *initial, size_t max, prompt_fn accept,
    void *ctx, void (*ctx_free)(void *ctx));

/* Starts an interview of a household (NULL: not linked to one) whose site
 * is site: the form chooser, or the runner when there is one form; NULL
 * (having flashed why) when none can start. */
struct screen *interview_start(struct app *app, const char *household,
    const char *site);

enum household_list { HL_BROWSE, HL_PICK, HL_DUE };
/* The register: search, open, register (HL_BROWSE); the same to choose
 * the household of a new interview (HL_PICK); visits due (HL_DUE). */
struct screen *households_new(struct app *app, enum household_list mode);
/* Registering a household (code NULL; typed: the code or name searched
 * for; then_interview: start one once registered), or editing one. */
struct screen *household_edit_new(struct app *app, const char *code,
    const char *typed, bool then_interview);
/* A household's page: its details, interviews, follow-up and case. */
struct screen *household_view_new(struct app *app, const char *code);
/* Discards draft r (asked y/n before) when it is this interviewer's; a
 * supervisor discarding another's is asked the reason first. */
void draft_discard(struct app *app, const struct record_info *r);
/* Hands draft r over to another login, asked for (supervisors). */
struct screen *hand_over_new(struct app *app, const struct record_info *r);
/* The trail of a household (code) or of one record (instance_id), for
 * supervisors; NULL having flashed why not. */
struct screen *trail_view_new(struct app *app, const char *household,
    const char *instance_id);
/* Asks for the next visit to a household, after an interview: the date
 * suggested (the form's own next_visit answer), else a month ahead. */
struct screen *next_visit_new(struct app *app, const char *code,
    const char *suggested);
/* Choosing the round of new interviews. */
struct screen *round_new(struct app *app);
/* Makes text the round of new interviews, kept in the database; says why
 * not on the status line and returns -1 when it cannot be. */
int round_choose(struct app *app, const char *text);
/* The rounds in the database with their counts of interviews, as the
 * text under a prompt for a round; *cause is set when they could not be
 * read (the text then says there is none). */
char *round_list(struct app *app, char **cause);
/* The needs report of the current round. */
struct screen *report_view_new(struct app *app);
/* Today as YYYY-MM-DD, plus days. */
void app_date(char out[11], long days);

#endif
