#include "team.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>

int
team_is_supervisor(const struct config *c, const char *login)
{
	const struct group *g;
	const struct passwd *pw;
	size_t i;

	if (login == NULL || *login == '\0')
		return 0;
	for (i = 0; i < c->n_supervisors; i++)
		if (strcmp(c->supervisors[i], login) == 0)
			return 1;
	if (c->supervisor_group == NULL || *c->supervisor_group == '\0' ||
	    (g = getgrnam(c->supervisor_group)) == NULL)
		return 0;
	for (i = 0; g->gr_mem != NULL && g->gr_mem[i] != NULL; i++)
		if (strcmp(g->gr_mem[i], login) == 0)
			return 1;
	pw = getpwnam(login);
	return pw != NULL && pw->pw_gid == g->gr_gid;
}
