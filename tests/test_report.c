/* The needs report against figures computed here, independently, from
 * the answers this test generated: several sites, two rounds, hundreds of
 * households, re-interviews and drafts that must not count. */
#include "helpers.h"

#include <sqlite3.h>
#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer's allocator (its header is not always installed). */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));
size_t __sanitizer_get_allocated_size(const volatile void *p);
#endif

#include "../core/export.h"
#include "../core/interview.h"
#include "../core/report.h"
#include "../core/store-impl.h"
#include "../core/text.h"
#include "../core/util.h"

static const char form_yaml[] =
    "form: rep\nversion: \"1\"\ntitle: R\n"
    "body:\n"
    "  - {name: food_weeks, type: integer, label: Food}\n"
    "  - {name: sick, type: select_one, label: Sick, choices: [{value: y, label: "
    "Yes}, {value: n, label: No}]}\n"
    "  - {name: debts, type: select_multiple, label: Debts, choices: [{value: "
    "online, label: Online}, {value: bank, label: Bank}, {value: kin, label: "
    "Kin}]}\n"
    "needs:\n"
    "  - {id: livelihood, label: Livelihood, when: \"${food_weeks} < 4 or "
    "selected(${debts}, 'online')\"}\n"
    "  - {id: health, label: Health, when: \"${sick} = 'y'\"}\n";

#define HOUSEHOLDS 240
static const char *const sites[] = { "beijing", "jiangxi", "shandong" };

struct answers {
	int food;
	int sick;
	int debts;	/* bits: 1 online, 2 bank, 4 kin */
	bool present;
};

/* What each household answered, per round. */
static struct answers data[2][HOUSEHOLDS];

static unsigned long seed = 20200226;

static unsigned
next_rand(void)
{
	seed = seed * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)(seed >> 33);
}

static bool
livelihood(const struct answers *a)
{
	return a->food < 4 || (a->debts & 1);
}

static void
interview(struct store *s, const char *code, const char *round,
    const char *site, const struct answers *a, bool finalize)
{
	struct diags d;
	struct interview *iv;
	struct form *f;
	char *cause = NULL, *why = NULL, food[8];
	struct buf debts = { 0 };
	size_t first, nbad;

	diags_init(&d, "rep");
	f = form_parse(form_yaml, sizeof form_yaml - 1, &d);
	diags_free(&d);
	iv = interview_begin(s, f, code, round, site, "liu", &cause);
	assert_non_null(iv);
	snprintf(food, sizeof food, "%d", a->food);
	if (a->debts & 1)
		buf_adds(&debts, "online ");
	if (a->debts & 2)
		buf_adds(&debts, "bank ");
	if (a->debts & 4)
		buf_adds(&debts, "kin");
	assert_int_equal(interview_go(iv, 0, NULL), 0);
	assert_int_equal(interview_answer(iv, food, true, "en", &why, &cause), 0);
	assert_int_equal(interview_go(iv, 1, NULL), 0);
	assert_int_equal(interview_answer(iv, a->sick ? "y" : "n", true, "en", &why,
	    &cause), 0);
	assert_int_equal(interview_go(iv, 2, NULL), 0);
	assert_int_equal(interview_answer(iv, debts.data ? debts.data : "", false,
	    "en", &why, &cause), 0);
	if (finalize)
		assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
	buf_free(&debts);
}

static int
setup(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/r.db", dir);
	struct store *s = store_open(path, NULL);
	char code[16];
	int h, r;

	free(path);
	for (r = 0; r < 2; r++)
		for (h = 0; h < HOUSEHOLDS; h++) {
			struct answers *a = &data[r][h];

			a->present = r == 0 || h % 5 != 0;	/* some not seen again */
			a->food = (int)(next_rand() % 8);
			a->sick = (int)(next_rand() % 3 == 0);
			a->debts = (int)(next_rand() % 8);
			if (!a->present)
				continue;
			snprintf(code, sizeof code, "%c-%04d", "BJS"[h % 3], h);
			/* A first visit that a re-interview replaces (round 1, some). */
			if (r == 0 && h % 7 == 0) {
				struct answers old = { 0, 1, 1, true };

				interview(s, code, "2020-R1", sites[h % 3], &old, true);
			}
			interview(s, code, r ? "2020-R2" : "2020-R1", sites[h % 3], a, true);
		}
	/* Drafts do not count. */
	{
		struct answers x = { 0, 1, 7, true };

		interview(s, "B-9999", "2020-R2", "beijing", &x, false);
	}
	store_close(s);
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	test_rmtree(*state);
	free(*state);
	return 0;
}

