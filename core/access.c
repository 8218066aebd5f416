#include "access.h"

#include <string.h>

#include "i18n.h"
#include "team.h"
#include "util.h"

void
access_init(struct access *a, const struct config *c, const char *login)
{
	a->login = login;
	a->team = c->team != 0;
	a->supervisor = !a->team || team_is_supervisor(c, login) == 1;
}

bool
access_owns(const struct access *a, const struct record_info *rec)
{
	return rec != NULL && a->login != NULL && str_eq(rec->interviewer,
	    a->login);
}

static bool
is_draft(const struct record_info *rec)
{
	return rec != NULL && rec->status != NULL &&
	    strcmp(rec->status, "draft") == 0;
}

static bool
refuse(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
	return false;
}

bool
access_can(const struct access *a, enum access_action act,
    const struct record_info *rec, const char **why)
{
	bool own = access_owns(a, rec);

	if (why != NULL)
		*why = NULL;
	switch (act) {
	case ACCESS_RESUME:
		if (!is_draft(rec))
			return refuse(why, N_("this interview is finalized: it can be "
			    "read, never changed"));
		/* A single user keeps every draft of the database, whoever
		 * --interviewer named. */
		if (own || !a->team)
			return true;
		return refuse(why, a->supervisor ? N_("this draft is another "
		    "interviewer's: you can read it, or hand it over (to yourself, "
		    "too) to continue it") : N_("this draft is another "
		    "interviewer's: only they can continue it, or a supervisor "
		    "can hand it over to you"));
	case ACCESS_READ:
		if (own || a->supervisor)
			return true;
		return refuse(why, N_("this interview is another interviewer's: "
		    "only they and the supervisors can read its answers"));
	case ACCESS_DISCARD:
		if (!is_draft(rec))
			return refuse(why, N_("this interview is finalized: it cannot be "
			    "discarded"));
		if (own || (a->team && a->supervisor))
			return true;
		return refuse(why, a->team ? N_("this draft is another "
		    "interviewer's: only a supervisor can discard it") :
		    N_("this draft is another interviewer's: only they can "
		    "discard it"));
	case ACCESS_HAND_OVER:
		if (!is_draft(rec))
			return refuse(why, N_("this interview is finalized: it stays "
			    "with the interviewer who made it"));
		if (a->supervisor)
			return true;
		return refuse(why, N_("only a supervisor can hand a draft over"));
	case ACCESS_REOPEN:
		return a->supervisor ? true : refuse(why, N_("only a supervisor "
		    "can reopen a closed case"));
	case ACCESS_UPLOAD:
		return a->supervisor ? true : refuse(why, N_("only a supervisor can "
		    "upload: the records of the whole team go together"));
	case ACCESS_EXPORT:
		return a->supervisor ? true : refuse(why, N_("only a supervisor can "
		    "export: an export holds the whole team's records"));
	case ACCESS_IMPORT:
		return a->supervisor ? true : refuse(why, N_("only a supervisor can "
		    "import records"));
	case ACCESS_REPORT:
		return a->supervisor ? true : refuse(why, N_("only a supervisor can "
		    "run the report"));
	case ACCESS_TRAIL:
		return a->supervisor ? true : refuse(why, N_("only a supervisor can "
		    "see the trail"));
	}
	return refuse(why, N_("not allowed"));
}
