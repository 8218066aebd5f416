/* The review screen: every answer by section and repeat entry, problems
 * marked; jump to any question; add or delete repeat entries; finalize. */
#include <stdlib.h>
#include <string.h>

#include "../core/household.h"
#include "../core/i18n.h"
#include "../core/text.h"
#include "curses.h"
#include "menu.h"
#include "runner.h"

enum row_kind { ROW_SECTION, ROW_ENTRY, ROW_QUESTION, ROW_ADD, ROW_FINALIZE };

struct row {
	enum row_kind kind;
	size_t step;			/* ROW_QUESTION, ROW_ADD */
	const struct group *group;	/* ROW_SECTION, ROW_ENTRY */
	long entry;			/* ROW_ENTRY */
};

enum confirm { CONFIRM_NONE, CONFIRM_FINALIZE, CONFIRM_DELETE };

struct review {
	struct screen base;
	struct runner *runner;	/* below us on the stack; not owned */
	struct row *rows;
	size_t nrows;
	size_t cursor;		/* a row that is not a section */
	size_t top;
	int detail_rows;	/* below the list: the highlighted row whole */
	enum confirm confirm;
};

static const enum action review_bar[] = {
	ACT_ACCEPT, ACT_LEAVE, ACT_REVIEW, ACT_HELP, ACT_UP, ACT_LANG, ACT_NONE
};

static void
add_row(struct review *v, enum row_kind kind, size_t step,
    const struct group *g, long entry)
{
	struct row *row;

	v->rows = xreallocarray(v->rows, v->nrows + 1, sizeof *v->rows);
	row = &v->rows[v->nrows++];
	row->kind = kind;
	row->step = step;
	row->group = g;
	row->entry = entry;
}

/* Rows from the steps the answers lead to; the cursor stays on the step it
 * was on, or on the one the runner shows. */
static void
build_rows(struct review *v, size_t want_step)
{
	const struct interview *iv = runner_interview(v->runner);
	const struct group *last = NULL;
	long last_entry = 0;
	size_t i;

	v->nrows = 0;
	v->cursor = 0;
	for (i = 0; i < iv->nsteps; i++) {
		const struct step *st = &iv->steps[i];
		const struct group *g = st->kind == STEP_ADD ? st->repeat :
		    iv->form->questions[st->q]->group;
		const struct group *section = g;

		/* The heading is the innermost group that is not a repeat. */
		while (section != NULL && section->repeat)
			section = section->parent;
		if (section != last && section != NULL)
			add_row(v, ROW_SECTION, i, section, 0);
		last = section;
		if (st->kind == STEP_QUESTION && st->entry > 0 &&
		    st->entry != last_entry)
			add_row(v, ROW_ENTRY, i, st->repeat, st->entry);
		last_entry = st->entry;
		add_row(v, st->kind == STEP_ADD ? ROW_ADD : ROW_QUESTION, i, NULL, 0);
		if (i == want_step)
			v->cursor = v->nrows - 1;
	}
	add_row(v, ROW_FINALIZE, 0, NULL, 0);
	if (want_step >= iv->nsteps)
		v->cursor = v->nrows - 1;
}

/* The rows the list has on screen (what the details leave). */
static int
list_rows(const struct review *v)
{
	int rows = LINES - 5 - v->detail_rows;

	return rows < 1 ? 1 : rows;
}

/* The answer of a question row as shown: a value carried over from a
 * round before says so, beside the value (a new string). */
static char *
answer_shown(const struct interview *iv, const struct step *st,
    const struct question *q, const char *lang)
{
	char *answer = runner_answer_text(iv->form, q, interview_value(iv, st->q,
	    st->entry), lang);
	const char *from = interview_carried(iv, st->q, st->entry);
	char *shown;

	if (from == NULL)
		return answer;
	if (strcmp(from, INTERVIEW_FROM_HOUSEHOLD) == 0)
		shown = xasprintf(_("%s (from the household register: confirm it)"),
		    *answer ? answer : "-");
	else
		shown = xasprintf(_("%s (from round %s: confirm it)"), *answer ?
		    answer : "-", from);
	free(answer);
	return shown;
}

/* Whether s fits in width columns on one line. */
static bool
fits(const char *s, int width)
{
	char *clean = text_sanitize(s, false);
	bool yes = text_width(clean) <= width;

	free(clean);
	return yes;
}

/* Below the list, the highlighted question's label and answer whole,
 * when either is cut in its column; returns the rows it takes. */
