/* Households shared through an ODK Central Entity List: the entity block
 * each finalized record carries, and two databases that follow the same
 * family through the list that the test server (tests/fake_openrosa.py,
 * answering as Central does) keeps from their uploads. */
#include "openrosa.h"

#include <jansson.h>

#include "../core/entity.h"
#include "../core/household.h"
#include "../core/interview.h"
#include "../core/upload.h"
#include "../core/util.h"
#include "../core/xml.h"

static const char form_yaml[] =
    "form: visit\nversion: \"v1\"\ntitle: Visit\n"
    "entities: {dataset: households}\n"
    "body:\n"
    "  - {name: head, type: text, label: Head, from_household: head}\n"
    "  - {name: weeks, type: integer, label: Weeks of food, prefill: true,"
    " save_to: food_weeks, constraint: \". >= 0 and . <= 52\"}\n"
    "  - {name: shelter, type: select_one, label: Shelter, prefill: true,"
    " save_to: shelter, choices: [{value: room, label: Room},"
    " {value: van, label: Van}]}\n";

struct fixture {
	char *dir;
	struct store *a, *b;	/* two servers of the organisation */
	struct form *f;
	pid_t server;
	int port;
	char url[128];
	char notes[8192];
};

static struct form *
load_form(void)
{
	struct diags d;
	struct form *f;

	diags_init(&d, "visit");
	f = form_parse(form_yaml, strlen(form_yaml), &d);
	diags_free(&d);
	return f;
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	char *path;

	fx->dir = test_tmpdir();
	setenv("HOME", fx->dir, 1);
	path = xasprintf("%s/a.db", fx->dir);
	fx->a = store_open(path, NULL);
	free(path);
	path = xasprintf("%s/b.db", fx->dir);
	fx->b = store_open(path, NULL);
	free(path);
	fx->f = load_form();
	*state = fx;
	return fx->a == NULL || fx->b == NULL || fx->f == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	test_server_stop(&fx->server);
	store_close(fx->a);
	store_close(fx->b);
	form_free(fx->f);
	test_rmtree(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

/* The test server with the form published from doorstep's own XForm. */
static void
start_server(struct fixture *fx)
{
	char *xform = xml_xform(fx->f), *xpath = xasprintf("%s/visit.xml", fx->dir);
	FILE *f = fopen(xpath, "w");

	assert_non_null(f);
	fputs(xform, f);
	fclose(f);
	free(xform);
	fx->server = test_server_start(fx->dir, "", &fx->port, "--xform", xpath,
	    (char *)NULL);
	snprintf(fx->url, sizeof fx->url,
	    "http://127.0.0.1:%d/v1/key/k3y/projects/14/submission", fx->port);
	free(xpath);
}

/* GET path on the test server: its body (the caller frees it). */
static char *
get(struct fixture *fx, const char *path)
{
	return test_server_get(fx->port, path, NULL);
}

/* The server's entity of the household (a JSON object owned by *all). */
static json_t *
server_entity(struct fixture *fx, json_t **all)
{
	char *body = get(fx, "/entities");
	json_t *ents, *e = NULL;
	const char *key;
	json_t *v;

	*all = json_loads(body, 0, NULL);
	free(body);
	assert_non_null(*all);
	ents = json_object_get(json_object_get(json_object_get(*all, "datasets"),
	    "households"), "entities");
	json_object_foreach(ents, key, v)
		e = v;
	return e;
}

static void
remember_note(void *ctx, const char *id, const char *msg)
{
	struct fixture *fx = ctx;
	size_t len = strlen(fx->notes);

	snprintf(fx->notes + len, sizeof fx->notes - len, "%s: %s\n",
	    id ? id : "-", msg);
}

static struct upload_options
options(struct fixture *fx)
{
	struct upload_options o = { 0 };

	o.url = fx->url;
	o.connect_timeout = 2;
	o.stall_timeout = 2;
	o.tries = 2;
	o.backoff_ms = 4;
	o.note = remember_note;
	o.ctx = fx;
	return o;
}

/* An upload as `doorstep --upload` runs it: the records, then the list. */
static int
upload_and_sync(struct fixture *fx, struct store *s, struct entity_summary *es)
{
	struct upload_options o = options(fx);
	struct upload_summary sum;
	const struct form *forms[1] = { fx->f };
	int rc;

	fx->notes[0] = '\0';
	rc = upload_run(s, &o, &sum);
	if (rc != UPLOAD_OK)
		return rc;
	rc = entity_sync(s, forms, 1, &o, es);
	if (rc != UPLOAD_OK)
		fprintf(stderr, "# %s", fx->notes);
	return rc;
}

static void
register_household(struct store *s, const char *code, const char *head,
    const char *phone)
{
	struct household h = { 0 };
	char *cause = NULL;

	h.code = xstrdup(code);
	h.head = xstrdup(head);
	h.phone = xstrdup(phone);
	h.site = xstrdup("beijing");
	assert_int_equal(household_add(s, &h, &cause), 0);
	household_clear(&h);
}

/* One interview of the household, answered and finalized; the answers
 * given (NULL: leave what is there, carried or from the register). */
static void
interview(struct fixture *fx, struct store *s, const char *code,
    const char *round, const char *weeks, const char *shelter)
{
	struct form *f = load_form();
	struct interview *iv;
	const char *answers[3] = { NULL, weeks, shelter };
	char *why = NULL, *cause = NULL;
	size_t first, nbad, k;

	(void)fx;
	iv = interview_begin(s, f, code, round, "beijing", "liu", &cause);
	assert_non_null(iv);
	for (k = 0; k < 3; k++) {
		const char *v = answers[k] ? answers[k] : interview_value(iv, k, 0);

		assert_int_equal(interview_go(iv, k, NULL), 0);
		assert_int_equal(interview_answer(iv, v, true, "en", &why, &cause), 0);
	}
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
}

/* The stored XML of the latest record. */
static char *
latest_xml(struct store *s)
{
	struct record_info *recs;
	size_t n;
	char *xml, *cause = NULL;

	assert_int_equal(store_records_list(s, STORE_DONE, &recs, &n, NULL), 0);
	assert_true(n > 0);
	xml = store_record_xml(s, recs[n - 1].id, &cause);
	store_records_free(recs, n);
	assert_non_null(xml);
	return xml;
}

/* What the server received for that instance (its multipart part). */
static char *
received(struct fixture *fx, const char *xml)
{
	const char *p = strstr(xml, "<instanceID>uuid:");
	char *iid, *path, *body;
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f;

	assert_non_null(p);
	iid = xstrndup(p + strlen("<instanceID>"), 41);
	iid[4] = '_';
	path = xasprintf("%s/received/%s", fx->dir, iid);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	free(iid);
	buf_adds(&b, "");
	body = buf_steal(&b);
	return body;
}

static void
xform_declares_the_entities(void **state)
{
	struct fixture *fx = *state;
	char *x = xml_xform(fx->f);

	assert_non_null(strstr(x, "xmlns:entities=\"http://www.opendatakit.org/"
	    "xforms/entities\""));
	assert_non_null(strstr(x, "<model entities:entities-version=\"2024.1.0\">"));
	assert_non_null(strstr(x, "<entity dataset=\"households\" id=\"\" "
	    "create=\"1\" update=\"1\" baseVersion=\"\" trunkVersion=\"\" "
	    "branchId=\"\">"));
	assert_non_null(strstr(x, "entities:saveto=\"food_weeks\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/visit/meta/household\" "
	    "type=\"string\" readonly=\"true()\" entities:saveto=\"code\"/>"));
	assert_non_null(strstr(x, "<instance id=\"households\" "
	    "src=\"jr://file-csv/households.csv\"/>"));
	free(x);
}

static void
create_then_update_blocks(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es;
	char *xml, *sent, *block, uuid[37];
	json_t *all, *e;

	start_server(fx);
	register_household(fx->a, "BJ-0001", "Liu Wei", "13800000001");
	interview(fx, fx->a, "BJ-0001", "R1", "3", "van");
	xml = latest_xml(fx->a);
	/* The first record creates the entity, with a fresh UUID. */
	block = strstr(xml, "<entity dataset=\"households\" id=\"");
	assert_non_null(block);
	memcpy(uuid, block + strlen("<entity dataset=\"households\" id=\""), 36);
	uuid[36] = '\0';
	assert_int_equal(uuid[14], '4');
	block = xasprintf("<entity dataset=\"households\" id=\"%s\" create=\"1\" "
	    "update=\"\" baseVersion=\"\" trunkVersion=\"\" branchId=\"\">\n"
	    "      <label>BJ-0001 Liu Wei</label>\n    </entity>\n  </meta>", uuid);
	assert_non_null(strstr(xml, block));
	assert_non_null(strstr(xml, "<household_head>Liu Wei</household_head>"));
	assert_non_null(strstr(xml, "<household_phone>13800000001</household_phone>"));
	assert_non_null(strstr(xml, "<household_status>open</household_status>"));
	free(block);

	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);
	sent = received(fx, xml);
	assert_string_equal(sent, xml);		/* the multipart part, as stored */
	free(sent);
	free(xml);
	e = server_entity(fx, &all);
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(e, "label")),
	    "BJ-0001 Liu Wei");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "data"), "food_weeks")), "3");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "data"), "phone")), "13800000001");
	assert_int_equal(json_array_size(json_object_get(all, "errors")), 0);
	json_decref(all);

	/* The next round updates it, from the version the list gave back. */
	interview(fx, fx->a, "BJ-0001", "R2", "5", NULL);
	xml = latest_xml(fx->a);
	block = xasprintf("<entity dataset=\"households\" id=\"%s\" create=\"\" "
	    "update=\"1\" baseVersion=\"1\" trunkVersion=\"1\" branchId=\"", uuid);
	assert_non_null(strstr(xml, block));
	free(block);
	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);
	sent = received(fx, xml);
	assert_string_equal(sent, xml);
	free(sent);
	free(xml);
	e = server_entity(fx, &all);
	assert_int_equal(json_integer_value(json_object_get(e, "version")), 2);
	assert_true(json_is_null(json_object_get(e, "conflict")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "data"), "food_weeks")), "5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "data"), "round")), "R2");
	assert_int_equal(json_array_size(json_object_get(all, "errors")), 0);
	json_decref(all);
	/* Its own household came back unchanged: nothing new, no conflict. */
	assert_int_equal(es.added, 0);
	assert_int_equal(es.conflicts, 0);
}

