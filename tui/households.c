/* The household register on screen: the list with its search, a
 * household's page, registering and editing one, closing a case, its
 * timeline, and the next visit asked after an interview. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/entity.h"
#include "../core/household.h"
#include "../core/i18n.h"
#include "../core/phone.h"
#include "../core/text.h"
#include "app.h"
#include "curses.h"
#include "field.h"
#include "menu.h"
#include "runner.h"

static const enum action list_bar[] = { ACT_ACCEPT, ACT_UP, ACT_LEAVE, ACT_HELP, ACT_NONE };
static const enum action edit_bar[] = { ACT_ACCEPT, ACT_UP, ACT_LEAVE, ACT_NONE };

#define NEXT_VISIT_DAYS 30	/* the next visit offered after an interview */

/* Appends s cut or padded to width columns. */
static void
add_col(struct buf *b, const char *s, int width)
{
	size_t n;
	int w;

	if (s == NULL)
		s = "";
	n = text_fit(s, width);
	buf_add(b, s, n);
	{
		char *part = xstrndup(s, n);

		w = text_width(part);
		free(part);
	}
	for (; w < width; w++)
		buf_addc(b, ' ');
}

/* "overdue 3 d", "today", "in 5 d", or the date, for a next visit. */
static void
visit_words(const char *next, char *out, size_t size)
{
	char today[11];
	long d, t;

	app_date(today, 0);
	if (next == NULL || !expr_date_days(next, &d) ||
	    !expr_date_days(today, &t)) {
		snprintf(out, size, "%s", next ? next : "");
		return;
	}
	if (d < t)
		snprintf(out, size, _("overdue %ld d"), t - d);
	else if (d == t)
		snprintf(out, size, "%s", _("today"));
	else
		snprintf(out, size, "%s", next);
}

/* The list: search (or the visits due), register, choose. */

#define HH_PAGE 64		/* households read at a time */
#define HH_COUNT_CAP 1000	/* a search counts this many, then says "more" */

/* The list reads a page of households at a time, where the highlight is:
 * opening it and each key typed cost the same at any size. */
struct hhlist {
	struct screen base;
	struct app *app;
	enum household_list mode;
	struct lineedit search;
	struct menu menu;
	struct household *v;	/* the page read: households first..first + n */
	size_t n;
	size_t first;
	size_t found;		/* households the list has (up to the cap) */
	bool more;		/* a search found more than HH_COUNT_CAP */
	size_t fixed;		/* items before the households */
	char *term;		/* the search the list was read for */
};

static void
hhlist_drop_page(struct hhlist *l)
{
	households_free(l->v, l->n);
	l->v = NULL;
	l->n = 0;
	l->first = 0;
}

/* The household at index i of the list (reading its page when it is not
 * the one read), or NULL. */
static const struct household *
hhlist_at(struct hhlist *l, size_t i)
{
	char *cause = NULL, today[11];
	size_t first = i - i % HH_PAGE;
	int rc;

	if (i >= l->found)
		return NULL;
	if (l->v != NULL && i >= l->first && i < l->first + l->n)
		return &l->v[i - l->first];
	hhlist_drop_page(l);
	if (l->mode == HL_DUE) {
		app_date(today, 0);
		rc = household_due_page(l->app->store, today, (long)first, HH_PAGE,
		    &l->v, &l->n, &cause);
	} else {
		rc = household_search_page(l->app->store, l->term, (long)first,
		    HH_PAGE, &l->v, &l->n, &cause);
	}
	if (rc != 0) {
		app_flash(l->app, true, "%s", cause);
		free(cause);
		return NULL;
	}
	l->first = first;
	return i - first < l->n ? &l->v[i - first] : NULL;
}

static void
hhlist_reload(struct hhlist *l, struct app *app)
{
	char *cause = NULL, today[11];
	long found, open, due;

	hhlist_drop_page(l);
	free(l->term);
	l->term = lineedit_text(&l->search);
	l->more = false;
	if (l->mode == HL_DUE) {
		app_date(today, 0);
		found = household_counts(app->store, today, &open, &due, &cause) == 0 ?
		    due : -1;
	} else {
		/* Every household (no term): the whole register, to scroll
		 * through; a search counts up to the cap. */
		found = household_search_count(app->store, l->term, *l->term == '\0' ?
		    LONG_MAX - 1 : HH_COUNT_CAP, &cause);
		if (*l->term != '\0' && found > HH_COUNT_CAP) {
			found = HH_COUNT_CAP;
			l->more = true;
		}
	}
	if (found < 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
		found = 0;
	}
	l->found = (size_t)found;
	l->menu.n = l->fixed + l->found;
	if (l->menu.cursor >= l->menu.n)
		l->menu.cursor = l->menu.n ? l->menu.n - 1 : 0;
}

static const char *
hhlist_item(void *ctx, size_t i, char *scratch, size_t size)
{
	struct hhlist *l = ctx;
	const struct household *h;
	struct buf b = { 0 };
	char when[32];

	if (i < l->fixed) {
		if (i == 1)
			return _("- Interview without a household");
		if (l->term == NULL || *l->term == '\0')
			return _("+ Register a new household");
		snprintf(scratch, size, _("+ Register a new household: %s"), l->term);
		return scratch;
	}
	if ((h = hhlist_at(l, i - l->fixed)) == NULL)
		return "";
	add_col(&b, h->code, 9);
	buf_addc(&b, ' ');
	add_col(&b, h->head, 12);
	buf_addc(&b, ' ');
	add_col(&b, h->phone, 14);
	buf_addc(&b, ' ');
	if (h->closed)
		snprintf(when, sizeof when, "%s", _("closed"));
	else
		visit_words(h->next_visit, when, sizeof when);
	add_col(&b, when, 12);
	buf_addc(&b, ' ');
	buf_adds(&b, h->address ? h->address : "");
	snprintf(scratch, size, "%s", b.data);
	buf_free(&b);
	return scratch;
}

