#include "entity.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "household.h"
#include "i18n.h"
#include "ids.h"
#include "lineedit.h"
#include "phone.h"
#include "store-impl.h"
#include "text.h"
#include "trail.h"
#include "xml.h"

/* The register's own properties, in the order a list shows them. */
static const char *const register_props[] = {
	"code", "head", "phone", "site", "status", "next_visit", "round", NULL
};

/* The most each download may bring. */
#define LIST_MAX ((size_t)64 * 1024 * 1024)
#define PAGE_MAX ((size_t)4 * 1024 * 1024)

static bool
in_list(const char *const *v, const char *s)
{
	for (; *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* A letter as Central's \p{L} takes it: ASCII letters, and any
 * character beyond ASCII (doorstep does not tell letters from other
 * characters there; Central will say). */
static bool
letter(unsigned char c)
{
	return isalpha(c) || c >= 0x80;
}

bool
entity_dataset_valid(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (*p == '\0' || strncmp(name, "__", 2) == 0 ||
	    !(letter(*p) || *p == '_' || *p == ':'))
		return false;
	for (p++; *p; p++)
		if (!(letter(*p) || isdigit(*p) || *p == '_' || *p == '-' ||
		    *p == ':'))
			return false;
	return strlen(name) <= 64;
}

const char *
entity_property_why(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (strcasecmp(name, "name") == 0 || strcasecmp(name, "label") == 0)
		return N_("ODK Central keeps 'name' and 'label' for the entity itself");
	if (strncmp(name, "__", 2) == 0)
		return N_("ODK Central keeps names beginning with '__' for itself");
	if (*p == '\0' || !(letter(*p) || *p == '_'))
		return N_("a property begins with a letter or '_'");
	for (p++; *p; p++)
		if (!(letter(*p) || isdigit(*p) || *p == '_' || *p == '-' || *p == '.'))
			return N_("a property holds only letters, digits, '_', '.' and '-'");
	if (in_list(register_props, name))
		return N_("the household register fills it (code, head, phone, site, "
		    "status, next_visit, round)");
	return NULL;
}

/* JSON objects of properties (string values). */

static json_t *
props_parse(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

static char *
props_dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static const char *
prop(const json_t *j, const char *name)
{
	const json_t *v = json_object_get(j, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
prop_set(json_t *j, const char *name, const char *value)
{
	json_object_set_new(j, name, json_string(value ? value : ""));
}

/* The household as the entity sees it. */
struct hh {
	int64_t id;
	char *code, *site, *head, *phone, *status, *next_visit;
	char *entity_id, *branch, *server;
	long version;
	long trunk;		/* 0: none */
};

static void
hh_clear(struct hh *h)
{
	free(h->code);
	free(h->site);
	free(h->head);
	free(h->phone);
	free(h->status);
	free(h->next_visit);
	free(h->entity_id);
	free(h->branch);
	free(h->server);
	memset(h, 0, sizeof *h);
}

static const char hh_columns[] = "id, code, site, head, phone, status, "
    "next_visit, entity_id, entity_branch, entity_server, entity_version, "
    "coalesce(entity_trunk, 0) FROM households WHERE ";

/* The household where `where` (one ? bound to key): 0 found, 1 none, -1. */
static int
hh_get(struct store *s, const char *where, const char *key, struct hh *h,
    char **cause)
{
	sqlite3_stmt *st;
	char *sql = xasprintf("SELECT %s%s", hh_columns, where);
	int rc;

	memset(h, 0, sizeof *h);
	rc = sq_prepare(s, sql, &st, cause);
	free(sql);
	if (rc != 0)
		return -1;
	sq_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		h->id = sqlite3_column_int64(st, 0);
		h->code = sq_col_dup(st, 1);
		h->site = sq_col_dup(st, 2);
		h->head = sq_col_dup(st, 3);
		h->phone = sq_col_dup(st, 4);
		h->status = sq_col_dup(st, 5);
		h->next_visit = sq_col_dup(st, 6);
		h->entity_id = sq_col_dup(st, 7);
		h->branch = sq_col_dup(st, 8);
		h->server = sq_col_dup(st, 9);
		h->version = (long)sqlite3_column_int64(st, 10);
		h->trunk = (long)sqlite3_column_int64(st, 11);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, cause, _("cannot read the household"));
	return 1;
}

/* A fresh UUID without the "uuid:" of an instance ID, as ODK Collect's
 * uuid() writes an entity's id. */
static int
new_uuid(char out[37], char **cause)
{
	char id[42];

	if (ids_instance_id(id) != 0) {
		set_cause(cause, "%s", _("this system gives no randomness for an ID"));
		return -1;
	}
	memcpy(out, id + 5, 37);
	return 0;
}

static void
meta_el(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "    <%s>", name);
	xml_escape(b, value ? value : "");
	buf_printf(b, "</%s>\n", name);
}

static void
entity_attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	xml_escape(b, value ? value : "");
	buf_addc(b, '"');
}

char *
entity_stamp(struct store *s, const struct interview *iv,
    const struct record_info *rec, char **cause)
{
	const struct form *f = iv->form;
	struct buf b = { 0 };
	struct hh h;
	json_t *props;
	char uuid[37], branch[37], base[24] = "", trunk[24] = "", *label, *text;
	bool create;
	sqlite3_stmt *st;
	size_t q;
	int rc;

	if (f->entity_dataset == NULL || rec->household == NULL)
		return xstrdup("");
	rc = hh_get(s, "code = ? COLLATE NOCASE", rec->household, &h, cause);
	if (rc != 0)
		return rc < 0 ? NULL : xstrdup("");
	/* The register as this interview leaves it: its answers to the
	 * questions filled from the register go there at finalize. */
	for (q = 0; q < f->nquestions; q++) {
		const struct question *qq = f->questions[q];
		const char *v = qq->repeat ? NULL : interview_value(iv, q, 0);

		if (v == NULL || !interview_relevant(iv, q, 0))
			continue;
		if (qq->from_household == HF_HEAD) {
			free(h.head);
			h.head = xstrdup(v);
		} else if (qq->from_household == HF_PHONE) {
			free(h.phone);
			h.phone = xstrdup(v);
		}
	}
	props = json_object();
	prop_set(props, "code", rec->household);
	prop_set(props, "head", h.head);
	prop_set(props, "phone", h.phone);
	prop_set(props, "site", rec->site);
	prop_set(props, "status", h.status);
	prop_set(props, "next_visit", h.next_visit);
	prop_set(props, "round", rec->round);
	for (q = 0; q < f->nquestions; q++) {
		const struct question *qq = f->questions[q];

		if (qq->save_to != NULL && interview_relevant(iv, q, 0))
			prop_set(props, qq->save_to, interview_value(iv, q, 0));
	}

	/* Create the first time (as Collect does offline: version 1 on a new
	 * branch), then update from the version this database gave it last;
	 * a branch begins where the server's version (the trunk) was. */
	create = h.version == 0 || h.entity_id == NULL;
	if (h.entity_id == NULL) {
		if (new_uuid(uuid, cause) != 0)
			goto fail;
	} else
		snprintf(uuid, sizeof uuid, "%s", h.entity_id);
	if (create || h.branch == NULL || h.version == h.trunk) {
		if (new_uuid(branch, cause) != 0)
			goto fail;
	} else
		snprintf(branch, sizeof branch, "%s", h.branch);
	if (!create) {
		snprintf(base, sizeof base, "%ld", h.version);
		if (h.trunk > 0)
			snprintf(trunk, sizeof trunk, "%ld", h.trunk);
	}
	if (sq_prepare(s, "UPDATE households SET entity_id = ?, entity_version = ?, "
	    "entity_branch = ? WHERE id = ?", &st, cause) != 0)
		goto fail;
	sq_bind_text(st, 1, uuid);
	sqlite3_bind_int64(st, 2, create ? 1 : h.version + 1);
	sq_bind_text(st, 3, branch);
	sqlite3_bind_int64(st, 4, h.id);
	if (sq_step_done(s, st, cause, _("cannot save the household")) != 0)
		goto fail;
	text = props_dump(props);
	if (sq_prepare(s, "INSERT OR REPLACE INTO entity_sent (record_id, "
	    "household_id, props) VALUES (?, ?, ?)", &st, cause) != 0) {
		free(text);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, rec->id);
	sqlite3_bind_int64(st, 2, h.id);
	sq_bind_text(st, 3, text);
	free(text);
	if (sq_step_done(s, st, cause, _("cannot save the household")) != 0)
		goto fail;

	meta_el(&b, "household_head", h.head);
	meta_el(&b, "household_phone", h.phone);
	meta_el(&b, "household_status", h.status);
	meta_el(&b, "household_next_visit", h.next_visit);
	buf_adds(&b, "    <entity");
	entity_attr(&b, "dataset", f->entity_dataset);
	entity_attr(&b, "id", uuid);
	entity_attr(&b, "create", create ? "1" : "");
	entity_attr(&b, "update", create ? "" : "1");
	entity_attr(&b, "baseVersion", base);
	entity_attr(&b, "trunkVersion", trunk);
	entity_attr(&b, "branchId", create ? "" : branch);
	buf_adds(&b, ">\n      <label>");
	label = h.head && *h.head ? xasprintf("%s %s", rec->household, h.head) :
	    xstrdup(rec->household);
	xml_escape(&b, label);
	free(label);
	buf_adds(&b, "</label>\n    </entity>\n");
	json_decref(props);
	hh_clear(&h);
	return buf_steal(&b);
fail:
	json_decref(props);
	hh_clear(&h);
	buf_free(&b);
	return NULL;
}

int
entity_sent(struct store *s, int64_t record, char **cause)
{
	sqlite3_stmt *st;
	int64_t household;
	json_t *sent, *server;
	char *text;
	int rc;

	if (sq_prepare(s, "SELECT e.household_id, e.props, h.entity_server FROM "
	    "entity_sent e JOIN households h ON h.id = e.household_id WHERE "
	    "e.record_id = ?", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 :
		    sq_fail(s, cause, _("cannot read the household"));
	}
	household = sqlite3_column_int64(st, 0);
	sent = props_parse((const char *)sqlite3_column_text(st, 1));
	server = props_parse((const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	json_object_update(server, sent);
	text = props_dump(server);
	json_decref(sent);
	json_decref(server);
	if (sq_prepare(s, "UPDATE households SET entity_server = ? WHERE id = ?",
	    &st, cause) != 0) {
		free(text);
		return -1;
	}
	sq_bind_text(st, 1, text);
	sqlite3_bind_int64(st, 2, household);
	free(text);
	if (sq_step_done(s, st, cause, _("cannot save the household")) != 0 ||
	    sq_prepare(s, "DELETE FROM entity_sent WHERE record_id = ?", &st,
	    cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	return sq_step_done(s, st, cause, _("cannot save the household"));
}

/* The XForm. */

void
entity_xform_instance(struct buf *b, const struct form *f)
{
	if (f->entity_dataset == NULL)
		return;
	/* The list as a secondary instance: Central then lists it in the
	 * form's manifest, and links the form's attachment to the list. */
	buf_adds(b, "      <instance id=\"");
	xml_escape(b, f->entity_dataset);
	buf_adds(b, "\" src=\"jr://file-csv/");
	xml_escape(b, f->entity_dataset);
	buf_adds(b, ".csv\"/>\n");
}

void
entity_xform_meta(struct buf *b, const struct form *f)
{
	if (f->entity_dataset == NULL)
		return;
	buf_adds(b, "            <household_head/>\n"
	    "            <household_phone/>\n"
	    "            <household_status/>\n"
	    "            <household_next_visit/>\n"
	    "            <entity");
	entity_attr(b, "dataset", f->entity_dataset);
	entity_attr(b, "id", "");
	if (f->entity_create)
		entity_attr(b, "create", "1");
	if (f->entity_update)
		entity_attr(b, "update", "1");
	entity_attr(b, "baseVersion", "");
	entity_attr(b, "trunkVersion", "");
	entity_attr(b, "branchId", "");
	buf_adds(b, ">\n              <label/>\n            </entity>\n");
}

void
entity_xform_binds(struct buf *b, const struct form *f)
{
	static const char *const fields[][2] = {
		{ "household_head", "head" }, { "household_phone", "phone" },
		{ "household_status", "status" },
		{ "household_next_visit", "next_visit" },
	};
	static const char *const attrs[] = {
		"id", "baseVersion", "trunkVersion", "branchId",
	};
	size_t i;

	if (f->entity_dataset == NULL)
		return;
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		buf_printf(b, "      <bind nodeset=\"/%s/meta/%s\" type=\"string\" "
		    "readonly=\"true()\" entities:saveto=\"%s\"/>\n", f->id,
		    fields[i][0], fields[i][1]);
	for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
		buf_printf(b, "      <bind nodeset=\"/%s/meta/entity/@%s\" "
		    "type=\"string\" readonly=\"true()\"/>\n", f->id, attrs[i]);
	buf_printf(b, "      <bind nodeset=\"/%s/meta/entity/label\" "
	    "type=\"string\" readonly=\"true()\" calculate=\"concat(/%s/meta/"
	    "household, ' ', /%s/meta/household_head)\"/>\n", f->id, f->id, f->id);
	buf_printf(b, "      <setvalue event=\"odk-instance-first-load\" "
	    "ref=\"/%s/meta/entity/@id\" value=\"uuid()\"/>\n", f->id);
}

/* Conflicts. */

int
entity_conflicts(struct store *s, int64_t household_id,
    struct entity_conflict **out, size_t *n, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (sq_prepare(s, "SELECT name, mine, theirs, version FROM entity_conflicts "
	    "WHERE household_id = ? ORDER BY name", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, household_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct entity_conflict *c;

		*out = xreallocarray(*out, *n + 1, sizeof **out);
		c = &(*out)[(*n)++];
		c->name = sq_col_dup(st, 0);
		c->mine = sq_col_dup(st, 1);
		c->theirs = sq_col_dup(st, 2);
		c->version = (long)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		entity_conflicts_free(*out, *n);
		*out = NULL;
		*n = 0;
		return sq_fail(s, cause, _("cannot read the household"));
	}
	return 0;
}

void
entity_conflicts_free(struct entity_conflict *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].mine);
		free(v[i].theirs);
	}
	free(v);
}

long
entity_conflict_count(struct store *s, char **cause)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sq_prepare(s, "SELECT count(DISTINCT household_id) FROM "
	    "entity_conflicts", &st, cause) != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Takes a server value of a register property into the household (inside
 * the caller's transaction). 1 when the register refuses it (*cause). */
static int
take_register(struct store *s, int64_t id, const char *name,
    const char *value, char **cause)
{
	struct household h;
	char **field = NULL;
	int rc;

	if (strcmp(name, "status") == 0) {
		if (household_get_id(s, id, &h, cause) != 0)
			return -1;
		rc = 0;
		if (value && strcmp(value, "closed") == 0 && !h.closed)
			rc = household_close(s, id, _("closed on another server"), cause);
		else if (value && strcmp(value, "open") == 0 && h.closed)
			rc = household_reopen(s, id, cause);
		household_clear(&h);
		return rc;
	}
	if (strcmp(name, "round") == 0)
		return 0;
	if (household_get_id(s, id, &h, cause) != 0)
		return -1;
	if (strcmp(name, "code") == 0)
		field = &h.code;
	else if (strcmp(name, "head") == 0)
		field = &h.head;
	else if (strcmp(name, "phone") == 0)
		field = &h.phone;
	else if (strcmp(name, "site") == 0)
		field = &h.site;
	else if (strcmp(name, "next_visit") == 0)
		field = &h.next_visit;
	if (field == NULL) {
		household_clear(&h);
		return 0;
	}
	free(*field);
	*field = value && *value ? xstrdup(value) : NULL;
	rc = household_update(s, &h, cause);
	household_clear(&h);
	return rc;
}

int
entity_resolve(struct store *s, int64_t household_id, bool keep_mine,
    char **cause)
{
	struct entity_conflict *c;
	size_t n, i;
	sqlite3_stmt *st;
	int rc = 0;

	if (store_begin(s, cause) != 0)
		return -1;
	if (entity_conflicts(s, household_id, &c, &n, cause) != 0)
		goto fail;
	for (i = 0; i < n && !keep_mine && rc == 0; i++)
		if (in_list(register_props, c[i].name))
			rc = take_register(s, household_id, c[i].name, c[i].theirs, cause);
	entity_conflicts_free(c, n);
	if (rc != 0)
		goto fail;
	if (sq_prepare(s, "DELETE FROM entity_conflicts WHERE household_id = ?",
	    &st, cause) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, household_id);
	if (sq_step_done(s, st, cause, _("cannot save the household")) != 0 ||
	    (n > 0 && household_event(s, household_id, "resolved", keep_mine ?
	    "kept this database's values" : "took the server's values",
	    cause) != 0))
		goto fail;
	return store_commit(s, cause);
fail:
	store_rollback(s);
	return rc > 0 ? 1 : -1;
}

char *
entity_server_value(struct store *s, const char *household, const char *name)
{
	struct hh h;
	json_t *j;
	char *v = NULL;

	if (household == NULL || hh_get(s, "code = ? COLLATE NOCASE", household,
	    &h, NULL) != 0)
		return NULL;
	j = props_parse(h.server);
	if (prop(j, name) != NULL && *prop(j, name) != '\0')
		v = xstrdup(prop(j, name));
	json_decref(j);
	hh_clear(&h);
	return v;
}

/* Reading an Entity List. */

struct csv {
	char ***rows;		/* rows of NUL-terminated fields */
	size_t *nfields;
	size_t n;
};

static void
csv_free(struct csv *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->nfields[i]; j++)
			free(c->rows[i][j]);
		free(c->rows[i]);
	}
	free(c->rows);
	free(c->nfields);
}

/* RFC 4180, as csv-stringify writes it for Central: fields quoted when
 * they hold a comma, a quote or a line break, quotes doubled. */
static int
csv_parse(const char *p, size_t len, struct csv *c, char **cause)
{
	const char *end = p + len;
	struct buf field = { 0 };
	char **row = NULL;
	size_t nrow = 0;

	memset(c, 0, sizeof *c);
	if (memchr(p, '\0', len) != NULL) {
		set_cause(cause, "%s", _("the list holds a NUL byte: it is not CSV"));
		return -1;
	}
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		bool quoted = *p == '"';

		buf_free(&field);
		buf_adds(&field, "");
		if (quoted) {
			for (p++;; p++) {
				if (p >= end) {
					set_cause(cause, "%s", _("the list ends inside a quoted "
					    "field"));
					buf_free(&field);
					for (; nrow > 0; nrow--)
						free(row[nrow - 1]);
					free(row);
					csv_free(c);
					return -1;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else {
						p++;
						break;
					}
				}
				buf_addc(&field, *p);
			}
		}
		while (p < end && *p != ',' && *p != '\n' && *p != '\r')
			buf_addc(&field, *p++);
		row = xreallocarray(row, nrow + 1, sizeof *row);
		row[nrow++] = buf_steal(&field);
		if (p < end && *p == ',') {
			p++;
			if (p == end) {
				row = xreallocarray(row, nrow + 1, sizeof *row);
				row[nrow++] = xstrdup("");
			} else
				continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		c->rows = xreallocarray(c->rows, c->n + 1, sizeof *c->rows);
		c->nfields = xreallocarray(c->nfields, c->n + 1, sizeof *c->nfields);
		c->rows[c->n] = row;
		c->nfields[c->n++] = nrow;
		row = NULL;
		nrow = 0;
	}
	buf_free(&field);
	return 0;
}

/* One household of the list, checked. */
struct incoming {
	char *uuid;
	char *label;
	long version;
	json_t *props;		/* the properties this database knows */
};

static bool
uuid_valid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-4xxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (strlen(s) != sizeof shape - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return true;
}

static bool
text_ok(const char *v)
{
	uint32_t cp;
	size_t n = 0, k;

	if (!text_is_clean(v, false))
		return false;
	for (; *v; v += k, n++)
		if ((k = text_decode(v, strlen(v), &cp)) == 0)
			return false;
	return n <= LINEEDIT_MAX;
}

/* Checks one property's value as the form and the register take it;
 * *norm the value kept. NULL when fine, else why (translated). */
static const char *
check_value(const struct form *f, const char *name, const char *v,
    char **norm)
{
	const char *why = NULL;
	size_t q;

	*norm = NULL;
	if (*v == '\0') {
		if (strcmp(name, "code") == 0)
			return _("a household needs a code");
		*norm = xstrdup("");
		return NULL;
	}
	if (strcmp(name, "code") == 0) {
		if ((*norm = household_code_normalize(v, &why)) == NULL)
			return _(why);
	} else if (strcmp(name, "phone") == 0) {
		if ((*norm = phone_normalize(v, &why)) == NULL)
			return _(why);
	} else if (strcmp(name, "status") == 0) {
		if (strcmp(v, "open") != 0 && strcmp(v, "closed") != 0)
			return _("the status is 'open' or 'closed'");
		*norm = xstrdup(v);
	} else if (strcmp(name, "next_visit") == 0) {
		if (!date_valid(v))
			return _("the next visit is not a date (YYYY-MM-DD)");
		*norm = xstrdup(v);
	} else if (strcmp(name, "round") == 0) {
		if (!round_name_valid(v, &why))
			return _(why);
		*norm = xstrdup(v);
	} else if (strcmp(name, "head") == 0 || strcmp(name, "site") == 0) {
		if (!text_ok(v))
			return _("it holds control characters or is too long");
		*norm = xstrdup(v);
	} else {
		for (q = 0; q < f->nquestions; q++)
			if (str_eq(f->questions[q]->save_to, name))
				break;
		if (q == f->nquestions)
			return NULL;	/* another form's: not kept */
		if ((*norm = form_value_normalize(f->questions[q], v, &why)) == NULL)
			return _(why);
	}
	return NULL;
}

static void
incoming_free(struct incoming *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].uuid);
		free(v[i].label);
		json_decref(v[i].props);
	}
	free(v);
}

/* The rows of the list, every one checked before anything is taken.
 * 0, or 1 with *cause naming the row and the rule it breaks. */
static int
read_list(const struct form *f, const struct csv *c, struct incoming **out,
    size_t *n, char **cause)
{
	long col_name = -1, col_label = -1, col_version = -1;
	struct incoming *v;
	size_t i, j;

	*out = NULL;
	*n = 0;
	if (c->n == 0) {
		set_cause(cause, "%s", _("the list is empty: not even its header"));
		return 1;
	}
	for (j = 0; j < c->nfields[0]; j++) {
		const char *h = c->rows[0][j];

		if (strcmp(h, "name") == 0)
			col_name = (long)j;
		else if (strcmp(h, "label") == 0)
			col_label = (long)j;
		else if (strcmp(h, "__version") == 0)
			col_version = (long)j;
	}
	if (col_name < 0 || col_label < 0 || col_version < 0) {
		set_cause(cause, "%s", _("the list's header has no name, label and "
		    "__version: it is not an ODK Entity List"));
		return 1;
	}
	v = xcalloc(c->n, sizeof *v);
	for (i = 1; i < c->n; i++) {
		char **row = c->rows[i];
		struct incoming *in = &v[i - 1];
		char *end, *shown, *norm;
		const char *why = NULL, *bad = NULL;

		if (c->nfields[i] == 1 && row[0][0] == '\0')
			continue;	/* a blank line */
		if (c->nfields[i] != c->nfields[0]) {
			set_cause(cause, _("row %zu has %zu fields, the header %zu"), i + 1,
			    c->nfields[i], c->nfields[0]);
			goto refuse;
		}
		in->uuid = xstrdup(row[col_name]);
		in->label = xstrdup(row[col_label]);
		in->props = json_object();
		in->version = strtol(row[col_version], &end, 10);
		if (!uuid_valid(in->uuid)) {
			shown = text_sanitize(in->uuid, false);
			set_cause(cause, _("row %zu: its name '%s' is not a UUID"), i + 1,
			    shown);
			free(shown);
			goto refuse;
		}
		if (*row[col_version] == '\0' || *end != '\0' || in->version < 1) {
			set_cause(cause, _("row %zu: its __version is not a number"),
			    i + 1);
			goto refuse;
		}
		for (j = 0; j < c->nfields[0]; j++) {
			const char *name = c->rows[0][j];

			if ((long)j == col_name || (long)j == col_label ||
			    strncmp(name, "__", 2) == 0)
				continue;
			if ((why = check_value(f, name, row[j], &norm)) != NULL) {
				char *label = text_sanitize(in->label, false);

				bad = name;
				shown = text_sanitize(row[j], false);
				set_cause(cause, _("row %zu (%s): %s '%s' is refused: %s"),
				    i + 1, label, bad, shown, why);
				free(shown);
				free(label);
				break;
			}
			if (norm != NULL)
				prop_set(in->props, name, norm);
			free(norm);
		}
		if (why != NULL)
			goto refuse;
		if (prop(in->props, "code") == NULL) {
			set_cause(cause, _("row %zu: it has no code"), i + 1);
			goto refuse;
		}
	}
	*out = v;
	*n = c->n - 1;
	return 0;
refuse:
	incoming_free(v, c->n - 1);
	*n = 0;
	return 1;
}

/* The household's values here: what the server had as last seen, what its
 * queued records send, and its register now. */
static json_t *
local_values(struct store *s, const struct hh *h, char **cause)
{
	json_t *j = props_parse(h->server);
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, "SELECT props FROM entity_sent WHERE household_id = ? "
	    "ORDER BY record_id", &st, cause) != 0) {
		json_decref(j);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, h->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *sent = props_parse((const char *)sqlite3_column_text(st, 0));

		json_object_update(j, sent);
		json_decref(sent);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(j);
		sq_fail(s, cause, _("cannot read the household"));
		return NULL;
	}
	prop_set(j, "code", h->code);
	prop_set(j, "head", h->head);
	prop_set(j, "phone", h->phone);
	prop_set(j, "site", h->site);
	prop_set(j, "status", h->status);
	prop_set(j, "next_visit", h->next_visit);
	return j;
}

