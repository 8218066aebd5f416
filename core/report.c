#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "formcache.h"
#include "i18n.h"
#include "interview.h"
#include "text.h"
#include "util.h"
#include "xml.h"

static const char *
or_none(const char *s, const char *none)
{
	return s != NULL && *s != '\0' ? s : none;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long
index_of(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (long)i;
	return -1;
}

/* Sites are one column whatever the case of their Latin letters:
 * Beijing and beijing are one site. */
static int
site_cmp(const char *a, const char *b)
{
	return strcasecmp(a, b);
}

static int
site_sort(const void *a, const void *b)
{
	int c = site_cmp(*(char *const *)a, *(char *const *)b);

	return c != 0 ? c : strcmp(*(char *const *)a, *(char *const *)b);
}

static long
site_index(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (site_cmp(v[i], s) == 0)
			return (long)i;
	return -1;
}

/* Whether a record is of the site asked for (NULL: every site; "": no site). */
static bool
site_matches(const struct record_info *rec, const char *site)
{
	return site == NULL || site_cmp(or_none(rec->site, ""), site) == 0;
}

/* The need areas a record flags, by the report's need index. */
struct flags {
	bool done;
	bool refused;	/* the form's not_assessed answer: no assessment */
	bool *on;
	bool unknown;	/* sealed, its needs not kept in plain text */
};

static bool
flags_of(struct report *r, struct form_cache *fc, struct store *s,
    const struct record_info *rec, struct flags *fl, const char *lang,
    bool count_choices, char **cause)
{
	const struct form *f;
	struct interview *iv;
	size_t i, k;

	if (fl->done && !count_choices)
		return true;
	if ((f = formcache_get(fc, s, rec->form_ref, cause)) == NULL)
		return false;
	if ((iv = interview_open(s, f, rec, cause)) == NULL)
		return false;
	if (!fl->done) {
		fl->refused = f->not_assessed_q >= 0 &&
		    interview_relevant(iv, (size_t)f->not_assessed_q, 0) &&
		    form_not_assessed(f, interview_value(iv,
		    (size_t)f->not_assessed_q, 0));
		fl->unknown = !interview_needs_known(iv);
		fl->on = xcalloc(r->nneeds + 1, sizeof *fl->on);
		for (i = 0; i < f->nneeds; i++) {
			long at = -1;

			for (k = 0; k < r->nneeds; k++)
				if (strcmp(r->needs[k].id, f->needs[i].id) == 0)
					at = (long)k;
			if (at >= 0 && interview_need(iv, i))
				fl->on[at] = true;
		}
		fl->done = true;
	}
	for (i = 0; count_choices && !fl->refused && i < f->nquestions; i++) {
		const struct question *q = f->questions[i];
		const char *v, *ql;

		if ((q->type != QT_SELECT_ONE && q->type != QT_SELECT_MULTIPLE) ||
		    q->repeat != NULL || !interview_relevant(iv, i, 0) ||
		    (v = interview_value(iv, i, 0)) == NULL)
			continue;
		ql = form_text(f, &q->label, lang);
		for (k = 0; k < q->choices->n; k++) {
			const char *cl = form_text(f, &q->choices->v[k].label, lang);
			const char *val = q->choices->v[k].value;
			size_t j, len = strlen(val);
			const char *p = v;
			bool chose = false;

			while ((p = strstr(p, val)) != NULL) {
				if ((p == v || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0')) {
					chose = true;
					break;
				}
				p += len;
			}
			for (j = 0; j < r->nchoices; j++)
				if (strcmp(r->choices[j].question, ql) == 0 &&
				    strcmp(r->choices[j].choice, cl) == 0)
					break;
			if (j == r->nchoices) {
				r->choices = xreallocarray(r->choices, r->nchoices + 1,
				    sizeof *r->choices);
				memset(&r->choices[j], 0, sizeof *r->choices);
				r->choices[j].question = xstrdup(ql);
				r->choices[j].choice = xstrdup(cl);
				r->nchoices++;
			}
			r->choices[j].base++;
			r->choices[j].n += chose;
		}
	}
	interview_free(iv);
	return true;
}

/* A record held while its household is read: a copy, and its flags. */
struct held {
	struct record_info rec;
	struct flags fl;
	bool set;
};

/* The report reads the records twice, one at a time from one snapshot:
 * oldest first for the need areas, rounds and sites, then household by
 * household (an index's order) keeping only that household's latest
 * record and those of the two rounds compared. */
struct report_walk {
	struct report *r;
	struct store *s;
	struct form_cache fc;
	const char *round, *site, *lang;
	/* The rounds and sites of the records of forms with need areas
	 * ([1]) and of every record ([0]): which count is known at the end. */
	char **rounds[2], **sites[2];
	size_t nrounds[2], nsites[2];
	/* The household being read. */
	char *key;
	struct held latest, from, to;
};

static void
held_clear(struct held *h)
{
	store_record_clear(&h->rec);
	free(h->fl.on);
	memset(h, 0, sizeof *h);
}

static void
held_set(struct held *h, const struct record_info *rec)
{
	held_clear(h);
	h->rec = *rec;
	h->rec.instance_id = rec->instance_id ? xstrdup(rec->instance_id) : NULL;
	h->rec.form_id = rec->form_id ? xstrdup(rec->form_id) : NULL;
	h->rec.form_version = rec->form_version ? xstrdup(rec->form_version) : NULL;
	h->rec.household = rec->household ? xstrdup(rec->household) : NULL;
	h->rec.round = rec->round ? xstrdup(rec->round) : NULL;
	h->rec.site = rec->site ? xstrdup(rec->site) : NULL;
	h->rec.interviewer = rec->interviewer ? xstrdup(rec->interviewer) : NULL;
	h->rec.status = rec->status ? xstrdup(rec->status) : NULL;
	h->rec.started_at = rec->started_at ? xstrdup(rec->started_at) : NULL;
	h->rec.updated_at = rec->updated_at ? xstrdup(rec->updated_at) : NULL;
	h->rec.finalized_at = rec->finalized_at ? xstrdup(rec->finalized_at) :
	    NULL;
	h->rec.position = rec->position ? xstrdup(rec->position) : NULL;
	h->set = true;
}

/* Pass 1: the need areas (by id, first label met), rounds and sites. */
static int
walk_needs(const struct record_info *rec, void *ctx, char **cause)
{
	struct report_walk *w = ctx;
	struct report *r = w->r;
	const struct form *f = formcache_get(&w->fc, w->s, rec->form_ref, cause);
	size_t j, k;
	int with;

	if (f == NULL)
		return -1;
	for (j = 0; j < f->nneeds; j++) {
		for (k = 0; k < r->nneeds; k++)
			if (strcmp(r->needs[k].id, f->needs[j].id) == 0)
				break;
		if (k == r->nneeds) {
			r->needs = xreallocarray(r->needs, r->nneeds + 1,
			    sizeof *r->needs);
			memset(&r->needs[k], 0, sizeof *r->needs);
			r->needs[k].id = xstrdup(f->needs[j].id);
			r->needs[k].label = xstrdup(form_text(f, &f->needs[j].label,
			    w->lang));
			r->nneeds++;
		}
	}
	if (!site_matches(rec, w->site))
		return 0;
	for (with = 0; with < (f->nneeds > 0 ? 2 : 1); with++) {
		/* No round is not a round to compare with: its records
		 * count, and say so on a line of their own. */
		if (*or_none(rec->round, "") != '\0' &&
		    index_of(w->rounds[with], w->nrounds[with], rec->round) < 0) {
			w->rounds[with] = xreallocarray(w->rounds[with],
			    w->nrounds[with] + 1, sizeof *w->rounds[with]);
			w->rounds[with][w->nrounds[with]++] = xstrdup(rec->round);
		}
		if (site_index(w->sites[with], w->nsites[with],
		    or_none(rec->site, "")) < 0) {
			w->sites[with] = xreallocarray(w->sites[with],
			    w->nsites[with] + 1, sizeof *w->sites[with]);
			w->sites[with][w->nsites[with]++] = xstrdup(or_none(rec->site,
			    ""));
		}
	}
	return 0;
}

/* Counts the household read (its latest record, and the change between
 * the two rounds compared), then lets it go. */
static int
household_done(struct report_walk *w, char **cause)
{
	struct report *r = w->r;
	struct held *latest = &w->latest;
	struct flags *ff, *tf;
	size_t k;
	int rc = -1;

	if (latest->set) {
		long si = site_index(r->sites, r->nsites, or_none(latest->rec.site,
		    ""));

		if (index_of(r->forms, r->nforms, latest->rec.form_id) < 0) {
			r->forms = xreallocarray(r->forms, r->nforms + 1,
			    sizeof *r->forms);
			r->forms[r->nforms++] = xstrdup(latest->rec.form_id);
		}
		if (!flags_of(r, &w->fc, w->s, &latest->rec, &latest->fl, w->lang,
		    true, cause))
			goto done;
		if (latest->fl.refused) {
			r->refused++;
			r->site_refused[si]++;
		} else {
			r->households++;
			r->sealed_unknown += latest->fl.unknown;
			r->no_round += *or_none(latest->rec.round, "") == '\0';
			r->site_households[si]++;
			for (k = 0; k < r->nneeds; k++)
				if (latest->fl.on[k]) {
					r->needs[k].households++;
					r->needs[k].by_site[si]++;
				}
		}
	}
	if (w->from.set && w->to.set) {
		/* The same record as the latest: its flags are known. */
		ff = latest->set && latest->rec.id == w->from.rec.id ? &latest->fl :
		    &w->from.fl;
		tf = latest->set && latest->rec.id == w->to.rec.id ? &latest->fl :
		    &w->to.fl;
		if (!flags_of(r, &w->fc, w->s, &w->from.rec, ff, w->lang, false,
		    cause) || !flags_of(r, &w->fc, w->s, &w->to.rec, tf, w->lang,
		    false, cause))
			goto done;
		/* A refusal in either round is no assessment to compare. */
		if (!ff->refused && !tf->refused) {
			r->compared++;
			for (k = 0; k < r->nneeds; k++) {
				bool a = ff->on[k], b = tf->on[k];

				r->needs[k].gained += !a && b;
				r->needs[k].lost += a && !b;
				r->needs[k].kept += a && b;
			}
		}
	}
	rc = 0;
done:
	held_clear(&w->latest);
	held_clear(&w->from);
	held_clear(&w->to);
	return rc;
}

/* Pass 2: one record, household by household. */
static int
walk_households(const struct record_info *rec, void *ctx, char **cause)
{
	struct report_walk *w = ctx;
	struct report *r = w->r;
	const struct form *f = formcache_get(&w->fc, w->s, rec->form_ref, cause);
	const char *key = or_none(rec->household, rec->instance_id), *rr;

	if (f == NULL)
		return -1;
	/* Only interviews of forms with need areas are assessments: a
	 * follow-up form without them never hides one (unless no form has
	 * any, when every interview counts). */
	if (r->nneeds > 0 && f->nneeds == 0)
		return 0;
	if (w->key == NULL || strcmp(w->key, key) != 0) {
		if (w->key != NULL && household_done(w, cause) != 0)
			return -1;
		free(w->key);
		w->key = xstrdup(key);
	}
	if (!site_matches(rec, w->site))
		return 0;
	rr = or_none(rec->round, "");
	if (w->round == NULL || strcmp(rr, w->round) == 0)
		held_set(&w->latest, rec);
	if (r->from_round && strcmp(rr, r->from_round) == 0)
		held_set(&w->from, rec);
	if (r->to_round && strcmp(rr, r->to_round) == 0)
		held_set(&w->to, rec);
	return 0;
}

int
report_build(struct store *s, const char *round, const char *site,
    const char *lang, struct report *r, char **cause)
{
	struct report_walk w = { 0 };
	size_t i, k;
	int with, rc = -1;
	bool own = false;

	memset(r, 0, sizeof *r);
	{
		char now[40];

		iso8601_now(now, sizeof now);
		snprintf(r->date, sizeof r->date, "%.10s", now);
	}
	w.r = r;
	w.s = s;
	w.round = round;
	w.site = site;
	w.lang = lang;
	/* Both walks from one snapshot. */
	if (store_read_begin(s, &own, cause) != 0)
		return -1;
	if (store_records_each(s, STORE_DONE, walk_needs, &w, cause) != 0)
		goto done;
	/* The rounds and sites of what counts. */
	with = r->nneeds > 0;
	r->sites = w.sites[with];
	r->nsites = w.nsites[with];
	w.sites[with] = NULL;
	w.nsites[with] = 0;
	if (w.nrounds[with] > 1)
		qsort(w.rounds[with], w.nrounds[with], sizeof *w.rounds[with],
		    str_cmp);
	if (r->nsites > 1)
		qsort(r->sites, r->nsites, sizeof *r->sites, site_sort);
	r->site_households = xcalloc(r->nsites + 1, sizeof *r->site_households);
	r->site_refused = xcalloc(r->nsites + 1, sizeof *r->site_refused);
	for (k = 0; k < r->nneeds; k++)
		r->needs[k].by_site = xcalloc(r->nsites + 1, sizeof *r->needs[k].by_site);
	r->round = round ? xstrdup(round) : NULL;
	/* The comparison: the round reported (or the last) and the one before. */
	{
		char **rounds = w.rounds[with];
		size_t nrounds = w.nrounds[with];
		long to = round ? index_of(rounds, nrounds, round) : (long)nrounds - 1;

		if (to > 0 && rounds != NULL) {
			r->to_round = xstrdup(rounds[to]);
			r->from_round = xstrdup(rounds[to - 1]);
		}
	}
	/* One household at a time: its run of records. */
	if (store_records_by_household(s, walk_households, &w, cause) != 0 ||
	    (w.key != NULL && household_done(&w, cause) != 0))
		goto done;
	if (r->nforms > 1)
		qsort(r->forms, r->nforms, sizeof *r->forms, str_cmp);
	rc = 0;
done:
	store_read_end(s, own);
	held_clear(&w.latest);
	held_clear(&w.from);
	held_clear(&w.to);
	free(w.key);
	for (with = 0; with < 2; with++) {
		for (i = 0; i < w.nrounds[with]; i++)
			free(w.rounds[with][i]);
		free(w.rounds[with]);
		for (i = 0; i < w.nsites[with]; i++)
			free(w.sites[with][i]);
		free(w.sites[with]);
	}
	formcache_free(&w.fc);
	if (rc != 0)
		report_free(r);
	return rc;
}

void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsites; i++)
		free(r->sites[i]);
	free(r->sites);
	free(r->site_households);
	free(r->site_refused);
	for (i = 0; i < r->nneeds; i++) {
		free(r->needs[i].id);
		free(r->needs[i].label);
		free(r->needs[i].by_site);
	}
	free(r->needs);
	for (i = 0; i < r->nchoices; i++) {
		free(r->choices[i].question);
		free(r->choices[i].choice);
	}
	free(r->choices);
	free(r->round);
	free(r->from_round);
	free(r->to_round);
	for (i = 0; i < r->nforms; i++)
		free(r->forms[i]);
	free(r->forms);
	memset(r, 0, sizeof *r);
}

