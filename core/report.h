/* The needs report: for a round (or all) and a site (or all), how many
 * households were assessed, the share flagging each need area, in all and
 * per site, the answers to each choice question, and how needs changed
 * between two rounds. */
#ifndef DOORSTEP_REPORT_H
#define DOORSTEP_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

struct report_need {
	char *id;
	char *label;
	long households;	/* flagging it, all sites */
	long *by_site;		/* flagging it, per site */
	long gained, lost, kept;	/* between from_round and to_round */
};

struct report_choice {
	char *question;		/* the question's label */
	char *choice;		/* the choice's label */
	long n;			/* households that chose it */
	long base;		/* households that answered the question */
};

struct report {
	long households;	/* assessed: each counted once, latest record */
	char **sites;
	long *site_households;
	size_t nsites;
	struct report_need *needs;
	size_t nneeds;
	struct report_choice *choices;
	size_t nchoices;
	char *round;		/* the round reported, NULL for every round */
	char *from_round;	/* the comparison, when there are two rounds */
	char *to_round;
	long compared;		/* households assessed in both */
	long no_round;		/* of those assessed, latest interview of no round */
	/* Not assessed: households whose latest interview has the form's
	 * not_assessed answer (a refusal). Counted apart, never in the
	 * shares' base. */
	long refused;
	long *site_refused;
	/* The forms counted (ids, sorted): those that declare need areas,
	 * or every form when none does. A household counts by its latest
	 * interview of such a form in the round. */
	char **forms;
	size_t nforms;
	char date[11];		/* the day it was made, YYYY-MM-DD */
	/* Of the households counted, those whose latest interview is sealed
	 * and keeps no need areas in plain text: they flag none here. */
	long sealed_unknown;
	/* After report_share: the threshold, and how many counts are hidden
	 * (REPORT_HIDDEN in their place). */
	long share_threshold;
	long hidden;
};

/* A count report_share hid. */
#define REPORT_HIDDEN (-1L)

/* Makes the report fit to share outside the organisation: hides every
 * count from 1 to threshold - 1, and then, in each set of counts that add
 * up to a total shown (the sites' households, a need area by site, the
 * choices of a question), one more, so that no hidden count can be
 * worked out by subtraction; a total below the threshold is hidden too.
 * Shares go with their counts. */
void report_share(struct report *r, long threshold);

/* Builds the report from finalized (and uploaded) records. Labels are in
 * lang. A household is its code, or the record itself without one. */
int report_build(struct store *s, const char *round, const char *site,
    const char *lang, struct report *r, char **cause);
void report_free(struct report *r);

/* The report as text for 80 columns (bar charts, CJK-aware alignment), as
 * CSV, or as one self-contained HTML page with SVG bar charts. */
char *report_text(const struct report *r);
char *report_csv(const struct report *r);
char *report_html(const struct report *r);

#endif
