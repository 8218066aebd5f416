/* The store keeps every answer, privately, and refuses what would lose or
 * corrupt data: a newer schema, a locked or full disk, a changed record. */
#include "helpers.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>

#include "../core/form.h"
#include "../core/holder.h"
#include "../core/household.h"
#include "../core/store.h"
#include "../core/util.h"

/* From <grp.h>, whose struct group the form's own struct group hides. */
int setgroups(size_t size, const gid_t *list);

static const char form_yaml[] =
    "form: t\nversion: \"1\"\ntitle: T\nbody:\n"
    "  - {name: a, type: text, label: A}\n"
    "  - {name: b, type: integer, label: B}\n";

struct fixture {
	char *dir;
	char *path;
	struct store *s;
	struct form *f;
	int64_t ref;
	int64_t rec;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct diags d;
	char *cause = NULL;

	fx->dir = test_tmpdir();
	fx->path = xasprintf("%s/sub/dir/doorstep.db", fx->dir);
	fx->s = store_open(fx->path, &cause);
	if (fx->s == NULL) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	diags_init(&d, "t.yaml");
	fx->f = form_parse(form_yaml, sizeof form_yaml - 1, &d);
	diags_free(&d);
	if (fx->f == NULL || store_form_remember(fx->s, fx->f, &fx->ref, &cause) ||
	    store_record_create(fx->s, fx->ref, "BJ-0001", "2020-R1", "beijing",
	    "liu", &fx->rec, NULL, &cause))
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_set_progress(NULL, NULL);	/* a test that failed may not have */
	store_close(fx->s);
	form_free(fx->f);
	test_rmtree(fx->dir);
	free(fx->dir);
	free(fx->path);
	free(fx);
	return 0;
}

struct wanted {
	const char *name;
	long entry;
	char value[64];
	int found;
};

static void
remember(void *ctx, const char *name, long entry, const char *value)
{
	struct wanted *w = ctx;

	if (strcmp(name, w->name) != 0 || entry != w->entry)
		return;
	snprintf(w->value, sizeof w->value, "%s", value ? value : "(null)");
	w->found = 1;
}

/* The stored answer ("(null)" when left empty), or NULL when there is none. */
static const char *
answer_of(struct store *st, int64_t rec, const char *name)
{
	static struct wanted w;

	memset(&w, 0, sizeof w);
	w.name = name;
	assert_int_equal(store_answers_load(st, rec, remember, &w, NULL), 0);
	return w.found ? w.value : NULL;
}

static void
files_are_private(void **state)
{
	struct fixture *fx = *state;
	struct stat st;
	char *dir = xasprintf("%s/sub/dir", fx->dir);

	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(dir);
}

static void
default_path(void **state)
{
	char *p;

	(void)state;
	setenv("DOORSTEP_DB", "/x/env.db", 1);
	assert_string_equal(p = store_default_path("/x/flag.db", NULL), "/x/flag.db");
	free(p);
	assert_string_equal(p = store_default_path(NULL, NULL), "/x/env.db");
	free(p);
	unsetenv("DOORSTEP_DB");
	setenv("XDG_DATA_HOME", "/x/data", 1);
	assert_string_equal(p = store_default_path(NULL, NULL),
	    "/x/data/doorstep/doorstep.db");
	free(p);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/liu", 1);
	assert_string_equal(p = store_default_path(NULL, NULL),
	    "/home/liu/.local/share/doorstep/doorstep.db");
	free(p);
}

static void
schema_version_and_wal(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
newer_schema_refused(void **state)
{
	struct fixture *fx = *state;
	char *cause = NULL;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(fx->path, &cause));
	assert_non_null(strstr(cause, "written by a newer doorstep"));
	assert_non_null(strstr(cause, "schema 99"));
	free(cause);
	/* Nothing was changed: the data is still there for the newer one. */
	assert_string_equal(answer_of(fx->s, fx->rec, "a") == NULL ? "none" : "?",
	    "none");
	assert_int_equal(store_count(fx->s, "draft"), 1);
}

