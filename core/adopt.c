#include "adopt.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "store-impl.h"
#include "util.h"

/* One number a query answers, or -1. */
static long
count_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* What a database holds; households: 0 in a schema from before them. */
static int
counts_of(sqlite3 *db, struct adopt_counts *c)
{
	c->records = count_of(db, "SELECT count(*) FROM records");
	c->households = count_of(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = 'households'") > 0 ?
	    count_of(db, "SELECT count(*) FROM households") : 0;
	return c->records < 0 || c->households < 0 ? -1 : 0;
}

/* A file: URI for path that SQLite opens as a file nothing changes. */
static char *
immutable_uri(const char *path)
{
	struct buf b = { 0 };
	const char *p;
	char hex[4];

	buf_add(&b, "file:", 5);
	for (p = path; *p != '\0'; p++) {
		if (strchr("%?#", *p) != NULL || (unsigned char)*p < 0x20) {
			snprintf(hex, sizeof hex, "%%%02X", (unsigned char)*p);
			buf_add(&b, hex, 3);
		} else
			buf_add(&b, p, 1);
	}
	buf_add(&b, "?immutable=1", 13);	/* with its NUL */
	return b.data;
}

/* Opens from read-only and checks it is a whole doorstep database. A
 * database in a folder this user cannot write in (another's home) cannot
 * have its -shm made: it is then read as it lies on disk, which is whole
 * when no doorstep has it open (no -wal beside it). */
static sqlite3 *
open_source(const char *from, struct adopt_counts *c, char **cause)
{
	sqlite3 *db = NULL;
	struct stat st;
	char *wal, *uri;
	long version;
	int busy;

	if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		set_cause(cause, _("cannot open %s: %s"), from,
		    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	if ((version = count_of(db, "PRAGMA user_version")) < 0) {
		wal = xasprintf("%s-wal", from);
		busy = stat(wal, &st) == 0 && st.st_size > 0;
		free(wal);
		sqlite3_close(db);
		db = NULL;
		if (busy) {
			set_cause(cause, _("%s is in use (its -wal file is there): "
			    "close every doorstep on it, then adopt it"), from);
			return NULL;
		}
		uri = immutable_uri(from);
		if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
		    NULL) != SQLITE_OK) {
			set_cause(cause, _("cannot open %s: %s"), from,
			    db ? sqlite3_errmsg(db) : "out of memory");
			sqlite3_close(db);
			free(uri);
			return NULL;
		}
		free(uri);
		version = count_of(db, "PRAGMA user_version");
	}
	if (version < 1 || version > STORE_SCHEMA_VERSION ||
	    count_of(db, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'table' AND name IN ('records', 'answers', 'form_versions')") != 3) {
		set_cause(cause, _("%s is not a doorstep database this doorstep "
		    "knows (data schema %ld; this one knows 1 to %d): nothing was "
		    "changed"), from, version, STORE_SCHEMA_VERSION);
		sqlite3_close(db);
		return NULL;
	}
	if (count_of(db, "SELECT count(*) FROM pragma_quick_check "
	    "WHERE quick_check <> 'ok'") != 0 || counts_of(db, c) != 0) {
		set_cause(cause, _("%s is damaged (its integrity check fails): "
		    "nothing was changed"), from);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

struct adopt_source {
	sqlite3 *db;
	char *path;
	struct adopt_counts counts;
};

struct adopt_source *
adopt_open(const char *from, char **cause)
{
	struct adopt_source *src = xcalloc(1, sizeof *src);

	if ((src->db = open_source(from, &src->counts, cause)) == NULL) {
		free(src);
		return NULL;
	}
	src->path = xstrdup(from);
	return src;
}

void
adopt_close(struct adopt_source *src)
{
	if (src == NULL)
		return;
	sqlite3_close(src->db);
	free(src->path);
	free(src);
}

int
adopt_database(const char *from, const char *team_path,
    struct adopt_counts *done, char **cause)
{
	struct adopt_source *src = adopt_open(from, cause);
	int rc;

	if (src == NULL)
		return -1;
	rc = adopt_into(src, team_path, done, cause);
	adopt_close(src);
	return rc;
}

int
adopt_into(struct adopt_source *source, const char *team_path,
    struct adopt_counts *done, char **cause)
{
	struct adopt_counts want = source->counts, have;
	const char *from = source->path;
	sqlite3 *src = source->db;
	struct store *team = NULL;
	sqlite3_backup *b;
	long trail;
	int rc;

	if ((team = store_open_shared(team_path, cause)) == NULL)
		goto fail;
	if (counts_of(team->db, &have) != 0 || have.records + have.households != 0) {
		set_cause(cause, _("the team's database %s already holds %ld "
		    "record(s) and %ld household(s): adopt into a new one only "
		    "(move the team's aside first); nothing was changed"), team_path,
		    have.records, have.households);
		goto fail;
	}
	/* The copy replaces the whole file: a trail, which nothing may
	 * delete, would go with it. */
	if ((trail = count_of(team->db, "SELECT count(*) FROM trail")) != 0) {
		set_cause(cause, _("the team's database %s already holds %ld trail "
		    "entry(s), which an adoption would wipe: adopt into a new one "
		    "only (move the team's aside first); nothing was changed"),
		    team_path, trail);
		goto fail;
	}
	if ((b = sqlite3_backup_init(team->db, "main", src, "main")) == NULL) {
		sq_fail(team, cause, team_path);
		goto fail;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		set_cause(cause, _("cannot copy %s into %s: %s"), from, team_path,
		    sqlite3_errstr(rc));
		goto fail;
	}
	store_close(team);
	/* Opened again: brought to this schema. */
	if ((team = store_open_shared(team_path, cause)) == NULL)
		goto fail;
	if (counts_of(team->db, &have) != 0 || have.records != want.records ||
	    have.households != want.households) {
		set_cause(cause, _("%s: %ld record(s) and %ld household(s) arrived "
		    "of %ld and %ld"), team_path, have.records, have.households,
		    want.records, want.households);
		goto fail;
	}
	*done = have;
	store_close(team);
	return 0;
fail:
	store_close(team);
	return -1;
}
