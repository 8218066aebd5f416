/* Upload through libcurl to a test OpenRosa server on 127.0.0.1 that
 * behaves like ODK Central and KoboToolbox and fails on demand: every
 * finalized record arrives exactly once, whatever breaks half way. */
#include "openrosa.h"

#include <jansson.h>
#include <strings.h>

#include "../core/interview.h"
#include "../core/upload.h"
#include "../core/util.h"
#include "../core/xml.h"

#include <sqlite3.h>

static const char form_yaml[] =
    "form: mini\nversion: \"v1\"\ntitle: Mini\n"
    "body:\n"
    "  - group: hh\n    label: Household\n    body:\n"
    "      - {name: name, type: text, label: Name}\n"
    "      - {name: size, type: integer, label: Size}\n"
    "  - {name: debts, type: select_multiple, label: Debts, choices:"
    " [{value: online_loan, label: A}, {value: relatives, label: B}]}\n"
    "  - {name: day, type: date, label: Day}\n"
    "  - {name: skipped, type: text, label: S, relevant: \"${size} > 99\"}\n"
    "  - repeat: members\n    label: M\n    count: \"${size}\"\n    body:\n"
    "      - {name: age, type: integer, label: Age}\n";

struct fixture {
	char *dir;
	struct store *s;
	pid_t server;
	int port;
	char url[128];
	char notes[8192];
};

static struct fixture *fx_now;

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	char *path;

	fx->dir = test_tmpdir();
	/* No ~/.netrc of the person running the tests. */
	setenv("HOME", fx->dir, 1);
	path = xasprintf("%s/d.db", fx->dir);
	fx->s = store_open(path, NULL);
	free(path);
	*state = fx;
	fx_now = fx;
	return fx->s == NULL ? -1 : 0;
}

static void
stop_server(struct fixture *fx)
{
	test_server_stop(&fx->server);
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	stop_server(fx);
	store_close(fx->s);
	test_rmtree(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

/* Starts the test server with extra arguments (NULL-terminated). */
static void
start_server(struct fixture *fx, ...)
{
	va_list ap;

	va_start(ap, fx);
	fx->server = test_server_vstart(fx->dir, "", &fx->port, ap);
	va_end(ap);
	snprintf(fx->url, sizeof fx->url,
	    "http://127.0.0.1:%d/v1/projects/1/submission", fx->port);
}

/* A second server, beside the fixture's; stopped by the caller. */
static pid_t
start_other_server(struct fixture *fx, const char *tag, int *port, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, port);
	pid = test_server_vstart(fx->dir, tag, port, ap);
	va_end(ap);
	return pid;
}

/* A number from the /stats of the server on that port. */
static long
stat_at(int port, const char *key)
{
	char *body = test_server_get(port, "/stats", NULL);
	json_t *j;
	long v;

	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	v = (long)json_integer_value(json_object_get(j, key));
	if (strcmp(key, "bad") == 0)
		v = (long)json_array_size(json_object_get(j, "bad"));
	json_decref(j);
	free(body);
	return v;
}

static long
stat_of(struct fixture *fx, const char *key)
{
	return stat_at(fx->port, key);
}

/* n records of form mini at that version. */
static void
make_records_of(struct fixture *fx, int n, const char *version)
{
	int i;
	char *yaml = xstrdup(form_yaml);
	char *v = strstr(yaml, "\"v1\"");

	assert_non_null(v);
	assert_true(strlen(version) == 2);
	memcpy(v + 1, version, 2);
	for (i = 0; i < n; i++) {
		struct diags d;
		struct form *f;
		struct interview *iv;
		char *why = NULL, *cause = NULL, size[8];
		size_t first, nbad;
		const char *answers[] = { "刘丽 <&> \"x\"", NULL, "online_loan relatives",
		    "2020-02-26" };
		size_t k;

		diags_init(&d, "mini");
		f = form_parse(yaml, strlen(yaml), &d);
		diags_free(&d);
		assert_non_null(f);
		iv = interview_begin(fx->s, f, "BJ-0042", "2020-R2", "beijing", "liu",
		    &cause);
		assert_non_null(iv);
		snprintf(size, sizeof size, "%d", i % 3 + 1);
		answers[1] = size;
		for (k = 0; k < ARRAY_LEN(answers); k++) {
			assert_int_equal(interview_go(iv, k, NULL), 0);
			assert_int_equal(interview_answer(iv, answers[k], true, "en", &why,
			    &cause), 0);
		}
		assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
		interview_free(iv);
	}
	free(yaml);
}

static void
make_records(struct fixture *fx, int n)
{
	make_records_of(fx, n, "v1");
}

static void
remember_note(void *ctx, const char *id, const char *msg)
{
	struct fixture *fx = ctx;
	size_t len = strlen(fx->notes);

	snprintf(fx->notes + len, sizeof fx->notes - len, "%s: %s\n",
	    id ? id : "-", msg);
}

static int
upload(struct fixture *fx, struct upload_summary *sum)
{
	struct upload_options o = { 0 };

	o.url = fx->url;
	o.connect_timeout = 2;
	o.stall_timeout = 1;
	o.tries = 6;
	o.backoff_ms = 4;
	o.note = remember_note;
	o.ctx = fx;
	fx->notes[0] = '\0';
	return upload_run(fx->s, &o, sum);
}

static void
instance_is_what_odk_expects(void **state)
{
	struct fixture *fx = *state;
	struct record_info *recs;
	size_t n;
	char *xml, *cause = NULL;

	make_records(fx, 2);
	assert_int_equal(store_queue(fx->s, &recs, &n, NULL), 0);
	assert_int_equal(n, 2);
	xml = store_record_xml(fx->s, recs[1].id, &cause);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<mini xmlns:jr=\"http://openrosa.org/javarosa\" "
	    "xmlns:orx=\"http://openrosa.org/xforms\" id=\"mini\" version=\"v1\">"));
	assert_non_null(strstr(xml, "<hh>\n    <name>刘丽 &lt;&amp;&gt; &quot;x&quot;"
	    "</name>\n    <size>2</size>\n  </hh>"));
	assert_non_null(strstr(xml, "<debts>online_loan relatives</debts>"));
	assert_non_null(strstr(xml, "<day>2020-02-26</day>"));
	assert_null(strstr(xml, "<skipped"));		/* not relevant */
	assert_non_null(strstr(xml, "<members>\n    <age/>\n  </members>\n"
	    "  <members>\n    <age/>\n  </members>"));
	assert_non_null(strstr(xml, "<instanceID>uuid:"));
	assert_non_null(strstr(xml, "<household>BJ-0042</household>"));
	assert_non_null(strstr(xml, "<round>2020-R2</round>"));
	/* ODK's metadata: Central lists the instance name, exports the rest. */
	assert_non_null(strstr(xml, "<instanceName>BJ-0042 2020-R2</instanceName>"));
	assert_non_null(strstr(xml, "<username>liu</username>"));
	{
		char *start = xasprintf("<timeStart>%s</timeStart>", recs[1].started_at);
		char *end = xasprintf("<timeEnd>%s</timeEnd>", recs[1].finalized_at);
		char *dev = store_device_id(fx->s), *tag;
		char *xml0 = store_record_xml(fx->s, recs[0].id, &cause);

		/* ISO 8601 with the offset, as XML Schema's dateTime. */
		assert_true(strlen(recs[1].started_at) == 25);
		assert_true(recs[1].started_at[19] == '+' || recs[1].started_at[19] == '-');
		assert_non_null(strstr(xml, start));
		assert_non_null(strstr(xml, end));
		/* One device ID for the installation, on every record. */
		assert_int_equal(strncmp(dev, "doorstep:", 9), 0);
		assert_int_equal(strlen(dev), 39);
		tag = xasprintf("<deviceID>%s</deviceID>", dev);
		assert_non_null(strstr(xml, tag));
		assert_non_null(strstr(xml0, tag));
		assert_null(strstr(xml, "<audit>"));	/* the form asks for none */
		free(tag);
		free(dev);
		free(start);
		free(end);
		free(xml0);
	}
	free(xml);
	store_records_free(recs, n);
}

