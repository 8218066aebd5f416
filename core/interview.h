/* One interview in progress: a form, a draft record and its answers,
 * with the rules for leaving a field and for finalizing. */
#ifndef DOORSTEP_INTERVIEW_H
#define DOORSTEP_INTERVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "form.h"
#include "store.h"

struct interview {
	struct store *store;	/* not owned */
	struct form *form;	/* owned */
	int64_t record;
	char *instance_id;
	char **values;		/* per question; NULL when empty */
	bool *seen;		/* per question: an answer (maybe empty) is stored */
	size_t current;		/* index of the question on screen */
};

/* Begins a new draft on form (the interview takes the form). */
struct interview *interview_begin(struct store *s, struct form *form,
    const char *household, const char *round, const char *site,
    const char *interviewer, char **cause);

/* Reopens a draft on the form version it began with, at the question the
 * interviewer left. */
struct interview *interview_resume(struct store *s,
    const struct record_info *rec, char **cause);

void interview_free(struct interview *iv);

/* The stored answer of question i, or NULL. */
const char *interview_value(const struct interview *iv, size_t i);

/* Checks a typed answer for question i (its type, and when check_required
 * that a required one is not empty) and commits it with the position
 * `next` (an index, or -1 to keep it). Returns 0; 1 when the answer was
 * refused (*why: a message for the interviewer, static); -1 when the
 * database failed (*cause). */
int interview_answer(struct interview *iv, size_t i, const char *typed,
    long next, bool check_required, const char **why, char **cause);

/* Commits only the position. */
int interview_move(struct interview *iv, size_t next, char **cause);

/* Why question i cannot be left as it is (required and empty), or NULL. */
const char *interview_problem(const struct interview *iv, size_t i);

/* How many questions have a problem; *first is the first of them. */
size_t interview_problems(const struct interview *iv, size_t *first);

/* The number of questions that take an answer, and of those answered. */
size_t interview_total(const struct interview *iv);
size_t interview_answered(const struct interview *iv);

/* Finalizes when nothing is wrong; otherwise returns 1 with *first_bad the
 * first question with a problem and *nbad how many have one. */
int interview_finalize(struct interview *iv, size_t *first_bad, size_t *nbad,
    char **cause);

#endif
