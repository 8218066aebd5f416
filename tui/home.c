/* The home screen and the small screens it opens: choosing the form of
 * a new interview, the drafts to resume, the round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/i18n.h"
#include "../core/household.h"
#include "../core/interview.h"
#include "../core/lineedit.h"
#include "../core/text.h"
#include "curses.h"
#include "menu.h"
#include "runner.h"

enum home_item {
	HOME_NEW, HOME_RESUME, HOME_HOUSEHOLDS, HOME_DUE, HOME_ROUND, HOME_REPORT,
	HOME_HELP, HOME_QUIT, HOME_COUNT
};

struct home {
	struct screen base;
	struct menu menu;
	long drafts;
	long queued;
	long open;		/* households with an open case */
	long due;		/* of them, due or overdue for a visit */
	struct household *soon;	/* the first of those due, most overdue first */
	size_t nsoon;
};

static const enum action home_bar[] = { ACT_ACCEPT, ACT_UP, ACT_HELP, ACT_LEAVE, ACT_NONE };
static const enum action list_bar[] = { ACT_ACCEPT, ACT_UP, ACT_LEAVE, ACT_NONE };

static struct screen *drafts_new(struct app *app);

/* Whether the drafts list shows r: in a team install an interviewer sees
 * their own drafts only, a supervisor everyone's. */
static bool
draft_listed(const struct app *app, const struct record_info *r)
{
	return !app->who.team || app->who.supervisor || access_owns(&app->who, r);
}

/* The drafts the Resume item offers. */
static long
drafts_count(struct app *app)
{
	struct record_info *recs = NULL;
	size_t n = 0, i;
	long count = 0;

	if (!app->who.team || app->who.supervisor)
		return store_count(app->store, "draft");
	if (store_records_list(app->store, STORE_DRAFTS, &recs, &n, NULL) != 0)
		return 0;
	for (i = 0; i < n; i++)
		count += draft_listed(app, &recs[i]);
	store_records_free(recs, n);
	return count;
}

static void
home_resume(struct screen *s, struct app *app)
{
	struct home *h = (struct home *)s;
	char today[11];

	app_date(today, 0);
	h->drafts = drafts_count(app);
	h->queued = store_count(app->store, "finalized");
	households_free(h->soon, h->nsoon);
	h->soon = NULL;
	h->nsoon = 0;
	if (household_counts(app->store, today, &h->open, &h->due, NULL) != 0 ||
	    household_due_first(app->store, today, LINES, &h->soon, &h->nsoon,
	    NULL) != 0)
		h->open = h->due = 0;
}

struct home_ctx {
	const struct home *h;
	const struct app *app;
};

