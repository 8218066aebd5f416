#include "runner.h"

#include <stdlib.h>
#include <string.h>

#include "../core/i18n.h"
#include "../core/lineedit.h"
#include "../core/text.h"
#include "curses.h"
#include "field.h"
#include "menu.h"

struct runner {
	struct screen base;
	struct interview *iv;
	struct lineedit ed;
	struct menu list;	/* for choice questions */
	bool *ticks;		/* select_multiple: ticked choices */
	size_t lang;		/* index into the form's languages */
	bool confirm_delete;	/* asked: delete the last entry? */
	char *round;		/* the record's round, NULL: none */
	bool to_review;		/* a question chosen in the review */
	char *start;		/* the input's start (a default), or NULL */
	bool fresh;		/* the input holds start untouched: typing
				 * replaces it, Enter keeps it */
	size_t *sec;		/* each question's section (form_sections) */
	size_t nsec;
};

static const enum action runner_bar[] = {
	ACT_ACCEPT, ACT_PREV, ACT_NEXT, ACT_REVIEW, ACT_LEAVE, ACT_LANG, ACT_HELP, ACT_NONE
};

static const struct step *
step(const struct runner *r)
{
	return interview_step(r->iv);
}

/* The question on screen; for an "add an entry?" step, the repeat's first. */
static const struct question *
current(const struct runner *r)
{
	return r->iv->form->questions[step(r)->q];
}

static bool
at_add(const struct runner *r)
{
	return step(r)->kind == STEP_ADD;
}

static bool
is_choice(const struct question *q)
{
	return q->type == QT_SELECT_ONE || q->type == QT_SELECT_MULTIPLE;
}

static bool
is_typed(const struct question *q)
{
	return q->type == QT_TEXT || q->type == QT_INTEGER ||
	    q->type == QT_DECIMAL || q->type == QT_DATE;
}

struct interview *
runner_interview(struct runner *r)
{
	return r->iv;
}

const char *
runner_form_lang(const struct runner *r)
{
	const struct form *f = r->iv->form;

	return f->nlanguages > 0 ? f->languages[r->lang] : NULL;
}

/* Puts the current question's stored answer into the inputs. */
static void
load_question(struct runner *r)
{
	const struct step *st = step(r);
	const struct question *q;
	const char *value;
	bool found = false;
	size_t i;

	free(r->ticks);
	r->ticks = NULL;
	memset(&r->list, 0, sizeof r->list);
	r->list.numbered = true;
	lineedit_set(&r->ed, NULL);
	if (st == NULL)
		return;
	if (st->kind == STEP_ADD) {
		r->list.n = st->entry > 1 ? 3 : 2;	/* delete only what exists */
		return;
	}
	q = current(r);
	value = interview_value(r->iv, st->q, st->entry);
	free(r->start);
	r->start = NULL;
	if (value == NULL && !interview_seen(r->iv, st->q, st->entry))
		value = r->start = interview_default(r->iv, st->q);
	r->fresh = r->start != NULL;
	lineedit_set(&r->ed, is_typed(q) ? value : NULL);
	if (!is_choice(q))
		return;
	r->list.n = q->choices->n;
	r->ticks = xcalloc(q->choices->n, sizeof *r->ticks);
	/* Nothing is chosen for the interviewer: with no answer, no item is
	 * highlighted, and Enter takes none. */
	r->list.unset = q->type == QT_SELECT_ONE;
	for (i = 0; value != NULL && i < q->choices->n; i++) {
		const char *v = q->choices->v[i].value;
		size_t len = strlen(v);
		const char *p = value;

		while ((p = strstr(p, v)) != NULL) {
			if ((p == value || p[-1] == ' ') && (p[len] == ' ' ||
			    p[len] == '\0')) {
				r->ticks[i] = true;
				if (!found)
					r->list.cursor = i;
				r->list.unset = false;
				found = true;
				break;
			}
			p += len;
		}
	}
}