static double
share(long n, long base)
{
	return base > 0 ? 100.0 * (double)n / (double)base : 0.0;
}

/* A site as shown: its name, or "no site" for records without one. */
static const char *
site_shown(const char *site)
{
	return *site != '\0' ? site : _("no site");
}

/* Appends s padded (or cut) to exactly width columns. */
static void
pad(struct buf *b, const char *s, int width)
{
	char *clean = text_sanitize(s, false);
	size_t fit = text_fit(clean, width);
	int w;

	buf_add(b, clean, fit);
	clean[fit] = '\0';
	for (w = text_width(clean); w < width; w++)
		buf_addc(b, ' ');
	free(clean);
}

/* Appends s cut to width columns and aligned right, by display width
 * (printf's %10s counts bytes: a Chinese word came out too narrow). */
static void
rpad(struct buf *b, const char *s, int width)
{
	char *clean = text_sanitize(s, false);
	size_t fit = text_fit(clean, width);
	int w;

	clean[fit] = '\0';
	for (w = text_width(clean); w < width; w++)
		buf_addc(b, ' ');
	buf_add(b, clean, fit);
	free(clean);
}

/* A bar of width columns for a share, in eighths of a block. */
static void
bar(struct buf *b, double pct, int width)
{
	static const char *const eighths[] = {
		"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"
	};
	long units = (long)(pct / 100.0 * width * 8 + 0.5), i;

	for (i = 0; i < units / 8; i++)
		buf_adds(b, "█");
	buf_adds(b, eighths[units % 8]);
}

