#include "keys.h"

#include <string.h>

#include "../core/i18n.h"
#include "../core/util.h"
#include "curses.h"

#define CTRL(c) ((wint_t)((c) & 0x1f))

const struct binding keys_table[] = {
	{ '\r', false, ACT_ACCEPT, "Enter",
	    N_("accept the answer and go on; in a list, choose the highlighted item") },
	{ '\n', false, ACT_ACCEPT, NULL, NULL },
	{ KEY_ENTER, true, ACT_ACCEPT, NULL, NULL },
	{ KEY_UP, true, ACT_UP, "Up", N_("move up in a list") },
	{ KEY_DOWN, true, ACT_DOWN, "Down",
	    N_("move down in a list; digits 1-9 choose item N") },
	{ ' ', false, ACT_TOGGLE, "Space", N_("tick / untick in a multiple choice") },
	{ CTRL('P'), false, ACT_PREV, "^P", N_("previous question (also PgUp)") },
	{ KEY_PPAGE, true, ACT_PREV, NULL, NULL },
	{ CTRL('N'), false, ACT_NEXT, "^N", N_("next question (also PgDn)") },
	{ KEY_NPAGE, true, ACT_NEXT, NULL, NULL },
	{ CTRL('R'), false, ACT_REVIEW,
	    "^R", N_("review all answers; jump to any; finalize from there") },
	{ CTRL('X'), false, ACT_LEAVE, "^X", N_("save and leave (the draft stays)") },
	{ CTRL('C'), false, ACT_LEAVE, NULL, NULL },
	{ CTRL('T'), false, ACT_LANG, "^T", N_("switch the form's language") },
	{ CTRL('G'), false, ACT_HELP, "^G", N_("help (also F1)") },
	{ KEY_F(1), true, ACT_HELP, NULL, NULL },
	{ CTRL('L'), false, ACT_REDRAW, "^L", N_("redraw the screen") },
	{ KEY_LEFT, true, ACT_LEFT, "Left", N_("move left in the answer") },
	{ CTRL('B'), false, ACT_LEFT, NULL, NULL },
	{ KEY_RIGHT, true, ACT_RIGHT, "Right", N_("move right in the answer") },
	{ CTRL('F'), false, ACT_RIGHT, NULL, NULL },
	{ CTRL('A'), false, ACT_HOME, "^A", N_("go to the start of the answer (also Home)") },
	{ KEY_HOME, true, ACT_HOME, NULL, NULL },
	{ CTRL('E'), false, ACT_END, "^E", N_("go to the end of the answer (also End)") },
	{ KEY_END, true, ACT_END, NULL, NULL },
	{ KEY_BACKSPACE, true, ACT_BACKSPACE, "Backspace",
	    N_("delete the character before the cursor") },
	{ 0x7f, false, ACT_BACKSPACE, NULL, NULL },
	{ CTRL('H'), false, ACT_BACKSPACE, NULL, NULL },
	{ KEY_DC, true, ACT_DELETE, "Delete", N_("delete the character under the cursor (also ^D)") },
	{ CTRL('D'), false, ACT_DELETE, NULL, NULL },
	{ CTRL('U'), false, ACT_KILL_BEFORE, "^U", N_("delete everything before the cursor; in a list, clear the answer") },
	{ CTRL('K'), false, ACT_KILL_AFTER, "^K", N_("delete everything after the cursor") },
	{ CTRL('W'), false, ACT_KILL_WORD, "^W", N_("delete the word before the cursor") },
};

const unsigned keys_count = ARRAY_LEN(keys_table);

enum action
keys_action(bool fkey, wint_t code)
{
	unsigned i;

	for (i = 0; i < keys_count; i++)
		if (keys_table[i].fkey == fkey && keys_table[i].code == code)
			return keys_table[i].action;
	return ACT_NONE;
}

const char *
keys_name(enum action action)
{
	unsigned i;

	for (i = 0; i < keys_count; i++)
		if (keys_table[i].action == action && keys_table[i].name != NULL)
			return keys_table[i].name;
	return "?";
}

const char *
keys_bar_word(enum action action)
{
	switch (action) {
	case ACT_ACCEPT:
		return _("accept");
	case ACT_UP:
	case ACT_DOWN:
		return _("move");
	case ACT_TOGGLE:
		return _("tick");
	case ACT_PREV:
		return _("prev");
	case ACT_NEXT:
		return _("next");
	case ACT_REVIEW:
		return _("review");
	case ACT_LEAVE:
		return _("save+leave");
	case ACT_LANG:
		return _("language");
	case ACT_HELP:
		return _("help");
	case ACT_REDRAW:
		return _("redraw");
	case ACT_LEFT:
	case ACT_RIGHT:
		return _("round");
	default:
		return "";
	}
}

/* Leaving, the review and help first: a narrow bar must still say how
 * to get out, where the answers are, and where the rest is explained. */