/* One text value a query gives, or "" (a static buffer). */
static const char *
query_text(const char *path, const char *sql)
{
	static char out[256];
	sqlite3_stmt *st;
	sqlite3 *db;

	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* A database of a newer doorstep in rollback-journal mode is refused and
 * left exactly as it was: same bytes, same journal mode, no journal. */
static void
newer_schema_left_as_it_was(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/newer.db", fx->dir), *cause = NULL;
	char *wal = xasprintf("%s-wal", path), *before, *after;
	struct stat st;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future (x);"
	    "INSERT INTO future VALUES ('kept'); PRAGMA user_version = 99;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	before = test_read_file(path);
	assert_int_equal(stat(path, &st), 0);

	assert_null(store_open(path, &cause));
	assert_non_null(strstr(cause, "written by a newer doorstep"));
	assert_non_null(strstr(cause, "nothing was changed"));
	free(cause);
	after = test_read_file(path);
	assert_int_equal(memcmp(before, after, (size_t)st.st_size), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 2 * 4096);
	assert_int_equal(access(wal, F_OK), -1);
	assert_string_equal(query_text(path, "PRAGMA journal_mode"), "delete");
	free(before);
	free(after);
	free(wal);
	free(path);
}

/* A schema-1 database, as the first doorstep made it, with one form,
 * the records the SQL `records` inserts, and record 7's answer a. */
static void
make_schema_1(const char *path, const char *records)
{
	char *sql = xasprintf("%s%s%s",
	    "CREATE TABLE form_versions (id INTEGER PRIMARY KEY, form_id TEXT NOT NULL,"
	    " version TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, yaml TEXT NOT NULL,"
	    " first_used TEXT NOT NULL);"
	    "CREATE TABLE records (id INTEGER PRIMARY KEY, instance_id TEXT NOT NULL"
	    " UNIQUE, form_version_id INTEGER NOT NULL, household TEXT, round TEXT,"
	    " site TEXT, interviewer TEXT NOT NULL, status TEXT NOT NULL DEFAULT"
	    " 'draft', started_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	    " finalized_at TEXT, position TEXT, xml TEXT, uploaded_at TEXT,"
	    " server_reply TEXT);"
	    "CREATE TABLE answers (record_id INTEGER NOT NULL, name TEXT NOT NULL,"
	    " value TEXT, PRIMARY KEY (record_id, name)) WITHOUT ROWID;"
	    "INSERT INTO form_versions VALUES (1, 't', '1', 'x', 'y', 'z');",
	    records,
	    "INSERT INTO answers VALUES (7, 'a', 'kept from v1');"
	    "PRAGMA user_version = 1;");
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
}

/* Record 7 of a schema-1 database, of household BJ-7. */
static const char schema_1_bj7[] = "INSERT INTO records (id, instance_id, "
    "form_version_id, interviewer, household, started_at, updated_at) VALUES "
    "(7, 'uuid:1', 1, 'liu', 'BJ-7', 'a', 'b');";

/* Opens path in `n` processes let go at the same moment; returns how many
 * failed, their messages on stderr. */
static int
open_at_once(const char *path, int n)
{
	pid_t pids[32];
	int go[2], i, failed = 0, status;

	assert_true(n <= 32);
	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct store *s;
			char *cause = NULL, c;

			close(go[1]);
			/* Every child waits here until the parent closes the pipe. */
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			s = store_open(path, &cause);
			if (s == NULL)
				fprintf(stderr, "# %s\n", cause);
			free(cause);
			store_close(s);
			_exit(s == NULL);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < n; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	return failed;
}

/* First opens at the same moment, of a new database and of a schema-1 one:
 * every one succeeds, and the database is migrated once. */
static void
first_opens_at_once(void **state)
{
	struct fixture *fx = *state;
	int round, failed = 0;
	char *path = NULL;

	for (round = 0; round < 2; round++) {
		free(path);
		path = xasprintf("%s/race-%d.db", fx->dir, round);
		if (round % 2 == 1)
			make_schema_1(path, schema_1_bj7);
		failed += open_at_once(path, 16);
		assert_int_equal(atoi(query_text(path, "PRAGMA user_version")),
		    STORE_SCHEMA_VERSION);
		assert_string_equal(query_text(path, "PRAGMA integrity_check"), "ok");
		assert_string_equal(query_text(path, "PRAGMA journal_mode"), "wal");
		/* Every table of the schema is there, once. */
		assert_string_equal(query_text(path, "SELECT count(*) FROM "
		    "sqlite_master WHERE name IN ('form_versions', 'records', "
		    "'answers', 'households', 'household_events', 'settings')"), "6");
		if (round % 2 == 1) {
			assert_string_equal(query_text(path, "SELECT value FROM answers "
			    "WHERE record_id = 7 AND name = 'a' AND entry = 0"),
			    "kept from v1");
			assert_string_equal(query_text(path, "SELECT count(*) FROM "
			    "households"), "1");
		}
	}
	free(path);
	assert_int_equal(failed, 0);
}

/* Another program writes a database still in rollback-journal mode as
 * doorstep starts: the switch to WAL, which SQLite refuses at once while
 * the other holds the lock, waits for it instead of failing. */
static void
wal_switch_waits_for_a_writer(void **state)
{
	struct fixture *fx = *state;
	char *cause = NULL, c = 0;
	int held[2], status;
	struct store *s;
	sqlite3 *db;
	pid_t pid;

	store_close(fx->s);
	fx->s = NULL;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(pipe(held), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(held[0]);
		if (sqlite3_open(fx->path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO settings "
		    "VALUES ('k', 'v')", NULL, NULL, NULL) != SQLITE_OK ||
		    write(held[1], "x", 1) != 1)
			_exit(3);
		usleep(300 * 1000);
		_exit(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK);
	}
	close(held[1]);
	assert_int_equal(read(held[0], &c, 1), 1);
	close(held[0]);
	s = store_open(fx->path, &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	store_close(s);
	assert_string_equal(query_text(fx->path, "PRAGMA journal_mode"), "wal");
	assert_string_equal(query_text(fx->path, "SELECT value FROM settings "
	    "WHERE key = 'k'"), "v");
}

/* The ticket the write queue beside path hands out next (bytes 0-7 of
 * PATH.write-queue, see store.c), or -1 without a queue. */
static int64_t
queue_next(const char *path)
{
	char *file = xasprintf("%s.write-queue", path);
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	int64_t next = -1;

	free(file);
	if (fd < 0)
		return -1;
	if (pread(fd, &next, sizeof next, 0) != (ssize_t)sizeof next)
		next = 0;
	close(fd);
	return next;
}

/* Waits until a writer has taken ticket `want` - 1 of path's queue: it is
 * then waiting in line. */
static void
queue_reaches(const char *path, int64_t want)
{
	int tries;

	for (tries = 0; queue_next(path) < want; tries++) {
		if (tries > 10000)
			fail_msg("no writer took ticket %lld of the queue",
			    (long long)want - 1);
		usleep(1000);
	}
}

/* A writer in a process of its own: opens path, begins a transaction
 * (waiting busy_ms in all), appends NAME and a newline to `order` once the
 * database is its own, writes a byte to `held` (or not: -1), waits for a
 * byte on `hold` (or not: -1), commits. Exits 0; 2 when it stopped waiting
 * in the queue and asked SQLite anyway; 1 when it failed. */
static pid_t
queue_writer(const char *path, const char *name, int busy_ms, int held,
    int hold, const char *order)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *s;
		char *cause = NULL, *line = xasprintf("%s\n", name), c;
		int rc = 1, fd;

		/* Not the others' pipes: when the test stops, every writer
		 * holding on reads the end of its pipe and goes. */
		for (fd = 3; fd < 256; fd++)
			if (fd != held && fd != hold)
				close(fd);
		if ((s = store_open(path, NULL)) != NULL) {
			store_set_busy_timeout(s, busy_ms);
			if (store_begin(s, &cause) == 0) {
				rc = store_queue_gave_up(s) ? 2 : 0;
				fd = open(order, O_WRONLY | O_APPEND | O_CREAT, 0600);
				if (fd < 0 || write(fd, line, strlen(line)) < 0 ||
				    (held >= 0 && write(held, "x", 1) != 1))
					rc = 1;
				if (fd >= 0)
					close(fd);
				while (hold >= 0 && read(hold, &c, 1) < 0 && errno == EINTR)
					;
				if (store_commit(s, &cause) != 0)
					rc = 1;
			}
		}
		if (cause != NULL)
			fprintf(stderr, "# writer %s: %s\n", name, cause);
		free(cause);
		free(line);
		store_close(s);
		_exit(rc);
	}
	return pid;
}