static void
all_records_once_then_nothing(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 20);
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 20);
	assert_int_equal(sum.left, 0);
	assert_int_equal(store_count(fx->s, "uploaded"), 20);
	assert_int_equal(stat_of(fx, "instances"), 20);
	assert_int_equal(stat_of(fx, "bad"), 0);	/* headers, multipart, XML */
	assert_int_equal(stat_of(fx, "connections"), 1);	/* one reused */
	assert_true(sum.bytes > 20 * 500);
	/* Again: nothing is queued, nothing is sent. */
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.queued, 0);
	assert_int_equal(stat_of(fx, "requests"), 20);
}

/* The process died after the server took the record and before it was
 * marked: the resend is recognised, not stored twice. */
static void
identical_resend_is_recognised(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	sqlite3 *db;
	char *path = xasprintf("%s/d.db", fx->dir);

	make_records(fx, 3);
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE records SET status = 'finalized'",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 3);
	assert_int_equal(stat_of(fx, "instances"), 3);
	assert_int_equal(stat_of(fx, "duplicates"), 3);
	assert_int_equal(stat_of(fx, "conflicts"), 0);
	free(path);
}

static void
kobo_duplicate_202_counts_as_uploaded(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	sqlite3 *db;
	char *path = xasprintf("%s/d.db", fx->dir);

	make_records(fx, 2);
	start_server(fx, "--kobo", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "UPDATE records SET status = 'finalized'", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(store_count(fx->s, "uploaded"), 2);
	assert_int_equal(stat_of(fx, "duplicates"), 2);
	free(path);
}

static void
different_xml_is_a_conflict(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	sqlite3 *db;
	char *path = xasprintf("%s/d.db", fx->dir);

	make_records(fx, 2);
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "UPDATE records SET status = 'finalized', "
	    "xml = replace(xml, '<size>', '<size>9') WHERE id = 1", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(sum.conflicts, 1);
	assert_int_equal(store_count(fx->s, "conflict"), 1);
	assert_non_null(strstr(fx->notes, "conflict"));
	assert_non_null(strstr(fx->notes, "409"));
	free(path);
}

static void
captive_portal_200_is_not_success(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 2);
	start_server(fx, "--mode", "html200", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_TEMPFAIL);
	assert_int_equal(sum.uploaded, 0);
	assert_int_equal(store_count(fx->s, "finalized"), 2);
	assert_non_null(strstr(fx->notes, "captive portal"));
}

static void
bad_credentials_keep_the_queue(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct upload_options o = { 0 };

	make_records(fx, 3);
	start_server(fx, "--user", "liu", "--password", "s3cret", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(stat_of(fx, "requests"), 1);	/* stopped at once */
	assert_int_equal(store_count(fx->s, "finalized"), 3);
	assert_non_null(strstr(fx->notes, "user name or password (401)"));
	o.url = fx->url;
	o.user = "liu";
	o.password = "s3cret";
	o.tries = 1;
	o.stall_timeout = 2;
	o.connect_timeout = 2;
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_OK);
	assert_int_equal(store_count(fx->s, "uploaded"), 3);
}

static void
other_4xx_report_the_server_message(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 2);
	start_server(fx, "--mode", "413", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(sum.refused, 2);
	assert_int_equal(store_count(fx->s, "finalized"), 2);
	assert_non_null(strstr(fx->notes, "refused by the server (413): "
	    "Submission too large"));
}

static void
server_errors_retry_then_75(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 2);
	start_server(fx, "--mode", "500", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_TEMPFAIL);
	assert_int_equal(stat_of(fx, "requests"), 6);	/* tries, then stop */
	assert_int_equal(store_count(fx->s, "finalized"), 2);
	assert_non_null(strstr(fx->notes, "the server failed (500)"));
}

static void
unreachable_server_says_so(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 1);
	start_server(fx, NULL);
	stop_server(fx);	/* nothing listens on that port any more */
	assert_int_equal(upload(fx, &sum), UPLOAD_TEMPFAIL);
	assert_non_null(strstr(fx->notes, "cannot be reached"));
	assert_int_equal(store_count(fx->s, "finalized"), 1);
}

static void
wrong_url_is_a_usage_error(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 1);
	snprintf(fx->url, sizeof fx->url, "ftp://127.0.0.1/submission");
	assert_int_equal(upload(fx, &sum), UPLOAD_USAGE);
	assert_non_null(strstr(fx->notes, "not an http:// or https:// URL"));
	assert_int_equal(store_count(fx->s, "finalized"), 1);
}

/* Records hold names, phones and health: plain http leaves this machine
 * only for itself. Refused before any connection is made. */
static void
plain_http_to_another_host_is_refused(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 1);
	snprintf(fx->url, sizeof fx->url, "http://central.example.org/v1/projects/1/"
	    "submission");
	assert_int_equal(upload(fx, &sum), UPLOAD_USAGE);
	assert_non_null(strstr(fx->notes, "refusing to send records over plain "
	    "http://"));
	assert_int_equal(store_count(fx->s, "finalized"), 1);
	snprintf(fx->url, sizeof fx->url, "http://user@10.0.0.1:8080/submission");
	assert_int_equal(upload(fx, &sum), UPLOAD_USAGE);
}

