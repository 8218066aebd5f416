/* The one privilege of a team install: doorstep is installed setgid to a
 * data group that interviewers are not in (mail and game programs do the
 * same), so that the shared database is reachable only through it. The
 * group is dropped at once at start, taken back only while the database
 * is opened, then given up for good: every file a user names, the
 * terminal database and the forms are read with the user's own rights. */
#ifndef DOORSTEP_PRIV_H
#define DOORSTEP_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

/* Called first thing in main: remembers the data group (the effective
 * group at start) and drops it to the real group; -1 if it cannot (the
 * caller must then stop). */
int priv_init(void);

/* Whether this process started with a group other than its user's
 * (installed setgid and run by someone not in that group). */
bool priv_setgid(void);

/* The data group: the effective group doorstep started with. */
gid_t priv_data_gid(void);

/* Takes the data group back, or gives it up again. */
int priv_raise(char **cause);
int priv_lower(char **cause);

/* Gives the data group up for good (real, effective and saved). */
int priv_drop_for_good(char **cause);

/* Clears what a user could use to steer a privileged program: the
 * terminal database's places (TERMINFO, TERMINFO_DIRS, TERMCAP), SQLite's
 * and the C library's temporary folders, locale and message catalog paths
 * (the C library already ignores these and LD_* in a setgid program; they
 * are cleared again for what runs after the group is dropped), and sets
 * USER and LOGNAME to login. */
void priv_clean_env(const char *login);

#endif