static struct store *
open_store(void **state)
{
	char *path = xasprintf("%s/r.db", (char *)*state);
	struct store *s = store_open(path, NULL);

	free(path);
	assert_non_null(s);
	return s;
}

static const struct report_need *
need(const struct report *r, const char *id)
{
	size_t k;

	for (k = 0; k < r->nneeds; k++)
		if (strcmp(r->needs[k].id, id) == 0)
			return &r->needs[k];
	fail_msg("no need %s", id);
	return NULL;
}

static long
choice(const struct report *r, const char *question, const char *label,
    long *base)
{
	size_t i;

	for (i = 0; i < r->nchoices; i++)
		if (strcmp(r->choices[i].question, question) == 0 &&
		    strcmp(r->choices[i].choice, label) == 0) {
			*base = r->choices[i].base;
			return r->choices[i].n;
		}
	fail_msg("no choice %s/%s", question, label);
	return -1;
}

static void
one_round(void **state)
{
	struct store *s = open_store(state);
	struct report r;
	long live = 0, sick = 0, online = 0, kin = 0, site_live[3] = { 0 },
	    site_n[3] = { 0 }, base;
	int h;

	for (h = 0; h < HOUSEHOLDS; h++) {
		const struct answers *a = &data[0][h];

		live += livelihood(a);
		sick += a->sick;
		online += (a->debts & 1) != 0;
		kin += (a->debts & 4) != 0;
		site_live[h % 3] += livelihood(a);
		site_n[h % 3]++;
	}
	assert_int_equal(report_build(s, "2020-R1", NULL, "en", &r, NULL), 0);
	assert_int_equal(r.households, HOUSEHOLDS);
	assert_int_equal(need(&r, "livelihood")->households, live);
	assert_int_equal(need(&r, "health")->households, sick);
	assert_int_equal(r.nsites, 3);
	for (h = 0; h < 3; h++) {
		assert_string_equal(r.sites[h], sites[h]);
		assert_int_equal(r.site_households[h], site_n[h]);
		assert_int_equal(need(&r, "livelihood")->by_site[h], site_live[h]);
	}
	assert_int_equal(choice(&r, "Sick", "Yes", &base), sick);
	assert_int_equal(base, HOUSEHOLDS);
	assert_int_equal(choice(&r, "Debts", "Online", &base), online);
	assert_int_equal(choice(&r, "Debts", "Kin", &base), kin);
	assert_null(r.from_round);	/* nothing before round 1 */
	report_free(&r);
	store_close(s);
}

static void
every_round_and_the_change(void **state)
{
	struct store *s = open_store(state);
	struct report r;
	long live = 0, gained = 0, lost = 0, kept = 0, both = 0, health_kept = 0;
	int h;

	for (h = 0; h < HOUSEHOLDS; h++) {
		const struct answers *a = &data[0][h], *b = &data[1][h];
		const struct answers *latest = b->present ? b : a;

		live += livelihood(latest);
		if (!b->present)
			continue;
		both++;
		gained += !livelihood(a) && livelihood(b);
		lost += livelihood(a) && !livelihood(b);
		kept += livelihood(a) && livelihood(b);
		health_kept += a->sick && b->sick;
	}
	assert_int_equal(report_build(s, NULL, NULL, "en", &r, NULL), 0);
	assert_int_equal(r.households, HOUSEHOLDS);	/* once each, latest */
	assert_int_equal(need(&r, "livelihood")->households, live);
	assert_string_equal(r.from_round, "2020-R1");
	assert_string_equal(r.to_round, "2020-R2");
	assert_int_equal(r.compared, both);
	assert_int_equal(need(&r, "livelihood")->gained, gained);
	assert_int_equal(need(&r, "livelihood")->lost, lost);
	assert_int_equal(need(&r, "livelihood")->kept, kept);
	assert_int_equal(need(&r, "health")->kept, health_kept);
	report_free(&r);
	store_close(s);
}