static void
dry_run_sends_nothing(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct upload_options o = { 0 };

	make_records(fx, 2);
	start_server(fx, NULL);
	o.url = fx->url;
	o.dry_run = true;
	o.note = remember_note;
	o.ctx = fx;
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_OK);
	assert_int_equal(sum.queued, 2);
	assert_non_null(strstr(fx->notes, "would send: form mini version v1"));
	assert_int_equal(stat_of(fx, "requests"), 0);
}

/* Hundreds of records through random faults: 500s, connections dropped
 * mid-body, answers lost after the server stored the record, replies past
 * the timeout. Upload until done: each record arrives exactly once and
 * the local states match the server. */
static void
random_faults_exactly_once(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct record_info *recs;
	size_t n, i;
	int runs = 0, rc;

	make_records(fx, 200);
	start_server(fx, "--faults", "500=0.08,drop=0.08,drop_after=0.05,slow=0.01",
	    "--seed", "20200226", "--slow", "1.6", NULL);
	do
		rc = upload(fx, &sum);
	while (rc == UPLOAD_TEMPFAIL && ++runs < 20);
	assert_int_equal(rc, UPLOAD_OK);
	assert_int_equal(store_count(fx->s, "uploaded"), 200);
	assert_int_equal(store_count(fx->s, "finalized"), 0);
	assert_int_equal(stat_of(fx, "instances"), 200);
	assert_int_equal(stat_of(fx, "conflicts"), 0);
	assert_int_equal(stat_of(fx, "bad"), 0);
	assert_true(stat_of(fx, "requests") > 200);	/* faults happened */
	/* What the server keeps is byte for byte what the store keeps. */
	assert_int_equal(store_records_list(fx->s, STORE_DONE, &recs, &n, NULL), 0);
	for (i = 0; i < n; i++) {
		char *cause = NULL, *xml = store_record_xml(fx->s, recs[i].id, &cause);
		char *file = xasprintf("%s/received/%s", fx->dir, recs[i].instance_id);
		struct buf got = { 0 };
		char chunk[4096];
		size_t k;
		FILE *f;

		for (k = strlen(fx->dir) + 10; file[k] != '\0'; k++)
			if (file[k] == ':')
				file[k] = '_';
		f = fopen(file, "rb");
		assert_non_null(f);
		while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&got, chunk, k);
		fclose(f);
		assert_string_equal(got.data, xml);
		buf_free(&got);
		free(file);
		free(xml);
	}
	store_records_free(recs, n);
}


static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs an upload in a child process with a store handle of its own, as a
 * second doorstep would; returns the child's pid (its exit status is the
 * upload's). */
static pid_t
upload_in_child(struct fixture *fx, const char *url, long timeout)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct upload_options o = { 0 };
		struct upload_summary sum;
		char *path = xasprintf("%s/d.db", fx->dir);
		struct store *s = store_open(path, NULL);

		if (s == NULL)
			_exit(99);
		o.url = url;
		o.connect_timeout = 2;
		o.stall_timeout = timeout;
		o.request_timeout = timeout;
		o.run_timeout = timeout;
		o.tries = 1;
		_exit(upload_run(s, &o, &sum));
	}
	return pid;
}

static int
exit_status(pid_t pid)
{
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Two uploads at once (cron's and one by hand) on the same database:
 * every record reaches the server once, and both end well. */
static void
two_uploads_at_once_send_each_record_once(void **state)
{
	struct fixture *fx = *state;
	pid_t a, b;
	int ra, rb;

	make_records(fx, 12);
	start_server(fx, "--delay", "0.05", NULL);
	a = upload_in_child(fx, fx->url, 10);
	b = upload_in_child(fx, fx->url, 10);
	ra = exit_status(a);
	rb = exit_status(b);
	print_message("records sent twice: %ld of 12\n", stat_of(fx, "sent_twice"));
	assert_int_equal(stat_of(fx, "sent_twice"), 0);
	assert_int_equal(stat_of(fx, "instances"), 12);
	assert_int_equal(ra, UPLOAD_OK);
	assert_int_equal(rb, UPLOAD_OK);
	assert_int_equal(store_count(fx->s, "uploaded"), 12);
}

/* While one upload is sending a record, another leaves it alone and says
 * so; when the first is killed, its record is not stranded. */
static void
a_record_being_sent_is_skipped_and_a_killed_upload_strands_nothing(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	char slow_url[128];
	int slow_port, i;
	pid_t slow, holder;

	make_records(fx, 3);
	slow = start_other_server(fx, "slow", &slow_port, "--mode", "trickle", NULL);
	snprintf(slow_url, sizeof slow_url, "http://127.0.0.1:%d/submission",
	    slow_port);
	holder = upload_in_child(fx, slow_url, 60);
	for (i = 0; i < 500 && stat_at(slow_port, "requests") < 1; i++) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(stat_at(slow_port, "requests"), 1);	/* record 1 */
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 2);
	assert_int_equal(sum.busy, 1);
	assert_non_null(strstr(fx->notes, "another doorstep --upload"));
	assert_int_equal(stat_of(fx, "instances"), 2);
	/* kill -9 in the middle of sending: the record waits for the next run. */
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	assert_int_equal(store_count(fx->s, "finalized"), 1);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 1);
	assert_int_equal(sum.busy, 0);
	assert_int_equal(store_count(fx->s, "uploaded"), 3);
	assert_int_equal(stat_of(fx, "instances"), 3);
	assert_int_equal(stat_of(fx, "sent_twice"), 0);
	test_server_stop(&slow);
}

/* A server that answers 2 bytes a second: each request ends at its limit,
 * the run at its own, with exit 75 and the records kept. */
static void
trickling_server_stops_at_the_limits(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct upload_options o = { 0 };
	double t0;

	make_records(fx, 2);
	start_server(fx, "--mode", "trickle", NULL);
	alarm(60);	/* a hang fails the test instead of stalling the suite */
	o.url = fx->url;
	o.connect_timeout = 2;
	o.stall_timeout = 30;
	o.request_timeout = 1;
	o.run_timeout = 60;
	o.tries = 2;
	o.backoff_ms = 4;
	o.note = remember_note;
	o.ctx = fx;
	t0 = seconds_now();
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_TEMPFAIL);
	assert_true(seconds_now() - t0 < 6);	/* 2 tries of 1 s */
	assert_non_null(strstr(fx->notes, "stopped answering"));
	assert_int_equal(store_count(fx->s, "finalized"), 2);
	/* The whole run's limit, shorter than one request's. */
	o.request_timeout = 30;
	o.run_timeout = 2;
	fx->notes[0] = '\0';
	t0 = seconds_now();
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_TEMPFAIL);
	assert_true(seconds_now() - t0 < 6);
	assert_non_null(strstr(fx->notes, "upload_run_timeout"));
	assert_int_equal(store_count(fx->s, "finalized"), 2);
	alarm(0);
}