static void
hhlist_draw(struct screen *s, struct app *app)
{
	struct hhlist *l = (struct hhlist *)s;
	int y = 2;
	char *count;

	if (l->mode == HL_DUE) {
		draw_title(app, _("Visits due"), NULL);
		if (l->found == 0)
			draw_wrapped(y, 1, COLS - 2, 2, _("No household is due for a "
			    "visit."), A_NORMAL);
	} else {
		draw_title(app, l->mode == HL_PICK ? _("New interview: which "
		    "household?") : _("Households"), NULL);
		draw_text(1, 1, COLS - 2, _("Search by code, name, phone or "
		    "address:"), A_DIM);
		count = l->more ? xasprintf(_("more than %zu found"), l->found) :
		    xasprintf(_("%zu found"), l->found);
		draw_text(y, COLS - 1 - text_width(count), text_width(count), count,
		    A_DIM);
		free(count);
		y++;
	}
	menu_draw(&l->menu, app, y + 1, 1, COLS - 2, LINES - y - 3, hhlist_item, l);
	if (l->mode != HL_DUE)
		field_draw(app, &l->search, 2, 1, COLS - 14);
}

static enum key_result
hhlist_choose(struct hhlist *l, struct app *app)
{
	const struct household *h;
	struct screen *next;

	if (l->menu.cursor < l->fixed) {
		if (l->menu.cursor == 1) {
			if ((next = interview_start(app, NULL, app->site)) != NULL)
				app_push(app, next);
			return KR_STAY;
		}
		app_push(app, household_edit_new(app, NULL, l->term,
		    l->mode == HL_PICK));
		return KR_STAY;
	}
	if ((h = hhlist_at(l, l->menu.cursor - l->fixed)) == NULL)
		return KR_STAY;
	if (l->mode != HL_PICK) {
		app_push(app, household_view_new(app, h->code));
		return KR_STAY;
	}
	if (h->closed) {
		app_flash(app, true, _("The case of %s was closed on %s (%s): reopen "
		    "it from its page first."), h->code, h->closed_at ? h->closed_at :
		    "?", h->closed_reason ? h->closed_reason : "");
		return KR_STAY;
	}
	if ((next = interview_start(app, h->code, h->site ? h->site : app->site)) !=
	    NULL)
		app_push(app, next);
	return KR_STAY;
}

static enum key_result
hhlist_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct hhlist *l = (struct hhlist *)s;
	bool chosen;

	switch (act) {
	case ACT_LEAVE:
		return KR_POP;
	case ACT_HELP:
		app_push(app, help_new(app));
		return KR_STAY;
	case ACT_UP:
	case ACT_DOWN:
		menu_key(&l->menu, act, fkey, ch, &chosen);
		return KR_STAY;
	case ACT_ACCEPT:
		return hhlist_choose(l, app);
	default:
		break;
	}
	if (l->mode == HL_DUE) {
		if (menu_key(&l->menu, act, fkey, ch, &chosen) && chosen)
			return hhlist_choose(l, app);
		return KR_STAY;
	}
	if (field_key(&l->search, act, fkey, ch, 64)) {
		char *term = lineedit_text(&l->search);

		if (strcmp(term, l->term) != 0) {
			hhlist_reload(l, app);
			/* The first household found, ready for Enter. */
			l->menu.cursor = l->found > 0 && *term != '\0' ? l->fixed : 0;
		}
		free(term);
	}
	return KR_STAY;
}

static void
hhlist_resume(struct screen *s, struct app *app)
{
	hhlist_reload((struct hhlist *)s, app);
}

static void
hhlist_free(struct screen *s)
{
	struct hhlist *l = (struct hhlist *)s;

	households_free(l->v, l->n);
	lineedit_free(&l->search);
	free(l->term);
	free(l);
}

static const struct screen_ops hhlist_ops = {
	.draw = hhlist_draw,
	.key = hhlist_key,
	.resume = hhlist_resume,
	.free = hhlist_free,
	.bar = list_bar,
};

struct screen *
households_new(struct app *app, enum household_list mode)
{
	struct hhlist *l = xcalloc(1, sizeof *l);

	l->base.ops = &hhlist_ops;
	l->app = app;
	l->mode = mode;
	l->fixed = mode == HL_PICK ? 2 : mode == HL_BROWSE ? 1 : 0;
	l->menu.numbered = mode == HL_DUE;
	lineedit_init(&l->search);
	hhlist_reload(l, app);
	return &l->base;
}

/* Registering or editing a household: one field per row. */

enum hh_field {
	F_CODE, F_HEAD, F_PHONE, F_ADDRESS, F_SITE, F_NEXT, F_NOTES, F_SAVE,
	F_COUNT
};

struct hhedit {
	struct screen base;
	struct household h;	/* id 0: a new household */
	struct lineedit ed[F_SAVE];
	char *orig[F_SAVE];	/* the fields as the form opened */
	size_t cur;
	bool then_interview;	/* registered to start an interview */
	bool warned;		/* ^X once: "not saved" was said */
	bool searched;		/* a new household from what was searched for */
	char *offered;		/* the code offered to a new household, or NULL */
};

/* The prefix of new household codes at site: the site's own (sites: in
 * the config), else code_prefix, else made from the site's name. */
static char *
site_code_prefix(const struct app *app, const char *site)
{
	size_t i;

	for (i = 0; site != NULL && i < app->nsites; i++)
		if (strcasecmp(app->sites[i].name, site) == 0 &&
		    app->sites[i].prefix != NULL)
			return xstrdup(app->sites[i].prefix);
	return household_prefix(app->code_prefix, site);
}

/* The site field is chosen from the config's list, not typed: Space and
 * Right go to the next site, Left to the one before. A new household's
 * code, while it is the one offered, follows the site's prefix. */
static void
hhedit_choose_site(struct hhedit *e, struct app *app, int step)
{
	char *now = lineedit_text(&e->ed[F_SITE]), *code, *prefix;
	size_t n = app->nsites, i, at = n;

	for (i = 0; i < n; i++)
		if (strcasecmp(app->sites[i].name, now) == 0)
			at = i;
	free(now);
	at = at == n ? (step > 0 ? 0 : n - 1) : (at + n + (size_t)(long)step) % n;
	lineedit_set(&e->ed[F_SITE], app->sites[at].name);
	code = lineedit_text(&e->ed[F_CODE]);
	if (e->offered != NULL && strcmp(code, e->offered) == 0) {
		prefix = site_code_prefix(app, app->sites[at].name);
		free(e->offered);
		e->offered = household_next_code(app->store, prefix, NULL);
		if (e->offered != NULL)
			lineedit_set(&e->ed[F_CODE], e->offered);
		free(prefix);
	}
	free(code);
}

