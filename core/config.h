/* Settings from $XDG_CONFIG_HOME/doorstep/config.yaml. */
#ifndef DOORSTEP_CONFIG_H
#define DOORSTEP_CONFIG_H

#include <stddef.h>

/* A site of the organisation, from the config's sites: list. */
struct config_site {
	char *name;
	char *prefix;		/* of its household codes (BJ), or NULL */
};
/* The system config, compiled in (SYSCONFDIR): never taken from the
 * environment, which a user of a setgid program controls. */
#ifndef DOORSTEP_SYSCONF_DIR
#define DOORSTEP_SYSCONF_DIR "/usr/local/etc"
#endif
#define CONFIG_SYSTEM_PATH DOORSTEP_SYSCONF_DIR "/doorstep/config.yaml"

struct config {
	char *server;
	char *site;
	char *lang;
	char *forms;
	char *interviewer;
	char *round;
	char *code_prefix;	/* of new household codes: BJ makes BJ-0001 */
	char *pseudonym_key;	/* the secret of --deidentify's pseudonyms */
	char *share_threshold;	/* --report --share: smallest count shown */
	char *server_file;	/* a file of mode 0600 holding the server's URL */
	char *look;		/* the screen's look: colour (NULL) or plain */
	long upload_request_timeout;	/* seconds; 0: the default */
	long upload_run_timeout;	/* seconds; 0: the default */
	struct config_site *sites;	/* sites: the list to choose from */
	size_t nsites;
	/* From the system config only (config_load_system): */
	int team;		/* 1: a team install; nothing of the user's overrides it */
	char *database;		/* the shared database */
	char *team_group;	/* the group whose members may run interviews */
	char **supervisors;	/* logins */
	size_t n_supervisors;
	char *supervisor_group;
};

/* The config path: explicit, else $XDG_CONFIG_HOME/doorstep/config.yaml,
 * else ~/.config/doorstep/config.yaml (NULL when there is no HOME). */
char *config_default_path(const char *explicit_path);

/* Reads the file into c. A missing file is not an error unless it was
 * named explicitly; a broken one is (*cause: FILE:LINE:COL: message). */
int config_load(struct config *c, const char *path, int required,
    char **cause);
/* Reads the system config (CONFIG_SYSTEM_PATH), which may also say
 * team, database, team_group, supervisors and supervisor_group. A missing
 * file is not an error (no team: today's single-user behaviour). */
int config_load_system(struct config *c, const char *path, char **cause);
void config_free(struct config *c);

/* The site of the list called name, in any case of its Latin letters
 * (beijing finds Beijing), or NULL. */
const struct config_site *config_site(const struct config *c,
    const char *name);
/* The first line (not blank, not #) of a file that holds a secret, such
 * as the upload address with an app user's key; refused unless the file
 * is the user's own and no one else may read it. */
char *config_read_secret(const char *path, char **cause);

#endif
