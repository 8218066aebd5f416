/* The trail on screen, for supervisors: every entry of a household or of
 * one record, oldest first, read only; and handing a draft over. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/i18n.h"
#include "../core/trail.h"
#include "app.h"
#include "curses.h"
#include "menu.h"

static const enum action trail_bar[] = { ACT_UP, ACT_LEAVE, ACT_NONE };

struct trail_view {
	struct screen base;
	char *title;
	char **lines;		/* one an entry, in full */
	size_t n;
	struct menu menu;
};

/* What an entry's word means, for the reader. */
static const char *
what_words(const char *what)
{
	static const struct {
		const char *what;
		const char *words;
	} words[] = {
		{ "answer", N_("answered") },
		{ "entry_deleted", N_("deleted the entry") },
		{ "finalize", N_("finalized") },
		{ "discard", N_("discarded the draft") },
		{ "hand_over", N_("handed the draft over") },
		{ "registered", N_("registered the household") },
		{ "edited", N_("edited the household") },
		{ "closed", N_("closed the case") },
		{ "reopened", N_("reopened the case") },
		{ "deleted", N_("deleted the household") },
		{ "upload", N_("uploaded") },
		{ "import", N_("imported") },
		{ "export", N_("exported") },
		{ "merged", N_("took the household from the Entity List") },
		{ "conflict", N_("found the Entity List in conflict") },
		{ "resolved", N_("resolved the conflict with the Entity List") },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(words); i++)
		if (strcmp(words[i].what, what) == 0)
			return _(words[i].words);
	return what;
}

static void
trail_line(void *ctx, const struct trail_row *r)
{
	struct trail_view *t = ctx;
	struct buf b = { 0 };

	/* 2026-12-01T18:40:02+08:00 -> 2026-12-01 18:40 */
	buf_printf(&b, "%.10s %.5s  %s  %s", r->at, strlen(r->at) > 11 ?
	    r->at + 11 : "", r->login, what_words(r->what));
	if (r->question != NULL)
		buf_printf(&b, " %s:", r->question);
	if (r->old != NULL || r->new_value != NULL) {
		if (r->old != NULL && r->new_value != NULL)
			buf_printf(&b, " %s -> %s", r->old, r->new_value);
		else if (r->new_value != NULL)
			buf_printf(&b, " %s", r->new_value);
		else
			buf_printf(&b, _(" %s -> (empty)"), r->old);
	}
	if (r->detail != NULL)
		buf_printf(&b, " (%s)", r->detail);
	if (r->instance_id != NULL && r->question == NULL)
		buf_printf(&b, "  %s", r->instance_id);
	t->lines = xreallocarray(t->lines, t->n + 1, sizeof *t->lines);
	t->lines[t->n++] = b.data ? b.data : xstrdup("");
}

static const char *
trail_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct trail_view *t = ctx;

	(void)scratch;
	(void)size;
	return t->lines[i];
}

static void
trail_draw(struct screen *s, struct app *app)
{
	struct trail_view *t = (struct trail_view *)s;
	int rows = LINES - 6;

	draw_title(app, t->title, _("read only"));
	if (t->n == 0) {
		draw_wrapped(2, 1, COLS - 2, 2, _("Nothing in the trail yet."),
		    A_NORMAL);
		return;
	}
	menu_draw(&t->menu, app, 1, 1, COLS - 2, rows, trail_item, t);
	/* The highlighted entry whole, wrapped (draw_* sanitize it). */
	draw_wrapped(LINES - 4, 1, COLS - 2, 2, t->lines[t->menu.cursor], A_DIM);
}

static enum key_result
trail_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct trail_view *t = (struct trail_view *)s;
	bool chosen;

	(void)app;
	if (act == ACT_LEAVE || act == ACT_ACCEPT)
		return KR_POP;
	if (act == ACT_UP || act == ACT_DOWN)
		menu_key(&t->menu, act, fkey, ch, &chosen);
	return KR_STAY;
}

static void
trail_free(struct screen *s)
{
	struct trail_view *t = (struct trail_view *)s;
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->title);
	free(t);
}

static const struct screen_ops trail_ops = {
	.draw = trail_draw,
	.key = trail_key,
	.free = trail_free,
	.bar = trail_bar,
};

struct screen *
trail_view_new(struct app *app, const char *household, const char *instance_id)
{
	struct trail_view *t;
	char *cause = NULL;
	const char *why;

	if (!access_can(&app->who, ACCESS_TRAIL, NULL, &why)) {
		app_flash(app, true, "%s", _(why));
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->base.ops = &trail_ops;
	t->title = instance_id != NULL ? xasprintf(_("Trail of %s"), instance_id) :
	    xasprintf(_("Trail of %s"), household);
	if (trail_read(app->store, instance_id != NULL ? NULL : household,
	    instance_id, trail_line, t, &cause) != 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
	}
	t->menu.n = t->n;
	/* The newest entry highlighted, at the bottom. */
	t->menu.cursor = t->n > 0 ? t->n - 1 : 0;
	return &t->base;
}

/* Handing a draft over: the login it goes to. */

struct hand_over {
	int64_t id;
	char *from;
	bool team;
};

static void
hand_over_free(void *ctx)
{
	struct hand_over *h = ctx;

	free(h->from);
	free(h);
}

static enum key_result
hand_over_accept(struct app *app, void *ctx, const char *text)
{
	struct hand_over *h = ctx;
	char *cause = NULL, *to = xstrdup(text + strspn(text, " "));

	to[strcspn(to, " ")] = '\0';
	if (*to == '\0' || (h->team && getpwnam(to) == NULL)) {
		app_flash(app, true, *to == '\0' ? _("Type the login of the "
		    "interviewer who takes the draft.") : _("There is no login %s "
		    "on this server."), to);
		free(to);
		return KR_STAY;
	}
	if (store_draft_hand_over(app->store, h->id, to, &cause) != 0) {
		app_flash(app, true, _("Not handed over: %s"), cause);
		free(cause);
		free(to);
		return KR_POP;
	}
	app_flash(app, false, _("The draft is %s's now; the trail keeps the "
	    "hand-over."), to);
	free(to);
	return KR_POP;
}

struct screen *
hand_over_new(struct app *app, const struct record_info *r)
{
	struct hand_over *h = xcalloc(1, sizeof *h);
	char *question = xasprintf(_("Hand %s's draft over to (a login):"),
	    r->interviewer);
	struct screen *s;

	h->id = r->id;
	h->from = xstrdup(r->interviewer ? r->interviewer : "");
	h->team = app->who.team;
	s = prompt_new(_("Hand a draft over"), question, _("They find it under "
	    "Resume a draft; a session that has it open can change it no more."),
	    NULL, 32, hand_over_accept, h, hand_over_free);
	free(question);
	return s;
}