/* Something that is not HTTP on the server's port is the server's fault
 * (75: try later), not a wrong address (2). */
static void
not_http_reply_is_a_server_fault(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 1);
	start_server(fx, "--mode", "nothttp", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_TEMPFAIL);
	assert_non_null(strstr(fx->notes, "not HTTP"));
	assert_null(strstr(fx->notes, "not an http:// or https:// URL"));
	assert_int_equal(store_count(fx->s, "finalized"), 1);
}

/* Plain http goes to this machine only: the host is the one libcurl
 * parses (and would connect to), whatever the URL's tricks. Checked with
 * --dry-run: nothing connects anywhere. */
static void
plain_http_checks_the_host_curl_would_use(void **state)
{
	struct fixture *fx = *state;
	static const struct { const char *url; int want; } cases[] = {
		{ "http://127.0.0.2:8080?@127.0.0.1/submission", UPLOAD_USAGE },
		{ "http://127.0.0.2:8080#@127.0.0.1/submission", UPLOAD_USAGE },
		{ "http://127.0.0.2:8080/?@127.0.0.1/submission", UPLOAD_USAGE },
		{ "http://user:pw@127.0.0.2/submission", UPLOAD_USAGE },
		{ "http://127.0.0.1:80@10.0.0.1/submission", UPLOAD_USAGE },
		{ "http://127.0.0.1\\@10.0.0.1/submission", UPLOAD_USAGE },
		{ "http://[::ffff:10.0.0.1]/submission", UPLOAD_USAGE },
		{ "http://[::ffff:127.0.0.2]/submission", UPLOAD_USAGE },
		{ "http://localhost./submission", UPLOAD_USAGE },
		{ "http://localhost.example.org/submission", UPLOAD_USAGE },
		{ "http://%31%32%37.0.0.2/submission", UPLOAD_USAGE },
		{ "http://2130706434/submission", UPLOAD_USAGE },	/* 127.0.0.2 */
		{ "HTTP://10.0.0.1/submission", UPLOAD_USAGE },
		{ "hTtP://central.example.org/submission", UPLOAD_USAGE },
		{ "ftp://127.0.0.1/submission", UPLOAD_USAGE },
		{ "file:///etc/passwd", UPLOAD_USAGE },
		{ "127.0.0.1/submission", UPLOAD_USAGE },
		{ "http://a b/submission", UPLOAD_USAGE },
		{ "http://127.0.0.1:8080/submission", UPLOAD_OK },
		{ "http://[::1]:8080/submission", UPLOAD_OK },
		{ "http://[0:0:0:0:0:0:0:1]:8080/submission", UPLOAD_OK },
		{ "http://localhost:8080/submission", UPLOAD_OK },
		{ "HTTP://LocalHost:8080/submission", UPLOAD_OK },
		{ "http://user:pw@127.0.0.1:8080/submission", UPLOAD_OK },
		{ "http://%31%32%37.0.0.1:8080/submission", UPLOAD_OK },
		{ "https://central.example.org/v1/projects/1/submission", UPLOAD_OK },
		{ "HTTPS://10.0.0.1/submission", UPLOAD_OK },
	};
	struct upload_summary sum;
	struct upload_options o = { 0 };
	size_t i;

	make_records(fx, 1);
	o.dry_run = true;
	o.note = remember_note;
	o.ctx = fx;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int rc;

		o.url = cases[i].url;
		fx->notes[0] = '\0';
		rc = upload_run(fx->s, &o, &sum);
		if (rc != cases[i].want)
			fail_msg("%s: %d, not %d (%s)", cases[i].url, rc, cases[i].want,
			    fx->notes);
		if (rc == UPLOAD_USAGE && strncasecmp(cases[i].url, "http:", 5) == 0 &&
		    strstr(cases[i].url, " ") == NULL)
			assert_non_null(strstr(fx->notes, "refusing to send records over "
			    "plain http://"));
	}
}

/* localhost is this machine whatever the resolver or a proxy say: an
 * http_proxy in the environment never gets the records. */
static void
plain_http_goes_to_this_machine_not_a_proxy(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	char proxy[64];
	int proxy_port;
	pid_t proxy_pid;

	make_records(fx, 2);
	proxy_pid = start_other_server(fx, "proxy", &proxy_port, NULL);
	start_server(fx, NULL);
	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", proxy_port);
	setenv("http_proxy", proxy, 1);
	setenv("ALL_PROXY", proxy, 1);
	snprintf(fx->url, sizeof fx->url, "http://localhost:%d/v1/projects/1/"
	    "submission", fx->port);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	unsetenv("http_proxy");
	unsetenv("ALL_PROXY");
	assert_int_equal(stat_at(proxy_port, "requests"), 0);
	assert_int_equal(stat_of(fx, "instances"), 2);
	test_server_stop(&proxy_pid);
}

/* A password in the URL, or an ODK app user's key in its path, is never
 * printed: not by --dry-run, not in errors. */
static void
passwords_and_keys_are_never_shown(void **state)
{
	struct fixture *fx = *state;
	static const struct { const char *url, *shown; } cases[] = {
		{ "https://liu:s3cret@central.example.org/v1/key/Tok3n$!x/projects/1/"
		  "submission", "https://liu:…@central.example.org/v1/key/…/projects/1/"
		  "submission" },
		{ "https://central.example.org/v1/projects/1/submission",
		  "https://central.example.org/v1/projects/1/submission" },
		{ "https://:s3cret@h:8443/v1/key/Tok3n", "https://:…@h:8443/v1/key/…" },
		{ "https://liu@h/x?y#z", "https://liu@h/x?y#z" },
		{ "ftp://liu:s3cret@h/", "ftp://liu:…@h/" },
	};
	static const char *const unparsable[] = {
		"http://liu:s3cret@a b/v1/key/Tok3n/x",
		"liu:s3cret@central.example.org/v1/key/Tok3n/projects/1/submission",
		"gopher:\\\\liu:s3cret@h\\x",
	};
	struct upload_summary sum;
	struct upload_options o = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *shown = upload_url_shown(cases[i].url);

		assert_string_equal(shown, cases[i].shown);
		free(shown);
	}
	for (i = 0; i < ARRAY_LEN(unparsable); i++) {
		char *shown = upload_url_shown(unparsable[i]);

		if (strstr(shown, "s3cret") != NULL || strstr(shown, "Tok3n") != NULL)
			fail_msg("%s shown as %s", unparsable[i], shown);
		free(shown);
	}
	make_records(fx, 1);
	start_server(fx, "--mode", "404", NULL);
	o.note = remember_note;
	o.ctx = fx;
	o.tries = 1;
	o.connect_timeout = 2;
	o.stall_timeout = 2;
	o.request_timeout = 5;
	o.run_timeout = 10;
	snprintf(fx->url, sizeof fx->url, "http://liu:s3cret@127.0.0.1:%d/v1/key/"
	    "Tok3nTok3n/projects/1/submission", fx->port);
	o.url = fx->url;
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_REFUSED);
	assert_non_null(strstr(fx->notes, "(404)"));
	assert_non_null(strstr(fx->notes, "liu:…@127.0.0.1"));
	assert_null(strstr(fx->notes, "s3cret"));
	assert_null(strstr(fx->notes, "Tok3n"));
	/* Refused before sending. */
	o.url = "http://liu:s3cret@10.0.0.1/v1/key/Tok3nTok3n/projects/1/submission";
	fx->notes[0] = '\0';
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_USAGE);
	assert_non_null(strstr(fx->notes, "refusing"));
	assert_null(strstr(fx->notes, "s3cret"));
	assert_null(strstr(fx->notes, "Tok3n"));
	o.url = "ftp://liu:s3cret@127.0.0.1/v1/key/Tok3nTok3n/x";
	fx->notes[0] = '\0';
	assert_int_equal(upload_run(fx->s, &o, &sum), UPLOAD_USAGE);
	assert_null(strstr(fx->notes, "s3cret"));
	assert_null(strstr(fx->notes, "Tok3n"));
}

