/* The keymap: one table from which keys are read, and the key bar and
 * the help screen are drawn, so that they cannot disagree; and the reader
 * that turns what a terminal sends into keys. */
#ifndef DOORSTEP_TUI_KEYS_H
#define DOORSTEP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
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

/* The action for a key, or ACT_NONE. */
enum action keys_action(bool fkey, wint_t code);

/* The name of the first key bound to an action, as shown in the bar. */
const char *keys_name(enum action action);

/* A short word for the action, for the key bar (translated). */
const char *keys_bar_word(enum action action);

/* How important an action's key is on the bar, 0 the most: where the
 * bar is too narrow for all, the lower ranks are shown. */
#define KEYS_BAR_RANKS 9
int keys_bar_rank(enum action action);

/* A key: a character typed, or (fkey) a curses KEY_* code or one below. */
struct key {
	bool fkey;
	wint_t code;
};

/* The marks around pasted text (bracketed paste). */
#define KEYS_PASTE_START 0x1001
#define KEYS_PASTE_END 0x1002

/* How long the rest of an escape sequence may take to come, in ms: over a
 * slow link a sequence arrives in pieces. */
#define KEYS_ESC_DELAY 500

/* Turns the characters a terminal sends into keys, whatever terminfo
 * says: the CSI and SS3 sequences of xterm, PuTTY, the Linux console,
 * rxvt, tmux and vt100 for the arrows, Home, End, Insert, Delete, PgUp,
 * PgDn and F1-F12, with or without modifiers, and the keypad in
 * application mode. Any other escape sequence (CSI, SS3, OSC, DCS, APC,
 * PM, SOS strings, an Alt-key) is dropped whole, so that no part of it is
 * ever typed. */
struct keys_reader {
	int state;
	char params[24];	/* the parameter bytes of a CSI or SS3 */
	size_t nparams;
	bool overflow;		/* more parameter bytes than fit: not a key */
};

void keys_reader_init(struct keys_reader *kr);

/* Feeds one character read from the terminal (as wget_wch gives it, with
 * the keypad off); returns true with *out set when a key is complete. */
bool keys_feed(struct keys_reader *kr, wint_t ch, struct key *out);

/* Whether a sequence has begun: the next character is to be waited for
 * at most KEYS_ESC_DELAY ms. */
bool keys_pending(const struct keys_reader *kr);

/* Nothing came within the delay: drops the sequence begun (a bare Esc,
 * or a sequence cut short). */
void keys_timeout(struct keys_reader *kr);

#endif