static const char *
home_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct home_ctx *c = ctx;
	const struct home *h = c->h;

	switch (i) {
	case HOME_NEW:
		return _("New interview");
	case HOME_RESUME:
		snprintf(scratch, size, _("Resume a draft (%ld)"), h->drafts);
		return scratch;
	case HOME_HOUSEHOLDS:
		snprintf(scratch, size, _("Households (%ld open)"), h->open);
		return scratch;
	case HOME_DUE:
		snprintf(scratch, size, _("Visits due (%ld)"), h->due);
		return scratch;
	case HOME_ROUND:
		snprintf(scratch, size, _("Round: %s"), c->app->round ?
		    c->app->round : _("none chosen"));
		return scratch;
	case HOME_REPORT:
		return _("Needs report");
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
	struct home_ctx ctx = { h, app };
	char *who = xasprintf("%s%s%s", app->interviewer,
	    app->site ? " @ " : "", app->site ? app->site : "");
	char *line;
	size_t i;
	int y, bottom = LINES - 2;

	draw_title(app, _("doorstep: household needs assessment"), who);
	free(who);
	menu_draw(&h->menu, app, 2, 2, COLS - 4, HOME_COUNT, home_item, &ctx);
	y = 3 + HOME_COUNT;
	if (h->queued > 0)
		line = xasprintf(ngettext("%ld finalized interview waits for "
		    "upload (doorstep --upload).", "%ld finalized interviews wait "
		    "for upload (doorstep --upload).", (unsigned long)h->queued),
		    h->queued);
	else
		line = xstrdup(_("No finalized interview waits for upload."));
	y += draw_wrapped(y, 2, COLS - 4, 2, line, A_NORMAL);
	free(line);
	/* The visits due, most overdue first, as many as fit. */
	if (h->nsoon > 0 && y + 1 < bottom) {
		draw_text(y++, 2, COLS - 4, _("Due or overdue:"), A_BOLD);
		for (i = 0; i < h->nsoon && y < bottom; i++, y++) {
			const struct household *d = &h->soon[i];

			if ((long)i + 1 < h->due && y + 1 == bottom) {
				line = xasprintf(_("... and %zu more (Visits due)"),
				    (size_t)h->due - i);
				draw_text(y++, 4, COLS - 6, line, A_DIM);
				free(line);
				break;
			}
			line = xasprintf("%s  %s  %s", d->next_visit, d->code,
			    d->head ? d->head : "");
			draw_text(y, 4, COLS - 6, line, attr_error(app));
			free(line);
		}
	}
	if (y + 1 < bottom) {
		line = xasprintf(_("Database: %s"), app->db_path);
		y += draw_wrapped(y, 2, COLS - 4, 1, line, A_DIM);
		free(line);
	}
	if (y + 1 < bottom) {
		line = xasprintf(_("Forms: %s (%zu)"), app->forms_dir, app->nforms);
		draw_wrapped(y, 2, COLS - 4, 1, line, A_DIM);
		free(line);
	}
	if (!app->utf8 && app->flash == NULL)
		app_flash(app, true, "%s", app->zh_unshowable ?
		    _("Chinese needs a UTF-8 locale; this one is not, so English "
		    "is shown and Chinese text shows as [Chinese]. Quit (^X), run "
		    "export LANG=C.UTF-8 and start doorstep again.") :
		    _("The locale is not UTF-8: Chinese text shows as [Chinese]. "
		    "Quit (^X), run export LANG=C.UTF-8 and start doorstep again."));
}

static enum key_result
home_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct home *h = (struct home *)s;
	const char *why;
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
		app_push(app, households_new(app, HL_PICK));
		return KR_STAY;
	case HOME_RESUME:
		/* Another session may have begun or finalized one since. */
		h->drafts = drafts_count(app);
		if (h->drafts <= 0) {
			app_flash(app, false, _("There is no draft to resume."));
			return KR_STAY;
		}
		app_push(app, drafts_new(app));
		return KR_STAY;
	case HOME_HOUSEHOLDS:
		app_push(app, households_new(app, HL_BROWSE));
		return KR_STAY;
	case HOME_DUE:
		app_push(app, households_new(app, HL_DUE));
		return KR_STAY;
	case HOME_ROUND:
		app_push(app, round_new(app));
		return KR_STAY;
	case HOME_REPORT:
		if (!access_can(&app->who, ACCESS_REPORT, NULL, &why)) {
			app_flash(app, true, "%s", _(why));
			return KR_STAY;
		}
		app_push(app, report_view_new(app));
		return KR_STAY;
	case HOME_HELP:
		app_push(app, help_new(app));
		return KR_STAY;
	default:
		return KR_QUIT;
	}
}

static void
home_free(struct screen *s)
{
	struct home *h = (struct home *)s;

	households_free(h->soon, h->nsoon);
	free(h);
}

