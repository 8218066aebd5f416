/* Finding the forms directory and reading the forms in it. */
#ifndef DOORSTEP_FORMDIR_H
#define DOORSTEP_FORMDIR_H

#include <stddef.h>

#include "form.h"

/* The forms directory: explicit (--forms), else $DOORSTEP_FORMS, else the
 * config's, else the installed one (if it exists), else ./forms. */
char *formdir_find(const char *explicit_dir, const char *config_dir,
    const char *installed_dir);

/* One *.yaml file of the directory: loaded, or why not. */
struct formdir_entry {
	char *path;
	struct form *form;	/* NULL when the file has errors */
	char *error;		/* the first error, FILE:LINE:COL: message */
};

/* Reads every *.yaml file in dir, sorted by name. Returns -1 (with
 * *cause) when the directory cannot be read. */
int formdir_load(const char *dir, struct formdir_entry **out, size_t *n,
    char **cause);
void formdir_free(struct formdir_entry *v, size_t n);

#endif
