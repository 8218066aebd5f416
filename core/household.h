/* The household register: the families a centre follows round after
 * round, each under a short code the staff can say aloud (BJ-0042), with
 * its follow-up (next visit, closing with a reason) and its history. */
#ifndef DOORSTEP_HOUSEHOLD_H
#define DOORSTEP_HOUSEHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "store.h"

#define HOUSEHOLD_CODE_MAX 24	/* characters in a code */

struct household {
	int64_t id;
	char *code;
	char *site;
	char *head;		/* the head of the household's name */
	char *phone;
	char *address;		/* community or address */
	char *notes;
	bool closed;
	char *closed_reason;
	char *closed_at;	/* YYYY-MM-DD */
	char *next_visit;	/* YYYY-MM-DD, or NULL */
	char *created_at;
	char *updated_at;
	long interviews;	/* records of any status */
	char *last_visit;	/* YYYY-MM-DD of the latest record, or NULL */
};

/* One line of a household's timeline: an interview or an event. */
struct household_entry {
	char *date;		/* YYYY-MM-DD */
	char *at;		/* the full time, for ordering */
	int64_t record;		/* an interview's record, 0 for an event */
	char *round;
	char *form;		/* form id */
	char *status;		/* the record's, or the event: registered,
				 * closed, reopened */
	char *detail;		/* needs flagged (labels, comma-separated), or
				 * the reason a case was closed */
	size_t seq;		/* order of reading, for equal times */
	bool sealed;		/* a sealed interview: detail holds only the
				 * needs its form keeps in plain text */
};

/* The code as kept: trimmed, letters upper-cased. NULL with *why (static,
 * untranslated: pass it through _()) when it is empty, too long or holds
 * other than letters, digits, '-', '_' and '.'. */
char *household_code_normalize(const char *typed, const char **why);

/* Whether a round name can be used: one word of at most 32 letters,
 * digits, '-', '_' or '.' (2020-R2); *why as above. */
bool round_name_valid(const char *round, const char **why);

/* Whether s is a real YYYY-MM-DD date. */
bool date_valid(const char *s);

/* The code prefix: the configured one (config code_prefix:), else the
 * site's first two Latin letters upper-cased (beijing: BE), else "HH".
 * Caller frees. */
char *household_prefix(const char *configured, const char *site);

/* The next free code with this prefix: PREFIX-0001, then one more than the
 * highest number in use. Caller frees; NULL with *cause. */
char *household_next_code(struct store *s, const char *prefix, char **cause);

/* Registers h (its code normalized); h->id is set. Returns 0; 1 when the
 * code is taken (*cause says by whom); -1 on a database error. */
int household_add(struct store *s, struct household *h, char **cause);

/* The household with this code: 0 found, 1 none, -1 error. */
int household_get(struct store *s, const char *code, struct household *out,
    char **cause);
/* The same by its row id, which stays when its code changes. */
int household_get_id(struct store *s, int64_t id, struct household *out,
    char **cause);

/* Saves h's fields (by h->id). The code changes only while the household
 * has no interview: its records carry it. 1 when refused (*cause says why). */
int household_update(struct store *s, const struct household *h,
    char **cause);

/* Closes the case with a reason, today; its history stays. */
int household_close(struct store *s, int64_t id, const char *reason,
    char **cause);
int household_reopen(struct store *s, int64_t id, char **cause);

/* Deletes a household registered by mistake. Refused (1) when it has an
 * interview: close the case instead, which keeps its history. */
int household_delete(struct store *s, int64_t id, char **cause);

/* Households whose code, phone (digits, ignoring spaces and dashes), head's
 * name, address, notes or site contain term (any case for Latin letters); every
 * household when term is empty. Open ones first, then by code. */
int household_search(struct store *s, const char *term,
    struct household **out, size_t *n, char **cause);

/* Whether household_search and its pages and count ask the search index
 * (true when opened) or read every household: the same households either
 * way, which the tests compare. */
void household_search_use_index(struct store *s, bool use);

/* A page of household_search's list: `limit` households (all when
 * negative) from the `offset`th on, in the same order. Reads only those
 * rows and counts their interviews only. */
int household_search_page(struct store *s, const char *term, long offset,
    long limit, struct household **out, size_t *n, char **cause);

/* How many households household_search finds, counted up to cap + 1 (a
 * result above cap means "more than cap"); -1 on error. */
long household_search_count(struct store *s, const char *term, long cap,
    char **cause);

/* A page of household_due's list, as household_search_page. */
int household_due_page(struct store *s, const char *until, long offset,
    long limit, struct household **out, size_t *n, char **cause);

/* Open households with a next visit on or before `until` (YYYY-MM-DD),
 * the most overdue first. */
int household_due(struct store *s, const char *until, struct household **out,
    size_t *n, char **cause);

/* The first `limit` of household_due's list: what the home screen shows.
 * Reads only those, however many are due. */
int household_due_first(struct store *s, const char *until, long limit,
    struct household **out, size_t *n, char **cause);

/* Counts: open households, and open ones due on or before `until`. The
 * first is kept up to date by the database, the second reads only the
 * households due: neither grows with the register. */
int household_counts(struct store *s, const char *until, long *open,
    long *due, char **cause);

/* Adds an entry to the household's history (registered, edited, closed,
 * merged ...) and the same to the trail, in the caller's transaction. */
int household_event(struct store *s, int64_t id, const char *what,
    const char *detail, char **cause);

/* A household was visited today: a next visit due by now is done. */
int household_visited(struct store *s, const char *code, char **cause);

/* The household with this code, registered (with site) when missing, as
 * an import needs; *created says which. */
int household_ensure(struct store *s, const char *code, const char *site,
    bool *created, char **cause);

/* Every interview of the household (with the needs its answers flag, in
 * lang) and every event (registered, closed, reopened), oldest first. */
int household_timeline(struct store *s, const struct household *h,
    const char *lang, struct household_entry **out, size_t *n, char **cause);
void household_timeline_free(struct household_entry *v, size_t n);

/* A copy of the household's field (as a form's from_household: names it),
 * or NULL when it is empty. */
char *household_field(const struct household *h, enum household_field field);

/* Takes an interview's answer for one of the household's fields (head,
 * phone, address) into the register, when it differs from what the
 * register holds (a phone compared in its normal form), and records the
 * household's event "edited" with the field, the old and the new value.
 * 0 also when nothing changed or the household is not registered; -1 on
 * error. Joins the caller's transaction when there is one. */
int household_take_answer(struct store *s, const char *code,
    enum household_field field, const char *value, char **cause);

void household_clear(struct household *h);
void households_free(struct household *v, size_t n);

#endif