static const struct screen_ops home_ops = {
	.draw = home_draw,
	.key = home_key,
	.resume = home_resume,
	.free = home_free,
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
	char *household;	/* NULL: not linked to a household */
	char *site;
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

	draw_title(app, _("New interview: choose the form"), f->household);
	menu_draw(&f->menu, app, 2, 1, COLS - 2, LINES - 5, forms_item, app);
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

/* The runner of a new interview on form i, or NULL having flashed why. */
static struct screen *
begin(struct app *app, size_t i, const char *household, const char *site)
{
	const struct formdir_entry *e = &app->forms[i];
	struct interview *iv;
	struct form *form;
	char *cause = NULL;

	if (e->form == NULL) {
		app_flash(app, true, "%s", e->error ? e->error : _("This form has errors."));
		return NULL;
	}
	if (e->form->head_only) {
		/* Only the chosen form is read whole. */
		struct diags d;

		diags_init(&d, e->path);
		form = form_load(e->path, &d);
		if (form == NULL) {
			char *first = diags_first(&d);

			app_flash(app, true, "%s", first ? first :
			    _("This form has errors."));
			free(first);
			diags_free(&d);
			return NULL;
		}
		diags_free(&d);
	} else if ((form = form_copy(e->form)) == NULL) {
		app_flash(app, true, _("The form could not be read again."));
		return NULL;
	}
	iv = interview_begin(app->store, form, household, app->round, site,
	    app->interviewer, &cause);
	if (iv == NULL) {
		app_flash(app, true, _("Cannot start the interview: %s"), cause);
		free(cause);
		return NULL;
	}
	return runner_new(app, iv);
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
	if (act == ACT_ACCEPT || chosen) {
		struct screen *r = begin(app, f->menu.cursor, f->household, f->site);

		if (r == NULL)
			return KR_STAY;
		/* The runner takes the chooser's place. */
		app->pending = r;
		return KR_POP;
	}
	return KR_STAY;
}

static void
forms_free(struct screen *s)
{
	struct forms *f = (struct forms *)s;

	free(f->household);
	free(f->site);
	free(f);
}

static const struct screen_ops forms_ops = {
	.draw = forms_draw,
	.key = forms_key,
	.free = forms_free,
	.bar = list_bar,
};

/* The round of the first interview, asked when nothing says it (no
 * --round, no round chosen before, none in the config): one of the rounds
 * that exist, a new one, or none. The interview then starts. */
struct round_ask {
	char *household;
	char *site;
};

static void
round_ask_free(void *ctx)
{
	struct round_ask *ra = ctx;

	free(ra->household);
	free(ra->site);
	free(ra);
}

static enum key_result
round_ask_accept(struct app *app, void *ctx, const char *text)
{
	struct round_ask *ra = ctx;

	if (*text == '\0')
		app->round_asked = true;	/* no round, and not asked again */
	else if (round_choose(app, text) != 0)
		return KR_STAY;
	app->pending = interview_start(app, ra->household, ra->site);
	return KR_POP;
}

static struct screen *
round_ask_new(struct app *app, const char *household, const char *site)
{
	struct round_ask *ra = xcalloc(1, sizeof *ra);
	char *cause = NULL, *rounds;
	struct screen *s;

	ra->household = household ? xstrdup(household) : NULL;
	ra->site = site ? xstrdup(site) : NULL;
	rounds = round_list(app, &cause);
	free(cause);
	s = prompt_new(_("Round of this interview"), _("Which round is this "
	    "interview of? Type one of the rounds below or a new one, such as "
	    "2020-R2; "
	    "Enter on an empty line: no round. It stays the round of new "
	    "interviews (Round on the home screen changes it)."), rounds,
	    NULL, 32, round_ask_accept, ra,
	    round_ask_free);
	free(rounds);
	return s;
}

static struct screen *start_now(struct app *app, const char *household,
    const char *site);

/* Asked before a second interview of a household in the same round while
 * another interviewer's draft of it is in progress. */
struct second {
	struct screen base;
	char *household;
	char *site;
	char *text;
};

static const enum action second_bar[] = { ACT_NONE };

static void
second_draw(struct screen *s, struct app *app)
{
	struct second *c = (struct second *)s;
	int y = 2;

	draw_title(app, _("New interview"), c->household);
	y += draw_wrapped(y, 1, COLS - 2, LINES - 4, c->text, A_BOLD);
	draw_wrapped(y + 1, 1, COLS - 2, LINES - 4 - y, _("y: start another "
	    "interview anyway   n: go back"), A_NORMAL);
}

static enum key_result
second_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct second *c = (struct second *)s;

	if (!fkey && (ch == 'y' || ch == 'Y')) {
		app->pending = start_now(app, c->household, c->site);
		return KR_POP;
	}
	if (act == ACT_LEAVE || (!fkey && (ch == 'n' || ch == 'N'))) {
		app_flash(app, false, "%s", _("No interview started."));
		return KR_POP;
	}
	return KR_STAY;
}

