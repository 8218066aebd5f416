#include "interview.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "entity.h"
#include "household.h"
#include "formcache.h"
#include "i18n.h"
#include "text.h"
#include "trail.h"
#include "seal.h"
#include "util.h"
#include "xml.h"

struct answer_slot {
	bool used;
	bool seen;		/* a row is stored (its value may be NULL) */
	size_t q;		/* question index, or nquestions + group index
				 * for the entry count of a repeat */
	long entry;
	char *value;
	char *carried;		/* the round it was carried over from, until
				 * the interviewer confirms or changes it */
};

/* Answers by (question, entry), in an open-addressing table. */

static size_t
slot_hash(size_t q, long entry)
{
	uint64_t h = (uint64_t)q * 0x9E3779B97F4A7C15u ^ (uint64_t)entry *
	    0xC2B2AE3D27D4EB4Fu;

	return (size_t)(h ^ (h >> 29));
}

static struct answer_slot *
slot_find(const struct interview *iv, size_t q, long entry)
{
	size_t mask = iv->nslots - 1, i = slot_hash(q, entry) & mask;

	while (iv->slots[i].used) {
		if (iv->slots[i].q == q && iv->slots[i].entry == entry)
			return &iv->slots[i];
		i = (i + 1) & mask;
	}
	return NULL;
}

static struct answer_slot *slot_put(struct interview *iv, size_t q, long entry);

static void
slots_grow(struct interview *iv)
{
	struct answer_slot *old = iv->slots;
	size_t n = iv->nslots, i;

	iv->nslots = n ? n * 2 : 64;
	iv->slots = xcalloc(iv->nslots, sizeof *iv->slots);
	iv->used = 0;
	for (i = 0; i < n; i++)
		if (old[i].used) {
			struct answer_slot *s = slot_put(iv, old[i].q, old[i].entry);

			s->value = old[i].value;
			s->seen = old[i].seen;
			s->carried = old[i].carried;
		}
	free(old);
}

static struct answer_slot *
slot_put(struct interview *iv, size_t q, long entry)
{
	struct answer_slot *s;
	size_t mask, i;

	if ((iv->used + 1) * 2 > iv->nslots)
		slots_grow(iv);
	if ((s = slot_find(iv, q, entry)) != NULL)
		return s;
	mask = iv->nslots - 1;
	i = slot_hash(q, entry) & mask;
	while (iv->slots[i].used)
		i = (i + 1) & mask;
	s = &iv->slots[i];
	s->used = true;
	s->q = q;
	s->entry = entry;
	s->value = NULL;
	s->carried = NULL;
	s->seen = false;
	iv->used++;
	return s;
}

static void
set_value(struct interview *iv, size_t q, long entry, const char *value)
{
	struct answer_slot *s = slot_put(iv, q, entry);

	free(s->value);
	s->value = value ? xstrdup(value) : NULL;
	s->seen = true;
	free(s->carried);
	s->carried = NULL;
}

const char *
interview_carried(const struct interview *iv, size_t q, long entry)
{
	const struct answer_slot *s = slot_find(iv, q, entry);

	return s ? s->carried : NULL;
}

const char *
interview_value(const struct interview *iv, size_t q, long entry)
{
	const struct answer_slot *s = slot_find(iv, q, entry);

	return s ? s->value : NULL;
}

bool
interview_seen(const struct interview *iv, size_t q, long entry)
{
	const struct answer_slot *s = slot_find(iv, q, entry);

	return s != NULL && s->seen;
}

/* The expression environment over this interview's answers. */

static const char *
env_answer(void *ctx, long q, long entry)
{
	return interview_value(ctx, (size_t)q, entry);
}

static enum value_kind
env_kind(void *ctx, long q)
{
	const struct interview *iv = ctx;

	switch (iv->form->questions[q]->type) {
	case QT_INTEGER:
	case QT_DECIMAL:
		return VAL_NUM;
	case QT_DATE:
		return VAL_DATE;
	default:
		return VAL_STR;
	}
}

static long
env_repeat_of(void *ctx, long q)
{
	const struct interview *iv = ctx;
	const struct group *g = iv->form->questions[q]->repeat;

	return g ? (long)g->index : -1;
}

static long
env_entries(void *ctx, long g)
{
	const struct interview *iv = ctx;

	return interview_entries(iv, iv->form->groups[g]);
}

struct value
interview_eval(const struct interview *iv, const struct expr *e, long entry,
    const char *dot)
{
	struct expr_env env;

	env.answer = env_answer;
	env.kind = env_kind;
	env.repeat_of = env_repeat_of;
	env.entries = env_entries;
	env.ctx = (void *)(uintptr_t)iv;
	env.entry = entry;
	env.dot = dot;
	env.today = iv->today;
	return expr_eval(e, &env);
}

static bool
truthy(const struct interview *iv, const struct expr *e, long entry,
    const char *dot)
{
	struct value v = interview_eval(iv, e, entry, dot);
	bool b = value_truthy(&v);

	value_free(&v);
	return b;
}

long
interview_entries(const struct interview *iv, const struct group *g)
{
	struct value v;
	double n;

	if (!g->repeat)
		return 0;
	if (g->count == NULL)
		return iv->entries[g->index];
	v = interview_eval(iv, g->count, 0, NULL);
	n = value_number(&v);
	value_free(&v);
	if (isnan(n) || n < 1)
		return 0;
	return n > FORM_MAX_ENTRIES ? FORM_MAX_ENTRIES : (long)n;
}

bool
interview_group_relevant(const struct interview *iv, const struct group *g,
    long entry)
{
	for (; g != NULL; g = g->parent)
		if (g->relevant != NULL && !truthy(iv, g->relevant,
		    g->repeat ? 0 : entry, NULL))
			return false;
	return true;
}

/* Whether question q applies in entry, evaluated now. */
static bool
rel_eval(const struct interview *iv, size_t q, long entry)
{
	const struct question *qq = iv->form->questions[q];

	if (qq->relevant != NULL && !truthy(iv, qq->relevant, entry, NULL))
		return false;
	return interview_group_relevant(iv, qq->group, entry);
}

/* What the form logic keeps between answers. Each question's relevance,
 * once evaluated, is kept until something it reads changes; an answer
 * (or a calculation's new value) forgets the relevance of the questions
 * that read it and queues the calculations that read it, which are done
 * again in calc_rank order; the steps of questions outside repeats whose
 * relevance may have changed are placed again one by one. */
#define REL_KNOWN 1
#define REL_YES 2
#define MOVED_MAX 32	/* more moved than this: lay everything out again */

struct recalc {
	unsigned char *rel;	/* per (question, entry): REL_KNOWN | REL_YES */
	size_t *rel_at;		/* per question: where its entries start in rel */
	size_t nrel;
	size_t *heap;		/* calculations to do again, least rank first */
	size_t nheap;
	unsigned char *queued;	/* per question: in heap */
	unsigned *round;	/* per question: the round it was last done in */
	unsigned char *visits;	/* per question: times done in that round */
	unsigned now;		/* this round */
	size_t *moved;		/* shown questions outside repeats whose
				 * relevance was forgotten since the layout */
	size_t nmoved;
	unsigned char *listed;	/* per question: in moved */
	unsigned char *busy;	/* per group: being touched */
	bool all;		/* lay every step out again */
	size_t steps_cap;
};

static struct recalc *
recalc_new(const struct form *f)
{
	struct recalc *rc = xcalloc(1, sizeof *rc);
	size_t q, n = 0;

	rc->rel_at = xcalloc(f->nquestions + 1, sizeof *rc->rel_at);
	for (q = 0; q < f->nquestions; q++) {
		rc->rel_at[q] = n;
		n += f->questions[q]->repeat ? FORM_MAX_ENTRIES + 1 : 1;
	}
	rc->nrel = n;
	rc->rel = xcalloc(n + 1, 1);
	rc->heap = xcalloc(f->nquestions + 1, sizeof *rc->heap);
	rc->queued = xcalloc(f->nquestions + 1, 1);
	rc->round = xcalloc(f->nquestions + 1, sizeof *rc->round);
	rc->visits = xcalloc(f->nquestions + 1, 1);
	rc->moved = xcalloc(MOVED_MAX + 1, sizeof *rc->moved);
	rc->listed = xcalloc(f->nquestions + 1, 1);
	rc->busy = xcalloc(f->ngroups + 1, 1);
	rc->all = true;
	return rc;
}

