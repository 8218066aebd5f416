/* Asking terminfo about $TERM, kept apart from the rest: term.h defines
 * macros (lines, columns, hangup ...) that clash with ordinary names. */
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