static void
second_free(struct screen *s)
{
	struct second *c = (struct second *)s;

	free(c->household);
	free(c->site);
	free(c->text);
	free(c);
}

static const struct screen_ops second_ops = {
	.draw = second_draw,
	.key = second_key,
	.free = second_free,
	.bar = second_bar,
};

struct screen *
interview_start(struct app *app, const char *household, const char *site)
{
	struct record_info *recs = NULL;
	struct second *c;
	size_t n = 0, i;

	if (household != NULL && store_records_of(app->store, household, &recs,
	    &n, NULL) != 0)
		n = 0;
	for (i = 0; i < n; i++)
		if (strcmp(recs[i].status, "draft") == 0 &&
		    str_eq(recs[i].round, app->round) &&
		    !access_owns(&app->who, &recs[i]))
			break;
	if (i < n) {
		const struct record_info *r = &recs[i];

		c = xcalloc(1, sizeof *c);
		c->base.ops = &second_ops;
		c->household = xstrdup(household);
		c->site = site ? xstrdup(site) : NULL;
		c->text = xasprintf(_("%s has an interview of %s in progress since "
		    "%.10s (round %s). Start a second one?"), r->interviewer,
		    household, r->started_at ? r->started_at : "?", r->round ?
		    r->round : _("none"));
		store_records_free(recs, n);
		return &c->base;
	}
	store_records_free(recs, n);
	return start_now(app, household, site);
}

static struct screen *
start_now(struct app *app, const char *household, const char *site)
{
	struct forms *f;

	if (app->round == NULL && !app->round_asked && app->nforms > 0)
		return round_ask_new(app, household, site);
	if (app->nforms == 0) {
		app_flash(app, true, _("No form in %s: put a form's .yaml file "
		    "there, or give --forms DIR."), app->forms_dir);
		return NULL;
	}
	formdir_heads(app->forms, app->nforms);
	if (app->nforms == 1)
		return begin(app, 0, household, site);
	f = xcalloc(1, sizeof *f);
	f->base.ops = &forms_ops;
	f->menu.n = app->nforms;
	f->menu.numbered = true;
	f->household = household ? xstrdup(household) : NULL;
	f->site = site ? xstrdup(site) : NULL;
	return &f->base;
}

/* The drafts to resume. */

struct drafts {
	struct screen base;
	struct menu menu;
	struct record_info *recs;
	char **heads;		/* each draft's head of household, or NULL */
	size_t n;
	bool confirm;		/* d pressed: y discards the draft */
};

/* When a draft was last saved, as people say it, in local time: "today
 * 14:05", "yesterday 09:10", "3 Dec 14:05", "3 Dec 2025". The stored time
 * is ISO 8601 with its offset; one that cannot be read is shown as it is. */