static void
recalc_free(struct recalc *rc)
{
	if (rc == NULL)
		return;
	free(rc->rel);
	free(rc->rel_at);
	free(rc->heap);
	free(rc->queued);
	free(rc->round);
	free(rc->visits);
	free(rc->moved);
	free(rc->listed);
	free(rc->busy);
	free(rc);
}

bool
interview_relevant(const struct interview *iv, size_t q, long entry)
{
	const struct recalc *rc = iv->recalc;
	unsigned char *c;

	if (rc == NULL || entry < 0 || entry > FORM_MAX_ENTRIES ||
	    (entry > 0 && iv->form->questions[q]->repeat == NULL))
		return rel_eval(iv, q, entry);
	c = &rc->rel[rc->rel_at[q] + (size_t)entry];
	if (!(*c & REL_KNOWN))
		*c = REL_KNOWN | (rel_eval(iv, q, entry) ? REL_YES : 0);
	return (*c & REL_YES) != 0;
}

/* Forgets what is known of question q's relevance. */
static void
rel_forget(struct interview *iv, size_t q)
{
	struct recalc *rc = iv->recalc;
	const struct question *qq = iv->form->questions[q];

	if (qq->repeat != NULL) {
		memset(&rc->rel[rc->rel_at[q]], 0, FORM_MAX_ENTRIES + 1);
		if (question_is_shown(qq))
			rc->all = true;
		return;
	}
	rc->rel[rc->rel_at[q]] = 0;
	if (!question_is_shown(qq) || rc->listed[q] || rc->all)
		return;
	if (rc->nmoved == MOVED_MAX) {
		rc->all = true;
		return;
	}
	rc->listed[q] = 1;
	rc->moved[rc->nmoved++] = q;
}

/* Forgets every question's relevance: the steps are laid out anew. */
static void
rel_forget_all(struct interview *iv)
{
	struct recalc *rc = iv->recalc;

	memset(rc->rel, 0, rc->nrel);
	rc->all = true;
}

static bool
heap_less(const struct interview *iv, size_t a, size_t b)
{
	const size_t *rank = iv->form->calc_rank;

	return rank[a] < rank[b];
}

/* Queues calculation q to be done again. */
static void
redo(struct interview *iv, size_t q)
{
	struct recalc *rc = iv->recalc;
	size_t i, p;

	if (iv->form->questions[q]->type != QT_CALCULATE || rc->queued[q])
		return;
	rc->queued[q] = 1;
	i = rc->nheap++;
	while (i > 0 && heap_less(iv, q, rc->heap[p = (i - 1) / 2])) {
		rc->heap[i] = rc->heap[p];
		i = p;
	}
	rc->heap[i] = q;
}

static size_t
heap_pop(struct interview *iv)
{
	struct recalc *rc = iv->recalc;
	size_t top = rc->heap[0], last = rc->heap[--rc->nheap], i = 0, c;

	while ((c = 2 * i + 1) < rc->nheap) {
		if (c + 1 < rc->nheap && heap_less(iv, rc->heap[c + 1], rc->heap[c]))
			c++;
		if (!heap_less(iv, rc->heap[c], last))
			break;
		rc->heap[i] = rc->heap[c];
		i = c;
	}
	rc->heap[i] = last;
	rc->queued[top] = 0;
	return top;
}

static void group_touch(struct interview *iv, size_t g);

/* Node k (a question, or nquestions + a repeat's index) changed its
 * value in some entry, or its entries: what reads it is done again. */
static void
changed(struct interview *iv, size_t k)
{
	const struct form *f = iv->form;
	size_t i;

	for (i = f->reader_start[k]; i < f->reader_start[k + 1]; i++) {
		size_t r = f->readers[i];

		if (r < f->nquestions) {
			rel_forget(iv, r);
			redo(iv, r);
		} else
			group_touch(iv, r - f->nquestions);
	}
}

/* Group g's relevance or a repeat's count may have changed: the
 * questions in it, and what reads a repeat's entries. */
static void
group_touch(struct interview *iv, size_t gi)
{
	struct recalc *rc = iv->recalc;
	const struct form *f = iv->form;
	const struct group *g = f->groups[gi];
	size_t q;

	if (rc->busy[gi])
		return;
	rc->busy[gi] = 1;
	rc->all = true;
	for (q = g->first; q < g->end; q++) {
		rel_forget(iv, q);
		redo(iv, q);
	}
	if (g->repeat) {
		changed(iv, f->nquestions + gi);
		for (q = g->first; q < g->end; q++)
			changed(iv, q);
	}
	rc->busy[gi] = 0;
}

static void
add_step(struct interview *iv, size_t *cap, enum step_kind kind, size_t q,
    long entry, const struct group *repeat)
{
	struct step *st;

	if (iv->nsteps == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		iv->steps = xreallocarray(iv->steps, *cap, sizeof *iv->steps);
	}
	st = &iv->steps[iv->nsteps++];
	st->kind = kind;
	st->q = q;
	st->entry = entry;
	st->repeat = repeat;
}

/* Steps are laid out in order of (outer, entry, q): outer is the question,
 * or for a question in a repeat (and the step that adds an entry, whose q
 * is the repeat's first) the repeat's first question. */
static int
step_cmp(const struct interview *iv, const struct step *s, size_t outer,
    long entry, size_t q)
{
	const struct group *r = s->kind == STEP_ADD ? s->repeat :
	    iv->form->questions[s->q]->repeat;
	size_t so = r ? r->first : s->q;

	if (so != outer)
		return so < outer ? -1 : 1;
	if (s->entry != entry)
		return s->entry < entry ? -1 : 1;
	return s->q < q ? -1 : s->q > q;
}

/* The first step not before (outer, entry, q). */
static size_t
step_lower_bound(const struct interview *iv, size_t outer, long entry,
    size_t q)
{
	size_t lo = 0, hi = iv->nsteps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (step_cmp(iv, &iv->steps[mid], outer, entry, q) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Lays out every screen the interviewer goes through, given the answers. */
static void
layout_all(struct interview *iv)
{
	const struct form *f = iv->form;
	size_t cap = 0, i = 0, j;

	free(iv->steps);
	iv->steps = NULL;
	iv->nsteps = 0;
	while (i < f->nquestions) {
		const struct question *q = f->questions[i];
		const struct group *r = q->repeat;

		if (r != NULL && i == r->first) {
			long n, e;

			if (interview_group_relevant(iv, r, 0)) {
				n = interview_entries(iv, r);
				for (e = 1; e <= n; e++)
					for (j = r->first; j < r->end; j++)
						if (question_is_shown(f->questions[j]) &&
						    interview_relevant(iv, j, e))
							add_step(iv, &cap, STEP_QUESTION, j, e, r);
				if (r->count == NULL)
					add_step(iv, &cap, STEP_ADD, r->first, n + 1, r);
			}
			i = r->end;
			continue;
		}
		if (question_is_shown(q) && interview_relevant(iv, i, 0))
			add_step(iv, &cap, STEP_QUESTION, i, 0, NULL);
		i++;
	}
	iv->recalc->steps_cap = cap;
}

/* Places the step of question q (shown, outside repeats) again: in when
 * it applies now, out when not. */
static void
place(struct interview *iv, size_t q)
{
	struct recalc *rc = iv->recalc;
	size_t at = step_lower_bound(iv, q, 0, q);
	bool has = at < iv->nsteps && iv->steps[at].kind == STEP_QUESTION &&
	    iv->steps[at].q == q, want = interview_relevant(iv, q, 0);

	if (has == want)
		return;
	if (has) {
		memmove(&iv->steps[at], &iv->steps[at + 1], (iv->nsteps - at - 1) *
		    sizeof *iv->steps);
		iv->nsteps--;
		return;
	}
	if (iv->nsteps == rc->steps_cap) {
		rc->steps_cap = rc->steps_cap ? rc->steps_cap * 2 : 64;
		iv->steps = xreallocarray(iv->steps, rc->steps_cap, sizeof *iv->steps);
	}
	memmove(&iv->steps[at + 1], &iv->steps[at], (iv->nsteps - at) *
	    sizeof *iv->steps);
	iv->nsteps++;
	iv->steps[at] = (struct step){ STEP_QUESTION, q, 0, NULL };
}

/* Lays the steps out again, given the answers: only the questions whose
 * relevance may have changed, unless more changed than a few. */
static void
layout(struct interview *iv)
{
	struct recalc *rc = iv->recalc;
	size_t i;

	if (rc->all)
		layout_all(iv);
	else
		for (i = 0; i < rc->nmoved; i++)
			place(iv, rc->moved[i]);
	for (i = 0; i < rc->nmoved; i++)
		rc->listed[rc->moved[i]] = 0;
	rc->nmoved = 0;
	rc->all = false;
}

/* Finds a step again after the layout changed: the same one, else the
 * first one after where it stood. */
static size_t
find_step(const struct interview *iv, const struct step *was)
{
	size_t i;

	if (was->kind == STEP_QUESTION && was->q < iv->form->nquestions) {
		const struct group *r = iv->form->questions[was->q]->repeat;

		i = step_lower_bound(iv, r ? r->first : was->q, was->entry, was->q);
		if (i < iv->nsteps && iv->steps[i].kind == STEP_QUESTION &&
		    iv->steps[i].q == was->q && iv->steps[i].entry == was->entry)
			return i;
	} else if (was->kind == STEP_ADD) {
		i = step_lower_bound(iv, was->q, LONG_MAX, 0);
		if (i > 0 && iv->steps[i - 1].kind == STEP_ADD &&
		    iv->steps[i - 1].q == was->q)
			return i - 1;
	}
	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].q > was->q)
			return i;
	return iv->nsteps ? iv->nsteps - 1 : 0;
}

