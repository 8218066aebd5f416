#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static bool
is_seconds_setting(const char *key)
{
	return strcmp(key, "upload_request_timeout") == 0 ||
	    strcmp(key, "upload_run_timeout") == 0;
}

/* Where a setting given in seconds goes (is_seconds_setting). */
static long *
seconds_setting(struct config *c, const char *key)
{
	return strcmp(key, "upload_request_timeout") == 0 ?
	    &c->upload_request_timeout : &c->upload_run_timeout;
}

const struct config_site *
config_site(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < c->nsites; i++)
		if (strcasecmp(c->sites[i].name, name) == 0)
			return &c->sites[i];
	return NULL;
}

/* sites: a list of {name: Beijing, prefix: BJ}, each name once. */
static int
parse_sites(struct config *c, const char *path, const struct ynode *list,
    char **cause)
{
	size_t i;

	for (i = 0; i < c->nsites; i++) {	/* a later sites: wins */
		free(c->sites[i].name);
		free(c->sites[i].prefix);
	}
	free(c->sites);
	c->sites = NULL;
	c->nsites = 0;
	if (list->kind != YNODE_SEQ || list->n == 0) {
		set_cause(cause, _("%s:%d:%d: sites must be a list such as "
		    "[{name: Beijing, prefix: BJ}, {name: Jiangxi, prefix: JX}]"), path,
		    list->line, list->col);
		return -1;
	}
	c->sites = xcalloc(list->n, sizeof *c->sites);
	for (i = 0; i < list->n; i++) {
		const struct ynode *item = list->items[i], *name, *prefix;
		size_t k;

		name = item->kind == YNODE_MAP ? ytree_get(item, "name") : NULL;
		prefix = item->kind == YNODE_MAP ? ytree_get(item, "prefix") : NULL;
		for (k = 0; item->kind == YNODE_MAP && k + 1 < item->n; k += 2)
			if (item->items[k]->kind != YNODE_SCALAR ||
			    (strcmp(item->items[k]->str, "name") != 0 &&
			    strcmp(item->items[k]->str, "prefix") != 0))
				name = NULL;
		if (name == NULL || name->kind != YNODE_SCALAR || *name->str == '\0' ||
		    (prefix != NULL && prefix->kind != YNODE_SCALAR)) {
			set_cause(cause, _("%s:%d:%d: a site is {name: Beijing, prefix: "
			    "BJ}: a name, and the prefix of its household codes if it "
			    "has one"), path, item->line, item->col);
			return -1;
		}
		if (config_site(c, name->str) != NULL) {
			set_cause(cause, _("%s:%d:%d: the site '%s' is listed twice"),
			    path, name->line, name->col, name->str);
			return -1;
		}
		c->sites[c->nsites].name = xstrdup(name->str);
		c->sites[c->nsites++].prefix = prefix ? xstrdup(prefix->str) : NULL;
	}
	return 0;
}