/* An app user's key (/v1/key/TOKEN/) is never in a message, whatever the
 * run meets: each fate, a bare 404, bad credentials, a server that is
 * gone, a dry run. */
static void
key_is_in_no_message_of_any_fate(void **state)
{
	struct fixture *fx = *state;
	static const char token[] = "Zq9!Tk$ENzq9Tk3nZq9Tk3nZq9Tk3nZq9Tk3nZq9Tk3nZq9Tk3nZq9Tk3nZq9Tk3";
	static const char *const modes[][6] = {
		{ "--forms", "mini=v1", "--closed", "mini", NULL },
		{ "--forms", "mini=v0", NULL },
		{ "--forms", "other=1", NULL },
		{ "--mode", "404html", NULL },
		{ "--mode", "401", NULL },
		{ "--mode", "413", NULL },
		{ "--mode", "500", NULL },
	};
	struct upload_summary sum;
	struct upload_options o = { 0 };
	char all[16384] = "";
	size_t i;

	make_records(fx, 2);
	o.note = remember_note;
	o.ctx = fx;
	o.tries = 1;
	o.connect_timeout = 2;
	o.stall_timeout = 2;
	for (i = 0; i <= ARRAY_LEN(modes) + 1; i++) {
		bool gone = i == ARRAY_LEN(modes), dry = i == ARRAY_LEN(modes) + 1;

		if (!gone && !dry)
			start_server(fx, modes[i][0], modes[i][1], modes[i][2], modes[i][3],
			    NULL);
		snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%d/v1/key/%s/"
		    "projects/14/submission", fx->port, token);
		o.url = fx->url;
		o.dry_run = dry;
		fx->notes[0] = '\0';
		assert_int_not_equal(upload_run(fx->s, &o, &sum), UPLOAD_USAGE);
		assert_true(fx->notes[0] != '\0');
		if (strstr(fx->notes, "Zq9") != NULL)
			fail_msg("the key shown: %s", fx->notes);
		strncat(all, fx->notes, sizeof all - strlen(all) - 1);
		stop_server(fx);
	}
	/* Each path was taken. */
	assert_non_null(strstr(all, "does not take submissions"));
	assert_non_null(strstr(all, "does not have version v1"));
	assert_non_null(strstr(all, "has no form mini at http://127.0.0.1:"));
	assert_non_null(strstr(all, "/v1/key/\xe2\x80\xa6/projects/14/submission"));
	assert_non_null(strstr(all, "no submission address at"));
	assert_non_null(strstr(all, "(401)"));
	assert_non_null(strstr(all, "(413)"));
	assert_non_null(strstr(all, "(500)"));
	assert_non_null(strstr(all, "cannot be reached"));
	assert_non_null(strstr(all, "would send"));
}

/* A form with audit: true: doorstep writes ODK Collect's audit.csv (form
 * start, each question shown with its times, answer changes with old and
 * new values, the user; form exit and resume) and sends it as a second
 * part, which the XML names, as Collect does. */
