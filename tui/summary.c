/* Choosing the round, and the needs report on screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/household.h"
#include "../core/i18n.h"
#include "../core/report.h"
#include "../core/text.h"
#include "app.h"
#include "curses.h"

int
round_choose(struct app *app, const char *text)
{
	const char *why;
	char *cause = NULL;

	if (!round_name_valid(text, &why)) {
		app_flash(app, true, "%s", _(why));
		return -1;
	}
	if (store_set_setting(app->store, "round", text, &cause) != 0) {
		app_flash(app, true, _("Not saved: %s"), cause);
		free(cause);
		return -1;
	}
	free(app->round);
	app->round = xstrdup(text);
	return 0;
}

char *
round_list(struct app *app, char **cause)
{
	struct buf b = { 0 };
	char **names;
	long *counts;
	size_t n, i;

	if (store_rounds(app->store, &names, &counts, &n, cause) != 0) {
		n = 0;
		names = NULL;
		counts = NULL;
	}
	if (n == 0)
		buf_adds(&b, _("No interview has a round yet."));
	else
		buf_adds(&b, _("Rounds in this database (interviews):"));
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%s (%ld)", i ? ", " : " ", names[i], counts[i]);
		free(names[i]);
	}
	free(names);
	free(counts);
	return buf_steal(&b);
}

static enum key_result
round_accept(struct app *app, void *ctx, const char *text)
{
	(void)ctx;
	if (round_choose(app, text) != 0)
		return KR_STAY;
	app_flash(app, false, _("New interviews are now of round %s."), text);
	return KR_POP;
}

struct screen *
round_new(struct app *app)
{
	char *cause = NULL, *rounds = round_list(app, &cause);
	struct screen *s;

	if (cause != NULL) {
		app_flash(app, true, "%s", cause);
		free(cause);
	}
	s = prompt_new(_("Round"), _("The round of new interviews, one word such "
	    "as 2020-R2. A household's interview in a new round starts from its "
	    "answers in the round before."), rounds, app->round, 32,
	    round_accept, NULL, NULL);
	free(rounds);
	return s;
}

/* The report: report_text, scrolled; Left and Right change the round,
 * Space the site. */

struct summary {
	struct screen base;
	struct text_line *lines;
	char *text;
	size_t n;
	size_t top;
	char **rounds;		/* the rounds the records name, sorted */
	size_t nrounds;
	size_t shown;		/* rounds[shown - 1], or 0: every round */
	char **sites;		/* the sites of the round shown */
	size_t nsites;
	size_t site;		/* sites[site - 1], or 0: every site */
};

static const enum action summary_bar[] = {
	ACT_UP, ACT_NEXT, ACT_RIGHT, ACT_LEAVE, ACT_NONE
};

/* A report has pages, not questions, and nothing to save. */
static const char *
summary_bar_word(enum action act)
{
	return act == ACT_UP ? _("scroll") : act == ACT_NEXT ? _("next page") :
	    act == ACT_LEAVE ? _("leave") : NULL;
}

static void
free_sites(struct summary *v)
{
	size_t i;

	for (i = 0; i < v->nsites; i++)
		free(v->sites[i]);
	free(v->sites);
	v->sites = NULL;
	v->nsites = 0;
	v->site = 0;
}

static void
summary_build(struct summary *v, struct app *app)
{
	const char *round = v->shown ? v->rounds[v->shown - 1] : NULL;
	const char *site = v->site ? v->sites[v->site - 1] : NULL;
	struct report r;
	char *cause = NULL;
	size_t i;

	free(v->lines);
	free(v->text);
	if (report_build(app->store, round, site, app->lang, &r, &cause) != 0) {
		v->text = xasprintf(_("The report cannot be made: %s"), cause);
		free(cause);
	} else {
		v->text = report_text(&r);
		if (site == NULL) {	/* the sites to choose from, in this round */
			free_sites(v);
			v->sites = xcalloc(r.nsites + 1, sizeof *v->sites);
			for (i = 0; i < r.nsites; i++)
				v->sites[i] = xstrdup(r.sites[i]);
			v->nsites = r.nsites;
		}
		report_free(&r);
	}
	/* Kept as the text has it: lines longer than the screen are cut. */
	v->n = text_wrap(v->text, 4096, &v->lines);
	v->top = 0;
}

static void
summary_draw(struct screen *s, struct app *app)
{
	struct summary *v = (struct summary *)s;
	size_t rows = (size_t)(LINES - 3), i;
	char pos[32], *title;

	snprintf(pos, sizeof pos, "%zu/%zu", v->n ? v->top + 1 : 0, v->n);
	title = xasprintf(_("%s, %s (Space: site)"), v->shown ?
	    v->rounds[v->shown - 1] : _("every round"), v->site == 0 ?
	    _("every site") : *v->sites[v->site - 1] != '\0' ?
	    v->sites[v->site - 1] : _("no site"));
	draw_title(app, title, pos);
	free(title);
	for (i = 0; i < rows && v->top + i < v->n; i++) {
		const struct text_line *l = &v->lines[v->top + i];
		char *line = xstrndup(v->text + l->off, l->len);

		draw_text(1 + (int)i, 0, COLS, line, A_NORMAL);
		free(line);
	}
}

static enum key_result
summary_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct summary *v = (struct summary *)s;
	size_t page = (size_t)(LINES - 4), last;

	(void)fkey;
	(void)ch;
	last = v->n > page ? v->n - page : 0;
	switch (act) {
	case ACT_LEAVE:
	case ACT_ACCEPT:
		return KR_POP;
	case ACT_UP:
		if (v->top > 0)
			v->top--;
		break;
	case ACT_DOWN:
		if (v->top < last)
			v->top++;
		break;
	case ACT_PREV:
		v->top = v->top > page ? v->top - page : 0;
		break;
	case ACT_NEXT:
		v->top = v->top + page < last ? v->top + page : last;
		break;
	case ACT_LEFT:
	case ACT_RIGHT:
		/* Every round, then each round in turn. */
		v->shown = act == ACT_RIGHT ? (v->shown + 1) % (v->nrounds + 1) :
		    (v->shown + v->nrounds) % (v->nrounds + 1);
		v->site = 0;
		summary_build(v, app);
		break;
	case ACT_TOGGLE:
		/* Every site, then each site of the round in turn. */
		v->site = (v->site + 1) % (v->nsites + 1);
		summary_build(v, app);
		break;
	default:
		break;
	}
	return KR_STAY;
}

static void
summary_free(struct screen *s)
{
	struct summary *v = (struct summary *)s;
	size_t i;

	for (i = 0; i < v->nrounds; i++)
		free(v->rounds[i]);
	free(v->rounds);
	free_sites(v);
	free(v->lines);
	free(v->text);
	free(v);
}

static const struct screen_ops summary_ops = {
	.draw = summary_draw,
	.key = summary_key,
	.free = summary_free,
	.bar = summary_bar,
	.bar_word = summary_bar_word,
};

struct screen *
report_view_new(struct app *app)
{
	struct summary *v = xcalloc(1, sizeof *v);
	long *counts = NULL;
	size_t i;

	v->base.ops = &summary_ops;
	if (store_rounds(app->store, &v->rounds, &counts, &v->nrounds, NULL) != 0)
		v->nrounds = 0;
	free(counts);
	/* The current round first, when it has interviews. */
	for (i = 0; app->round != NULL && i < v->nrounds; i++)
		if (strcmp(v->rounds[i], app->round) == 0)
			v->shown = i + 1;
	summary_build(v, app);
	return &v->base;
}
