/* Who may do what: in a team install a draft is its author's, supervisors
 * (named in the config) read, hand over and discard any draft and run the
 * data tasks, interviewers none of them; a single user keeps everything
 * as before teams; a finalized record changes for nobody. */
#include "helpers.h"

#include <pwd.h>

#include "../core/access.h"
#include "../core/config.h"
#include "../core/interview.h"
#include "../core/store.h"
#include "../core/team.h"
#include "../core/util.h"

static const char form_yaml[] =
    "form: t\nversion: \"1\"\ntitle: T\nbody:\n"
    "  - {name: a, type: text, label: A}\n";

struct fixture {
	char *dir;
	struct store *s;
	struct record_info alice_draft;	/* alice's draft */
	struct record_info alice_done;	/* alice's finalized record */
};

/* The login of the test process: the tests name it, or not, as a
 * supervisor, so that they run as any user. */
static const char *
me(void)
{
	const struct passwd *pw = getpwuid(getuid());

	assert_non_null(pw);
	return pw->pw_name;
}

static void
record_of(struct fixture *fx, const char *who, bool finalize,
    struct record_info *out)
{
	struct form *f = test_form_parse(form_yaml, sizeof form_yaml - 1);
	struct interview *iv;
	char *why = NULL, *cause = NULL;
	size_t first, nbad;

	iv = interview_begin(fx->s, f, "HH-0001", "R1", NULL, who, &cause);
	assert_non_null(iv);
	assert_int_equal(interview_answer(iv, "x", true, "en", &why, &cause), 0);
	if (finalize)
		assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	assert_int_equal(store_record_get(fx->s, iv->record, out, &cause), 0);
	interview_free(iv);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	if ((fx->s = test_store_new(&fx->dir)) == NULL)
		return -1;
	record_of(fx, "alice", false, &fx->alice_draft);
	record_of(fx, "alice", true, &fx->alice_done);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_record_clear(&fx->alice_draft);
	store_record_clear(&fx->alice_done);
	test_store_free(fx->s, fx->dir);
	free(fx);
	return 0;
}

/* A team config naming supervisors (NULL-terminated). */
static void
team_config(struct config *c, const char *const *supervisors)
{
	memset(c, 0, sizeof *c);
	c->team = 1;
	for (; *supervisors != NULL; supervisors++) {
		c->supervisors = xreallocarray(c->supervisors, c->n_supervisors + 1,
		    sizeof *c->supervisors);
		c->supervisors[c->n_supervisors++] = xstrdup(*supervisors);
	}
}

static void
interviewer_keeps_to_own_drafts(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct access alice, bob;
	const char *why;

	team_config(&c, (const char *const[]){ "root_of_all", NULL });
	access_init(&alice, &c, "alice");
	access_init(&bob, &c, "bob");
	assert_false(bob.supervisor);
	/* alice continues her own draft; bob can neither continue nor read
	 * it, nor discard it, nor hand it over. */
	assert_true(access_can(&alice, ACCESS_RESUME, &fx->alice_draft, &why));
	assert_null(why);
	assert_false(access_can(&bob, ACCESS_RESUME, &fx->alice_draft, &why));
	assert_non_null(strstr(why, "another interviewer's"));
	assert_false(access_can(&bob, ACCESS_READ, &fx->alice_draft, NULL));
	assert_false(access_can(&bob, ACCESS_DISCARD, &fx->alice_draft, &why));
	assert_non_null(strstr(why, "supervisor"));
	assert_false(access_can(&bob, ACCESS_HAND_OVER, &fx->alice_draft, NULL));
	assert_true(access_can(&alice, ACCESS_DISCARD, &fx->alice_draft, NULL));
	/* Nor may an interviewer move the team's data or reopen a case. */
	assert_false(access_can(&alice, ACCESS_EXPORT, NULL, &why));
	assert_non_null(strstr(why, "only a supervisor can export"));
	assert_false(access_can(&alice, ACCESS_UPLOAD, NULL, NULL));
	assert_false(access_can(&alice, ACCESS_IMPORT, NULL, NULL));
	assert_false(access_can(&alice, ACCESS_REPORT, NULL, NULL));
	assert_false(access_can(&alice, ACCESS_TRAIL, NULL, NULL));
	assert_false(access_can(&alice, ACCESS_REOPEN, NULL, NULL));
	config_free(&c);
}