static void
audit_log_goes_with_the_record(void **state)
{
	struct fixture *fx = *state;
	static const char yaml[] =
	    "form: aud\nversion: \"1\"\ntitle: A\naudit: true\n"
	    "instance_name: \"${household} ${name}\"\n"
	    "body:\n"
	    "  - {name: name, type: text, label: Name}\n"
	    "  - repeat: members\n    label: M\n    body:\n"
	    "      - {name: age, type: integer, label: Age}\n"
	    "  - {name: note, type: text, label: Note}\n";
	struct upload_summary sum;
	struct record_info *recs;
	struct interview *iv;
	struct holder other;
	struct diags d;
	struct form *f;
	char *why = NULL, *cause = NULL, *xml, *csv, *path, *line, *save = NULL;
	long long last = 0;
	size_t n, first, nbad;
	int rows = 0;

	diags_init(&d, "aud");
	f = form_parse(yaml, sizeof yaml - 1, &d);
	diags_free(&d);
	assert_non_null(f);
	/* The XForm declares the log as Central expects it. */
	xml = xml_xform(f);
	assert_non_null(strstr(xml, "xmlns:odk=\"http://www.opendatakit.org/xforms\""));
	assert_non_null(strstr(xml, "<bind nodeset=\"/aud/meta/audit\" type=\"binary\" "
	    "odk:track-changes=\"true\" odk:identify-user=\"true\"/>"));
	assert_non_null(strstr(xml, "<timeEnd/>\n            <deviceID/>\n"
	    "            <username/>\n            <audit/>\n"));
	assert_non_null(strstr(xml, "calculate=\"concat(/aud/meta/household, &apos; "
	    "&apos;, /aud/name)\""));
	free(xml);
	iv = interview_begin(fx->s, f, "BJ-0007", "R1", "beijing", "liu", &cause);
	assert_non_null(iv);
	assert_int_equal(interview_go(iv, 0, &cause), 0);
	assert_int_equal(interview_answer(iv, "Wang, \"Li\"", true, "en", &why,
	    &cause), 0);
	assert_int_equal(interview_go(iv, 1, &cause), 0);
	interview_free(iv);		/* ^X: saved and left */
	assert_int_equal(store_records_list(fx->s, STORE_DRAFTS, &recs, &n, NULL), 0);
	iv = interview_resume(fx->s, &recs[0], &cause);
	assert_non_null(iv);
	assert_int_equal(interview_take(iv, false, &other, &cause), STORE_CLAIMED);
	holder_clear(&other);
	store_records_free(recs, n);
	assert_int_equal(interview_go(iv, 0, &cause), 0);
	assert_int_equal(interview_answer(iv, "Wang Li", true, "en", &why, &cause), 0);
	assert_int_equal(interview_go(iv, iv->nsteps - 1, &cause), 0);
	assert_int_equal(interview_answer(iv, "ok", true, "en", &why, &cause), 0);
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);

	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(stat_of(fx, "attachments"), 1);
	assert_int_equal(store_queue(fx->s, &recs, &n, NULL), 0);
	store_records_free(recs, n);
	assert_int_equal(store_records_list(fx->s, STORE_ALL, &recs, &n, NULL), 0);
	xml = store_record_xml(fx->s, recs[0].id, &cause);
	assert_non_null(strstr(xml, "<audit>audit.csv</audit>"));
	assert_non_null(strstr(xml, "<instanceName>BJ-0007 Wang Li</instanceName>"));
	path = xasprintf("%s/received/%s__audit.csv", fx->dir, recs[0].instance_id);
	path[strlen(fx->dir) + 14] = '_';	/* uuid: is kept as uuid_ */
	csv = test_read_file(path);
	assert_non_null(csv);
	{
		/* The XML part the server received carries the paradata. */
		char *sent_path = xstrdup(path), *sent;

		sent_path[strlen(sent_path) - strlen("__audit.csv")] = '\0';
		sent = test_read_file(sent_path);
		assert_non_null(sent);
		assert_string_equal(sent, xml);
		assert_non_null(strstr(sent, "<timeStart>"));
		assert_non_null(strstr(sent, "<timeEnd>"));
		assert_non_null(strstr(sent, "<deviceID>doorstep:"));
		assert_non_null(strstr(sent, "<username>liu</username>"));
		free(sent);
		free(sent_path);
	}
	/* Collect's header with track-changes and identify-user. */
	assert_int_equal(strncmp(csv, "event,node,start,end,old-value,new-value,"
	    "user\n", 46), 0);
	assert_non_null(strstr(csv, "\nform start,,"));
	assert_non_null(strstr(csv, ",,,,liu\nquestion,/aud/name,"));
	/* The first answer, typed; then changed after the resume. */
	assert_non_null(strstr(csv, ",,\"Wang, \"\"Li\"\"\",liu\n"));
	assert_non_null(strstr(csv, ",\"Wang, \"\"Li\"\"\",Wang Li,"));
	assert_non_null(strstr(csv, "\nform exit,,"));
	assert_non_null(strstr(csv, "\nform resume,,"));
	assert_non_null(strstr(csv, "question,/aud/note,"));
	assert_non_null(strstr(csv, "\nform save,,"));
	assert_non_null(strstr(csv, "\nform finalize,,"));
	/* Every row: 7 fields; times in ms, in order; question rows end after
	 * they start. */
	for (line = strtok_r(csv + 46, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		long long start = 0, end = 0;
		char *p = strchr(line, ',');

		rows++;
		assert_non_null(p);
		p = strchr(p + 1, ',');
		assert_non_null(p);
		start = strtoll(p + 1, &p, 10);
		assert_true(start > 1700000000000LL);
		assert_true(start >= last);
		last = start;
		if (strncmp(line, "question,", 9) == 0) {
			end = strtoll(p + 1, NULL, 10);
			assert_true(end >= start);
		}
	}
	assert_true(rows >= 9);
	free(csv);
	free(path);
	free(xml);
	store_records_free(recs, n);
}

/* A supervisor edits the form and keeps its version: Central would store
 * the XML and leave the new answers out of its tables. The program
 * refuses to start an interview on it, and says to change the version;
 * a change of labels only passes. */
static void
changed_questions_need_a_new_version(void **state)
{
	struct fixture *fx = *state;
	static const struct { const char *from, *to; bool ok; } cases[] = {
		{ "label: Size}", "label: How many people}", true },
		{ "type: integer, label: Size", "type: decimal, label: Size", false },
		{ "value: relatives", "value: family", false },
		{ "  - {name: day", "  - {name: extra, type: text, label: E}\n"
		  "  - {name: day", false },
	};
	char *cause = NULL;
	size_t i;

	make_records(fx, 1);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b = { 0 };
		const char *at = strstr(form_yaml, cases[i].from);
		struct interview *iv;
		struct diags d;
		struct form *f;

		assert_non_null(at);
		buf_add(&b, form_yaml, (size_t)(at - form_yaml));
		buf_adds(&b, cases[i].to);
		buf_adds(&b, at + strlen(cases[i].from));
		diags_init(&d, "mini");
		f = form_parse(b.data, b.len, &d);
		diags_free(&d);
		assert_non_null(f);
		iv = interview_begin(fx->s, f, "BJ-0042", "2020-R2", "beijing", "liu",
		    &cause);
		if (cases[i].ok) {
			assert_non_null(iv);
		} else {
			assert_null(iv);
			assert_non_null(strstr(cause, "form mini version v1: its questions "
			    "differ"));
			assert_non_null(strstr(cause, "change 'version:' in the form file"));
			free(cause);
			cause = NULL;
			/* With a new version it is another form: fine. */
			{
				char *v = strstr(b.data, "\"v1\"");

				v[2] = (char)('2' + i);	/* each its own */
				diags_init(&d, "mini");
				f = form_parse(b.data, b.len, &d);
				diags_free(&d);
				iv = interview_begin(fx->s, f, "BJ-0042", "2020-R2", "beijing",
				    "liu", &cause);
				assert_non_null(iv);
				v[2] = '1';
			}
		}
		interview_free(iv);
		buf_free(&b);
	}
}

/* A ~/.netrc that group or others can read is refused, as ftp does,
 * before anything is sent. */
static void
netrc_others_can_read_is_refused(void **state)
{
	struct fixture *fx = *state;
	static const mode_t modes[] = { 0644, 0640, 0604, 0660 };
	struct upload_summary sum;
	char *netrc = xasprintf("%s/.netrc", fx->dir);
	FILE *f;
	size_t i;

	make_records(fx, 2);
	start_server(fx, "--user", "liu", "--password", "s3cret", NULL);
	f = fopen(netrc, "w");
	assert_non_null(f);
	fputs("machine 127.0.0.1 login liu password s3cret\n", f);
	fclose(f);
	for (i = 0; i < ARRAY_LEN(modes); i++) {
		assert_int_equal(chmod(netrc, modes[i]), 0);
		assert_int_equal(upload(fx, &sum), UPLOAD_USAGE);
		assert_non_null(strstr(fx->notes, ".netrc"));
		assert_non_null(strstr(fx->notes, "chmod 600"));
	}
	assert_int_equal(stat_of(fx, "requests"), 0);
	assert_int_equal(chmod(netrc, 0600), 0);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(store_count(fx->s, "uploaded"), 2);
	free(netrc);
}