static char *
position_of(const struct interview *iv, const struct step *s)
{
	if (s->kind == STEP_ADD)
		return xasprintf("+%s", s->repeat->name);
	if (s->entry > 0)
		return xasprintf("%s#%ld", iv->form->questions[s->q]->name, s->entry);
	return xstrdup(iv->form->questions[s->q]->name);
}

static void
go_to_position(struct interview *iv, const char *pos)
{
	struct step want = { STEP_QUESTION, 0, 0, NULL };
	char *name, *hash;
	long q;

	iv->current = 0;
	if (pos == NULL || iv->nsteps == 0)
		return;
	if (pos[0] == '+') {
		const struct group *r = form_repeat(iv->form, pos + 1);

		if (r == NULL)
			return;
		want.kind = STEP_ADD;
		want.q = r->first;
		iv->current = find_step(iv, &want);
		return;
	}
	name = xstrdup(pos);
	if ((hash = strchr(name, '#')) != NULL) {
		*hash = '\0';
		want.entry = strtol(hash + 1, NULL, 10);
	}
	q = form_find(iv->form, name);
	free(name);
	if (q < 0)
		return;
	want.q = (size_t)q;
	iv->current = find_step(iv, &want);
}

static struct interview *
interview_new(struct store *s, struct form *form)
{
	struct interview *iv = xcalloc(1, sizeof *iv);

	iv->store = s;
	iv->form = form;
	iv->entries = xcalloc(form->ngroups + 1, sizeof *iv->entries);
	iv->recalc = recalc_new(form);
	iv->today = expr_today();
	slots_grow(iv);
	return iv;
}


/* ODK audit events (a form with audit: true): what ODK Collect writes in
 * audit.csv with track-changes and identify-user. */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The question's node as Collect names it: /form/group/repeat[N]/name. */
static char *
audit_node(const struct interview *iv, size_t q, long entry)
{
	const struct form *f = iv->form;
	const struct question *qq = f->questions[q];
	const struct group *chain[32], *g;
	struct buf b = { 0 };
	size_t n = 0;

	for (g = qq->group; g != NULL && n < ARRAY_LEN(chain); g = g->parent)
		chain[n++] = g;
	buf_printf(&b, "/%s", f->id);
	while (n > 0) {
		g = chain[--n];
		buf_printf(&b, "/%s", g->name);
		if (g->repeat && entry > 0)
			buf_printf(&b, "[%ld]", entry);
	}
	buf_printf(&b, "/%s", qq->name);
	return buf_steal(&b);
}

static int
audit_event(struct interview *iv, const char *event, long long start,
    long long end, const char *node, const char *old_value,
    const char *new_value, char **cause)
{
	struct store_audit a = { event, node, start, end, old_value, new_value,
	    iv->audit_user };

	return store_audit_add(iv->store, iv->record, &a, cause);
}

/* The question on screen is left: its event, with the answer's change. */
static int
audit_close(struct interview *iv, long long now, char **cause)
{
	const char *value;
	char *node;
	bool changed;
	int rc;

	if (iv->audit_user == NULL || !iv->audit_shown)
		return 0;
	iv->audit_shown = false;
	value = interview_value(iv, iv->audit_q, iv->audit_entry);
	changed = strcmp(value ? value : "", iv->audit_value ? iv->audit_value :
	    "") != 0;
	node = audit_node(iv, iv->audit_q, iv->audit_entry);
	rc = audit_event(iv, "question", iv->audit_since, now, node,
	    changed ? iv->audit_value : NULL, changed ? value : NULL, cause);
	free(node);
	free(iv->audit_value);
	iv->audit_value = NULL;
	return rc;
}

/* The step now current is shown. */
static void
audit_open(struct interview *iv, long long now)
{
	const struct step *st = interview_step(iv);
	const char *value;

	if (iv->audit_user == NULL || st == NULL || st->kind != STEP_QUESTION)
		return;
	value = interview_value(iv, st->q, st->entry);
	iv->audit_shown = true;
	iv->audit_q = st->q;
	iv->audit_entry = st->entry;
	iv->audit_since = now;
	free(iv->audit_value);
	iv->audit_value = value ? xstrdup(value) : NULL;
}

/* Starts the audit of a session that edits the interview. */
static void
audit_start(struct interview *iv, const char *user, const char *event)
{
	long long now = now_ms();

	if (!iv->form->audit || iv->me == NULL)
		return;
	free(iv->audit_user);
	iv->audit_user = xstrdup(user ? user : "");
	iv->audit_shown = false;
	audit_event(iv, event, now, 0, NULL, NULL, NULL, NULL);
	audit_open(iv, now);
}

/* The session leaves the interview (not finalized). */
static void
audit_leave(struct interview *iv)
{
	long long now = now_ms();

	if (iv->audit_user == NULL || iv->me == NULL)
		return;
	if (store_begin(iv->store, NULL) != 0)
		return;
	if (audit_close(iv, now, NULL) != 0 ||
	    audit_event(iv, "form exit", now, 0, NULL, NULL, NULL, NULL) != 0) {
		store_rollback(iv->store);
		return;
	}
	store_commit(iv->store, NULL);
}

void
interview_free(struct interview *iv)
{
	size_t i;

	if (iv == NULL)
		return;
	free(iv->sealed_needs);
	audit_leave(iv);
	free(iv->audit_user);
	free(iv->audit_value);
	if (iv->me != NULL) {
		store_draft_release(iv->store, iv->record, iv->me->token, NULL);
		holder_clear(iv->me);
		free(iv->me);
	}
	for (i = 0; i < iv->nslots; i++) {
		free(iv->slots[i].value);
		free(iv->slots[i].carried);
	}
	free(iv->slots);
	free(iv->entries);
	free(iv->steps);
	free(iv->instance_id);
	free(iv->household);
	free(iv->saved_position);
	recalc_free(iv->recalc);
	if (!iv->borrowed)
		form_free(iv->form);
	free(iv);
}

int
interview_discard(struct interview *iv, char **cause)
{
	if (store_draft_discard(iv->store, iv->record, iv->me ? iv->me->token :
	    NULL, NULL, cause) != 0)
		return -1;
	if (iv->me != NULL) {
		holder_clear(iv->me);
		free(iv->me);
		iv->me = NULL;
	}
	return 0;
}

/* What the interviewer is told once another session has taken the draft:
 * where it is open now, when it still is. */
static char *
lost_message(const struct holder *now)
{
	char *where, *msg;

	if (now->token == NULL)
		return xstrdup(_("another session took this draft over, and has left "
		    "or finalized it; this one can no longer change it"));
	where = holder_describe(now);
	msg = xasprintf(_("another session took this draft over (%s); this one "
	    "can no longer change it"), where);
	free(where);
	return msg;
}

/* Begins the transaction of a change to the draft, once the store says
 * that this session still holds it. */
