/* One interview: a form, a record and its answers, with the form logic
 * that decides what is asked (relevance, repeats, calculations) and what
 * may be kept (types, constraints, required). */
#ifndef DOORSTEP_INTERVIEW_H
#define DOORSTEP_INTERVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "form.h"
#include "store.h"

enum step_kind {
	STEP_QUESTION,		/* a question (in repeat entry `entry`) */
	STEP_ADD,		/* "add an entry to this repeat?" */
};

/* One screen of the interview, as the form logic lays them out now. */
struct step {
	enum step_kind kind;
	size_t q;			/* STEP_QUESTION: the question */
	long entry;			/* its repeat entry, 1-based; 0 outside */
	const struct group *repeat;	/* STEP_ADD: the repeat; else q's */
};

struct answer_slot;
struct recalc;

/* What interview_carried gives for an answer filled from the household
 * register (from_household:) and not yet confirmed: no round is so named
 * (a round name holds no '@'). */
#define INTERVIEW_FROM_HOUSEHOLD "@household"

struct interview {
	struct store *store;	/* not owned */
	struct form *form;	/* owned, unless borrowed */
	bool borrowed;
	int64_t record;
	char *instance_id;
	struct answer_slot *slots;	/* answers by (question, entry) */
	size_t nslots;
	size_t used;
	long *entries;		/* per group: entries of a repeat without count */
	struct step *steps;
	size_t nsteps;
	size_t current;		/* index into steps */
	long today;		/* days since 1970-01-01, for today() */
	struct holder *me;	/* this session, holding the draft open for
				 * editing; NULL: read only */
	char *household;	/* the record's household code, or NULL */
	bool lost;		/* another session took the draft over */
	bool sealed;		/* a sealed record: its answers are not here */
	char *sealed_needs;	/* the need ids it keeps in plain text
				 * (space-separated), or NULL: none kept */
	/* ODK audit events, for a form with audit: true, while a session
	 * edits it: the question on screen since audit_since (ms), and its
	 * answer then. */
	char *audit_user;	/* NULL: no audit */
	bool audit_shown;
	size_t audit_q;
	long audit_entry;
	long long audit_since;
	char *audit_value;
	char *saved_position;	/* the position the record holds, if known */
	/* The form logic between answers: the relevance known, the
	 * calculations to do again, the steps to place again. An answer
	 * recomputes only what depends on it (form->readers). */
	struct recalc *recalc;
};

/* Begins a new draft on form (the interview takes the form). With a
 * household and a round, the questions marked prefill start from the
 * household's previous round, marked as carried over. With a household,
 * the questions marked from_household start from its register (marked
 * INTERVIEW_FROM_HOUSEHOLD) when the form's rules take the value. */
struct interview *interview_begin(struct store *s, struct form *form,
    const char *household, const char *round, const char *site,
    const char *interviewer, char **cause);

/* Reads a record back on the form version it began with; a draft opens
 * at the place the interviewer left, read only until interview_take. */
struct interview *interview_resume(struct store *s,
    const struct record_info *rec, char **cause);

/* The same, read only, on a form the caller already has and keeps alive
 * (not taken, not copied): for export and reports. */
struct interview *interview_open(struct store *s, const struct form *form,
    const struct record_info *rec, char **cause);

/* The same for a record not (yet) in the store: its answers are those
 * answers() hands to put, as (name, entry, value) in the store's way
 * (a repeat's entry count under the repeat's name, entry 0). An import
 * checks a record so before it writes a row of it. */
struct interview *interview_open_given(struct store *s,
    const struct form *form, const struct record_info *rec,
    void (*answers)(void *ctx, void (*put)(void *iv, const char *name,
    long entry, const char *value), void *iv), void *ctx);

/* Lets the draft go (when this session holds it) and frees the rest. */
void interview_free(struct interview *iv);

/* Opens a resumed draft for editing in this session (interview_begin does
 * so for a new one), and reads its answers again as they are now. Returns
 * an enum store_claim (STORE_HELD: another live session holds it, and
 * take_over was false: nothing changed), with *other the session that
 * held it (empty when none), or -1. Only the session holding a draft can
 * change it: once another takes it over, this one's writes fail, and
 * iv->lost is set. */
int interview_take(struct interview *iv, bool take_over, struct holder *other,
    char **cause);

/* Whether this session still holds its draft: 0 yes (or read only); 1
 * no, iv->lost set and *now the session holding it now (empty when none:
 * it was taken over and left, or finalized); -1 on a database error. */
int interview_check_hold(struct interview *iv, struct holder *now, char **cause);

/* The stored answer of question q in entry (0 outside repeats), or NULL. */
const char *interview_value(const struct interview *iv, size_t q, long entry);
/* The round an answer was carried over from (prefill: true), or
 * INTERVIEW_FROM_HOUSEHOLD for one filled from the household register,
 * while the interviewer has not yet confirmed or changed it; else NULL. */
const char *interview_carried(const struct interview *iv, size_t q,
    long entry);

/* Why a question marked from_household was left unanswered although
 * the household register has a value for it (the form's rules refuse
 * it), for the interviewer; NULL when it was not. Caller frees. */