/* How many times needle occurs in hay. */
static int
strcount(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Changes the server's forms as an administrator would (see
 * fake_openrosa.py: close=FORM, open=FORM, publish=FORM:VERSION). */
static void
control(struct fixture *fx, const char *query)
{
	char *path = xasprintf("/control?%s", query);
	long code = 0;

	free(test_server_get(fx->port, path, &code));
	assert_int_equal(code, 200);
	free(path);
}

/* What the server said about every record, one line each, oldest first. */
static char *
replies(struct fixture *fx)
{
	struct record_info *recs;
	struct buf b = { 0 };
	size_t n, i;

	assert_int_equal(store_records_list(fx->s, STORE_ALL, &recs, &n, NULL), 0);
	for (i = 0; i < n; i++) {
		char *r = store_record_reply(fx->s, recs[i].id);

		buf_printf(&b, "%s %s %s|%s\n", recs[i].form_version, recs[i].status,
		    recs[i].instance_id, r ? r : "-");
		free(r);
	}
	store_records_free(recs, n);
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* An administrator closed the form: Central answers 409 "not currently
 * accepting submissions". The records wait, with its words, and go once
 * the form is open again (the issue: they were marked conflict and left
 * the queue for good). */
static void
closed_form_keeps_the_records_queued(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	char *r;

	make_records(fx, 3);
	start_server(fx, "--forms", "mini=v1", "--closed", "mini", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(sum.uploaded, 0);
	assert_int_equal(sum.conflicts, 0);
	assert_int_equal(sum.refused, 3);
	assert_int_equal(sum.closed, 3);
	assert_int_equal(sum.left, 3);
	assert_int_equal(store_count(fx->s, "finalized"), 3);
	assert_int_equal(store_count(fx->s, "conflict"), 0);
	assert_non_null(strstr(fx->notes, "form mini does not take submissions on "
	    "the server now (409): This form is not currently accepting "
	    "submissions. Please talk to your program staff if this is "
	    "unexpected.; it is sent once the form is open again"));
	/* The form is closed for all its records: asked once, not three times. */
	assert_int_equal(stat_of(fx, "requests"), 1);
	r = replies(fx);
	assert_int_equal(strcount(r, "finalized"), 3);
	assert_int_equal(strcount(r, "|409 This form is not currently accepting"), 3);
	free(r);
	/* Reopened: they go, without any command. */
	control(fx, "open=mini");
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 3);
	assert_int_equal(sum.left, 0);
	assert_int_equal(stat_of(fx, "instances"), 3);
}

/* During a rollout Central has version v1 and not yet v2 (404 "The form
 * version specified in this submission 'v2' does not exist."): the v1
 * records go, the v2 records wait with Central's words, entities decoded,
 * and go once v2 is published. */
static void
missing_version_stops_only_its_records(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	char *r;

	make_records_of(fx, 2, "v2");
	make_records_of(fx, 3, "v1");
	make_records_of(fx, 1, "v2");
	start_server(fx, "--forms", "mini=v1", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(sum.uploaded, 3);
	assert_int_equal(sum.no_version, 3);
	assert_int_equal(sum.refused, 3);
	assert_int_equal(sum.left, 3);
	assert_non_null(strstr(fx->notes, "left in the queue: the server does not "
	    "have version v2 of form mini (404): The form version specified in "
	    "this submission 'v2' does not exist.; publish that version there"));
	assert_null(strstr(fx->notes, "&#39;"));
	r = replies(fx);
	assert_int_equal(strcount(r, "v2 finalized"), 3);
	assert_int_equal(strcount(r, "v1 uploaded"), 3);
	assert_int_equal(strcount(r, "|404 The form version specified in this "
	    "submission 'v2' does not exist."), 3);
	free(r);
	control(fx, "publish=mini:v2");
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 3);
	assert_int_equal(store_count(fx->s, "uploaded"), 6);
}

/* A form Central does not have (404 "Could not find the resource"): its
 * records wait, the run goes on. A bare 404 (no OpenRosa server at that
 * address) still stops the run. */
static void
unknown_form_waits_and_the_run_goes_on(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 2);
	start_server(fx, "--forms", "other=1", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(sum.no_form, 2);
	assert_int_equal(sum.left, 2);
	assert_non_null(strstr(fx->notes, "the server has no form mini at http://"
	    "127.0.0.1:"));
	assert_non_null(strstr(fx->notes, "(404): Could not find the resource you "
	    "were looking for."));
	control(fx, "publish=mini:v1");
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 2);
}

/* A conflict, and a record the server refused, go back in the queue with
 * one command; the record keeps who did it and what the server said. */
static void
requeue_puts_conflicts_back(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct record_info *recs;
	sqlite3 *db;
	char *path = xasprintf("%s/d.db", fx->dir), *r, *cause = NULL;
	size_t n;
	long count;

	make_records(fx, 3);
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "UPDATE records SET status = 'finalized', "
	    "xml = replace(xml, '<size>', '<size>9') WHERE id IN (1, 2)", NULL,
	    NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(sum.conflicts, 2);
	assert_int_equal(store_count(fx->s, "conflict"), 2);
	/* One by its instance ID. */
	assert_int_equal(store_records_list(fx->s, STORE_ALL, &recs, &n, NULL), 0);
	assert_int_equal(store_requeue(fx->s, recs[0].instance_id, "chen", &count,
	    &cause), 0);
	assert_int_equal(count, 1);
	assert_int_equal(store_count(fx->s, "conflict"), 1);
	assert_int_equal(store_count(fx->s, "finalized"), 1);
	r = store_record_reply(fx->s, recs[0].id);
	assert_non_null(strstr(r, "requeued "));
	assert_non_null(strstr(r, " by chen; before: 409 A submission already "
	    "exists with this ID"));
	free(r);
	/* An uploaded record is not a conflict: nothing to put back. */
	assert_int_equal(store_requeue(fx->s, recs[2].instance_id, "chen", &count,
	    &cause), 0);
	assert_int_equal(count, 0);
	/* All the others; a second time finds none. */
	assert_int_equal(store_requeue(fx->s, NULL, "chen", &count, &cause), 0);
	assert_int_equal(count, 1);
	assert_int_equal(store_requeue(fx->s, NULL, "chen", &count, &cause), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_count(fx->s, "finalized"), 2);
	store_records_free(recs, n);
	free(path);
}