static void
second_database_follows_the_family(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es;
	struct household h;
	struct interview *iv;
	struct form *f;
	char *cause = NULL, *xml;
	json_t *all, *e;

	start_server(fx);
	register_household(fx->a, "BJ-0001", "Liu Wei", "13800000001");
	interview(fx, fx->a, "BJ-0001", "R1", "3", "van");
	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);

	/* The other server has never seen the family. */
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, NULL), 1);
	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);
	assert_int_equal(es.lists, 1);
	assert_int_equal(es.rows, 1);
	assert_int_equal(es.added, 1);
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, &cause), 0);
	assert_string_equal(h.head, "Liu Wei");
	assert_string_equal(h.phone, "13800000001");
	assert_string_equal(h.site, "beijing");
	assert_false(h.closed);
	household_clear(&h);

	/* Its round 2 starts from round 1's answers, marked as carried. */
	f = load_form();
	iv = interview_begin(fx->b, f, "BJ-0001", "R2", "beijing", "wang", &cause);
	assert_non_null(iv);
	assert_string_equal(interview_value(iv, 0, 0), "Liu Wei");
	assert_string_equal(interview_value(iv, 1, 0), "3");
	assert_string_equal(interview_carried(iv, 1, 0), "R1");
	assert_string_equal(interview_value(iv, 2, 0), "van");
	interview_free(iv);

	interview(fx, fx->b, "BJ-0001", "R2", "6", NULL);
	xml = latest_xml(fx->b);
	assert_non_null(strstr(xml, "update=\"1\" baseVersion=\"1\" "
	    "trunkVersion=\"1\""));
	free(xml);
	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);
	e = server_entity(fx, &all);
	assert_int_equal(json_integer_value(json_object_get(e, "version")), 2);
	assert_true(json_is_null(json_object_get(e, "conflict")));
	json_decref(all);

	/* And the first server sees round 2 done elsewhere. */
	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);
	assert_int_equal(es.conflicts, 0);
	{
		char *v = entity_server_value(fx->a, "BJ-0001", "food_weeks");

		assert_string_equal(v, "6");
		free(v);
	}
}

