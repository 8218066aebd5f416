#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"
#include "ytree.h"

char *
config_default_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path != NULL)
		return xstrdup(explicit_path);
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		return xasprintf("%s/doorstep/config.yaml", env);
	if ((env = getenv("HOME")) != NULL && *env == '/')
		return xasprintf("%s/.config/doorstep/config.yaml", env);
	return NULL;
}

/* Where a setting given in seconds goes, or NULL for another key. */
static long *
seconds_setting(struct config *c, const char *key)
{
	if (strcmp(key, "upload_request_timeout") == 0)
		return &c->upload_request_timeout;
	if (strcmp(key, "upload_run_timeout") == 0)
		return &c->upload_run_timeout;
	return NULL;
}

int
config_load(struct config *c, const char *path, int required, char **cause)
{
	static const char *const keys[] = {
		"server", "site", "lang", "forms", "interviewer", "round",
		"code_prefix", "server_file"
	};
	char **slots[] = {
		&c->server, &c->site, &c->lang, &c->forms, &c->interviewer, &c->round,
		&c->code_prefix, &c->server_file
	};
	struct buf b = { 0 };
	char chunk[4096];
	struct ynode *root;
	size_t n, i, k;
	int line, col;
	char *why;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		set_cause(cause, _("cannot read the config %s: %s"), path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 1024 * 1024)
		buf_add(&b, chunk, n);
	fclose(f);
	root = ytree_parse(b.data ? b.data : "", b.len, &line, &col, &why);
	buf_free(&b);
	if (root == NULL) {
		if (why == NULL)
			return 0;	/* an empty file */
		set_cause(cause, _("%s:%d:%d: %s"), path, line, col, why);
		free(why);
		return -1;
	}
	if (root->kind != YNODE_MAP) {
		set_cause(cause, _("%s:%d:%d: the config must be a mapping such as "
		    "'site: beijing'"), path, root->line, root->col);
		ytree_free(root);
		return -1;
	}
	for (i = 0; i + 1 < root->n; i += 2) {
		const struct ynode *key = root->items[i], *val = root->items[i + 1];

		if (key->kind == YNODE_SCALAR && val->kind == YNODE_SCALAR &&
		    seconds_setting(c, key->str) != NULL) {
			long *slot = seconds_setting(c, key->str);
			char *end;

			errno = 0;
			*slot = strtol(val->str, &end, 10);
			if (errno != 0 || end == val->str || *end != '\0' || *slot < 1 ||
			    *slot > 7 * 24 * 3600) {
				set_cause(cause, _("%s:%d:%d: %s must be a number of seconds "
				    "(1 to 604800), not '%s'"), path, val->line, val->col,
				    key->str, val->str);
				ytree_free(root);
				return -1;
			}
			continue;
		}
		for (k = 0; k < ARRAY_LEN(keys); k++)
			if (key->kind == YNODE_SCALAR && strcmp(key->str, keys[k]) == 0)
				break;
		if (k == ARRAY_LEN(keys) || val->kind != YNODE_SCALAR) {
			set_cause(cause, _("%s:%d:%d: %s; the config knows server, site, "
			    "lang, forms, interviewer, round, code_prefix and server_file, "
			    "each set to a "
			    "text, and upload_request_timeout and upload_run_timeout, in "
			    "seconds"), path, key->line, key->col, k == ARRAY_LEN(keys) ?
			    "unknown setting" : "this setting must be a text");
			ytree_free(root);
			return -1;
		}
		free(*slots[k]);
		*slots[k] = xstrdup(val->str);
	}
	ytree_free(root);
	return 0;
}

void
config_free(struct config *c)
{
	free(c->server);
	free(c->site);
	free(c->lang);
	free(c->forms);
	free(c->interviewer);
	free(c->round);
	free(c->code_prefix);
	free(c->server_file);
	memset(c, 0, sizeof *c);
}

char *
config_read_secret(const char *path, char **cause)
{
	struct stat st;
	char line[4096], *p, *end;
	int fd;
	FILE *f;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fstat(fd, &st) != 0) {
		set_cause(cause, _("cannot read %s: %s"), path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		set_cause(cause, _("refusing to use %s: it holds the server's key or "
		    "password, so it must be a file of yours alone (mode %03o, "
		    "wanted 600): chmod 600 %s"), path, (unsigned)(st.st_mode & 0777),
		    path);
		close(fd);
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		set_cause(cause, _("cannot read %s: %s"), path, strerror(errno));
		close(fd);
		return NULL;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		p = line + strspn(line, " \t\r\n");
		end = p + strlen(p);
		while (end > p && strchr(" \t\r\n", end[-1]) != NULL)
			*--end = '\0';
		if (*p != '\0' && *p != '#') {
			fclose(f);
			return xstrdup(p);
		}
	}
	fclose(f);
	set_cause(cause, _("%s holds no server address"), path);
	return NULL;
}
