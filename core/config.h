/* Settings from $XDG_CONFIG_HOME/doorstep/config.yaml. */
#ifndef DOORSTEP_CONFIG_H
#define DOORSTEP_CONFIG_H

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
	long upload_request_timeout;	/* seconds; 0: the default */
	long upload_run_timeout;	/* seconds; 0: the default */
};

/* The config path: explicit, else $XDG_CONFIG_HOME/doorstep/config.yaml,
 * else ~/.config/doorstep/config.yaml (NULL when there is no HOME). */
char *config_default_path(const char *explicit_path);

/* Reads the file into c. A missing file is not an error unless it was
 * named explicitly; a broken one is (*cause: FILE:LINE:COL: message). */
int config_load(struct config *c, const char *path, int required,
    char **cause);
void config_free(struct config *c);

#endif