static void
conflict_is_kept_not_overwritten(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es;
	struct entity_conflict *c;
	struct household h;
	char *cause = NULL, *path;
	size_t n;
	json_t *all, *e;
	const char *uuid = "";

	start_server(fx);
	register_household(fx->a, "BJ-0001", "Liu Wei", "13800000001");
	interview(fx, fx->a, "BJ-0001", "R1", "3", "van");
	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);
	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);

	/* Here the phone changes, not yet sent; on the server too. */
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, NULL), 0);
	free(h.phone);
	h.phone = xstrdup("13900000002");
	assert_int_equal(household_update(fx->b, &h, &cause), 0);
	/* An office worker edits the entity in Central's web pages. */
	e = server_entity(fx, &all);
	assert_non_null(e);
	{
		const char *key;
		json_t *v;

		json_object_foreach(json_object_get(json_object_get(json_object_get(
		    all, "datasets"), "households"), "entities"), key, v)
			uuid = key;
	}
	path = xasprintf("/control?entity=%s&set=phone:13700000003", uuid);
	free(get(fx, path));
	free(path);
	json_decref(all);

	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);
	assert_int_equal(es.conflicts, 1);
	/* Neither value is lost: the register keeps this one... */
	household_clear(&h);
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, NULL), 0);
	assert_string_equal(h.phone, "13900000002");
	/* ...and the conflict holds both. */
	assert_int_equal(entity_conflicts(fx->b, h.id, &c, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].name, "phone");
	assert_string_equal(c[0].mine, "13900000002");
	assert_string_equal(c[0].theirs, "13700000003");
	assert_int_equal(c[0].version, 2);
	entity_conflicts_free(c, n);
	assert_int_equal(entity_conflict_count(fx->b, NULL), 1);
	/* The next download does not take it silently either. */
	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);
	household_clear(&h);
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, NULL), 0);
	assert_string_equal(h.phone, "13900000002");

	/* The user chooses the server's. */
	assert_int_equal(entity_resolve(fx->b, h.id, false, &cause), 0);
	household_clear(&h);
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, NULL), 0);
	assert_string_equal(h.phone, "13700000003");
	assert_int_equal(entity_conflict_count(fx->b, NULL), 0);
	household_clear(&h);
}