/* The site chosen from the list, drawn as a choice with its keys. */
static void
hhedit_site_draw(struct app *app, const struct hhedit *e, int y, int x,
    int width, bool current)
{
	char *t = lineedit_text(&e->ed[F_SITE]);
	char *line = xasprintf(current ? _("< %s >  Space or Left/Right: choose") : "  %s", *t != '\0' ? t : _("(none chosen)"));

	draw_text(y, x, width, line, current ? A_BOLD : A_NORMAL);
	if (current)
		app->cursor_y = -1;
	free(line);
	free(t);
}

static const char *
field_label(enum hh_field f)
{
	switch (f) {
	case F_CODE:
		return _("Code");
	case F_HEAD:
		return _("Head of household");
	case F_PHONE:
		return _("Phone");
	case F_ADDRESS:
		return _("Community / address");
	case F_SITE:
		return _("Site");
	case F_NEXT:
		return _("Next visit (YYYY-MM-DD)");
	case F_NOTES:
		return _("Notes");
	default:
		return _("Save");
	}
}

/* Whether a phone was given that is not a phone number. */
static bool
phone_refused(const char *phone)
{
	const char *why;
	char *kept;
	bool refused;

	if (phone == NULL || phone[strspn(phone, " ")] == '\0')
		return false;
	kept = phone_normalize(phone, &why);
	refused = kept == NULL;
	free(kept);
	return refused;
}

static char **
field_of(struct household *h, enum hh_field f)
{
	switch (f) {
	case F_CODE:
		return &h->code;
	case F_HEAD:
		return &h->head;
	case F_PHONE:
		return &h->phone;
	case F_ADDRESS:
		return &h->address;
	case F_SITE:
		return &h->site;
	case F_NEXT:
		return &h->next_visit;
	default:
		return &h->notes;
	}
}

static void
hhedit_draw(struct screen *s, struct app *app)
{
	struct hhedit *e = (struct hhedit *)s;
	int lw = 0, y = 2, w, rows = LINES - 4;
	size_t i, top = 0;

	draw_title(app, e->h.id ? e->h.code : _("Register a household"), NULL);
	for (i = 0; i < F_SAVE; i++)
		if ((w = text_width(field_label((enum hh_field)i))) > lw)
			lw = w;
	if (lw > COLS / 2)
		lw = COLS / 2;
	/* Two rows a field when the screen is narrow. */
	if (COLS < 60) {
		if (e->cur * 2 + 2 > (size_t)rows)
			top = e->cur - (size_t)rows / 2 + 1;
		for (i = top; i < F_COUNT && y < LINES - 2; i++) {
			int attr = i == e->cur ? A_BOLD : A_DIM;

			if (i == F_SAVE) {
				draw_text(y, 1, COLS - 2, e->then_interview ? _("[ Save and start "
				    "interview ]") : _("[ Save ]"), i == e->cur ?
				    attr_selected(app) : (int)A_NORMAL);
				if (i == e->cur)
					app->cursor_y = -1;
				break;
			}
			draw_text(y++, 1, COLS - 2, field_label((enum hh_field)i), attr);
			if (i == F_SITE && app->nsites > 0)
				hhedit_site_draw(app, e, y, 1, COLS - 2, i == e->cur);
			else if (i == e->cur)
				field_draw(app, &e->ed[i], y, 1, COLS - 2);
			else {
				char *t = lineedit_text(&e->ed[i]);

				draw_text(y, 3, COLS - 4, t, A_NORMAL);
				free(t);
			}
			y++;
		}
		return;
	}
	for (i = 0; i < F_COUNT && y < LINES - 2; i++, y++) {
		if (i == F_SAVE) {
			draw_text(y + 1, lw + 4, COLS - lw - 5, e->then_interview ?
			    _("[ Save and start interview ]") : _("[ Save ]"),
			    i == e->cur ? attr_selected(app) : (int)A_NORMAL);
			if (i == e->cur)
				app->cursor_y = -1;
			break;
		}
		draw_text(y, 1, lw, field_label((enum hh_field)i), i == e->cur ?
		    A_BOLD : A_NORMAL);
		if (i == F_SITE && app->nsites > 0)
			hhedit_site_draw(app, e, y, lw + 2, COLS - lw - 3, i == e->cur);
		else if (i == e->cur)
			field_draw(app, &e->ed[i], y, lw + 2, COLS - lw - 3);
		else {
			char *t = lineedit_text(&e->ed[i]);

			draw_text(y, lw + 4, COLS - lw - 5, t, A_NORMAL);
			free(t);
		}
	}
}

/* Whether a field differs from what the form opened with. */
static bool
hhedit_changed(const struct hhedit *e)
{
	size_t i;
	bool changed = e->searched;

	for (i = 0; i < F_SAVE && !changed; i++) {
		char *t = lineedit_text(&e->ed[i]);

		changed = strcmp(t, e->orig[i]) != 0;
		free(t);
	}
	return changed;
}

/* Saves the household; then, when start, begins its interview, else
 * opens its page (a new one) or goes back. */
static enum key_result
hhedit_save(struct hhedit *e, struct app *app, bool start)
{
	char *cause = NULL;
	bool was_new;
	size_t i;
	int rc;

	for (i = 0; i < F_SAVE; i++) {
		char **slot = field_of(&e->h, (enum hh_field)i);

		free(*slot);
		*slot = lineedit_text(&e->ed[i]);
	}
	was_new = e->h.id == 0;
	rc = was_new ? household_add(app->store, &e->h, &cause) :
	    household_update(app->store, &e->h, &cause);
	if (rc != 0) {
		app_flash(app, true, _("Not saved: %s. (^X twice leaves without "
		    "saving.)"), cause);
		free(cause);
		/* To the field to fix: the date, the phone, else the code. */
		if (rc == 1)
			e->cur = e->h.next_visit != NULL && *e->h.next_visit != '\0' &&
			    !date_valid(e->h.next_visit) ? F_NEXT :
			    phone_refused(e->h.phone) ? F_PHONE : F_CODE;
		return KR_STAY;
	}
	app_flash(app, false, _("Household %s saved."), e->h.code);
	if (start) {
		app->pending = interview_start(app, e->h.code, e->h.site ?
		    e->h.site : app->site);
		return KR_POP;
	}
	/* A new household's page opens in place of this form. */
	if (was_new)
		app->pending = household_view_new(app, e->h.code);
	return KR_POP;
}