/* The lines that say what the figures are of: the households assessed,
 * those not assessed (refusals), those without a round; in a shared
 * report, a hidden count says "fewer than" the threshold. */
static char *
report_heading(const struct report *r, char **refused, char **no_round)
{
	char *round = text_sanitize(r->round ? r->round : _("every round"), false);
	char *head = r->households == REPORT_HIDDEN ? xasprintf(_("Needs report: "
	    "%s; fewer than %ld households assessed"), round, r->share_threshold) :
	    xasprintf(_("Needs report: %s; %ld household(s) assessed"), round,
	    r->households);

	free(round);
	*refused = r->refused == REPORT_HIDDEN ? xasprintf(_("Not assessed "
	    "(refused): fewer than %ld households; not counted in the shares"),
	    r->share_threshold) : r->refused > 0 ? xasprintf(_("Not assessed "
	    "(refused): %ld household(s); not counted in the shares"),
	    r->refused) : NULL;
	*no_round = r->no_round == REPORT_HIDDEN ? xasprintf(_("no round: fewer "
	    "than %ld households assessed in an interview without a round"),
	    r->share_threshold) : r->no_round > 0 ? xasprintf(_("no round: %ld "
	    "household(s) assessed in an interview without a round"),
	    r->no_round) : NULL;
	return head;
}