static long
pending_count(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	long n = 0;

	if (sq_prepare(s, "SELECT count(*) FROM entity_sent WHERE household_id = ?",
	    &st, NULL) != 0)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
save_entity(struct store *s, int64_t id, const struct incoming *in,
    bool move_version, char **cause)
{
	sqlite3_stmt *st;
	char *text = props_dump(in->props);

	if (sq_prepare(s, "UPDATE households SET entity_id = ?1, entity_trunk = ?2, "
	    "entity_server = ?3, entity_version = CASE WHEN ?4 THEN ?2 ELSE "
	    "max(entity_version, ?2) END WHERE id = ?5", &st, cause) != 0) {
		free(text);
		return -1;
	}
	sq_bind_text(st, 1, in->uuid);
	sqlite3_bind_int64(st, 2, in->version);
	sq_bind_text(st, 3, text);
	sqlite3_bind_int(st, 4, move_version);
	sqlite3_bind_int64(st, 5, id);
	free(text);
	return sq_step_done(s, st, cause, _("cannot save the household"));
}

/* A copy of v, or NULL when it is empty. */
static char *
nonempty(const char *v)
{
	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* A household of the list that this database does not know. */
static int
merge_new(struct store *s, const struct incoming *in,
    struct entity_summary *sum, void (*note)(void *, const char *), void *ctx,
    char **cause)
{
	struct household h = { 0 };
	struct hh other;
	const char *status = prop(in->props, "status");
	char *detail;
	int64_t id;
	int rc;

	rc = hh_get(s, "code = ? COLLATE NOCASE", prop(in->props, "code"), &other,
	    cause);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		/* The same code is another family here: both stay as they are. */
		char *label = text_sanitize(in->label, false);
		char *msg = xasprintf(_("the server's household %s (%s) was not "
		    "taken: the code %s is another household here"), other.code,
		    label, other.code);

		if (note != NULL)
			note(ctx, msg);
		free(msg);
		free(label);
		sum->code_taken++;
		hh_clear(&other);
		return 0;
	}
	h.code = xstrdup(prop(in->props, "code"));
	h.site = nonempty(prop(in->props, "site"));
	h.head = nonempty(prop(in->props, "head"));
	h.phone = nonempty(prop(in->props, "phone"));
	h.next_visit = nonempty(prop(in->props, "next_visit"));
	rc = household_add(s, &h, cause);
	id = h.id;
	household_clear(&h);
	if (rc != 0)
		return rc;
	if (status != NULL && strcmp(status, "closed") == 0 &&
	    household_close(s, id, _("closed on another server"), cause) != 0)
		return -1;
	if (save_entity(s, id, in, true, cause) != 0)
		return -1;
	detail = xasprintf("from the Entity List, version %ld", in->version);
	rc = household_event(s, id, "merged", detail, cause);
	free(detail);
	sum->added++;
	return rc;
}

/* A household both know, of which the server has a newer version. */
static int
merge_known(struct store *s, struct hh *h, const struct incoming *in,
    struct entity_summary *sum, char **cause)
{
	json_t *base = props_parse(h->server), *mine;
	struct buf taken = { 0 }, clash = { 0 };
	const char *name;
	json_t *value;
	char now[40];
	int rc = 0;

	if ((mine = local_values(s, h, cause)) == NULL) {
		json_decref(base);
		return -1;
	}
	iso8601_now(now, sizeof now);
	json_object_foreach(in->props, name, value) {
		const char *theirs = json_string_value(value);
		const char *was = prop(base, name) ? prop(base, name) : "";
		const char *here = prop(mine, name) ? prop(mine, name) : was;
		sqlite3_stmt *st;

		if (strcmp(theirs, was) == 0 || strcmp(here, theirs) == 0)
			continue;	/* the server did not change it, or agrees */
		/* A code is what the staff say aloud: never changed silently. */
		if (strcmp(here, was) == 0 && strcmp(name, "code") != 0) {
			if (in_list(register_props, name) &&
			    (rc = take_register(s, h->id, name, theirs, cause)) != 0)
				break;
			buf_printf(&taken, "%s%s", taken.len ? ", " : "", name);
			continue;
		}
		/* Changed here and there: both are kept until someone chooses. */
		if ((rc = sq_prepare(s, "INSERT OR REPLACE INTO entity_conflicts "
		    "(household_id, name, mine, theirs, version, at) VALUES (?, ?, ?, "
		    "?, ?, ?)", &st, cause)) != 0)
			break;
		sqlite3_bind_int64(st, 1, h->id);
		sq_bind_text(st, 2, name);
		sq_bind_text(st, 3, here);
		sq_bind_text(st, 4, theirs);
		sqlite3_bind_int64(st, 5, in->version);
		sq_bind_text(st, 6, now);
		if ((rc = sq_step_done(s, st, cause, _("cannot save the household"))) !=
		    0)
			break;
		buf_printf(&clash, "%s%s", clash.len ? ", " : "", name);
	}
	json_decref(base);
	json_decref(mine);
	if (rc == 0)
		rc = save_entity(s, h->id, in, pending_count(s, h->id) == 0, cause);
	if (rc == 0 && taken.len > 0) {
		char *detail = xasprintf("version %ld from the Entity List: %s",
		    in->version, taken.data);

		rc = household_event(s, h->id, "merged", detail, cause);
		free(detail);
		sum->updated++;
	}
	if (rc == 0 && clash.len > 0) {
		char *detail = xasprintf("version %ld from the Entity List differs "
		    "from this database: %s", in->version, clash.data);

		rc = household_event(s, h->id, "conflict", detail, cause);
		free(detail);
		sum->conflicts++;
	}
	buf_free(&taken);
	buf_free(&clash);
	return rc;
}

int
entity_merge_csv(struct store *s, const struct form *f, const char *csv,
    size_t len, struct entity_summary *sum,
    void (*note)(void *ctx, const char *msg), void *ctx, char **cause)
{
	struct csv c;
	struct incoming *in = NULL;
	size_t n = 0, i;
	int rc;

	if (csv_parse(csv, len, &c, cause) != 0)
		return 1;
	rc = read_list(f, &c, &in, &n, cause);
	csv_free(&c);
	if (rc != 0) {
		sum->refused++;
		return rc;
	}
	if (store_begin(s, cause) != 0) {
		incoming_free(in, n);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct hh h;

		if (in[i].uuid == NULL)
			continue;
		sum->rows++;
		rc = hh_get(s, "entity_id = ?", in[i].uuid, &h, cause);
		if (rc == 1)
			rc = merge_new(s, &in[i], sum, note, ctx, cause);
		else if (rc == 0) {
			if (in[i].version > h.trunk)
				rc = merge_known(s, &h, &in[i], sum, cause);
			hh_clear(&h);
		}
	}
	incoming_free(in, n);
	if (rc != 0) {
		store_rollback(s);
		if (rc > 0)
			sum->refused++;
		return rc;
	}
	return store_commit(s, cause);
}

/* Downloading. */

/* The text of the first <tag>...</tag> in [p, end), XML entities of
 * Central's (&amp; &lt; &gt; &quot; &#39;) decoded; NULL when none. */
static char *
element(const char *p, const char *end, const char *tag)
{
	char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
	const char *a = memmem(p, (size_t)(end - p), open, strlen(open)), *b;
	struct buf out = { 0 };

	if (a != NULL) {
		a += strlen(open);
		b = memmem(a, (size_t)(end - a), close, strlen(close));
		if (b != NULL) {
			buf_adds(&out, "");
			while (a < b) {
				static const char *const ents[][2] = { { "&amp;", "&" },
				    { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
				    { "&#39;", "'" } };
				size_t k;

				for (k = 0; k < 5; k++)
					if ((size_t)(b - a) >= strlen(ents[k][0]) &&
					    memcmp(a, ents[k][0], strlen(ents[k][0])) == 0)
						break;
				if (k < 5) {
					buf_adds(&out, ents[k][1]);
					a += strlen(ents[k][0]);
				} else
					buf_addc(&out, *a++);
			}
		}
	}
	free(open);
	free(close);
	return out.data ? buf_steal(&out) : NULL;
}

/* The <block> of a list whose <key> is value: [*from, *to). */
static bool
block_with(const char *text, const char *block, const char *key,
    const char *value, const char **from, const char **to)
{
	char *open = xasprintf("<%s>", block), *close = xasprintf("</%s>", block);
	const char *p = text, *end = text + strlen(text);
	bool found = false;

	while (!found && (p = strstr(p, open)) != NULL) {
		const char *q = strstr(p, close);
		char *v;

		if (q == NULL)
			break;
		v = element(p, q, key);
		found = v != NULL && strcmp(v, value) == 0;
		free(v);
		if (found) {
			*from = p;
			*to = q;
		}
		p = q;
	}
	(void)end;
	free(open);
	free(close);
	return found;
}

/* Whether url is on the same server (scheme, host and port) as base: the
 * credentials go nowhere else, whatever a form list names. */
static bool
same_origin(const char *base, const char *url)
{
	const char *a = strstr(base, "://"), *b = strstr(url, "://");
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	la = (size_t)(a - base) + 3 + strcspn(a + 3, "/?#");
	lb = (size_t)(b - url) + 3 + strcspn(b + 3, "/?#");
	return la == lb && strncasecmp(base, url, la) == 0;
}

static void
say(const struct upload_options *o, const char *fmt, ...) ATTR_PRINTF(2, 3);

static void
say(const struct upload_options *o, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg != NULL && o->note != NULL)
		o->note(o->ctx, NULL, msg);
	free(msg);
}

static void
merge_note(void *ctx, const char *msg)
{
	const struct upload_options *o = ctx;

	if (o->note != NULL)
		o->note(o->ctx, NULL, msg);
}

/* One GET that must answer 200. */
static int
fetch(const struct upload_options *o, const char *url, size_t max,
    const char *what, char **body, size_t *len)
{
	long code;
	int rc = upload_get(o, url, max, body, len, &code);
	char *shown, *msg;

	if (rc != UPLOAD_OK)
		return rc;
	if (code == 200)
		return UPLOAD_OK;
	shown = upload_url_shown(url);
	msg = upload_server_message(*body);
	say(o, _("cannot download %s from %s: the server answered %ld%s%s"), what,
	    shown, code, msg ? ": " : "", msg ? msg : "");
	free(shown);
	free(msg);
	free(*body);
	*body = NULL;
	return code >= 500 || code == 429 ? UPLOAD_TEMPFAIL : UPLOAD_REFUSED;
}

/* Downloads and merges the list of one form. */
static int
sync_form(struct store *s, const struct form *f, const struct upload_options *o,
    const char *list_url, const char *forms, struct entity_summary *sum)
{
	const char *from, *to;
	char *manifest_url = NULL, *manifest = NULL, *file, *csv_url = NULL;
	char *csv = NULL, *cause = NULL;
	size_t len;
	int rc;

	if (!block_with(forms, "xform", "formID", f->id, &from, &to)) {
		say(o, _("form %s is not on the server's form list (closed, not "
		    "published, or not assigned to this app user): its Entity List "
		    "was not downloaded"), f->id);
		return UPLOAD_REFUSED;
	}
	if ((manifest_url = element(from, to, "manifestUrl")) == NULL) {
		say(o, _("form %s has no Entity List attached on the server: publish "
		    "the XForm that doorstep --xform writes, so that Central links "
		    "%s.csv to the list"), f->id, f->entity_dataset);
		return UPLOAD_REFUSED;
	}
	rc = UPLOAD_REFUSED;
	file = xasprintf("%s.csv", f->entity_dataset);
	if (!same_origin(list_url, manifest_url))
		say(o, "%s", _("the form list points to another server for the "
		    "form's files: not followed (the key or password would go "
		    "there)"));
	else if ((rc = fetch(o, manifest_url, PAGE_MAX, _("the form's manifest"),
	    &manifest, &len)) == UPLOAD_OK) {
		if (!block_with(manifest, "mediaFile", "filename", file, &from, &to) ||
		    (csv_url = element(from, to, "downloadUrl")) == NULL) {
			say(o, _("form %s has no %s among its files on the server"),
			    f->id, file);
			rc = UPLOAD_REFUSED;
		} else if (!same_origin(list_url, csv_url)) {
			say(o, "%s", _("the form list points to another server for the "
			    "form's files: not followed (the key or password would go "
			    "there)"));
			rc = UPLOAD_REFUSED;
		} else if ((rc = fetch(o, csv_url, LIST_MAX, file, &csv, &len)) ==
		    UPLOAD_OK) {
			sum->lists++;
			rc = entity_merge_csv(s, f, csv, len, sum, merge_note, (void *)o,
			    &cause);
			if (rc > 0) {
				say(o, _("the Entity List %s of form %s is refused, and "
				    "nothing of it was taken: %s"), f->entity_dataset, f->id,
				    cause);
				rc = UPLOAD_REFUSED;
			} else if (rc < 0) {
				say(o, "%s", cause);
				rc = UPLOAD_TEMPFAIL;
			}
		}
	}
	free(cause);
	free(csv);
	free(csv_url);
	free(manifest);
	free(manifest_url);
	free(file);
	return rc;
}

int
entity_sync(struct store *s, const struct form *const *forms, size_t nforms,
    const struct upload_options *o, struct entity_summary *sum)
{
	char *list_url, *list = NULL, *q;
	size_t i, j, len, n;
	int status = UPLOAD_OK, rc;

	memset(sum, 0, sizeof *sum);
	for (i = 0, n = 0; i < nforms; i++)
		n += forms[i]->entity_dataset != NULL;
	if (n == 0)
		return UPLOAD_OK;
	/* The form list sits beside the submission URL, as Collect finds it
	 * (/v1/key/TOKEN/projects/ID/formList). */
	list_url = xstrdup(o->url);
	if ((q = strpbrk(list_url, "?#")) != NULL)
		*q = '\0';
	n = strlen(list_url);
	while (n > 0 && list_url[n - 1] == '/')
		list_url[--n] = '\0';
	if (n < 11 || strcmp(list_url + n - 11, "/submission") != 0) {
		char *shown = upload_url_shown(o->url);

		say(o, _("the Entity Lists are downloaded from the form list beside "
		    "the submission address, which ends in /submission; %s does not"),
		    shown);
		free(shown);
		free(list_url);
		return UPLOAD_USAGE;
	}
	list_url[n - 11] = '\0';
	q = xasprintf("%s/formList", list_url);
	free(list_url);
	list_url = q;
	if ((status = fetch(o, list_url, PAGE_MAX, _("the form list"), &list,
	    &len)) != UPLOAD_OK) {
		free(list_url);
		return status;
	}
	for (i = 0; i < nforms; i++) {
		if (forms[i]->entity_dataset == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(forms[j]->id, forms[i]->id) == 0)
				break;
		if (j < i)
			continue;	/* one form, one download */
		rc = sync_form(s, forms[i], o, list_url, list, sum);
		if (rc == UPLOAD_TEMPFAIL || (rc != UPLOAD_OK && status == UPLOAD_OK))
			status = rc;
	}
	free(list);
	free(list_url);
	return status;
}