static int
exit_code(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* What the writers wrote in `order`. */
static char *
order_of(const char *order)
{
	char *text = xcalloc(1, 256);
	int fd = open(order, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(read(fd, text, 255) >= 0);
	close(fd);
	return text;
}

/* Closes both ends of two pipes. */
static void
close_pipes(const int a[2], const int b[2])
{
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* Writers get the database in the order they asked for it: A holds it, B
 * and then C line up; when A commits, B goes before C (without the queue,
 * whichever woke first after A). */
static void
write_queue_serves_in_order(void **state)
{
	struct fixture *fx = *state;
	char *order = xasprintf("%s/order", fx->dir), *got, c;
	int held[2], hold[2];
	pid_t a, b, d;
	int64_t next;

	store_close(fx->s);
	fx->s = NULL;
	assert_int_equal(pipe(held), 0);
	assert_int_equal(pipe(hold), 0);
	a = queue_writer(fx->path, "A", 60000, held[1], hold[0], order);
	assert_int_equal(read(held[0], &c, 1), 1);
	next = queue_next(fx->path);
	b = queue_writer(fx->path, "B", 60000, -1, -1, order);
	queue_reaches(fx->path, next + 1);
	d = queue_writer(fx->path, "C", 60000, -1, -1, order);
	queue_reaches(fx->path, next + 2);
	assert_int_equal(write(hold[1], "x", 1), 1);
	assert_int_equal(exit_code(a), 0);
	assert_int_equal(exit_code(b), 0);
	assert_int_equal(exit_code(d), 0);
	assert_string_equal(got = order_of(order), "A\nB\nC\n");
	free(got);
	close_pipes(held, hold);
	free(order);
}

/* A writer killed (kill -9) while the database is its turn does not hold
 * up the one waiting behind it: the kernel drops its lock in the queue,
 * and the next writer's turn comes at once, not after the queue's bound.
 * A single user's queue file is theirs alone. */
static void
write_queue_passes_a_killed_writers_turn(void **state)
{
	struct fixture *fx = *state;
	char *order = xasprintf("%s/order", fx->dir), *got, c;
	char *file = xasprintf("%s.write-queue", fx->path);
	int held[2], hold[2];
	struct stat st;
	int64_t next;
	pid_t a, b;

	store_close(fx->s);
	fx->s = NULL;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(pipe(held), 0);
	assert_int_equal(pipe(hold), 0);
	a = queue_writer(fx->path, "A", 60000, held[1], hold[0], order);
	assert_int_equal(read(held[0], &c, 1), 1);
	next = queue_next(fx->path);
	b = queue_writer(fx->path, "B", 60000, -1, -1, order);
	queue_reaches(fx->path, next + 1);
	assert_int_equal(kill(a, SIGKILL), 0);
	assert_int_equal(exit_code(a), 128 + SIGKILL);
	/* 0: B's turn came through the queue; 2 would be the bound. */
	assert_int_equal(exit_code(b), 0);
	assert_string_equal(got = order_of(order), "A\nB\n");
	free(got);
	/* And the queue goes on: the next writer has its turn at once. */
	assert_non_null(fx->s = store_open(fx->path, NULL));
	assert_int_equal(store_begin(fx->s, NULL), 0);
	assert_false(store_queue_gave_up(fx->s));
	assert_int_equal(store_commit(fx->s, NULL), 0);
	close_pipes(held, hold);
	free(file);
	free(order);
}

/* A writer stuck with the database (stopped, say) holds up the others no
 * longer than their busy timeout: they stop waiting in the queue, ask
 * SQLite, and fail with its message, the answer left to try again; once
 * the stuck one goes on, the next try succeeds. */
static void
write_queue_wait_is_bounded(void **state)
{
	struct fixture *fx = *state;
	char *order = xasprintf("%s/order", fx->dir), *cause = NULL, c;
	int held[2], hold[2];
	pid_t a;

	store_close(fx->s);
	fx->s = NULL;
	assert_int_equal(pipe(held), 0);
	assert_int_equal(pipe(hold), 0);
	a = queue_writer(fx->path, "A", 60000, held[1], hold[0], order);
	assert_int_equal(read(held[0], &c, 1), 1);
	assert_non_null(fx->s = store_open(fx->path, NULL));
	store_set_busy_timeout(fx->s, 300);
	assert_int_equal(store_begin(fx->s, &cause), -1);
	assert_true(store_queue_gave_up(fx->s));
	assert_non_null(strstr(cause, "database is locked"));
	free(cause);
	cause = NULL;
	assert_int_equal(write(hold[1], "x", 1), 1);
	assert_int_equal(exit_code(a), 0);
	assert_int_equal(store_begin(fx->s, &cause), 0);
	assert_false(store_queue_gave_up(fx->s));
	assert_int_equal(store_commit(fx->s, &cause), 0);
	close_pipes(held, hold);
	free(order);
}

static void
dangling_symlink_refused(void **state)
{
	struct fixture *fx = *state;
	char *link = xasprintf("%s/link.db", fx->dir);
	char *target = xasprintf("%s/gone.db", fx->dir), *cause = NULL;

	assert_int_equal(symlink(target, link), 0);
	assert_null(store_open(link, &cause));
	assert_non_null(strstr(cause, "is a symbolic link to"));
	assert_non_null(strstr(cause, target));
	assert_non_null(strstr(cause, "which does not exist"));
	free(cause);
	cause = NULL;
	/* Nothing was created where it points. */
	assert_int_equal(access(target, F_OK), -1);
	/* A link to a database is followed. */
	unlink(link);
	assert_int_equal(symlink(fx->path, link), 0);
	store_close(store_open(link, &cause));
	assert_null(cause);
	free(link);
	free(target);
}

static void
folder_others_can_write_refused(void **state)
{
	struct fixture *fx = *state;
	char *dir = xasprintf("%s/shared", fx->dir), *cause = NULL;
	char *path = xasprintf("%s/d.db", dir), *fix = xasprintf("chmod 700 %s", dir);
	static const mode_t refused[] = { 0777, 0770, 0702 };
	size_t i;

	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < ARRAY_LEN(refused); i++) {
		assert_int_equal(chmod(dir, refused[i]), 0);
		assert_null(store_open(path, &cause));
		assert_non_null(strstr(cause, "other users can write in the folder"));
		assert_non_null(strstr(cause, fix));
		free(cause);
		cause = NULL;
		assert_int_equal(access(path, F_OK), -1);
	}
	/* The sticky bit (as /tmp has) keeps others from replacing the file. */
	assert_int_equal(chmod(dir, 01777), 0);
	store_close(store_open(path, &cause));
	assert_null(cause);
	free(fix);
	free(path);
	free(dir);
}

/* Runs store_open(path) as an unprivileged user (as root: nobody), and
 * returns its message. */
static char *
open_unprivileged(const char *path)
{
	int out[2], status;
	char buf[1024];
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	assert_int_equal(pipe(out), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct passwd *pw = getpwnam("nobody");
		struct store *s;
		char *cause = NULL;

		close(out[0]);
		if (geteuid() == 0 && (pw == NULL || setgroups(0, NULL) != 0 ||
		    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
			_exit(3);
		s = store_open(path, &cause);
		if (cause != NULL && write(out[1], cause, strlen(cause)) < 0)
			_exit(4);
		free(cause);
		store_close(s);
		_exit(0);
	}
	close(out[1]);
	while ((n = read(out[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(out[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return xstrdup(buf);
}

/* A folder the user cannot write: the message says which folder, and why,
 * for a new database and for one already there. */
static void
folder_not_writable_explained(void **state)
{
	struct fixture *fx = *state;
	char *dir = xasprintf("%s/ro", fx->dir), *cause;
	char *path = xasprintf("%s/d.db", dir), *fresh = xasprintf("%s/new.db", dir);
	char *want = xasprintf("cannot write in %s: Permission denied (the "
	    "database needs to create its journal files there)", dir);

	if (geteuid() == 0 && getpwnam("nobody") == NULL) {
		skip();
		return;
	}
	assert_int_equal(mkdir(dir, 0700), 0);
	store_close(store_open(path, NULL));
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");

		assert_int_equal(chown(path, pw->pw_uid, pw->pw_gid), 0);
		assert_int_equal(chmod(fx->dir, 0711), 0);
		assert_int_equal(chmod(dir, 0755), 0);
	} else
		assert_int_equal(chmod(dir, 0500), 0);
	cause = open_unprivileged(fresh);
	assert_string_equal(cause, want);
	free(cause);
	cause = open_unprivileged(path);
	assert_string_equal(cause, want);
	free(cause);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	free(want);
	free(fresh);
	free(path);
	free(dir);
}

static void
unwritable_path(void **state)
{
	struct fixture *fx = *state;
	char *cause = NULL, *path = xasprintf("%s/doorstep.db/x.db", fx->path);

	assert_null(store_open(path, &cause));
	assert_non_null(strstr(cause, "cannot create the folder"));
	assert_non_null(strstr(cause, "Not a directory"));
	free(cause);
	free(path);
	/* The folder the database would be in is a file. */
	path = xasprintf("%s/x.db", fx->path);
	assert_null(store_open(path, &cause));
	assert_non_null(strstr(cause, "cannot open the database"));
	assert_non_null(strstr(cause, "Not a directory"));
	free(cause);
	free(path);
}

struct walk {
	int seen;
	int stop_at;
	char households[8][16];
	int64_t last;
};

static int
walk_one(const struct record_info *r, void *ctx, char **cause)
{
	struct walk *w = ctx;

	assert_true(r->id > w->last);	/* oldest first */
	w->last = r->id;
	snprintf(w->households[w->seen], sizeof w->households[0], "%s",
	    r->household);
	if (++w->seen == w->stop_at) {
		*cause = xstrdup("stopped");
		return -1;
	}
	return 0;
}

/* Exports walk the records one at a time: each of the filter, oldest
 * first, as store_records_list gives them; the walk stops when asked. */
static void
records_one_at_a_time(void **state)
{
	struct fixture *fx = *state;
	struct walk w = { 0 };
	char *cause = NULL;
	int64_t rec;

	assert_int_equal(store_record_create(fx->s, fx->ref, "BJ-0002", "2020-R1",
	    "beijing", "liu", &rec, NULL, NULL), 0);
	assert_int_equal(store_record_create(fx->s, fx->ref, "BJ-0003", "2020-R1",
	    "beijing", "liu", &rec, NULL, NULL), 0);
	assert_int_equal(store_records_each(fx->s, STORE_DRAFTS, walk_one, &w,
	    NULL), 0);
	assert_int_equal(w.seen, 3);
	assert_string_equal(w.households[0], "BJ-0001");
	assert_string_equal(w.households[2], "BJ-0003");
	memset(&w, 0, sizeof w);
	assert_int_equal(store_records_each(fx->s, STORE_DONE, walk_one, &w, NULL),
	    0);
	assert_int_equal(w.seen, 0);
	memset(&w, 0, sizeof w);
	w.stop_at = 2;
	assert_int_equal(store_records_each(fx->s, STORE_ALL, walk_one, &w,
	    &cause), -1);
	assert_int_equal(w.seen, 2);
	assert_string_equal(cause, "stopped");
	free(cause);
	/* The walk's snapshot is let go: a write goes through after it. */
	assert_int_equal(store_answer_save(fx->s, rec, "a", 0, "x", NULL, NULL), 0);
}

static void
answers_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct record_info *recs;
	size_t n;

	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "刘丽", "b", NULL), 0);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "b", 0, NULL, NULL, NULL), 0);
	assert_string_equal(answer_of(fx->s, fx->rec, "a"), "刘丽");
	assert_string_equal(answer_of(fx->s, fx->rec, "b"), "(null)");
	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "王", NULL, NULL), 0);
	assert_string_equal(answer_of(fx->s, fx->rec, "a"), "王");

	assert_int_equal(store_records_list(fx->s, STORE_DRAFTS, &recs, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0].position, "b");	/* kept, not cleared by NULL */
	assert_string_equal(recs[0].household, "BJ-0001");
	assert_string_equal(recs[0].form_id, "t");
	assert_int_equal(recs[0].answered, 1);
	assert_int_equal(strncmp(recs[0].instance_id, "uuid:", 5), 0);
	assert_int_equal(strlen(recs[0].instance_id), 41);
	assert_int_equal(recs[0].instance_id[19], '4');	/* version 4 */
	/* ISO 8601 with the offset, e.g. 2020-02-26T09:30:00+08:00 */
	assert_int_equal(strlen(recs[0].started_at), 25);
	assert_int_equal(recs[0].started_at[22], ':');
	store_records_free(recs, n);
}

static void
finalized_records_are_frozen(void **state)
{
	struct fixture *fx = *state;
	char *cause = NULL;

	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "x", NULL, NULL), 0);
	assert_int_equal(store_record_finalize(fx->s, fx->rec, "<t/>", NULL), 0);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "y", NULL, &cause), -1);
	assert_non_null(strstr(cause, "no longer a draft"));
	free(cause);
	assert_string_equal(answer_of(fx->s, fx->rec, "a"), "x");
	assert_int_equal(store_record_finalize(fx->s, fx->rec, "<t/>", &cause), -1);
	free(cause);
	assert_int_equal(store_count(fx->s, "finalized"), 1);
	assert_int_equal(store_count(fx->s, "draft"), 0);
}