static int
write_begin(struct interview *iv, char **cause)
{
	struct holder now;
	int rc;

	if (iv->me == NULL) {
		set_cause(cause, _("this interview is open for reading only"));
		return -1;
	}
	if (store_begin(iv->store, cause) != 0)
		return -1;
	rc = store_draft_check(iv->store, iv->record, iv->me->token, &now, cause);
	if (rc == 0)
		return 0;
	if (rc == 1) {
		iv->lost = true;
		if (cause != NULL)
			*cause = lost_message(&now);
		holder_clear(&now);
	}
	store_rollback(iv->store);
	return -1;
}

/* Does the queued calculations again, dependencies first; stores the
 * values that changed (inside the caller's transaction), and queues what
 * reads them. Around a cycle through relevance (which --check allows)
 * a calculation is done at most three times. */
static int
recompute(struct interview *iv, bool save, char **cause)
{
	struct recalc *rc = iv->recalc;

	rc->now++;
	while (rc->nheap > 0) {
		size_t q = heap_pop(iv);
		const struct question *qq = iv->form->questions[q];
		long n = qq->repeat ? interview_entries(iv, qq->repeat) : 0, e;
		bool moved = false;

		if (rc->round[q] != rc->now) {
			rc->round[q] = rc->now;
			rc->visits[q] = 0;
		}
		if (rc->visits[q]++ >= 3)
			continue;
		for (e = qq->repeat ? 1 : 0; e <= n; e++) {
			char *v = NULL;
			const char *old = interview_value(iv, q, e);

			if (interview_relevant(iv, q, e)) {
				struct value val = interview_eval(iv, qq->calculation, e, NULL);

				v = value_string(&val);
				value_free(&val);
				if (strcmp(v, "NaN") == 0 || *v == '\0') {
					free(v);
					v = NULL;
				}
			}
			if (str_eq(old, v) && interview_seen(iv, q, e)) {
				free(v);
				continue;
			}
			if (save && store_answer_save(iv->store, iv->record, qq->name, e,
			    v, NULL, cause) != 0) {
				free(v);
				return -1;
			}
			set_value(iv, q, e, v);
			free(v);
			moved = true;
		}
		if (moved)
			changed(iv, q);
	}
	return 0;
}

/* Recomputes every calculation and forgets every relevance. */
static int
calculate(struct interview *iv, bool save, char **cause)
{
	const struct form *f = iv->form;
	size_t k;

	rel_forget_all(iv);
	for (k = 0; k < f->ncalc; k++)
		redo(iv, f->calc_order[k]);
	return recompute(iv, save, cause);
}

static int save_entries(struct interview *iv, const struct group *r, long n,
    char **cause);

/* With no earlier interview here, a household from an Entity List (core/
 * entity.h) starts from the answers another server saved to its
 * properties (save_to:), when the form's rules take them, marked as
 * carried over from the round the list names. */
static int
carry_from_entity(struct interview *iv, const char *household, char **cause)
{
	const struct form *f = iv->form;
	char *round, *v, *norm, *why;
	const char *bad;
	size_t q;
	int rc = 0;

	if (f->entity_dataset == NULL || (round = entity_server_value(iv->store,
	    household, "round")) == NULL)
		return 0;
	if (!round_name_valid(round, &bad)) {
		free(round);
		return 0;
	}
	for (q = 0; q < f->nquestions && rc == 0; q++) {
		const struct question *qq = f->questions[q];

		if (!qq->prefill || qq->save_to == NULL || qq->repeat != NULL ||
		    qq->type == QT_CALCULATE || (v = entity_server_value(iv->store,
		    household, qq->save_to)) == NULL)
			continue;
		rc = interview_check(iv, q, 0, v, false, NULL, &norm, &why);
		free(v);
		free(why);
		if (rc != 0 || norm == NULL) {
			free(norm);
			rc = 0;
			continue;
		}
		rc = store_answer_carry(iv->store, iv->record, qq->name, 0, norm,
		    round, cause);
		if (rc == 0) {
			set_value(iv, q, 0, norm);
			slot_find(iv, q, 0)->carried = xstrdup(round);
		}
		free(norm);
	}
	free(round);
	return rc;
}

/* Starts a household's new round from its previous round's answers to the
 * questions marked prefill: those that were asked then and are still valid
 * on this form, each marked until the interviewer confirms or changes it. */
static int
carry_over(struct interview *iv, int64_t form_ref, const char *household,
    const char *round, char **cause)
{
	struct record_info prev;
	struct interview *old;
	const struct form *f = iv->form;
	size_t q;
	int rc;

	rc = store_previous_record(iv->store, household, round, &prev, cause);
	if (rc == 0)
		return carry_from_entity(iv, household, cause);
	if (rc < 0)
		return rc;
	/* The same form version, usually: read with the form at hand. */
	old = prev.form_ref == form_ref ? interview_open(iv->store, iv->form,
	    &prev, cause) : interview_resume(iv->store, &prev, cause);
	if (old == NULL) {
		/* The old record's form cannot be read: start empty. */
		store_record_clear(&prev);
		free(*cause);
		*cause = NULL;
		return 0;
	}
	rc = 0;
	for (q = 0; q < f->nquestions && rc == 0; q++) {
		const struct question *qq = f->questions[q], *oqq;
		long oq = form_find(old->form, qq->name), n = 0, e;

		if (!qq->prefill || !question_has_value(qq) ||
		    qq->type == QT_CALCULATE || oq < 0)
			continue;
		oqq = old->form->questions[oq];
		if ((qq->repeat == NULL) != (oqq->repeat == NULL))
			continue;
		if (qq->repeat != NULL) {
			n = interview_entries(old, oqq->repeat);
			if (qq->repeat->count == NULL &&
			    n > iv->entries[qq->repeat->index]) {
				iv->entries[qq->repeat->index] = n;
				rc = save_entries(iv, qq->repeat, n, cause);
			}
		}
		for (e = qq->repeat ? 1 : 0; e <= n && rc == 0; e++) {
			const char *v = interview_value(old, (size_t)oq, e);
			const char *why;
			char *norm;

			if (v == NULL || !interview_relevant(old, (size_t)oq, e))
				continue;
			if ((norm = form_value_normalize(qq, v, &why)) == NULL)
				continue;
			rc = store_answer_carry(iv->store, iv->record, qq->name, e, norm,
			    prev.round, cause);
			if (rc == 0) {
				set_value(iv, q, e, norm);
				slot_find(iv, q, e)->carried = xstrdup(prev.round);
			}
			free(norm);
		}
	}
	interview_free(old);
	store_record_clear(&prev);
	return rc;
}

/* The register's value for a from_household question (new string), or
 * NULL when there is none: no household, not registered, field empty. */
static char *
register_value(const struct interview *iv, const struct question *qq)
{
	struct household h;
	char *v = NULL;

	if (iv->household == NULL || qq->from_household == HF_NONE ||
	    household_get(iv->store, iv->household, &h, NULL) != 0)
		return NULL;
	v = household_field(&h, qq->from_household);
	household_clear(&h);
	return v;
}

/* Fills the questions marked from_household from the household's register,
 * each marked until the interviewer confirms or changes it; a value the
 * form's rules refuse is left out (interview_household_note says why). */
static int
fill_from_household(struct interview *iv, char **cause)
{
	const struct form *f = iv->form;
	size_t q;

	for (q = 0; q < f->nquestions; q++) {
		const struct question *qq = f->questions[q];
		char *v, *norm, *why;
		int rc;

		if (qq->from_household == HF_NONE || qq->repeat != NULL ||
		    (v = register_value(iv, qq)) == NULL)
			continue;
		rc = interview_check(iv, q, 0, v, false, NULL, &norm, &why);
		free(v);
		free(why);
		if (rc != 0 || norm == NULL) {
			free(norm);
			continue;
		}
		rc = store_answer_carry(iv->store, iv->record, qq->name, 0, norm,
		    INTERVIEW_FROM_HOUSEHOLD, cause);
		if (rc == 0) {
			set_value(iv, q, 0, norm);
			free(slot_find(iv, q, 0)->carried);
			slot_find(iv, q, 0)->carried = xstrdup(INTERVIEW_FROM_HOUSEHOLD);
		}
		free(norm);
		if (rc != 0)
			return -1;
	}
	return 0;
}

