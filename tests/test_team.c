/* A team install: the system config, who is a member and a supervisor,
 * the checks of the data folder and database, the shared database's
 * files, and moving a single-user database in (core/team.c, priv.c,
 * adopt.c, config.c). */
#include "helpers.h"

#include <fcntl.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../core/adopt.h"
#include "../core/config.h"
#include "../core/household.h"
#include "../core/priv.h"
#include "../core/store.h"
#include "../core/team.h"
#include "../core/trail.h"

static char *
write_file(const char *dir, const char *name, const char *text)
{
	char *path = malloc(4096);
	FILE *f;

	snprintf(path, 4096, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *
my_login(void)
{
	return getpwuid(getuid())->pw_name;
}

/* This user's primary group, by name (grp.h clashes with form.h). */
static const char *
my_group(void)
{
	static char name[256];
	FILE *p;

	if (*name == '\0') {
		assert_non_null(p = popen("id -gn", "r"));
		assert_non_null(fgets(name, sizeof name, p));
		pclose(p);
		name[strcspn(name, "\n")] = '\0';
	}
	return name;
}

static void
test_system_config_names_the_team(void **state)
{
	struct config c = { 0 };
	char *dir = test_tmpdir(), *cause = NULL;
	char *path = write_file(dir, "config.yaml", "team: true\n"
	    "database: /var/lib/doorstep/doorstep.db\nforms: /srv/forms\n"
	    "site: beijing\nteam_group: doorstep\nsupervisors: [wang, li]\n"
	    "supervisor_group: doorstep-sup\n");

	(void)state;
	assert_int_equal(config_load_system(&c, path, &cause), 0);
	assert_int_equal(c.team, 1);
	assert_string_equal(c.database, "/var/lib/doorstep/doorstep.db");
	assert_string_equal(c.forms, "/srv/forms");
	assert_string_equal(c.team_group, "doorstep");
	assert_string_equal(c.supervisor_group, "doorstep-sup");
	assert_int_equal(c.n_supervisors, 2);
	assert_string_equal(c.supervisors[1], "li");
	assert_int_equal(team_is_supervisor(&c, "wang"), 1);
	assert_int_equal(team_is_supervisor(&c, "zhao"), 0);
	config_free(&c);
	free(path);
	test_rmtree(dir);
	free(dir);
}

/* No system config: nothing changes for a single user. */
static void
test_missing_system_config_is_no_team(void **state)
{
	struct config c = { 0 };
	char *cause = NULL;

	(void)state;
	assert_int_equal(config_load_system(&c, "/nonexistent/config.yaml",
	    &cause), 0);
	assert_int_equal(c.team, 0);
	config_free(&c);
}

static void
test_team_settings_refused_in_a_users_config(void **state)
{
	struct config c = { 0 };
	char *dir = test_tmpdir(), *cause = NULL;
	char *path = write_file(dir, "config.yaml", "team: false\n");

	(void)state;
	assert_int_equal(config_load(&c, path, 1, &cause), -1);
	assert_non_null(strstr(cause, "team belongs in the system config"));
	free(cause);
	config_free(&c);
	free(path);
	test_rmtree(dir);
	free(dir);
}

static void
test_team_config_faults_say_what_to_fix(void **state)
{
	static const char *const bad[][2] = {
		{ "team: true\n", "must name the shared database" },
		{ "team: true\ndatabase: /d/x.db\ninterviewer: liu\n",
		  "must not name an interviewer" },
		{ "team: maybe\n", "team must be true or false" },
		{ "team: true\ndatabase: d.db\n", "database must be a full path" },
		{ "supervisors: [[a]]\n", "supervisors must be a list of logins" },
	};
	char *dir = test_tmpdir();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config c = { 0 };
		char *cause = NULL, *path = write_file(dir, "c.yaml", bad[i][0]);

		assert_int_equal(config_load_system(&c, path, &cause), -1);
		if (strstr(cause, bad[i][1]) == NULL)
			fail_msg("%s: %s", bad[i][0], cause);
		free(cause);
		config_free(&c);
		free(path);
	}
	test_rmtree(dir);
	free(dir);
}

static void
test_membership_by_group(void **state)
{
	struct config c = { 0 };
	char *cause = NULL;

	(void)state;
	assert_int_equal(team_in_group(my_login(), my_group()), 1);
	assert_int_equal(team_in_group(my_login(), "no-such-group-x"), 0);
	c.supervisor_group = (char *)my_group();
	assert_int_equal(team_is_supervisor(&c, my_login()), 1);
	c.supervisor_group = NULL;
	c.team_group = (char *)my_group();
	assert_int_equal(team_check_member(&c, my_login(), &cause), 0);
	c.team_group = (char *)"no-such-group-x";
	assert_int_equal(team_check_member(&c, my_login(), &cause), -1);
	assert_non_null(strstr(cause, "create it with groupadd no-such-group-x"));
	free(cause);
	cause = NULL;
	/* A login that is not in an existing group is told how to be added. */
	c.team_group = (char *)my_group();
	assert_int_equal(team_check_member(&c, "no-such-login-x", &cause), -1);
	assert_non_null(strstr(cause, "ask the administrator to add you "
	    "(usermod -a -G"));
	free(cause);
}

static void
test_database_checks_name_the_fix(void **state)
{
	char *dir = test_tmpdir(), *cause = NULL, data[4200], db[4300];
	gid_t gid = getegid();
	int fd;

	(void)state;
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(db, sizeof db, "%s/doorstep.db", data);
	assert_int_equal(team_check_database(db, gid, &cause), -1);
	assert_non_null(strstr(cause, "install -d -o root -g"));
	free(cause);
	cause = NULL;

	assert_int_equal(mkdir(data, 0755), 0);
	assert_int_equal(chmod(data, 0755), 0);
	assert_int_equal(team_check_database(db, gid, &cause), -1);
	assert_non_null(strstr(cause, "chmod 2770"));
	free(cause);
	cause = NULL;

	assert_int_equal(chmod(data, 02770), 0);
	assert_int_equal(team_check_database(db, gid, &cause), 0);
	assert_int_equal(team_check_database(db, gid + 1, &cause), -1);
	assert_non_null(strstr(cause, "must belong to the group"));
	free(cause);
	cause = NULL;

	assert_true((fd = open(db, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(chmod(db, 0600), 0);
	assert_int_equal(team_check_database(db, gid, &cause), -1);
	assert_non_null(strstr(cause, "mode 600; doorstep needs group"));
	assert_non_null(strstr(cause, "chmod 660"));
	free(cause);
	cause = NULL;
	assert_int_equal(chmod(db, 0660), 0);
	assert_int_equal(team_check_database(db, gid, &cause), 0);
	test_rmtree(dir);
	free(dir);
}

static void
test_forms_folder_missing(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(team_check_forms("/nonexistent/forms", &cause), -1);
	assert_non_null(strstr(cause, "the team's forms folder /nonexistent/forms"));
	free(cause);
}

/* Whatever the umask, the team's database, its -wal and -shm and its
 * write queue are readable and writable by the folder's group, and by no
 * one else. */
static void
test_shared_database_files_are_the_groups(void **state)
{
	char *dir = test_tmpdir(), *cause = NULL, path[4300];
	static const char *const ends[] = { "", "-wal", "-shm", ".write-queue" };
	struct store *s;
	struct stat st;
	mode_t old = umask(077);
	size_t i;

	(void)state;
	assert_int_equal(chmod(dir, 02770), 0);
	snprintf(path, sizeof path, "%s/team.db", dir);
	assert_non_null(s = store_open_shared(path, &cause));
	for (i = 0; i < ARRAY_LEN(ends); i++) {
		char file[4400];

		snprintf(file, sizeof file, "%s%s", path, ends[i]);
		assert_int_equal(stat(file, &st), 0);
		if ((st.st_mode & 0777) != 0660)
			fail_msg("%s: mode %o", file, st.st_mode & 0777);
	}
	store_close(s);
	umask(old);
	test_rmtree(dir);
	free(dir);
}

/* Without the setgid bit nothing is raised or dropped. */
static void
test_priv_without_setgid(void **state)
{
	char *cause = NULL;

	(void)state;
	if (getgid() != getegid())
		skip();
	assert_int_equal(priv_init(), 0);
	assert_false(priv_setgid());
	assert_int_equal(priv_raise(&cause), 0);
	assert_int_equal(priv_lower(&cause), 0);
	assert_int_equal(priv_drop_for_good(&cause), 0);
	assert_int_equal(getegid(), getgid());
}

/* What a user could steer a privileged program with is cleared, and the
 * login is theirs whatever USER said. */
static void
test_clean_env(void **state)
{
	(void)state;
	setenv("TERMINFO", "/tmp/evil", 1);
	setenv("SQLITE_TMPDIR", "/tmp/evil", 1);
	setenv("TMPDIR", "/tmp/evil", 1);
	setenv("USER", "someone-else", 1);
	priv_clean_env("liu");
	assert_null(getenv("TERMINFO"));
	assert_null(getenv("SQLITE_TMPDIR"));
	assert_null(getenv("TMPDIR"));
	assert_string_equal(getenv("USER"), "liu");
	assert_string_equal(getenv("LOGNAME"), "liu");
}

static void
exec_ok(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* A single user's database moves in whole: each record, answer and
 * household; a team's database that already holds data is left alone. */
static void
test_adopt_keeps_every_record_and_household(void **state)
{
	char *dir = test_tmpdir(), *cause = NULL, old[4300], team[4300];
	struct adopt_counts done = { 0 };
	struct store *s;

	(void)state;
	snprintf(old, sizeof old, "%s/old.db", dir);
	snprintf(team, sizeof team, "%s/team/doorstep.db", dir);
	assert_non_null(s = store_open(old, &cause));
	store_close(s);
	exec_ok(old, "INSERT INTO form_versions VALUES (1, 'f', '1', 'x', 'y', 'now');"
	    "INSERT INTO records (id, instance_id, form_version_id, household, "
	    "  interviewer, status, started_at, updated_at) VALUES "
	    "  (1, 'uuid:a', 1, 'BJ-1', 'liu', 'finalized', 'a', 'a'),"
	    "  (2, 'uuid:b', 1, 'BJ-2', 'liu', 'draft', 'a', 'a');"
	    "INSERT INTO answers (record_id, name, entry, value) VALUES "
	    "  (1, 'size', 0, '3'), (2, 'size', 0, '5');"
	    "INSERT INTO households (code, head, created_at, updated_at) VALUES "
	    "  ('BJ-1', 'Liu', 'a', 'a'), ('BJ-2', 'Wang', 'a', 'a'),"
	    "  ('BJ-3', 'Zhao', 'a', 'a');");

	snprintf(team, sizeof team, "%s/team", dir);
	assert_int_equal(mkdir(team, 02770), 0);
	snprintf(team, sizeof team, "%s/team/doorstep.db", dir);
	if (adopt_database(old, team, &done, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(done.records, 2);
	assert_int_equal(done.households, 3);
	assert_non_null(s = store_open_shared(team, &cause));
	assert_int_equal(store_count(s, "draft"), 1);
	assert_int_equal(store_count(s, "finalized"), 1);
	store_close(s);

	assert_int_equal(adopt_database(old, team, &done, &cause), -1);
	assert_non_null(strstr(cause, "already holds 2 record(s) and 3 "
	    "household(s)"));
	free(cause);
	cause = NULL;

	/* Not a doorstep database: refused, nothing changed. */
	exec_ok(old, "PRAGMA user_version = 99");
	snprintf(team, sizeof team, "%s/team/new.db", dir);
	assert_int_equal(adopt_database(old, team, &done, &cause), -1);
	assert_non_null(strstr(cause, "is not a doorstep database this doorstep "
	    "knows"));
	free(cause);
	test_rmtree(dir);
	free(dir);
}

/* A team's database with nothing in its register may still have a trail
 * (an export of no record, a household registered then deleted): adopting
 * over it would wipe entries nobody may delete, so it is refused and the
 * trail stays whole. */
static void
test_adopt_keeps_the_teams_trail(void **state)
{
	char *dir = test_tmpdir(), *cause = NULL, old[4300], team[4300];
	struct adopt_counts done = { 0 };
	struct store *s;
	FILE *out;
	char *csv = NULL;
	size_t len = 0;

	(void)state;
	snprintf(old, sizeof old, "%s/old.db", dir);
	assert_non_null(s = store_open(old, &cause));
	store_close(s);
	snprintf(team, sizeof team, "%s/team", dir);
	assert_int_equal(mkdir(team, 02770), 0);
	snprintf(team, sizeof team, "%s/team/doorstep.db", dir);
	assert_non_null(s = store_open_shared(team, &cause));
	trail_set_login(s, "wang");
	assert_int_equal(trail_add(s, &(struct trail_entry){ .what = "export",
	    .new_value = "/tmp/none.jsonl", .detail = "0" }, &cause), 0);
	store_close(s);

	assert_int_equal(adopt_database(old, team, &done, &cause), -1);
	assert_non_null(strstr(cause, "already holds 1 trail entry(s)"));
	free(cause);
	cause = NULL;
	assert_non_null(s = store_open_shared(team, &cause));
	assert_non_null(out = open_memstream(&csv, &len));
	assert_int_equal(trail_csv(s, out, NULL, NULL), 1);
	fclose(out);
	assert_non_null(strstr(csv, ",wang,export,"));
	free(csv);
	store_close(s);
	test_rmtree(dir);
	free(dir);
}

/* Two members register the same code at the same moment, each in a
 * process of their own: one household is saved, and the other member is
 * told whose the code is, not "database is locked". */
static void
test_two_members_register_the_same_code(void **state)
{
	char *dir = test_tmpdir(), *cause = NULL, path[4300];
	int go[2], status, outcome[3] = { 0 }, i;
	struct store *s;
	pid_t pids[2];

	(void)state;
	assert_int_equal(chmod(dir, 02770), 0);
	snprintf(path, sizeof path, "%s/team.db", dir);
	assert_non_null(s = store_open_shared(path, &cause));
	store_close(s);
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < 2; i++) {
		assert_true((pids[i] = fork()) >= 0);
		if (pids[i] == 0) {
			struct household h = { 0 };
			char b;
			int rc;

			close(go[1]);
			s = store_open_shared(path, &cause);
			if (s == NULL || read(go[0], &b, 1) != 1)
				_exit(3);
			h.code = strdup("BJ-0042");
			h.head = strdup(i == 0 ? "Li" : "Wang");
			rc = household_add(s, &h, &cause);
			_exit(rc == 0 ? 0 : rc == 1 && strstr(cause,
			    "is already the household of") != NULL &&
			    strstr(cause, "choose another code") != NULL ? 1 : 2);
		}
	}
	close(go[0]);
	assert_int_equal(write(go[1], "gg", 2), 2);	/* both at once */
	close(go[1]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_in_range(WEXITSTATUS(status), 0, 2);
		outcome[WEXITSTATUS(status)]++;
	}
	assert_int_equal(outcome[0], 1);	/* saved */
	assert_int_equal(outcome[1], 1);	/* told whose the code is */
	test_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_config_names_the_team),
		cmocka_unit_test(test_missing_system_config_is_no_team),
		cmocka_unit_test(test_team_settings_refused_in_a_users_config),
		cmocka_unit_test(test_team_config_faults_say_what_to_fix),
		cmocka_unit_test(test_membership_by_group),
		cmocka_unit_test(test_database_checks_name_the_fix),
		cmocka_unit_test(test_forms_folder_missing),
		cmocka_unit_test(test_shared_database_files_are_the_groups),
		cmocka_unit_test(test_priv_without_setgid),
		cmocka_unit_test(test_clean_env),
		cmocka_unit_test(test_two_members_register_the_same_code),
		cmocka_unit_test(test_adopt_keeps_every_record_and_household),
		cmocka_unit_test(test_adopt_keeps_the_teams_trail),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