/* What the inputs hold now, as a value to check and store (new string). */
static char *
collect(const struct runner *r)
{
	const struct question *q = current(r);
	struct buf b = { 0 };
	size_t i;

	if (is_typed(q))
		return lineedit_text(&r->ed);
	if (!is_choice(q))
		return NULL;
	for (i = 0; i < q->choices->n; i++)
		if (r->ticks[i]) {
			if (b.len > 0)
				buf_addc(&b, ' ');
			buf_adds(&b, q->choices->v[i].value);
		}
	return buf_steal(&b);
}

/* Stores the answer on screen. Strict: the answer must be complete
 * (type, constraint, required); otherwise an empty answer is allowed, for
 * moving back or leaving. Returns 0 when it is stored (or there is nothing
 * to store), 1 when it fails its check (*why: the check's message, not yet
 * translated), -1 when the database kept none of it (*cause). Either way
 * the answer stored before stays as it was. */
static int
keep(struct runner *r, bool strict, bool onward, char **why, char **cause)
{
	struct interview *iv = r->iv;
	const struct step *st = step(r);
	char *typed;
	bool empty;
	int rc;

	*why = *cause = NULL;
	if (st == NULL || st->kind != STEP_QUESTION || !question_has_value(current(r)))
		return 0;
	/* A default the interviewer has not accepted is no answer: only
	 * Enter (strict) keeps it. */
	if (!strict && r->fresh)
		return 0;
	typed = collect(r);
	empty = typed == NULL || typed[strspn(typed, " ")] == '\0';
	if (!strict && empty && !interview_seen(iv, st->q, st->entry)) {
		free(typed);
		return 0;	/* nothing given, nothing to keep */
	}
	rc = onward ? interview_answer_onward(iv, typed, strict,
	    runner_form_lang(r), why, cause) : interview_answer(iv, typed, strict,
	    runner_form_lang(r), why, cause);
	free(typed);
	return rc;
}

/* keep(), saying why when the answer is not stored. Returns whether the
 * interviewer may go on. */
static bool
commit(struct runner *r, struct app *app, bool strict, bool onward)
{
	char *cause, *why;
	int rc = keep(r, strict, onward, &why, &cause);

	if (rc == 1) {
		app_flash(app, true, "%s", _(why));
		free(why);
		return false;
	}
	if (rc < 0) {
		app_flash(app, true, _("Not saved: %s"), cause);
		free(cause);
		return false;
	}
	return true;
}

/* Goes to step i and shows it; the position is committed. */
static void
go(struct runner *r, struct app *app, size_t i)
{
	char *cause = NULL;

	if (interview_go(r->iv, i, &cause) != 0) {
		app_flash(app, true, _("Not saved: %s"), cause);
		free(cause);
	}
	load_question(r);
}

void
runner_jump(struct runner *r, struct app *app, size_t i)
{
	r->to_review = false;
	go(r, app, i);
}

void
runner_return_to_review(struct runner *r)
{
	r->to_review = true;
}

/* A language as its speakers name it: "English", "中文"; another code as
 * the form writes it. */
static const char *
language_name(const char *code)
{
	if (strcmp(code, "en") == 0)
		return "English";
	if (strcmp(code, "zh") == 0 || strncmp(code, "zh_", 3) == 0 ||
	    strncmp(code, "zh-", 3) == 0)
		return "中文";
	return code;
}

void
runner_switch_lang(struct runner *r, struct app *app)
{
	const struct form *f = r->iv->form;

	if (f->nlanguages < 2) {
		app_flash(app, false, _("This form has only one language."));
		return;
	}
	r->lang = (r->lang + 1) % f->nlanguages;
	app_flash(app, false, _("Form language: %s"),
	    language_name(f->languages[r->lang]));
}

char *
runner_answer_text(const struct form *f, const struct question *q,
    const char *value, const char *lang)
{
	struct buf b = { 0 };
	char *copy, *tok, *save = NULL;

	if (value == NULL)
		return xstrdup("");
	if (!is_choice(q))
		return xstrdup(value);
	copy = xstrdup(value);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		const struct choice *c = form_choice(q, tok);

		if (b.len > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, c ? form_text(f, &c->label, lang) : tok);
	}
	free(copy);
	return buf_steal(&b);
}