static void
central_marks_a_stale_update(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es;
	json_t *all, *e;

	start_server(fx);
	register_household(fx->a, "BJ-0001", "Liu Wei", "13800000001");
	interview(fx, fx->a, "BJ-0001", "R1", "3", "van");
	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);
	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);
	/* Both follow up on version 1; A's reaches the server first. */
	interview(fx, fx->a, "BJ-0001", "R2", "4", NULL);
	interview(fx, fx->b, "BJ-0001", "R2", "8", NULL);
	assert_int_equal(upload_and_sync(fx, fx->a, &es), UPLOAD_OK);
	assert_int_equal(upload_and_sync(fx, fx->b, &es), UPLOAD_OK);
	/* Central applies the later one and flags the entity, as it does. */
	e = server_entity(fx, &all);
	assert_int_equal(json_integer_value(json_object_get(e, "version")), 3);
	assert_string_equal(json_string_value(json_object_get(e, "conflict")),
	    "hard");
	json_decref(all);
}

static const char good_csv[] =
    "name,label,__version,code,head,phone,site,status,next_visit,round,"
    "food_weeks,shelter,other_form_prop\n"
    "5f0c9c1e-1111-4222-8333-444455556666,\"BJ-0007 Zhang, \"\"Li\"\"\",3,"
    "BJ-0007,\"Zhang, \"\"Li\"\"\",138 0000 0007,beijing,closed,,R4,2,room,x\n";