static void
one_site(void **state)
{
	struct store *s = open_store(state);
	struct report r;
	long n = 0, sick = 0;
	int h;

	for (h = 1; h < HOUSEHOLDS; h += 3)
		if (data[1][h].present) {
			n++;
			sick += data[1][h].sick;
		}
	assert_int_equal(report_build(s, "2020-R2", "jiangxi", "en", &r, NULL), 0);
	assert_int_equal(r.households, n);
	assert_int_equal(r.nsites, 1);
	assert_int_equal(need(&r, "health")->households, sick);
	report_free(&r);
	store_close(s);
}

static void
formats(void **state)
{
	struct store *s = open_store(state);
	struct report r;
	char *text, *csv, *html;
	size_t i, w = 0;

	assert_int_equal(report_build(s, NULL, NULL, "en", &r, NULL), 0);
	text = report_text(&r);
	csv = report_csv(&r);
	html = report_html(&r);
	/* Text fits 80 columns. */
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			assert_true(w <= 80);
			w = 0;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80)
			w++;
	}
	assert_non_null(strstr(text, "Livelihood"));
	assert_non_null(strstr(text, "█"));
	assert_non_null(strstr(text, "From 2020-R1 to 2020-R2"));
	assert_non_null(strstr(csv, "section,site,item,detail,count,base,share,"
	    "gained,lost,kept\r\n"));
	assert_non_null(strstr(csv, "need,jiangxi,livelihood,Livelihood,"));
	/* Numeric columns hold numbers only (no "1/0/0"). */
	{
		const char *line = strstr(csv, "\r\n") + 2;
		bool change = false;

		while (*line != '\0') {
			const char *end = strstr(line, "\r\n"), *p = line;
			int field = 0;

			change |= strncmp(line, "change,", 7) == 0;
			/* The last four cells: no quotes in those rows. */
			for (p = end; field < 6; p--)
				if (p[-1] == ',')
					field++;
			for (p++; p < end; p++)
				if (strchr("0123456789.,", *p) == NULL)
					fail_msg("not a number in %.*s", (int)(end - line), line);
			line = end + 2;
		}
		assert_true(change);
	}
	/* A page for any screen: the viewport, bars in percent, the round
	 * and the date in the title. */
	assert_non_null(strstr(html, "<meta name=\"viewport\""));
	assert_null(strstr(html, "720"));
	assert_non_null(strstr(html, "style=\"width:"));
	{
		char title[64];

		snprintf(title, sizeof title, "<title>Needs report: every round, %s"
		    "</title>", r.date);
		assert_non_null(strstr(html, title));
		assert_int_equal(strlen(r.date), 10);
	}
	assert_null(strstr(html, "<script"));	/* one file, nothing fetched */
	assert_null(strstr(html, "http://") == NULL ? NULL : strstr(html, "src="));
	free(text);
	free(csv);
	free(html);
	report_free(&r);
	store_close(s);
}

/* Round names come from the database (an import, an old version): the
 * text report shows their control characters as \xHH, the HTML page
 * escapes them, the CSV keeps them inside one cell. */