struct item_ctx {
	const struct runner *r;
	const struct question *q;
};

static const char *
choice_item(void *ctx, size_t i, char *scratch, size_t size)
{
	const struct item_ctx *c = ctx;
	const char *label;

	if (at_add(c->r)) {
		if (i == 0)
			return step(c->r)->entry > 1 ? _("Add another entry") :
			    _("Add an entry");
		if (i == 1)
			return _("No more entries: go on");
		return _("Delete the last entry");
	}
	label = form_text(c->r->iv->form, &c->q->choices->v[i].label,
	    runner_form_lang(c->r));
	if (c->q->type == QT_SELECT_MULTIPLE)
		snprintf(scratch, size, "[%c] %s", c->r->ticks[i] ? 'x' : ' ', label);
	else
		snprintf(scratch, size, "(%c) %s", c->r->ticks[i] ? '*' : ' ', label);
	return scratch;
}

/* The section line: the group path, innermost last; a repeat entry is
 * shown with its number ("Members 2"). */
static char *
section_line(const struct runner *r, const struct group *g, long entry)
{
	const struct form *f = r->iv->form;
	const char *lang = runner_form_lang(r);
	char *section = xstrdup("");

	for (; g != NULL; g = g->parent) {
		char *label = g->repeat && entry > 0 ?
		    xasprintf("%s %ld", form_text(f, &g->label, lang), entry) :
		    xstrdup(form_text(f, &g->label, lang));
		char *joined = *section ? xasprintf("%s > %s", label, section) :
		    xstrdup(label);

		free(label);
		free(section);
		section = joined;
	}
	return section;
}

static void
draw_add(struct runner *r, struct app *app, int y, int bottom, int width)
{
	const struct step *st = step(r);
	const struct form *f = r->iv->form;
	struct item_ctx ctx = { r, NULL };
	char *line;

	line = xasprintf(ngettext("%s (%ld entry so far)",
	    "%s (%ld entries so far)", (unsigned long)(st->entry - 1)),
	    form_text(f, &st->repeat->label, runner_form_lang(r)),
	    st->entry - 1);
	y += draw_wrapped(y, 1, width, bottom - y - 3, line, A_BOLD);
	free(line);
	y++;
	menu_draw(&r->list, app, y, 1, width, bottom - y, choice_item, &ctx);
}

static const struct group *
top_group(const struct group *g)
{
	while (g != NULL && g->parent != NULL)
		g = g->parent;
	return g;
}

/* Each question's section, 1-based: the form's top-level groups and
 * repeats in order, with the questions between them one section each run;
 * a calculation, never shown, takes the section it sits in. Returns the
 * number of sections; the caller frees *out. */
static size_t
form_sections(const struct form *f, size_t **out)
{
	size_t *sec = xcalloc(f->nquestions + 1, sizeof *sec), i, n = 0;
	const struct group *prev = NULL;

	for (i = 0; i < f->nquestions; i++) {
		const struct group *top = top_group(f->questions[i]->group);

		if (f->questions[i]->type != QT_CALCULATE && (n == 0 ||
		    top != prev)) {
			n++;
			prev = top;
		}
		sec[i] = n > 0 ? n : 1;
	}
	*out = sec;
	return n;
}

/* The question a step belongs to (an "add an entry" step: its repeat's
 * first). */
static size_t
step_question(const struct step *st)
{
	return st->kind == STEP_ADD ? st->repeat->first : st->q;
}

/* The progress in the title, beside the round: the section of the form
 * ("Section 2 of 14"), which does not move when answers change which
 * questions apply, and the screen within it ("3/5"), which changes only
 * with the questions of this section. */