char *
interview_household_note(const struct interview *iv, size_t q, long entry,
    const char *lang)
{
	const struct question *qq = iv->form->questions[q];
	char *v, *norm, *why, *note = NULL;

	if (qq->from_household == HF_NONE || entry != 0 ||
	    interview_value(iv, q, 0) != NULL || (v = register_value(iv, qq)) == NULL)
		return NULL;
	if (interview_check(iv, q, 0, v, false, lang, &norm, &why) != 0) {
		char *shown = text_sanitize(v, false);

		note = xasprintf(_("The household register has '%s' here, which this "
		    "question does not take (%s): ask again."), shown, _(why));
		free(shown);
	}
	free(v);
	free(norm);
	free(why);
	return note;
}

char *
interview_default(const struct interview *iv, size_t q)
{
	const struct question *qq = iv->form->questions[q];
	char today[11];

	if (qq->default_today) {
		expr_date_string(iv->today, today);
		return xstrdup(today);
	}
	return qq->default_value ? xstrdup(qq->default_value) : NULL;
}

/* Holds a draft just created (no other session knows it yet). */
static int
claim_new(struct interview *iv, char **cause)
{
	struct holder before;
	int rc = store_draft_claim(iv->store, iv->record, iv->me, true, &before,
	    cause);

	holder_clear(&before);
	return rc < 0 ? -1 : 0;
}

struct interview *
interview_begin(struct store *s, struct form *form, const char *household,
    const char *round, const char *site, const char *interviewer, char **cause)
{
	struct interview *iv;
	char instance[42];
	int64_t ref;

	char *why = NULL;

	/* A form whose questions changed under the same version would lose
	 * answers on the server. */
	if (store_form_version_check(s, form, &why, cause) != 0) {
		if (why != NULL) {
			set_cause(cause, "%s", why);
			free(why);
		}
		form_free(form);
		return NULL;
	}
	if (store_form_remember(s, form, &ref, cause) != 0) {
		form_free(form);
		return NULL;
	}
	iv = interview_new(s, form);
	iv->household = household != NULL && *household != '\0' ?
	    xstrdup(household) : NULL;
	if (store_record_create(s, ref, household, round, site, interviewer,
	    &iv->record, instance, cause) != 0) {
		interview_free(iv);
		return NULL;
	}
	iv->instance_id = xstrdup(instance);
	iv->me = xcalloc(1, sizeof *iv->me);
	if (holder_here(iv->me, cause) != 0) {
		free(iv->me);
		iv->me = NULL;
		interview_free(iv);
		return NULL;
	}
	if (store_begin(s, cause) != 0 || claim_new(iv, cause) != 0 ||
	    carry_over(iv, ref, household, round, cause) != 0 ||
	    fill_from_household(iv, cause) != 0 ||
	    calculate(iv, true, cause) != 0 || store_commit(s, cause) != 0) {
		store_rollback(s);
		interview_free(iv);
		return NULL;
	}
	layout(iv);
	audit_start(iv, interviewer, "form start");
	return iv;
}

static void
load_answer(void *ctx, const char *name, long entry, const char *value)
{
	struct interview *iv = ctx;
	long i = form_find(iv->form, name);
	const struct group *r;

	if (i >= 0) {
		set_value(iv, (size_t)i, entry, value);
		return;
	}
	/* The entry count of a repeat is kept as an answer of its own. */
	r = form_repeat(iv->form, name);
	if (r != NULL && entry == 0 && value != NULL) {
		long n = strtol(value, NULL, 10);

		iv->entries[r->index] = n < 0 ? 0 : n > FORM_MAX_ENTRIES ?
		    FORM_MAX_ENTRIES : n;
	}
	/* Otherwise kept in the store: this form version has no such name. */
}

static void
load_carried(void *ctx, const char *name, long entry, const char *round)
{
	struct interview *iv = ctx;
	long i = form_find(iv->form, name);
	struct answer_slot *s;

	if (i >= 0 && (s = slot_find(iv, (size_t)i, entry)) != NULL) {
		free(s->carried);
		s->carried = xstrdup(round);
	}
}

/* An interview of the record, its answers not yet read. */
static struct interview *
record_interview(struct store *s, struct form *form, bool own,
    const struct record_info *rec)
{
	struct interview *iv = interview_new(s, form);

	iv->borrowed = !own;
	iv->record = rec->id;
	iv->instance_id = rec->instance_id ? xstrdup(rec->instance_id) : NULL;
	iv->household = rec->household ? xstrdup(rec->household) : NULL;
	return iv;
}

/* Works out the rest from the answers read. */
static void
record_ready(struct interview *iv, const struct record_info *rec)
{
	calculate(iv, false, NULL);
	layout(iv);
	go_to_position(iv, rec->position);
	iv->saved_position = rec->position ? xstrdup(rec->position) : NULL;
}

struct interview *
interview_open_given(struct store *s, const struct form *form,
    const struct record_info *rec,
    void (*answers)(void *ctx, void (*put)(void *iv, const char *name,
    long entry, const char *value), void *iv), void *ctx)
{
	struct interview *iv = record_interview(s,
	    (struct form *)(uintptr_t)form, false, rec);

	answers(ctx, load_answer, iv);
	record_ready(iv, rec);
	return iv;
}

/* A record on a form the interview takes (own) or borrows. */
static struct interview *
open_record(struct store *s, struct form *form, bool own,
    const struct record_info *rec, char **cause)
{
	struct interview *iv = record_interview(s, form, own, rec);

	/* Only a draft can hold answers carried over and not yet confirmed. */
	if (store_answers_load(s, rec->id, load_answer, iv, cause) != 0 ||
	    ((rec->status == NULL || strcmp(rec->status, "draft") == 0) &&
	    store_carried_load(s, rec->id, load_carried, iv, cause) != 0)) {
		interview_free(iv);
		return NULL;
	}
	if (rec->sealed) {
		iv->sealed = true;
		if (store_sealed_get(s, rec->id, NULL, NULL, &iv->sealed_needs,
		    cause) < 0) {
			interview_free(iv);
			return NULL;
		}
	}
	record_ready(iv, rec);
	return iv;
}

struct interview *
interview_open(struct store *s, const struct form *form,
    const struct record_info *rec, char **cause)
{
	/* Read only: the form is borrowed, and must outlive the interview. */
	return open_record(s, (struct form *)(uintptr_t)form, false, rec, cause);
}

struct interview *
interview_resume(struct store *s, const struct record_info *rec, char **cause)
{
	struct diags d;
	struct form *form;
	size_t len;
	char *yaml;

	yaml = store_form_yaml(s, rec->form_ref, &len, cause);
	if (yaml == NULL)
		return NULL;
	diags_init(&d, rec->form_id ? rec->form_id : "form");
	form = form_parse(yaml, len, &d);
	free(yaml);
	if (form == NULL) {
		char *first = diags_first(&d);

		set_cause(cause, _("the form this interview began with cannot be read: "
		    "%s"), first ? first : "unknown problem");
		free(first);
		diags_free(&d);
		return NULL;
	}
	diags_free(&d);
	return open_record(s, form, true, rec, cause);
}

/* Reads the answers again as the database has them; the interviewer stays
 * on the same step, or the first after it. */
static int
reload(struct interview *iv, char **cause)
{
	struct step was = iv->nsteps ? iv->steps[iv->current] : (struct step){ 0 };
	struct form *f = iv->form;
	size_t i;
	int rc;

	for (i = 0; i < iv->nslots; i++) {
		free(iv->slots[i].value);
		free(iv->slots[i].carried);
	}
	memset(iv->slots, 0, iv->nslots * sizeof *iv->slots);
	iv->used = 0;
	memset(iv->entries, 0, (f->ngroups + 1) * sizeof *iv->entries);
	rc = store_answers_load(iv->store, iv->record, load_answer, iv, cause);
	if (rc == 0)
		rc = store_carried_load(iv->store, iv->record, load_carried, iv, cause);
	calculate(iv, false, NULL);
	layout(iv);
	iv->current = find_step(iv, &was);
	return rc;
}

