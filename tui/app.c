#include "app.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/expr.h"
#include "../core/i18n.h"
#include "../core/text.h"
#include "curses.h"

/* How long the keyboard must rest, in ms, before keys are taken again
 * after some were typed into a window too small. */
#define REST_MS 1000

static volatile sig_atomic_t stop_seen;	/* SIGHUP, SIGTERM or SIGINT */
static bool curses_active;
static bool ascii_only;		/* the locale cannot show UTF-8 */

static void
on_stop(int sig)
{
	(void)sig;
	stop_seen = 1;
}

void
app_emergency_exit(void)
{
	if (curses_active)
		endwin();
	curses_active = false;
}

void
app_push(struct app *app, struct screen *s)
{
	if (app->depth == APP_MAX_SCREENS) {
		s->ops->free(s);
		return;
	}
	app->stack[app->depth++] = s;
}

static void
app_pop(struct app *app)
{
	struct screen *s;

	if (app->depth == 0)
		return;
	s = app->stack[--app->depth];
	s->ops->free(s);
	if (app->depth > 0 && app->stack[app->depth - 1]->ops->resume != NULL)
		app->stack[app->depth - 1]->ops->resume(app->stack[app->depth - 1],
		    app);
}

void
app_date(char out[11], long days)
{
	expr_date_string(expr_today() + days, out);
}

void
app_flash(struct app *app, bool error, const char *fmt, ...)
{
	va_list ap;

	free(app->flash);
	va_start(ap, fmt);
	app->flash = xvasprintf(fmt, ap);
	va_end(ap);
	/* A message on the screen starts with a capital letter, also when it
	 * is a cause from core/, which is written to follow "doorstep: ". */
	if (app->flash[0] >= 'a' && app->flash[0] <= 'z')
		app->flash[0] = (char)(app->flash[0] - 'a' + 'A');
	app->flash_error = error;
}

int
attr_title(const struct app *app)
{
	return app->colors ? (int)(COLOR_PAIR(1) | A_BOLD) : (int)A_REVERSE;
}

int
attr_error(const struct app *app)
{
	return app->colors ? (int)(COLOR_PAIR(2) | A_BOLD) : (int)(A_BOLD | A_REVERSE);
}

int
attr_selected(const struct app *app)
{
	(void)app;
	return (int)A_REVERSE;
}

/* In a locale that is not UTF-8, each column of a character that is not
 * ASCII is drawn as '?', so that the screen keeps its shape. */
static bool
is_han(uint32_t cp)
{
	return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0x20000 && cp <= 0x3ffff);
}

/* What a locale that is not UTF-8 can show: ASCII. A run of Chinese
 * becomes one "[Chinese]", so that a name reads as a name the terminal
 * cannot show, not as "??????"; another character becomes "?". */
static char *
ascii_safe(char *s)
{
	struct buf b = { 0 };
	size_t n = strlen(s), i = 0;
	bool in_han = false;

	while (i < n) {
		uint32_t cp;
		size_t len = text_decode(s + i, n - i, &cp);

		if (is_han(cp)) {
			if (!in_han)
				buf_adds(&b, _("[Chinese]"));
			in_han = true;
		} else if (cp < 0x80) {
			buf_addc(&b, (char)cp);
			in_han = false;
		} else {
			buf_addc(&b, '?');
			in_han = false;
		}
		i += len;
	}
	free(s);
	return buf_steal(&b);
}

void
draw_text(int y, int x, int width, const char *s, int attr)
{
	char *clean;
	size_t n;

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	clean = text_sanitize(s, false);
	if (ascii_only)
		clean = ascii_safe(clean);
	n = text_fit(clean, width);
	attron(attr);
	mvaddnstr(y, x, clean, (int)n);
	attroff(attr);
	free(clean);
}