int
keys_bar_rank(enum action action)
{
	switch (action) {
	case ACT_LEAVE:
		return 0;
	case ACT_REVIEW:
		return 1;
	case ACT_HELP:
		return 2;
	case ACT_ACCEPT:
		return 3;
	case ACT_UP:
	case ACT_DOWN:
		return 4;
	case ACT_TOGGLE:
		return 5;
	case ACT_PREV:
		return 6;
	case ACT_NEXT:
		return 7;
	case ACT_LANG:
		return 8;
	default:
		return KEYS_BAR_RANKS;
	}
}

/* The reader's states: between keys, after ESC, inside a CSI (ESC [) or an
 * SS3 (ESC O) sequence, after the Linux console's ESC [ [, and inside a
 * string (OSC, DCS, SOS, PM, APC) or at an ESC in one. */
enum {
	KS_GROUND,
	KS_ESC,
	KS_CSI,
	KS_SS3,
	KS_LINUX,
	KS_STRING,
	KS_STRING_ESC,
};

#define ESC 0x1b

void
keys_reader_init(struct keys_reader *kr)
{
	memset(kr, 0, sizeof *kr);
	kr->state = KS_GROUND;
}

bool
keys_pending(const struct keys_reader *kr)
{
	return kr->state != KS_GROUND;
}

void
keys_timeout(struct keys_reader *kr)
{
	kr->state = KS_GROUND;
}

static bool
emit(struct key *out, bool fkey, wint_t code)
{
	out->fkey = fkey;
	out->code = code;
	return true;
}

static void
begin(struct keys_reader *kr, int state)
{
	kr->state = state;
	kr->nparams = 0;
	kr->params[0] = '\0';
	kr->overflow = false;
}

static void
add_param(struct keys_reader *kr, wint_t ch)
{
	if (kr->nparams + 1 >= sizeof kr->params) {
		kr->overflow = true;
		return;
	}
	kr->params[kr->nparams++] = (char)ch;
	kr->params[kr->nparams] = '\0';
}

/* The leading number of the parameters, or -1 when there is none (or it
 * is out of any key's range). */
static long
first_number(const struct keys_reader *kr)
{
	const char *p = kr->params;
	long n = -1;

	for (; *p >= '0' && *p <= '9'; p++) {
		n = (n < 0 ? 0 : n * 10) + (*p - '0');
		if (n > 1000)
			return -1;
	}
	return n;
}

/* Whether the parameters are numbers and separators only: a key's, not a
 * terminal's reply ("?1;2") or a mouse report ("<0;10;5"). */
static bool
plain_params(const struct keys_reader *kr)
{
	return !kr->overflow &&
	    strspn(kr->params, "0123456789;:") == kr->nparams;
}

/* The keys of the form ESC [ n ~: VT220 and xterm, PuTTY, the Linux
 * console, rxvt (which ends them with ^ $ @ when Ctrl or Shift is held). */
static bool
tilde_key(long n, struct key *out)
{
	switch (n) {
	case 1:		/* PuTTY, the Linux console, tmux, vt220 "Find" */
	case 7:		/* rxvt */
		return emit(out, true, KEY_HOME);
	case 2:
		return emit(out, true, KEY_IC);
	case 3:
		return emit(out, true, KEY_DC);
	case 4:		/* PuTTY, the Linux console, tmux, vt220 "Select" */
	case 8:		/* rxvt */
		return emit(out, true, KEY_END);
	case 5:
		return emit(out, true, KEY_PPAGE);
	case 6:
		return emit(out, true, KEY_NPAGE);
	case 200:
		return emit(out, true, KEYS_PASTE_START);
	case 201:
		return emit(out, true, KEYS_PASTE_END);
	default:
		break;
	}
	if (n >= 11 && n <= 15)
		return emit(out, true, (wint_t)KEY_F(n - 10));
	if (n >= 17 && n <= 21)
		return emit(out, true, (wint_t)KEY_F(n - 11));
	if (n >= 23 && n <= 26)
		return emit(out, true, (wint_t)KEY_F(n - 12));
	return false;
}

/* The arrows, Home, End and F1-F4, as CSI or SS3 finals. */
static bool
letter_key(wint_t final, struct key *out)
{
	switch (final) {
	case 'A':
		return emit(out, true, KEY_UP);
	case 'B':
		return emit(out, true, KEY_DOWN);
	case 'C':
		return emit(out, true, KEY_RIGHT);
	case 'D':
		return emit(out, true, KEY_LEFT);
	case 'H':
		return emit(out, true, KEY_HOME);
	case 'F':
		return emit(out, true, KEY_END);
	case 'P':
	case 'Q':
	case 'R':
	case 'S':
		return emit(out, true, (wint_t)KEY_F(1 + (int)(final - 'P')));
	default:
		return false;
	}
}