int
interview_take(struct interview *iv, bool take_over, struct holder *other,
    char **cause)
{
	int rc;

	memset(other, 0, sizeof *other);
	if (iv->me == NULL) {
		iv->me = xcalloc(1, sizeof *iv->me);
		if (holder_here(iv->me, cause) != 0) {
			free(iv->me);
			iv->me = NULL;
			return -1;
		}
	}
	rc = store_draft_claim(iv->store, iv->record, iv->me, take_over, other,
	    cause);
	if (rc < 0 || rc == STORE_HELD)
		return rc;
	iv->lost = false;
	/* Another session may have changed it since it was read. */
	if (reload(iv, cause) != 0) {
		holder_clear(other);
		return -1;
	}
	if (iv->audit_user == NULL) {
		struct record_info rec;

		if (store_record_get(iv->store, iv->record, &rec, NULL) == 0) {
			audit_start(iv, rec.interviewer ? rec.interviewer : iv->me->login,
			    "form resume");
			store_record_clear(&rec);
		}
	}
	return rc;
}

int
interview_check_hold(struct interview *iv, struct holder *now, char **cause)
{
	int rc;

	memset(now, 0, sizeof *now);
	if (iv->me == NULL)
		return 0;
	rc = store_draft_check(iv->store, iv->record, iv->me->token, now, cause);
	if (rc == 1)
		iv->lost = true;
	return rc;
}

const struct step *
interview_step(const struct interview *iv)
{
	return iv->nsteps ? &iv->steps[iv->current] : NULL;
}

static const char *
msg_text(const struct interview *iv, const struct mtext *m, const char *lang)
{
	const char *t = form_text(iv->form, m, lang);

	return *t ? t : NULL;
}

/* Whether a value meets the question's constraint (always, when empty). */
static bool
meets_constraint(const struct interview *iv, size_t q, long entry,
    const char *value)
{
	const struct question *qq = iv->form->questions[q];

	if (qq->constraint == NULL || value == NULL || *value == '\0')
		return true;
	return truthy(iv, qq->constraint, entry, value);
}

static bool
is_required(const struct interview *iv, size_t q, long entry)
{
	const struct question *qq = iv->form->questions[q];

	if (qq->required_if != NULL)
		return truthy(iv, qq->required_if, entry, NULL);
	return qq->required;
}

static char *
required_message(const struct interview *iv, size_t q, const char *lang)
{
	const char *m = msg_text(iv, &iv->form->questions[q]->required_message, lang);

	return xstrdup(m ? m : N_("this question needs an answer"));
}

static char *
constraint_message(const struct interview *iv, size_t q, const char *lang)
{
	const char *m = msg_text(iv, &iv->form->questions[q]->constraint_message,
	    lang);

	return xstrdup(m ? m : N_("this answer is not allowed here"));
}

int
interview_check(const struct interview *iv, size_t q, long entry,
    const char *typed, bool check_required, const char *lang, char **value,
    char **why)
{
	const struct question *qq = iv->form->questions[q];
	const char *reason;

	*value = NULL;
	*why = NULL;
	if (typed != NULL && typed[strspn(typed, " ")] != '\0') {
		*value = form_value_normalize(qq, typed, &reason);
		/* Not a phone number: the form's own words, when it has them
		 * for this phone question, say what it wants. */
		if (*value == NULL && qq->from_household == HF_PHONE &&
		    msg_text(iv, &qq->constraint_message, lang) != NULL) {
			*why = constraint_message(iv, q, lang);
			return 1;
		}
		if (*value == NULL) {
			*why = xstrdup(reason);
			return 1;
		}
		if (!meets_constraint(iv, q, entry, *value)) {
			*why = constraint_message(iv, q, lang);
			free(*value);
			*value = NULL;
			return 1;
		}
	} else if (check_required && is_required(iv, q, entry)) {
		*why = required_message(iv, q, lang);
		return 1;
	}
	return 0;
}

/* interview_answer; onward: the position saved with it is the step after
 * (the interviewer goes on), else the step answered. */
static int
answer_step(struct interview *iv, const char *typed, bool check_required,
    const char *lang, bool onward, char **why, char **cause)
{
	const struct step *st = interview_step(iv);
	struct step was;
	const struct question *q;
	char *value = NULL, *pos;
	int rc;

	*why = NULL;
	if (st == NULL || st->kind != STEP_QUESTION)
		return 0;
	was = *st;
	q = iv->form->questions[was.q];
	if (!question_has_value(q))
		return 0;
	if (interview_check(iv, was.q, was.entry, typed, check_required, lang,
	    &value, why) != 0)
		return 1;
	if (write_begin(iv, cause) != 0) {
		free(value);
		return -1;
	}
	rc = store_answer_save(iv->store, iv->record, q->name, was.entry, value,
	    NULL, cause);
	if (rc == 0 && (!str_eq(interview_value(iv, was.q, was.entry), value) ||
	    interview_carried(iv, was.q, was.entry) != NULL))
		/* A sealed form's answers live only in the sealed record: the
		 * trail, which nothing deletes, keeps that one was given. */
		rc = trail_add(iv->store, &(struct trail_entry){ .what = "answer",
		    .record = iv->record, .question = q->name, .entry = was.entry, .old =
		    iv->form->public_key ? NULL : interview_value(iv, was.q, was.entry),
		    .new_value = iv->form->public_key ? NULL : value, .detail =
		    iv->form->public_key ? "sealed form: the value is not kept" :
		    interview_carried(iv, was.q, was.entry) }, cause);
	if (rc == 0) {
		set_value(iv, was.q, was.entry, value);
		changed(iv, was.q);
		rc = recompute(iv, true, cause);
	}
	pos = NULL;
	if (rc == 0) {
		/* The position, in the same commit: going on, the step after
		 * this one (showing it then writes nothing). */
		size_t at;

		layout(iv);
		at = find_step(iv, &was);
		if (onward && at + 1 < iv->nsteps)
			at++;
		pos = position_of(iv, &iv->steps[at]);
		rc = store_answer_save(iv->store, iv->record, NULL, 0, NULL, pos,
		    cause);
	}
	if (rc == 0)
		rc = store_commit(iv->store, cause);
	else
		store_rollback(iv->store);
	free(value);
	if (rc != 0) {
		free(pos);
		/* The database kept none of it: read back what it has. */
		reload(iv, NULL);
		return -1;
	}
	free(iv->saved_position);
	iv->saved_position = pos;
	iv->current = find_step(iv, &was);
	return 0;
}

int
interview_answer(struct interview *iv, const char *typed, bool check_required,
    const char *lang, char **why, char **cause)
{
	return answer_step(iv, typed, check_required, lang, false, why, cause);
}

int
interview_answer_onward(struct interview *iv, const char *typed,
    bool check_required, const char *lang, char **why, char **cause)
{
	return answer_step(iv, typed, check_required, lang, true, why, cause);
}

int
interview_go(struct interview *iv, size_t i, char **cause)
{
	char *pos;
	int rc;

	if (i >= iv->nsteps)
		return 0;
	iv->current = i;
	pos = position_of(iv, &iv->steps[i]);
	if (iv->me != NULL && !iv->lost && iv->saved_position != NULL &&
	    strcmp(pos, iv->saved_position) == 0 && !(iv->audit_user != NULL &&
	    !(iv->audit_shown && iv->steps[i].kind == STEP_QUESTION &&
	    iv->steps[i].q == iv->audit_q && iv->steps[i].entry == iv->audit_entry))) {
		free(pos);	/* saved with the answer before */
		return 0;
	}
	if (write_begin(iv, cause) != 0) {
		free(pos);
		return -1;
	}
	rc = store_answer_save(iv->store, iv->record, NULL, 0, NULL, pos, cause);
	if (rc == 0 && iv->audit_user != NULL && !(iv->audit_shown &&
	    iv->steps[i].kind == STEP_QUESTION && iv->steps[i].q == iv->audit_q &&
	    iv->steps[i].entry == iv->audit_entry)) {
		long long now = now_ms();

		rc = audit_close(iv, now, cause);
		audit_open(iv, now);
	}
	if (rc != 0) {
		free(pos);
		store_rollback(iv->store);
		return -1;
	}
	if (store_commit(iv->store, cause) != 0) {
		free(pos);
		return -1;
	}
	free(iv->saved_position);
	iv->saved_position = pos;
	return 0;
}

static int
save_entries(struct interview *iv, const struct group *r, long n, char **cause)
{
	char count[24];

	snprintf(count, sizeof count, "%ld", n);
	return store_answer_save(iv->store, iv->record, r->name, 0, count, NULL,
	    cause);
}

