/* The help screen, drawn from the keymap table. */
#include <stdlib.h>

#include "../core/i18n.h"
#include "../core/text.h"
#include "app.h"
#include "curses.h"

struct help {
	struct screen base;
	int top;	/* first line shown */
};

static const enum action help_bar[] = { ACT_UP, ACT_LEAVE, ACT_NONE };

static const char *const help_text[] = {
	N_("Every answer is saved the moment you leave its question. If the "
	    "connection drops, log in again and resume the draft from the home "
	    "screen: at most the answer being typed is lost."),
	N_("Ctrl-R shows all answers; choose [ Finalize this interview ] there "
	    "when every required question has an answer. A finalized interview "
	    "cannot change; it waits on this machine until 'doorstep --upload' "
	    "sends it."),
	N_("A new interview starts from a household: type part of its code, "
	    "name, phone or address, or register it. In a new round, answers "
	    "marked 'From round ...' come from its last interview: Enter keeps "
	    "each one, or change it. A household's page shows its timeline and "
	    "closes or reopens its case."),
};

static void
help_draw(struct screen *s, struct app *app)
{
	struct help *h = (struct help *)s;
	int y = 2 - h->top, bottom = LINES - 2, namew = 11;
	unsigned i;

	draw_title(app, _("Help: keys"), _("any key returns"));
	for (i = 0; i < keys_count; i++) {
		const struct binding *b = &keys_table[i];

		struct text_line *lines;
		size_t n, j;

		if (b->name == NULL)
			continue;
		/* What a key does wraps beside its name, never cut. */
		n = text_wrap(_(b->help), COLS - 2 - namew, &lines);
		if (y >= 2 && y < bottom)
			draw_text(y, 1, namew, b->name, A_BOLD);
		for (j = 0; j < n || j == 0; j++, y++) {
			char *line;

			if (y < 2 || y >= bottom || n == 0)
				continue;
			line = xstrndup(_(b->help) + lines[j].off, lines[j].len);
			draw_text(y, 1 + namew, COLS - 2 - namew, line, A_NORMAL);
			free(line);
		}
		free(lines);
	}
	for (i = 0; i < ARRAY_LEN(help_text); i++) {
		struct text_line *lines;
		size_t n = text_wrap(_(help_text[i]), COLS - 2, &lines), j;

		y++;
		for (j = 0; j < n; j++, y++) {
			char *line;

			if (y < 2 || y >= bottom)
				continue;
			line = xstrndup(_(help_text[i]) + lines[j].off, lines[j].len);
			draw_text(y, 1, COLS - 2, line, A_NORMAL);
			free(line);
		}
		free(lines);
	}
	if (y > bottom)
		draw_text(bottom - 1, COLS - 8, 7, _("more v"), A_BOLD);
}

static enum key_result
help_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct help *h = (struct help *)s;

	(void)app;
	(void)fkey;
	(void)ch;
	if (act == ACT_DOWN || act == ACT_NEXT) {
		h->top += act == ACT_DOWN ? 1 : LINES - 4;
		return KR_STAY;
	}
	if (act == ACT_UP || act == ACT_PREV) {
		h->top -= act == ACT_UP ? 1 : LINES - 4;
		if (h->top < 0)
			h->top = 0;
		return KR_STAY;
	}
	return KR_POP;
}

static void
help_free(struct screen *s)
{
	free(s);
}

static const struct screen_ops help_ops = {
	.draw = help_draw,
	.key = help_key,
	.free = help_free,
	.bar = help_bar,
};

struct screen *
help_new(struct app *app)
{
	struct help *h = xcalloc(1, sizeof *h);

	(void)app;
	h->base.ops = &help_ops;
	return &h->base;
}