static char *
progress_text(const struct runner *r)
{
	const struct interview *iv = r->iv;
	const size_t *sec = r->sec;
	size_t nsec = r->nsec, mine, at, in, lo = iv->current, hi;
	const char *round = r->round ? r->round : _("no round");
	char *text;

	/* The steps of a section follow one another (a section is a run of
	 * questions; a repeat's steps lie in its own): only they are
	 * counted, not every step of the form. */
	mine = sec[step_question(&iv->steps[iv->current])];
	hi = lo;
	while (lo > 0 && sec[step_question(&iv->steps[lo - 1])] == mine)
		lo--;
	while (hi + 1 < iv->nsteps && sec[step_question(&iv->steps[hi + 1])] ==
	    mine)
		hi++;
	at = iv->current - lo + 1;
	in = hi - lo + 1;
	if (COLS >= 60)
		text = xasprintf(_("%s  Section %zu of %zu, %zu/%zu"), round, mine,
		    nsec, at, in);
	else
		text = xasprintf(_("%s S%zu/%zu Q%zu/%zu"), round, mine, nsec, at,
		    in);
	return text;
}

static void
runner_draw(struct screen *s, struct app *app)
{
	struct runner *r = (struct runner *)s;
	const struct form *f = r->iv->form;
	const struct step *st = step(r);
	const struct question *q;
	const char *lang = runner_form_lang(r);
	char *progress, *section;
	int y = 2, bottom = LINES - 2, width = COLS - 2;

	if (st == NULL) {	/* the answers leave nothing to ask */
		draw_title(app, form_text(f, &f->title, lang), "0/0");
		draw_wrapped(2, 1, width, 3, _("No question applies. Ctrl-R: review "
		    "and finalize."), A_BOLD);
		return;
	}
	q = current(r);

	progress = progress_text(r);
	draw_title(app, form_text(f, &f->title, lang), progress);
	free(progress);
	section = st->kind == STEP_ADD ?
	    section_line(r, st->repeat->parent, 0) :
	    section_line(r, q->group, st->entry);
	draw_text(1, 1, width, section, A_BOLD | A_UNDERLINE);
	free(section);
	if (st->kind == STEP_ADD) {
		draw_add(r, app, y, bottom, width);
		return;
	}

	{
		const char *used, *label = form_text_in(f, &q->label, lang, &used);
		/* A label the form lacks in this language comes in the default
		 * one, marked with its language. */
		char *text = used != NULL && lang != NULL && strcmp(used, lang) != 0 ?
		    xasprintf("%s [%s]", label, used) : xstrdup(label);

		y += draw_wrapped(y, 1, width, bottom - y - 3, text, A_BOLD);
		free(text);
	}
	if (q->required || q->required_if != NULL)
		draw_text(y++, 1, width, _("(required)"), A_DIM);
	if (q->hint.n > 0)
		y += draw_wrapped(y, 1, width, bottom - y - 2, form_text(f, &q->hint,
		    lang), A_NORMAL);
	if (interview_carried(r->iv, st->q, st->entry) != NULL) {
		const char *from = interview_carried(r->iv, st->q, st->entry);
		char *note = strcmp(from, INTERVIEW_FROM_HOUSEHOLD) == 0 ?
		    xstrdup(_("From the household register: Enter keeps this answer; "
		    "or change it, and the register is corrected when the interview "
		    "is finalized.")) : xasprintf(_("From round %s: Enter keeps this "
		    "answer; or change it."), from);

		y += draw_wrapped(y, 1, width, bottom - y - 2, note,
		    attr_selected(app));
		free(note);
	} else {
		char *note = interview_household_note(r->iv, st->q, st->entry, lang);

		if (note != NULL) {
			y += draw_wrapped(y, 1, width, bottom - y - 2, note,
			    attr_selected(app));
			free(note);
		}
	}
	y++;
	if (is_typed(q)) {
		field_draw(app, &r->ed, y, 1, width - 1);
		if (q->type == QT_DATE && q->hint.n == 0 && y + 1 < bottom)
			draw_text(y + 1, 3, width - 3, _("YYYY-MM-DD"), A_DIM);
	} else if (is_choice(q)) {
		struct item_ctx ctx = { r, q };

		menu_draw(&r->list, app, y, 1, width, bottom - y, choice_item, &ctx);
		if (q->type == QT_SELECT_MULTIPLE && bottom - y > (int)q->choices->n)
			draw_text(y + (int)q->choices->n, 1, width,
			    _("Space or 1-9 ticks; Enter when done."), A_DIM);
	} else
		draw_text(y, 1, width, _("Press Enter to go on."), A_DIM);
}