int
interview_add_entry(struct interview *iv, const struct group *r, size_t *first,
    char **cause)
{
	long n = iv->entries[r->index];
	size_t i;

	if (r->count != NULL)
		return 0;
	if (n >= FORM_MAX_ENTRIES) {
		set_cause(cause, _("a repeat holds at most %d entries"), FORM_MAX_ENTRIES);
		return -1;
	}
	if (write_begin(iv, cause) != 0)
		return -1;
	iv->entries[r->index] = n + 1;
	group_touch(iv, r->index);
	if (save_entries(iv, r, n + 1, cause) != 0 || recompute(iv, true, cause) != 0 ||
	    store_commit(iv->store, cause) != 0) {
		store_rollback(iv->store);
		reload(iv, NULL);
		return -1;
	}
	layout(iv);
	*first = iv->current;
	for (i = 0; i < iv->nsteps; i++)
		if (iv->steps[i].repeat == r && iv->steps[i].entry == n + 1) {
			*first = i;
			break;
		}
	return interview_go(iv, *first, cause);
}

int
interview_delete_entry(struct interview *iv, const struct group *r, long entry,
    char **cause)
{
	const struct form *f = iv->form;
	long n = iv->entries[r->index], e;
	const char **names;
	size_t i, k = 0;
	struct step here = iv->nsteps ? iv->steps[iv->current] : (struct step){ 0 };

	if (r->count != NULL || entry < 1 || entry > n)
		return 0;
	names = xcalloc(r->end - r->first + 1, sizeof *names);
	for (i = r->first; i < r->end; i++)
		names[k++] = f->questions[i]->name;
	if (write_begin(iv, cause) != 0) {
		free(names);
		return -1;
	}
	if (store_entry_delete(iv->store, iv->record, names, k, entry, cause) != 0 ||
	    save_entries(iv, r, n - 1, cause) != 0 || trail_add(iv->store,
	    &(struct trail_entry){ .what = "entry_deleted", .record = iv->record,
	    .question = r->name, .entry = entry }, cause) != 0) {
		store_rollback(iv->store);
		free(names);
		return -1;
	}
	free(names);
	/* The same move in memory: later entries down by one. */
	for (i = r->first; i < r->end; i++) {
		for (e = entry; e < n; e++) {
			const char *next = interview_value(iv, i, e + 1);
			const char *carried = interview_carried(iv, i, e + 1);
			bool seen = interview_seen(iv, i, e + 1);
			struct answer_slot *s = slot_put(iv, i, e);

			free(s->value);
			s->value = next ? xstrdup(next) : NULL;
			free(s->carried);
			s->carried = carried ? xstrdup(carried) : NULL;
			s->seen = seen;
		}
		if ((slot_find(iv, i, n)) != NULL) {
			struct answer_slot *s = slot_find(iv, i, n);

			free(s->value);
			s->value = NULL;
			free(s->carried);
			s->carried = NULL;
			s->seen = false;
		}
	}
	iv->entries[r->index] = n - 1;
	group_touch(iv, r->index);
	if (recompute(iv, true, cause) != 0 || store_commit(iv->store, cause) != 0) {
		store_rollback(iv->store);
		reload(iv, NULL);
		return -1;
	}
	layout(iv);
	iv->current = find_step(iv, &here);
	return 0;
}

char *
interview_problem(const struct interview *iv, size_t i, const char *lang)
{
	const struct step *st = &iv->steps[i];
	const struct question *q;
	const char *v;

	if (st->kind != STEP_QUESTION)
		return NULL;
	q = iv->form->questions[st->q];
	if (!question_has_value(q))
		return NULL;
	v = interview_value(iv, st->q, st->entry);
	if (str_eq(interview_carried(iv, st->q, st->entry),
	    INTERVIEW_FROM_HOUSEHOLD))
		return xstrdup(_("filled from the household register: confirm it "
		    "(Enter) or change it"));
	if (interview_carried(iv, st->q, st->entry) != NULL)
		return xasprintf(_("carried over from round %s: confirm it (Enter) "
		    "or change it"), interview_carried(iv, st->q, st->entry));
	if ((v == NULL || *v == '\0') && is_required(iv, st->q, st->entry))
		return required_message(iv, st->q, lang);
	if (!meets_constraint(iv, st->q, st->entry, v))
		return constraint_message(iv, st->q, lang);
	return NULL;
}

size_t
interview_problems(const struct interview *iv, size_t *first)
{
	size_t i, n = 0;

	for (i = 0; i < iv->nsteps; i++) {
		char *p = interview_problem(iv, i, NULL);

		if (p != NULL && n++ == 0)
			*first = i;
		free(p);
	}
	return n;
}

size_t
interview_total(const struct interview *iv)
{
	size_t i, n = 0;

	for (i = 0; i < iv->nsteps; i++)
		n += iv->steps[i].kind == STEP_QUESTION &&
		    question_has_value(iv->form->questions[iv->steps[i].q]);
	return n;
}

size_t
interview_answered(const struct interview *iv)
{
	size_t i, n = 0;

	for (i = 0; i < iv->nsteps; i++) {
		const struct step *s = &iv->steps[i];

		n += s->kind == STEP_QUESTION &&
		    question_has_value(iv->form->questions[s->q]) &&
		    interview_value(iv, s->q, s->entry) != NULL;
	}
	return n;
}

void
interview_count_answered(struct store *s, struct record_info *recs, size_t n)
{
	struct form_cache cache = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		const struct form *f = formcache_get(&cache, s, recs[i].form_ref,
		    NULL);
		struct interview *iv = f ? interview_open(s, f, &recs[i], NULL) :
		    NULL;

		if (iv != NULL)
			recs[i].answered = (long)interview_answered(iv);
		interview_free(iv);
	}
	formcache_free(&cache);
}

/* Whether two interviews on one form hold the same answers: values, what
 * was stored empty, marks of answers carried over, and repeat entries. */
static bool
same_answers(const struct interview *a, const struct interview *b)
{
	const struct interview *pair[2] = { a, b };
	size_t k, i;

	for (i = 0; i <= a->form->ngroups; i++)
		if (a->entries[i] != b->entries[i])
			return false;
	for (k = 0; k < 2; k++) {
		const struct interview *x = pair[k], *y = pair[1 - k];

		for (i = 0; i < x->nslots; i++) {
			const struct answer_slot *sx = &x->slots[i], *sy;

			if (!sx->used)
				continue;
			sy = slot_find(y, sx->q, sx->entry);
			if (sy == NULL) {
				if (sx->seen || sx->value != NULL || sx->carried != NULL)
					return false;
			} else if (sx->seen != sy->seen || !str_eq(sx->value, sy->value) ||
			    !str_eq(sx->carried, sy->carried))
				return false;
		}
	}
	return true;
}

/* Takes the answers of fresh (read from the database) in place of iv's,
 * keeping the interviewer on the same step; frees fresh. */
static void
adopt(struct interview *iv, struct interview *fresh)
{
	struct step was = iv->nsteps ? iv->steps[iv->current] : (struct step){ 0 };
	struct answer_slot *slots = iv->slots;
	size_t nslots = iv->nslots, used = iv->used;
	long *entries = iv->entries;

	iv->slots = fresh->slots;
	iv->nslots = fresh->nslots;
	iv->used = fresh->used;
	iv->entries = fresh->entries;
	iv->today = fresh->today;
	fresh->slots = slots;
	fresh->nslots = nslots;
	fresh->used = used;
	fresh->entries = entries;
	interview_free(fresh);
	rel_forget_all(iv);
	layout(iv);
	iv->current = find_step(iv, &was);
}

/* Writes the answers to from_household questions that the register can
 * take (head, phone, address) into the household's register, where they
 * differ (inside the caller's transaction). */
static int
write_back(const struct interview *iv, const char *household, char **cause)
{
	const struct form *f = iv->form;
	size_t q;

	if (household == NULL || *household == '\0')
		return 0;
	for (q = 0; q < f->nquestions; q++) {
		const struct question *qq = f->questions[q];
		const char *v;

		if ((qq->from_household != HF_HEAD && qq->from_household != HF_PHONE &&
		    qq->from_household != HF_ADDRESS) || qq->repeat != NULL ||
		    !interview_relevant(iv, q, 0) ||
		    (v = interview_value(iv, q, 0)) == NULL || *v == '\0')
			continue;
		if (household_take_answer(iv->store, household, qq->from_household,
		    v, cause) < 0)
			return -1;
	}
	return 0;
}