/* Hides a count below the threshold (0 is shown). */
static void
hide_small(struct report *r, long *v)
{
	if (*v > 0 && *v < r->share_threshold) {
		*v = REPORT_HIDDEN;
		r->hidden++;
	}
}

/* In parts (stride apart) that add up to *total: when exactly one is
 * hidden, hides the smallest other that is not 0; when there is none,
 * the total. */
static void
hide_complement(struct report *r, long *parts, size_t n, size_t stride,
    long *total)
{
	size_t i, hidden = 0, pick = n;

#define PART(i) (*(long *)((char *)parts + (i) * stride))
	if (*total > 0 && *total < r->share_threshold) {
		*total = REPORT_HIDDEN;
		r->hidden++;
	}
	if (*total == REPORT_HIDDEN)
		return;
	for (i = 0; i < n; i++)
		hidden += PART(i) == REPORT_HIDDEN;
	if (hidden != 1)
		return;
	for (i = 0; i < n; i++)
		if (PART(i) > 0 && (pick == n || PART(i) < PART(pick)))
			pick = i;
	if (pick < n)
		PART(pick) = REPORT_HIDDEN;
	else
		*total = REPORT_HIDDEN;
	r->hidden++;
#undef PART
}

void
report_share(struct report *r, long threshold)
{
	size_t i, k, first;

	r->share_threshold = threshold;
	for (i = 0; i < r->nsites; i++)
		hide_small(r, &r->site_households[i]);
	hide_complement(r, r->site_households, r->nsites, sizeof(long),
	    &r->households);
	for (k = 0; k < r->nneeds; k++) {
		struct report_need *nd = &r->needs[k];

		for (i = 0; i < r->nsites; i++)
			hide_small(r, &nd->by_site[i]);
		hide_complement(r, nd->by_site, r->nsites, sizeof(long),
		    &nd->households);
		hide_small(r, &nd->gained);
		hide_small(r, &nd->lost);
		hide_small(r, &nd->kept);
	}
	for (i = 0; i < r->nsites; i++)
		hide_small(r, &r->site_refused[i]);
	hide_complement(r, r->site_refused, r->nsites, sizeof(long),
	    &r->refused);
	hide_small(r, &r->no_round);
	hide_small(r, &r->sealed_unknown);
	hide_small(r, &r->compared);
	/* The choices of one question against the households that answered. */
	for (first = 0; first < r->nchoices; first = i) {
		long base = r->choices[first].base;

		for (i = first; i < r->nchoices &&
		    strcmp(r->choices[i].question, r->choices[first].question) == 0; i++)
			hide_small(r, &r->choices[i].n);
		hide_complement(r, &r->choices[first].n, i - first,
		    sizeof *r->choices, &base);
		for (k = first; k < i; k++)
			r->choices[k].base = base;
	}
}

