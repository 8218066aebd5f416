/* Benchmarks of core/ that need no terminal, each against a baseline run
 * the same way: answer commits against a bare SQLite INSERT, answers in a
 * 500-entry repeat against a 5-entry one. Prints one line per figure:
 * NAME VALUE BASELINE (times in microseconds). Also makes finalized
 * records for the upload benchmark. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/household.h"
#include "../core/interview.h"
#include "../core/util.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
percentile(double *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(size_t)(p * (double)(n - 1))];
}

static struct form *
parse(const char *yaml)
{
	struct diags d;
	struct form *f;

	diags_init(&d, "bench");
	f = form_parse(yaml, strlen(yaml), &d);
	if (f == NULL) {
		diags_print(&d, stderr);
		exit(1);
	}
	diags_free(&d);
	return f;
}

static const char small_form[] =
    "form: bench\nversion: \"1\"\ntitle: Bench\nbody:\n"
    "  - {name: a, type: text, label: A}\n"
    "  - {name: n, type: integer, label: N, constraint: \". >= 0\"}\n"
    "  - {name: c, type: calculate, calculation: \"${n} * 2\"}\n";

/* 10,000 answers committed one by one into a database that already holds
 * 100,000 records, and the same number of bare INSERTs. */
static void
store_latency(const char *dir)
{
	char *path = xasprintf("%s/store.db", dir), *cause = NULL, *why = NULL;
	struct store *s;
	struct interview *iv;
	sqlite3 *db;
	sqlite3_stmt *st;
	double *lat = xcalloc(10000, sizeof *lat), *base = xcalloc(10000, sizeof *base);
	int i;

	unlink(path);
	s = store_open(path, &cause);
	if (s == NULL) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	iv = interview_begin(s, parse(small_form), "BJ-1", "R1", "b", "liu", &cause);
	/* Fill: 100,000 records with a few answers each, in one transaction. */
	sqlite3_open(path, &db);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO records (instance_id, form_version_id, "
	    "household, interviewer, status, started_at, updated_at) VALUES "
	    "(?, 1, 'BJ', 'liu', 'finalized', 'x', 'x')", -1, &st, NULL);
	for (i = 0; i < 100000; i++) {
		char id[48];

		snprintf(id, sizeof id, "uuid:fill-%d", i);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "INSERT INTO answers (record_id, name, entry, value) "
	    "SELECT id, 'a', 0, 'some text' FROM records WHERE id > 1; "
	    "CREATE TABLE plain (k INTEGER PRIMARY KEY, v TEXT); COMMIT;",
	    NULL, NULL, NULL);
	/* A whole answer, as the runner gives it: the answer taken, then the
	 * move to the next question (each with what it commits). */
	interview_go(iv, 0, NULL);
	for (i = 0; i < 10000; i++) {
		char v[32];
		double t0;

		snprintf(v, sizeof v, "%d", i);
		t0 = now_us();
		if (interview_answer_onward(iv, v, true, "en", &why, &cause) != 0 ||
		    interview_go(iv, (size_t)(i + 1) % 2, &cause) != 0) {
			fprintf(stderr, "answer: %s %s\n", why ? why : "", cause ? cause : "");
			exit(1);
		}
		lat[i] = now_us() - t0;
	}
	/* The baseline: a prepared INSERT, each in a transaction of its own,
	 * same file, same journal (WAL) and synchronous (FULL) settings. */
	sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO plain (v) VALUES (?)", -1, &st, NULL);
	for (i = 0; i < 10000; i++) {
		double t0 = now_us();

		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_bind_int(st, 1, i);
		sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		base[i] = now_us() - t0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	printf("store_commit_median_us %.1f %.1f\n", percentile(lat, 10000, 0.5),
	    percentile(base, 10000, 0.5));
	printf("store_commit_p99_us %.1f %.1f\n", percentile(lat, 10000, 0.99),
	    percentile(base, 10000, 0.99));
	interview_free(iv);
	store_close(s);
	free(lat);
	free(base);
	free(path);
}

/* The time to take one answer inside a repeat asked for `entries`
 * entries; *made: the entries the interview really has. */
static double
repeat_answer_us(const char *dir, int entries, long *made)
{
	char *path = xasprintf("%s/repeat-%d.db", dir, entries), *cause = NULL;
	char *why = NULL, *yaml, count[16];
	struct store *s;
	struct interview *iv;
	double *lat = xcalloc(200, sizeof *lat), med;
	size_t i, k = 0;

	unlink(path);
	s = store_open(path, &cause);
	yaml = xasprintf("form: rep\nversion: \"1\"\ntitle: R\nbody:\n"
	    "  - {name: size, type: integer, label: S}\n"
	    "  - repeat: m\n    label: M\n    count: \"${size}\"\n    body:\n"
	    "      - {name: age, type: integer, label: Age}\n"
	    "      - {name: kid, type: calculate, calculation: \"if(${age} < 18, 1, 0)\"}\n"
	    "  - {name: kids, type: calculate, calculation: \"sum(${kid})\"}\n");
	iv = interview_begin(s, parse(yaml), NULL, NULL, NULL, "liu", &cause);
	free(yaml);
	snprintf(count, sizeof count, "%d", entries);
	interview_answer(iv, count, true, "en", &why, &cause);
	for (i = 1; i < iv->nsteps && k < 200; i++) {
		double t0;

		interview_go(iv, i, NULL);
		t0 = now_us();
		interview_answer(iv, "30", true, "en", &why, &cause);
		lat[k++] = now_us() - t0;
	}
	*made = 0;
	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].kind == STEP_QUESTION && iv->steps[i].entry > *made)
			*made = iv->steps[i].entry;
	med = percentile(lat, k, 0.5);
	interview_free(iv);
	store_close(s);
	free(lat);
	free(path);
	return med;
}