int
interview_seal(const struct interview *now, const struct record_info *rec,
    const char *xml, char **cause)
{
	const struct form *f = now->form;
	struct seal_files sealed;
	struct buf needs = { 0 };
	const char **keep = NULL;
	size_t i, nkeep = 0;
	int rc;

	if (seal_record(f->public_key, f->id, f->version, rec->instance_id, xml,
	    strlen(xml), &sealed, cause) != 0)
		return -1;
	if (f->sealed_keeps_needs) {
		for (i = 0; i < f->nneeds; i++)
			if (interview_need(now, i))
				buf_printf(&needs, "%s%s", needs.len ? " " : "",
				    f->needs[i].id);
	}
	if (f->sealed_keeps_prefill) {
		keep = xcalloc(f->nquestions + 1, sizeof *keep);
		for (i = 0; i < f->nquestions; i++)
			if (f->questions[i]->prefill)
				keep[nkeep++] = f->questions[i]->name;
	}
	rc = store_record_seal(now->store, now->record, sealed.manifest, xml,
	    sealed.enc, sealed.enc_len, f->sealed_keeps_needs ? (needs.data ? needs.data : "") : NULL, keep, nkeep,
	    cause);
	free(keep);
	buf_free(&needs);
	seal_files_clear(&sealed);
	return rc;
}

/* Closes the audit log of a finalized interview (as Collect does: save,
 * exit, finalize) and keeps it as the record's audit.csv. */
static int
audit_finish(struct interview *iv, char **cause)
{
	long long now = now_ms();
	char *csv;
	int rc;

	if (audit_close(iv, now, cause) != 0 ||
	    audit_event(iv, "form save", now, 0, NULL, NULL, NULL, cause) != 0 ||
	    audit_event(iv, "form exit", now, 0, NULL, NULL, NULL, cause) != 0 ||
	    audit_event(iv, "form finalize", now, 0, NULL, NULL, NULL, cause) != 0)
		return -1;
	if ((csv = store_audit_csv(iv->store, iv->record, cause)) == NULL)
		return -1;
	rc = store_record_file_put(iv->store, iv->record, "audit.csv", "text/csv",
	    csv, strlen(csv), cause);
	free(csv);
	return rc;
}

int
interview_finalize(struct interview *iv, size_t *first_bad, size_t *nbad,
    char **cause)
{
	struct record_info rec;
	struct interview *now;
	char *xml, *tail;
	int rc;

	*nbad = 0;
	/* One write transaction from reading the answers to the status:
	 * nothing can change in between. */
	if (write_begin(iv, cause) != 0)
		return -1;
	if (store_record_get(iv->store, iv->record, &rec, cause) != 0) {
		store_rollback(iv->store);
		return -1;
	}
	now = open_record(iv->store, iv->form, false, &rec, cause);
	if (now == NULL) {
		store_record_clear(&rec);
		store_rollback(iv->store);
		return -1;
	}
	/* today() as the interviewer has seen it, even past midnight. */
	if (now->today != iv->today) {
		now->today = iv->today;
		calculate(now, false, NULL);
		layout(now);
	}
	if (!same_answers(iv, now)) {
		/* Changed elsewhere: show what is there rather than finalize
		 * what the interviewer has not seen. */
		store_rollback(iv->store);
		store_record_clear(&rec);
		adopt(iv, now);
		return 2;
	}
	*nbad = interview_problems(now, first_bad);
	if (*nbad > 0) {
		store_rollback(iv->store);
		store_record_clear(&rec);
		interview_free(now);
		return 1;
	}
	if (iv->audit_user != NULL && audit_finish(iv, cause) != 0) {
		store_rollback(iv->store);
		store_record_clear(&rec);
		interview_free(now);
		return -1;
	}
	/* A form with entities: the household's entity block goes in. */
	if ((tail = entity_stamp(iv->store, now, &rec, cause)) == NULL) {
		store_rollback(iv->store);
		store_record_clear(&rec);
		interview_free(now);
		return -1;
	}
	xml = xml_instance_meta(now, &rec, tail);
	free(tail);
	if (iv->form->public_key != NULL)
		rc = interview_seal(now, &rec, xml, cause);
	else
		rc = store_record_finalize(iv->store, iv->record, xml, cause);
	explicit_bzero(xml, strlen(xml));
	free(xml);
	if (rc == 0)
		rc = write_back(now, rec.household, cause);
	if (rc == 0)
		rc = trail_add(iv->store, &(struct trail_entry){ .what = "finalize",
		    .record = iv->record }, cause);
	store_record_clear(&rec);
	interview_free(now);
	if (rc != 0) {
		store_rollback(iv->store);
		return -1;
	}
	if (store_commit(iv->store, cause) != 0)
		return -1;
	/* Sealed: the log that held the typed answers is emptied by the
	 * caller's store_scrub, once the interviewer has seen this. */
	/* The log is sent as it is now: nothing more is added to it. */
	free(iv->audit_user);
	iv->audit_user = NULL;
	return 0;
}

/* The answers that apply: a question that is not relevant now has no
 * answer, whatever was stored before it stopped being asked (as the
 * export leaves it out). Relevance is itself judged on the answers that
 * apply; each question outside repeats is judged once per evaluation. */
struct applying {
	const struct interview *iv;
	signed char *memo;	/* per question: 0 unknown, 1 yes, 2 no, 3 busy */
	int depth;
};

static bool applies(struct applying *a, size_t q, long entry);

static const char *
applying_answer(void *ctx, long q, long entry)
{
	struct applying *a = ctx;

	return applies(a, (size_t)q, entry) ?
	    interview_value(a->iv, (size_t)q, entry) : NULL;
}

static enum value_kind
applying_kind(void *ctx, long q)
{
	return env_kind((void *)(uintptr_t)((struct applying *)ctx)->iv, q);
}

static long
applying_repeat_of(void *ctx, long q)
{
	return env_repeat_of((void *)(uintptr_t)((struct applying *)ctx)->iv, q);
}

static long
applying_entries(void *ctx, long g)
{
	return env_entries((void *)(uintptr_t)((struct applying *)ctx)->iv, g);
}

static bool
applying_truthy(struct applying *a, const struct expr *e, long entry)
{
	struct expr_env env;
	struct value v;
	bool b;

	env.answer = applying_answer;
	env.kind = applying_kind;
	env.repeat_of = applying_repeat_of;
	env.entries = applying_entries;
	env.ctx = a;
	env.entry = entry;
	env.dot = NULL;
	env.today = a->iv->today;
	v = expr_eval(e, &env);
	b = value_truthy(&v);
	value_free(&v);
	return b;
}

static bool
applies(struct applying *a, size_t q, long entry)
{
	const struct question *qq = a->iv->form->questions[q];
	const struct group *g;
	bool memo = entry == 0 && qq->repeat == NULL, yes = true;

	if (memo && a->memo[q] != 0)
		return a->memo[q] != 2;	/* busy: a cycle, judged as asked */
	if (a->depth > 64)
		return true;
	if (memo)
		a->memo[q] = 3;
	a->depth++;
	if (qq->relevant != NULL && !applying_truthy(a, qq->relevant, entry))
		yes = false;
	for (g = qq->group; yes && g != NULL; g = g->parent)
		if (g->relevant != NULL && !applying_truthy(a, g->relevant,
		    g->repeat ? 0 : entry))
			yes = false;
	a->depth--;
	if (memo)
		a->memo[q] = yes ? 1 : 2;
	return yes;
}

bool
interview_needs_known(const struct interview *iv)
{
	return !iv->sealed || iv->sealed_needs != NULL;
}

bool
interview_need(const struct interview *iv, size_t i)
{
	const struct need *n = &iv->form->needs[i];
	struct applying a;
	bool yes;

	if (iv->sealed) {
		/* Only what the form let the record keep in plain text. */
		const char *p = iv->sealed_needs;
		size_t len = strlen(n->id);

		while (p != NULL && (p = strstr(p, n->id)) != NULL) {
			if ((p == iv->sealed_needs || p[-1] == ' ') &&
			    (p[len] == ' ' || p[len] == '\0'))
				return true;
			p += len;
		}
		return false;
	}
	if (n->when == NULL)
		return false;
	a.iv = iv;
	a.memo = xcalloc(iv->form->nquestions + 1, sizeof *a.memo);
	a.depth = 0;
	yes = applying_truthy(&a, n->when, 0);
	free(a.memo);
	return yes;
}