static enum key_result
hhedit_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct hhedit *e = (struct hhedit *)s;

	switch (act) {
	case ACT_LEAVE:
		/* Save and leave, as everywhere; what cannot be saved is said,
		 * and a second ^X leaves without it. */
		if (e->warned || !hhedit_changed(e))
			return KR_POP;
		if (hhedit_save(e, app, false) == KR_POP)
			return KR_POP;
		e->warned = true;
		return KR_STAY;
	case ACT_UP:
		e->cur = e->cur > 0 ? e->cur - 1 : F_COUNT - 1;
		return KR_STAY;
	case ACT_DOWN:
		e->cur = (e->cur + 1) % F_COUNT;
		return KR_STAY;
	case ACT_ACCEPT:
		if (e->cur == F_SAVE)
			return hhedit_save(e, app, e->then_interview);
		e->cur++;
		return KR_STAY;
	default:
		break;
	}
	e->warned = false;
	if (e->cur == F_SITE && app->nsites > 0) {
		if (act == ACT_TOGGLE || act == ACT_RIGHT || act == ACT_LEFT)
			hhedit_choose_site(e, app, act == ACT_LEFT ? -1 : 1);
		else if (act == ACT_NONE && !fkey)
			app_flash(app, false, _("The site is chosen from the config's "
			    "list: Space or Left/Right."));
		return KR_STAY;
	}
	if (e->cur < F_SAVE)
		field_key(&e->ed[e->cur], act, fkey, ch, e->cur == F_CODE ?
		    HOUSEHOLD_CODE_MAX : e->cur == F_NEXT ? 10 : 200);
	return KR_STAY;
}

/* The connection is gone: keep what was typed when it can be kept. */
static void
hhedit_hangup(struct screen *s, struct app *app)
{
	struct hhedit *e = (struct hhedit *)s;

	e->then_interview = false;	/* nobody is there to interview */
	if (hhedit_changed(e))
		hhedit_save(e, app, false);
	if (app->pending != NULL) {
		app->pending->ops->free(app->pending);
		app->pending = NULL;
	}
}

static void
hhedit_free(struct screen *s)
{
	struct hhedit *e = (struct hhedit *)s;
	size_t i;

	for (i = 0; i < F_SAVE; i++) {
		lineedit_free(&e->ed[i]);
		free(e->orig[i]);
	}
	household_clear(&e->h);
	free(e->offered);
	free(e);
}

static const struct screen_ops hhedit_ops = {
	.draw = hhedit_draw,
	.key = hhedit_key,
	.hangup = hhedit_hangup,
	.free = hhedit_free,
	.bar = edit_bar,
};

/* The field a search text belongs in: a code has letters and digits (BJ-42),
 * a phone number digits only; anything else is a name. */
static char **
searched_field(struct household *h, const char *typed)
{
	const char *why, *p;
	char *code = household_code_normalize(typed, &why);
	bool letter = false, digit = false, is_code = code != NULL;

	for (p = typed; *p != '\0'; p++) {
		letter |= isalpha((unsigned char)*p) != 0;
		digit |= isdigit((unsigned char)*p) != 0;
	}
	free(code);
	if (digit && !letter && typed[strspn(typed, "0123456789 -+")] == '\0')
		return &h->phone;
	if (is_code && letter && digit)
		return &h->code;
	return &h->head;
}

struct screen *
household_edit_new(struct app *app, const char *code, const char *typed,
    bool then_interview)
{
	struct hhedit *e = xcalloc(1, sizeof *e);
	char *cause = NULL;
	size_t i;

	e->base.ops = &hhedit_ops;
	e->then_interview = then_interview;
	if (code == NULL || household_get(app->store, code, &e->h, &cause) != 0) {
		char *prefix = site_code_prefix(app, app->site);

		free(cause);
		household_clear(&e->h);
		e->h.code = household_next_code(app->store, prefix, NULL);
		e->offered = e->h.code ? xstrdup(e->h.code) : NULL;
		e->h.site = app->site ? xstrdup(app->site) : NULL;
		free(prefix);
		e->cur = F_HEAD;	/* the code offered is usually kept */
		/* What was searched for: a code, a phone number or a name. */
		if (typed != NULL && *typed != '\0') {
			char **slot = searched_field(&e->h, typed);

			e->searched = true;
			free(*slot);
			*slot = slot == &e->h.code ? household_code_normalize(typed,
			    &(const char *){ NULL }) : xstrdup(typed);
		}
	}
	for (i = 0; i < F_SAVE; i++) {
		lineedit_init(&e->ed[i]);
		lineedit_set(&e->ed[i], *field_of(&e->h, (enum hh_field)i));
		e->orig[i] = lineedit_text(&e->ed[i]);
	}
	return &e->base;
}

/* A household's page. */

enum view_item {
	V_TAKE_SERVER, V_KEEP_MINE, V_RESUME, V_DISCARD, V_INTERVIEW, V_EDIT, V_TIMELINE, V_CASE, V_DELETE,
	V_READ_OTHER, V_HAND_OVER, V_DISCARD_OTHER, V_TRAIL, V_COUNT
};

struct hhview {
	struct screen base;
	char *code;
	int64_t id;		/* found again by it when the code changes */
	struct household h;
	bool gone;		/* deleted, or no longer found */
	struct menu menu;
	bool confirm_delete;
	bool confirm_discard;
	struct record_info draft;	/* id 0: no draft of this interviewer */
	struct record_info *others;	/* other interviewers' drafts, newest
					 * first */
	size_t nothers;
	enum view_item items[V_COUNT];	/* the menu as offered */
	struct entity_conflict *conflicts;	/* with the Entity List */
	size_t nconflicts;
};

