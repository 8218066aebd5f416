#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <nettle/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formcache.h"
#include "interview.h"
#include "seal.h"
#include "text.h"
#include "i18n.h"
#include "util.h"


/* A JSON string; bytes that are not UTF-8 become U+FFFD rather than
 * losing the value. */
static json_t *
str_or_null(const char *s)
{
	json_t *j;
	char *clean;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	clean = text_sanitize(s, true);
	j = json_string(clean);
	free(clean);
	return j ? j : json_null();
}

/* Whether a question goes into an export: not one marked identifying
 * when it is shared. */
static bool
shown(const struct question *q, const struct export_share *sh)
{
	return sh == NULL || !q->identifying;
}

char *
export_pseudonym(const struct export_share *sh, const char *kind,
    const char *value)
{
	struct hmac_sha256_ctx ctx;
	uint8_t mac[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	bool household = strcmp(kind, "household") == 0;
	char *upper = xstrdup(value), *p;
	size_t i;

	for (p = upper; household && *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	hmac_sha256_set_key(&ctx, sh->keylen, sh->key);
	hmac_sha256_update(&ctx, strlen(kind) + 1, (const uint8_t *)kind);
	hmac_sha256_update(&ctx, strlen(upper), (const uint8_t *)upper);
	hmac_sha256_digest(&ctx, sizeof mac, mac);
	free(upper);
	for (i = 0; i < sizeof mac; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return household ? xasprintf("H-%.12s", hex) : xasprintf("anon:%.32s", hex);
}

/* A text as it is shared: a pseudonym for a household or an instance, a
 * date or a time cut to its month (YYYY-MM); as it is when not shared. */
static char *
shared_text(const struct export_share *sh, const char *kind, const char *v)
{
	if (v == NULL)
		return NULL;
	if (sh == NULL || *v == '\0')
		return xstrdup(v);
	if (strcmp(kind, "date") == 0)
		return xstrndup(v, 7);
	return export_pseudonym(sh, kind, v);
}

static json_t *
shared_str(const struct export_share *sh, const char *kind, const char *v)
{
	char *t = shared_text(sh, kind, v);
	json_t *j = str_or_null(t);

	free(t);
	return j;
}

int
export_share_key(const char *path, unsigned char key[EXPORT_SHARE_KEY_BYTES],
    bool *created, char **cause)
{
	struct stat st;
	ssize_t got;
	int fd;

	*created = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (getrandom(key, EXPORT_SHARE_KEY_BYTES, 0) !=
		    EXPORT_SHARE_KEY_BYTES) {
			set_cause(cause, _("the system gave no random numbers for the "
			    "pseudonym key"));
			return -1;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    0600);
		if (fd < 0 || write(fd, key, EXPORT_SHARE_KEY_BYTES) !=
		    EXPORT_SHARE_KEY_BYTES || fsync(fd) != 0) {
			set_cause(cause, _("cannot make the pseudonym key %s: %s"), path,
			    strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			explicit_bzero(key, EXPORT_SHARE_KEY_BYTES);
			return -1;
		}
		close(fd);
		*created = true;
		return 0;
	}
	if (fd < 0) {
		set_cause(cause, _("cannot read the pseudonym key %s: %s"), path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		set_cause(cause, _("other users can read the pseudonym key %s: make "
		    "it yours alone with chmod 600 %s"), path, path);
		close(fd);
		return -1;
	}
	got = read(fd, key, EXPORT_SHARE_KEY_BYTES);
	close(fd);
	if (got != EXPORT_SHARE_KEY_BYTES) {
		set_cause(cause, _("the pseudonym key %s is damaged (it must hold "
		    "%d bytes)"), path, EXPORT_SHARE_KEY_BYTES);
		return -1;
	}
	return 0;
}

/* An answer as its JSON type: numbers as numbers, multiple choices as an
 * array, the rest as strings. */
static json_t *
answer_json(const struct question *q, const char *value)
{
	json_t *arr;
	char *copy, *tok, *save = NULL;

	if (value == NULL)
		return json_null();
	switch (q->type) {
	case QT_INTEGER:
		return json_integer(strtoll(value, NULL, 10));
	case QT_DECIMAL:
		return json_real(strtod(value, NULL));
	case QT_SELECT_MULTIPLE:
		arr = json_array();
		copy = xstrdup(value);
		for (tok = strtok_r(copy, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save))
			json_array_append_new(arr, str_or_null(tok));
		free(copy);
		return arr;
	default:
		return str_or_null(value);
	}
}

/* A calculation's value: a number when it reads as one. */
static json_t *
calc_json(const char *value)
{
	char *end;
	double x;

	if (value == NULL)
		return json_null();
	x = strtod(value, &end);
	if (*value != '\0' && *end == '\0' && isfinite(x) &&
	    strspn(value, "-0123456789.") == strlen(value)) {
		if (x == trunc(x) && fabs(x) < 1e15)
			return json_integer((json_int_t)x);
		return json_real(x);
	}
	return str_or_null(value);
}

static json_t *
value_json(const struct interview *iv, size_t q, long entry,
    const struct export_share *sh)
{
	const struct question *qq = iv->form->questions[q];
	const char *v = interview_value(iv, q, entry);

	if (sh != NULL && qq->type == QT_DATE && v != NULL)
		return shared_str(sh, "date", v);

	return qq->type == QT_CALCULATE ? calc_json(v) : answer_json(qq, v);
}

/* The answers object: relevant questions in the form's order, a repeat as
 * an array of objects, groups not nested. */
static json_t *
answers_json(const struct interview *iv, const struct export_share *sh)
{
	const struct form *f = iv->form;
	json_t *obj = json_object();
	size_t i = 0, j;

	while (i < f->nquestions) {
		const struct question *q = f->questions[i];
		const struct group *r = q->repeat;

		if (r != NULL && i == r->first) {
			if (interview_group_relevant(iv, r, 0)) {
				json_t *arr = json_array();
				long n = interview_entries(iv, r), e;

				for (e = 1; e <= n; e++) {
					json_t *entry = json_object();

					for (j = r->first; j < r->end; j++)
						if (question_has_value(f->questions[j]) &&
						    shown(f->questions[j], sh) &&
						    interview_relevant(iv, j, e))
							json_object_set_new(entry, f->questions[j]->name,
							    value_json(iv, j, e, sh));
					json_array_append_new(arr, entry);
				}
				json_object_set_new(obj, r->name, arr);
			}
			i = r->end;
			continue;
		}
		if (question_has_value(q) && shown(q, sh) &&
		    interview_relevant(iv, i, 0))
			json_object_set_new(obj, q->name, value_json(iv, i, 0, sh));
		i++;
	}
	return obj;
}

/* A sealed record's files, base64: {"manifest": ..., "submission.xml.enc":
 * ...}; NULL with *cause when they cannot be read. */
static json_t *
sealed_json(struct store *s, const struct record_info *r, char **cause)
{
	unsigned char *enc = NULL;
	size_t enc_len = 0;
	char *manifest, *b64;
	json_t *obj;

	if (store_sealed_get(s, r->id, &enc, &enc_len, NULL, cause) != 1 ||
	    (manifest = store_record_xml(s, r->id, cause)) == NULL) {
		if (cause != NULL && *cause == NULL)
			set_cause(cause, _("the sealed record %s cannot be read"),
			    r->instance_id);
		free(enc);
		return NULL;
	}
	obj = json_object();
	b64 = seal_base64((const unsigned char *)manifest, strlen(manifest));
	json_object_set_new(obj, "manifest", json_string(b64));
	free(b64);
	b64 = seal_base64(enc, enc_len);
	json_object_set_new(obj, SEAL_ENC_NAME, json_string(b64));
	free(b64);
	free(enc);
	free(manifest);
	return obj;
}

long
export_jsonl(struct store *s, FILE *out, bool all, char **cause)
{
	return export_jsonl_shared(s, out, all, NULL, cause);
}

/* The JSONL export walks the records one at a time, from one snapshot. */
struct jsonl_walk {
	struct store *s;
	struct form_cache cache;
	FILE *out;
	const struct export_share *sh;
	long written;
};

/* Writes one record's line. */
static int
jsonl_one(const struct record_info *r, void *ctx, char **cause)
{
	struct jsonl_walk *w = ctx;
	const struct export_share *sh = w->sh;
	const struct form *f = formcache_get(&w->cache, w->s, r->form_ref, cause);
	struct interview *iv;
	json_t *obj, *ordered, *needs;
	bool sealed;
	char *line;
	size_t q;

	if (f == NULL || (iv = interview_open(w->s, f, r, cause)) == NULL)
		return -1;
	/* A sealed record: its files, which only the organisation's
	 * private key opens (doorstep --decrypt), in place of answers;
	 * its needs only when the form keeps them in plain text. */
	sealed = iv->sealed;
	ordered = sealed && sh != NULL ? NULL : sealed ?
	    sealed_json(w->s, r, cause) : answers_json(iv, sh);
	needs = interview_needs_known(iv) ? json_array() : NULL;
	for (q = 0; needs != NULL && q < f->nneeds; q++)
		if (interview_need(iv, q))
			json_array_append_new(needs, json_string(f->needs[q].id));
	interview_free(iv);
	if (ordered == NULL && !(sealed && sh != NULL)) {
		json_decref(needs);
		return -1;
	}

	obj = json_object();
	json_object_set_new(obj, "instance_id",
	    shared_str(sh, "instance", r->instance_id));
	json_object_set_new(obj, "form", str_or_null(r->form_id));
	json_object_set_new(obj, "form_version", str_or_null(r->form_version));
	json_object_set_new(obj, "status", str_or_null(r->status));
	json_object_set_new(obj, "household",
	    shared_str(sh, "household", r->household));
	json_object_set_new(obj, "round", str_or_null(r->round));
	json_object_set_new(obj, "site", str_or_null(r->site));
	json_object_set_new(obj, "interviewer", str_or_null(r->interviewer));
	json_object_set_new(obj, "started_at",
	    shared_str(sh, "date", r->started_at));
	json_object_set_new(obj, "finalized_at",
	    shared_str(sh, "date", r->finalized_at));
	if (ordered != NULL)
		json_object_set_new(obj, sealed ? "sealed" : "answers", ordered);
	if (needs != NULL)
		json_object_set_new(obj, "needs", needs);
	line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(obj);
	if (line == NULL) {
		set_cause(cause, _("cannot encode record %s"), r->instance_id);
		return -1;
	}
	if (fputs(line, w->out) == EOF || fputc('\n', w->out) == EOF) {
		set_cause(cause, _("cannot write the export"));
		free(line);
		return -1;
	}
	free(line);
	w->written++;
	return 0;
}

long
export_jsonl_shared(struct store *s, FILE *out, bool all,
    const struct export_share *sh, char **cause)
{
	struct jsonl_walk w = { s, { 0 }, out, sh, 0 };
	int rc;

	/* One record at a time: memory stays flat at any size. */
	rc = store_records_each(s, all ? STORE_ALL : STORE_DONE, jsonl_one, &w,
	    cause);
	formcache_free(&w.cache);
	if (rc != 0)
		return -1;
	if (fflush(out) != 0) {
		set_cause(cause, _("cannot write the export"));
		return -1;
	}
	return w.written;
}

/* CSV. */

/* One column of a CSV table. */
struct column {
	char *title;
	const char *question;	/* the question's name, or NULL */
	const char *choice;	/* for a 0/1 column of a multiple choice */
	const char *need;	/* for a 0/1 column of a need area */
	enum question_type type;
};

struct table {
	const char *repeat;	/* NULL for the records table */
	struct column *cols;
	size_t ncols;
	struct safe_file file;	/* repeat tables */
	FILE *f;
};

static void
add_column(struct table *t, char *title, const char *question,
    const char *choice, const char *need, enum question_type type)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].title, title) == 0) {
			free(title);	/* the same column in another form version */
			return;
		}
	t->cols = xreallocarray(t->cols, t->ncols + 1, sizeof *t->cols);
	t->cols[t->ncols].title = title;
	t->cols[t->ncols].question = question;
	t->cols[t->ncols].choice = choice;
	t->cols[t->ncols].need = need;
	t->cols[t->ncols].type = type;
	t->ncols++;
}

