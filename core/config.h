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
	char *server_file;	/* a file of mode 0600 holding the server's URL */
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

/* The first line (not blank, not #) of a file that holds a secret, such
 * as the upload address with an app user's key; refused unless the file
 * is the user's own and no one else may read it. */
char *config_read_secret(const char *path, char **cause);

#endif
