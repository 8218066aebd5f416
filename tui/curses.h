/* The one place that chooses the curses header. */
#ifndef DOORSTEP_TUI_CURSES_H
#define DOORSTEP_TUI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>
#ifdef DOORSTEP_TERMINFO	/* term.h defines names such as lines and columns */
#include <ncursesw/term.h>
#endif

#endif