static void
form_versions_kept_by_content(void **state)
{
	struct fixture *fx = *state;
	static const char edited[] = "form: t\nversion: \"1\"\ntitle: T\nbody:\n"
	    "  - {name: a, type: text, label: A changed}\n";
	struct diags d;
	struct form *f2;
	int64_t again, other;
	size_t len;
	char *yaml;

	assert_int_equal(store_form_remember(fx->s, fx->f, &again, NULL), 0);
	assert_int_equal(again, fx->ref);
	diags_init(&d, "t");
	f2 = form_parse(edited, sizeof edited - 1, &d);
	diags_free(&d);
	assert_int_equal(store_form_remember(fx->s, f2, &other, NULL), 0);
	assert_true(other != fx->ref);
	yaml = store_form_yaml(fx->s, fx->ref, &len, NULL);
	assert_int_equal(len, sizeof form_yaml - 1);
	assert_memory_equal(yaml, form_yaml, len);
	free(yaml);
	form_free(f2);
}

static void
locked_database_reports_and_recovers(void **state)
{
	struct fixture *fx = *state;
	char *cause = NULL;
	sqlite3 *other;

	store_set_busy_timeout(fx->s, 50);
	assert_int_equal(sqlite3_open(fx->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "x", NULL, &cause), -1);
	assert_non_null(strstr(cause, "locked"));
	free(cause);
	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "x", NULL, NULL), 0);
	assert_string_equal(answer_of(fx->s, fx->rec, "a"), "x");
}

