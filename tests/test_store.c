/* The store keeps every answer, privately, and refuses what would lose or
 * corrupt data: a newer schema, a locked or full disk, a changed record. */
#include "helpers.h"

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
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
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
	    "INSERT INTO form_versions VALUES (1, 't', '1', 'x', 'y', 'z');"
	    "INSERT INTO records (id, instance_id, form_version_id, interviewer,"
	    " started_at, updated_at) VALUES (7, 'uuid:1', 1, 'liu', 'a', 'b');"
	    "INSERT INTO records (id, instance_id, form_version_id, interviewer,"
	    " household, site, started_at, updated_at) VALUES (8, 'uuid:2', 1,"
	    " 'liu', 'bj-7', 'beijing', '2020-01-02', '2020-01-03'), (9, 'uuid:3',"
	    " 1, 'liu', 'BJ-7', 'beijing', '2020-01-01', '2020-01-01');"
	    "INSERT INTO answers VALUES (7, 'a', 'kept from v1');"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
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
		cmocka_unit_test_setup_teardown(newer_schema_refused, setup, teardown),
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
		cmocka_unit_test_setup_teardown(draft_held_by_one_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(gone_holder_is_taken_over, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
