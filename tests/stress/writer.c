/* A writer for the stress runs in tests/stress: it runs interviews on
 * a form as the interview program does (store_open, interview_begin, then
 * interview_go and interview_answer for each question, interview_finalize)
 * and prints one line to stdout after each commit returns, flushed before
 * it goes on:
 *
 *	answer INSTANCE_ID NAME VALUE	(an answer the database has kept)
 *	final INSTANCE_ID		(the interview is finalized)
 *
 * so that whoever reads the lines knows exactly what was acknowledged.
 * With WRITER_TIMES=FILE in the environment it also appends to FILE the
 * microseconds each answer took to commit, moving to its question
 * included (one line each; for make bench).
 * Usage: writer DB FORM.yaml WHO INTERVIEWS
 * Exit 0 when every interview is finalized; 1 with a message on stderr
 * when a commit failed (a locked database among them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/diag.h"
#include "../../core/form.h"
#include "../../core/interview.h"
#include "../../core/store.h"
#include "../../core/util.h"

static FILE *times;	/* WRITER_TIMES, or NULL */

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The answer a writer gives: unique to who, interview k and question q. */
static char *
answer_for(const struct question *q, long who, long k, size_t i)
{
	if (q->type == QT_INTEGER)
		return xasprintf("%ld", who * 100000 + k * 100 + (long)i);
	return xasprintf("w%ld-i%ld-%s", who, k, q->name);
}

static int
interview(struct store *s, const struct form *f, long who, long k)
{
	struct interview *iv;
	struct diags d;
	struct form *copy;
	char *cause = NULL, *why = NULL, interviewer[32];
	size_t i, first, nbad;

	diags_init(&d, "form");
	copy = form_parse(f->source, f->source_len, &d);
	diags_free(&d);
	snprintf(interviewer, sizeof interviewer, "writer%ld", who);
	if (copy == NULL || (iv = interview_begin(s, copy, NULL, "2020-R1",
	    "stress", interviewer, &cause)) == NULL) {
		fprintf(stderr, "writer %ld: cannot begin: %s\n", who,
		    cause ? cause : "the form");
		free(cause);
		return -1;
	}
	for (i = 0; i < iv->nsteps; i++) {
		const struct step *st;
		const struct question *q;
		char *value;
		double t0 = now_us();
		int rc;

		if (interview_go(iv, i, &cause) != 0)
			goto fail;
		st = interview_step(iv);
		if (st->kind != STEP_QUESTION)
			continue;
		q = iv->form->questions[st->q];
		if (!question_has_value(q))
			continue;
		value = answer_for(q, who, k, i);
		rc = interview_answer_onward(iv, value, true, "en", &why, &cause);
		if (rc == 0 && times != NULL)
			fprintf(times, "%.0f\n", now_us() - t0);
		if (rc == 0)
			printf("answer %s %s %s\n", iv->instance_id, q->name, value);
		free(value);
		if (rc == 1) {
			fprintf(stderr, "writer %ld: answer refused: %s\n", who, why);
			free(why);
			interview_free(iv);
			return -1;
		}
		if (rc != 0)
			goto fail;
		fflush(stdout);
	}
	if (interview_finalize(iv, &first, &nbad, &cause) != 0) {
		if (cause == NULL)
			cause = xasprintf("%zu question(s) need an answer", nbad);
		goto fail;
	}
	printf("final %s\n", iv->instance_id);
	fflush(stdout);
	interview_free(iv);
	return 0;
fail:
	fprintf(stderr, "writer %ld: %s\n", who, cause);
	free(cause);
	interview_free(iv);
	return -1;
}

int
main(int argc, char **argv)
{
	struct store *s;
	struct form *f;
	struct diags d;
	char *cause = NULL;
	long who, n, k;
	int status = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: writer DB FORM.yaml WHO INTERVIEWS\n");
		return 2;
	}
	if (getenv("WRITER_TIMES") != NULL &&
	    (times = fopen(getenv("WRITER_TIMES"), "a")) == NULL) {
		perror(getenv("WRITER_TIMES"));
		return 2;
	}
	who = strtol(argv[3], NULL, 10);
	n = strtol(argv[4], NULL, 10);
	diags_init(&d, argv[2]);
	f = form_load(argv[2], &d);
	if (f == NULL) {
		diags_print(&d, stderr);
		diags_free(&d);
		return 2;
	}
	diags_free(&d);
	if ((s = store_open(argv[1], &cause)) == NULL) {
		fprintf(stderr, "writer %ld: %s\n", who, cause);
		free(cause);
		form_free(f);
		return 1;
	}
	for (k = 1; k <= n && status == 0; k++)
		if (interview(s, f, who, k) != 0)
			status = 1;
	store_close(s);
	form_free(f);
	if (times != NULL)
		fclose(times);
	return status;
}