/* The household's latest draft of this interviewer, into v->draft. */
static void
hhview_find_draft(struct hhview *v, struct app *app)
{
	struct record_info *recs = NULL;
	size_t n = 0, i;

	store_record_clear(&v->draft);
	memset(&v->draft, 0, sizeof v->draft);
	store_records_free(v->others, v->nothers);
	v->others = NULL;
	v->nothers = 0;
	if (v->gone || store_records_of(app->store, v->h.code, &recs, &n,
	    NULL) != 0)
		return;
	/* Another's draft shows who has it, never its answers. */
	for (i = n; i-- > 0;)
		if (strcmp(recs[i].status, "draft") == 0 && !str_eq(recs[i].interviewer,
		    app->interviewer)) {
			v->others = xreallocarray(v->others, v->nothers + 1,
			    sizeof *v->others);
			v->others[v->nothers++] = recs[i];
			memset(&recs[i], 0, sizeof recs[i]);
		}
	for (i = 0; i < n; i++)
		if (recs[i].status != NULL && strcmp(recs[i].status, "draft") == 0 &&
		    str_eq(recs[i].interviewer,
		    app->interviewer) && (v->draft.id == 0 ||
		    strcmp(recs[i].updated_at ? recs[i].updated_at : "",
		    v->draft.updated_at ? v->draft.updated_at : "") >= 0)) {
			store_record_clear(&v->draft);
			v->draft = recs[i];
			memset(&recs[i], 0, sizeof recs[i]);
		}
	store_records_free(recs, n);
	if (v->draft.id != 0)
		interview_count_answered(app->store, &v->draft, 1);
}

/* The items of the page: Resume and Discard where there is a draft; what
 * may be done with another's draft, and the trail, for those who may. */
static void
hhview_items(struct hhview *v, const struct app *app)
{
	const struct record_info *other = v->nothers > 0 ? &v->others[0] : NULL;
	size_t n = 0;
	int i;

	for (i = 0; i < V_COUNT; i++) {
		if ((i == V_RESUME || i == V_DISCARD) && v->draft.id == 0)
			continue;
		if ((i == V_TAKE_SERVER || i == V_KEEP_MINE) && v->nconflicts == 0)
			continue;
		if (i == V_DELETE && v->h.interviews > 0)
			continue;
		if (i == V_READ_OTHER && (other == NULL || !access_can(&app->who,
		    ACCESS_READ, other, NULL)))
			continue;
		if (i == V_HAND_OVER && (other == NULL || !access_can(&app->who,
		    ACCESS_HAND_OVER, other, NULL)))
			continue;
		if (i == V_DISCARD_OTHER && (other == NULL || !access_can(&app->who,
		    ACCESS_DISCARD, other, NULL)))
			continue;
		if (i == V_TRAIL && !access_can(&app->who, ACCESS_TRAIL, NULL, NULL))
			continue;
		v->items[n++] = (enum view_item)i;
	}
	v->menu.n = n;
	if (v->menu.cursor >= n)
		v->menu.cursor = 0;
}

static void
hhview_reload(struct hhview *v, struct app *app)
{
	char *cause = NULL;
	int rc;

	household_clear(&v->h);
	/* By id once known: its code may have been edited meanwhile. */
	rc = v->id != 0 ? household_get_id(app->store, v->id, &v->h, &cause) :
	    household_get(app->store, v->code, &v->h, &cause);
	if (rc < 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
	}
	v->gone = rc != 0;
	if (!v->gone) {
		free(v->code);
		v->code = xstrdup(v->h.code);
	}
	hhview_find_draft(v, app);
	entity_conflicts_free(v->conflicts, v->nconflicts);
	v->conflicts = NULL;
	v->nconflicts = 0;
	if (!v->gone)
		entity_conflicts(app->store, v->h.id, &v->conflicts, &v->nconflicts,
		    NULL);
	hhview_items(v, app);
}

static const char *
hhview_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct hhview *v = ctx;

	switch (v->items[i]) {
	case V_RESUME:
		snprintf(scratch, size, _("Resume the draft (%ld answered, %s)"),
		    v->draft.answered, v->draft.round ? v->draft.round :
		    _("no round"));
		return scratch;
	case V_DISCARD:
		return _("Discard the draft");
	case V_TAKE_SERVER:
		return _("Conflict: take the Entity List's values");
	case V_KEEP_MINE:
		return _("Conflict: keep this database's values (sent with the "
		    "next interview)");
	case V_INTERVIEW:
		return _("New interview");
	case V_EDIT:
		return _("Edit details and next visit");
	case V_TIMELINE:
		snprintf(scratch, size, ngettext("Timeline (%ld interview)",
		    "Timeline (%ld interviews)", (unsigned long)v->h.interviews),
		    v->h.interviews);
		return scratch;
	case V_CASE:
		return v->h.closed ? _("Reopen the case") : _("Close the case");
	case V_READ_OTHER:
		snprintf(scratch, size, _("Read %s's draft (read only)"),
		    v->others[0].interviewer);
		return scratch;
	case V_HAND_OVER:
		snprintf(scratch, size, _("Hand %s's draft over to another "
		    "interviewer"), v->others[0].interviewer);
		return scratch;
	case V_DISCARD_OTHER:
		snprintf(scratch, size, _("Discard %s's draft (with a reason)"),
		    v->others[0].interviewer);
		return scratch;
	case V_TRAIL:
		return _("Trail: who did what");
	default:
		return _("Delete (registered by mistake)");
	}
}

/* "Label: value" on one row, when there is a value. */
static int
detail(int y, int lw, const char *label, const char *value, int attr)
{
	if (value == NULL || *value == '\0' || y >= LINES - 2)
		return 0;
	draw_text(y, 1, lw, label, A_DIM);
	draw_text(y, lw + 2, COLS - lw - 3, value, attr);
	return 1;
}