/* A count in width columns, or "*" when hidden. */
static void
count_cell(struct buf *b, int width, long v)
{
	if (v == REPORT_HIDDEN)
		buf_printf(b, "%*s", width, "*");
	else
		buf_printf(b, "%*ld", width, v);
}

/* A share of n in base as "%5.1f%%", or "*" when either is hidden. */
static void
share_cell(struct buf *b, int width, long n, long base)
{
	if (n == REPORT_HIDDEN || base == REPORT_HIDDEN)
		buf_printf(b, "%*s", width, "*");
	else
		buf_printf(b, "%*.1f%%", width - 1, share(n, base));
}

/* The note under a shared report. */
static void
share_note(struct buf *b, const struct report *r)
{
	if (r->share_threshold <= 0)
		return;
	buf_addc(b, '\n');
	buf_printf(b, _("Shared: counts below %ld are hidden (*), and so is one "
	    "more count wherever the hidden one could be worked out from a "
	    "total; %ld count(s) hidden."), r->share_threshold, r->hidden);
	buf_addc(b, '\n');
}

char *
report_text(const struct report *r)
{
	struct buf b = { 0 };
	size_t i, k, nshown = r->nsites < 5 ? r->nsites : 5;
	const char *last = "";
	char *refused, *no_round, *head = report_heading(r, &refused, &no_round);

	buf_adds(&b, head);
	buf_addc(&b, '\n');
	if (refused != NULL) {
		buf_adds(&b, refused);
		buf_addc(&b, '\n');
	}
	if (r->sealed_unknown != 0) {
		if (r->sealed_unknown == REPORT_HIDDEN)
			buf_adds(&b, _("sealed: some households' latest interviews are "
			    "sealed and keep no need areas in plain text; they flag "
			    "none here"));
		else
			buf_printf(&b, _("sealed: %ld household(s)' latest interview is "
			    "sealed and keeps no need areas in plain text; they flag "
			    "none here"), r->sealed_unknown);
		buf_addc(&b, '\n');
	}
	if (no_round != NULL) {
		buf_adds(&b, no_round);
		buf_addc(&b, '\n');
	}
	free(head);
	free(refused);
	free(no_round);
	if (r->nforms > 0) {
		struct buf forms = { 0 };

		for (i = 0; i < r->nforms; i++) {
			if (i > 0)
				buf_adds(&forms, ", ");
			buf_adds(&forms, r->forms[i]);
		}
		char *line = xasprintf(_("Counted: each household's latest "
		    "interview of a form with need areas: %s"), forms.data);
		char *clean = text_sanitize(line, false);
		struct text_line *lines;
		size_t nl = text_wrap(clean, 80, &lines), l;

		for (l = 0; l < nl; l++) {
			buf_add(&b, clean + lines[l].off, lines[l].len);
			buf_addc(&b, '\n');
		}
		free(lines);
		free(clean);
		free(line);
		buf_free(&forms);
	}
	buf_addc(&b, '\n');
	if (r->households == 0) {
		buf_adds(&b, _("No finalized interview matches."));
		buf_addc(&b, '\n');
		return buf_steal(&b);
	}
	if (r->households == REPORT_HIDDEN) {
		share_note(&b, r);
		return buf_steal(&b);
	}
	if (r->nneeds == 0) {
		buf_adds(&b, _("The forms have no 'needs:' section: no need areas to "
		    "count."));
		buf_addc(&b, '\n');
	} else {
		pad(&b, _("Need area"), 22);
		rpad(&b, _("homes"), 7);
		buf_addc(&b, ' ');
		rpad(&b, "%", 6);
		buf_addc(&b, '\n');
		for (k = 0; k < r->nneeds; k++) {
			const struct report_need *nd = &r->needs[k];
			double p = share(nd->households, r->households);

			pad(&b, nd->label, 22);
			count_cell(&b, 7, nd->households);
			buf_addc(&b, ' ');
			share_cell(&b, 6, nd->households, r->households);
			buf_adds(&b, "  ");
			if (nd->households != REPORT_HIDDEN)
				bar(&b, p, 40);
			buf_addc(&b, '\n');
		}
	}
	if (r->nsites > 1 && r->nneeds > 0) {
		buf_printf(&b, "\n%s\n", _("By site (share of the site's households)"));
		pad(&b, "", 22);
		/* Each column 11 wide, its header right-aligned over the
		 * figures by display width. */
		for (i = 0; i < nshown; i++) {
			buf_addc(&b, ' ');
			rpad(&b, site_shown(r->sites[i]), 10);
		}
		buf_addc(&b, '\n');
		pad(&b, _("households"), 22);
		for (i = 0; i < nshown; i++) {
			buf_addc(&b, ' ');
			count_cell(&b, 10, r->site_households[i]);
		}
		buf_addc(&b, '\n');
		if (r->refused != 0) {
			pad(&b, _("not assessed"), 22);
			for (i = 0; i < nshown; i++) {
				buf_addc(&b, ' ');
				count_cell(&b, 10, r->site_refused[i]);
			}
			buf_addc(&b, '\n');
		}
		for (k = 0; k < r->nneeds; k++) {
			pad(&b, r->needs[k].label, 22);
			for (i = 0; i < nshown; i++) {
				buf_addc(&b, ' ');
				share_cell(&b, 10, r->needs[k].by_site[i],
				    r->site_households[i]);
			}
			buf_addc(&b, '\n');
		}
	}
	if (r->from_round != NULL && r->nneeds > 0) {
		char *from = text_sanitize(r->from_round, false);
		char *to = text_sanitize(r->to_round, false);

		buf_printf(&b, "\n");
		if (r->compared == REPORT_HIDDEN)
			buf_printf(&b, _("From %s to %s (fewer than %ld households in "
			    "both)"), from, to, r->share_threshold);
		else
			buf_printf(&b, _("From %s to %s (%ld household(s) in both)"), from,
			    to, r->compared);
		buf_addc(&b, '\n');
		free(from);
		free(to);
		pad(&b, _("Need area"), 22);
		buf_addc(&b, ' ');
		rpad(&b, _("gained"), 8);
		buf_addc(&b, ' ');
		rpad(&b, _("lost"), 8);
		buf_addc(&b, ' ');
		rpad(&b, _("kept"), 8);
		buf_addc(&b, '\n');
		for (k = 0; k < r->nneeds; k++) {
			pad(&b, r->needs[k].label, 22);
			buf_addc(&b, ' ');
			count_cell(&b, 8, r->needs[k].gained);
			buf_addc(&b, ' ');
			count_cell(&b, 8, r->needs[k].lost);
			buf_addc(&b, ' ');
			count_cell(&b, 8, r->needs[k].kept);
			buf_addc(&b, '\n');
		}
	}
	for (i = 0; i < r->nchoices; i++) {
		const struct report_choice *c = &r->choices[i];
		double p = share(c->n, c->base);

		if (strcmp(c->question, last) != 0) {
			buf_addc(&b, '\n');
			pad(&b, c->question, 78);
			buf_addc(&b, '\n');
			last = c->question;
		}
		buf_adds(&b, "  ");
		pad(&b, c->choice, 30);
		count_cell(&b, 6, c->n);
		buf_addc(&b, ' ');
		share_cell(&b, 6, c->n, c->base);
		buf_adds(&b, "  ");
		if (c->n != REPORT_HIDDEN && c->base != REPORT_HIDDEN)
			bar(&b, p, 28);
		buf_addc(&b, '\n');
	}
	share_note(&b, r);
	return buf_steal(&b);
}

