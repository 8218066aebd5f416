#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "ids.h"
#include "pinyin.h"
#include "store-impl.h"
#include "trail.h"
#include "i18n.h"
#include "util.h"

/* SQLite's page cache, in KiB (negative: KiB, not pages). Its default,
 * 2 MB, filled at start-up with the pages the home screen's counts read
 * (270 at 1,000,000 records: the queue, the drafts, the visits due), and
 * the start-up's peak was 8.4 MB there. With 1 MB it is 7.9 MB, and the
 * start-up and the household chooser took the same time (3 runs each of
 * the bench's at_size rows). */
#define STORE_CACHE_KIB "-1024"

/* How long to wait for another process that holds the database, unless
 * store_set_busy_timeout says otherwise, and in naps of how long. */
#define STORE_BUSY_MS 5000
#define BUSY_NAP_MS 2

/* What the household search's index reads of a household (row names it:
 * "" or "NEW."), each field followed by a \1, and one more at the end: a
 * trigram starts at each character of each field. */
#define SEARCH_TEXT(row) "coalesce(" row "code, '') || char(1) || " \
	"coalesce(" row "head, '') || char(1) || coalesce(" row "phone, '') || " \
	"char(1) || coalesce(" row "address, '') || char(1) || " \
	"coalesce(" row "notes, '') || char(1) || coalesce(" row "site, '') || " \
	"char(1) || coalesce(" row "phone_digits, '') || char(1) || char(1)"

/* migrations[i] takes a database from schema i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE form_versions ("
	"  id INTEGER PRIMARY KEY,"
	"  form_id TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  yaml TEXT NOT NULL,"
	"  first_used TEXT NOT NULL);"
	"CREATE TABLE records ("
	"  id INTEGER PRIMARY KEY,"
	"  instance_id TEXT NOT NULL UNIQUE,"
	"  form_version_id INTEGER NOT NULL REFERENCES form_versions(id),"
	"  household TEXT, round TEXT, site TEXT,"
	"  interviewer TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN"
	"    ('draft', 'finalized', 'uploaded', 'conflict')),"
	"  started_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  finalized_at TEXT,"
	"  position TEXT,"
	"  xml TEXT,"
	"  uploaded_at TEXT,"
	"  server_reply TEXT);"
	"CREATE INDEX records_by_status ON records(status);"
	"CREATE TABLE answers ("
	"  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  value TEXT,"
	"  PRIMARY KEY (record_id, name)) WITHOUT ROWID;",

	/* 2: answers inside repeats, one row per entry (0 outside repeats). */
	"CREATE TABLE answers_v2 ("
	"  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  entry INTEGER NOT NULL DEFAULT 0,"
	"  value TEXT,"
	"  PRIMARY KEY (record_id, name, entry)) WITHOUT ROWID;"
	"INSERT INTO answers_v2 (record_id, name, entry, value)"
	"  SELECT record_id, name, 0, value FROM answers;"
	"DROP TABLE answers;"
	"ALTER TABLE answers_v2 RENAME TO answers;",

	/* 3: the household register, its history, answers carried over from
	 * a household's previous round, and settings chosen in the program. */
	"CREATE TABLE households ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  site TEXT, head TEXT, phone TEXT, address TEXT, notes TEXT,"
	"  phone_digits TEXT GENERATED ALWAYS AS (replace(replace(replace("
	"    phone, ' ', ''), '-', ''), '+', '')) STORED,"
	"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),"
	"  closed_reason TEXT, closed_at TEXT, next_visit TEXT,"
	"  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX households_by_visit ON households(status, next_visit);"
	"CREATE TABLE household_events ("
	"  id INTEGER PRIMARY KEY,"
	"  household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,"
	"  at TEXT NOT NULL, what TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX records_by_household ON records(household COLLATE NOCASE);"
	"ALTER TABLE answers ADD COLUMN carried TEXT;"
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO households (code, site, created_at, updated_at)"
	"  SELECT household, min(site), min(started_at), max(updated_at)"
	"  FROM records WHERE household IS NOT NULL AND household <> ''"
	"  GROUP BY household COLLATE NOCASE ORDER BY min(started_at);",

	/* 4: the session that holds a draft open for editing, so that no
	 * other edits it unnoticed; gone when it leaves or finalizes. */
	"CREATE TABLE draft_holders ("
	"  record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
	"  token TEXT NOT NULL,"
	"  login TEXT, host TEXT, tty TEXT, address TEXT,"
	"  pid INTEGER, started TEXT,"
	"  since TEXT NOT NULL);",

	/* 5: teamaccess: the trail, who did what and when; its triggers
	 * refuse any change to an entry, and its deletion. */
	"CREATE TABLE trail ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL, login TEXT NOT NULL, what TEXT NOT NULL,"
	"  record_id INTEGER, instance_id TEXT, household TEXT,"
	"  question TEXT, old TEXT, new TEXT, detail TEXT);"
	"CREATE INDEX trail_by_record ON trail(instance_id);"
	"CREATE INDEX trail_by_household ON trail(household COLLATE NOCASE);"
	"CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail BEGIN"
	"  SELECT RAISE(ABORT, 'the trail is append-only: an entry cannot be "
	"changed'); END;"
	"CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail BEGIN"
	"  SELECT RAISE(ABORT, 'the trail is append-only: an entry cannot be "
	"deleted'); END;",

	/* 6: seal: the encrypted instance of a sealed record (its manifest is
	 * records.xml), and the need areas it keeps in plain text when its
	 * form allows (space-separated ids; NULL: none kept). */
	"CREATE TABLE sealed ("
	"  record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
	"  enc BLOB NOT NULL,"
	"  needs TEXT);",

	/* 7: central: files sent with a record beside its XML (audit.csv),
	 * and the ODK audit events of an interview they are written from. */
	"CREATE TABLE record_files ("
	"  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL, type TEXT NOT NULL, data BLOB NOT NULL,"
	"  PRIMARY KEY (record_id, name)) WITHOUT ROWID;"
	"CREATE TABLE audit_events ("
	"  id INTEGER PRIMARY KEY,"
	"  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	"  event TEXT NOT NULL, node TEXT, start_ms INTEGER, end_ms INTEGER,"
	"  old_value TEXT, new_value TEXT, user TEXT);"
	"CREATE INDEX audit_events_by_record ON audit_events(record_id, id);",

	/* 8: scale: the counts of households, all and open, kept by triggers
	 * (the home screen and the list read them at once at any size), and
	 * an index in the order the household list shows them (open first,
	 * then by code), so that a page of it reads only its own rows. */
	"CREATE TABLE tallies (name TEXT PRIMARY KEY, n INTEGER NOT NULL)"
	"  WITHOUT ROWID;"
	"INSERT INTO tallies SELECT 'households', count(*) FROM households;"
	"INSERT INTO tallies SELECT 'households_open', count(*) FROM households"
	"  WHERE status = 'open';"
	"CREATE TRIGGER tally_household_added AFTER INSERT ON households BEGIN"
	"  UPDATE tallies SET n = n + 1 WHERE name = 'households' OR"
	"  (name = 'households_open' AND NEW.status = 'open'); END;"
	"CREATE TRIGGER tally_household_removed AFTER DELETE ON households BEGIN"
	"  UPDATE tallies SET n = n - 1 WHERE name = 'households' OR"
	"  (name = 'households_open' AND OLD.status = 'open'); END;"
	"CREATE TRIGGER tally_household_status AFTER UPDATE OF status ON households"
	"  WHEN OLD.status IS NOT NEW.status BEGIN"
	"  UPDATE tallies SET n = n + (NEW.status = 'open') - (OLD.status = 'open')"
	"  WHERE name = 'households_open'; END;"
	"CREATE INDEX households_listed ON households(status = 'closed', code);",

	/* 9: entities: a household as an entity of an ODK Central Entity List:
	 * its id (a UUID, kept for good once given), the version this database
	 * gave it last and the server's version it took last (trunk), its
	 * offline branch, the properties the server holds as last seen (JSON),
	 * what each queued record sends, and the properties on which this
	 * database and the server disagree until someone chooses. */
	"ALTER TABLE households ADD COLUMN entity_id TEXT;"
	"ALTER TABLE households ADD COLUMN entity_version INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE households ADD COLUMN entity_trunk INTEGER;"
	"ALTER TABLE households ADD COLUMN entity_branch TEXT;"
	"ALTER TABLE households ADD COLUMN entity_server TEXT;"
	"CREATE UNIQUE INDEX households_by_entity ON households(entity_id)"
	"  WHERE entity_id IS NOT NULL;"
	"CREATE TABLE entity_sent ("
	"  record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
	"  household_id INTEGER NOT NULL REFERENCES households(id)"
	"    ON DELETE CASCADE,"
	"  props TEXT NOT NULL);"
	"CREATE TABLE entity_conflicts ("
	"  household_id INTEGER NOT NULL REFERENCES households(id)"
	"    ON DELETE CASCADE,"
	"  name TEXT NOT NULL, mine TEXT, theirs TEXT,"
	"  version INTEGER NOT NULL, at TEXT NOT NULL,"
	"  PRIMARY KEY (household_id, name)) WITHOUT ROWID;",
	/* 10: formscale: an index in the order of the due list (by visit, then
	 * code), so that the home screen's first screenful of it reads only
	 * its own rows, not every household due (25,000 at 500,000). */
	"CREATE INDEX households_due ON households(status, next_visit, code);",
	/* 11: search: the household search's index (core/household.c): the
	 * trigrams of each household's code, head, phone and its digits,
	 * address, notes and site (each followed by a \1, so that the last
	 * characters of one start a trigram too), kept
	 * by triggers; its list of trigrams; and the trigrams of its head's
	 * pinyin keys (pinyin_keys, a function of this program), which a
	 * search computes for the households the triggers list as stale.
	 * (counted(x) is x: it counts the households read, for the progress
	 * shown.) */
	"CREATE VIRTUAL TABLE households_text USING fts5(text,"
	"  tokenize = 'trigram case_sensitive 0');"
	"INSERT INTO households_text (rowid, text) SELECT id, counted("
	SEARCH_TEXT("") ") FROM households;"
	"CREATE VIRTUAL TABLE households_text_terms USING fts5vocab("
	"  households_text, 'row');"
	"CREATE TRIGGER households_text_added AFTER INSERT ON households BEGIN"
	"  INSERT INTO households_text (rowid, text) VALUES (NEW.id, "
	SEARCH_TEXT("NEW.") "); END;"
	"CREATE TRIGGER households_text_removed AFTER DELETE ON households BEGIN"
	"  DELETE FROM households_text WHERE rowid = OLD.id; END;"
	"CREATE TRIGGER households_text_changed AFTER UPDATE OF id, code, head,"
	"  phone, address, notes, site ON households BEGIN"
	"  DELETE FROM households_text WHERE rowid = OLD.id;"
	"  INSERT INTO households_text (rowid, text) VALUES (NEW.id, "
	SEARCH_TEXT("NEW.") "); END;"
	"CREATE VIRTUAL TABLE households_pinyin USING fts5(keys,"
	"  tokenize = 'trigram case_sensitive 0');"
	"CREATE TABLE households_pinyin_stale (id INTEGER PRIMARY KEY,"
	"  too_long INTEGER NOT NULL DEFAULT 0);"
	"CREATE TEMP TABLE pinyin_new AS SELECT id, pinyin_keys(head) AS keys"
	"  FROM households WHERE head IS NOT NULL;"
	"INSERT INTO households_pinyin (rowid, keys) SELECT id, keys FROM"
	"  temp.pinyin_new WHERE keys <> '';"
	"INSERT INTO households_pinyin_stale (id, too_long) SELECT id, 1 FROM"
	"  temp.pinyin_new WHERE keys IS NULL;"
	"DROP TABLE temp.pinyin_new;"
	"CREATE TRIGGER households_pinyin_added AFTER INSERT ON households"
	"  WHEN NEW.head IS NOT NULL BEGIN"
	"  INSERT OR IGNORE INTO households_pinyin_stale (id) VALUES (NEW.id); END;"
	"CREATE TRIGGER households_pinyin_changed AFTER UPDATE OF id, head ON"
	"  households BEGIN"
	"  DELETE FROM households_pinyin WHERE rowid = OLD.id;"
	"  DELETE FROM households_pinyin_stale WHERE id = OLD.id;"
	"  INSERT INTO households_pinyin_stale (id) SELECT NEW.id"
	"  WHERE NEW.head IS NOT NULL; END;"
	"CREATE TRIGGER households_pinyin_removed AFTER DELETE ON households BEGIN"
	"  DELETE FROM households_pinyin WHERE rowid = OLD.id;"
	"  DELETE FROM households_pinyin_stale WHERE id = OLD.id; END;",
	/* 12: stream: the records in the orders the export and the report
	 * read them, so that neither sorts (nor holds) every record. */
	"CREATE INDEX records_by_start ON records(started_at);"
	"CREATE INDEX records_by_household_round ON records("
	"  coalesce(nullif(household, ''), instance_id), coalesce(round, ''),"
	"  started_at) WHERE status <> 'draft';",
	/* 13: the tallies' triggers as two updates each: the OR of schema 8
	 * made SQLite build and free a b-tree at every household registered
	 * (2,000 households: 1.4 s in system calls, 0.04 s now). */
	"DROP TRIGGER tally_household_added;"
	"DROP TRIGGER tally_household_removed;"
	"CREATE TRIGGER tally_household_added AFTER INSERT ON households BEGIN"
	"  UPDATE tallies SET n = n + 1 WHERE name = 'households';"
	"  UPDATE tallies SET n = n + 1 WHERE name = 'households_open' AND"
	"  NEW.status = 'open'; END;"
	"CREATE TRIGGER tally_household_removed AFTER DELETE ON households BEGIN"
	"  UPDATE tallies SET n = n - 1 WHERE name = 'households';"
	"  UPDATE tallies SET n = n - 1 WHERE name = 'households_open' AND"
	"  OLD.status = 'open'; END;",
	/* 14: round_tallies: each round's interviews, kept up to date; the
	 * round question listed them by reading every record (6.6 s at a
	 * million records). */
	"CREATE TABLE round_tallies (round TEXT PRIMARY KEY,"
	"  n INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO round_tallies SELECT round, count(*) FROM records"
	"  WHERE round IS NOT NULL GROUP BY round;"
	"CREATE TRIGGER tally_round_added AFTER INSERT ON records"
	"  WHEN NEW.round IS NOT NULL BEGIN"
	"  INSERT INTO round_tallies VALUES (NEW.round, 1)"
	"  ON CONFLICT (round) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER tally_round_removed AFTER DELETE ON records"
	"  WHEN OLD.round IS NOT NULL BEGIN"
	"  UPDATE round_tallies SET n = n - 1 WHERE round = OLD.round; END;"
	"CREATE TRIGGER tally_round_changed AFTER UPDATE OF round ON records"
	"  WHEN OLD.round IS NOT NEW.round BEGIN"
	"  UPDATE round_tallies SET n = n - 1 WHERE round = OLD.round;"
	"  INSERT INTO round_tallies SELECT NEW.round, 1 WHERE NEW.round IS NOT NULL"
	"  ON CONFLICT (round) DO UPDATE SET n = n + 1; END;",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
    "one migration per schema version");