/* Keeps the answer (strictly) and shows the next step, or the review
 * after the last. */
static enum key_result
advance(struct runner *r, struct app *app)
{
	size_t next;

	if (!commit(r, app, true, !r->to_review))
		return KR_STAY;
	next = r->iv->current + 1;
	if (r->to_review) {
		r->to_review = false;
		app_push(app, review_new(app, r, r->iv->current));
		return KR_STAY;
	}
	if (next >= r->iv->nsteps) {
		/* The end: the review opens on [ Finalize ]. */
		app_push(app, review_new(app, r, r->iv->nsteps));
		return KR_STAY;
	}
	go(r, app, next);
	return KR_STAY;
}

/* On an "add an entry?" step: item 0 adds one, item 1 goes on, item 2
 * asks whether to delete the last one. */
static enum key_result
add_choice(struct runner *r, struct app *app, size_t item)
{
	const struct step *st = step(r);
	char *cause = NULL;
	size_t first;

	if (item == 1)
		return advance(r, app);
	if (item == 2) {
		r->confirm_delete = true;
		app_flash(app, true, _("Delete %s %ld and its answers? y: delete, "
		    "n: keep"), form_text(r->iv->form, &st->repeat->label,
		    runner_form_lang(r)), st->entry - 1);
		return KR_STAY;
	}
	if (interview_add_entry(r->iv, step(r)->repeat, &first, &cause) != 0) {
		app_flash(app, true, _("Not saved: %s"), cause);
		free(cause);
		return KR_STAY;
	}
	load_question(r);
	return KR_STAY;
}

/* Ctrl-X always leaves. A typed answer that fails its check (or that
 * the database refused) is not kept: the answer stored before stays, and
 * the interviewer is told so. */
static enum key_result
leave(struct runner *r, struct app *app)
{
	char *cause, *why;
	int rc = keep(r, false, false, &why, &cause);
	size_t answered = interview_answered(r->iv), total = interview_total(r->iv);

	if (answered == 0 && r->iv->me != NULL && !r->iv->lost) {
		char *dcause = NULL;

		/* An empty draft is not kept to pile up. */
		if (interview_discard(r->iv, &dcause) == 0) {
			app_flash(app, false, _("Nothing was answered: the draft was "
			    "not kept."));
			free(why);
			free(cause);
			return KR_HOME;
		}
		free(dcause);
	}
	if (rc == 0)
		app_flash(app, false, _("Draft saved: %zu of %zu answered. Resume it "
		    "from the home screen."), answered, total);
	else
		app_flash(app, true, _("Draft saved: %zu of %zu answered. The text "
		    "typed in the last question was not kept (%s); its answer "
		    "stays as it was. Resume the draft from the home screen."),
		    answered, total, rc == 1 ? _(why) : cause);
	free(why);
	free(cause);
	return KR_HOME;
}

static enum key_result runner_act(struct runner *r, struct app *app,
    enum action act, bool fkey, wint_t ch);

/* Every key first asks whether this session still holds the draft: when
 * another has taken it over, the interviewer is told before typing more. */
static enum key_result
runner_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct runner *r = (struct runner *)s;
	enum key_result res;

	if (runner_lost(r, app))
		return KR_HOME;
	res = runner_act(r, app, act, fkey, ch);
	if (r->iv->lost && runner_lost(r, app))
		return KR_HOME;
	return res;
}