/* A disk that fills up: the write fails with a message, and every answer
 * saved before it is still there. */
static void
full_disk_keeps_earlier_answers(void **state)
{
	struct fixture *fx = *state;
	char big[8192];
	pid_t pid;
	int status;

	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "kept", NULL, NULL), 0);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 256 * 1024, 256 * 1024 };
		char *cause = NULL, name[16];
		int i;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		for (i = 0; i < 1000; i++) {
			snprintf(name, sizeof name, "q%d", i);
			if (store_answer_save(fx->s, fx->rec, name, 0, big, NULL, &cause) != 0) {
				/* The message names the problem. */
				_exit(strstr(cause, "disk") || strstr(cause, "full") ||
				    strstr(cause, "I/O") ? 3 : 4);
			}
		}
		_exit(5);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	store_close(fx->s);
	fx->s = store_open(fx->path, NULL);
	assert_non_null(fx->s);
	assert_string_equal(answer_of(fx->s, fx->rec, "a"), "kept");
	assert_int_equal(store_answer_save(fx->s, fx->rec, "b", 0, "7", NULL, NULL), 0);
}

/* Running out of memory ends the process with status 70 and a message,
 * and what was committed before stays. */
/* Answers in repeat entries, and deleting an entry moves the later ones
 * down without losing them. */
