/* A team install: who among the logins supervises. */
#ifndef DOORSTEP_TEAM_H
#define DOORSTEP_TEAM_H

#include "config.h"

/* Whether login supervises: named in the config's supervisors, or a
 * member of its supervisor_group (as a supplementary or primary group).
 * 1 yes, 0 no. */
int team_is_supervisor(const struct config *c, const char *login);

#endif