int
sq_fail(struct store *s, char **cause, const char *what)
{
	set_cause(cause, _("%s: %s"), what, sqlite3_errmsg(s->db));
	return -1;
}

char *
store_default_path(const char *explicit_path, char **cause)
{
	const char *env;

	if (explicit_path != NULL && *explicit_path != '\0')
		return xstrdup(explicit_path);
	if ((env = getenv("DOORSTEP_DB")) != NULL && *env != '\0')
		return xstrdup(env);
	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env == '/')
		return xasprintf("%s/doorstep/doorstep.db", env);
	if ((env = getenv("HOME")) != NULL && *env == '/')
		return xasprintf("%s/.local/share/doorstep/doorstep.db", env);
	set_cause(cause, _("no place for the database: set HOME, or give --db PATH"));
	return NULL;
}

static int
exec_sql(struct store *s, const char *sql, char **cause)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_cause(cause, _("database %s: %s"), s->path,
		    msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The schema version the database says it has. */
static int
read_version(struct store *s, int *version, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return sq_fail(s, cause, _("cannot read the database"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sq_fail(s, cause, _("cannot read the database"));
	return 0;
}

/* Refuses a schema this doorstep does not know. */
static int
version_known(struct store *s, int version, char **cause)
{
	if (version > STORE_SCHEMA_VERSION) {
		set_cause(cause, _("%s was written by a newer doorstep (data schema "
		    "%d; this one knows up to %d): use that newer doorstep; nothing "
		    "was changed"), s->path, version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version < 0) {
		set_cause(cause, _("%s has an unknown data schema (%d)"), s->path, version);
		return -1;
	}
	return 0;
}

/* A number the database answers, or -1. */
static long
query_long(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* How many virtual machine instructions between two reports of a step
 * that is at work (a few milliseconds). */
#define PROGRESS_OPS 100000

static store_progress_fn *progress_fn;
static void *progress_ctx;

/* What an update has got to, told to progress_fn (NULL when it has
 * nobody to tell: a database without data updates in a blink). */
static struct store_progress *progress_now;
/* What the step at work is expected to read, to tell its percent: rows
 * (counted by the SQL functions counted and pinyin_keys), or pages (the
 * cache misses of the connection since the step started). 0: unknown. */
static sqlite3_int64 rows_done, rows_expected;
static int misses_start;
static sqlite3_int64 misses_expected;
static sqlite3 *progress_db;

void
store_set_progress(store_progress_fn *fn, void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

static void
progress_tell(void)
{
	if (progress_now != NULL && progress_fn != NULL)
		progress_fn(progress_now, progress_ctx);
}

/* SQLite's progress handler: the step goes on (its percent, when it is
 * known by the pages it reads). */
static int
progress_tick(void *ctx)
{
	int misses, high;

	(void)ctx;
	if (progress_now == NULL)
		return 0;
	if (misses_expected > 0 && sqlite3_db_status(progress_db,
	    SQLITE_DBSTATUS_CACHE_MISS, &misses, &high, 0) == SQLITE_OK) {
		sqlite3_int64 pct = (misses - misses_start) * (sqlite3_int64)100 /
		    misses_expected;

		progress_now->percent = pct > 99 ? 99 : (int)pct;
	}
	progress_tell();
	return 0;
}

/* A row read by a step that counts them: told at each percent. */
static void
progress_row(void)
{
	sqlite3_int64 pct;

	if (progress_now == NULL || rows_expected <= 0)
		return;
	rows_done++;
	pct = rows_done * 100 / rows_expected;
	if (pct > 99)
		pct = 99;
	if (pct != progress_now->percent && pct > 0) {
		progress_now->percent = (int)pct;
		progress_tell();
	}
}

/* What step migrations[i] is expected to read: the search index (11)
 * reads each household twice (its text, its head's pinyin keys); the
 * records' indexes (12) read the records table once each, most of the
 * database. */
static void
step_expects(struct store *s, size_t i, long households)
{
	int high;

	rows_done = rows_expected = misses_expected = 0;
	if (progress_now == NULL)
		return;
	if (i + 1 == 11 && households > 0)
		rows_expected = 2 * (sqlite3_int64)households;
	if (i + 1 == 12) {
		misses_expected = 2 * (query_long(s, "PRAGMA page_count") -
		    query_long(s, "PRAGMA freelist_count"));
		sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_MISS, &misses_start,
		    &high, 0);
	}
}

/* SQL counted(x): x, counted as a row read (see progress_row). */
static void
sql_counted(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	progress_row();
	sqlite3_result_value(ctx, argv[0]);
}

/* What migrations[i] does, for the screen. */
static const char *
migration_name(size_t i)
{
	switch (i + 1) {
	case 2: return _("answers in repeats");
	case 3: return _("the household register");
	case 4: return _("drafts held open");
	case 5: return _("the trail");
	case 6: return _("sealed records");
	case 7: return _("files sent with records");
	case 8: return _("household counts");
	case 9: return _("households as entities");
	case 10: return _("the due list's index");
	case 11: return _("the household search index");
	case 12: return _("the records' indexes");
	case 13: return _("household counts");
	case 14: return _("round counts");
	default: return _("the data schema");
	}
}

/* Whether a database at schema `version` holds anything an update must
 * carry, and how much, in p: its households (counted by schema 8's
 * tallies, or counted), or its records when it has no register yet. */
static bool
holds_data(struct store *s, int version, struct store_progress *p)
{
	p->records = -1;
	if (version >= 8)
		p->households = query_long(s, "SELECT n FROM tallies WHERE name = "
		    "'households'");
	else if (version >= 3)
		p->households = query_long(s, "SELECT count(*) FROM households");
	else
		p->households = -1;
	if (p->households > 0)
		return true;
	if (query_long(s, "SELECT EXISTS (SELECT 1 FROM records)") != 1)
		return false;
	if (p->households < 0)
		p->records = query_long(s, "SELECT count(*) FROM records");
	return true;
}

/* The update's transaction. Right after an upgrade, the first start to
 * get the database updates it, which takes a minute at a million records;
 * a second start (a team logging in) waits for it as long as it takes,
 * saying so after a second, instead of failing with "database is locked"
 * when its few seconds of patience are over. It then finds the update
 * done (migrate reads the version again inside its transaction). */
static int
migrate_begin(struct store *s, char **cause)
{
	struct store_progress p = { .what = STORE_PROGRESS_WAIT };
	int patience = s->busy_ms, rc;
	bool told = false;

	s->busy_ms = patience < 1000 ? patience : 1000;
	while ((rc = store_begin(s, cause)) != 0 &&
	    (sqlite3_errcode(s->db) & 0xff) == SQLITE_BUSY && patience > 0) {
		if (!told && progress_fn != NULL) {
			progress_now = &p;
			progress_tell();
			progress_now = NULL;
			told = true;
		}
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		s->busy_ms = patience;
	}
	s->busy_ms = patience;
	return rc;
}

/* Brings the schema from `seen` up to STORE_SCHEMA_VERSION in one write
 * transaction. Several first starts may meet here at once: the version is
 * read again once this one holds the write lock, so each migration runs
 * once, and a start that finds it done changes nothing. A database that
 * holds data tells progress_fn how it goes. */
static int
migrate(struct store *s, int seen, char **cause)
{
	struct store_progress p = { .what = STORE_PROGRESS_START };
	int version, rc = -1;
	char *sql;
	size_t i;

	if (seen == STORE_SCHEMA_VERSION)
		return 0;
	if (migrate_begin(s, cause) != 0)
		return -1;
	if (read_version(s, &version, cause) != 0 ||
	    version_known(s, version, cause) != 0)
		goto done;
	if (version < STORE_SCHEMA_VERSION && version > 0 &&
	    progress_fn != NULL && holds_data(s, version, &p)) {
		p.from = version;
		p.to = STORE_SCHEMA_VERSION;
		p.steps = STORE_SCHEMA_VERSION - version;
		p.percent = -1;
		progress_now = &p;
		progress_tell();
		progress_db = s->db;
		sqlite3_progress_handler(s->db, PROGRESS_OPS, progress_tick, NULL);
	}
	for (i = (size_t)version; i < STORE_SCHEMA_VERSION; i++) {
		p.what = STORE_PROGRESS_STEP;
		p.step = (int)i - version + 1;
		p.name = migration_name(i);
		p.percent = -1;
		progress_tell();
		step_expects(s, i, p.households);
		if (exec_sql(s, migrations[i], cause) != 0)
			goto done;
		if (p.percent != 100) {
			p.percent = 100;
			progress_tell();
		}
	}
	sql = xasprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	rc = exec_sql(s, sql, cause);
	free(sql);
done:
	rc = sq_end(s, true, rc, cause);
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	if (rc == 0 && progress_now != NULL) {
		p.what = STORE_PROGRESS_DONE;
		progress_tell();
	}
	progress_now = NULL;
	return rc;
}

/* SQL pinyin_keys(text), as pinyin_keys; the search index's migration
 * (11) reads it. */
static void
sql_pinyin_keys(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *keys = pinyin_keys((const char *)sqlite3_value_text(argv[0]));

	(void)argc;
	progress_row();
	if (keys == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, keys, -1, free);
}

/* The write queue: writers get the database in the order they asked.
 *
 * SQLite lets one writer in at a time; the others nap and try again (the
 * busy handler), and whichever tries first after the writer is done gets
 * in: a lottery, which a writer can lose many times in a row (20 writers at
 * once: a median of 3 ms, but a p99 of 700 ms). So store_begin first takes
 * a ticket and waits its turn, in a file beside the database,
 * DATABASE.write-queue:
 *
 * - bytes 0-7 hold the next ticket, bytes 8-15 the one whose turn it is
 *   (a hint only, of how far back in the line a writer is, so that only the
 *   next ones look often), read and written through a shared mapping of
 *   the file: a write() of them made every commit of a single writer 1.5 ms
 *   slower (the file's inode then went into the fsync of each commit).
 *   Bytes 0-15 are locked while a ticket is taken. Whoever truncates the
 *   file while doorstep runs gets it killed (SIGBUS); a team's file is the
 *   data group's, which only doorstep holds.
 * - Holding ticket t is holding a lock on byte QUEUE_SLOT0 + t % QUEUE_SLOTS
 *   (beyond the end of the file: a lock needs no data there). It is taken
 *   with the ticket, under the same lock, and let go when the transaction
 *   ends (commit or rollback).
 * - Writer t's turn comes when the byte of t - 1 is free: t - 1 is done, or
 *   dead.
 *
 * Why it is fair: tickets are handed out in the order writers arrive, each
 * writer waits for the one just before it only, and so the turn passes down
 * the line in that order; only the writer whose turn it is asks SQLite for
 * its lock, and no writer is overtaken by one that came after it.
 *
 * Why nothing wedges: the locks are open file description locks, which the
 * kernel drops when the process ends, however it ends (kill -9 included):
 * a dead writer's turn passes on at once. A writer stuck while it holds its
 * turn (stopped, or a long import) holds SQLite's lock as well; those behind
 * it wait in the line at most QUEUE_WAIT_MS (and at most half their busy
 * timeout), then go to SQLite's busy handler for the rest of their busy
 * timeout, as they did before the queue, and beyond that fail with SQLite's
 * "database is locked" as before. The whole wait stays within the busy
 * timeout. A queue file that cannot be opened, or a file system without
 * these locks, leaves writers to SQLite's handler alone. Readers never
 * queue: in WAL mode they do not wait for writers. */
#define QUEUE_WAIT_MS 1000
#define QUEUE_SLOT0 64
#define QUEUE_SLOTS 4096
#define QUEUE_SIZE 4096		/* the file's size: its mapped page */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
nap_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* Locks (F_WRLCK) or unlocks (F_UNLCK) len bytes at `at`, without waiting:
 * 0 done, 1 another holds them, -1 error. */
static int
queue_lock(int fd, off_t at, off_t len, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = at;
	fl.l_len = len;
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	return errno == EAGAIN || errno == EACCES ? 1 : -1;
}

/* Whether another process (another handle) holds byte `at`: 1 yes, 0 no,
 * -1 error. */
static int
queue_held(int fd, off_t at)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = at;
	fl.l_len = 1;
	if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
		return -1;
	return fl.l_type != F_UNLCK;
}

static off_t
queue_slot(int64_t ticket)
{
	return QUEUE_SLOT0 + (off_t)(ticket % QUEUE_SLOTS);
}

/* Opens DATABASE.write-queue (a team's: 0660, whatever the umask, as the
 * upload's lock) and maps its counters; s->queue_fd stays -1 when it
 * cannot be used. A new file is grown to QUEUE_SIZE, zeros: ticket 0. */
static void
queue_open(struct store *s, const char *db, bool shared)
{
	char *real = realpath(db, NULL);
	char *path = xasprintf("%s.write-queue", real ? real : db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    shared ? 0660 : 0600);
	void *map = MAP_FAILED;
	struct stat sb;

	if (fd >= 0 && shared && fstat(fd, &sb) == 0 && sb.st_uid == geteuid() &&
	    (sb.st_mode & 0660) != 0660)
		(void)fchmod(fd, 0660);
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (sb.st_size >= QUEUE_SIZE || ftruncate(fd, QUEUE_SIZE) == 0) &&
	    queue_held(fd, QUEUE_SLOT0) >= 0)
		map = mmap(NULL, QUEUE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (map != MAP_FAILED) {
		s->queue_fd = fd;
		s->queue = map;
	} else if (fd >= 0)
		close(fd);
	free(path);
	free(real);
}

/* Takes the next ticket, its byte locked, by `until`: 0, or -1 when the
 * queue cannot be used this time (the ticket's byte is still held by a
 * writer QUEUE_SLOTS tickets back, say). */
static int
queue_ticket(struct store *s, double until)
{
	int64_t next;
	int rc;

	while ((rc = queue_lock(s->queue_fd, 0, 16, F_WRLCK)) == 1) {
		if (now_ms() >= until) {
			s->queue_gave_up = true;
			return -1;
		}
		nap_us(50);
	}
	if (rc != 0)
		return -1;
	if ((next = __atomic_load_n(&s->queue[0], __ATOMIC_SEQ_CST)) < 0)
		next = 0;
	if ((rc = queue_lock(s->queue_fd, queue_slot(next), 1, F_WRLCK)) == 0) {
		s->turn = next;
		__atomic_store_n(&s->queue[0], next + 1, __ATOMIC_SEQ_CST);
	}
	(void)queue_lock(s->queue_fd, 0, 16, F_UNLCK);
	return rc == 0 ? 0 : -1;
}

/* Takes a ticket and waits for its turn, within the bound above; whatever
 * happens, the caller then asks SQLite. */
static void
queue_enter(struct store *s)
{
	double start, until;
	int64_t served;
	int held = 0;

	s->queued_ms = 0;
	s->queue_gave_up = false;
	if (s->queue_fd < 0 || s->busy_ms <= 0 || s->turn >= 0)
		return;
	start = now_ms();
	until = start + (s->busy_ms / 2 < QUEUE_WAIT_MS ? s->busy_ms / 2 :
	    QUEUE_WAIT_MS);
	if (queue_ticket(s, until) == 0 && s->turn > 0) {
		while ((held = queue_held(s->queue_fd, queue_slot(s->turn - 1))) ==
		    1) {
			if (now_ms() >= until) {
				s->queue_gave_up = true;
				break;
			}
			/* The next two in line look every 0.2 ms; the others
			 * less often the further back they are: the line moves
			 * one transaction (a millisecond or more) at a time. */
			served = __atomic_load_n(&s->queue[1], __ATOMIC_RELAXED);
			if (served >= s->turn || served < 0)
				served = s->turn - 1;
			nap_us(s->turn - served <= 2 ? 200 : s->turn - served > 8 ?
			    2000 : (long)(s->turn - served) * 250);
		}
		if (held == 0)
			__atomic_store_n(&s->queue[1], s->turn, __ATOMIC_RELAXED);
	}
	s->queued_ms = (int)(now_ms() - start);
}

/* Lets the next writer in line have its turn (and says so in the hint). */
static void
queue_leave(struct store *s)
{
	if (s->turn < 0)
		return;
	__atomic_store_n(&s->queue[1], s->turn + 1, __ATOMIC_RELAXED);
	(void)queue_lock(s->queue_fd, queue_slot(s->turn), 1, F_UNLCK);
	s->turn = -1;
}

/* Waits while another process holds the database, in naps of 2 ms, until
 * busy_ms of them have passed (less what store_begin spent in the write
 * queue). SQLite's own handler naps up to 100 ms at a
 * time: behind a stream of short transactions from other writers, a
 * process that wakes that seldom rarely finds the database free, and one
 * of ten writers at once gave up with "database is locked". */
static int
busy_wait(void *ctx, int tries)
{
	const struct store *s = ctx;

	if (tries >= (s->busy_ms - s->queued_ms) / BUSY_NAP_MS)
		return 0;
	sqlite3_sleep(BUSY_NAP_MS);
	return 1;
}

/* What every connection of doorstep's has: SQLite's extended codes, the
 * wait for another process, and the functions its triggers call (the
 * search index's pinyin keys: an in-memory database has the triggers
 * too). */
static void
connection_setup(struct store *s)
{
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, busy_wait, s);
	sqlite3_create_function(s->db, "pinyin_keys", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_pinyin_keys, NULL, NULL);
	sqlite3_create_function(s->db, "counted", 1, SQLITE_UTF8, NULL,
	    sql_counted, NULL, NULL);
}

/* Switches the database to write-ahead logging. The switch needs the
 * database to itself for a moment, and SQLite may say busy at once while
 * another start holds it, whatever the busy timeout: wait as long. */
static int
use_wal(struct store *s, char **cause)
{
	int waited = 0, rc;

	for (;;) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
		    waited >= s->busy_ms)
			return sq_fail(s, cause, s->path);
		sqlite3_sleep(BUSY_NAP_MS);
		waited += BUSY_NAP_MS;
	}
}

/* The folder a path is in. */
static char *
folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Refuses a folder that other users can write (they could put a database
 * or a journal of their own in its place) unless it has the sticky bit, as
 * /tmp does; and says so when this user cannot write in it, where SQLite
 * must create its -wal and -shm files. */
static int
folder_usable(const char *path, const char *dir, bool shared, char **cause)
{
	struct stat st;
	int err = stat(dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

	if (err != 0) {
		set_cause(cause, _("cannot open the database %s: %s"), path,
		    strerror(err));
		return -1;
	}
	/* A team's folder is its data group's (checked by team.c). */
	if ((st.st_mode & (shared ? S_IWOTH : S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0) {
		set_cause(cause, _("other users can write in the folder %s, so they "
		    "could replace the database: make it yours alone with chmod 700 "
		    "%s"), dir, dir);
		return -1;
	}
	/* With the effective group: a team's doorstep is setgid. */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
		set_cause(cause, _("cannot write in %s: %s (the database needs to "
		    "create its journal files there)"), dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Opens the database file, or creates it mode 0600 whatever the umask
 * (SQLite gives its -wal and -shm the same mode). A symbolic link to a
 * file is followed; one that points nowhere is refused, and nothing is
 * created where it points. */
static int
open_file(const char *path, mode_t mode, char **cause)
{
	char target[4096];
	struct stat st;
	ssize_t n;
	int fd, tries;

	for (tries = 0; tries < 10; tries++) {
		if ((fd = open(path, O_RDWR | O_CLOEXEC)) >= 0 || errno != ENOENT)
			break;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode);
		if (fd >= 0 && fchmod(fd, mode) != 0) {	/* whatever the umask */
			close(fd);
			fd = -1;
		}
		if (fd >= 0 || errno != EEXIST)
			break;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
			n = readlink(path, target, sizeof target - 1);
			target[n < 0 ? 0 : n] = '\0';
			set_cause(cause, _("%s is a symbolic link to %s, which does not "
			    "exist: remove the link, or point it at the database"),
			    path, target);
			return -1;
		}
		/* Another start has just created it: open that one. */
	}
	if (fd < 0) {
		set_cause(cause, _("cannot open the database %s: %s"), path,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Checks the folder that holds file, the database or the file a link to
 * it names. */
static int
holder_usable(const char *path, const char *file, bool shared, char **cause)
{
	char *dir = folder_of(file);
	int rc = folder_usable(path, dir, shared, cause);

	free(dir);
	return rc;
}

/* When path is a symbolic link, checks the folder of the file it names:
 * SQLite creates its journals beside that file. */
static int
target_usable(const char *path, bool shared, char **cause)
{
	struct stat st;
	char *real;
	int rc;

	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
		return 0;
	if ((real = realpath(path, NULL)) == NULL) {
		set_cause(cause, _("cannot open the database %s: %s"), path,
		    strerror(errno));
		return -1;
	}
	rc = holder_usable(path, real, shared, cause);
	free(real);
	return rc;
}

/* Opens the database; a shared one (a team's) is created mode 0660 in its
 * data group's folder, keeps its temporary tables in memory, and has its
 * -wal and -shm opened before store_open_shared returns. */
static struct store *
open_store(const char *path, bool shared, char **cause)
{
	struct store *s;
	int version;

	if (make_parents(path, cause) != 0 ||
	    holder_usable(path, path, shared, cause) != 0 ||
	    open_file(path, shared ? 0660 : 0600, cause) != 0 ||
	    target_usable(path, shared, cause) != 0)
		return NULL;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->busy_ms = STORE_BUSY_MS;
	s->shared = shared;
	s->turn = -1;
	s->queue_fd = -1;
	queue_open(s, path, shared);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sq_fail(s, cause, _("cannot open the database"));
		store_close(s);
		return NULL;
	}
	connection_setup(s);
	/* A schema this doorstep does not know is refused before anything,
	 * the journal mode included, is changed. */
	if (read_version(s, &version, cause) != 0 ||
	    version_known(s, version, cause) != 0 || use_wal(s, cause) != 0 ||
	    exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
	    "PRAGMA secure_delete = ON; PRAGMA cache_size = " STORE_CACHE_KIB ";",
	    cause) != 0 || migrate(s, version, cause) != 0 ||
	    (shared && (exec_sql(s, "PRAGMA temp_store = MEMORY", cause) != 0 ||
	    read_version(s, &version, cause) != 0))) {
		store_close(s);
		return NULL;
	}
	return s;
}

struct store *
store_open(const char *path, char **cause)
{
	return open_store(path, false, cause);
}

struct store *
store_open_shared(const char *path, char **cause)
{
	return open_store(path, true, cause);
}

struct store *
store_open_memory(char **cause)
{
	struct store *s = xcalloc(1, sizeof *s);

	s->path = xstrdup(":memory:");
	s->busy_ms = STORE_BUSY_MS;
	s->turn = -1;
	s->queue_fd = -1;
	s->in_memory = true;
	if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sq_fail(s, cause, _("cannot open the database"));
		store_close(s);
		return NULL;
	}
	connection_setup(s);
	if (exec_sql(s, "PRAGMA foreign_keys = ON", cause) != 0 ||
	    migrate(s, 0, cause) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

bool
store_in_memory(const struct store *s)
{
	return s->in_memory;
}

void
store_set_busy_timeout(struct store *s, int ms)
{
	s->busy_ms = ms;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	s->scrub_failed = false;	/* the last chance: wait for readers */
	store_scrub(s, NULL);
	for (i = 0; i < ARRAY_LEN(s->cached); i++)
		sqlite3_finalize(s->cached[i].st);
	household_search_forget(s);
	sqlite3_close(s->db);
	if (s->queue_fd >= 0) {
		munmap(s->queue, QUEUE_SIZE);
		close(s->queue_fd);
	}
	free(s->login);
	free(s->path);
	free(s);
}

int
sq_prepare(struct store *s, const char *sql, sqlite3_stmt **st, char **cause)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return sq_fail(s, cause, _("database"));
	return 0;
}

int
sq_cached(struct store *s, const char *sql, sqlite3_stmt **st, char **cause)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(s->cached) && s->cached[i].sql != NULL; i++)
		if (s->cached[i].sql == sql) {
			*st = s->cached[i].st;
			return 0;
		}
	if (sq_prepare(s, sql, st, cause) != 0)
		return -1;
	if (i < ARRAY_LEN(s->cached)) {
		s->cached[i].sql = sql;
		s->cached[i].st = *st;
		return 0;
	}
	/* No room: it cannot be kept; its caller resets it, which would
	 * leak it, so refuse (the cache is sized for every user). */
	sqlite3_finalize(*st);
	set_cause(cause, "%s", _("database: too many statements kept"));
	return -1;
}

void
sq_cached_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
sq_cached_step_done(struct store *s, sqlite3_stmt *st, char **cause,
    const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sq_fail(s, cause, what);

	sq_cached_done(st);
	return rc;
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Runs a statement that returns no rows, then finalizes it. */
int
sq_step_done(struct store *s, sqlite3_stmt *st, char **cause, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		set_cause(cause, _("%s: %s"), what, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
store_form_remember(struct store *s, const struct form *f, int64_t *form_ref,
    char **cause)
{
	sqlite3_stmt *st;
	char now[40];
	int rc;

	iso8601_now(now, sizeof now);
	if (sq_prepare(s, "INSERT INTO form_versions (form_id, version, sha256, yaml, "
	    "first_used) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
	    &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, f->id);
	sq_bind_text(st, 2, f->version);
	sq_bind_text(st, 3, f->sha256);
	sqlite3_bind_text(st, 4, f->source, (int)f->source_len, SQLITE_TRANSIENT);
	sq_bind_text(st, 5, now);
	if (sq_step_done(s, st, cause, _("cannot keep the form")) != 0)
		return -1;
	if (sq_prepare(s, "SELECT id FROM form_versions WHERE sha256 = ?", &st,
	    cause) != 0)
		return -1;
	sq_bind_text(st, 1, f->sha256);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return sq_fail(s, cause, _("cannot find the kept form"));
	}
	*form_ref = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

char *
store_form_yaml(struct store *s, int64_t form_ref, size_t *len, char **cause)
{
	sqlite3_stmt *st;
	char *yaml;

	if (sq_prepare(s, "SELECT yaml FROM form_versions WHERE id = ?", &st,
	    cause) != 0)
		return NULL;
	sqlite3_bind_int64(st, 1, form_ref);
	if (sqlite3_step(st) != SQLITE_ROW) {
		set_cause(cause, _("form version %lld is not in the database"),
		    (long long)form_ref);
		sqlite3_finalize(st);
		return NULL;
	}
	*len = (size_t)sqlite3_column_bytes(st, 0);
	yaml = xstrndup((const char *)sqlite3_column_text(st, 0), *len);
	sqlite3_finalize(st);
	return yaml;
}

/* The id that sql (with one or two text parameters) selects, or 0. */
static int
select_id(struct store *s, const char *sql, const char *p1, const char *p2,
    int64_t *id, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (sq_cached(s, sql, &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, p1);
	if (p2 != NULL)
		sq_bind_text(st, 2, p2);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sq_fail(s, cause, _("database"));
	sq_cached_done(st);
	return rc != SQLITE_ROW && rc != SQLITE_DONE ? -1 : 0;
}

int
store_form_find(struct store *s, const char *form_id, const char *version,
    int64_t *ref, char **cause)
{
	return select_id(s, "SELECT id FROM form_versions WHERE form_id = ? AND "
	    "version = ? ORDER BY id DESC LIMIT 1", form_id, version, ref, cause);
}

int
store_record_find(struct store *s, const char *instance_id, int64_t *id,
    char **cause)
{
	return select_id(s, "SELECT id FROM records WHERE instance_id = ?",
	    instance_id, NULL, id, cause);
}

int
store_record_import(struct store *s, int64_t form_ref,
    const struct record_info *rec, const char *xml, int64_t *id, char **cause)
{
	sqlite3_stmt *st;
	char now[40];

	iso8601_now(now, sizeof now);
	if (sq_cached(s, "INSERT INTO records (instance_id, form_version_id, "
	    "household, round, site, interviewer, status, started_at, updated_at, "
	    "finalized_at, xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st,
	    cause) != 0)
		return -1;
	sq_bind_text(st, 1, rec->instance_id);
	sqlite3_bind_int64(st, 2, form_ref);
	sq_bind_text(st, 3, rec->household);
	sq_bind_text(st, 4, rec->round);
	sq_bind_text(st, 5, rec->site);
	sq_bind_text(st, 6, rec->interviewer ? rec->interviewer : "");
	sq_bind_text(st, 7, rec->status);
	sq_bind_text(st, 8, rec->started_at ? rec->started_at : now);
	sq_bind_text(st, 9, now);
	sq_bind_text(st, 10, rec->finalized_at);
	sq_bind_text(st, 11, xml);
	if (sq_cached_step_done(s, st, cause,
	    _("cannot keep the imported record")) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
store_answer_put(struct store *s, int64_t record, const char *name, long entry,
    const char *value, char **cause)
{
	static const char sql[] = "INSERT INTO answers (record_id, name, "
	    "entry, value) VALUES (?, ?, ?, ?) ON CONFLICT (record_id, name, "
	    "entry) DO UPDATE SET value = excluded.value, carried = NULL";
	sqlite3_stmt *st;
	int rc;

	/* Compiled once: an import writes thousands of answers. */
	if (sq_cached(s, sql, &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	sq_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, entry);
	sq_bind_text(st, 4, value);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 :
	    sq_fail(s, cause, _("cannot save the answer"));
	sq_cached_done(st);
	return rc;
}

int
store_record_create(struct store *s, int64_t form_ref, const char *household,
    const char *round, const char *site, const char *interviewer, int64_t *id,
    char instance_id[42], char **cause)
{
	sqlite3_stmt *st;
	char instance[42], now[40];

	if (ids_instance_id(instance) != 0) {
		set_cause(cause, _("the system gave no random numbers for a record id"));
		return -1;
	}
	iso8601_now(now, sizeof now);
	if (sq_prepare(s, "INSERT INTO records (instance_id, form_version_id, "
	    "household, round, site, interviewer, started_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, instance);
	sqlite3_bind_int64(st, 2, form_ref);
	sq_bind_text(st, 3, household);
	sq_bind_text(st, 4, round);
	sq_bind_text(st, 5, site);
	sq_bind_text(st, 6, interviewer ? interviewer : "");
	sq_bind_text(st, 7, now);
	sq_bind_text(st, 8, now);
	if (sq_step_done(s, st, cause, _("cannot start the interview")) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	if (instance_id != NULL)
		memcpy(instance_id, instance, sizeof instance);
	return 0;
}

int
store_begin(struct store *s, char **cause)
{
	bool queued = s->turn < 0;	/* not already this handle's turn */
	int rc;

	queue_enter(s);
	rc = exec_sql(s, "BEGIN IMMEDIATE", cause);
	s->queued_ms = 0;
	if (rc != 0) {
		if (queued)
			queue_leave(s);
		return -1;
	}
	s->in_transaction = true;
	return 0;
}

int
store_commit(struct store *s, char **cause)
{
	if (exec_sql(s, "COMMIT", cause) != 0) {
		store_rollback(s);
		return -1;
	}
	s->in_transaction = false;
	queue_leave(s);
	return 0;
}

void
store_rollback(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_transaction = false;
	queue_leave(s);
}

bool
store_queue_gave_up(const struct store *s)
{
	return s->queue_gave_up;
}

int
sq_begin(struct store *s, bool *own, char **cause)
{
	*own = !s->in_transaction;
	return *own ? store_begin(s, cause) : 0;
}

int
sq_end(struct store *s, bool own, int rc, char **cause)
{
	if (!own)
		return rc;
	if (rc != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause);
}

int
store_savepoint(struct store *s, char **cause)
{
	return exec_sql(s, "SAVEPOINT part", cause);
}

int
store_release(struct store *s, char **cause)
{
	return exec_sql(s, "RELEASE part", cause);
}

void
store_rollback_to(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK TO part; RELEASE part", NULL, NULL, NULL);
}

int
store_parts_in_memory(struct store *s, bool on, char **cause)
{
	/* A shared store keeps its temporary files in memory anyway. SQLite
	 * reads the setting when a transaction begins; a part's journal in
	 * memory is emptied when the part is released, so it holds one
	 * record's pages at most. */
	if (s->shared || s->in_memory)
		return 0;
	return exec_sql(s, on ? "PRAGMA temp_store = MEMORY" :
	    "PRAGMA temp_store = DEFAULT", cause);
}

int
store_answer_save(struct store *s, int64_t record, const char *name,
    long entry, const char *value, const char *position, char **cause)
{
	sqlite3_stmt *st;
	char now[40];
	bool own;
	int rc = -1;

	iso8601_now(now, sizeof now);
	if (sq_begin(s, &own, cause) != 0)
		return -1;
	/* Compiled once, as the draft check: compiling them again was half
	 * of an answer's instructions. */
	if (sq_cached(s, "UPDATE records SET updated_at = ?, position = "
	    "coalesce(?, position) WHERE id = ? AND status = 'draft'", &st,
	    cause) != 0)
		goto done;
	sq_bind_text(st, 1, now);
	sq_bind_text(st, 2, position);
	sqlite3_bind_int64(st, 3, record);
	if (sq_cached_step_done(s, st, cause, _("cannot save the answer")) != 0)
		goto done;
	if (sqlite3_changes(s->db) != 1) {
		set_cause(cause, _("this interview is no longer a draft; its answers "
		    "cannot change"));
		goto done;
	}
	rc = name == NULL ? 0 : store_answer_put(s, record, name, entry, value,
	    cause);
done:
	return sq_end(s, own, rc, cause);
}

/* Calls fn(name, entry, text) for each row of a query of one record's
 * answers. */
static int
answers_query(struct store *s, const char *sql, int64_t record,
    void (*fn)(void *ctx, const char *name, long entry, const char *text),
    void *ctx, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	/* Compiled once: an export reads the answers of every record. */
	if (sq_cached(s, sql, &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		    (long)sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sq_cached_done(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, cause, _("cannot read the answers"));
	return 0;
}

int
store_answers_load(struct store *s, int64_t record,
    void (*fn)(void *ctx, const char *name, long entry, const char *value),
    void *ctx, char **cause)
{
	return answers_query(s, "SELECT name, entry, value FROM answers WHERE "
	    "record_id = ? ORDER BY name, entry", record, fn, ctx, cause);
}

int
store_entry_delete(struct store *s, int64_t record, const char *const *names,
    size_t n, long entry, char **cause)
{
	/* Moving entries down goes through negative numbers, so that no two
	 * rows share a key half way. */
	static const char *const steps[] = {
		"DELETE FROM answers WHERE record_id = ?1 AND name = ?2 AND entry = ?3",
		"UPDATE answers SET entry = -(entry - 1) WHERE record_id = ?1 AND "
		"name = ?2 AND entry > ?3",
		"UPDATE answers SET entry = -entry WHERE record_id = ?1 AND "
		"name = ?2 AND entry < 0",
	};
	sqlite3_stmt *st;
	size_t i, k;
	bool own;
	int rc = -1;

	if (sq_begin(s, &own, cause) != 0)
		return -1;
	for (k = 0; k < ARRAY_LEN(steps); k++)
		for (i = 0; i < n; i++) {
			if (sq_prepare(s, steps[k], &st, cause) != 0)
				goto done;
			sqlite3_bind_int64(st, 1, record);
			sq_bind_text(st, 2, names[i]);
			sqlite3_bind_int64(st, 3, entry);
			if (sq_step_done(s, st, cause, _("cannot delete the entry")) != 0)
				goto done;
		}
	rc = 0;
done:
	return sq_end(s, own, rc, cause);
}

/* The interview's end as its instance tells the server (meta/timeEnd),
 * into end; the time now when the instance has none. */
static void
instance_end(const char *instance, char *end, size_t size)
{
	const char *t = instance ? strstr(instance, "<timeEnd>") : NULL;

	iso8601_now(end, size);
	if (t != NULL && strlen(t) > 9 + 25 && t[9 + 25] == '<')
		snprintf(end, size, "%.25s", t + 9);
}

/* Finalizes a draft with xml as its XML and the end of `instance` (the
 * plain instance, which a sealed record does not keep) as its time, so
 * that the two never differ by the second between them. */
static int
record_finalize(struct store *s, int64_t record, const char *xml,
    const char *instance, char **cause)
{
	sqlite3_stmt *st;
	char now[40];
	bool own;
	int rc = -1;

	instance_end(instance, now, sizeof now);
	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if (sq_prepare(s, "UPDATE records SET status = 'finalized', finalized_at = ?, "
	    "updated_at = ?, xml = ? WHERE id = ? AND status = 'draft'", &st,
	    cause) != 0)
		goto done;
	sq_bind_text(st, 1, now);
	sq_bind_text(st, 2, now);
	sq_bind_text(st, 3, xml);
	sqlite3_bind_int64(st, 4, record);
	if (sq_step_done(s, st, cause, _("cannot finalize the interview")) != 0)
		goto done;
	if (sqlite3_changes(s->db) != 1) {
		set_cause(cause, _("this interview is not a draft; it cannot be "
		    "finalized again"));
		goto done;
	}
	if (sq_prepare(s, "DELETE FROM draft_holders WHERE record_id = ?", &st,
	    cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, record);
	if (sq_step_done(s, st, cause, _("cannot finalize the interview")) != 0)
		goto done;
	rc = 0;
done:
	return sq_end(s, own, rc, cause);
}

int
store_record_finalize(struct store *s, int64_t record, const char *xml,
    char **cause)
{
	return record_finalize(s, record, xml, xml, cause);
}

/* 1 when record is a draft, 0 when it is not (or is not in the database),
 * -1 on an error. */
static int
record_draft(struct store *s, int64_t record, char **cause)
{
	sqlite3_stmt *st;
	int draft;

	if (sq_prepare(s, "SELECT status FROM records WHERE id = ?", &st,
	    cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	draft = sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "draft") == 0;
	sqlite3_finalize(st);
	return draft;
}

int
store_record_seal(struct store *s, int64_t record, const char *manifest,
    const char *instance, const unsigned char *enc, size_t enc_len,
    const char *needs, const char *const *keep, size_t nkeep, char **cause)
{
	sqlite3_stmt *st;
	struct buf sql = { 0 };
	size_t i;
	bool own;
	int draft, rc = -1;

	if (sq_begin(s, &own, cause) != 0)
		return -1;
	/* A draft is finalized sealed; a record imported finalized gets its
	 * manifest as its XML. */
	if ((draft = record_draft(s, record, cause)) < 0 ||
	    (draft ? record_finalize(s, record, manifest, instance, cause) != 0 :
	    store_record_set_xml(s, record, manifest, cause) != 0))
		goto done;
	if (sq_prepare(s, "INSERT INTO sealed (record_id, enc, needs) VALUES "
	    "(?, ?, ?)", &st, cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, record);
	sqlite3_bind_blob64(st, 2, enc, enc_len, SQLITE_TRANSIENT);
	sq_bind_text(st, 3, needs);
	if (sq_step_done(s, st, cause, _("cannot keep the sealed record")) != 0)
		goto done;
	buf_adds(&sql, "DELETE FROM answers WHERE record_id = ?1");
	if (nkeep > 0) {
		buf_adds(&sql, " AND name NOT IN (");
		for (i = 0; i < nkeep; i++)
			buf_printf(&sql, "%s?%zu", i ? ", " : "", i + 2);
		buf_adds(&sql, ")");
	}
	i = (size_t)sq_prepare(s, sql.data, &st, cause);
	buf_free(&sql);
	if (i != 0)
		goto done;
	sqlite3_bind_int64(st, 1, record);
	for (i = 0; i < nkeep; i++)
		sq_bind_text(st, (int)i + 2, keep[i]);
	if (sq_step_done(s, st, cause, _("cannot keep the sealed record")) != 0)
		goto done;
	s->scrub_due = true;
	rc = 0;
done:
	return sq_end(s, own, rc, cause);
}

int
store_sealed_get(struct store *s, int64_t record, unsigned char **enc,
    size_t *enc_len, char **needs, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (enc != NULL)
		*enc = NULL;
	if (needs != NULL)
		*needs = NULL;
	if (sq_prepare(s, "SELECT enc, needs FROM sealed WHERE record_id = ?", &st,
	    cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if (enc != NULL) {
			*enc = xmalloc(n ? n : 1);
			if (n > 0)
				memcpy(*enc, sqlite3_column_blob(st, 0), n);
			*enc_len = n;
		}
		if (needs != NULL)
			*needs = sq_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(s, cause, _("cannot read the sealed record"));
	return rc == SQLITE_ROW;
}

int
store_scrub(struct store *s, char **cause)
{
	int busy_ms = s->busy_ms, rc;

	if (!s->scrub_due || s->in_transaction)
		return 0;
	/* After a try that met a reader, the program tries again before
	 * each key: without waiting, lest every key wait. */
	if (s->scrub_failed)
		s->busy_ms = 0;
	/* SQLITE_OK only when every frame is in the database file and the
	 * log is cut to nothing; while others read, it stays due. */
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	s->busy_ms = busy_ms;
	if (rc != SQLITE_OK) {
		s->scrub_failed = true;
		return sq_fail(s, cause, _("cannot empty the database's log"));
	}
	s->scrub_due = s->scrub_failed = false;
	return 0;
}

int
store_draft_holder(struct store *s, int64_t record, struct holder *out,
    char **cause)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	if (sq_cached(s, "SELECT token, login, host, tty, address, pid, started, "
	    "since FROM draft_holders WHERE record_id = ?", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->token = sq_col_dup(st, 0);
		out->login = sq_col_dup(st, 1);
		out->host = sq_col_dup(st, 2);
		out->tty = sq_col_dup(st, 3);
		out->address = sq_col_dup(st, 4);
		out->pid = (long)sqlite3_column_int64(st, 5);
		out->started = sq_col_dup(st, 6);
		out->since = sq_col_dup(st, 7);
	}
	sq_cached_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(s, cause, _("cannot read who has the draft open"));
	return rc == SQLITE_ROW;
}

int
store_draft_claim(struct store *s, int64_t record, const struct holder *me,
    bool take_over, struct holder *other, char **cause)
{
	sqlite3_stmt *st;
	bool own;
	int held, result = -1, rc = -1;

	memset(other, 0, sizeof *other);
	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if ((held = record_draft(s, record, cause)) < 0)
		goto done;
	if (!held) {
		set_cause(cause, _("this interview is no longer a draft; its answers "
		    "cannot change"));
		goto done;
	}
	if ((held = store_draft_holder(s, record, other, cause)) < 0)
		goto done;
	if (!held || str_eq(other->token, me->token))
		result = STORE_CLAIMED;
	else if (holder_gone(other))
		result = STORE_CLAIMED_GONE;
	else if (take_over)
		result = STORE_CLAIMED_OVER;
	else {
		result = STORE_HELD;	/* left to it: nothing written */
		rc = 1;
		goto done;
	}
	if (sq_prepare(s, "INSERT OR REPLACE INTO draft_holders (record_id, token, "
	    "login, host, tty, address, pid, started, since) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, record);
	sq_bind_text(st, 2, me->token);
	sq_bind_text(st, 3, me->login);
	sq_bind_text(st, 4, me->host);
	sq_bind_text(st, 5, me->tty);
	sq_bind_text(st, 6, me->address);
	sqlite3_bind_int64(st, 7, me->pid);
	sq_bind_text(st, 8, me->started);
	sq_bind_text(st, 9, me->since);
	if (sq_step_done(s, st, cause, _("cannot open the draft")) != 0)
		goto done;
	rc = 0;
done:
	if (sq_end(s, own, rc, cause) < 0) {
		holder_clear(other);
		return -1;
	}
	return result;
}

int
store_draft_check(struct store *s, int64_t record, const char *token,
    struct holder *other, char **cause)
{
	int held = store_draft_holder(s, record, other, cause);

	if (held < 0)
		return -1;
	if (held && token != NULL && str_eq(other->token, token)) {
		holder_clear(other);
		return 0;
	}
	return 1;
}

int
store_draft_release(struct store *s, int64_t record, const char *token,
    char **cause)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, "DELETE FROM draft_holders WHERE record_id = ? AND "
	    "token = ?", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	sq_bind_text(st, 2, token);
	return sq_step_done(s, st, cause, _("cannot let the draft go"));
}

int
store_draft_discard(struct store *s, int64_t record, const char *token,
    const char *reason, char **cause)
{
	static const char *const steps[] = {
		"DELETE FROM answers WHERE record_id = ?",
		"DELETE FROM draft_holders WHERE record_id = ?",
		"DELETE FROM records WHERE id = ? AND status = 'draft'",
	};
	struct holder other;
	sqlite3_stmt *st;
	size_t k;
	int held;
	bool own;
	int rc = -1;

	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if ((held = record_draft(s, record, cause)) < 0)
		goto done;
	if (!held) {
		set_cause(cause, _("this interview is not a draft; it cannot be "
		    "discarded"));
		goto done;
	}
	if ((held = store_draft_holder(s, record, &other, cause)) < 0)
		goto done;
	if (held && !str_eq(other.token, token) && !holder_gone(&other)) {
		char *where = holder_describe(&other);

		set_cause(cause, _("this draft is open in another session (%s); "
		    "it was not discarded"), where);
		free(where);
		holder_clear(&other);
		goto done;
	}
	holder_clear(&other);
	if (trail_add(s, &(struct trail_entry){ .what = "discard", .record =
	    record, .detail = reason }, cause) != 0)
		goto done;
	for (k = 0; k < ARRAY_LEN(steps); k++) {
		if (sq_prepare(s, steps[k], &st, cause) != 0)
			goto done;
		sqlite3_bind_int64(st, 1, record);
		if (sq_step_done(s, st, cause, _("cannot discard the draft")) != 0)
			goto done;
	}
	rc = 0;
done:
	return sq_end(s, own, rc, cause);
}

int
store_draft_hand_over(struct store *s, int64_t record, const char *to,
    char **cause)
{
	sqlite3_stmt *st;
	char *from = NULL;
	bool own;
	int step, rc = -1;

	if (to == NULL || to[strspn(to, " ")] == '\0') {
		set_cause(cause, _("a draft is handed over to a login: name one"));
		return -1;
	}
	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if (sq_prepare(s, "SELECT interviewer FROM records WHERE id = ? AND "
	    "status = 'draft'", &st, cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, record);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		from = sq_col_dup(st, 0);
	sqlite3_finalize(st);
	if (step != SQLITE_ROW) {
		set_cause(cause, _("this interview is not a draft; it cannot be "
		    "handed over"));
		goto done;
	}
	/* The session that had it open can change it no more. */
	if (sq_prepare(s, "UPDATE records SET interviewer = ? WHERE id = ?", &st,
	    cause) != 0)
		goto done;
	sq_bind_text(st, 1, to);
	sqlite3_bind_int64(st, 2, record);
	if (sq_step_done(s, st, cause, _("cannot hand the draft over")) != 0 ||
	    sq_prepare(s, "DELETE FROM draft_holders WHERE record_id = ?", &st,
	    cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, record);
	if (sq_step_done(s, st, cause, _("cannot hand the draft over")) != 0 ||
	    trail_add(s, &(struct trail_entry){ .what = "hand_over", .record =
	    record, .old = from, .new_value = to }, cause) != 0)
		goto done;
	rc = 0;
done:
	free(from);
	return sq_end(s, own, rc, cause);
}

char *
sq_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int records_select(struct store *s, enum store_filter filter,
    int64_t id, const char *text, struct record_info **out, size_t *n,
    char **cause);

int
store_records_list(struct store *s, enum store_filter filter,
    struct record_info **out, size_t *n, char **cause)
{
	return records_select(s, filter, 0, NULL, out, n, cause);
}

int
store_queue(struct store *s, struct record_info **out, size_t *n, char **cause)
{
	return records_select(s, STORE_QUEUE, 0, NULL, out, n, cause);
}

int
store_record_get(struct store *s, int64_t record, struct record_info *out,
    char **cause)
{
	struct record_info *v;
	size_t n;

	if (records_select(s, STORE_ONE, record, NULL, &v, &n, cause) != 0)
		return -1;
	if (n != 1) {
		set_cause(cause, _("record %lld is not in the database"), (long long)record);
		store_records_free(v, n);
		return -1;
	}
	*out = v[0];
	free(v);
	return 0;
}

char *
store_record_xml(struct store *s, int64_t record, char **cause)
{
	sqlite3_stmt *st;
	char *xml = NULL;

	*cause = NULL;
	if (sq_prepare(s, "SELECT xml FROM records WHERE id = ?", &st, cause) != 0)
		return NULL;
	sqlite3_bind_int64(st, 1, record);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		xml = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return xml;
}

int
store_record_set_xml(struct store *s, int64_t record, const char *xml,
    char **cause)
{
	sqlite3_stmt *st;

	if (sq_cached(s, "UPDATE records SET xml = ? WHERE id = ? AND xml IS NULL "
	    "AND status <> 'draft'", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, xml);
	sqlite3_bind_int64(st, 2, record);
	return sq_cached_step_done(s, st, cause, _("cannot keep the record's XML"));
}

int
store_record_uploaded(struct store *s, int64_t record, const char *status,
    const char *reply, char **cause)
{
	sqlite3_stmt *st;
	char now[40];

	iso8601_now(now, sizeof now);
	if (sq_prepare(s, "UPDATE records SET status = ?, uploaded_at = ?, "
	    "server_reply = ? WHERE id = ? AND status = 'finalized'", &st,
	    cause) != 0)
		return -1;
	sq_bind_text(st, 1, status);
	sq_bind_text(st, 2, now);
	sq_bind_text(st, 3, reply);
	sqlite3_bind_int64(st, 4, record);
	return sq_step_done(s, st, cause, _("cannot record the upload"));
}

/* The statement that reads records of a filter, bound. */
static char *
records_sql(enum store_filter filter, const char *by, bool count)
{
	static const char *const where[] = {
		[STORE_DRAFTS] = "r.status = 'draft'",
		[STORE_DONE] = "r.status <> 'draft'",
		[STORE_ALL] = "1",
		[STORE_QUEUE] = "r.status = 'finalized'",
		[STORE_ONE] = "r.id = ?",
		[STORE_HOUSEHOLD] = "r.household = ? COLLATE NOCASE",
		[STORE_PREVIOUS] = ("r.household = ?1 COLLATE NOCASE AND "
		    "r.status <> 'draft' AND r.round IS NOT NULL AND r.round <> ?2"),
		[STORE_QUEUE_PAGE] = ("r.status = 'finalized' AND (r.started_at > "
		    "?1 OR (r.started_at = ?1 AND r.id > ?2))"),
	};
	/* The latest first for STORE_PREVIOUS, which takes one. */
	const char *order = by != NULL ? by : filter == STORE_PREVIOUS ?
	    "coalesce(r.finalized_at, r.started_at) DESC, r.id DESC LIMIT 1" :
	    filter == STORE_QUEUE_PAGE ? "r.started_at, r.id LIMIT ?3" :
	    "r.started_at, r.id";
	return xasprintf("SELECT r.id, r.instance_id, r.form_version_id, f.form_id, "
	    "f.version, r.household, r.round, r.site, r.interviewer, r.status, "
	    "r.started_at, r.updated_at, r.finalized_at, r.position, %s, "
	    "EXISTS (SELECT 1 FROM sealed z WHERE z.record_id = r.id) "
	    "FROM records r JOIN form_versions f ON "
	    "f.id = r.form_version_id WHERE %s ORDER BY %s",
	    count ? "(SELECT count(*) FROM answers a WHERE a.record_id = r.id AND "
	    "a.value IS NOT NULL AND a.entry >= 0)" : "0", where[filter], order);
}

/* The statement that reads records of a filter, bound; one record by id
 * (for each record an import adds) is compiled once, its statement
 * cached (*cached true: reset it, never finalize it). */
static int
records_prepare(struct store *s, enum store_filter filter, int64_t id,
    const char *text, const char *by, bool count, sqlite3_stmt **st,
    bool *cached, char **cause)
{
	static char *one;
	char *sql;
	int rc;

	*cached = filter == STORE_ONE && by == NULL && count;
	if (*cached) {
		if (one == NULL)
			one = records_sql(filter, by, count);
		if (sq_cached(s, one, st, cause) != 0)
			return -1;
	} else {
		sql = records_sql(filter, by, count);
		rc = sq_prepare(s, sql, st, cause);
		free(sql);
		if (rc != 0)
			return -1;
	}
	if (filter == STORE_ONE)
		sqlite3_bind_int64(*st, 1, id);
	else if (filter == STORE_HOUSEHOLD)
		sq_bind_text(*st, 1, text);
	else if (filter == STORE_PREVIOUS && text != NULL) {
		sq_bind_text(*st, 1, text);
		sq_bind_text(*st, 2, text + strlen(text) + 1);
	} else if (filter == STORE_QUEUE_PAGE) {
		sq_bind_text(*st, 1, text);
		sqlite3_bind_int64(*st, 2, id);
		sqlite3_bind_int64(*st, 3, STORE_PAGE);
	}
	return 0;
}

static void
record_read(sqlite3_stmt *st, struct record_info *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->instance_id = sq_col_dup(st, 1);
	r->form_ref = sqlite3_column_int64(st, 2);
	r->form_id = sq_col_dup(st, 3);
	r->form_version = sq_col_dup(st, 4);
	r->household = sq_col_dup(st, 5);
	r->round = sq_col_dup(st, 6);
	r->site = sq_col_dup(st, 7);
	r->interviewer = sq_col_dup(st, 8);
	r->status = sq_col_dup(st, 9);
	r->started_at = sq_col_dup(st, 10);
	r->updated_at = sq_col_dup(st, 11);
	r->finalized_at = sq_col_dup(st, 12);
	r->position = sq_col_dup(st, 13);
	r->answered = (long)sqlite3_column_int64(st, 14);
	r->sealed = sqlite3_column_int(st, 15) != 0;
}

static int
records_select(struct store *s, enum store_filter filter, int64_t id,
    const char *text, struct record_info **out, size_t *n, char **cause)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool cached;
	int rc;

	*out = NULL;
	*n = 0;
	/* The queue's pages need no count of answers. */
	if (records_prepare(s, filter, id, text, NULL, filter != STORE_QUEUE_PAGE,
	    &st, &cached, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		memset(&(*out)[*n], 0, sizeof **out);
		record_read(st, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		sq_fail(s, cause, _("cannot list the interviews"));
	if (cached)
		sq_cached_done(st);
	else
		sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_records_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* A walk of the records of filter, in the order by (NULL: oldest first). */
static int
records_walk(struct store *s, enum store_filter filter, const char *by,
    int (*fn)(const struct record_info *r, void *ctx, char **cause), void *ctx,
    char **cause)
{
	struct record_info r;
	sqlite3_stmt *st;
	bool own = !s->in_transaction, cached;
	int rc, stop = 0;

	/* One snapshot for the whole walk: writers go on beside it (WAL). */
	if (own && exec_sql(s, "BEGIN", cause) != 0)
		return -1;
	if (records_prepare(s, filter, 0, NULL, by, false, &st, &cached,
	    cause) != 0) {
		if (own)
			sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
		return -1;
	}
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		record_read(st, &r);
		stop = fn(&r, ctx, cause);
		store_record_clear(&r);
	}
	if (stop == 0 && rc != SQLITE_DONE)
		stop = sq_fail(s, cause, _("cannot list the interviews"));
	sqlite3_finalize(st);
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return stop == 0 ? 0 : -1;
}

int
store_read_begin(struct store *s, bool *own, char **cause)
{
	*own = false;
	if (s->in_transaction)
		return 0;
	if (exec_sql(s, "BEGIN", cause) != 0)
		return -1;
	s->in_transaction = true;
	*own = true;
	return 0;
}

void
store_read_end(struct store *s, bool own)
{
	if (!own)
		return;
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	s->in_transaction = false;
}

int
store_records_each(struct store *s, enum store_filter filter,
    int (*fn)(const struct record_info *r, void *ctx, char **cause), void *ctx,
    char **cause)
{
	return records_walk(s, filter, NULL, fn, ctx, cause);
}

int
store_records_by_household(struct store *s,
    int (*fn)(const struct record_info *r, void *ctx, char **cause), void *ctx,
    char **cause)
{
	/* In the order of the index records_by_household_round: no sort, so
	 * nothing held however many records there are. */
	return records_walk(s, STORE_DONE, "coalesce(nullif(r.household, ''), "
	    "r.instance_id), coalesce(r.round, ''), r.started_at", fn, ctx, cause);
}

int
store_queue_page(struct store *s, const struct record_info *after,
    struct record_info **out, size_t *n, char **cause)
{
	/* After the last one met, in the queue's order (the first page:
	 * after nothing); what was sent since has left the queue. */
	return records_select(s, STORE_QUEUE_PAGE, after != NULL ? after->id : 0,
	    after != NULL && after->started_at != NULL ? after->started_at : "",
	    out, n, cause);
}

void
store_record_clear(struct record_info *r)
{
	free(r->instance_id);
	free(r->form_id);
	free(r->form_version);
	free(r->household);
	free(r->round);
	free(r->site);
	free(r->interviewer);
	free(r->status);
	free(r->started_at);
	free(r->updated_at);
	free(r->finalized_at);
	free(r->position);
	memset(r, 0, sizeof *r);
}

void
store_records_free(struct record_info *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_record_clear(&v[i]);
	free(v);
}

long
store_count(struct store *s, const char *status)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM records WHERE "
	    "status = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sq_bind_text(st, 1, status);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
store_records_of(struct store *s, const char *household,
    struct record_info **out, size_t *n, char **cause)
{
	return records_select(s, STORE_HOUSEHOLD, 0, household, out, n, cause);
}

int
store_previous_record(struct store *s, const char *household,
    const char *round, struct record_info *out, char **cause)
{
	struct record_info *v;
	size_t n;
	char *pair;
	int rc;

	memset(out, 0, sizeof *out);
	if (household == NULL || round == NULL)
		return 0;
	/* Two parameters in one string, split at the NUL between them. */
	pair = xasprintf("%s%c%s", household, '\0', round);
	rc = records_select(s, STORE_PREVIOUS, 0, pair, &v, &n, cause);
	free(pair);
	if (rc != 0)
		return -1;
	if (n == 0) {
		free(v);
		return 0;
	}
	*out = v[0];
	free(v);
	return 1;
}

int
store_answer_carry(struct store *s, int64_t record, const char *name,
    long entry, const char *value, const char *from_round, char **cause)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, "INSERT OR REPLACE INTO answers (record_id, name, entry, "
	    "value, carried) VALUES (?, ?, ?, ?, ?)", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	sq_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, entry);
	sq_bind_text(st, 4, value);
	sq_bind_text(st, 5, from_round);
	return sq_step_done(s, st, cause, _("cannot save the answer"));
}

int
store_carried_load(struct store *s, int64_t record,
    void (*fn)(void *ctx, const char *name, long entry, const char *round),
    void *ctx, char **cause)
{
	return answers_query(s, "SELECT name, entry, carried FROM answers WHERE "
	    "record_id = ? AND carried IS NOT NULL", record, fn, ctx, cause);
}

char *
store_setting(struct store *s, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;

	/* Compiled once: each XML instance an import makes reads one. */
	if (sq_cached(s, "SELECT value FROM settings WHERE key = ?", &st,
	    NULL) != 0)
		return NULL;
	sq_bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sq_col_dup(st, 0);
	sq_cached_done(st);
	return v;
}

int
store_set_setting(struct store *s, const char *key, const char *value,
    char **cause)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, "INSERT OR REPLACE INTO settings (key, value) "
	    "VALUES (?, ?)", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, key);
	sq_bind_text(st, 2, value);
	return sq_step_done(s, st, cause, _("cannot keep the setting"));
}

int
store_rounds(struct store *s, char ***names, long **counts, size_t *n,
    char **cause)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*names = NULL;
	*counts = NULL;
	*n = 0;
	/* Kept up to date by triggers (schema 14): reading every record
	 * took seconds at a million. */
	if (sq_prepare(s, "SELECT round, n FROM round_tallies WHERE n > 0 "
	    "ORDER BY round", &st, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*names = xreallocarray(*names, cap, sizeof **names);
			*counts = xreallocarray(*counts, cap, sizeof **counts);
		}
		(*names)[*n] = sq_col_dup(st, 0);
		(*counts)[(*n)++] = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, cause, _("cannot list the rounds"));
	return 0;
}

int
store_record_refused(struct store *s, int64_t record, const char *reply,
    char **cause)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, "UPDATE records SET server_reply = ? WHERE id = ? AND "
	    "status = 'finalized'", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, reply);
	sqlite3_bind_int64(st, 2, record);
	return sq_step_done(s, st, cause, _("cannot record the upload"));
}

int
store_requeue(struct store *s, const char *instance_id, const char *who,
    long *n, char **cause)
{
	sqlite3_stmt *st;
	char now[40];

	iso8601_now(now, sizeof now);
	*n = 0;
	if (sq_prepare(s, "UPDATE records SET status = 'finalized', uploaded_at = "
	    "NULL, server_reply = 'requeued ' || ?1 || ' by ' || ?2 || "
	    "coalesce('; before: ' || server_reply, '') WHERE (status = 'conflict' "
	    "OR (status = 'finalized' AND server_reply IS NOT NULL AND "
	    "server_reply NOT LIKE 'requeued %')) AND (?3 IS NULL OR "
	    "instance_id = ?3)", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, now);
	sq_bind_text(st, 2, who);
	sq_bind_text(st, 3, instance_id);
	if (sq_step_done(s, st, cause, _("cannot put the records back in the "
	    "queue")) != 0)
		return -1;
	*n = sqlite3_changes(s->db);
	return 0;
}

char *
store_record_reply(struct store *s, int64_t record)
{
	sqlite3_stmt *st;
	char *reply = NULL;

	if (sq_prepare(s, "SELECT server_reply FROM records WHERE id = ?", &st,
	    NULL) != 0)
		return NULL;
	sqlite3_bind_int64(st, 1, record);
	if (sqlite3_step(st) == SQLITE_ROW)
		reply = sq_col_dup(st, 0);
	sqlite3_finalize(st);
	return reply;
}

int
store_record_file_put(struct store *s, int64_t record, const char *name,
    const char *type, const char *data, size_t len, char **cause)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, "INSERT OR REPLACE INTO record_files (record_id, name, "
	    "type, data) VALUES (?, ?, ?, ?)", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	sq_bind_text(st, 2, name);
	sq_bind_text(st, 3, type);
	sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_TRANSIENT);
	return sq_step_done(s, st, cause, _("cannot keep the record's files"));
}

int
store_record_files(struct store *s, int64_t record, struct store_file **out,
    size_t *n, char **cause)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sq_prepare(s, "SELECT name, type, data FROM record_files WHERE "
	    "record_id = ? ORDER BY name", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_file *f;
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		const void *data = sqlite3_column_blob(st, 2);

		if (*n == cap) {
			cap = cap ? cap * 2 : 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		f = &(*out)[(*n)++];
		f->name = sq_col_dup(st, 0);
		f->type = sq_col_dup(st, 1);
		f->data = xmalloc(len + 1);
		if (len > 0)
			memcpy(f->data, data, len);
		f->data[len] = '\0';
		f->len = len;
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		store_files_free(*out, *n);
		*out = NULL;
		*n = 0;
		return sq_fail(s, cause, _("cannot read the record's files"));
	}
	sqlite3_finalize(st);
	return 0;
}

void
store_files_free(struct store_file *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].type);
		free(v[i].data);
	}
	free(v);
}

char *
store_device_id(struct store *s)
{
	char *id = store_setting(s, "device_id"), uuid[42];

	if (id != NULL)
		return id;
	/* doorstep: and the random part of a v4 UUID, kept from now on. */
	if (ids_instance_id(uuid) != 0)
		return xstrdup("doorstep:unknown");
	id = xasprintf("doorstep:%.8s%.4s%.3s%.3s%.12s", uuid + 5, uuid + 14,
	    uuid + 20, uuid + 25, uuid + 29);
	{
		sqlite3_stmt *st;

		/* Another process may have made one meanwhile: the first stays. */
		if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO settings (key, "
		    "value) VALUES ('device_id', ?)", -1, &st, NULL) == SQLITE_OK) {
			sq_bind_text(st, 1, id);
			sqlite3_step(st);
			sqlite3_finalize(st);
		}
	}
	free(id);
	id = store_setting(s, "device_id");
	return id ? id : xstrdup("doorstep:unknown");
}

int
store_audit_add(struct store *s, int64_t record, const struct store_audit *a,
    char **cause)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, "INSERT INTO audit_events (record_id, event, node, "
	    "start_ms, end_ms, old_value, new_value, user) VALUES (?, ?, ?, ?, ?, "
	    "?, ?, ?)", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, record);
	sq_bind_text(st, 2, a->event);
	sq_bind_text(st, 3, a->node);
	if (a->start_ms > 0)
		sqlite3_bind_int64(st, 4, a->start_ms);
	if (a->end_ms > 0)
		sqlite3_bind_int64(st, 5, a->end_ms);
	sq_bind_text(st, 6, a->old_value);
	sq_bind_text(st, 7, a->new_value);
	sq_bind_text(st, 8, a->user);
	return sq_step_done(s, st, cause, _("cannot keep the audit log"));
}

/* Appends a CSV field, quoted when it holds a comma, a quote or a line
 * break (RFC 4180, as ODK Collect writes its audit.csv). */
static void
csv_field(struct buf *b, const char *v)
{
	if (v == NULL)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	for (; *v != '\0'; v++) {
		if (*v == '"')
			buf_addc(b, '"');
		buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

char *
store_audit_csv(struct store *s, int64_t record, char **cause)
{
	sqlite3_stmt *st;
	struct buf b = { 0 };
	int rc, k;

	if (sq_prepare(s, "SELECT event, node, start_ms, end_ms, old_value, "
	    "new_value, user FROM audit_events WHERE record_id = ? ORDER BY id",
	    &st, cause) != 0)
		return NULL;
	sqlite3_bind_int64(st, 1, record);
	buf_adds(&b, "event,node,start,end,old-value,new-value,user\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (k = 0; k < 7; k++) {
			if (k > 0)
				buf_addc(&b, ',');
			if (sqlite3_column_type(st, k) == SQLITE_INTEGER)
				buf_printf(&b, "%lld",
				    (long long)sqlite3_column_int64(st, k));
			else
				csv_field(&b, (const char *)sqlite3_column_text(st, k));
		}
		buf_addc(&b, '\n');
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		buf_free(&b);
		sq_fail(s, cause, _("cannot read the audit log"));
		return NULL;
	}
	return buf_steal(&b);
}

int
store_form_version_check(struct store *s, const struct form *f, char **why,
    char **cause)
{
	sqlite3_stmt *st;
	char *shape = NULL, *change = NULL;
	int rc = SQLITE_DONE;

	*why = NULL;
	if (sq_prepare(s, "SELECT yaml FROM form_versions WHERE form_id = ? AND "
	    "version = ? AND sha256 <> ? ORDER BY id DESC", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, f->id);
	sq_bind_text(st, 2, f->version);
	sq_bind_text(st, 3, f->sha256);
	while (change == NULL && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *yaml = (const char *)sqlite3_column_text(st, 0);
		struct diags d;
		struct form *old;
		char *old_shape;

		diags_init(&d, f->id);
		old = form_parse(yaml, (size_t)sqlite3_column_bytes(st, 0), &d);
		diags_free(&d);
		if (old == NULL)
			continue;	/* a version this program no longer reads */
		if (shape == NULL)
			shape = form_shape(f);
		old_shape = form_shape(old);
		change = form_shape_change(old_shape, shape);
		free(old_shape);
		form_free(old);
	}
	if (change == NULL && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		free(shape);
		return sq_fail(s, cause, _("cannot read the kept forms"));
	}
	sqlite3_finalize(st);
	free(shape);
	if (change == NULL)
		return 0;
	*why = xasprintf(_("form %s version %s: its questions differ from the "
	    "version %s already used in %s (%s); a server keeps one set of "
	    "questions per version and would leave the new answers out: change "
	    "'version:' in the form file"), f->id, f->version, f->version,
	    store_path(s), change);
	free(change);
	return 1;
}