static void
repeat_entries(void **state)
{
	struct fixture *fx = *state;
	static const char *const names[] = { "age", "sex" };
	static struct wanted w;

	assert_int_equal(store_answer_save(fx->s, fx->rec, "age", 1, "34", NULL, NULL), 0);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "age", 2, "8", NULL, NULL), 0);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "age", 3, "61", NULL, NULL), 0);
	assert_int_equal(store_answer_save(fx->s, fx->rec, "sex", 3, "f", NULL, NULL), 0);
	assert_int_equal(store_entry_delete(fx->s, fx->rec, names, 2, 2, NULL), 0);
	memset(&w, 0, sizeof w);
	w.name = "age";
	w.entry = 2;
	assert_int_equal(store_answers_load(fx->s, fx->rec, remember, &w, NULL), 0);
	assert_string_equal(w.value, "61");
	w.entry = 3;
	w.found = 0;
	assert_int_equal(store_answers_load(fx->s, fx->rec, remember, &w, NULL), 0);
	assert_false(w.found);
	w.name = "sex";
	w.entry = 2;
	assert_int_equal(store_answers_load(fx->s, fx->rec, remember, &w, NULL), 0);
	assert_string_equal(w.value, "f");
}

/* A database of schema 1 (before repeats) is migrated, answers kept. */
static void
migrates_from_schema_1(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/old.db", fx->dir), *cause = NULL;
	struct store *s;

	make_schema_1(path, "INSERT INTO records (id, instance_id, "
	    "form_version_id, interviewer, started_at, updated_at) VALUES (7, "
	    "'uuid:1', 1, 'liu', 'a', 'b');"
	    "INSERT INTO records (id, instance_id, form_version_id, interviewer,"
	    " household, site, started_at, updated_at) VALUES (8, 'uuid:2', 1,"
	    " 'liu', 'bj-7', 'beijing', '2020-01-02', '2020-01-03'), (9, 'uuid:3',"
	    " 1, 'liu', 'BJ-7', 'beijing', '2020-01-01', '2020-01-01');");
	s = store_open(path, &cause);
	assert_non_null(s);
	assert_string_equal(answer_of(s, 7, "a"), "kept from v1");
	assert_int_equal(store_answer_save(s, 7, "age", 2, "9", NULL, NULL), 0);
	/* Schema 3: the households the records name are registered, once. */
	{
		struct household *v;
		size_t n;

		assert_int_equal(household_search(s, "", &v, &n, NULL), 0);
		assert_int_equal(n, 1);
		assert_string_equal(v[0].site, "beijing");
		assert_int_equal(v[0].interviews, 2);
		households_free(v, n);
	}
	store_close(s);
	free(path);
}

/* A database of schema 8 (tests/upgrade/schema-8.sql, as doorstep made it
 * before schema 9) holding `households` households, heads 张伟1, 张伟2 ...,
 * with a record each. */
static void
make_schema_8(const char *path, int households)
{
	char *schema = test_read_file("tests/upgrade/schema-8.sql");
	char *data = xasprintf(
	    "INSERT INTO form_versions VALUES (1, 't', '1', 'x', 'y', 'z');"
	    "INSERT INTO households (code, site, head, phone, created_at,"
	    "  updated_at) WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT"
	    "  k + 1 FROM c WHERE k < %d) SELECT printf('H%%05d', k), 'beijing',"
	    "  '张伟' || k, '138 0000 ' || k, 'a', 'b' FROM c WHERE k <= %d;"
	    "INSERT INTO records (instance_id, form_version_id, household,"
	    "  interviewer, status, started_at, updated_at) SELECT 'uuid:' ||"
	    "  code, 1, code, 'liu', 'finalized', 'a', 'b' FROM households;",
	    households, households);
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, data, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(schema);
	free(data);
}

/* What an update told, in order. */
struct told {
	int starts, dones, steps_told;
	int from, to, steps, last_step, last_percent;
	long households;
	bool in_order;		/* steps 1, 2, ... each ending at 100 */
	int percents_between;	/* reports of a step part-done */
};

static void
note_progress(const struct store_progress *p, void *ctx)
{
	struct told *t = ctx;

	switch (p->what) {
	case STORE_PROGRESS_START:
		t->starts++;
		t->from = p->from;
		t->to = p->to;
		t->households = p->households;
		t->in_order = t->steps_told == 0 && t->dones == 0;
		t->last_percent = 100;
		break;
	case STORE_PROGRESS_STEP:
		t->steps_told++;
		t->steps = p->steps;
		if (p->step != t->last_step && (p->step != t->last_step + 1 ||
		    t->last_percent != 100 || p->percent != -1))
			t->in_order = false;
		if (p->percent > 0 && p->percent < 100)
			t->percents_between++;
		t->last_step = p->step;
		t->last_percent = p->percent;
		assert_non_null(p->name);
		break;
	case STORE_PROGRESS_DONE:
		t->dones++;
		if (t->last_step != t->steps || t->last_percent != 100)
			t->in_order = false;
		break;
	case STORE_PROGRESS_WAIT:	/* nobody else holds it here */
		t->in_order = false;
		break;
	}
}

/* Households the search finds. */
static size_t
found(struct store *s, const char *term)
{
	struct household *v;
	size_t n;

	assert_int_equal(household_search(s, term, &v, &n, NULL), 0);
	households_free(v, n);
	return n;
}

/* The first start after an upgrade says, before it starts, that it is
 * updating a database that holds data, and how far it has got, step by
 * step (the search index in parts); a new or empty database says nothing. */
