#include "priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

static gid_t real_gid, data_gid;
static bool started_setgid;

int
priv_init(void)
{
	real_gid = getgid();
	data_gid = getegid();
	started_setgid = real_gid != data_gid;
	/* Nothing before the database needs the group: not even the locale. */
	return started_setgid && setegid(real_gid) != 0 ? -1 : 0;
}

bool
priv_setgid(void)
{
	return started_setgid;
}

gid_t
priv_data_gid(void)
{
	return data_gid;
}

int
priv_raise(char **cause)
{
	if (!started_setgid)
		return 0;
	if (setegid(data_gid) != 0) {
		set_cause(cause, _("cannot take the data group back: %s"),
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
priv_lower(char **cause)
{
	if (!started_setgid)
		return 0;
	if (setegid(real_gid) != 0 || getegid() != real_gid) {
		set_cause(cause, _("cannot drop the data group: %s"), strerror(errno));
		return -1;
	}
	return 0;
}

int
priv_drop_for_good(char **cause)
{
	gid_t r, e, s;

	if (!started_setgid)
		return 0;
	if (setresgid(real_gid, real_gid, real_gid) != 0 ||
	    getresgid(&r, &e, &s) != 0 || r != real_gid || e != real_gid ||
	    s != real_gid) {
		set_cause(cause, _("cannot drop the data group: %s"), strerror(errno));
		return -1;
	}
	return 0;
}

void
priv_clean_env(const char *login)
{
	static const char *const unsafe[] = {
		"TERMINFO", "TERMINFO_DIRS", "TERMCAP", "TMPDIR", "SQLITE_TMPDIR",
		"LOCPATH", "NLSPATH", "GCONV_PATH", "HOSTALIASES", "LOCALDOMAIN",
		"RES_OPTIONS", "MALLOC_CHECK_", "MALLOC_TRACE", "LD_PRELOAD",
		"LD_LIBRARY_PATH", "LD_AUDIT", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
		"XDG_CONFIG_DIRS", "XDG_DATA_DIRS", "EDITOR", "VISUAL", "SHELL",
		"PAGER",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(unsafe); i++)
		unsetenv(unsafe[i]);
	if (login != NULL) {
		setenv("USER", login, 1);
		setenv("LOGNAME", login, 1);
	}
}