static int
draw_details(struct review *v, int y, int max_rows, bool draw)
{
	struct interview *iv = runner_interview(v->runner);
	const struct form *f = iv->form;
	const char *lang = runner_form_lang(v->runner);
	const struct row *row = &v->rows[v->cursor];
	int labelw = (COLS - 6) / 2, answerw = COLS - 6 - labelw - 1;
	const struct step *st;
	const struct question *q;
	const char *label;
	char *answer, *text;
	struct text_line *lines;
	size_t n;
	int used;

	if (row->kind != ROW_QUESTION || max_rows < 2)
		return 0;
	st = &iv->steps[row->step];
	q = f->questions[st->q];
	label = form_text(f, &q->label, lang);
	answer = question_has_value(q) ? answer_shown(iv, st, q, lang) :
	    xstrdup("");
	if (fits(label, labelw - (st->entry > 0 ? 2 : 0)) && fits(answer, answerw)) {
		free(answer);
		return 0;
	}
	text = *answer ? xasprintf("%s\n> %s", label, answer) : xstrdup(label);
	{
		char *clean = text_sanitize(text, true);

		n = text_wrap(clean, COLS - 2, &lines);
		free(lines);
		free(clean);
	}
	used = (int)n + 1 < max_rows ? (int)n + 1 : max_rows;
	if (draw) {
		mvhline(y, 0, ACS_HLINE, COLS);
		draw_wrapped(y + 1, 1, COLS - 2, used - 1, text, A_NORMAL);
	}
	free(text);
	free(answer);
	return used;
}

static void
review_draw(struct screen *s, struct app *app)
{
	struct review *v = (struct review *)s;
	struct interview *iv = runner_interview(v->runner);
	const struct form *f = iv->form;
	const char *lang = runner_form_lang(v->runner);
	char summary[64];
	int rows, y, labelw, answerw;
	size_t i;

	snprintf(summary, sizeof summary, _("%zu/%zu answered"),
	    interview_answered(iv), interview_total(iv));
	draw_title(app, _("Review"), summary);
	v->detail_rows = 0;
	v->detail_rows = draw_details(v, 0, (LINES - 5) / 3, false);
	rows = list_rows(v);
	if (v->top + (size_t)rows > v->nrows)	/* no empty screen below */
		v->top = v->nrows > (size_t)rows ? v->nrows - (size_t)rows : 0;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + (size_t)rows)
		v->top = v->cursor - (size_t)rows + 1;
	/* Keep a heading on screen above the first row under it. */
	while (v->top > 0 && v->top == v->cursor && v->rows[v->top - 1].kind ==
	    ROW_SECTION)
		v->top--;
	/* Rows off screen are never a secret: say where there are more. */
	if (v->top > 0)
		draw_text(1, 1, COLS - 2, _("^ more above (Home: the first)"), A_DIM);
	if (v->top + (size_t)rows < v->nrows)
		draw_text(2 + rows, 1, COLS - 2, _("v more below (End: finalize)"),
		    A_DIM);
	labelw = (COLS - 6) / 2;
	answerw = COLS - 6 - labelw - 1;
	for (y = 0, i = v->top; i < v->nrows && y < rows; i++, y++) {
		const struct row *row = &v->rows[i];
		int attr = i == v->cursor ? attr_selected(app) : 0;
		int line = 2 + y;
		char *text;

		if (i == v->cursor) {
			attron(attr);
			mvhline(line, 0, ' ', COLS);
			attroff(attr);
		}
		switch (row->kind) {
		case ROW_SECTION:
			draw_text(line, 1, COLS - 2, form_text(f, &row->group->label,
			    lang), A_BOLD | A_UNDERLINE);
			break;
		case ROW_ENTRY:
			text = xasprintf("%s %ld", form_text(f, &row->group->label, lang),
			    row->entry);
			draw_text(line, 2, COLS - 3, text, attr | A_BOLD);
			free(text);
			break;
		case ROW_ADD:
			text = xasprintf(_("[ Add an entry to %s ]"), form_text(f,
			    &iv->steps[row->step].repeat->label, lang));
			draw_text(line, 3, COLS - 4, text, attr);
			free(text);
			break;
		case ROW_QUESTION: {
			const struct step *st = &iv->steps[row->step];
			const struct question *q = f->questions[st->q];
			char *problem = interview_problem(iv, row->step, lang);
			int indent = st->entry > 0 ? 2 : 0;
			char *answer;

			if (problem != NULL)
				draw_text(line, 1, 2, "!", attr | attr_error(app));
			draw_text(line, 3 + indent, labelw - indent, form_text(f,
			    &q->label, lang), attr);
			if (question_has_value(q)) {
				answer = answer_shown(iv, st, q, lang);
				if (problem != NULL && interview_value(iv, st->q,
				    st->entry) == NULL)
					draw_text(line, 4 + labelw, answerw, _("(needs an answer)"),
					    attr | A_BOLD);
				else if (problem != NULL && interview_carried(iv, st->q,
				    st->entry) == NULL)
					draw_text(line, 4 + labelw, answerw, _(problem),
					    attr | A_BOLD);
				else
					draw_text(line, 4 + labelw, answerw, *answer ? answer : "-",
					    attr | (*answer ? A_BOLD : 0));
				free(answer);
			}
			free(problem);
			break;
		}
		case ROW_FINALIZE:
			draw_text(line, 3, COLS - 4, _("[ Finalize this interview ]"),
			    attr | A_BOLD);
			break;
		}
	}
	if (v->detail_rows > 0)
		draw_details(v, 3 + rows, v->detail_rows, true);
	if (v->confirm == CONFIRM_FINALIZE)
		app_flash(app, false, "%s", _("Finalize? Answers cannot change "
		    "afterwards. y: finalize, n: not yet"));
	else if (v->confirm == CONFIRM_DELETE) {
		const struct row *row = &v->rows[v->cursor];

		app_flash(app, true, _("Delete %s %ld and its answers? y: delete, "
		    "n: keep"), form_text(f, &row->group->label, lang), row->entry);
	}
}

