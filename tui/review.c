/* The review screen: every answer by section, problems marked; jump to
 * any question; finalize. */
#include <stdlib.h>
#include <string.h>

#include "../core/i18n.h"
#include "../core/text.h"
#include "curses.h"
#include "menu.h"
#include "runner.h"

enum row_kind { ROW_SECTION, ROW_QUESTION, ROW_FINALIZE };

struct row {
	enum row_kind kind;
	size_t question;
	const struct group *group;
};

struct review {
	struct screen base;
	struct runner *runner;	/* below us on the stack; not owned */
	struct row *rows;
	size_t nrows;
	size_t cursor;		/* a row that is not a section */
	size_t top;
	bool confirming;
};

static const enum action review_bar[] = {
	ACT_ACCEPT, ACT_UP, ACT_REVIEW, ACT_LEAVE, ACT_LANG, ACT_HELP, ACT_NONE
};

static void
add_row(struct review *v, enum row_kind kind, size_t q, const struct group *g)
{
	v->rows = xreallocarray(v->rows, v->nrows + 1, sizeof *v->rows);
	v->rows[v->nrows].kind = kind;
	v->rows[v->nrows].question = q;
	v->rows[v->nrows].group = g;
	v->nrows++;
}

static void
build_rows(struct review *v)
{
	const struct interview *iv = runner_interview(v->runner);
	const struct group *last = NULL;
	size_t i;

	v->nrows = 0;
	for (i = 0; i < iv->form->nquestions; i++) {
		const struct question *q = iv->form->questions[i];

		if (q->group != last && q->group != NULL)
			add_row(v, ROW_SECTION, i, q->group);
		last = q->group;
		add_row(v, ROW_QUESTION, i, NULL);
		if (i == iv->current)
			v->cursor = v->nrows - 1;
	}
	add_row(v, ROW_FINALIZE, 0, NULL);
}

static void
review_draw(struct screen *s, struct app *app)
{
	struct review *v = (struct review *)s;
	struct interview *iv = runner_interview(v->runner);
	const struct form *f = iv->form;
	const char *lang = runner_form_lang(v->runner);
	char summary[64];
	int rows = LINES - 4, y, labelw, answerw;
	size_t i;

	snprintf(summary, sizeof summary, _("%zu/%zu answered"),
	    interview_answered(iv), interview_total(iv));
	draw_title(app, _("Review"), summary);
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + (size_t)rows)
		v->top = v->cursor - (size_t)rows + 1;
	/* Keep a section heading on screen above its first question. */
	if (v->top > 0 && v->top == v->cursor && v->rows[v->top - 1].kind ==
	    ROW_SECTION)
		v->top--;
	labelw = (COLS - 6) / 2;
	answerw = COLS - 6 - labelw - 1;
	for (y = 0, i = v->top; i < v->nrows && y < rows; i++, y++) {
		const struct row *row = &v->rows[i];
		int attr = i == v->cursor ? attr_selected(app) : 0;
		int line = 2 + y;

		if (i == v->cursor) {
			attron(attr);
			mvhline(line, 0, ' ', COLS);
			attroff(attr);
		}
		if (row->kind == ROW_SECTION) {
			draw_text(line, 1, COLS - 2, form_text(f, &row->group->label, lang),
			    A_BOLD | A_UNDERLINE);
		} else if (row->kind == ROW_QUESTION) {
			const struct question *q = f->questions[row->question];
			const char *problem = interview_problem(iv, row->question);
			char *answer;

			if (problem != NULL)
				draw_text(line, 1, 2, "!", attr | attr_error(app));
			draw_text(line, 3, labelw, form_text(f, &q->label, lang), attr);
			if (!question_has_value(q))
				continue;
			answer = runner_answer_text(f, q, interview_value(iv,
			    row->question), lang);
			if (problem != NULL && *answer == '\0')
				draw_text(line, 4 + labelw, answerw, _("(needs an answer)"),
				    attr | A_BOLD);
			else if (*answer == '\0')
				draw_text(line, 4 + labelw, answerw, "-", attr);
			else
				draw_text(line, 4 + labelw, answerw, answer, attr | A_BOLD);
			free(answer);
		} else
			draw_text(line, 3, COLS - 4, _("[ Finalize this interview ]"),
			    attr | A_BOLD);
	}
	if (v->confirming)
		app_flash(app, false, "%s", _("Finalize? Answers cannot change "
		    "afterwards. y: finalize, n: not yet"));
}

static void
move_cursor(struct review *v, int dir)
{
	size_t i = v->cursor;

	do {
		if (dir < 0)
			i = i > 0 ? i - 1 : v->nrows - 1;
		else
			i = i + 1 < v->nrows ? i + 1 : 0;
	} while (v->rows[i].kind == ROW_SECTION && i != v->cursor);
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
	if (rc == 1) {
		const struct question *q = iv->form->questions[first];

		app_flash(app, true, _("Cannot finalize: %zu question(s) need an "
		    "answer, first: %s"), nbad, form_text(iv->form, &q->label,
		    runner_form_lang(v->runner)));
		for (i = 0; i < v->nrows; i++)
			if (v->rows[i].kind == ROW_QUESTION && v->rows[i].question == first)
				v->cursor = i;
		return KR_STAY;
	}
	if (rc < 0) {
		app_flash(app, true, _("Not finalized: %s"), cause);
		free(cause);
		return KR_STAY;
	}
	app_flash(app, false, _("Interview finalized with %zu answers; it waits "
	    "for upload."), interview_answered(iv));
	return KR_HOME;
}

static enum key_result
review_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct review *v = (struct review *)s;
	const struct row *row = &v->rows[v->cursor];

	if (v->confirming) {
		v->confirming = false;
		if (!fkey && (ch == 'y' || ch == 'Y'))
			return finalize(v, app);
		app_flash(app, false, _("Not finalized; the draft stays."));
		return KR_STAY;
	}
	switch (act) {
	case ACT_UP:
	case ACT_PREV:
		move_cursor(v, -1);
		return KR_STAY;
	case ACT_DOWN:
	case ACT_NEXT:
		move_cursor(v, 1);
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
		if (row->kind == ROW_FINALIZE) {
			size_t first;

			if (interview_problems(runner_interview(v->runner), &first) > 0)
				return finalize(v, app);	/* which says what is missing */
			v->confirming = true;
			return KR_STAY;
		}
		runner_jump(v->runner, app, row->question);
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
review_new(struct app *app, struct runner *r)
{
	struct review *v = xcalloc(1, sizeof *v);

	(void)app;
	v->base.ops = &review_ops;
	v->runner = r;
	build_rows(v);
	return &v->base;
}