static void
round_names_are_shown_not_obeyed(void **state)
{
	static const char r1[] = "R1\033]0;pwned\a\033[2J";
	static const char r2[] = "R2<script>\302\2331m,x";
	char *dir = test_tmpdir(), *path = xasprintf("%s/e.db", dir);
	struct store *s = store_open(path, NULL);
	struct answers a = { 1, 1, 1, true };
	struct report r;
	char *text, *html, *csv;
	size_t i;

	(void)state;
	interview(s, "B-0001", r1, "beijing", &a, true);
	interview(s, "B-0001", r2, "beijing", &a, true);
	assert_int_equal(report_build(s, NULL, NULL, "en", &r, NULL), 0);
	assert_string_equal(r.from_round, r1);
	text = report_text(&r);
	html = report_html(&r);
	csv = report_csv(&r);
	for (i = 0; text[i] != '\0'; i++)
		if (((unsigned char)text[i] < 0x20 && text[i] != '\n') ||
		    text[i] == 0x7f || ((unsigned char)text[i] == 0xc2 &&
		    (unsigned char)text[i + 1] >= 0x80 &&
		    (unsigned char)text[i + 1] < 0xa0))
			fail_msg("control byte at %zu of the text report", i);
	assert_non_null(strstr(text, "From R1\\x1B]0;pwned\\x07\\x1B[2J to "
	    "R2<script>\\x9B1m,x"));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "R2&lt;script&gt;"));
	assert_non_null(strstr(csv, "\r\nchange,all,livelihood,\"R1"));
	free(text);
	free(html);
	free(csv);
	report_free(&r);
	test_store_free(s, dir);
	free(path);
}

static void
empty_database(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/e.db", dir), *text;
	struct store *s = store_open(path, NULL);
	struct report r;

	(void)state;
	assert_int_equal(report_build(s, NULL, NULL, "en", &r, NULL), 0);
	assert_int_equal(r.households, 0);
	text = report_text(&r);
	assert_non_null(strstr(text, "No finalized interview matches."));
	free(text);
	report_free(&r);
	test_store_free(s, dir);
	free(path);
}

/* A form with need areas, and a follow-up form without any, in one
 * database: the follow-up never hides the assessment in the report. The
 * debts question applies only when food runs short; an answer to it left
 * from before food_weeks was changed flags no need. */
static const char assess_yaml[] =
    "form: assess\nversion: \"1\"\ntitle: A\n"
    "body:\n"
    "  - {name: food_weeks, type: integer, label: Food}\n"
    "  - {name: debts, type: select_multiple, label: Debts, relevant: "
    "\"${food_weeks} < 4\", choices: [{value: online, label: Online}, "
    "{value: kin, label: Kin}]}\n"
    "  - {name: sick, type: select_one, label: Sick, choices: [{value: y, "
    "label: 'Yes'}, {value: n, label: 'No'}]}\n"
    "needs:\n"
    "  - {id: livelihood, label: Livelihood, when: \"selected(${debts}, "
    "'online')\"}\n"
    "  - {id: health, label: Health, when: \"${sick} = 'y'\"}\n";
static const char followup_yaml[] =
    "form: followup\nversion: \"1\"\ntitle: F\n"
    "body:\n"
    "  - {name: note, type: text, label: What changed}\n";

/* A store of its own in a fresh folder (*dir to remove after). */
static struct store *
own_store(char **dir)
{
	struct store *s = test_store_new(dir);

	assert_non_null(s);
	return s;
}

/* Answers steps in order (NULL: leave the step as it is) and finalizes. */
static void
fill(struct store *s, const char *yaml, size_t len, const char *code,
    const char *const *values, size_t n)
{
	struct diags d;
	struct interview *iv;
	struct form *f;
	char *cause = NULL, *why = NULL;
	size_t i, first, nbad;

	diags_init(&d, "f");
	f = form_parse(yaml, len, &d);
	assert_non_null(f);
	diags_free(&d);
	iv = interview_begin(s, f, code, "R3", "beijing", "liu", &cause);
	assert_non_null(iv);
	for (i = 0; i < n; i++) {
		assert_int_equal(interview_go(iv, i, NULL), 0);
		if (values[i] != NULL)
			assert_int_equal(interview_answer(iv, values[i], true, "en",
			    &why, &cause), 0);
	}
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
}

