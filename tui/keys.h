/* The keymap: one table from which keys are read, and the key bar and
 * the help screen are drawn, so that they cannot disagree. */
#ifndef DOORSTEP_TUI_KEYS_H
#define DOORSTEP_TUI_KEYS_H

#include <stdbool.h>
#include <wchar.h>

enum action {
	ACT_NONE,
	ACT_ACCEPT,
	ACT_UP,
	ACT_DOWN,
	ACT_TOGGLE,
	ACT_PREV,
	ACT_NEXT,
	ACT_REVIEW,
	ACT_LEAVE,
	ACT_LANG,
	ACT_HELP,
	ACT_REDRAW,
	/* line editing */
	ACT_LEFT,
	ACT_RIGHT,
	ACT_HOME,
	ACT_END,
	ACT_BACKSPACE,
	ACT_DELETE,
	ACT_KILL_BEFORE,
	ACT_KILL_AFTER,
	ACT_KILL_WORD,
};

struct binding {
	wint_t code;
	bool fkey;		/* a curses KEY_* code, not a character */
	enum action action;
	const char *name;	/* as shown: "Enter", "^P" */
	const char *help;	/* what it does (untranslated) */
};

extern const struct binding keys_table[];
extern const unsigned keys_count;

/* The action for a key read by wget_wch, or ACT_NONE. */
enum action keys_action(bool fkey, wint_t code);

/* The name of the first key bound to an action, as shown in the bar. */
const char *keys_name(enum action action);

/* A short word for the action, for the key bar (translated). */
const char *keys_bar_word(enum action action);

#endif
