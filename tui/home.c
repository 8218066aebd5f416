/* The home screen and the small screens it opens: choosing a form,
 * giving the household code, and the list of drafts to resume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/i18n.h"
#include "../core/interview.h"
#include "../core/lineedit.h"
#include "../core/text.h"
#include "curses.h"
#include "menu.h"
#include "runner.h"

enum home_item { HOME_NEW, HOME_RESUME, HOME_HELP, HOME_QUIT, HOME_COUNT };

struct home {
	struct screen base;
	struct menu menu;
	long drafts;
	long queued;
};

static const enum action home_bar[] = { ACT_ACCEPT, ACT_UP, ACT_HELP, ACT_LEAVE, ACT_NONE };
static const enum action list_bar[] = { ACT_ACCEPT, ACT_UP, ACT_LEAVE, ACT_NONE };
static const enum action prompt_bar[] = { ACT_ACCEPT, ACT_LEAVE, ACT_NONE };

static struct screen *forms_new(struct app *app);
static struct screen *drafts_new(struct app *app);
static struct screen *household_new(struct app *app, const struct form *f);

static void
home_resume(struct screen *s, struct app *app)
{
	struct home *h = (struct home *)s;

	h->drafts = store_count(app->store, "draft");
	h->queued = store_count(app->store, "finalized");
}

static const char *
home_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct home *h = ctx;

	switch (i) {
	case HOME_NEW:
		return _("New interview");
	case HOME_RESUME:
		snprintf(scratch, size, _("Resume a draft (%ld)"), h->drafts);
		return scratch;
	case HOME_HELP:
		return _("Help");
	default:
		return _("Quit");
	}
}

static void
home_draw(struct screen *s, struct app *app)
{
	struct home *h = (struct home *)s;
	char *who = xasprintf("%s%s%s", app->interviewer,
	    app->site ? " @ " : "", app->site ? app->site : "");
	char *line;
	int y;

	draw_title(app, _("doorstep: household needs assessment"), who);
	free(who);
	menu_draw(&h->menu, app, 2, 2, COLS - 4, HOME_COUNT, home_item, h);
	y = 3 + HOME_COUNT;
	if (h->queued > 0)
		line = xasprintf(_("%ld finalized interview(s) wait for upload "
		    "(doorstep --upload)."), h->queued);
	else
		line = xstrdup(_("No finalized interview waits for upload."));
	y += draw_wrapped(y, 2, COLS - 4, 2, line, A_NORMAL);
	free(line);
	line = xasprintf(_("Database: %s"), app->db_path);
	y += draw_wrapped(y, 2, COLS - 4, 2, line, A_DIM);
	free(line);
	line = xasprintf(_("Forms: %s (%zu)"), app->forms_dir, app->nforms);
	draw_wrapped(y, 2, COLS - 4, 2, line, A_DIM);
	free(line);
	if (!app->utf8 && app->flash == NULL)
		app_flash(app, true, "%s", _("The locale is not UTF-8: Chinese text "
		    "cannot show. Set LANG=C.UTF-8 or zh_CN.UTF-8."));
}

static enum key_result
home_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct home *h = (struct home *)s;
	bool chosen = false;

	if (act == ACT_LEAVE)
		return KR_QUIT;
	if (act == ACT_HELP) {
		app_push(app, help_new(app));
		return KR_STAY;
	}
	if (menu_key(&h->menu, act, fkey, ch, &chosen) && !chosen)
		return KR_STAY;
	if (act != ACT_ACCEPT && !chosen)
		return KR_STAY;
	switch (h->menu.cursor) {
	case HOME_NEW:
		app_push(app, forms_new(app));
		return KR_STAY;
	case HOME_RESUME:
		if (h->drafts <= 0) {
			app_flash(app, false, _("There is no draft to resume."));
			return KR_STAY;
		}
		app_push(app, drafts_new(app));
		return KR_STAY;
	case HOME_HELP:
		app_push(app, help_new(app));
		return KR_STAY;
	default:
		return KR_QUIT;
	}
}

static void
plain_free(struct screen *s)
{
	free(s);
}

static const struct screen_ops home_ops = {
	.draw = home_draw,
	.key = home_key,
	.resume = home_resume,
	.free = plain_free,
	.bar = home_bar,
};

struct screen *
home_new(struct app *app)
{
	struct home *h = xcalloc(1, sizeof *h);

	h->base.ops = &home_ops;
	h->menu.n = HOME_COUNT;
	h->menu.numbered = true;
	home_resume(&h->base, app);
	return &h->base;
}

/* Choosing the form of a new interview (skipped when there is one). */