static void
question_columns(struct table *t, const struct question *q)
{
	size_t k;

	if (!question_has_value(q))
		return;
	add_column(t, xstrdup(q->name), q->name, NULL, NULL, q->type);
	if (q->type == QT_SELECT_MULTIPLE)
		for (k = 0; k < q->choices->n; k++)
			add_column(t, xasprintf("%s/%s", q->name, q->choices->v[k].value),
			    q->name, q->choices->v[k].value, NULL, q->type);
}

static bool
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while (list != NULL && (p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static bool
is_numeric(enum question_type t)
{
	return t == QT_INTEGER || t == QT_DECIMAL;
}

/* One cell: the answer, a 0/1 for a choice, nothing when not asked. */
static void
cell(FILE *f, const struct interview *iv, const struct column *c, long entry,
    const struct export_share *sh)
{
	long q = form_find(iv->form, c->question);
	const char *v;

	if (q < 0 || !interview_relevant(iv, (size_t)q, entry))
		return;
	v = interview_value(iv, (size_t)q, entry);
	if (sh != NULL && c->type == QT_DATE && v != NULL) {
		char *month = shared_text(sh, "date", v);

		csv_write(f, month, false);
		free(month);
		return;
	}
	if (c->choice != NULL) {
		if (v != NULL)
			fputc(has_word(v, c->choice) ? '1' : '0', f);
		return;
	}
	csv_write(f, v, is_numeric(c->type) || iv->form->questions[q]->type ==
	    QT_CALCULATE);
}

static void
header(FILE *f, const struct table *t, const char *const *fixed, size_t nfixed,
    bool bom)
{
	size_t i;

	if (bom)
		fputs("\xEF\xBB\xBF", f);
	for (i = 0; i < nfixed; i++)
		fprintf(f, "%s%s", i ? "," : "", fixed[i]);
	for (i = 0; i < t->ncols; i++) {
		fputc(',', f);
		csv_write(f, t->cols[i].title, false);
	}
	fputs("\r\n", f);
}

long
export_csv(struct store *s, FILE *out, const char *repeat_base, bool all,
    bool bom, bool *skipped, char **cause)
{
	return export_csv_shared(s, out, repeat_base, all, bom, NULL, skipped,
	    cause);
}

static const char *const csv_fixed[] = {
	"instance_id", "form", "form_version", "status", "household", "round",
	"site", "interviewer", "started_at", "finalized_at", "needs",
};

/* The CSV export walks the records twice, one at a time from one
 * snapshot: once for the columns (every question of every form version in
 * use), once for the rows. */
struct csv_walk {
	struct store *s;
	struct form_cache cache;
	struct table main_t, *reps;
	size_t nreps;
	FILE *out;
	const char *repeat_base;
	const struct export_share *sh;
	long written;
};

static int
csv_columns(const struct record_info *r, void *ctx, char **cause)
{
	struct csv_walk *w = ctx;
	const struct form *f = formcache_get(&w->cache, w->s, r->form_ref, cause);
	size_t j, k;

	if (f == NULL)
		return -1;
	for (j = 0; j < f->nquestions; j++) {
		const struct question *q = f->questions[j];
		struct table *t = &w->main_t;

		if (q->repeat != NULL) {
			for (k = 0; k < w->nreps; k++)
				if (strcmp(w->reps[k].repeat, q->repeat->name) == 0)
					break;
			if (k == w->nreps) {
				w->reps = xreallocarray(w->reps, w->nreps + 1, sizeof *w->reps);
				memset(&w->reps[w->nreps], 0, sizeof *w->reps);
				w->reps[w->nreps++].repeat = q->repeat->name;
			}
			t = &w->reps[k];
		}
		if (shown(q, w->sh))
			question_columns(t, q);
	}
	for (j = 0; j < f->nneeds; j++)
		add_column(&w->main_t, xasprintf("need/%s", f->needs[j].id), NULL, NULL,
		    f->needs[j].id, QT_INTEGER);
	return 0;
}

static int
csv_row(const struct record_info *r, void *ctx, char **cause)
{
	struct csv_walk *w = ctx;
	const struct export_share *sh = w->sh;
	const struct form *f = formcache_get(&w->cache, w->s, r->form_ref, cause);
	const char *meta[ARRAY_LEN(csv_fixed)];
	struct interview *iv;
	struct buf needs = { 0 };
	FILE *out = w->out;
	char *iid, *hh, *started, *finalized;
	size_t j, k;

	if (f == NULL || (iv = interview_open(w->s, f, r, cause)) == NULL)
		return -1;
	for (j = 0; j < f->nneeds; j++)
		if (interview_need(iv, j)) {
			if (needs.len)
				buf_addc(&needs, ' ');
			buf_adds(&needs, f->needs[j].id);
		}
	iid = shared_text(sh, "instance", r->instance_id);
	hh = shared_text(sh, "household", r->household);
	started = shared_text(sh, "date", r->started_at);
	finalized = shared_text(sh, "date", r->finalized_at);

	meta[0] = iid;
	meta[1] = r->form_id;
	meta[2] = r->form_version;
	meta[3] = r->status;
	meta[4] = hh;
	meta[5] = r->round;
	meta[6] = r->site;
	meta[7] = r->interviewer;
	meta[8] = started;
	meta[9] = finalized;
	/* A sealed record's answers are not here: its row says so
	 * rather than look like an interview left blank. */
	meta[10] = !interview_needs_known(iv) ? "(sealed)" :
	    needs.data ? needs.data : "";
	for (j = 0; j < ARRAY_LEN(csv_fixed); j++) {
		if (j)
			fputc(',', out);
		csv_write(out, meta[j], false);
	}
	for (j = 0; j < w->main_t.ncols; j++) {
		const struct column *c = &w->main_t.cols[j];

		fputc(',', out);
		if (c->need != NULL && !interview_needs_known(iv))
			;
		else if (c->need != NULL) {
			for (k = 0; k < f->nneeds; k++)
				if (strcmp(f->needs[k].id, c->need) == 0)
					fputc(interview_need(iv, k) ? '1' : '0', out);
		} else
			cell(out, iv, c, 0, sh);
	}
	fputs("\r\n", out);
	buf_free(&needs);
	for (k = 0; k < w->nreps && w->repeat_base != NULL; k++) {
		struct table *t = &w->reps[k];
		const struct group *g = form_repeat(f, t->repeat);
		long e, ne = g && interview_group_relevant(iv, g, 0) ?
		    interview_entries(iv, g) : 0;

		for (e = 1; e <= ne; e++) {
			csv_write(t->f, iid, false);
			fprintf(t->f, ",%ld", e);
			for (j = 0; j < t->ncols; j++) {
				fputc(',', t->f);
				cell(t->f, iv, &t->cols[j], e, sh);
			}
			fputs("\r\n", t->f);
		}
	}
	interview_free(iv);
	free(iid);
	free(hh);
	free(started);
	free(finalized);
	w->written++;
	return 0;
}

long
export_csv_shared(struct store *s, FILE *out, const char *repeat_base,
    bool all, bool bom, const struct export_share *sh, bool *skipped,
    char **cause)
{
	static const char *const rfixed[] = { "instance_id", "entry" };
	enum store_filter filter = all ? STORE_ALL : STORE_DONE;
	struct csv_walk w = { 0 };
	size_t j, k;
	long written = -1;
	bool own = false;

	*skipped = false;
	w.s = s;
	w.out = out;
	w.repeat_base = repeat_base;
	w.sh = sh;
	/* Both walks from one snapshot: the columns are those of the rows. */
	if (store_read_begin(s, &own, cause) != 0)
		return -1;
	if (store_records_each(s, filter, csv_columns, &w, cause) != 0)
		goto done;
	header(out, &w.main_t, csv_fixed, ARRAY_LEN(csv_fixed), bom);
	if (w.nreps > 0 && repeat_base == NULL)
		*skipped = true;
	for (k = 0; k < w.nreps && repeat_base != NULL; k++) {
		char *path = xasprintf("%s-%s.csv", repeat_base, w.reps[k].repeat);
		int rc = safe_file_open(&w.reps[k].file, path, cause);

		free(path);
		if (rc != 0)
			goto done;
		w.reps[k].f = w.reps[k].file.f;
		header(w.reps[k].f, &w.reps[k], rfixed, ARRAY_LEN(rfixed), bom);
	}
	if (store_records_each(s, filter, csv_row, &w, cause) != 0)
		goto done;
	if (fflush(out) != 0 || ferror(out)) {
		set_cause(cause, _("cannot write the export"));
		goto done;
	}
	for (k = 0; k < w.nreps && repeat_base != NULL; k++) {
		w.reps[k].f = NULL;
		if (safe_file_commit(&w.reps[k].file, cause) != 0)
			goto done;
	}
	written = w.written;
done:
	store_read_end(s, own);
	for (k = 0; k < w.nreps; k++) {
		if (w.reps[k].file.path != NULL)
			safe_file_abort(&w.reps[k].file);
		for (j = 0; j < w.reps[k].ncols; j++)
			free(w.reps[k].cols[j].title);
		free(w.reps[k].cols);
	}
	free(w.reps);
	for (j = 0; j < w.main_t.ncols; j++)
		free(w.main_t.cols[j].title);
	free(w.main_t.cols);
	formcache_free(&w.cache);
	return written;
}

/* Opening sealed records. */

/* An element of an instance: its name, text, and children. */
struct xnode {
	char *name;
	struct buf text;
	struct xnode **kids;
	size_t n;
};

static void
xnode_free(struct xnode *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		xnode_free(x->kids[i]);
	free(x->kids);
	free(x->name);
	buf_free(&x->text);
	free(x);
}

/* Appends the character an entity at *p stands for; moves past it. */
static void
xentity(struct buf *b, const char **p)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(ents); i++)
		if (strncmp(*p, ents[i].ent, strlen(ents[i].ent)) == 0) {
			buf_addc(b, ents[i].c);
			*p += strlen(ents[i].ent);
			return;
		}
	buf_addc(b, **p);
	(*p)++;
}