static void
list_is_read_as_central_writes_it(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es = { 0 };
	struct household h;
	char *cause = NULL, *v;

	if (entity_merge_csv(fx->b, fx->f, good_csv, strlen(good_csv), &es, NULL,
	    NULL, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(es.added, 1);
	assert_int_equal(household_get(fx->b, "BJ-0007", &h, NULL), 0);
	assert_string_equal(h.head, "Zhang, \"Li\"");
	assert_true(h.closed);
	household_clear(&h);
	v = entity_server_value(fx->b, "BJ-0007", "food_weeks");
	assert_string_equal(v, "2");
	free(v);
	/* The same list again changes nothing. */
	memset(&es, 0, sizeof es);
	assert_int_equal(entity_merge_csv(fx->b, fx->f, good_csv, strlen(good_csv),
	    &es, NULL, NULL, &cause), 0);
	assert_int_equal(es.added + es.updated + es.conflicts, 0);
}

static void
note_to_buf(void *ctx, const char *msg)
{
	buf_adds(ctx, msg);
	buf_adds(ctx, "\n");
}

static void
broken_rows_are_refused_and_nothing_is_lost(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es = { 0 };
	struct household h;
	char *cause = NULL;
	const char *bad[] = {
		/* a number of weeks the form's type refuses */
		"name,label,__version,code,food_weeks\n"
		"5f0c9c1e-1111-4222-8333-444455556666,A,1,BJ-0001,1\n"
		"5f0c9c1e-1111-4222-8333-444455556667,B,1,BJ-0002,many\n",
		/* a head with a terminal escape sequence */
		"name,label,__version,code,head\n"
		"5f0c9c1e-1111-4222-8333-444455556666,A,1,BJ-0001,\x1b]0;pwned\x07\n",
		/* a choice the form does not have */
		"name,label,__version,code,shelter\n"
		"5f0c9c1e-1111-4222-8333-444455556666,A,1,BJ-0001,tent\n",
		/* not a UUID */
		"name,label,__version,code\n../../x,A,1,BJ-0001\n",
		/* no code */
		"name,label,__version,code\n5f0c9c1e-1111-4222-8333-444455556666,A,1,\n",
		/* not a list at all */
		"<html>Log in to Wi-Fi</html>\n",
	};
	size_t i;

	register_household(fx->b, "BJ-0001", "Liu Wei", "13800000001");
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		assert_int_equal(entity_merge_csv(fx->b, fx->f, bad[i], strlen(bad[i]),
		    &es, NULL, NULL, &cause), 1);
		assert_non_null(cause);
		assert_null(strchr(cause, '\x1b'));
		assert_null(strchr(cause, '\x07'));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(es.refused, ARRAY_LEN(bad));
	/* The first list named the row and the rule; its good row was not
	 * taken either, and what was here is as it was. */
	assert_int_equal(entity_merge_csv(fx->b, fx->f, bad[0], strlen(bad[0]),
	    &es, NULL, NULL, &cause), 1);
	assert_non_null(strstr(cause, "row 3 (B): food_weeks 'many' is refused"));
	free(cause);
	assert_int_equal(household_get(fx->b, "BJ-0002", &h, NULL), 1);
	assert_int_equal(household_get(fx->b, "BJ-0001", &h, NULL), 0);
	assert_string_equal(h.head, "Liu Wei");
	household_clear(&h);
}

static void
hostile_label_is_shown_harmless(void **state)
{
	struct fixture *fx = *state;
	struct entity_summary es = { 0 };
	struct buf notes = { 0 };
	char *cause = NULL;
	const char csv[] = "name,label,__version,code,head\n"
	    "5f0c9c1e-1111-4222-8333-444455556666,\"BJ-0001 \x1b[2J\x1b]0;x\x07\","
	    "1,BJ-0001,Wang\n";

	/* Another family has the code here: the note names the list's. */
	register_household(fx->b, "BJ-0001", "Liu Wei", "13800000001");
	assert_int_equal(entity_merge_csv(fx->b, fx->f, csv, strlen(csv), &es,
	    note_to_buf, &notes, &cause), 0);
	assert_int_equal(es.code_taken, 1);
	buf_adds(&notes, "");
	if (strstr(notes.data, "BJ-0001 \\x1B[2J\\x1B]0;x\\x07") == NULL)
		fail_msg("%s", notes.data);
	assert_null(strchr(notes.data, '\x1b'));
	buf_free(&notes);
}

static void
form_rules_for_entities(void **state)
{
	static const char *const bad[] = {
		"form: x\nversion: \"1\"\ntitle: X\nentities: {dataset: __h}\n"
		"body:\n  - {name: a, type: text, label: A}\n",
		"form: x\nversion: \"1\"\ntitle: X\nentities: {dataset: h}\n"
		"body:\n  - {name: a, type: text, label: A, save_to: phone}\n",
		"form: x\nversion: \"1\"\ntitle: X\nentities: {dataset: h}\n"
		"body:\n  - {name: a, type: text, label: A, save_to: label}\n",
		"form: x\nversion: \"1\"\ntitle: X\n"
		"body:\n  - {name: a, type: text, label: A, save_to: p}\n",
		"form: x\nversion: \"1\"\ntitle: X\nentities: {dataset: h}\n"
		"body:\n  - {name: a, type: text, label: A, save_to: p}\n"
		"  - {name: b, type: text, label: B, save_to: p}\n",
		"form: x\nversion: \"1\"\ntitle: X\n"
		"entities: {dataset: h, create: false, update: false}\n"
		"body:\n  - {name: a, type: text, label: A}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		struct diags d;
		struct form *f;

		diags_init(&d, "x");
		f = form_parse(bad[i], strlen(bad[i]), &d);
		assert_null(f);
		assert_true(d.errors > 0);
		diags_free(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_rules_for_entities),
		cmocka_unit_test_setup_teardown(xform_declares_the_entities, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(create_then_update_blocks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(second_database_follows_the_family,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(conflict_is_kept_not_overwritten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(central_marks_a_stale_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(list_is_read_as_central_writes_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    broken_rows_are_refused_and_nothing_is_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_label_is_shown_harmless, setup,
		    teardown),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