static void
a_followup_form_never_hides_the_assessment(void **state)
{
	char *dir;
	struct store *s = own_store(&dir);
	const char *const assess[] = { "1", "online", "y" };
	const char *const note[] = { "moved" };
	struct report r;
	char *text;

	fill(s, assess_yaml, sizeof assess_yaml - 1, "HH-0002", assess, 3);
	fill(s, followup_yaml, sizeof followup_yaml - 1, "HH-0002", note, 1);
	assert_int_equal(report_build(s, "R3", NULL, "en", &r, NULL), 0);
	assert_int_equal(r.households, 1);
	assert_int_equal(need(&r, "livelihood")->households, 1);
	assert_int_equal(need(&r, "health")->households, 1);
	/* The report says which form it counts. */
	assert_int_equal(r.nforms, 1);
	assert_string_equal(r.forms[0], "assess");
	text = report_text(&r);
	assert_non_null(strstr(text, "assess"));
	free(text);
	report_free(&r);
	test_store_free(s, dir);
	(void)state;
}

static void
an_answer_that_no_longer_applies_flags_no_need(void **state)
{
	char *dir;
	struct store *s = own_store(&dir);
	struct diags d;
	struct interview *iv;
	struct form *f;
	struct report r;
	char *cause = NULL, *why = NULL;
	size_t first, nbad, k;

	diags_init(&d, "f");
	f = form_parse(assess_yaml, sizeof assess_yaml - 1, &d);
	diags_free(&d);
	iv = interview_begin(s, f, "HH-0003", "R3", "beijing", "liu", &cause);
	assert_non_null(iv);
	assert_int_equal(interview_go(iv, 0, NULL), 0);
	assert_int_equal(interview_answer(iv, "1", true, "en", &why, &cause), 0);
	assert_int_equal(interview_go(iv, 1, NULL), 0);
	assert_int_equal(interview_answer(iv, "online", true, "en", &why, &cause), 0);
	/* Back to the food question: 10 weeks, so debts is no longer asked. */
	assert_int_equal(interview_go(iv, 0, NULL), 0);
	assert_int_equal(interview_answer(iv, "10", true, "en", &why, &cause), 0);
	for (k = 0; k < iv->nsteps; k++)
		assert_false(iv->steps[k].q == 1);
	assert_int_equal(interview_go(iv, 1, NULL), 0);
	assert_int_equal(interview_answer(iv, "n", true, "en", &why, &cause), 0);
	assert_false(interview_need(iv, 0));
	assert_int_equal(interview_finalize(iv, &first, &nbad, &cause), 0);
	interview_free(iv);
	assert_int_equal(report_build(s, "R3", NULL, "en", &r, NULL), 0);
	assert_int_equal(r.households, 1);
	assert_int_equal(need(&r, "livelihood")->households, 0);
	report_free(&r);
	test_store_free(s, dir);
	(void)state;
}

/* A form that says which answer means "not assessed": a refusal is
 * counted on a line of its own and is not in the shares. */
static const char consent_yaml[] =
    "form: consented\nversion: \"1\"\ntitle: C\n"
    "not_assessed: {question: consent, answers: [\"no\"]}\n"
    "body:\n"
    "  - {name: consent, type: select_one, label: Agrees, choices: [{value: "
    "\"yes\", label: 'Yes'}, {value: \"no\", label: 'No'}]}\n"
    "  - {name: sick, type: select_one, label: Sick, relevant: \"${consent} = "
    "'yes'\", choices: [{value: y, label: 'Yes'}, {value: n, label: 'No'}]}\n"
    "needs:\n"
    "  - {id: health, label: Health, when: \"${sick} = 'y'\"}\n";

static void
a_refusal_is_not_an_assessed_household(void **state)
{
	char *dir;
	struct store *s = own_store(&dir);
	const char *const agreed[] = { "yes", "y" };
	const char *const refused[] = { "no" };
	struct report r;
	char *text, *csv, *html;

	fill(s, consent_yaml, sizeof consent_yaml - 1, "HH-0001", agreed, 2);
	fill(s, consent_yaml, sizeof consent_yaml - 1, "HH-0002", refused, 1);
	assert_int_equal(report_build(s, "R3", NULL, "en", &r, NULL), 0);
	assert_int_equal(r.households, 1);
	assert_int_equal(r.refused, 1);
	/* The share is over the one household assessed: 100%, not 50%. */
	assert_int_equal(need(&r, "health")->households, 1);
	text = report_text(&r);
	assert_non_null(strstr(text, "1 household(s) assessed"));
	assert_non_null(strstr(text, "Not assessed (refused): 1 household(s)"));
	assert_non_null(strstr(text, "100.0%"));
	assert_null(strstr(text, " 50.0%"));
	csv = report_csv(&r);
	assert_non_null(strstr(csv, "\r\nnot assessed,all,,,1,"));
	assert_non_null(strstr(csv, "\r\nneed,all,health,Health,1,1,100.0"));
	html = report_html(&r);
	assert_non_null(strstr(html, "Not assessed (refused): 1 household(s)"));
	free(text);
	free(csv);
	free(html);
	report_free(&r);
	test_store_free(s, dir);
	(void)state;
}