/* Reads one element at *p (the instance doorstep writes: elements,
 * attributes, text; no comments or CDATA), or NULL. */
static struct xnode *
xparse(const char **p, int depth)
{
	struct xnode *x;
	const char *s = *p, *start;

	if (depth > 64 || *s != '<')
		return NULL;
	start = ++s;
	while (*s != '\0' && strchr(" \t\r\n/>", *s) == NULL)
		s++;
	x = xcalloc(1, sizeof *x);
	x->name = xstrndup(start, (size_t)(s - start));
	while (*s != '\0' && *s != '>' && !(s[0] == '/' && s[1] == '>'))
		s++;	/* attributes: not needed */
	if (*s == '\0')
		goto bad;
	if (*s == '/') {
		*p = s + 2;
		return x;
	}
	s++;
	for (;;) {
		if (*s == '\0')
			goto bad;
		if (s[0] == '<' && s[1] == '/') {
			size_t len = strlen(x->name);

			if (strncmp(s + 2, x->name, len) != 0 || s[2 + len] != '>')
				goto bad;
			*p = s + 3 + len;
			return x;
		}
		if (*s == '<') {
			struct xnode *kid = xparse(&s, depth + 1);

			if (kid == NULL)
				goto bad;
			x->kids = xreallocarray(x->kids, x->n + 1, sizeof *x->kids);
			x->kids[x->n++] = kid;
		} else if (*s == '&')
			xentity(&x->text, &s);
		else
			buf_addc(&x->text, *s++);
	}
bad:
	xnode_free(x);
	return NULL;
}

