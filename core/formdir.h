/* Finding the forms directory and reading the forms in it. */
#ifndef DOORSTEP_FORMDIR_H
#define DOORSTEP_FORMDIR_H

#include <stdbool.h>
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
	bool read;		/* form or error is set */
};

/* Lists every *.yaml file in dir, sorted by name, and reads them unless
 * lazy (then formdir_read reads them when they are needed). Returns -1
 * (with *cause) when the directory cannot be read. */
int formdir_load(const char *dir, struct formdir_entry **out, size_t *n,
    bool lazy, char **cause);

/* Reads the entries not read yet (and those read by formdir_heads). */
void formdir_read(struct formdir_entry *v, size_t n);
/* Reads of the entries not read yet only what a list of them shows
 * (form_load_head: id, version, languages, title): a long form in the
 * folder costs next to nothing until it is chosen. */
void formdir_heads(struct formdir_entry *v, size_t n);
void formdir_free(struct formdir_entry *v, size_t n);

#endif