static void
upgrade_tells_its_progress(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/old8.db", fx->dir);
	char *empty = xasprintf("%s/empty8.db", fx->dir);
	char *fresh = xasprintf("%s/new.db", fx->dir);
	struct told t = { 0 }, none = { 0 };
	struct store *s;

	make_schema_8(path, 2500);
	store_set_progress(note_progress, &t);
	s = store_open(path, NULL);
	assert_non_null(s);
	assert_int_equal(t.starts, 1);
	assert_int_equal(t.from, 8);
	assert_int_equal(t.to, STORE_SCHEMA_VERSION);
	assert_int_equal(t.households, 2500);
	assert_int_equal(t.steps, STORE_SCHEMA_VERSION - 8);
	assert_true(t.in_order);
	assert_true(t.percents_between >= 2);	/* the search index's parts */
	assert_int_equal(t.dones, 1);
	/* Its search index holds every household, by name and pinyin. */
	assert_int_equal(found(s, "张伟"), 2500);
	assert_int_equal(found(s, "zhangwei"), 2500);
	assert_int_equal(found(s, "H01234"), 1);
	store_close(s);
	/* Opened again, nothing to update, nothing said. */
	memset(&t, 0, sizeof t);
	store_close(store_open(path, NULL));
	assert_int_equal(t.starts + t.steps_told + t.dones, 0);
	/* Neither for a new database, nor an old one without data. */
	make_schema_8(empty, 0);
	store_set_progress(note_progress, &none);
	store_close(store_open(fresh, NULL));
	store_close(store_open(empty, NULL));
	assert_int_equal(atoi(query_text(empty, "PRAGMA user_version")),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(none.starts + none.steps_told + none.dones, 0);
	store_set_progress(NULL, NULL);
	free(path);
	free(empty);
	free(fresh);
}

/* Where a start is killed in kill_at: at the start of step kill_step, or
 * once that step has told kill_percent. */
static int kill_step, kill_percent;

static void
kill_at(const struct store_progress *p, void *ctx)
{
	(void)ctx;
	if (p->what == STORE_PROGRESS_STEP && p->step == kill_step &&
	    (kill_percent < 0 ? p->percent < 0 : p->percent >= kill_percent &&
	    p->percent < 100))
		raise(SIGKILL);
}

/* A first start killed (SIGKILL: the power cut, the impatient user) at any
 * step of the update, or in the middle of the search index, leaves the
 * database as it was, whole; the next start does the update, and finds
 * every household. */
static void
upgrade_killed_midway_is_done_again(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/killed8.db", fx->dir);
	int steps = STORE_SCHEMA_VERSION - 8, k, status;
	struct store *s;
	pid_t pid;

	make_schema_8(path, 2500);
	for (k = 1; k <= steps + 1; k++) {
		/* Each step as it starts; then the search index (schema 11)
		 * a part of the way in. */
		kill_step = k <= steps ? k : 11 - 8;
		kill_percent = k <= steps ? -1 : 30;
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			store_set_progress(kill_at, NULL);
			store_close(store_open(path, NULL));
			_exit(0);	/* not killed: the test fails */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		assert_string_equal(query_text(path, "PRAGMA user_version"), "8");
		assert_string_equal(query_text(path, "PRAGMA integrity_check"), "ok");
		assert_string_equal(query_text(path, "SELECT count(*) FROM "
		    "sqlite_master WHERE name LIKE 'households_text%' OR name = "
		    "'records_by_start' OR name = 'households_due'"), "0");
		assert_string_equal(query_text(path, "SELECT n FROM tallies WHERE "
		    "name = 'households'"), "2500");
	}
	s = store_open(path, NULL);
	assert_non_null(s);
	assert_int_equal(atoi(query_text(path, "PRAGMA user_version")),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(found(s, "张伟"), 2500);
	assert_int_equal(found(s, "zhangwei"), 2500);
	assert_int_equal(found(s, "0000 2499"), 1);
	store_close(s);
	free(path);
}

/* Two starts right after an upgrade (a team logging in): the first
 * updates, the second waits for it, saying so, instead of failing with
 * "database is locked" once its few seconds of patience are over; then it
 * finds the update done and does not do it again. The first is held in
 * the middle of its update (its progress callback waits on a pipe) until
 * the second has said it waits. */
static int hold_in, hold_out;

static void
hold_at_step(const struct store_progress *p, void *ctx)
{
	char c = 'h';

	(void)ctx;
	if (p->what == STORE_PROGRESS_STEP && p->step == 1 && p->percent < 0) {
		assert_int_equal(write(hold_out, &c, 1), 1);	/* "I hold it" */
		assert_int_equal(read(hold_in, &c, 1), 1);	/* "go on" */
	}
}

struct waits {
	int waits, starts;
	int go;			/* the pipe to the first start */
};

static void
note_wait(const struct store_progress *p, void *ctx)
{
	struct waits *w = ctx;
	char c = 'g';

	if (p->what == STORE_PROGRESS_WAIT && w->waits++ == 0)
		assert_int_equal(write(w->go, &c, 1), 1);
	if (p->what == STORE_PROGRESS_START)
		w->starts++;
}

static void
second_start_waits_for_the_update(void **state)
{
	struct fixture *fx = *state;
	char *path = xasprintf("%s/team8.db", fx->dir), *cause = NULL, c;
	int to_first[2], from_first[2], status;
	struct waits w = { 0 };
	struct store *s;
	pid_t pid;

	make_schema_8(path, 300);
	assert_int_equal(pipe(to_first), 0);
	assert_int_equal(pipe(from_first), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hold_in = to_first[0];
		hold_out = from_first[1];
		store_set_progress(hold_at_step, NULL);
		s = store_open(path, NULL);
		_exit(s != NULL ? 0 : 1);
	}
	assert_int_equal(read(from_first[0], &c, 1), 1);  /* it holds it */
	w.go = to_first[1];
	store_set_progress(note_wait, &w);
	s = store_open(path, &cause);
	store_set_progress(NULL, NULL);
	if (w.waits == 0)	/* it did not wait: let the first go on */
		assert_int_equal(write(to_first[1], "g", 1), 1);
	assert_null(cause);
	assert_non_null(s);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Said once that it waits; the update was the first's, not its own. */
	assert_int_equal(w.waits, 1);
	assert_int_equal(w.starts, 0);
	assert_int_equal(atoi(query_text(path, "PRAGMA user_version")),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(found(s, "zhangwei"), 300);
	store_close(s);
	close_pipes(to_first, from_first);
	free(path);
}

static void
out_of_memory_loses_nothing_saved(void **state)
{
	struct fixture *fx = *state;
	pid_t pid;
	int status;

	assert_int_equal(store_answer_save(fx->s, fx->rec, "a", 0, "before", NULL,
	    NULL), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);	/* the message is expected; keep the log clean */
		util_fail_alloc_after(1);
		(void)xstrdup("anything");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 70);
	assert_string_equal(answer_of(fx->s, fx->rec, "a"), "before");
}


/* A holder as another session would write it. */
static struct holder
session_as(const char *token, const char *host, long pid, const char *started)
{
	struct holder h;

	memset(&h, 0, sizeof h);
	h.token = xstrdup(token);
	h.login = xstrdup("wang");
	h.host = host ? xstrdup(host) : NULL;
	h.tty = xstrdup("pts/7");
	h.address = xstrdup("10.0.0.5");
	h.pid = pid;
	h.started = started ? xstrdup(started) : NULL;
	h.since = xstrdup("2020-02-26T09:30:00+08:00");
	return h;
}

/* One session holds a draft; a second is told who (and where) and takes
 * it only when asked to; the first then no longer holds it. */
static void
draft_held_by_one_session(void **state)
{
	struct fixture *fx = *state;
	struct holder me, other, before;
	char *cause = NULL, *where;

	assert_int_equal(holder_here(&me, NULL), 0);
	other = session_as("phone", "another-machine", 1, NULL);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &other, false, &before,
	    NULL), STORE_CLAIMED);
	assert_null(before.token);
	/* Again by the same session: still its own. */
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &other, false, &before,
	    NULL), STORE_CLAIMED);
	assert_string_equal(before.token, "phone");
	holder_clear(&before);
	/* Another machine's session cannot be known to have ended. */
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &me, false, &before,
	    NULL), STORE_HELD);
	assert_string_equal(before.login, "wang");
	where = holder_describe(&before);
	assert_string_equal(where, "wang, terminal pts/7 on another-machine, from "
	    "10.0.0.5, process 1, since 2020-02-26 09:30");
	free(where);
	holder_clear(&before);
	assert_int_equal(store_draft_check(fx->s, fx->rec, "phone", &before, NULL), 0);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &me, true, &before,
	    NULL), STORE_CLAIMED_OVER);
	holder_clear(&before);
	assert_int_equal(store_draft_check(fx->s, fx->rec, "phone", &before, NULL), 1);
	assert_string_equal(before.token, me.token);
	assert_int_equal(before.pid, (long)getpid());
	holder_clear(&before);
	/* The old session leaving does not let the new one's hold go. */
	assert_int_equal(store_draft_release(fx->s, fx->rec, "phone", NULL), 0);
	assert_int_equal(store_draft_check(fx->s, fx->rec, me.token, &before, NULL), 0);
	/* Finalizing lets it go, and a finalized record cannot be held. */
	assert_int_equal(store_record_finalize(fx->s, fx->rec, "<t/>", NULL), 0);
	assert_int_equal(store_draft_holder(fx->s, fx->rec, &before, NULL), 0);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &me, true, &before,
	    &cause), -1);
	assert_non_null(strstr(cause, "no longer a draft"));
	free(cause);
	holder_clear(&other);
	holder_clear(&me);
}