/* n finalized records of the bundled form for the upload benchmark. */
static void
make_records_in(struct store *s, const char *form_path, const char *household,
    const char *round, int n)
{
	struct diags d;
	char *cause = NULL, *why = NULL;
	int i;

	for (i = 0; i < n; i++) {
		struct form *f;
		struct interview *iv;
		size_t first, nbad, k;
		static const char *const answers[] = { NULL, "yes" };

		diags_init(&d, form_path);
		f = form_load(form_path, &d);
		diags_free(&d);
		iv = interview_begin(s, f, household, round, "beijing", "liu", &cause);
		for (k = 0; k < 2; k++) {
			interview_go(iv, k, NULL);
			interview_answer(iv, answers[k] ? answers[k] : "", false, "en", &why,
			    &cause);
		}
		/* Consent given, then the interview is left short: finalize needs
		 * the required answers, so give them. */
		while (interview_finalize(iv, &first, &nbad, &cause) == 1) {
			const struct question *q = iv->form->questions[iv->steps[first].q];
			const char *v = q->type == QT_INTEGER ? "1" : q->type == QT_DATE ?
			    "2020-02-26" : q->choices ? q->choices->v[0].value : "刘丽";

			if (q->type == QT_INTEGER && strcmp(q->name, "size") == 0)
				v = "2";
			if (q->type == QT_INTEGER && strcmp(q->name, "children") == 0)
				v = "0";
			if (strcmp(q->name, "respondent_phone") == 0)
				v = "13812345678";	/* its constraint: a mobile */
			interview_go(iv, first, NULL);
			if (interview_answer(iv, v, true, "en", &why, &cause) != 0) {
				fprintf(stderr, "%s: %s\n", q->name, why ? why : cause);
				exit(1);
			}
		}
		interview_free(iv);
	}
}

/* One interview of a form as the runner gives it: each question shown
 * (interview_go), answered, and so on to the end, then finalized. Prints
 * the questions answered and the steps shown (notes among them); run
 * under strace to count its fsyncs. */