/* Beijing and beijing are one site; --site beijing finds Beijing; a
 * record without a site is an empty CSV cell, not '-; the text report's
 * site headers line up over their figures, Chinese names too. */
static void
sites_are_one_column_whatever_the_case(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/s.db", dir);
	struct store *s = store_open(path, NULL);
	struct answers a = { 1, 1, 1, true };
	struct report r;
	char *text, *csv, *line;

	(void)state;
	interview(s, "B-0001", "R1", "Beijing", &a, true);
	interview(s, "B-0002", "R1", "beijing", &a, true);
	interview(s, "B-0003", "R1", "北京市朝阳", &a, true);
	interview(s, "B-0004", "R1", NULL, &a, true);
	assert_int_equal(report_build(s, "R1", NULL, "en", &r, NULL), 0);
	assert_int_equal(r.nsites, 3);
	assert_string_equal(r.sites[0], "");
	assert_string_equal(r.sites[1], "Beijing");
	assert_int_equal(r.site_households[1], 2);
	text = report_text(&r);
	csv = report_csv(&r);
	assert_non_null(strstr(csv, "\r\nhouseholds,,,,1,4,25.0,,,\r\n"));
	assert_null(strstr(csv, "'-"));
	/* The header row and the households row are as wide, in columns. */
	line = strstr(text, "By site");
	assert_non_null(line);
	line = strchr(line, '\n') + 1;
	{
		char *end = strchr(line, '\n'), *next = strchr(end + 1, '\n');
		char *head = xstrndup(line, (size_t)(end - line));
		char *homes = xstrndup(end + 1, (size_t)(next - end - 1));

		assert_non_null(strstr(head, "   no site"));
		assert_non_null(strstr(head, "  Beijing"));
		assert_int_equal(text_width(head), text_width(homes));
		assert_int_equal(text_width(head), 22 + 3 * 11);
		free(head);
		free(homes);
	}
	free(text);
	free(csv);
	report_free(&r);
	assert_int_equal(report_build(s, "R1", "BEIJING", "en", &r, NULL), 0);
	assert_int_equal(r.households, 2);
	report_free(&r);
	assert_int_equal(report_build(s, "R1", "", "en", &r, NULL), 0);
	assert_int_equal(r.households, 1);	/* "": the record with no site */
	report_free(&r);
	test_store_free(s, dir);
	free(path);
}

#if defined(__SANITIZE_ADDRESS__)
/* The heap in use and its peak, by the sanitizer's hooks on every malloc
 * and free of the process while they are installed. */
static long long heap_now, heap_peak;	/* since the hooks were put in */

static void
count_malloc(const volatile void *p, size_t size)
{
	(void)p;
	heap_now += (long long)size;
	if (heap_now > heap_peak)
		heap_peak = heap_now;
}

static void
count_free(const volatile void *p)
{
	/* What was there before counts too: SQLite's page cache lets old
	 * pages go for new ones. */
	heap_now -= (long long)__sanitizer_get_allocated_size(p);
}
#endif

/* Adds copies of the database's first record (and its answers) until it
 * holds n, of n / 2 households in two rounds, as a big database would. */