/* The answers of an instance's elements into obj: groups flattened, a
 * repeat (as the form says, else a name met twice) an array of objects. */
static void
xanswers(const struct xnode *x, const struct form *f, json_t *obj)
{
	size_t i, j;

	for (i = 0; i < x->n; i++) {
		const struct xnode *k = x->kids[i];

		if (x->kids[i]->n > 0) {
			bool repeat = f != NULL ? form_repeat(f, k->name) != NULL : false;

			for (j = 0; f == NULL && j < x->n; j++)
				if (j != i && strcmp(x->kids[j]->name, k->name) == 0)
					repeat = true;
			if (repeat) {
				json_t *arr = json_object_get(obj, k->name), *entry;

				if (arr == NULL) {
					arr = json_array();
					json_object_set_new(obj, k->name, arr);
				}
				entry = json_object();
				xanswers(k, f, entry);
				json_array_append_new(arr, entry);
			} else
				xanswers(k, f, obj);
		} else {
			long q = f != NULL ? form_find(f, k->name) : -1;
			const char *v = k->text.len > 0 ? k->text.data : NULL;

			if (q >= 0)
				json_object_set_new(obj, k->name,
				    f->questions[q]->type == QT_CALCULATE ? calc_json(v) :
				    answer_json(f->questions[q], v));
			else if (f == NULL)
				json_object_set_new(obj, k->name, str_or_null(v));
		}
	}
}