static enum key_result
runner_act(struct runner *r, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	const struct question *q;
	bool chosen;

	if (step(r) == NULL) {
		if (act == ACT_REVIEW || act == ACT_ACCEPT)
			app_push(app, review_new(app, r, 0));
		return act == ACT_LEAVE ? KR_HOME : KR_STAY;
	}
	if (r->confirm_delete) {
		const struct step *st = step(r);
		char *cause = NULL;

		r->confirm_delete = false;
		if (fkey || (ch != 'y' && ch != 'Y')) {
			app_flash(app, false, _("Nothing deleted."));
			return KR_STAY;
		}
		if (interview_delete_entry(r->iv, st->repeat, st->entry - 1,
		    &cause) != 0) {
			app_flash(app, true, _("Not deleted: %s"), cause);
			free(cause);
		} else
			app_flash(app, false, _("Entry deleted."));
		load_question(r);
		return KR_STAY;
	}
	q = current(r);
	switch (act) {
	case ACT_PREV:
		r->to_review = false;	/* walking the form again */
		if (r->iv->current == 0) {
			app_flash(app, false, _("This is the first question."));
			return KR_STAY;
		}
		if (commit(r, app, false, false))
			go(r, app, r->iv->current - 1);
		return KR_STAY;
	case ACT_NEXT:
		if (at_add(r))
			return add_choice(r, app, 1);
		return advance(r, app);
	case ACT_REVIEW:
		r->to_review = false;
		if (commit(r, app, false, false))
			app_push(app, review_new(app, r, r->iv->current));
		return KR_STAY;
	case ACT_LEAVE:
		return leave(r, app);
	case ACT_LANG:
		runner_switch_lang(r, app);
		return KR_STAY;
	case ACT_HELP:
		app_push(app, help_new(app));
		return KR_STAY;
	default:
		break;
	}
	if (at_add(r)) {
		if (menu_key(&r->list, act, fkey, ch, &chosen) && !chosen)
			return KR_STAY;
		if (act == ACT_ACCEPT || chosen)
			return add_choice(r, app, r->list.cursor);
		return KR_STAY;
	}
	if (is_typed(q)) {
		if (act == ACT_ACCEPT)
			return advance(r, app);
		/* A default is kept by Enter, replaced by what is typed. */
		if (r->fresh && (act == ACT_NONE || act == ACT_TOGGLE) && !fkey &&
		    ch >= 0x20)
			lineedit_set(&r->ed, NULL);
		r->fresh = false;
		field_key(&r->ed, act, fkey, ch, 0);
		return KR_STAY;
	}
	if (is_choice(q)) {
		if (menu_key(&r->list, act, fkey, ch, &chosen)) {
			if (!chosen)
				return KR_STAY;
			if (q->type == QT_SELECT_MULTIPLE) {
				r->ticks[r->list.cursor] = !r->ticks[r->list.cursor];
				return KR_STAY;
			}
			act = ACT_ACCEPT;
		}
		if (act == ACT_KILL_BEFORE) {	/* ^U: clear the answer */
			memset(r->ticks, 0, q->choices->n * sizeof *r->ticks);
			r->list.unset = q->type == QT_SELECT_ONE;
			app_flash(app, false, _("Answer cleared: Enter leaves it "
			    "unanswered."));
			return KR_STAY;
		}
		if (act == ACT_TOGGLE && q->type == QT_SELECT_MULTIPLE) {
			r->ticks[r->list.cursor] = !r->ticks[r->list.cursor];
			return KR_STAY;
		}
		if (act == ACT_ACCEPT) {
			/* Enter chooses the highlighted item; with none
			 * highlighted it chooses nothing, and a required
			 * question then says it needs an answer. */
			if (q->type == QT_SELECT_ONE && !r->list.unset) {
				memset(r->ticks, 0, q->choices->n * sizeof *r->ticks);
				r->ticks[r->list.cursor] = true;
			}
			return advance(r, app);
		}
		return KR_STAY;
	}
	if (act == ACT_ACCEPT)
		return advance(r, app);
	return KR_STAY;
}

/* The connection is gone: keep what is typed if it is a valid answer;
 * otherwise the answer stored before stays. */
static void
runner_hangup(struct screen *s, struct app *app)
{
	char *cause, *why;

	(void)app;
	keep((struct runner *)s, false, false, &why, &cause);
	free(why);
	free(cause);
}