static void
move_cursor(struct review *v, long n)
{
	size_t i = v->cursor;

	for (; n < 0 && i > 0; n++) {
		i--;
		while (i > 0 && v->rows[i].kind == ROW_SECTION)
			i--;
	}
	for (; n > 0 && i + 1 < v->nrows; n--)
		i++;
	while (v->rows[i].kind == ROW_SECTION && i + 1 < v->nrows)
		i++;
	v->cursor = i;
}


static enum key_result
finalize(struct review *v, struct app *app)
{
	struct interview *iv = runner_interview(v->runner);
	size_t first = 0, nbad = 0, i;
	char *cause = NULL;
	int rc;

	rc = interview_finalize(iv, &first, &nbad, &cause);
	if (rc == 2) {
		/* What the database has is not what was shown: show it. */
		app_flash(app, true, "%s", _("The answers were changed in another "
		    "session: they are shown now. Check them, then finalize again."));
		runner_jump(v->runner, app, iv->current);	/* its inputs too */
		build_rows(v, iv->current);
		return KR_STAY;
	}
	if (rc == 1) {
		const struct question *q = iv->form->questions[iv->steps[first].q];

		app_flash(app, true, ngettext("Cannot finalize: %zu question needs "
		    "an answer or a fix: %s", "Cannot finalize: %zu questions need "
		    "an answer or a fix, first: %s", nbad), nbad, form_text(iv->form, &q->label,
		    runner_form_lang(v->runner)));
		for (i = 0; i < v->nrows; i++)
			if (v->rows[i].kind == ROW_QUESTION && v->rows[i].step == first)
				v->cursor = i;
		return KR_STAY;
	}
	if (rc < 0) {
		app_flash(app, true, _("Not finalized: %s"), cause);
		free(cause);
		return iv->lost && runner_lost(v->runner, app) ? KR_HOME : KR_STAY;
	}
	app_flash(app, false, ngettext("Interview finalized with %zu answer; it "
	    "waits for upload.", "Interview finalized with %zu answers; it waits "
	    "for upload.", interview_answered(iv)), interview_answered(iv));
	/* A household's interview: when is the next visit? */
	{
		struct record_info rec;

		if (store_record_get(app->store, iv->record, &rec, NULL) == 0) {
			if (rec.household != NULL && *rec.household != '\0') {
				/* A form asking the date itself offers that answer. */
				long q = form_find(iv->form, "next_visit");
				const char *asked = q >= 0 &&
				    iv->form->questions[q]->type == QT_DATE ?
				    interview_value(iv, (size_t)q, 0) : NULL;

				household_visited(app->store, rec.household, NULL);
				app->pending = next_visit_new(app, rec.household, asked);
			}
			store_record_clear(&rec);
		}
	}
	return KR_HOME;
}