struct forms {
	struct screen base;
	struct menu menu;
};

static const char *
forms_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct app *app = ctx;
	const struct formdir_entry *e = &app->forms[i];

	if (e->form == NULL)
		snprintf(scratch, size, _("%s: has errors (doorstep --check)"), e->path);
	else
		snprintf(scratch, size, "%s (%s)", form_text(e->form, &e->form->title,
		    app->lang), e->form->version);
	return scratch;
}

static void
forms_draw(struct screen *s, struct app *app)
{
	struct forms *f = (struct forms *)s;

	draw_title(app, _("New interview: choose the form"), NULL);
	menu_draw(&f->menu, app, 2, 1, COLS - 2, LINES - 5, forms_item, app);
}

static enum key_result
start_form(struct app *app, size_t i)
{
	const struct formdir_entry *e = &app->forms[i];

	if (e->form == NULL) {
		app_flash(app, true, "%s", e->error ? e->error : _("This form has errors."));
		return KR_STAY;
	}
	app_push(app, household_new(app, e->form));
	return KR_STAY;
}

static enum key_result
forms_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct forms *f = (struct forms *)s;
	bool chosen;

	if (act == ACT_LEAVE)
		return KR_POP;
	if (act == ACT_HELP) {
		app_push(app, help_new(app));
		return KR_STAY;
	}
	if (menu_key(&f->menu, act, fkey, ch, &chosen) && !chosen)
		return KR_STAY;
	if (act == ACT_ACCEPT || chosen)
		return start_form(app, f->menu.cursor);
	return KR_STAY;
}

static const struct screen_ops forms_ops = {
	.draw = forms_draw,
	.key = forms_key,
	.free = plain_free,
	.bar = list_bar,
};

static struct screen *
forms_new(struct app *app)
{
	struct forms *f;

	if (app->nforms == 0) {
		app_flash(app, true, _("No form in %s: put a form's .yaml file "
		    "there, or give --forms DIR."), app->forms_dir);
		return help_new(app);
	}
	formdir_read(app->forms, app->nforms);
	if (app->nforms == 1 && app->forms[0].form != NULL)
		return household_new(app, app->forms[0].form);
	f = xcalloc(1, sizeof *f);
	f->base.ops = &forms_ops;
	f->menu.n = app->nforms;
	f->menu.numbered = true;
	return &f->base;
}

/* The household code of a new interview. */

struct household {
	struct screen base;
	const struct form *form;	/* the app's; copied when begun */
	struct lineedit ed;
};

static void
household_draw(struct screen *s, struct app *app)
{
	struct household *h = (struct household *)s;
	int y = 2, col;
	char *view;

	draw_title(app, form_text(h->form, &h->form->title, app->lang),
	    h->form->version);
	y += draw_wrapped(y, 1, COLS - 2, 4, _("Household code (for example "
	    "BJ-0042). Leave it empty for an interview not linked to a "
	    "household."), A_BOLD);
	y++;
	view = lineedit_view(&h->ed, COLS - 5, &col);
	draw_text(y, 1, 2, ">", A_BOLD);
	draw_text(y, 3, COLS - 5, view, A_NORMAL);
	free(view);
	app->cursor_y = y;
	app->cursor_x = 3 + col;
}

/* The form is read again from its text, so the interview owns a copy. */
static struct form *
form_copy(const struct form *f)
{
	struct diags d;
	struct form *copy;

	diags_init(&d, "form");
	copy = form_parse(f->source, f->source_len, &d);
	diags_free(&d);
	return copy;
}