static void
runner_free(struct screen *s)
{
	struct runner *r = (struct runner *)s;

	lineedit_free(&r->ed);
	free(r->ticks);
	interview_free(r->iv);
	free(r->round);
	free(r->start);
	free(r->sec);
	free(r);
}

static const struct screen_ops runner_ops = {
	.draw = runner_draw,
	.key = runner_key,
	.hangup = runner_hangup,
	.free = runner_free,
	.bar = runner_bar,
};

/* Said in place of the interview once another session has taken the
 * draft over: where it is open now. */
struct lost {
	struct screen base;
	char *where;		/* NULL: open nowhere now */
};

static const enum action lost_bar[] = { ACT_ACCEPT, ACT_NONE };

static void
lost_draw(struct screen *s, struct app *app)
{
	struct lost *l = (struct lost *)s;
	int y = 2, width = COLS - 2, bottom = LINES - 2;
	char *text;

	draw_title(app, _("Draft taken over"), NULL);
	y += draw_wrapped(y, 1, width, bottom - y, _("Another session has taken "
	    "this draft over. This one saves nothing more; what it saved before "
	    "is kept."), A_BOLD);
	y++;
	if (l->where != NULL) {
		text = xasprintf(_("It is open now in: %s."), l->where);
		y += draw_wrapped(y, 1, width, bottom - y, text, A_NORMAL);
		free(text);
	} else
		y += draw_wrapped(y, 1, width, bottom - y, _("It is open nowhere now: "
		    "resume it from the home screen to go on."), A_NORMAL);
	y++;
	draw_wrapped(y, 1, width, bottom - y, _("Press any key."), A_DIM);
}

static enum key_result
lost_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	(void)s;
	(void)app;
	(void)act;
	(void)fkey;
	(void)ch;
	return KR_POP;
}

static void
lost_free(struct screen *s)
{
	struct lost *l = (struct lost *)s;

	free(l->where);
	free(l);
}

static const struct screen_ops lost_ops = {
	.draw = lost_draw,
	.key = lost_key,
	.free = lost_free,
	.bar = lost_bar,
};

bool
runner_lost(struct runner *r, struct app *app)
{
	struct holder now;
	struct lost *l;
	char *cause = NULL;
	int rc = interview_check_hold(r->iv, &now, &cause);

	/* A database error here is left to the next save to report. */
	free(cause);
	if (rc != 1)
		return false;
	l = xcalloc(1, sizeof *l);
	l->base.ops = &lost_ops;
	l->where = now.token != NULL ? holder_describe(&now) : NULL;
	holder_clear(&now);
	if (app->pending != NULL)
		app->pending->ops->free(app->pending);
	app->pending = &l->base;
	free(app->flash);
	app->flash = NULL;
	return true;
}

/* Asked when a draft to resume is open in another session that is alive
 * (or on another machine): take it over here, or go back. */
struct takeover {
	struct screen base;
	struct interview *iv;	/* owned until the runner takes it */
	char *where;
};

static const enum action takeover_bar[] = { ACT_NONE };

static void
takeover_draw(struct screen *s, struct app *app)
{
	struct takeover *t = (struct takeover *)s;
	int y = 2, width = COLS - 2, bottom = LINES - 2;
	char *text = xasprintf(_("This draft is open in another session: %s."),
	    t->where);

	draw_title(app, _("Draft open elsewhere"), NULL);
	y += draw_wrapped(y, 1, width, bottom - y, text, A_BOLD);
	free(text);
	y++;
	y += draw_wrapped(y, 1, width, bottom - y, _("If that session is yours and "
	    "you have left it (a phone that reconnected, say), take the draft over "
	    "here: the other session then stops at its next key and saves nothing "
	    "more. One interview is never answered in two places at once."),
	    A_NORMAL);
	y++;
	draw_wrapped(y, 1, width, bottom - y, _("y: take it over here   n: go back"),
	    A_BOLD);
}

