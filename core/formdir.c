#include "formdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "i18n.h"
#include "util.h"

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
formdir_find(const char *explicit_dir, const char *config_dir,
    const char *installed_dir)
{
	const char *env = getenv("DOORSTEP_FORMS");

	if (explicit_dir != NULL)
		return xstrdup(explicit_dir);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (config_dir != NULL)
		return xstrdup(config_dir);
	if (installed_dir != NULL && is_dir(installed_dir))
		return xstrdup(installed_dir);
	return xstrdup("forms");
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
formdir_read(struct formdir_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct diags dg;

		if (v[i].read && (v[i].form == NULL || !v[i].form->head_only))
			continue;
		form_free(v[i].form);
		diags_init(&dg, v[i].path);
		v[i].form = form_load(v[i].path, &dg);
		if (v[i].form == NULL)
			v[i].error = diags_first(&dg);
		diags_free(&dg);
		v[i].read = true;
	}
}

void
formdir_heads(struct formdir_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct diags dg;

		if (v[i].read)
			continue;
		diags_init(&dg, v[i].path);
		v[i].form = form_load_head(v[i].path, &dg);
		if (v[i].form == NULL)
			v[i].error = diags_first(&dg);
		diags_free(&dg);
		v[i].read = true;
	}
}

int
formdir_load(const char *dir, struct formdir_entry **out, size_t *n,
    bool lazy, char **cause)
{
	struct dirent *de;
	char **names = NULL;
	size_t count = 0, i;
	DIR *d;

	*out = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		set_cause(cause, _("cannot read the forms folder %s: %s"), dir,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    (strcmp(de->d_name + len - 5, ".yaml") != 0 &&
		    strcmp(de->d_name + len - 4, ".yml") != 0))
			continue;
		names = xreallocarray(names, count + 1, sizeof *names);
		names[count++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (count > 1)
		qsort(names, count, sizeof *names, name_cmp);
	*out = xcalloc(count, sizeof **out);
	for (i = 0; i < count; i++) {
		(*out)[i].path = xasprintf("%s/%s", dir, names[i]);
		free(names[i]);
	}
	free(names);
	*n = count;
	if (!lazy)
		formdir_read(*out, count);
	return 0;
}

void
formdir_free(struct formdir_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		form_free(v[i].form);
		free(v[i].error);
	}
	free(v);
}