static void
grow(const char *path, int n)
{
	sqlite3 *db;
	char *sql = xasprintf(
	    "BEGIN;"
	    "INSERT INTO records (instance_id, form_version_id, household, round,"
	    "  site, interviewer, status, started_at, updated_at, finalized_at)"
	    "  WITH RECURSIVE c(k) AS (SELECT (SELECT max(id) FROM records) + 1"
	    "  UNION ALL SELECT k + 1 FROM c WHERE k < %d)"
	    "  SELECT 'uuid:grown-' || k, r.form_version_id, printf('G%%06d', k / 2),"
	    "  CASE k %% 2 WHEN 0 THEN 'R1' ELSE 'R2' END, r.site, r.interviewer,"
	    "  r.status, r.started_at, r.updated_at, r.finalized_at"
	    "  FROM c, records r WHERE r.id = 1;"
	    "INSERT INTO answers (record_id, name, entry, value)"
	    "  SELECT r.id, a.name, a.entry, a.value FROM records r, answers a"
	    "  WHERE r.instance_id LIKE 'uuid:grown-%%' AND a.record_id = 1"
	    "  AND NOT EXISTS (SELECT 1 FROM answers b WHERE b.record_id = r.id);"
	    "COMMIT;", n);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
}

/* The peak heap of a report over the database (0 without the sanitizer's
 * hooks to count it). */
static size_t
report_peak(struct store *s, long *households)
{
	struct report r;

#if defined(__SANITIZE_ADDRESS__)
	heap_now = heap_peak = 0;
	__sanitizer_install_malloc_and_free_hooks(count_malloc, count_free);
#endif
	assert_int_equal(report_build(s, NULL, NULL, "en", &r, NULL), 0);
#if defined(__SANITIZE_ADDRESS__)
	__sanitizer_install_malloc_and_free_hooks(NULL, NULL);
#endif
	*households = r.households;
	report_free(&r);
	return (size_t)heap_peak;
}

/* A report over ten times the records takes no more memory: it reads
 * one household at a time (it loaded and sorted every record, about 600
 * bytes each, so that a million took 600 MB). */
static void
memory_does_not_grow_with_the_records(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/m.db", dir);
	struct store *s = store_open(path, NULL);
	struct answers a = { 1, 1, 1, true };
	size_t small, big;
	long homes;

	(void)state;
#if !defined(__SANITIZE_ADDRESS__)
	skip();
#endif
	interview(s, "G-0000", "R1", "beijing", &a, true);
	/* SQLite's page cache, which fills up to its size whatever the
	 * records, kept small (256 KB) so that it does not hide a growth. */
	assert_int_equal(sqlite3_exec(s->db, "PRAGMA cache_size = -256", NULL, NULL,
	    NULL), SQLITE_OK);
	grow(path, 2000);
	small = report_peak(s, &homes);
	assert_int_equal(homes, 1001);
	grow(path, 20000);
	big = report_peak(s, &homes);
	assert_int_equal(homes, 10001);

	print_message("peak heap: %zu B at 2,000 records, %zu B at 20,000\n", small,
	    big);
	assert_true(big < small + 512 * 1024);
	store_close(s);
	test_rmtree(dir);
	free(dir);
	free(path);
}

/* What a FILE written by the export saw: whether the store was still
 * reading the records when the first line came out. */
struct watch {
	struct store *s;
	sqlite3 *db;
	bool first_seen, reading_then;
	long lines;
};

static ssize_t
watch_write(void *cookie, const char *buf, size_t size)
{
	struct watch *w = cookie;
	sqlite3_stmt *st = NULL;

	if (!w->first_seen) {
		w->first_seen = true;
		while ((st = sqlite3_next_stmt(w->db, st)) != NULL)
			w->reading_then |= sqlite3_stmt_busy(st) != 0;
	}
	for (size_t i = 0; i < size; i++)
		w->lines += buf[i] == '\n';
	return (ssize_t)size;
}

/* The export writes each record's line as it reads the records: its
 * first line is out while the walk over the records is still under way
 * (it loaded every record first). */