int
draw_wrapped(int y, int x, int width, int max_rows, const char *s, int attr)
{
	struct text_line *lines;
	char *clean = text_sanitize(s, true);
	size_t n, i;

	if (ascii_only)
		clean = ascii_safe(clean);
	n = text_wrap(clean, width, &lines);
	int rows = 0;

	attron(attr);
	for (i = 0; i < n && rows < max_rows; i++, rows++) {
		if (i + 1 == (size_t)max_rows && i + 1 < n) {
			/* No room for the rest: say so rather than cut silently. */
			size_t fit = text_fit(clean + lines[i].off, width - 1);

			mvaddnstr(y + rows, x, clean + lines[i].off,
			    (int)(fit < lines[i].len ? fit : lines[i].len));
			addstr(">");
		} else
			mvaddnstr(y + rows, x, clean + lines[i].off, (int)lines[i].len);
	}
	attroff(attr);
	free(lines);
	free(clean);
	return rows;
}

void
draw_title(struct app *app, const char *left, const char *right)
{
	int rw = right ? text_width(right) : 0;

	attron(attr_title(app));
	mvhline(0, 0, ' ', COLS);
	attroff(attr_title(app));
	draw_text(0, 1, COLS - rw - 3, left, attr_title(app));
	if (right != NULL && rw < COLS - 2)
		draw_text(0, COLS - rw - 1, rw, right, attr_title(app));
}

/* The word for an action in a screen's key bar: its own, else the usual. */
static const char *
bar_word(const struct screen_ops *ops, enum action act)
{
	const char *word = ops->bar_word ? ops->bar_word(act) : NULL;

	return word ? word : keys_bar_word(act);
}

/* The key bar: when not every key fits the width, the most important
 * ones (keys_bar_rank) are kept, drawn in the screen's order. */
static void
draw_bar(const struct screen_ops *ops)
{
	const enum action *bar = ops->bar;
	enum { MAX_KEYS = 16 };
	int need[MAX_KEYS], used = 0, x = 0, y = LINES - 1, rank;
	bool shown[MAX_KEYS] = { false };
	size_t n = 0, i;

	move(y, 0);
	clrtoeol();
	for (; bar != NULL && bar[n] != ACT_NONE && n < MAX_KEYS; n++) {
		const char *name = bar[n] == ACT_UP ? "Up/Dn" : keys_name(bar[n]);

		need[n] = text_width(name) + 1 +
		    text_width(bar_word(ops, bar[n]));
	}
	for (rank = 0; rank <= KEYS_BAR_RANKS; rank++)
		for (i = 0; i < n; i++) {
			int sep = used > 0 ? 2 : 0;

			if (bar[i] == ACT_DOWN || keys_bar_rank(bar[i]) != rank ||
			    used + sep + need[i] > COLS)
				continue;
			shown[i] = true;
			used += sep + need[i];
		}
	for (i = 0; i < n; i++) {
		const char *name = bar[i] == ACT_UP ? "Up/Dn" : keys_name(bar[i]);

		if (!shown[i])
			continue;
		draw_text(y, x, need[i], name, A_REVERSE);
		draw_text(y, x + text_width(name) + 1, COLS - x - text_width(name) - 1,
		    bar_word(ops, bar[i]), A_NORMAL);
		x += need[i] + 2;
	}
}

/* The message line, above the key bar: a message wider than the screen
 * takes the lines above it it needs, up to a third of the screen. */
static void
draw_flash(struct app *app)
{
	struct text_line *lines;
	char *clean = text_sanitize(app->flash, true);
	int rows = (int)text_wrap(clean, COLS, &lines), max = LINES / 3, i;

	free(lines);
	free(clean);
	if (rows > max)
		rows = max;
	if (rows < 1)
		rows = 1;
	for (i = 0; i < rows; i++) {
		move(LINES - 1 - rows + i, 0);
		clrtoeol();
	}
	draw_wrapped(LINES - 1 - rows, 0, COLS, rows, app->flash,
	    app->flash_error ? attr_error(app) : (int)A_BOLD);
}

static bool
too_small(void)
{
	return COLS < APP_MIN_COLS || LINES < APP_MIN_LINES;
}

/* Says that the window is too small, in the longest words that fit it:
 * at the least, the size it needs. */