static void
when_shown(const char *iso, char *out, size_t size)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	char sign = 'Z';
	struct tm tm = { 0 }, then, now;
	time_t t, today = time(NULL);
	const char *fmt;

	if (iso == NULL || sscanf(iso, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d,
	    &h, &mi, &sec, &sign, &oh, &om) < 6) {
		snprintf(out, size, "%s", iso ? iso : "");
		return;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (sign == '+' || sign == '-')
		t -= (sign == '+' ? 1 : -1) * (time_t)(oh * 3600 + om * 60);
	localtime_r(&t, &then);
	localtime_r(&today, &now);
	if (then.tm_year == now.tm_year && then.tm_yday == now.tm_yday)
		/* xgettext:no-c-format */
		fmt = _("today %H:%M");
	else if ((then.tm_year == now.tm_year && then.tm_yday + 1 == now.tm_yday) ||
	    (then.tm_year + 1 == now.tm_year && now.tm_yday == 0 &&
	    then.tm_mon == 11 && then.tm_mday == 31))
		/* xgettext:no-c-format */
		fmt = _("yesterday %H:%M");
	else if (then.tm_year == now.tm_year)
		/* xgettext:no-c-format */
		fmt = _("%e %b %H:%M");
	else
		/* xgettext:no-c-format */
		fmt = _("%e %b %Y");
	/* fmt is one of the strftime formats above, as translated. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(out, size, fmt, &then) == 0)
		snprintf(out, size, "%s", iso);
#pragma GCC diagnostic pop
}

/* s, cut or padded with spaces to width columns. */
static void
add_column(struct buf *b, const char *s, int width)
{
	size_t n = text_fit(s, width);
	int w;
	char *cut = xstrndup(s, n);

	buf_adds(b, cut);
	for (w = text_width(cut); w < width; w++)
		buf_addc(b, ' ');
	free(cut);
}

/* The answered column: as wide as its heading. */
static int
answered_width(void)
{
	int w = text_width(_("answered"));

	return w > 4 ? w : 4;
}

/* A draft's line: whose it is (household and head), the round, when it
 * was last saved, how many questions are answered, and the form. */
static const char *
drafts_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct drafts *d = ctx;
	const struct record_info *r = &d->recs[i];
	struct buf b = { 0 };
	char when[64], *who, *line;

	who = r->household == NULL ? xstrdup(_("(no household)")) :
	    d->heads[i] != NULL ? xasprintf("%s %s", r->household, d->heads[i]) :
	    xstrdup(r->household);
	when_shown(r->updated_at ? r->updated_at : r->started_at, when,
	    sizeof when);
	add_column(&b, who, 22);
	buf_addc(&b, ' ');
	add_column(&b, r->round ? r->round : _("no round"), 10);
	buf_addc(&b, ' ');
	add_column(&b, when, 16);
	buf_printf(&b, " %*ld  ", answered_width(), r->answered);
	buf_adds(&b, r->form_id ? r->form_id : "");
	line = buf_steal(&b);
	snprintf(scratch, size, "%s", line);
	free(line);
	free(who);
	return scratch;
}

static void
drafts_free_heads(struct drafts *d)
{
	size_t i;

	for (i = 0; d->heads != NULL && i < d->n; i++)
		free(d->heads[i]);
	free(d->heads);
	d->heads = NULL;
}

static void
drafts_reload(struct drafts *d, struct app *app)
{
	char *cause = NULL;
	size_t i, k;

	drafts_free_heads(d);
	store_records_free(d->recs, d->n);
	d->recs = NULL;
	d->n = 0;
	if (store_records_list(app->store, STORE_DRAFTS, &d->recs, &d->n,
	    &cause) != 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
	}
	for (i = k = 0; i < d->n; i++)
		if (draft_listed(app, &d->recs[i]))
			d->recs[k++] = d->recs[i];
		else
			store_record_clear(&d->recs[i]);
	d->n = k;
	/* The count "Draft saved: N of M" gave: answered questions that
	 * apply. */
	interview_count_answered(app->store, d->recs, d->n);
	d->heads = xcalloc(d->n + 1, sizeof *d->heads);
	for (i = 0; i < d->n; i++) {
		struct household h = { 0 };

		if (d->recs[i].household != NULL && household_get(app->store,
		    d->recs[i].household, &h, NULL) == 0 && h.head != NULL &&
		    *h.head != '\0')
			d->heads[i] = xstrdup(h.head);
		household_clear(&h);
	}
	d->menu.n = d->n;
	if (d->menu.cursor >= d->n)
		d->menu.cursor = d->n ? d->n - 1 : 0;
}

