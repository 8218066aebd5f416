#include "team.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

int
team_in_group(const char *login, const char *group)
{
	struct passwd *pw;
	struct group *gr;
	gid_t want, pgid, *groups;
	int n = 64, i, found = 0;

	if (login == NULL || group == NULL || (gr = getgrnam(group)) == NULL)
		return 0;
	want = gr->gr_gid;
	if ((pw = getpwnam(login)) == NULL)
		return 0;
	pgid = pw->pw_gid;
	if (pgid == want)
		return 1;
	groups = xcalloc((size_t)n, sizeof *groups);
	if (getgrouplist(login, pgid, groups, &n) < 0) {
		/* n now says how many there are. */
		free(groups);
		groups = xcalloc((size_t)n, sizeof *groups);
		if (getgrouplist(login, pgid, groups, &n) < 0)
			n = 0;
	}
	for (i = 0; i < n && !found; i++)
		found = groups[i] == want;
	free(groups);
	return found;
}

int
team_is_supervisor(const struct config *c, const char *login)
{
	size_t i;

	if (c == NULL || login == NULL)
		return 0;
	for (i = 0; i < c->n_supervisors; i++)
		if (strcmp(c->supervisors[i], login) == 0)
			return 1;
	return c->supervisor_group != NULL &&
	    team_in_group(login, c->supervisor_group);
}

int
team_check_member(const struct config *c, const char *login, char **cause)
{
	if (c->team_group == NULL || team_in_group(login, c->team_group) ||
	    team_is_supervisor(c, login))
		return 0;
	if (getgrnam(c->team_group) == NULL)
		set_cause(cause, _("the system config names the team group %s, which "
		    "does not exist: create it with groupadd %s"), c->team_group,
		    c->team_group);
	else
		set_cause(cause, _("%s is not in the team group %s: ask the "
		    "administrator to add you (usermod -a -G %s %s), then log in "
		    "again"), login, c->team_group, c->team_group, login);
	return -1;
}

/* The name of a group, for a message (a static buffer for an unknown one). */
static const char *
group_name(gid_t gid)
{
	static char number[32];
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		return gr->gr_name;
	snprintf(number, sizeof number, "%lu", (unsigned long)gid);
	return number;
}

int
team_check_database(const char *path, gid_t data_gid, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir, *data_group;
	struct stat st;
	int rc = -1, err;

	if (slash == NULL || slash == path) {
		set_cause(cause, _("the team's database %s must be in a folder of "
		    "its own, such as /var/lib/doorstep/doorstep.db"), path);
		return -1;
	}
	dir = xstrndup(path, (size_t)(slash - path));
	data_group = xstrdup(group_name(data_gid));
	if ((err = stat(dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 :
	    ENOTDIR) != 0) {
		set_cause(cause, _("the team's data folder %s: %s: create it as root "
		    "with install -d -o root -g %s -m 2770 %s"), dir, strerror(err),
		    data_group, dir);
		goto out;
	}
	if (data_gid == (gid_t)-1)
		data_gid = st.st_gid;	/* root, or a member of the data group */
	free(data_group);
	data_group = xstrdup(group_name(data_gid));
	if (st.st_gid != data_gid || (st.st_mode & 0070) != 0070) {
		set_cause(cause, _("the team's data folder %s must belong to the "
		    "group %s that doorstep runs as, and be writable by it: as "
		    "root, chgrp %s %s && chmod 2770 %s"), dir, data_group,
		    data_group, dir, dir);
		goto out;
	}
	if ((st.st_mode & 0007) != 0) {
		set_cause(cause, _("other users can reach the team's data folder "
		    "%s, and with it the households' answers: as root, chmod 2770 "
		    "%s"), dir, dir);
		goto out;
	}
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			rc = 0;	/* the first start creates it */
		else
			set_cause(cause, _("cannot open the database %s: %s"), path,
			    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_cause(cause, _("the team's database %s is not a file"), path);
		goto out;
	}
	if (st.st_gid != data_gid || (st.st_mode & 0660) != 0660 ||
	    (st.st_mode & 0007) != 0) {
		set_cause(cause, _("the team's database %s belongs to %s:%s with "
		    "mode %03o; doorstep needs group %s and mode 660: as root, "
		    "chgrp %s %s && chmod 660 %s"), path,
		    getpwuid(st.st_uid) ? getpwuid(st.st_uid)->pw_name : "?",
		    group_name(st.st_gid), (unsigned)(st.st_mode & 0777), data_group,
		    data_group, path, path);
		goto out;
	}
	rc = 0;
out:
	free(dir);
	free(data_group);
	return rc;
}

int
team_check_forms(const char *dir, char **cause)
{
	struct stat st;
	int err = stat(dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

	if (err != 0) {
		set_cause(cause, _("the team's forms folder %s: %s: create it and put "
		    "the team's forms in it, or correct 'forms:' in %s"), dir,
		    strerror(err), CONFIG_SYSTEM_PATH);
		return -1;
	}
	if (access(dir, R_OK | X_OK) != 0) {
		set_cause(cause, _("cannot read the team's forms folder %s: %s: as "
		    "root, chmod 755 %s"), dir, strerror(errno), dir);
		return -1;
	}
	return 0;
}