/* One CSV cell; an empty text is an empty cell. A text a spreadsheet
 * would take for a formula (=, +, -, @ first) is quoted and starts with
 * an apostrophe. */
static void
csv_cell(struct buf *b, const char *s)
{
	const char *p;

	if (*s == '\0')
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && strchr("=+-@", s[0]) == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	if (strchr("=+-@", s[0]) != NULL)
		buf_addc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* A number in a CSV cell, "*" when a shared report hid it. */
static void
csv_number(struct buf *b, long v)
{
	buf_addc(b, ',');
	if (v == REPORT_HIDDEN)
		buf_addc(b, '*');
	else
		buf_printf(b, "%ld", v);
}

/* A CSV row whose count, base and share are numbers (gained, lost and
 * kept left empty); "*" for what a shared report hid. */
static void
csv_row(struct buf *b, const char *section, const char *site, const char *item,
    const char *detail, long n, long base)
{
	buf_adds(b, section);
	buf_addc(b, ',');
	csv_cell(b, site);
	buf_addc(b, ',');
	csv_cell(b, item);
	buf_addc(b, ',');
	csv_cell(b, detail);
	csv_number(b, n);
	csv_number(b, base);
	if (n == REPORT_HIDDEN || base == REPORT_HIDDEN)
		buf_adds(b, ",*,,,\r\n");
	else
		buf_printf(b, ",%.1f,,,\r\n", share(n, base));
}

char *
report_csv(const struct report *r)
{
	struct buf b = { 0 };
	size_t i, k;

	/* Every column but the first four holds numbers only. */
	buf_adds(&b, "section,site,item,detail,count,base,share,gained,lost,kept\r\n");
	csv_row(&b, "households", "all", "", "", r->households, r->households);
	/* Refusals: of the households reached, not in any other base. */
	if (r->refused != 0)
		csv_row(&b, "not assessed", "all", "", "", r->refused,
		    r->refused == REPORT_HIDDEN ||
		    r->households == REPORT_HIDDEN ? REPORT_HIDDEN :
		    r->households + r->refused);
	if (r->no_round != 0)
		csv_row(&b, "no round", "all", "", "", r->no_round, r->households);
	for (i = 0; i < r->nsites; i++) {
		csv_row(&b, "households", r->sites[i], "", "", r->site_households[i],
		    r->households);
		if (r->site_refused[i] != 0)
			csv_row(&b, "not assessed", r->sites[i], "", "",
			    r->site_refused[i], r->site_refused[i] == REPORT_HIDDEN ||
			    r->site_households[i] == REPORT_HIDDEN ? REPORT_HIDDEN :
			    r->site_households[i] + r->site_refused[i]);
	}
	for (k = 0; k < r->nneeds; k++) {
		const struct report_need *nd = &r->needs[k];

		csv_row(&b, "need", "all", nd->id, nd->label, nd->households,
		    r->households);
		for (i = 0; i < r->nsites; i++)
			csv_row(&b, "need", r->sites[i], nd->id, nd->label, nd->by_site[i],
			    r->site_households[i]);
		if (r->from_round != NULL) {
			char *detail = xasprintf("%s..%s", r->from_round, r->to_round);

			/* base: the households in both rounds. */
			buf_adds(&b, "change,all,");
			csv_cell(&b, nd->id);
			buf_addc(&b, ',');
			csv_cell(&b, detail);
			buf_adds(&b, ",");
			csv_number(&b, r->compared);
			buf_adds(&b, ",");
			csv_number(&b, nd->gained);
			csv_number(&b, nd->lost);
			csv_number(&b, nd->kept);
			buf_adds(&b, "\r\n");
			free(detail);
		}
	}
	for (i = 0; i < r->nchoices; i++)
		csv_row(&b, "choice", "all", r->choices[i].question,
		    r->choices[i].choice, r->choices[i].n, r->choices[i].base);
	if (r->share_threshold > 0)
		buf_printf(&b, "shared,all,hidden,\"counts below %ld, and one more "
		    "where a total would reveal it\",%ld,,,,,\r\n", r->share_threshold,
		    r->hidden);
	return buf_steal(&b);
}

static void
html_text(struct buf *b, const char *s)
{
	xml_escape(b, s);
}

/* Bars as HTML that fit any width (a phone's too): a label, a bar as
 * wide as the share, and the figures, which say it without the colour. */
static void
html_bars(struct buf *b, const char *const *labels, const long *n,
    const long *base, size_t count)
{
	size_t i;

	buf_adds(b, "<div class=\"bars\">\n");
	for (i = 0; i < count; i++) {
		double p = share(n[i], base[i]);

		buf_adds(b, "<div class=\"row\"><span class=\"label\">");
		html_text(b, labels[i]);
		buf_printf(b, "</span><span class=\"bar\"><span style=\"width:%.1f%%\">"
		    "</span></span><span class=\"n\">%ld (%.1f%%)</span></div>\n", p,
		    n[i], p);
	}
	buf_adds(b, "</div>\n");
}

static void
html_para(struct buf *b, const char *text)
{
	buf_adds(b, "<p>");
	html_text(b, text);
	buf_adds(b, "</p>\n");
}

char *
report_html(const struct report *r)
{
	struct buf b = { 0 };
	const char **labels = xcalloc(r->nneeds + r->nchoices + 1, sizeof *labels);
	long *n = xcalloc(r->nneeds + r->nchoices + 1, sizeof *n);
	long *base = xcalloc(r->nneeds + r->nchoices + 1, sizeof *base);
	size_t i, k, start;
	char *refused, *no_round, *head = report_heading(r, &refused, &no_round);
	char *title = xasprintf(_("Needs report: %s, %s"), r->round ? r->round :
	    _("every round"), r->date);

	buf_adds(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	html_text(&b, title);
	buf_adds(&b, "</title><style>body{font-family:sans-serif;"
	    "max-width:60em;margin:1em auto;padding:0 .5em}"
	    ".wide{overflow-x:auto}td,th{padding:.2em .6em;"
	    "text-align:right}th:first-child,td:first-child{text-align:left}"
	    ".row{display:flex;flex-wrap:wrap;align-items:center;margin:.3em 0}"
	    ".label{flex:1 1 12em}.bar{flex:2 1 8em;height:1em;background:#e4e4e4}"
	    ".bar span{display:block;height:100%;background:#3a6ea5}"
	    ".n{flex:0 0 8em;text-align:right}"
	    "</style></head><body>\n<h1>");
	html_text(&b, head);
	buf_adds(&b, "</h1>\n");
	if (refused != NULL)
		html_para(&b, refused);
	if (no_round != NULL)
		html_para(&b, no_round);
	free(head);
	free(refused);
	free(no_round);
	free(title);
	for (k = 0; k < r->nneeds; k++) {
		labels[k] = r->needs[k].label;
		n[k] = r->needs[k].households;
		base[k] = r->households;
	}
	if (r->nneeds > 0) {
		buf_printf(&b, "<h2>%s</h2>\n", _("Need area"));
		html_bars(&b, labels, n, base, r->nneeds);
	}
	if (r->nsites > 1 && r->nneeds > 0) {
		buf_printf(&b, "<h2>%s</h2>\n<div class=\"wide\"><table><tr><th></th>",
		    _("By site (share of the site's households)"));
		for (i = 0; i < r->nsites; i++) {
			buf_adds(&b, "<th>");
			html_text(&b, site_shown(r->sites[i]));
			buf_adds(&b, "</th>");
		}
		buf_printf(&b, "</tr>\n<tr><td>%s</td>", _("households"));
		for (i = 0; i < r->nsites; i++)
			buf_printf(&b, "<td>%ld</td>", r->site_households[i]);
		buf_adds(&b, "</tr>\n");
		for (k = 0; k < r->nneeds; k++) {
			buf_adds(&b, "<tr><td>");
			html_text(&b, r->needs[k].label);
			buf_adds(&b, "</td>");
			for (i = 0; i < r->nsites; i++)
				buf_printf(&b, "<td>%.1f%%</td>", share(r->needs[k].by_site[i],
				    r->site_households[i]));
			buf_adds(&b, "</tr>\n");
		}
		buf_adds(&b, "</table></div>\n");
	}
	if (r->from_round != NULL && r->nneeds > 0) {
		char *line = xasprintf(_("From %s to %s (%ld household(s) in both)"),
		    r->from_round, r->to_round, r->compared);

		buf_adds(&b, "<h2>");
		html_text(&b, line);
		free(line);
		buf_printf(&b, "</h2>\n<div class=\"wide\"><table><tr><th></th>"
		    "<th>%s</th><th>%s</th><th>%s</th></tr>\n", _("gained"), _("lost"),
		    _("kept"));
		for (k = 0; k < r->nneeds; k++) {
			buf_adds(&b, "<tr><td>");
			html_text(&b, r->needs[k].label);
			buf_printf(&b, "</td><td>%ld</td><td>%ld</td><td>%ld</td></tr>\n",
			    r->needs[k].gained, r->needs[k].lost, r->needs[k].kept);
		}
		buf_adds(&b, "</table></div>\n");
	}
	for (i = 0; i < r->nchoices; i = start) {
		size_t m = 0;

		for (start = i; start < r->nchoices && strcmp(r->choices[start].question,
		    r->choices[i].question) == 0; start++) {
			labels[m] = r->choices[start].choice;
			n[m] = r->choices[start].n;
			base[m] = r->choices[start].base;
			m++;
		}
		buf_adds(&b, "<h3>");
		html_text(&b, r->choices[i].question);
		buf_adds(&b, "</h3>\n");
		html_bars(&b, labels, n, base, m);
	}
	buf_adds(&b, "</body></html>\n");
	free(labels);
	free(n);
	free(base);
	return buf_steal(&b);
}