/* Whether key is one of the system config's team settings. */
static bool
team_setting(const char *key)
{
	static const char *const keys[] = {
		"team", "database", "team_group", "supervisors", "supervisor_group"
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(keys); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/* Reads one team setting of the system config into c. */
static int
load_team_setting(struct config *c, const char *path, const struct ynode *key,
    const struct ynode *val, char **cause)
{
	size_t i;

	if (strcmp(key->str, "supervisors") == 0) {
		const struct ynode *const *items = &val;
		size_t n = 1;

		if (val->kind == YNODE_SCALAR && strpbrk(val->str, ", ") != NULL) {
			/* One text of logins: "wang, li". */
			char *copy = xstrdup(val->str), *tok, *save = NULL;

			for (i = 0; i < c->n_supervisors; i++)
				free(c->supervisors[i]);
			free(c->supervisors);
			c->supervisors = NULL;
			c->n_supervisors = 0;
			for (tok = strtok_r(copy, ", ", &save); tok != NULL;
			    tok = strtok_r(NULL, ", ", &save)) {
				c->supervisors = xreallocarray(c->supervisors,
				    c->n_supervisors + 2, sizeof *c->supervisors);
				c->supervisors[c->n_supervisors++] = xstrdup(tok);
				c->supervisors[c->n_supervisors] = NULL;
			}
			free(copy);
			return 0;
		}
		if (val->kind == YNODE_SEQ) {
			items = (const struct ynode *const *)val->items;
			n = val->n;
		}
		for (i = 0; i < n; i++)
			if (items[i]->kind != YNODE_SCALAR || *items[i]->str == '\0') {
				set_cause(cause, _("%s:%d:%d: supervisors must be a list of "
				    "logins, such as [alice, bob]"), path, items[i]->line,
				    items[i]->col);
				return -1;
			}
		for (i = 0; i < c->n_supervisors; i++)
			free(c->supervisors[i]);
		free(c->supervisors);
		c->supervisors = xcalloc(n + 1, sizeof *c->supervisors);
		for (i = 0; i < n; i++)
			c->supervisors[i] = xstrdup(items[i]->str);
		c->n_supervisors = n;
		return 0;
	}
	if (val->kind != YNODE_SCALAR || *val->str == '\0') {
		set_cause(cause, _("%s:%d:%d: %s must be a text"), path, val->line,
		    val->col, key->str);
		return -1;
	}
	if (strcmp(key->str, "team") == 0) {
		if (strcmp(val->str, "true") == 0 || strcmp(val->str, "yes") == 0)
			c->team = 1;
		else if (strcmp(val->str, "false") == 0 || strcmp(val->str, "no") == 0)
			c->team = 0;
		else {
			set_cause(cause, _("%s:%d:%d: team must be true or false, not "
			    "'%s'"), path, val->line, val->col, val->str);
			return -1;
		}
		return 0;
	}
	if (strcmp(key->str, "database") == 0) {
		if (*val->str != '/') {
			set_cause(cause, _("%s:%d:%d: database must be a full path, "
			    "such as /var/lib/doorstep/doorstep.db"), path, val->line,
			    val->col);
			return -1;
		}
		free(c->database);
		c->database = xstrdup(val->str);
	} else if (strcmp(key->str, "team_group") == 0) {
		free(c->team_group);
		c->team_group = xstrdup(val->str);
	} else {
		free(c->supervisor_group);
		c->supervisor_group = xstrdup(val->str);
	}
	return 0;
}

static int
load(struct config *c, const char *path, int required, bool system,
    char **cause)
{
	static const char *const keys[] = {
		"server", "site", "lang", "forms", "interviewer", "round",
		"code_prefix", "pseudonym_key", "share_threshold",
		"server_file", "look"
	};
	char **slots[] = {
		&c->server, &c->site, &c->lang, &c->forms, &c->interviewer, &c->round,
		&c->code_prefix, &c->pseudonym_key, &c->share_threshold,
		&c->server_file, &c->look
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

		if (key->kind == YNODE_SCALAR && strcmp(key->str, "sites") == 0) {
			if (parse_sites(c, path, val, cause) != 0) {
				ytree_free(root);
				return -1;
			}
			continue;
		}
		if (key->kind == YNODE_SCALAR && val->kind == YNODE_SCALAR &&
		    is_seconds_setting(key->str)) {
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
		if (key->kind == YNODE_SCALAR && team_setting(key->str)) {
			if (!system) {
				set_cause(cause, _("%s:%d:%d: %s belongs in the system config "
				    "(%s), not in a user's"), path, key->line, key->col,
				    key->str, CONFIG_SYSTEM_PATH);
				ytree_free(root);
				return -1;
			}
			if (load_team_setting(c, path, key, val, cause) != 0) {
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
			    "lang, forms, interviewer, round, code_prefix, pseudonym_key, "
			    "share_threshold, server_file and look, each set to a text, and "
			    "upload_request_timeout and upload_run_timeout, in "
			    "seconds, and sites, a list of {name: ..., prefix: ...}; the "
			    "system config also knows team, database, team_group, "
			    "supervisors and supervisor_group"), path,
			    key->line, key->col, k == ARRAY_LEN(keys) ?
			    "unknown setting" : "this setting must be a text");
			ytree_free(root);
			return -1;
		}
		free(*slots[k]);
		*slots[k] = xstrdup(val->str);
	}
	ytree_free(root);
	if (system && c->team && c->interviewer != NULL) {
		set_cause(cause, _("%s: a team config must not name an "
		    "interviewer: each interviewer is their own login"), path);
		return -1;
	}
	if (system && c->team && c->database == NULL) {
		set_cause(cause, _("%s: a team config must name the shared "
		    "database, such as 'database: /var/lib/doorstep/doorstep.db'"),
		    path);
		return -1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, int required, char **cause)
{
	return load(c, path, required, false, cause);
}

int
config_load_system(struct config *c, const char *path, char **cause)
{
	return load(c, path, 0, true, cause);
}

void
config_free(struct config *c)
{
	size_t i;

	free(c->server);
	free(c->site);
	free(c->lang);
	free(c->forms);
	free(c->interviewer);
	free(c->round);
	free(c->code_prefix);
	for (i = 0; i < c->nsites; i++) {
		free(c->sites[i].name);
		free(c->sites[i].prefix);
	}
	free(c->sites);
	free(c->database);
	free(c->team_group);
	free(c->supervisor_group);
	for (i = 0; i < c->n_supervisors; i++)
		free(c->supervisors[i]);
	free(c->supervisors);
	free(c->pseudonym_key);
	free(c->share_threshold);
	free(c->server_file);
	free(c->look);
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