static void
hhview_draw(struct screen *s, struct app *app)
{
	struct hhview *v = (struct hhview *)s;
	const struct household *h = &v->h;
	int y = 1, lw = 0, w, rows;
	char when[40], *status;
	static const char *const labels[] = {
		N_("Head"), N_("Phone"), N_("Address"), N_("Site"), N_("Status"),
		N_("Next visit"), N_("Last visit"), N_("Notes"), N_("Draft"),
		N_("Conflict"),
	};
	size_t i;

	if (v->gone) {
		draw_title(app, v->code, NULL);
		draw_wrapped(2, 1, COLS - 2, 2, _("This household is no longer in "
		    "the register."), A_BOLD);
		return;
	}
	draw_title(app, h->code, h->closed ? _("closed") : _("open"));
	for (i = 0; i < ARRAY_LEN(labels); i++)
		if ((w = text_width(_(labels[i]))) > lw)
			lw = w;
	if (h->closed)
		status = xasprintf(_("closed on %s: %s"), h->closed_at ? h->closed_at :
		    "?", h->closed_reason ? h->closed_reason : "");
	else
		status = xstrdup(_("open"));
	visit_words(h->next_visit, when, sizeof when);
	y += detail(y, lw, _("Head"), h->head, A_BOLD);
	y += detail(y, lw, _("Phone"), h->phone, A_NORMAL);
	y += detail(y, lw, _("Address"), h->address, A_NORMAL);
	y += detail(y, lw, _("Site"), h->site, A_NORMAL);
	y += detail(y, lw, _("Status"), status, h->closed ? attr_error(app) :
	    (int)A_NORMAL);
	if (!h->closed)
		y += detail(y, lw, _("Next visit"), *when ? when : _("not set"),
		    h->next_visit && strncmp(when, h->next_visit, 10) != 0 ?
		    attr_error(app) : (int)A_NORMAL);
	y += detail(y, lw, _("Last visit"), h->last_visit, A_NORMAL);
	if (h->notes != NULL && y < LINES - 8)
		y += draw_wrapped(y, lw + 2, COLS - lw - 3, 2, h->notes, A_NORMAL);
	for (i = 0; i < v->nothers && i < 3 && y < LINES - 8; i++) {
		const struct record_info *o = &v->others[i];
		char *line = xasprintf(_("in progress by %s since %.10s (round %s)"),
		    o->interviewer, o->started_at ? o->started_at : "?", o->round ?
		    o->round : _("none"));

		y += detail(y, lw, i == 0 ? _("Draft") : "", line, attr_error(app));
		free(line);
	}
	/* Edited here and on another server: both shown until one is chosen. */
	for (i = 0; i < v->nconflicts && y < LINES - 8; i++) {
		const struct entity_conflict *c = &v->conflicts[i];
		char *line = xasprintf(_("%s: here '%s', Entity List '%s' (version "
		    "%ld)"), c->name, c->mine ? c->mine : "", c->theirs ? c->theirs :
		    "", c->version);
		char *shown = text_sanitize(line, false);

		y += detail(y, lw, i == 0 ? _("Conflict") : "", shown, attr_error(app));
		free(shown);
		free(line);
	}
	free(status);
	rows = LINES - 2 - (y + 1);
	hhview_items(v, app);
	menu_draw(&v->menu, app, y + 1, 1, COLS - 2, rows, hhview_item, v);
	if (v->confirm_delete)
		app_flash(app, true, _("Delete %s and what it says? y: delete, "
		    "n: keep"), h->code);
	if (v->confirm_discard)
		app_flash(app, true, ngettext("Discard this draft and its %ld "
		    "answer? y: discard, n: keep", "Discard this draft and its %ld "
		    "answers? y: discard, n: keep",
		    (unsigned long)v->draft.answered), v->draft.answered);
}

static enum key_result
reason_accept(struct app *app, void *ctx, const char *text)
{
	struct household *h = ctx;
	char *cause = NULL;

	if (household_close(app->store, h->id, text, &cause) != 0) {
		app_flash(app, true, _("Not closed: %s"), cause);
		free(cause);
		return KR_STAY;
	}
	app_flash(app, false, _("The case of %s is closed; its history stays."),
	    h->code);
	return KR_HOME;		/* back to the household's page */
}

static void
household_free_one(void *ctx)
{
	household_clear(ctx);
	free(ctx);
}

static struct household *
household_copy(const struct household *h)
{
	struct household *c = xcalloc(1, sizeof *c);

	c->id = h->id;
	c->code = xstrdup(h->code);
	return c;
}

/* Closing a case: the reason. */

struct closing {
	struct screen base;
	struct household *h;	/* id and code */
	struct menu menu;
};

static const char *const close_reasons[] = {
	N_("hardship resolved"), N_("moved away"), N_("refused further visits"),
	N_("cannot be reached"), N_("referred to another service"),
};

static const char *
closing_item(void *ctx, size_t i, char *scratch, size_t size)
{
	(void)ctx;
	(void)scratch;
	(void)size;
	if (i < ARRAY_LEN(close_reasons))
		return _(close_reasons[i]);
	return _("another reason...");
}

static void
closing_draw(struct screen *s, struct app *app)
{
	struct closing *c = (struct closing *)s;
	char *title = xasprintf(_("Close the case of %s"), c->h->code);

	draw_title(app, title, NULL);
	free(title);
	draw_wrapped(2, 1, COLS - 2, 2, _("Why is the case closed? Its interviews "
	    "and history stay; it can be reopened."), A_BOLD);
	menu_draw(&c->menu, app, 5, 1, COLS - 2, LINES - 7, closing_item, c);
}

static enum key_result
closing_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct closing *c = (struct closing *)s;
	bool chosen;

	if (act == ACT_LEAVE)
		return KR_POP;
	if (menu_key(&c->menu, act, fkey, ch, &chosen) && !chosen)
		return KR_STAY;
	if (act != ACT_ACCEPT && !chosen)
		return KR_STAY;
	if (c->menu.cursor < ARRAY_LEN(close_reasons))
		return reason_accept(app, c->h, _(close_reasons[c->menu.cursor]));
	app_push(app, prompt_new(_("Close the case"), _("The reason the case is "
	    "closed:"), NULL, NULL, 200, reason_accept, household_copy(c->h),
	    household_free_one));
	return KR_STAY;
}

static void
closing_free(struct screen *s)
{
	struct closing *c = (struct closing *)s;

	household_free_one(c->h);
	free(c);
}

static const struct screen_ops closing_ops = {
	.draw = closing_draw,
	.key = closing_key,
	.free = closing_free,
	.bar = list_bar,
};

static struct screen *
closing_new(const struct household *h)
{
	struct closing *c = xcalloc(1, sizeof *c);

	c->base.ops = &closing_ops;
	c->h = household_copy(h);
	c->menu.n = ARRAY_LEN(close_reasons) + 1;
	c->menu.numbered = true;
	return &c->base;
}

static struct screen *timeline_new(struct app *app, const struct household *h);