static enum key_result
confirmed(struct review *v, struct app *app, bool yes)
{
	enum confirm what = v->confirm;
	const struct row *row = &v->rows[v->cursor];
	struct interview *iv = runner_interview(v->runner);
	char *cause = NULL;

	v->confirm = CONFIRM_NONE;
	if (what == CONFIRM_FINALIZE) {
		if (yes)
			return finalize(v, app);
		app_flash(app, false, _("Not finalized; the draft stays."));
		return KR_STAY;
	}
	if (!yes) {
		app_flash(app, false, _("Nothing deleted."));
		return KR_STAY;
	}
	if (interview_delete_entry(iv, row->group, row->entry, &cause) != 0) {
		app_flash(app, true, _("Not deleted: %s"), cause);
		free(cause);
		return KR_STAY;
	}
	app_flash(app, false, _("Entry deleted."));
	build_rows(v, row->step);
	return KR_STAY;
}

static enum key_result review_act(struct review *v, struct app *app,
    enum action act, bool fkey, wint_t ch);

/* As in the runner: every key first asks whether this session still holds
 * the draft. */
static enum key_result
review_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct review *v = (struct review *)s;
	enum key_result res;

	if (runner_lost(v->runner, app))
		return KR_HOME;
	res = review_act(v, app, act, fkey, ch);
	if (res != KR_HOME && runner_interview(v->runner)->lost &&
	    runner_lost(v->runner, app))
		return KR_HOME;
	return res;
}

static enum key_result
review_act(struct review *v, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	const struct row *row = &v->rows[v->cursor];
	struct interview *iv = runner_interview(v->runner);
	size_t first;
	char *cause = NULL;

	if (v->confirm != CONFIRM_NONE)
		return confirmed(v, app, !fkey && (ch == 'y' || ch == 'Y'));
	switch (act) {
	case ACT_UP:
		move_cursor(v, -1);
		return KR_STAY;
	case ACT_DOWN:
		move_cursor(v, 1);
		return KR_STAY;
	case ACT_PREV:	/* also PgUp: a screen at a time */
	case ACT_NEXT: {
		/* The view turns a page with the highlight, which keeps its
		 * place on the screen. */
		size_t off = v->cursor - v->top;
		long page = (long)list_rows(v) - 1;

		move_cursor(v, act == ACT_PREV ? -page : page);
		v->top = v->cursor >= off ? v->cursor - off : 0;
		return KR_STAY;
	}
	case ACT_HOME:
		move_cursor(v, -(long)v->nrows);
		return KR_STAY;
	case ACT_END:
		move_cursor(v, (long)v->nrows);
		return KR_STAY;
	case ACT_REVIEW:
		return KR_POP;
	case ACT_LEAVE:
		app_flash(app, false, _("Draft saved. Resume it from the home screen."));
		return KR_HOME;
	case ACT_LANG:
		runner_switch_lang(v->runner, app);
		return KR_STAY;
	case ACT_HELP:
		app_push(app, help_new(app));
		return KR_STAY;
	case ACT_ACCEPT:
		break;
	default:
		return KR_STAY;
	}
	switch (row->kind) {
	case ROW_FINALIZE:
		if (interview_problems(iv, &first) > 0)
			return finalize(v, app);	/* which says what is missing */
		v->confirm = CONFIRM_FINALIZE;
		return KR_STAY;
	case ROW_ENTRY:
		if (row->group->count != NULL) {
			app_flash(app, false, _("The number of entries comes from an "
			    "answer; change that answer to change it."));
			return KR_STAY;
		}
		v->confirm = CONFIRM_DELETE;
		return KR_STAY;
	case ROW_ADD:
		if (interview_add_entry(iv, iv->steps[row->step].repeat, &first,
		    &cause) != 0) {
			app_flash(app, true, _("Not saved: %s"), cause);
			free(cause);
			return KR_STAY;
		}
		runner_jump(v->runner, app, first);
		return KR_POP;
	case ROW_QUESTION:
		/* Answered there, the interviewer comes back here. */
		runner_jump(v->runner, app, row->step);
		runner_return_to_review(v->runner);
		return KR_POP;
	default:
		return KR_STAY;
	}
}

static void
review_free(struct screen *s)
{
	struct review *v = (struct review *)s;

	free(v->rows);
	free(v);
}

static const struct screen_ops review_ops = {
	.draw = review_draw,
	.key = review_key,
	.free = review_free,
	.bar = review_bar,
};

struct screen *
review_new(struct app *app, struct runner *r, size_t at_step)
{
	struct review *v = xcalloc(1, sizeof *v);

	(void)app;
	v->base.ops = &review_ops;
	v->runner = r;
	build_rows(v, at_step);
	return &v->base;
}
