/* The interview runner: one question per screen; and the review screen
 * that lists every answer over it. */
#ifndef DOORSTEP_TUI_RUNNER_H
#define DOORSTEP_TUI_RUNNER_H

#include "../core/interview.h"
#include "app.h"

struct runner;

/* A runner over iv, which it takes. */
struct screen *runner_new(struct app *app, struct interview *iv);

/* Resumes a draft (rec, as listed): the runner; or, when another live
 * session has it open, a screen that says where and offers to take it
 * over; NULL having flashed why neither can be. */
struct screen *runner_resume(struct app *app, const struct record_info *rec);

/* Whether another session has taken the runner's draft over; if so, the
 * notice that says so is queued (app->pending): return KR_HOME. */
bool runner_lost(struct runner *r, struct app *app);

struct interview *runner_interview(struct runner *r);
const char *runner_form_lang(const struct runner *r);
void runner_switch_lang(struct runner *r, struct app *app);
/* Shows question i (after review asked for it). */
void runner_jump(struct runner *r, struct app *app, size_t i);

/* The review screen over a runner that stays below it on the stack. */
/* The review of r's interview, the highlight on step at_step's row (on
 * [ Finalize ] for at_step past the last). */
struct screen *review_new(struct app *app, struct runner *r, size_t at_step);

/* After the next answer is taken, the interviewer goes back to the
 * review (a question chosen there), not on through the form. */
void runner_return_to_review(struct runner *r);

/* The answer as the interviewer reads it: choice labels in lang, or the
 * text typed. Returns a new string. */
char *runner_answer_text(const struct form *f, const struct question *q,
    const char *value, const char *lang);

#endif