static enum key_result
hhview_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct hhview *v = (struct hhview *)s;
	struct screen *next;
	char *cause = NULL;
	const char *why;
	bool chosen;

	if (v->confirm_discard) {
		v->confirm_discard = false;
		if (fkey || (ch != 'y' && ch != 'Y'))
			app_flash(app, false, _("Kept."));
		else {
			draft_discard(app, &v->draft);
			v->menu.cursor = 0;
		}
		hhview_reload(v, app);
		return KR_STAY;
	}
	if (v->confirm_delete) {
		v->confirm_delete = false;
		if (ch != 'y' && ch != 'Y') {
			app_flash(app, false, _("Kept."));
			return KR_STAY;
		}
		if (household_delete(app->store, v->h.id, &cause) != 0) {
			app_flash(app, true, "%s", cause);
			free(cause);
			return KR_STAY;
		}
		app_flash(app, false, _("%s deleted."), v->h.code);
		return KR_POP;
	}
	if (act == ACT_LEAVE)
		return KR_POP;
	if (act == ACT_HELP) {
		app_push(app, help_new(app));
		return KR_STAY;
	}
	if (v->gone)
		return KR_STAY;
	if (menu_key(&v->menu, act, fkey, ch, &chosen) && !chosen)
		return KR_STAY;
	if (act != ACT_ACCEPT && !chosen)
		return KR_STAY;
	switch (v->items[v->menu.cursor]) {
	case V_TAKE_SERVER:
	case V_KEEP_MINE:
		if (entity_resolve(app->store, v->h.id, v->items[v->menu.cursor] ==
		    V_KEEP_MINE, &cause) != 0) {
			app_flash(app, true, _("Not resolved: %s"), cause);
			free(cause);
		} else
			app_flash(app, false, v->items[v->menu.cursor] == V_KEEP_MINE ?
			    _("This database's values stay; the next interview sends "
			    "them.") : _("The Entity List's values are taken."));
		v->menu.cursor = 0;
		hhview_reload(v, app);
		return KR_STAY;
	case V_RESUME:
		if ((next = runner_resume(app, &v->draft)) != NULL)
			app_push(app, next);
		return KR_STAY;
	case V_DISCARD:
		v->confirm_discard = true;
		return KR_STAY;
	case V_INTERVIEW:
		if (v->h.closed) {
			app_flash(app, true, _("The case is closed: reopen it first."));
			return KR_STAY;
		}
		if ((next = interview_start(app, v->h.code, v->h.site ? v->h.site :
		    app->site)) != NULL)
			app_push(app, next);
		return KR_STAY;
	case V_EDIT:
		app_push(app, household_edit_new(app, v->h.code, NULL, false));
		return KR_STAY;
	case V_READ_OTHER:
		if ((next = runner_resume(app, &v->others[0])) != NULL)
			app_push(app, next);
		return KR_STAY;
	case V_HAND_OVER:
		app_push(app, hand_over_new(app, &v->others[0]));
		return KR_STAY;
	case V_DISCARD_OTHER:
		draft_discard(app, &v->others[0]);
		hhview_reload(v, app);
		return KR_STAY;
	case V_TRAIL:
		if ((next = trail_view_new(app, v->h.code, NULL)) != NULL)
			app_push(app, next);
		return KR_STAY;
	case V_TIMELINE:
		app_push(app, timeline_new(app, &v->h));
		return KR_STAY;
	case V_CASE:
		if (!v->h.closed) {
			app_push(app, closing_new(&v->h));
			return KR_STAY;
		}
		if (!access_can(&app->who, ACCESS_REOPEN, NULL, &why)) {
			app_flash(app, true, "%s", _(why));
			return KR_STAY;
		}
		if (household_reopen(app->store, v->h.id, &cause) != 0) {
			app_flash(app, true, "%s", cause);
			free(cause);
		} else
			app_flash(app, false, _("The case of %s is open again."),
			    v->h.code);
		hhview_reload(v, app);
		return KR_STAY;
	default:
		v->confirm_delete = true;
		return KR_STAY;
	}
}

static void
hhview_resume(struct screen *s, struct app *app)
{
	hhview_reload((struct hhview *)s, app);
}

static void
hhview_free(struct screen *s)
{
	struct hhview *v = (struct hhview *)s;

	household_clear(&v->h);
	store_record_clear(&v->draft);
	store_records_free(v->others, v->nothers);
	entity_conflicts_free(v->conflicts, v->nconflicts);
	free(v->code);
	free(v);
}

static const struct screen_ops hhview_ops = {
	.draw = hhview_draw,
	.key = hhview_key,
	.resume = hhview_resume,
	.free = hhview_free,
	.bar = list_bar,
	.anchor = true,
};

struct screen *
household_view_new(struct app *app, const char *code)
{
	struct hhview *v = xcalloc(1, sizeof *v);

	v->base.ops = &hhview_ops;
	v->code = xstrdup(code);
	v->menu.numbered = true;
	v->menu.n = V_COUNT;
	hhview_reload(v, app);
	v->id = v->h.id;
	return &v->base;
}

/* A household's timeline: every interview and event, newest first. */

struct timeline {
	struct screen base;
	char *code;
	struct household_entry *v;
	size_t n;
	struct menu menu;
};

static const char *
timeline_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct timeline *t = ctx;
	const struct household_entry *e = &t->v[t->n - 1 - i];
	struct buf b = { 0 };

	add_col(&b, e->date, 10);
	buf_addc(&b, ' ');
	if (e->record != 0) {
		add_col(&b, e->round ? e->round : "-", 9);
		buf_addc(&b, ' ');
		add_col(&b, e->form, 16);
		buf_addc(&b, ' ');
		add_col(&b, e->status, 9);
		buf_addc(&b, ' ');
		if (strcmp(e->status, "draft") == 0)
			buf_adds(&b, _("(not finalized)"));
		else if (e->sealed && e->detail == NULL)
			buf_adds(&b, _("sealed: answers readable by the organisation only"));
		else if (e->sealed) {
			buf_adds(&b, _("sealed; needs: "));
			buf_adds(&b, e->detail);
		} else if (e->detail != NULL) {
			buf_adds(&b, _("needs: "));
			buf_adds(&b, e->detail);
		} else
			buf_adds(&b, _("no need flagged"));
	} else {
		const char *what = strcmp(e->status, "registered") == 0 ?
		    _("registered") : strcmp(e->status, "closed") == 0 ?
		    _("case closed") : strcmp(e->status, "edited") == 0 ?
		    _("edited") : strcmp(e->status, "merged") == 0 ?
		    _("from the Entity List") : strcmp(e->status, "conflict") == 0 ?
		    _("conflict with the Entity List") : strcmp(e->status,
		    "resolved") == 0 ? _("conflict resolved") : _("case reopened");

		buf_adds(&b, what);
		if (e->detail != NULL && (strcmp(e->status, "closed") == 0 ||
		    strcmp(e->status, "edited") == 0 || strcmp(e->status,
		    "merged") == 0 || strcmp(e->status, "conflict") == 0 ||
		    strcmp(e->status, "resolved") == 0)) {
			buf_adds(&b, ": ");
			buf_adds(&b, e->detail);
		}
	}
	snprintf(scratch, size, "%s", b.data);
	buf_free(&b);
	return scratch;
}

