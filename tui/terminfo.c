/* Asking terminfo about $TERM, kept apart from the rest: term.h defines
 * macros (lines, columns, hangup ...) that clash with ordinary names. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#define DOORSTEP_TERMINFO
#include "curses.h"

bool
app_term_known(void)
{
	int err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return false;
	del_curterm(cur_term);
	return true;
}

/* A capability's place in the table of strings, from term.h's name. */
#define CAP(name) ((size_t)(&(name) - cur_term->type.Strings))

/* The capability strings curses itself reads. term.h's names (sgr,
 * sgr0 ...) are lvalues of cur_term's first part, a copy kept for
 * programs; ncurses 6 with extended colours reads a second description
 * (TERMTYPE2) inside the same allocation, which term.h does not show. It
 * is found by what it must hold: the same counts of capabilities and the
 * very strings tigetstr hands out. NULL when not found: nothing is
 * changed then. */
static char **
curses_strings(void)
{
	const TERMTYPE *pub = &cur_term->type;
	const char *base = (const char *)cur_term;
	char *sgr = tigetstr("sgr"), *sgr0 = tigetstr("sgr0");
	size_t size = malloc_usable_size(cur_term), off;

	if (sgr == NULL || sgr == (char *)-1 || sgr0 == NULL || sgr0 == (char *)-1)
		return NULL;
	/* A curses that reads the description term.h shows. */
	if (pub->Strings[CAP(set_attributes)] == sgr)
		return pub->Strings;
	for (off = sizeof *pub; off + sizeof *pub <= size; off += sizeof(void *)) {
		const TERMTYPE *t = (const TERMTYPE *)(base + off);

		if (t->num_Booleans == pub->num_Booleans &&
		    t->num_Numbers == pub->num_Numbers &&
		    t->num_Strings == pub->num_Strings &&
		    t->ext_Strings == pub->ext_Strings && t->Strings != NULL &&
		    t->num_Strings > CAP(set_attributes) &&
		    t->Strings[CAP(set_attributes)] == sgr &&
		    t->Strings[CAP(exit_attribute_mode)] == sgr0)
			return t->Strings;
	}
	return NULL;
}

/* The terminal's sgr0 without its line-drawing reset, or NULL: that reset
 * (xterm's ESC ( B, vt100's and linux's SI) is the terminal's rmacs, which
 * curses sends by itself whenever it leaves line drawing. */
static char *
sgr0_without_rmacs(const char *sgr0, const char *rmacs)
{
	static char lean[64];
	const char *at;
	size_t n;

	if (sgr0 == NULL || rmacs == NULL || *rmacs == '\0' ||
	    strlen(sgr0) >= sizeof lean || (at = strstr(sgr0, rmacs)) == NULL)
		return NULL;
	n = (size_t)(at - sgr0);
	memcpy(lean, sgr0, n);
	snprintf(lean + n, sizeof lean - n, "%s", at + strlen(rmacs));
	return *lean != '\0' ? lean : NULL;
}

/* Whether an exit capability ends its own attribute only (ECMA-48's
 * 22-29, as xterm's rmul ESC [ 24 m). vt100's rmul and rmso are ESC [ m,
 * which ends them all: curses, trusting it, would lose the bold that
 * should stay on. Without it, curses sends sgr0 and turns back on what
 * stays. */
static bool
ends_its_own(const char *s)
{
	return s != NULL && strlen(s) == 5 && s[0] == '\033' && s[1] == '[' &&
	    s[2] == '2' && s[3] >= '2' && s[3] <= '9' && s[4] == 'm';
}

void
app_term_lean(void)
{
	char **str = curses_strings();
	char *sgr0;

	/* Without sgr, curses turns attributes on and off one capability at
	 * a time (bold, rev, dim, smacs), 4 bytes each on xterm, where sgr
	 * restates them all with a charset choice: 9 to 12 bytes a change.
	 * Only when the terminal has the single ones the looks use. */
	if (str == NULL || str[CAP(exit_attribute_mode)] == NULL ||
	    str[CAP(enter_reverse_mode)] == NULL ||
	    str[CAP(enter_bold_mode)] == NULL)
		return;
	str[CAP(set_attributes)] = NULL;
	if (!ends_its_own(str[CAP(exit_underline_mode)]))
		str[CAP(exit_underline_mode)] = NULL;
	if (!ends_its_own(str[CAP(exit_standout_mode)]))
		str[CAP(exit_standout_mode)] = NULL;
	if (!ends_its_own(str[CAP(exit_italics_mode)]))
		str[CAP(exit_italics_mode)] = NULL;
	sgr0 = sgr0_without_rmacs(str[CAP(exit_attribute_mode)],
	    str[CAP(exit_alt_charset_mode)]);
	if (sgr0 != NULL)
		str[CAP(exit_attribute_mode)] = sgr0;
}