static void
supervisor_reads_hands_over_discards(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct access sup;
	const char *why;

	team_config(&c, (const char *const[]){ "wang", me(), NULL });
	access_init(&sup, &c, me());
	assert_true(sup.supervisor);
	assert_true(access_can(&sup, ACCESS_READ, &fx->alice_draft, NULL));
	assert_true(access_can(&sup, ACCESS_HAND_OVER, &fx->alice_draft, NULL));
	assert_true(access_can(&sup, ACCESS_DISCARD, &fx->alice_draft, NULL));
	/* Reading is not continuing: a supervisor hands it over first. */
	assert_false(access_can(&sup, ACCESS_RESUME, &fx->alice_draft, &why));
	assert_non_null(strstr(why, "hand it over"));
	assert_true(access_can(&sup, ACCESS_EXPORT, NULL, NULL));
	assert_true(access_can(&sup, ACCESS_UPLOAD, NULL, NULL));
	assert_true(access_can(&sup, ACCESS_IMPORT, NULL, NULL));
	assert_true(access_can(&sup, ACCESS_REPORT, NULL, NULL));
	assert_true(access_can(&sup, ACCESS_TRAIL, NULL, NULL));
	assert_true(access_can(&sup, ACCESS_REOPEN, NULL, NULL));
	config_free(&c);
}

static void
finalized_changes_for_nobody(void **state)
{
	struct fixture *fx = *state;
	struct config team, single = { 0 };
	struct access sup, alice, solo;
	const char *why;

	team_config(&team, (const char *const[]){ me(), NULL });
	access_init(&sup, &team, me());
	access_init(&alice, &team, "alice");
	access_init(&solo, &single, "alice");
	assert_false(access_can(&alice, ACCESS_RESUME, &fx->alice_done, &why));
	assert_non_null(strstr(why, "finalized"));
	assert_false(access_can(&sup, ACCESS_RESUME, &fx->alice_done, NULL));
	assert_false(access_can(&solo, ACCESS_RESUME, &fx->alice_done, NULL));
	assert_false(access_can(&sup, ACCESS_DISCARD, &fx->alice_done, NULL));
	assert_false(access_can(&sup, ACCESS_HAND_OVER, &fx->alice_done, NULL));
	/* And the store agrees: a hand-over of it is refused. */
	assert_int_equal(store_draft_hand_over(fx->s, fx->alice_done.id, "bob",
	    NULL), -1);
	/* Its author and the supervisors read it; another interviewer not. */
	assert_true(access_can(&alice, ACCESS_READ, &fx->alice_done, NULL));
	assert_true(access_can(&sup, ACCESS_READ, &fx->alice_done, NULL));
	config_free(&team);
}

static void
single_user_keeps_todays_rules(void **state)
{
	struct fixture *fx = *state;
	struct config c = { 0 };
	struct access solo;
	const char *why;

	/* Not a team: the user supervises their own data, whatever name
	 * --interviewer gave; only another's draft cannot be discarded. */
	access_init(&solo, &c, "bob");
	assert_true(solo.supervisor);
	assert_true(access_can(&solo, ACCESS_RESUME, &fx->alice_draft, NULL));
	assert_true(access_can(&solo, ACCESS_EXPORT, NULL, NULL));
	assert_true(access_can(&solo, ACCESS_UPLOAD, NULL, NULL));
	assert_false(access_can(&solo, ACCESS_DISCARD, &fx->alice_draft, &why));
	assert_non_null(strstr(why, "only they can discard it"));
}

static void
supervisors_from_the_config_file(void **state)
{
	struct fixture *fx = *state;
	struct config c = { 0 };
	char *path = xasprintf("%s/config.yaml", fx->dir), *cause = NULL;
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "team: yes\ndatabase: /var/lib/doorstep/d.db\n"
	    "supervisors: [wang, %s]\n", me());
	fclose(f);
	assert_int_equal(config_load_system(&c, path, &cause), 0);
	assert_int_equal(c.team, 1);
	assert_int_equal(team_is_supervisor(&c, me()), 1);
	assert_int_equal(team_is_supervisor(&c, "alice"), 0);
	config_free(&c);
	/* A list written as one text, and a group nobody here is in. */
	f = fopen(path, "w");
	fprintf(f, "team: yes\ndatabase: /var/lib/doorstep/d.db\n"
	    "supervisors: wang, li\n"
	    "supervisor_group: doorstep-no-such-group\n");
	fclose(f);
	assert_int_equal(config_load_system(&c, path, &cause), 0);
	assert_int_equal(team_is_supervisor(&c, "li"), 1);
	assert_int_equal(team_is_supervisor(&c, me()), 0);
	config_free(&c);
	f = fopen(path, "w");
	fprintf(f, "team: maybe\n");
	fclose(f);
	assert_int_equal(config_load_system(&c, path, &cause), -1);
	assert_non_null(strstr(cause, "team must be true or false"));
	free(cause);
	config_free(&c);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(interviewer_keeps_to_own_drafts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(supervisor_reads_hands_over_discards,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(finalized_changes_for_nobody,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(single_user_keeps_todays_rules,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(supervisors_from_the_config_file,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