static void
timeline_draw(struct screen *s, struct app *app)
{
	struct timeline *t = (struct timeline *)s;
	char *title = xasprintf(_("Timeline of %s"), t->code);

	draw_title(app, title, NULL);
	free(title);
	draw_text(1, 1, COLS - 2, _("date       round     form             "
	    "status    needs"), A_DIM);
	menu_draw(&t->menu, app, 2, 1, COLS - 2, LINES - 5, timeline_item, t);
	if (t->n > 0 && access_can(&app->who, ACCESS_TRAIL, NULL, NULL))
		draw_text(LINES - 2, 1, COLS - 2, _("t: the trail of the highlighted "
		    "interview"), A_DIM);
}

/* Enter on a draft resumes it; on anything else, back to the page. */
static enum key_result
timeline_open(struct timeline *t, struct app *app)
{
	const struct household_entry *e = &t->v[t->n - 1 - t->menu.cursor];
	struct record_info rec;
	char *cause = NULL;

	if (e->record == 0 || strcmp(e->status, "draft") != 0)
		return KR_POP;
	if (store_record_get(app->store, e->record, &rec, &cause) != 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
		return KR_STAY;
	}
	app->pending = runner_resume(app, &rec);
	store_record_clear(&rec);
	return app->pending != NULL ? KR_POP : KR_STAY;
}

/* t: the trail of the interview highlighted, for supervisors. */
static void
timeline_trail(struct timeline *t, struct app *app)
{
	const struct household_entry *e = &t->v[t->n - 1 - t->menu.cursor];
	struct record_info rec;
	struct screen *next;
	char *cause = NULL;

	if (e->record == 0) {
		if ((next = trail_view_new(app, t->code, NULL)) != NULL)
			app_push(app, next);
		return;
	}
	if (store_record_get(app->store, e->record, &rec, &cause) != 0) {
		app_flash(app, true, "%s", cause);
		free(cause);
		return;
	}
	if ((next = trail_view_new(app, NULL, rec.instance_id)) != NULL)
		app_push(app, next);
	store_record_clear(&rec);
}

static enum key_result
timeline_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct timeline *t = (struct timeline *)s;
	bool chosen;

	if (act == ACT_LEAVE)
		return KR_POP;
	if (act == ACT_UP || act == ACT_DOWN)
		menu_key(&t->menu, act, fkey, ch, &chosen);
	if (act == ACT_ACCEPT && t->n > 0)
		return timeline_open(t, app);
	if (!fkey && (ch == 't' || ch == 'T') && t->n > 0)
		timeline_trail(t, app);
	return KR_STAY;
}

static void
timeline_free(struct screen *s)
{
	struct timeline *t = (struct timeline *)s;

	household_timeline_free(t->v, t->n);
	free(t->code);
	free(t);
}

static const struct screen_ops timeline_ops = {
	.draw = timeline_draw,
	.key = timeline_key,
	.free = timeline_free,
	.bar = edit_bar,
};

static struct screen *
timeline_new(struct app *app, const struct household *h)
{
	struct timeline *t = xcalloc(1, sizeof *t);
	char *cause = NULL;

	t->base.ops = &timeline_ops;
	t->code = xstrdup(h->code);
	if (household_timeline(app->store, h, app->lang, &t->v, &t->n, &cause) !=
	    0) {
		app_flash(app, true, "%s", cause);
		free(cause);
	}
	t->menu.n = t->n;
	return &t->base;
}

/* The next visit, asked once an interview of the household is finalized. */

static enum key_result
next_visit_accept(struct app *app, void *ctx, const char *text)
{
	const char *code = ctx;
	struct household h;
	char *cause = NULL;
	int rc;

	if (*text != '\0' && !date_valid(text)) {
		app_flash(app, true, _("Not a date: write it as YYYY-MM-DD, or leave "
		    "it empty for no visit."));
		return KR_STAY;
	}
	if (household_get(app->store, code, &h, &cause) != 0) {
		app_flash(app, true, "%s", cause ? cause : _("This household is no "
		    "longer in the register."));
		free(cause);
		return KR_POP;
	}
	free(h.next_visit);
	h.next_visit = xstrdup(text);
	rc = household_update(app->store, &h, &cause);
	if (rc != 0) {
		app_flash(app, true, _("Not saved: %s"), cause);
		free(cause);
	} else if (*text != '\0')
		app_flash(app, false, _("Next visit to %s: %s."), h.code, text);
	else
		app_flash(app, false, _("No next visit set for %s."), h.code);
	household_clear(&h);
	return rc == 0 ? KR_POP : KR_STAY;
}

struct screen *
next_visit_new(struct app *app, const char *code, const char *suggested)
{
	char when[11], *question, *title;
	struct screen *s;

	(void)app;
	if (suggested != NULL && date_valid(suggested))
		snprintf(when, sizeof when, "%s", suggested);
	else
		app_date(when, NEXT_VISIT_DAYS);
	title = xasprintf(_("Follow-up of %s"), code);
	question = xasprintf(_("Next visit to %s (YYYY-MM-DD), or empty for "
	    "none:"), code);
	s = prompt_new(title, question, _("It then shows on the home screen when "
	    "it is due."), when, 10, next_visit_accept, xstrdup(code), free);
	free(title);
	free(question);
	return s;
}
