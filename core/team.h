/* A team install: one server, one shared database, each interviewer their
 * own login. Who belongs to the team, who supervises it, and whether its
 * folders and database are set up so that only doorstep can reach them. */
#ifndef DOORSTEP_TEAM_H
#define DOORSTEP_TEAM_H

#include <sys/types.h>

#include "config.h"

/* 1 when login is named in the config's supervisors or is a member of its
 * supervisor_group (primary or supplementary), else 0. */
int team_is_supervisor(const struct config *c, const char *login);

/* 1 when login is a member of the group named (primary or
 * supplementary), else 0 (also for a group or login that does not exist). */
int team_in_group(const char *login, const char *group);

/* Whether login may use the team install: a member of team_group (when the
 * config names one) or a supervisor. *cause says what to do otherwise. */
int team_check_member(const struct config *c, const char *login,
    char **cause);

/* Whether the data folder and the database are set up so that every
 * member's doorstep, running with the data group data_gid, can open them
 * and nobody else can: the folder exists, belongs to data_gid, is
 * writable by its group and closed to others; the database, when it
 * exists, belongs to data_gid with mode 0660. *cause names what to fix.
 * data_gid (gid_t)-1: the folder's own group (doorstep not setgid, run by
 * root or a member of that group). */
int team_check_database(const char *path, gid_t data_gid, char **cause);

/* Whether the forms folder exists and this user can read it. */
int team_check_forms(const char *dir, char **cause);

#endif
