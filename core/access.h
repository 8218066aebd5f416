/* Who may do what with the team's data. In a team install every member
 * finds every household and starts its interviews; a draft belongs to its
 * author; supervisors read any draft, hand it over, discard it, reopen
 * cases and move data in and out. A single user (no team) supervises
 * their own data, as before teams. Finalized records never change. */
#ifndef DOORSTEP_ACCESS_H
#define DOORSTEP_ACCESS_H

#include <stdbool.h>

#include "config.h"
#include "store.h"

struct access {
	const char *login;	/* the Unix login, or the single user's name */
	bool team;		/* a team install */
	bool supervisor;	/* supervises (always so for a single user) */
};

enum access_action {
	ACCESS_RESUME,		/* continue a draft, changing its answers */
	ACCESS_READ,		/* read a record's answers */
	ACCESS_DISCARD,		/* discard a draft */
	ACCESS_HAND_OVER,	/* give a draft to another interviewer */
	ACCESS_REOPEN,		/* reopen a household's closed case */
	ACCESS_UPLOAD,		/* --upload */
	ACCESS_EXPORT,		/* --export (every record) */
	ACCESS_IMPORT,		/* --import */
	ACCESS_REPORT,		/* --report, and the report on screen */
	ACCESS_TRAIL,		/* see and export the trail */
};

/* Who login is under the config: a supervisor when the config names them
 * (or their group), or when it is not a team install. */
void access_init(struct access *a, const struct config *c, const char *login);

/* Whether a may do act (to record rec, for the actions on a record; NULL
 * otherwise). When not, *why (when why is not NULL) is a static message,
 * untranslated: pass it through _(). */
bool access_can(const struct access *a, enum access_action act,
    const struct record_info *rec, const char **why);

/* Whether rec is a's own (its interviewer is a's login). */
bool access_owns(const struct access *a, const struct record_info *rec);

#endif