/* The answers object of a decrypted instance, or NULL when it is not
 * XML doorstep reads. */
static json_t *
instance_answers(const char *xml, const struct form *f)
{
	const char *p = xml;
	struct xnode *root;
	json_t *obj;
	size_t i;

	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	if (strncmp(p, "<?xml", 5) == 0) {
		if ((p = strstr(p, "?>")) == NULL)
			return NULL;
		p += 2;
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
	}
	if ((root = xparse(&p, 0)) == NULL)
		return NULL;
	obj = json_object();
	/* The record's own meta (instanceID, household...) is not an answer. */
	for (i = 0; i < root->n; i++)
		if (strcmp(root->kids[i]->name, "meta") == 0) {
			xnode_free(root->kids[i]);
			root->kids[i] = root->kids[--root->n];
			break;
		}
	xanswers(root, f, obj);
	xnode_free(root);
	return obj;
}

static void
decrypt_note(void (*note)(void *, const char *), void *ctx, const char *name,
    long line, const char *msg)
{
	char *text = xasprintf("%s:%ld: %s", name, line, msg);

	note(ctx, text);
	free(text);
}

/* Opens one sealed record in obj; 0, or -1 with *why. */
static int
open_sealed(json_t *obj, const struct seal_key *k,
    const struct form *const *forms, size_t nforms, char **why)
{
	json_t *sealed = json_object_get(obj, "sealed"), *answers;
	const char *m64 = json_string_value(json_object_get(sealed, "manifest"));
	const char *e64 = json_string_value(json_object_get(sealed, SEAL_ENC_NAME));
	const char *iid = json_string_value(json_object_get(obj, "instance_id"));
	const char *fid = json_string_value(json_object_get(obj, "form"));
	const char *ver = json_string_value(json_object_get(obj, "form_version"));
	const struct form *f = NULL;
	unsigned char *manifest = NULL, *enc = NULL;
	size_t mlen, elen, xlen, i;
	char *xml, *mtext;

	if (m64 == NULL || e64 == NULL ||
	    (manifest = seal_unbase64(m64, &mlen)) == NULL ||
	    (enc = seal_unbase64(e64, &elen)) == NULL) {
		set_cause(why, _("its sealed files are not base64 text: the "
		    "export was changed"));
		free(manifest);
		return -1;
	}
	mtext = xstrndup((const char *)manifest, mlen);
	free(manifest);
	xml = seal_open(k, mtext, enc, elen, iid, &xlen, why);
	free(mtext);
	free(enc);
	if (xml == NULL)
		return -1;
	for (i = 0; i < nforms; i++)
		if (str_eq(forms[i]->id, fid) && str_eq(forms[i]->version, ver))
			f = forms[i];
	answers = instance_answers(xml, f);
	explicit_bzero(xml, xlen);
	free(xml);
	if (answers == NULL) {
		set_cause(why, _("its instance was opened but is not XML doorstep "
		    "reads"));
		return -1;
	}
	/* "answers" where "sealed" was, as an export writes it. */
	{
		json_t *copy = json_copy(obj);
		void *it;

		json_object_clear(obj);
		for (it = json_object_iter(copy); it != NULL;
		    it = json_object_iter_next(copy, it)) {
			const char *key = json_object_iter_key(it);
			bool was_sealed = strcmp(key, "sealed") == 0;

			json_object_set(obj, was_sealed ? "answers" : key, was_sealed ?
			    answers : json_object_iter_value(it));
		}
		json_decref(copy);
		json_decref(answers);
	}
	return 0;
}