/* A complete CSI sequence: the key it stands for, modifiers ignored
 * (ESC [ 1 ; 5 C, Ctrl-Right, is Right), or false to drop it. */
static bool
csi_key(const struct keys_reader *kr, wint_t final, struct key *out)
{
	long n = first_number(kr);

	if (!plain_params(kr))
		return false;
	if (final == '~' || final == '^' || final == '$' || final == '@')
		return tilde_key(n, out);
	if (n > 1)	/* ESC [ 1 ; 2 P is Shift-F1; ESC [ 2 A is no key */
		return false;
	return letter_key(final, out);
}

/* A complete SS3 sequence: cursor keys, F1-F4, and the keypad in
 * application mode (its digits, signs and Enter). */
static bool
ss3_key(const struct keys_reader *kr, wint_t final, struct key *out)
{
	static const char keypad[] = "*+,-./0123456789";	/* j..y */

	if (!plain_params(kr))
		return false;
	if (final >= 'j' && final <= 'y')
		return emit(out, false, (wint_t)keypad[final - 'j']);
	if (final == 'X')
		return emit(out, false, '=');
	if (final == 'M')
		return emit(out, false, '\r');
	return letter_key(final, out);
}

/* Between sequences: an ESC or a C1 control begins one; any other
 * character is a key. */
static bool
feed_ground(struct keys_reader *kr, wint_t ch, struct key *out)
{
	switch (ch) {
	case ESC:
		begin(kr, KS_ESC);
		return false;
	case 0x9b:
		begin(kr, KS_CSI);
		return false;
	case 0x8f:
		begin(kr, KS_SS3);
		return false;
	case 0x90:
	case 0x98:
	case 0x9d:
	case 0x9e:
	case 0x9f:
		begin(kr, KS_STRING);
		return false;
	default:
		break;
	}
	if (ch >= 0x80 && ch < 0xa0)	/* another C1 control: no key */
		return false;
	return emit(out, false, ch);
}

bool
keys_feed(struct keys_reader *kr, wint_t ch, struct key *out)
{
	bool printable = ch >= 0x20 && ch < 0x7f;

	switch (kr->state) {
	case KS_GROUND:
		return feed_ground(kr, ch, out);
	case KS_ESC:
		if (ch == '[')
			begin(kr, KS_CSI);
		else if (ch == 'O')
			begin(kr, KS_SS3);
		else if (ch == ']' || ch == 'P' || ch == 'X' || ch == '^' ||
		    ch == '_')
			begin(kr, KS_STRING);
		else if (ch == ESC)
			;	/* Esc twice, or Alt with a key that sends one */
		else if (ch < 0x20)
			return kr->state = KS_GROUND, emit(out, false, ch);
		else
			kr->state = KS_GROUND;	/* Alt-key, or Esc then a key */
		return false;
	case KS_CSI:
		if (!printable)
			break;
		if (ch == '[' && kr->nparams == 0) {
			kr->state = KS_LINUX;
			return false;
		}
		/* rxvt ends Shift-modified keys with '$', an intermediate
		 * byte to ECMA-48. */
		if ((ch >= 0x40 || (ch == '$' && kr->nparams > 0 &&
		    strspn(kr->params, "0123456789") == kr->nparams))) {
			kr->state = KS_GROUND;
			return csi_key(kr, ch, out);
		}
		add_param(kr, ch);
		return false;
	case KS_SS3:
		if (!printable)
			break;
		if (ch >= 0x30 && ch <= 0x3f) {
			add_param(kr, ch);
			return false;
		}
		kr->state = KS_GROUND;
		return ss3_key(kr, ch, out);
	case KS_LINUX:	/* ESC [ [ A .. E: the Linux console's F1-F5 */
		if (!printable)
			break;
		kr->state = KS_GROUND;
		if (ch >= 'A' && ch <= 'E')
			return emit(out, true, (wint_t)KEY_F(1 + (int)(ch - 'A')));
		return false;
	case KS_STRING:
		if (ch == 0x07 || ch == 0x9c)	/* BEL, or ST as one character */
			kr->state = KS_GROUND;
		else if (ch == ESC)
			kr->state = KS_STRING_ESC;
		else if (ch == 0x18 || ch == 0x1a)	/* CAN, SUB cancel it */
			break;
		return false;
	case KS_STRING_ESC:
		if (ch == '\\') {	/* ST */
			kr->state = KS_GROUND;
			return false;
		}
		/* The string ended without ST: a new sequence begins. */
		kr->state = KS_ESC;
		return keys_feed(kr, ch, out);
	default:
		kr->state = KS_GROUND;
		break;
	}
	/* What cannot be part of the sequence ends it, unfinished and
	 * dropped, and counts on its own: a control key such as Ctrl-X still
	 * acts, an ESC begins the next sequence. */
	kr->state = KS_GROUND;
	return feed_ground(kr, ch, out);
}