static enum key_result
household_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct household *h = (struct household *)s;
	struct interview *iv;
	struct form *form;
	char *code, *cause = NULL;

	switch (act) {
	case ACT_LEAVE:
		return KR_POP;
	case ACT_ACCEPT:
		break;
	case ACT_LEFT:
		lineedit_left(&h->ed);
		return KR_STAY;
	case ACT_RIGHT:
		lineedit_right(&h->ed);
		return KR_STAY;
	case ACT_BACKSPACE:
		lineedit_backspace(&h->ed);
		return KR_STAY;
	case ACT_KILL_BEFORE:
		lineedit_kill_before(&h->ed);
		return KR_STAY;
	case ACT_NONE:
	case ACT_TOGGLE:
		if (!fkey && ch > 0x20 && h->ed.n < 32)
			lineedit_insert(&h->ed, (uint32_t)ch);
		return KR_STAY;
	default:
		return KR_STAY;
	}
	code = lineedit_text(&h->ed);
	form = form_copy(h->form);
	if (form == NULL) {
		app_flash(app, true, _("The form could not be read again."));
		free(code);
		return KR_STAY;
	}
	iv = interview_begin(app->store, form, *code ? code : NULL, app->round,
	    app->site, app->interviewer, &cause);
	free(code);
	if (iv == NULL) {
		app_flash(app, true, _("Cannot start the interview: %s"), cause);
		free(cause);
		return KR_STAY;
	}
	/* Replace this prompt (and the form chooser) by the runner. */
	app_push(app, runner_new(app, iv));
	return KR_STAY;
}

static void
household_free(struct screen *s)
{
	struct household *h = (struct household *)s;

	lineedit_free(&h->ed);
	free(h);
}

static const struct screen_ops household_ops = {
	.draw = household_draw,
	.key = household_key,
	.free = household_free,
	.bar = prompt_bar,
};

static struct screen *
household_new(struct app *app, const struct form *f)
{
	struct household *h = xcalloc(1, sizeof *h);

	(void)app;
	h->base.ops = &household_ops;
	h->form = f;
	lineedit_init(&h->ed);
	return &h->base;
}

/* The drafts to resume. */

struct drafts {
	struct screen base;
	struct menu menu;
	struct record_info *recs;
	size_t n;
};

static const char *
drafts_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct drafts *d = ctx;
	const struct record_info *r = &d->recs[i];

	snprintf(scratch, size, "%-16.16s %.16s  %3ld  %s", r->form_id,
	    r->started_at ? r->started_at : "", r->answered,
	    r->household ? r->household : "-");
	return scratch;
}

static void
drafts_reload(struct drafts *d, struct app *app)
{
	char *cause = NULL;

	store_records_free(d->recs, d->n);
	d->recs = NULL;
	d->n = 0;
	if (store_records_list(app->store, STORE_DRAFTS, &d->recs, &d->n,
	    &cause) != 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
	}
	d->menu.n = d->n;
	if (d->menu.cursor >= d->n)
		d->menu.cursor = d->n ? d->n - 1 : 0;
}

static void
drafts_draw(struct screen *s, struct app *app)
{
	struct drafts *d = (struct drafts *)s;

	draw_title(app, _("Resume a draft"), NULL);
	draw_text(2, 4, COLS - 5, _("form             started           answers  "
	    "household"), A_DIM);
	menu_draw(&d->menu, app, 3, 1, COLS - 2, LINES - 6, drafts_item, d);
}

static enum key_result
drafts_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct drafts *d = (struct drafts *)s;
	struct interview *iv;
	char *cause = NULL;
	bool chosen;

	if (act == ACT_LEAVE)
		return KR_POP;
	if (menu_key(&d->menu, act, fkey, ch, &chosen) && !chosen)
		return KR_STAY;
	if ((act != ACT_ACCEPT && !chosen) || d->n == 0)
		return KR_STAY;
	iv = interview_resume(app->store, &d->recs[d->menu.cursor], &cause);
	if (iv == NULL) {
		app_flash(app, true, _("Cannot resume: %s"), cause);
		free(cause);
		return KR_STAY;
	}
	app_push(app, runner_new(app, iv));
	return KR_STAY;
}

static void
drafts_resume(struct screen *s, struct app *app)
{
	drafts_reload((struct drafts *)s, app);
}

static void
drafts_free(struct screen *s)
{
	struct drafts *d = (struct drafts *)s;

	store_records_free(d->recs, d->n);
	free(d);
}

static const struct screen_ops drafts_ops = {
	.draw = drafts_draw,
	.key = drafts_key,
	.resume = drafts_resume,
	.free = drafts_free,
	.bar = list_bar,
};

static struct screen *
drafts_new(struct app *app)
{
	struct drafts *d = xcalloc(1, sizeof *d);

	d->base.ops = &drafts_ops;
	d->menu.numbered = true;
	drafts_reload(d, app);
	return &d->base;
}