static void
export_writes_while_it_reads(void **state)
{
	char *dir = test_tmpdir(), *path = xasprintf("%s/e.db", dir);
	struct store *s = store_open(path, NULL);
	struct answers a = { 1, 1, 1, true };
	struct watch w = { 0 };
	FILE *out;

	(void)state;
	interview(s, "G-0000", "R1", "beijing", &a, true);
	grow(path, 50);
	w.db = s->db;	/* the store's own connection (store-impl.h) */
	out = fopencookie(&w, "w", (cookie_io_functions_t){ .write = watch_write });
	assert_non_null(out);
	setvbuf(out, NULL, _IONBF, 0);
	assert_int_equal(export_jsonl(s, out, false, NULL), 50);
	fclose(out);
	assert_int_equal(w.lines, 50);
	assert_true(w.reading_then);
	store_close(s);
	test_rmtree(dir);
	free(dir);
	free(path);
}

/* A report to share: a count below 5 is hidden, and so is the one that
 * would give it away by subtraction from the total shown; the total, and
 * counts of 5 or more elsewhere, stay. */
static void
shared_report_hides_small_counts(void **state)
{
	struct report r = { 0 };
	char *text, *csv;

	(void)state;
	r.households = 20;
	r.nsites = 2;
	r.sites = xcalloc(2, sizeof *r.sites);
	r.sites[0] = xstrdup("a");
	r.sites[1] = xstrdup("b");
	r.site_households = xcalloc(2, sizeof *r.site_households);
	r.site_refused = xcalloc(2, sizeof *r.site_refused);
	r.site_households[0] = 8;
	r.site_households[1] = 12;
	r.nneeds = 2;
	r.needs = xcalloc(2, sizeof *r.needs);
	r.needs[0].id = xstrdup("livelihood");
	r.needs[0].label = xstrdup("Livelihood");
	r.needs[0].households = 13;
	r.needs[0].by_site = xcalloc(2, sizeof(long));
	r.needs[0].by_site[0] = 3;
	r.needs[0].by_site[1] = 10;
	r.needs[1].id = xstrdup("health");
	r.needs[1].label = xstrdup("Health");
	r.needs[1].households = 2;
	r.needs[1].by_site = xcalloc(2, sizeof(long));
	r.needs[1].by_site[0] = 2;
	r.needs[1].by_site[1] = 0;

	report_share(&r, 5);
	assert_int_equal(r.site_households[0], 8);
	assert_int_equal(r.needs[0].households, 13);
	assert_int_equal(r.needs[0].by_site[0], REPORT_HIDDEN);
	/* 13 - 10 = 3: the 10 goes too. */
	assert_int_equal(r.needs[0].by_site[1], REPORT_HIDDEN);
	/* 2 at one site, 0 at the other: the total would tell. */
	assert_int_equal(r.needs[1].by_site[0], REPORT_HIDDEN);
	assert_int_equal(r.needs[1].households, REPORT_HIDDEN);
	assert_int_equal(r.needs[1].by_site[1], 0);
	assert_int_equal(r.hidden, 4);

	text = report_text(&r);
	assert_null(strstr(text, "37.5%"));
	assert_null(strstr(text, "83.3%"));
	assert_non_null(strstr(text, "counts below 5 are hidden"));
	assert_non_null(strstr(text, "4 count(s) hidden"));
	csv = report_csv(&r);
	assert_non_null(strstr(csv, "need,a,livelihood,Livelihood,*,8,*"));
	assert_non_null(strstr(csv, "need,all,health,Health,*,20,*"));
	free(text);
	free(csv);
	report_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_round),
		cmocka_unit_test(every_round_and_the_change),
		cmocka_unit_test(one_site),
		cmocka_unit_test(formats),
		cmocka_unit_test(a_followup_form_never_hides_the_assessment),
		cmocka_unit_test(an_answer_that_no_longer_applies_flags_no_need),
		cmocka_unit_test(a_refusal_is_not_an_assessed_household),
		cmocka_unit_test(sites_are_one_column_whatever_the_case),
		cmocka_unit_test(empty_database),
		cmocka_unit_test(round_names_are_shown_not_obeyed),
		cmocka_unit_test(shared_report_hides_small_counts),
		cmocka_unit_test(memory_does_not_grow_with_the_records),
		cmocka_unit_test(export_writes_while_it_reads),
	};

	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