static int
one_interview(const char *db, const char *form_path)
{
	struct diags d;
	struct form *f;
	struct store *s;
	struct interview *iv;
	char *cause = NULL, *why = NULL;
	size_t i, first, nbad;
	long answered = 0, shown = 0;

	if ((s = store_open(db, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	diags_init(&d, form_path);
	f = form_load(form_path, &d);
	diags_free(&d);
	iv = interview_begin(s, f, "BJ-0042", "2020-R1", "beijing", "liu", &cause);
	for (i = 0; iv != NULL && i < iv->nsteps; i++) {
		const struct step *st;
		const struct question *q;
		const char *v;

		interview_go(iv, i, NULL);
		shown++;
		st = interview_step(iv);
		if (st->kind != STEP_QUESTION)
			continue;
		q = iv->form->questions[st->q];
		if (!question_has_value(q))
			continue;
		v = q->type == QT_INTEGER ? (strcmp(q->name, "children") == 0 ? "0" :
		    "2") : q->type == QT_DATE ? "2020-02-26" : q->choices ?
		    q->choices->v[0].value : "刘丽";
		if (i == 1)
			v = "yes";	/* consent */
		if (interview_answer_onward(iv, v, false, "en", &why, &cause) == 0)
			answered++;
		free(why);
		why = NULL;
	}
	if (iv == NULL || interview_finalize(iv, &first, &nbad, &cause) != 0) {
		fprintf(stderr, "not finalized: %s\n", cause ? cause : "required answers");
		return 1;
	}
	printf("%ld %ld\n", answered, shown);
	interview_free(iv);
	store_close(s);
	return 0;
}

/* The typed text of a free-text question in the finalize benchmark: a
 * sealed database must not hold it anywhere once finalized. */
#define SEAL_TYPED "typed-by-liu-7f3a"

/* Answers every question of iv as the runner would (as one_interview
 * does), free text with SEAL_TYPED (the register's name and phone with
 * their own: the register keeps those in plain by design). */
static void
answer_all(struct interview *iv)
{
	char *cause = NULL, *why = NULL;
	size_t i;

	for (i = 0; i < iv->nsteps; i++) {
		const struct step *st;
		const struct question *q;
		const char *v;

		interview_go(iv, i, NULL);
		st = interview_step(iv);
		if (st->kind != STEP_QUESTION)
			continue;
		q = iv->form->questions[st->q];
		if (!question_has_value(q))
			continue;
		v = q->type == QT_INTEGER ? (strcmp(q->name, "children") == 0 ? "0" :
		    "2") : q->type == QT_DATE ? "2020-02-26" : q->choices ?
		    q->choices->v[0].value : q->from_household == HF_HEAD ? "刘丽" :
		    q->from_household == HF_PHONE ? "13800000000" : SEAL_TYPED;
		if (i == 1)
			v = "yes";	/* consent */
		interview_answer_onward(iv, v, false, "en", &why, &cause);
		free(why);
		why = NULL;
		free(cause);
		cause = NULL;
	}
}

/* Whether a file holds text (a database file, its log). */
static int
file_holds(const char *path, const char *text)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, got;
	char chunk[65536];
	int yes;

	if (f == NULL)
		return 0;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		data = xrealloc(data, n + got);
		memcpy(data + n, chunk, got);
		n += got;
	}
	fclose(f);
	yes = data != NULL && memmem(data, n, text, strlen(text)) != NULL;
	free(data);
	return yes;
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Checks what a finalize benchmark left: every timed record finalized;
 * sealed, no answer left, an encrypted instance kept, and the typed text
 * in none of the database's files; plain, the answers there. Returns
 * NULL or what is wrong (static). */
static const char *
finalized_as_said(const char *path, int n, int sealed)
{
	static char why[256];
	char *wal = xasprintf("%s-wal", path);
	sqlite3 *db;
	sqlite3_stmt *st;
	int fin = 0, answers = 0, encs = 0, held;

	/* Read before anything opens the database again. */
	held = file_holds(path, SEAL_TYPED) || file_holds(wal, SEAL_TYPED);
	free(wal);
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM records WHERE "
	    "status = 'finalized' AND household LIKE 'T-%'), (SELECT count(*) FROM "
	    "answers a JOIN records r ON r.id = a.record_id WHERE r.household LIKE "
	    "'T-%'), (SELECT count(*) FROM sealed z JOIN records r ON r.id = "
	    "z.record_id WHERE r.household LIKE 'T-%' AND length(z.enc) > 0)",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return why;
	}
	fin = sqlite3_column_int(st, 0);
	answers = sqlite3_column_int(st, 1);
	encs = sqlite3_column_int(st, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (fin != n)
		snprintf(why, sizeof why, "%d_of_%d_finalized", fin, n);
	else if (sealed && (answers != 0 || encs != n || held))
		snprintf(why, sizeof why, "sealed:_%d_answers_left,_%d_enc,_typed_text_%s",
		    answers, encs, held ? "in_the_files" : "gone");
	else if (!sealed && (answers == 0 || encs != 0 || !held))
		snprintf(why, sizeof why, "plain:_%d_answers,_%d_enc", answers, encs);
	else
		return NULL;
	return why;
}

/* Finalize with and without sealing: n interviews of each form (the same
 * form, one with a public_key:), every question answered the same way,
 * in a database each, plain and sealed taking turns. Timed, wall clock
 * and CPU: interview_finalize (what the interviewer waits for), then
 * store_scrub (what the program does before it reads the next key: for
 * a sealed record, the log emptied; for a plain one, nothing). Prints the
 * medians in ms, sealed then plain, and the check of what was left. */
static int
seal_bench(const char *dir, const char *plain_form, const char *sealed_form,
    int n)
{
	const char *forms[2] = { plain_form, sealed_form };
	struct store *s[2];
	double *wall[2], *cpu[2], *scrub[2], *scrub_cpu[2], *total[2], *total_cpu[2];
	char *path[2], *cause = NULL;
	const char *bad[2];
	int k, j;

	for (j = 0; j < 2; j++) {
		path[j] = xasprintf("%s/finalize-%s.db", dir, j ? "sealed" : "plain");
		unlink(path[j]);
		if ((s[j] = store_open(path[j], &cause)) == NULL) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		wall[j] = xcalloc((size_t)n, sizeof *wall[j]);
		cpu[j] = xcalloc((size_t)n, sizeof *cpu[j]);
		scrub[j] = xcalloc((size_t)n, sizeof *scrub[j]);
		scrub_cpu[j] = xcalloc((size_t)n, sizeof *scrub_cpu[j]);
		total[j] = xcalloc((size_t)n, sizeof *total[j]);
		total_cpu[j] = xcalloc((size_t)n, sizeof *total_cpu[j]);
	}
	for (k = -1; k < n; k++) {	/* the first one of each is not timed */
		for (j = 0; j < 2; j++) {
			int which = (k & 1) ? 1 - j : j;	/* take turns first */
			struct diags d;
			struct form *f;
			struct interview *iv;
			size_t first, nbad;
			char code[32];
			double w0, c0, w1, c1;

			diags_init(&d, forms[which]);
			f = form_load(forms[which], &d);
			if (f == NULL) {
				diags_print(&d, stderr);
				return 1;
			}
			diags_free(&d);
			snprintf(code, sizeof code, k < 0 ? "W-%d" : "T-%05d", k);
			iv = interview_begin(s[which], f, code, "2020-R1", "beijing",
			    "liu", &cause);
			if (iv == NULL) {
				fprintf(stderr, "%s\n", cause);
				return 1;
			}
			answer_all(iv);
			w0 = now_us();
			c0 = cpu_us();
			if (interview_finalize(iv, &first, &nbad, &cause) != 0) {
				fprintf(stderr, "not finalized: %s\n", cause ? cause :
				    iv->form->questions[iv->steps[first].q]->name);
				return 1;
			}
			w1 = now_us();
			c1 = cpu_us();
			/* What the program does next, before it reads a key. */
			if (store_scrub(s[which], &cause) != 0) {
				fprintf(stderr, "%s\n", cause);
				return 1;
			}
			if (k >= 0) {
				wall[which][k] = w1 - w0;
				cpu[which][k] = c1 - c0;
				scrub[which][k] = now_us() - w1;
				scrub_cpu[which][k] = cpu_us() - c1;
				total[which][k] = wall[which][k] + scrub[which][k];
				total_cpu[which][k] = cpu[which][k] + scrub_cpu[which][k];
			}
			interview_free(iv);
		}
	}
	/* Checked with both still open, as the program would be. */
	for (j = 0; j < 2; j++)
		bad[j] = finalized_as_said(path[j], n, j);
#define MEDIANS(name, v) printf("%s %.2f %.2f\n", name, \
    percentile(v[1], (size_t)n, 0.5) / 1000, \
    percentile(v[0], (size_t)n, 0.5) / 1000)
	MEDIANS("seal_finalize_wall_ms", wall);
	MEDIANS("seal_finalize_cpu_ms", cpu);
	MEDIANS("seal_scrub_wall_ms", scrub);
	MEDIANS("seal_scrub_cpu_ms", scrub_cpu);
	MEDIANS("seal_total_wall_ms", total);
	MEDIANS("seal_total_cpu_ms", total_cpu);
#undef MEDIANS
	printf("seal_check %s %s\n", bad[1] ? bad[1] : "ok", bad[0] ? bad[0] : "ok");
	for (j = 0; j < 2; j++) {
		store_close(s[j]);
		free(path[j]);
		free(wall[j]);
		free(cpu[j]);
		free(scrub[j]);
		free(scrub_cpu[j]);
		free(total[j]);
		free(total_cpu[j]);
	}
	return 0;
}

static void
make_records(const char *db, const char *form_path, int n)
{
	char *cause = NULL;
	struct store *s = store_open(db, &cause);

	if (s == NULL) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	make_records_in(s, form_path, "BJ-0042", "2020-R2", n);
	store_close(s);
}

/* The columns doorstep's household list reads (core/household.c). */
#define BENCH_HOUSEHOLD_COLUMNS \
	"h.id, h.code, h.site, h.head, h.phone, h.address, h.notes, h.status, " \
	"h.closed_reason, h.closed_at, h.next_visit, h.created_at, h.updated_at, " \
	"(SELECT count(*) FROM records r WHERE r.household = h.code COLLATE NOCASE), " \
	"(SELECT substr(max(r.started_at), 1, 10) FROM records r WHERE " \
	"r.household = h.code COLLATE NOCASE)"

/* Reads every row of st (each column, as a program showing them would),
 * then resets it; *same says whether its households were ids (n), in
 * that order. Returns the rows read. */
static size_t
bench_rows(sqlite3_stmt *st, const int64_t *ids, size_t n, int *same)
{
	size_t rows = 0;
	int c;

	*same = 1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (c = 1; c < sqlite3_column_count(st); c++)
			(void)sqlite3_column_text(st, c);
		if (rows >= n || sqlite3_column_int64(st, 0) != ids[rows])
			*same = 0;
		rows++;
	}
	sqlite3_reset(st);
	if (rows != n)
		*same = 0;
	return rows;
}