static void
draw_too_small(void)
{
	char *says[4];
	size_t i, pick;

	says[0] = xasprintf(_("Terminal too small: %dx%d. doorstep needs at "
	    "least %dx%d: make the window larger. Until then keys are ignored, "
	    "and Ctrl-X saves and quits. Your answers are safe."),
	    COLS, LINES, APP_MIN_COLS, APP_MIN_LINES);
	says[1] = xasprintf(_("Too small: %dx%d. Needs %dx%d."), COLS, LINES,
	    APP_MIN_COLS, APP_MIN_LINES);
	says[2] = xasprintf(_("Needs %dx%d"), APP_MIN_COLS, APP_MIN_LINES);
	says[3] = xasprintf("%dx%d", APP_MIN_COLS, APP_MIN_LINES);
	for (pick = 0; pick < ARRAY_LEN(says) - 1; pick++) {
		struct text_line *lines;
		size_t n = text_wrap(says[pick], COLS, &lines);

		free(lines);
		if (n <= (size_t)LINES)
			break;
	}
	erase();
	draw_wrapped(0, 0, COLS, LINES, says[pick], A_BOLD);
	for (i = 0; i < ARRAY_LEN(says); i++)
		free(says[i]);
	curs_set(0);
}

/* The plain look marks the choice with the cursor: the first cell the
 * screen highlighted, between the title and the message line. */
static void
plain_choice(struct app *app)
{
	int y, x;

	for (y = 1; y < LINES - 1; y++)
		for (x = 0; x < COLS; x++)
			if (mvinch(y, x) & A_REVERSE) {
				app->cursor_y = y;
				app->cursor_x = x;
				return;
			}
}

/* The plain look: every cell drawn without colour or attribute. */
static void
plain_strip(void)
{
	int y;

	for (y = 0; y < LINES; y++)
		mvchgat(y, 0, -1, A_NORMAL, 0, NULL);
}

/* Draws the top screen. While keys are not taken (resting), the cursor
 * is hidden. */