int
export_decrypt(FILE *in, const char *name, FILE *out,
    const struct seal_key *k, const struct form *const *forms, size_t nforms,
    void (*note)(void *ctx, const char *msg), void *ctx,
    struct decrypt_summary *sum, char **cause)
{
	char *line = NULL, *why = NULL, *text;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	json_error_t err;
	json_t *obj;

	memset(sum, 0, sizeof *sum);
	while ((len = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		obj = json_loadb(line, (size_t)len, 0, &err);
		if (!json_is_object(obj)) {
			decrypt_note(note, ctx, name, lineno, _("not a record (JSON "
			    "object)"));
			sum->bad++;
			json_decref(obj);
			continue;
		}
		if (json_object_get(obj, "sealed") == NULL)
			sum->plain++;
		else if (open_sealed(obj, k, forms, nforms, &why) != 0) {
			decrypt_note(note, ctx, name, lineno, why);
			free(why);
			why = NULL;
			sum->refused++;
			json_decref(obj);
			continue;
		} else
			sum->opened++;
		text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15));
		json_decref(obj);
		if (text == NULL || fputs(text, out) == EOF || fputc('\n', out) == EOF) {
			free(text);
			free(line);
			set_cause(cause, _("cannot write the decrypted records"));
			return -1;
		}
		free(text);
	}
	free(line);
	if (ferror(in)) {
		set_cause(cause, _("cannot read %s"), name);
		return -1;
	}
	if (fflush(out) != 0) {
		set_cause(cause, _("cannot write the decrypted records"));
		return -1;
	}
	return 0;
}