/* A holder on this machine whose process has ended, or whose pid another
 * process has taken since, is gone: its draft is taken without asking. */
static void
gone_holder_is_taken_over(void **state)
{
	struct fixture *fx = *state;
	struct holder me, dead, reused, alive, before;
	char host[256];
	pid_t pid;
	int status;

	assert_int_equal(holder_here(&me, NULL), 0);
	assert_int_equal(gethostname(host, sizeof host), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	dead = session_as("dead", host, (long)pid, NULL);
	assert_true(holder_gone(&dead));
	/* This very pid, started at another time: the pid was reused. */
	reused = session_as("reused", host, (long)getpid(), "boot/1");
	assert_true(holder_gone(&reused));
	alive = session_as("alive", host, (long)getpid(), me.started);
	assert_false(holder_gone(&alive));

	assert_int_equal(store_draft_claim(fx->s, fx->rec, &dead, false, &before,
	    NULL), STORE_CLAIMED);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &me, false, &before,
	    NULL), STORE_CLAIMED_GONE);
	assert_string_equal(before.token, "dead");
	holder_clear(&before);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &reused, true, &before,
	    NULL), STORE_CLAIMED_OVER);
	holder_clear(&before);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &me, false, &before,
	    NULL), STORE_CLAIMED_GONE);
	holder_clear(&before);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &alive, true, &before,
	    NULL), STORE_CLAIMED_OVER);
	holder_clear(&before);
	assert_int_equal(store_draft_claim(fx->s, fx->rec, &me, false, &before,
	    NULL), STORE_HELD);
	holder_clear(&before);
	holder_clear(&dead);
	holder_clear(&reused);
	holder_clear(&alive);
	holder_clear(&me);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(files_are_private, setup, teardown),
		cmocka_unit_test(default_path),
		cmocka_unit_test_setup_teardown(schema_version_and_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(records_one_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_left_as_it_was, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(first_opens_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(wal_switch_waits_for_a_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(write_queue_serves_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(write_queue_passes_a_killed_writers_turn,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(write_queue_wait_is_bounded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(dangling_symlink_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(folder_others_can_write_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(folder_not_writable_explained, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(unwritable_path, setup, teardown),
		cmocka_unit_test_setup_teardown(answers_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(finalized_records_are_frozen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(form_versions_kept_by_content, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(locked_database_reports_and_recovers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(full_disk_keeps_earlier_answers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(out_of_memory_loses_nothing_saved,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(repeat_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(migrates_from_schema_1, setup, teardown),
		cmocka_unit_test_setup_teardown(upgrade_tells_its_progress, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(upgrade_killed_midway_is_done_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(second_start_waits_for_the_update,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(draft_held_by_one_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(gone_holder_is_taken_over, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