static void
draw_all(struct app *app, bool resting)
{
	struct screen *top = app->stack[app->depth - 1];

	erase();
	if (too_small()) {
		draw_too_small();
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	app->cursor_y = app->cursor_x = -1;
	top->ops->draw(top, app);
	if (app->plain && app->cursor_y < 0)
		plain_choice(app);
	if (app->flash != NULL)
		draw_flash(app);
	draw_bar(top->ops);
	if (app->plain)
		plain_strip();
	if (app->cursor_y >= 0 && !resting) {
		curs_set(1);
		leaveok(stdscr, FALSE);
		move(app->cursor_y, app->cursor_x);
	} else if (curs_set(0) != ERR) {
		/* Hidden, the cursor stays where the drawing ended: moving it
		 * would cost bytes for nothing seen. */
		leaveok(stdscr, TRUE);
	} else {
		/* One that cannot be hidden (vt100) waits in the corner. */
		leaveok(stdscr, FALSE);
		move(LINES - 1, COLS - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static void
setup_colors(struct app *app)
{
	const char *no_color = getenv("NO_COLOR");

	app->colors = false;
	if (app->plain || !has_colors() || (no_color != NULL && *no_color != '\0'))
		return;
	if (start_color() != OK)
		return;
	use_default_colors();
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_WHITE, COLOR_RED);
	app->colors = true;
}

/* Lets every open screen keep what it holds, top first: the connection is
 * gone, or the program was told to stop. */
static void
save_all(struct app *app)
{
	size_t i;

	for (i = app->depth; i > 0; i--) {
		struct screen *s = app->stack[i - 1];

		if (s->ops->hangup != NULL)
			s->ops->hangup(s, app);
	}
}

int
app_run(struct app *app)
{
	struct sigaction sa;
	struct keys_reader reader;
	unsigned errors = 0;
	bool pasting = false;
	/* Keys were typed while the window was too small: none is taken
	 * until none has come for REST_MS in a window large enough. */
	bool resting = false;
	SCREEN *scr;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: let the read stop. Ctrl-C typed is a key (raw mode);
	 * SIGINT comes from outside, and saves as a hang-up does. */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* Ask terminfo first: newterm on an unknown terminal leaves memory
	 * behind, setupterm does not. */
	scr = app_term_known() ? newterm(NULL, stdout, stdin) : NULL;
	if (scr == NULL) {
		const char *term = getenv("TERM");

		fprintf(stderr, _("doorstep: cannot use the terminal type '%s'; set "
		    "TERM to one this machine knows, e.g. TERM=xterm-256color or "
		    "TERM=vt100\n"), term ? term : "");
		return 2;
	}
	set_term(scr);
	curses_active = true;
	raw();
	noecho();
	nonl();
	/* Keys are read by keys_feed, not matched by curses against terminfo:
	 * terminals send Home, End and the rest in more ways than their
	 * entries say, and what curses does not know it would hand over as
	 * typed characters. */
	keypad(stdscr, FALSE);
	setup_colors(app);
	ascii_only = !app->utf8;
	/* Until the screen has once been left and taken back, ncurses (6.4)
	 * writes to the terminal after every cursor move: a write a changed
	 * line, each a small packet over SSH. Left now, before anything is
	 * drawn, the first doupdate takes it back, and from then on each
	 * doupdate is one write (of up to ncurses' buffer, about a screen);
	 * only curs_set writes at once, when the cursor is shown or hidden. */
	fputs("\033[?2004h", stdout);	/* mark pastes */
	fflush(stdout);
	endwin();

	keys_reader_init(&reader);
	app_push(app, home_new(app));
	while (app->depth > 0) {
		struct screen *top = app->stack[app->depth - 1];
		bool pending = keys_pending(&reader);
		bool waiting = pending || (resting && !too_small());
		enum key_result res;
		enum action act;
		struct key key;
		wint_t ch;
		int rc;

		draw_all(app, resting);
		/* A sealed interview just finalized is on the screen: its
		 * typed answers out of the database's log before a key. */
		store_scrub(app->store, NULL);
		timeout(pending ? KEYS_ESC_DELAY : waiting ? REST_MS : -1);
		rc = get_wch(&ch);
		if (stop_seen) {
			save_all(app);
			break;
		}
		if (rc == ERR && waiting) {	/* nothing came in time */
			if (pending)
				keys_timeout(&reader);
			else
				resting = false;
			continue;
		}
		if (rc == ERR) {
			if (++errors > 50) {	/* the terminal is gone */
				save_all(app);
				break;
			}
			continue;
		}
		errors = 0;
		if (rc == KEY_CODE_YES) {
			if (ch == KEY_RESIZE)
				continue;
			key.fkey = true;
			key.code = ch;
		} else if (!keys_feed(&reader, ch, &key))
			continue;
		if (key.fkey && (key.code == KEYS_PASTE_START ||
		    key.code == KEYS_PASTE_END)) {
			pasting = key.code == KEYS_PASTE_START;
			continue;
		}
		/* A pasted newline or tab is a space, not Enter. */
		if (pasting && !key.fkey && (key.code == '\r' ||
		    key.code == '\n' || key.code == '\t'))
			key.code = ' ';
		act = keys_action(key.fkey, key.code);
		if (act == ACT_REDRAW) {
			clearok(curscr, TRUE);
			continue;
		}
		if (too_small() || resting) {
			/* Typed blind, and one of them may be the Enter that ends
			 * an answer: taking the keys after it would type them
			 * into the question before. So none is taken until the
			 * keyboard rests. Ctrl-X still saves and quits. */
			if (act == ACT_LEAVE) {
				save_all(app);
				break;
			}
			resting = true;
			app_flash(app, true, "%s", _("Keys typed while the window "
			    "was too small were ignored."));
			continue;
		}
		free(app->flash);
		app->flash = NULL;
		res = top->ops->key(top, app, act, key.fkey, key.code);
		if (res == KR_POP)
			app_pop(app);
		else if (res == KR_HOME)
			while (app->depth > 1 &&
			    !app->stack[app->depth - 1]->ops->anchor)
				app_pop(app);
		else if (res == KR_QUIT)
			break;
		if (app->pending != NULL) {
			app_push(app, app->pending);
			app->pending = NULL;
		}
	}
	while (app->depth > 0)
		app_pop(app);
	if (app->pending != NULL) {
		app->pending->ops->free(app->pending);
		app->pending = NULL;
	}
	fputs("\033[?2004l", stdout);
	endwin();
	curses_active = false;
	delscreen(scr);
	free(app->flash);
	app->flash = NULL;
	return 0;
}