/* A register of n households (one in ten with an interview): the median
 * time of a search by part of a phone number, by doorstep, by a bare SQL
 * LIKE over the same columns and by the bare query of the same index,
 * both returning the same list; and of starting a second-round
 * interview that carries answers over, against a first-round one. */
static void
households_bench(const char *dir, const char *form_path, int n)
{
	static const char *const family[] = { "张", "王", "李", "刘", "陈", "杨" };
	static const char *const given[] = { "伟", "芳", "娜", "敏", "静", "强" };
	char *path = xasprintf("%s/households.db", dir), *cause = NULL;
	struct household h = { 0 }, *v;
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	double mine[21], base[21], fts[21], carry[21], fresh[21];
	sqlite3_stmt *by_index;
	size_t found_mine = 0, found_index = 0;
	size_t nv;
	int i, k, same, same_like = 0, same_index = 0;

	unlink(path);
	s = store_open(path, &cause);
	store_begin(s, NULL);
	for (i = 0; i < n; i++) {
		char code[32], head[64], phone[32];
		int64_t rec;

		snprintf(code, sizeof code, "BJ-%05d", i + 1);
		snprintf(head, sizeof head, "%s%s%d", family[i % 6], given[i / 6 % 6], i);
		snprintf(phone, sizeof phone, "138 %04d %04d", i / 10000, i % 10000);
		h.code = xstrdup(code);
		h.head = xstrdup(head);
		h.phone = xstrdup(phone);
		h.address = xstrdup("朝阳区东坝乡");
		if (household_add(s, &h, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			exit(1);
		}
		household_clear(&h);
		if (i % 10 == 0)
			store_record_create(s, 1, code, "2020-R1", "beijing", "liu", &rec,
			    NULL, NULL);
	}
	store_commit(s, NULL);
	sqlite3_open(path, &db);
	/* Both baselines return what doorstep's search returns: the same
	 * households (code, head, phone, address, notes or site holding the
	 * term, or the phone's digits), with the same columns (each
	 * household's interviews and its last visit among them), in the
	 * list's order; each list is compared with doorstep's. The first by
	 * reading every household (LIKE), the second by the same index. */
	sqlite3_prepare_v2(db, "SELECT " BENCH_HOUSEHOLD_COLUMNS " FROM "
	    "households h WHERE h.code LIKE ?1 OR h.head LIKE ?1 OR h.phone LIKE "
	    "?1 OR h.address LIKE ?1 OR h.notes LIKE ?1 OR h.site LIKE ?1 OR "
	    "h.phone_digits LIKE ?1 ORDER BY h.status = 'closed', h.code", -1, &st,
	    NULL);
	sqlite3_prepare_v2(db, "SELECT " BENCH_HOUSEHOLD_COLUMNS " FROM "
	    "households h WHERE h.id IN (SELECT rowid FROM households_text WHERE "
	    "households_text MATCH ?1) ORDER BY h.status = 'closed', h.code", -1,
	    &by_index, NULL);
	for (k = 0; k < 21; k++) {
		char term[16];
		int64_t *ids;
		double t0;

		snprintf(term, sizeof term, "%04d", (k * 37) % 10000);
		t0 = now_us();
		household_search(s, term, &v, &nv, NULL);
		mine[k] = now_us() - t0;
		ids = xcalloc(nv + 1, sizeof *ids);
		for (i = 0; i < (int)nv; i++)
			ids[i] = v[i].id;
		households_free(v, nv);
		found_mine += nv;
		snprintf(term, sizeof term, "%%%04d%%", (k * 37) % 10000);
		sqlite3_bind_text(st, 1, term, -1, SQLITE_TRANSIENT);
		t0 = now_us();
		(void)bench_rows(st, ids, nv, &same);
		base[k] = now_us() - t0;
		same_like += same;
		snprintf(term, sizeof term, "\"%04d\"", (k * 37) % 10000);
		sqlite3_bind_text(by_index, 1, term, -1, SQLITE_TRANSIENT);
		t0 = now_us();
		found_index += bench_rows(by_index, ids, nv, &same);
		fts[k] = now_us() - t0;
		same_index += same;
		free(ids);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(by_index);
	sqlite3_close(db);
	printf("household_search_ms %.2f %.2f\n", percentile(mine, 21, 0.5) / 1000,
	    percentile(base, 21, 0.5) / 1000);
	printf("household_search_fts_ms %.2f %.2f\n", percentile(mine, 21, 0.5) /
	    1000, percentile(fts, 21, 0.5) / 1000);
	printf("household_search_found %zu %zu\n", found_mine, found_index);
	/* Of the 21 searches, those whose list each baseline returned the
	 * same as doorstep's (the same households in the same order). */
	printf("household_search_same %d %d\n", same_like, same_index);
	/* Second-round interviews carry answers over; first-round ones do not. */
	make_records_in(s, form_path, "BJ-00001", "2020-R1", 1);
	for (k = 0; k < 21; k++) {
		struct diags d;
		struct form *f;
		struct interview *iv;
		double t0;

		diags_init(&d, form_path);
		f = form_load(form_path, &d);
		diags_free(&d);
		t0 = now_us();
		iv = interview_begin(s, f, "BJ-00001", "2020-R2", "beijing", "liu", &cause);
		carry[k] = now_us() - t0;
		interview_free(iv);
		diags_init(&d, form_path);
		f = form_load(form_path, &d);
		diags_free(&d);
		t0 = now_us();
		iv = interview_begin(s, f, "BJ-00002", "2020-R1", "beijing", "liu", &cause);
		fresh[k] = now_us() - t0;
		interview_free(iv);
	}
	printf("carry_over_ms %.2f %.2f\n", percentile(carry, 21, 0.5) / 1000,
	    percentile(fresh, 21, 0.5) / 1000);
	store_close(s);
	free(path);
}

/* A generated form of n questions (as bench/run.py's gen_form writes
 * them): a gate that most questions' relevance reads, and chains of an
 * integer, a calculation doubling it and a text asked when the
 * calculation is over 3. */
static char *
gen_form_yaml(int n)
{
	struct buf b = { 0 };
	int i;

	buf_printf(&b, "form: gen%d\nversion: \"1\"\ntitle: Generated\nbody:\n"
	    "  - {name: gate, type: integer, label: Gate}\n", n);
	for (i = 0; i < n - 1; i++) {
		if (i % 3 == 0)
			buf_printf(&b, "  - {name: q%d, type: integer, label: \"Question "
			    "%d\", constraint: \". < 100\", relevant: \"${gate} > %d\"}\n",
			    i, i, i % 7);
		else if (i % 3 == 1)
			buf_printf(&b, "  - {name: q%d, type: calculate, calculation: "
			    "\"coalesce(${q%d}, 0) * 2\"}\n", i, i - 1);
		else
			buf_printf(&b, "  - {name: q%d, type: text, label: \"Question %d\", "
			    "relevant: \"${q%d} > 3\"}\n", i, i, i - 1);
	}
	return buf_steal(&b);
}

static long rss_kb(void);

/* The whole answer as the runner gives it (the answer, then the next
 * question shown) on a generated form of n questions: the gate answered
 * first (every question then applies), then `answers` questions in
 * order. Prints the median time of an answer after the gate, the
 * answers given, and the memory the interview holds. */
static void
form_answer(const char *dir, int n, int answers)
{
	char *path = xasprintf("%s/form-%d.db", dir, n), *cause = NULL, *why = NULL;
	char *yaml = gen_form_yaml(n);
	struct store *s;
	struct interview *iv;
	double *lat = xcalloc((size_t)answers, sizeof *lat), t0;
	long before = rss_kb();
	int k = 0;

	unlink(path);
	if ((s = store_open(path, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	iv = interview_begin(s, parse(yaml), NULL, NULL, NULL, "liu", &cause);
	free(yaml);
	if (iv == NULL || interview_go(iv, 0, &cause) != 0 ||
	    interview_answer_onward(iv, "10", true, "en", &why, &cause) != 0 ||
	    interview_go(iv, 1, &cause) != 0) {
		fprintf(stderr, "gate: %s %s\n", why ? why : "", cause ? cause : "");
		exit(1);
	}
	while (k < answers && iv->current + 1 < iv->nsteps) {
		const struct question *q = iv->form->questions[interview_step(iv)->q];
		size_t next = iv->current + 1;

		t0 = now_us();
		if (interview_answer_onward(iv, q->type == QT_INTEGER ? "5" : "x", true,
		    "en", &why, &cause) != 0 || interview_go(iv, next, &cause) != 0) {
			fprintf(stderr, "answer: %s %s\n", why ? why : "", cause ? cause : "");
			exit(1);
		}
		lat[k++] = now_us() - t0;
	}
	printf("form_answer_us_%d %.1f %d\n", n, percentile(lat, (size_t)k, 0.5), k);
	printf("form_answer_rss_kb_%d %ld %ld\n", n, rss_kb() - before, iv->nsteps);
	interview_free(iv);
	store_close(s);
	unlink(path);
	free(lat);
	free(path);
}

/* Resident memory in KB, now. */
static long
rss_kb(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

/* Resident memory (KB) before and after loading a form (still held). */
static int
check_memory(const char *path)
{
	struct diags d;
	struct form *f;
	long before = rss_kb();

	diags_init(&d, path);
	f = form_load(path, &d);
	printf("%ld %ld\n", before, rss_kb());
	form_free(f);
	diags_free(&d);
	return f == NULL;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return check_memory(argv[2]);
	if (argc == 5 && strcmp(argv[1], "households") == 0) {
		households_bench(argv[2], argv[3], atoi(argv[4]));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "form") == 0) {
		form_answer(argv[2], atoi(argv[3]), 200);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "interview") == 0)
		return one_interview(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "seal") == 0)
		return seal_bench(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc == 5 && strcmp(argv[1], "records") == 0) {
		make_records(argv[2], argv[3], atoi(argv[4]));
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: bench_core DIR | records DB FORM N | form DIR N | "
		    "households DIR FORM N | seal DIR FORM SEALED_FORM N\n");
		return 2;
	}
	store_latency(argv[1]);
	{
		long nbig, nsmall;
		double big = repeat_answer_us(argv[1], 500, &nbig);
		double small = repeat_answer_us(argv[1], 5, &nsmall);

		printf("repeat_answer_us %.1f %.1f\n", big, small);
		printf("repeat_entries %ld %ld\n", nbig, nsmall);
	}
	return 0;
}