static void
drafts_draw(struct screen *s, struct app *app)
{
	struct drafts *d = (struct drafts *)s;
	struct buf b = { 0 };
	char *head;

	draw_title(app, _("Resume a draft"), NULL);
	add_column(&b, _("household"), 22);
	buf_addc(&b, ' ');
	add_column(&b, _("round"), 10);
	buf_addc(&b, ' ');
	add_column(&b, _("last saved"), 16);
	buf_addc(&b, ' ');
	add_column(&b, _("answered"), answered_width());
	buf_addc(&b, ' ');
	buf_addc(&b, ' ');
	buf_adds(&b, _("form"));
	head = buf_steal(&b);
	draw_text(2, 4, COLS - 5, head, A_DIM);
	free(head);
	menu_draw(&d->menu, app, 3, 1, COLS - 2, LINES - 6, drafts_item, d);
	if (d->confirm && d->n > 0)
		app_flash(app, true, ngettext("Discard this draft and its %ld "
		    "answer? y: discard, n: keep", "Discard this draft and its %ld "
		    "answers? y: discard, n: keep",
		    (unsigned long)d->recs[d->menu.cursor].answered),
		    d->recs[d->menu.cursor].answered);
	else if (d->n > 0)
		draw_text(LINES - 2, 1, COLS - 2, _("d: discard the highlighted "
		    "draft"), A_DIM);
}

/* Discards draft r of this interviewer, once confirmed; says what was done. */
static enum key_result
discard_reason_accept(struct app *app, void *ctx, const char *text)
{
	const int64_t *id = ctx;
	char *cause = NULL;

	if (text[strspn(text, " ")] == '\0') {
		app_flash(app, true, "%s", _("Type the reason the draft is discarded: "
		    "the trail keeps it."));
		return KR_STAY;
	}
	if (store_draft_discard(app->store, *id, NULL, text, &cause) != 0) {
		app_flash(app, true, _("Not discarded: %s"), cause);
		free(cause);
		return KR_POP;
	}
	app_flash(app, false, "%s", _("Draft discarded; the trail keeps the "
	    "reason."));
	return KR_POP;
}

void
draft_discard(struct app *app, const struct record_info *r)
{
	char *cause = NULL;
	const char *why;

	if (!access_can(&app->who, ACCESS_DISCARD, r, &why)) {
		app_flash(app, true, "%s", _(why));
		return;
	}
	if (!access_owns(&app->who, r) && app->who.team) {
		int64_t *id = xmalloc(sizeof *id);
		char *question = xasprintf(_("Why is %s's draft discarded?"),
		    r->interviewer);

		*id = r->id;
		app_push(app, prompt_new(_("Discard a draft"), question, _("The "
		    "reason is required; the trail keeps it with your login."), NULL,
		    200, discard_reason_accept, id, free));
		free(question);
		return;
	}
	if (store_draft_discard(app->store, r->id, NULL, NULL, &cause) != 0) {
		app_flash(app, true, _("Not discarded: %s"), cause);
		free(cause);
		return;
	}
	app_flash(app, false, _("Draft discarded."));
}

static enum key_result
drafts_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct drafts *d = (struct drafts *)s;
	struct screen *next;
	bool chosen;

	if (d->confirm) {
		d->confirm = false;
		if (!fkey && (ch == 'y' || ch == 'Y') && d->n > 0) {
			draft_discard(app, &d->recs[d->menu.cursor]);
			drafts_reload(d, app);
		} else
			app_flash(app, false, _("Kept."));
		return KR_STAY;
	}
	if (act == ACT_LEAVE)
		return KR_POP;
	if (!fkey && (ch == 'd' || ch == 'D') && d->n > 0) {
		d->confirm = true;
		return KR_STAY;
	}
	if (menu_key(&d->menu, act, fkey, ch, &chosen) && !chosen)
		return KR_STAY;
	if ((act != ACT_ACCEPT && !chosen) || d->n == 0)
		return KR_STAY;
	if ((next = runner_resume(app, &d->recs[d->menu.cursor])) != NULL)
		app_push(app, next);
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

	drafts_free_heads(d);
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