static enum key_result
takeover_key(struct screen *s, struct app *app, enum action act, bool fkey,
    wint_t ch)
{
	struct takeover *t = (struct takeover *)s;
	struct holder before;
	char *cause = NULL;

	if (!fkey && (ch == 'y' || ch == 'Y')) {
		if (interview_take(t->iv, true, &before, &cause) < 0) {
			app_flash(app, true, _("Cannot resume: %s"), cause);
			free(cause);
			return KR_POP;
		}
		holder_clear(&before);
		app->pending = runner_new(app, t->iv);
		t->iv = NULL;
		app_flash(app, false, "%s", _("The draft is yours now; the other "
		    "session can no longer change it."));
		return KR_POP;
	}
	if (act == ACT_LEAVE || (!fkey && (ch == 'n' || ch == 'N'))) {
		app_flash(app, false, "%s", _("Not resumed: the draft stays with the "
		    "other session."));
		return KR_POP;
	}
	return KR_STAY;
}

static void
takeover_free(struct screen *s)
{
	struct takeover *t = (struct takeover *)s;

	interview_free(t->iv);
	free(t->where);
	free(t);
}

static const struct screen_ops takeover_ops = {
	.draw = takeover_draw,
	.key = takeover_key,
	.free = takeover_free,
	.bar = takeover_bar,
};

struct screen *
runner_resume(struct app *app, const struct record_info *rec)
{
	struct holder other;
	struct interview *iv;
	struct takeover *t;
	char *cause = NULL, *where;
	const char *why, *not_read;
	int rc;

	/* Another's draft: read only, for those who may read it. */
	if (!access_can(&app->who, ACCESS_RESUME, rec, &why) &&
	    !access_can(&app->who, ACCESS_READ, rec, &not_read)) {
		app_flash(app, true, "%s", _(why));
		return NULL;
	}
	iv = interview_resume(app->store, rec, &cause);
	if (iv == NULL) {
		app_flash(app, true, _("Cannot resume: %s"), cause);
		free(cause);
		return NULL;
	}
	if (why != NULL) {
		app_flash(app, false, _("Read only: %s."), _(why));
		return runner_new(app, iv);
	}
	rc = interview_take(iv, false, &other, &cause);
	if (rc < 0) {
		app_flash(app, true, _("Cannot resume: %s"), cause);
		free(cause);
		interview_free(iv);
		return NULL;
	}
	where = other.token != NULL ? holder_describe(&other) : NULL;
	holder_clear(&other);
	if (rc == STORE_HELD) {
		t = xcalloc(1, sizeof *t);
		t->base.ops = &takeover_ops;
		t->iv = iv;
		t->where = where;
		return &t->base;
	}
	if (rc == STORE_CLAIMED_GONE)
		app_flash(app, false, _("This draft was left open by a session that "
		    "has ended (%s); it is yours now."), where);
	free(where);
	return runner_new(app, iv);
}

struct screen *
runner_new(struct app *app, struct interview *iv)
{
	struct runner *r = xcalloc(1, sizeof *r);
	struct record_info rec;
	size_t i;

	r->base.ops = &runner_ops;
	r->iv = iv;
	if (store_record_get(app->store, iv->record, &rec, NULL) == 0) {
		r->round = rec.round ? text_sanitize(rec.round, false) : NULL;
		store_record_clear(&rec);
	}
	lineedit_init(&r->ed);
	r->nsec = form_sections(iv->form, &r->sec);
	/* The step that adds an entry stands for its repeat's first question:
	 * when that is a calculation (in the section before), the section is
	 * the repeat's own, so that a section's steps follow one another. */
	for (i = 0; i < iv->form->ngroups; i++) {
		const struct group *g = iv->form->groups[i];
		size_t q = g->first;

		while (g->repeat && q < g->end &&
		    iv->form->questions[q]->type == QT_CALCULATE)
			q++;
		if (g->repeat && q < g->end)
			r->sec[g->first] = r->sec[q];
	}
	for (i = 0; i < iv->form->nlanguages; i++)
		if (app->lang != NULL && strcmp(iv->form->languages[i], app->lang) == 0)
			r->lang = i;
	load_question(r);
	return &r->base;
}