char *interview_household_note(const struct interview *iv, size_t q,
    long entry, const char *lang);

/* What the question's input starts with when it has no answer yet: its
 * default, today's date for default: today; NULL when none. Caller
 * frees. */
char *interview_default(const struct interview *iv, size_t q);

/* Whether an answer (maybe empty) was stored. */
bool interview_seen(const struct interview *iv, size_t q, long entry);

/* Whether question q (in entry) is asked, given the answers so far. */
bool interview_relevant(const struct interview *iv, size_t q, long entry);
/* Whether a group (or repeat) is relevant, evaluated in entry. */
bool interview_group_relevant(const struct interview *iv,
    const struct group *g, long entry);

/* How many entries a repeat has now. */
long interview_entries(const struct interview *iv, const struct group *g);

const struct step *interview_step(const struct interview *iv);

/* Checks an answer to question q in entry as if it were typed there, with
 * the other answers as they stand: of the question's type (the canonical
 * text goes to *value, NULL when left empty), allowed by its constraint,
 * and when check_required not empty if required. Returns 0; 1 when
 * refused, with *why a message for the interviewer (from the form when it
 * has one). interview_answer checks with it; so does an import. */
int interview_check(const struct interview *iv, size_t q, long entry,
    const char *typed, bool check_required, const char *lang, char **value,
    char **why);

/* Checks a typed answer for the current step (its type, its constraint,
 * and when check_required that a required one is not empty), commits it
 * and the calculations that depend on it, and lays the steps out again.
 * Returns 0; 1 when refused (*why: a message for the interviewer, from
 * the form when it has one); -1 when the database failed (*cause). */
int interview_answer(struct interview *iv, const char *typed,
    bool check_required, const char *lang, char **why, char **cause);
/* The same when the interviewer goes on to the next step: the position of
 * that step is saved in the answer's own commit, so that showing it
 * (interview_go) writes nothing: one durable commit a question. */
int interview_answer_onward(struct interview *iv, const char *typed,
    bool check_required, const char *lang, char **why, char **cause);

/* Moves to step i, and commits the position. */
int interview_go(struct interview *iv, size_t i, char **cause);

/* Adds an entry to a repeat without count; *first is the step of its first
 * question. */
int interview_add_entry(struct interview *iv, const struct group *repeat,
    size_t *first, char **cause);

/* Deletes an entry of a repeat without count, and its answers. */
int interview_delete_entry(struct interview *iv, const struct group *repeat,
    long entry, char **cause);

/* Why step i cannot be finalized as it is (a required answer missing, a
 * constraint not met), or NULL. The message is for the interviewer. */
char *interview_problem(const struct interview *iv, size_t i, const char *lang);

/* How many steps have a problem; *first is the first of them. */
size_t interview_problems(const struct interview *iv, size_t *first);

/* Deletes the draft and its answers (this session holds it, or none
 * does); the interview is then read only. */
int interview_discard(struct interview *iv, char **cause);

/* Questions with an answer to give among the steps, and those answered. */
size_t interview_total(const struct interview *iv);
size_t interview_answered(const struct interview *iv);

/* Sets each record's answered to what interview_answered says of it (the
 * questions that apply and have an answer, as "Draft saved: N of M" counts
 * them), rather than the store's count of every value kept. A record whose
 * form version cannot be read keeps the store's count. */
void interview_count_answered(struct store *s, struct record_info *recs,
    size_t n);

/* Finalizes what the database holds, in one transaction: reads the
 * answers committed, checks them, writes the XML instance from them, and
 * marks the record finalized; answers to from_household questions
 * (head, phone, address) that differ from the register are written to
 * it, each recorded as the household's event "edited". Returns 0 when finalized; 1 when something
 * is wrong, with *first_bad the first step with a problem and *nbad how
 * many have one; 2 when the answers committed are not those this session
 * showed (changed elsewhere): nothing is finalized, and iv now holds the
 * answers committed, to be shown and checked again; -1 on error, or when
 * another session took the draft over (iv->lost). On a sealed form the
 * plain answers are deleted in that transaction, and the caller then runs
 * store_scrub to empty the log that held them (not done here, so that
 * the interviewer need not wait for it). */
int interview_finalize(struct interview *iv, size_t *first_bad, size_t *nbad,
    char **cause);

/* Whether need i of the form is flagged by the answers. */
bool interview_need(const struct interview *iv, size_t i);

/* Seals the record iv reads (rec, with its instance xml) with its form's
 * public key and keeps only that, with what the form lets a sealed record
 * keep in plain text (store_record_seal). In the caller's transaction;
 * the caller scrubs (store_scrub) once it is committed. */
int interview_seal(const struct interview *iv, const struct record_info *rec,
    const char *xml, char **cause);

/* Whether the need flags of the record can be read: not for a sealed
 * record whose form keeps no needs in plain text. */
bool interview_needs_known(const struct interview *iv);

/* The value of a calculation or any expression in an entry. */
struct value interview_eval(const struct interview *iv, const struct expr *e,
    long entry, const char *dot);

#endif
