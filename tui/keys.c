#include "keys.h"

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
	{ CTRL('U'), false, ACT_KILL_BEFORE, "^U", N_("delete everything before the cursor") },
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