static void
server_message_is_read(void **state)
{
	char *m;

	(void)state;
	m = upload_server_message("<OpenRosaResponse xmlns=\"x\"><message "
	    "nature=\"error\">Form &lt;mini&gt; is closed</message>"
	    "</OpenRosaResponse>");
	assert_string_equal(m, "Form <mini> is closed");
	free(m);
	/* Central escapes as HTML does: &#39; for an apostrophe. */
	m = upload_server_message("\n  <OpenRosaResponse xmlns=\"http://openrosa.org"
	    "/http/response\" items=\"0\">\n    <message nature=\"error\">The form "
	    "version specified in this submission &#39;2&#39; does not exist."
	    "</message>\n  </OpenRosaResponse>");
	assert_string_equal(m, "The form version specified in this submission '2' "
	    "does not exist.");
	free(m);
	m = upload_server_message("<message>&#x4E2D;&#25991; &#0; &#xZZ; &#39</message>");
	assert_string_equal(m, "\xe4\xb8\xad\xe6\x96\x87 &#0; &#xZZ; &#39");
	free(m);
	assert_null(upload_server_message("<html>no</html>"));
	assert_null(upload_server_message(NULL));
}

/* How many trail entries say the upload had this fate. */
static long
trail_fates(struct fixture *fx, const char *fate)
{
	char *path = xasprintf("%s/d.db", fx->dir), *sql;
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;

	sql = xasprintf("SELECT count(*) FROM trail WHERE what = 'upload' AND "
	    "detail = '%s' AND instance_id IS NOT NULL", fate);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sql);
	free(path);
	return n;
}

/* The trail keeps each record's fate: sent, conflict, refused. */
static void
trail_keeps_each_fate(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;

	make_records(fx, 2);
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(trail_fates(fx, "sent"), 2);
	stop_server(fx);
	make_records(fx, 1);
	start_server(fx, "--mode", "413", NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_REFUSED);
	assert_int_equal(trail_fates(fx, "refused"), 1);
	assert_int_equal(trail_fates(fx, "sent"), 2);
	assert_int_equal(trail_fates(fx, "conflict"), 0);
}

/* A record larger than a megabyte (a long audit log) goes at once: no
 * "Expect: 100-continue", which libcurl would otherwise send and then
 * wait up to a second for a reply that a proxy may never give. */
static void
large_record_goes_without_waiting_to_be_asked(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct record_info *recs;
	size_t n, len = 1536 * 1024;
	char *big = malloc(len), *cause = NULL;

	assert_non_null(big);
	memset(big, 'a', len);
	make_records(fx, 2);
	assert_int_equal(store_queue(fx->s, &recs, &n, NULL), 0);
	assert_int_equal(store_record_file_put(fx->s, recs[0].id, "audit.csv",
	    "text/csv", big, len, &cause), 0);
	store_records_free(recs, n);
	free(big);
	start_server(fx, NULL);
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 2);
	assert_true(sum.bytes > len);
	assert_int_equal(stat_of(fx, "attachments"), 1);
	assert_int_equal(stat_of(fx, "expect"), 0);
}

/* The answers are written a batch at a time: an upload killed (-9) while
 * it waits for the server has marked no record the server has not taken,
 * and the next run sends the rest and marks every record, the server
 * keeping each exactly once (a record taken but not yet marked is sent
 * again, and recognised). */
static void
killed_upload_loses_nothing_and_the_next_run_marks_all(void **state)
{
	struct fixture *fx = *state;
	struct upload_summary sum;
	struct record_info *recs;
	size_t n, i, marked = 0;
	pid_t child;

	make_records(fx, 20);
	start_server(fx, "--hold-after", "12", NULL);
	child = upload_in_child(fx, fx->url, 60);
	/* The 13th request came: the first 12 were answered 201. */
	for (i = 0; i < 1500 && stat_of(fx, "requests") < 13; i++) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(stat_of(fx, "requests"), 13);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(stat_of(fx, "instances"), 12);
	/* Every record marked uploaded is one the server took. */
	assert_int_equal(store_records_list(fx->s, STORE_DONE, &recs, &n, NULL), 0);
	for (i = 0; i < n; i++) {
		char *file = xasprintf("%s/received/%s", fx->dir, recs[i].instance_id);
		struct stat sb;
		size_t k;

		for (k = strlen(fx->dir) + 10; file[k] != '\0'; k++)
			if (file[k] == ':')
				file[k] = '_';
		if (strcmp(recs[i].status, "uploaded") == 0) {
			marked++;
			assert_int_equal(stat(file, &sb), 0);
		}
		free(file);
	}
	store_records_free(recs, n);
	print_message("marked before the kill: %zu of the 12 the server took\n",
	    marked);
	assert_true(marked <= 12);
	control(fx, "release=1");
	assert_int_equal(upload(fx, &sum), UPLOAD_OK);
	assert_int_equal(sum.uploaded, 20 - marked);
	assert_int_equal(store_count(fx->s, "uploaded"), 20);
	assert_int_equal(store_count(fx->s, "finalized"), 0);
	assert_int_equal(stat_of(fx, "instances"), 20);
	assert_int_equal(stat_of(fx, "conflicts"), 0);
	/* Only the taken but unmarked records went twice, none more. */
	assert_int_equal(stat_of(fx, "sent_twice"), (long)(12 - marked));
	assert_true(stat_of(fx, "max_posts") <= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_message_is_read),
		cmocka_unit_test_setup_teardown(trail_keeps_each_fate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(instance_is_what_odk_expects, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(all_records_once_then_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(identical_resend_is_recognised, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(kobo_duplicate_202_counts_as_uploaded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(closed_form_keeps_the_records_queued,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(missing_version_stops_only_its_records,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_form_waits_and_the_run_goes_on,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(requeue_puts_conflicts_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(different_xml_is_a_conflict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(captive_portal_200_is_not_success, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(bad_credentials_keep_the_queue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(other_4xx_report_the_server_message,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(server_errors_retry_then_75, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(unreachable_server_says_so, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(wrong_url_is_a_usage_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(dry_run_sends_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(plain_http_to_another_host_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(random_faults_exactly_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    two_uploads_at_once_send_each_record_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_record_being_sent_is_skipped_and_a_killed_upload_strands_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(not_http_reply_is_a_server_fault,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    plain_http_checks_the_host_curl_would_use, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    plain_http_goes_to_this_machine_not_a_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(passwords_and_keys_are_never_shown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(key_is_in_no_message_of_any_fate,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(audit_log_goes_with_the_record, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(changed_questions_need_a_new_version,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(netrc_others_can_read_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    large_record_goes_without_waiting_to_be_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    killed_upload_loses_nothing_and_the_next_run_marks_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(trickling_server_stops_at_the_limits,
		    setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("upload", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
