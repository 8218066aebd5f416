/* A screen that asks for one line of text: a round's name, the date of
 * the next visit, the reason a case is closed. */
#include <stdlib.h>

#include "../core/i18n.h"
#include "app.h"
#include "curses.h"
#include "field.h"

struct prompt {
	struct screen base;
	char *title;
	char *question;
	char *note;		/* below the field, dim; may be NULL */
	struct lineedit ed;
	size_t max;
	prompt_fn accept;
	void *ctx;
	void (*ctx_free)(void *ctx);
};

static const enum action prompt_bar[] = { ACT_ACCEPT, ACT_LEAVE, ACT_HELP, ACT_NONE };

static void
prompt_draw(struct screen *s, struct app *app)
{
	struct prompt *p = (struct prompt *)s;
	int y = 2;

	draw_title(app, p->title, NULL);
	y += draw_wrapped(y, 1, COLS - 2, LINES - 8, p->question, A_BOLD);
	y++;
	if (p->note != NULL)
		draw_wrapped(y + 2, 3, COLS - 4, LINES - y - 5, p->note, A_DIM);
	field_draw(app, &p->ed, y, 1, COLS - 2);
}

static enum key_result
prompt_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct prompt *p = (struct prompt *)s;
	enum key_result kr;
	char *text;

	if (act == ACT_LEAVE)
		return KR_POP;
	if (act == ACT_HELP) {
		app_push(app, help_new(app));
		return KR_STAY;
	}
	if (act != ACT_ACCEPT) {
		field_key(&p->ed, act, fkey, ch, p->max);
		return KR_STAY;
	}
	text = lineedit_text(&p->ed);
	kr = p->accept(app, p->ctx, text);
	free(text);
	return kr;
}

static void
prompt_free(struct screen *s)
{
	struct prompt *p = (struct prompt *)s;

	if (p->ctx_free != NULL)
		p->ctx_free(p->ctx);
	lineedit_free(&p->ed);
	free(p->title);
	free(p->question);
	free(p->note);
	free(p);
}

static const struct screen_ops prompt_ops = {
	.draw = prompt_draw,
	.key = prompt_key,
	.free = prompt_free,
	.bar = prompt_bar,
};

struct screen *
prompt_new(const char *title, const char *question, const char *note,
    const char *initial, size_t max, prompt_fn accept, void *ctx,
    void (*ctx_free)(void *ctx))
{
	struct prompt *p = xcalloc(1, sizeof *p);

	p->base.ops = &prompt_ops;
	p->title = xstrdup(title);
	p->question = xstrdup(question);
	p->note = note ? xstrdup(note) : NULL;
	p->max = max;
	p->accept = accept;
	p->ctx = ctx;
	p->ctx_free = ctx_free;
	lineedit_init(&p->ed);
	lineedit_set(&p->ed, initial);
	return &p->base;
}
