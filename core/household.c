#include "household.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "formcache.h"
#include "i18n.h"
#include "interview.h"
#include "phone.h"
#include "pinyin.h"
#include "text.h"
#include "store-impl.h"
#include "trail.h"
#include "util.h"

static bool
code_char(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '-' || c == '_' || c == '.');
}

char *
household_code_normalize(const char *typed, const char **why)
{
	size_t len;
	char *code, *p;

	*why = NULL;
	if (typed == NULL)
		typed = "";
	typed += strspn(typed, " \t");
	len = strlen(typed);
	while (len > 0 && (typed[len - 1] == ' ' || typed[len - 1] == '\t'))
		len--;
	if (len == 0) {
		*why = N_("a household needs a code");
		return NULL;
	}
	if (len > HOUSEHOLD_CODE_MAX) {
		*why = N_("a household code has at most 24 characters");
		return NULL;
	}
	code = xstrndup(typed, len);
	for (p = code; *p != '\0'; p++) {
		if (!code_char((unsigned char)*p)) {
			*why = N_("a household code holds only Latin letters, digits, "
			    "'-', '_' and '.' (for example BJ-0042)");
			free(code);
			return NULL;
		}
		*p = (char)toupper((unsigned char)*p);
	}
	return code;
}

bool
round_name_valid(const char *round, const char **why)
{
	const char *p;

	*why = NULL;
	if (round == NULL || *round == '\0') {
		*why = N_("a round needs a name, such as 2020-R2");
		return false;
	}
	if (strlen(round) > 32) {
		*why = N_("a round name has at most 32 characters");
		return false;
	}
	for (p = round; *p != '\0'; p++)
		if (!code_char((unsigned char)*p)) {
			*why = N_("a round name is one word, such as 2020-R2, with no "
			    "spaces or slashes");
			return false;
		}
	return true;
}

bool
date_valid(const char *s)
{
	char again[11];
	long days;

	if (s == NULL || !expr_date_days(s, &days))
		return false;
	expr_date_string(days, again);
	return strcmp(again, s) == 0;
}

char *
household_prefix(const char *configured, const char *site)
{
	char p[3] = { 0 };
	size_t n = 0;

	if (configured != NULL && *configured != '\0')
		return xstrdup(configured);
	for (; site != NULL && *site != '\0' && n < 2; site++)
		if (isascii((unsigned char)*site) && isalpha((unsigned char)*site))
			p[n++] = (char)toupper((unsigned char)*site);
	return xstrdup(n == 2 ? p : "HH");
}

char *
household_next_code(struct store *s, const char *prefix, char **cause)
{
	sqlite3_stmt *st;
	char *like, *code;
	long best = 0;
	size_t plen = strlen(prefix) + 1;
	int rc;

	/* Compared as text, so that a prefix holding % or _ means itself. */
	if (sq_prepare(s, "SELECT code FROM households WHERE substr(code, 1, ?) "
	    "= ? COLLATE NOCASE", &st, cause) != 0)
		return NULL;
	like = xasprintf("%s-", prefix);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)plen);
	sq_bind_text(st, 2, like);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0) + plen;
		char *end;
		long v;

		if (!isdigit((unsigned char)*c))
			continue;
		v = strtol(c, &end, 10);
		if (*end == '\0' && v > best && v < 100000000)
			best = v;
	}
	sqlite3_finalize(st);
	free(like);
	if (rc != SQLITE_DONE) {
		sq_fail(s, cause, _("cannot read the households"));
		return NULL;
	}
	code = xasprintf("%s-%04ld", prefix, best + 1);
	return code;
}

int
household_event(struct store *s, int64_t id, const char *what,
    const char *detail, char **cause)
{
	sqlite3_stmt *st;
	char now[40];

	iso8601_now(now, sizeof now);
	if (sq_cached(s, "INSERT INTO household_events (household_id, at, what, "
	    "detail) VALUES (?, ?, ?, ?)", &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sq_bind_text(st, 2, now);
	sq_bind_text(st, 3, what);
	sq_bind_text(st, 4, detail);
	if (sq_cached_step_done(s, st, cause,
	    _("cannot keep the household's history")) != 0)
		return -1;
	return trail_add(s, &(struct trail_entry){ .what = what, .household_id =
	    id, .detail = detail }, cause);
}

/* An empty string is kept as NULL. */
static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	sq_bind_text(st, i, v != NULL && *v != '\0' ? v : NULL);
}

#define HOUSEHOLD_COLUMNS \
	"h.id, h.code, h.site, h.head, h.phone, h.address, h.notes, h.status, " \
	"h.closed_reason, h.closed_at, h.next_visit, h.created_at, h.updated_at, " \
	"(SELECT count(*) FROM records r WHERE r.household = h.code COLLATE NOCASE), " \
	"(SELECT substr(max(r.started_at), 1, 10) FROM records r WHERE " \
	"r.household = h.code COLLATE NOCASE)"
static const char household_columns[] = HOUSEHOLD_COLUMNS;

static void
household_row(sqlite3_stmt *st, struct household *h)
{
	const unsigned char *status = sqlite3_column_text(st, 7);

	memset(h, 0, sizeof *h);
	h->id = sqlite3_column_int64(st, 0);
	h->code = sq_col_dup(st, 1);
	h->site = sq_col_dup(st, 2);
	h->head = sq_col_dup(st, 3);
	h->phone = sq_col_dup(st, 4);
	h->address = sq_col_dup(st, 5);
	h->notes = sq_col_dup(st, 6);
	h->closed = status != NULL && strcmp((const char *)status, "closed") == 0;
	h->closed_reason = sq_col_dup(st, 8);
	h->closed_at = sq_col_dup(st, 9);
	h->next_visit = sq_col_dup(st, 10);
	h->created_at = sq_col_dup(st, 11);
	h->updated_at = sq_col_dup(st, 12);
	h->interviews = (long)sqlite3_column_int64(st, 13);
	h->last_visit = sq_col_dup(st, 14);
}

/* Collects the households st reads (not finalized). */
static int
read_rows(struct store *s, sqlite3_stmt *st, struct household **out,
    size_t *n, char **cause)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		household_row(st, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE) {
		households_free(*out, *n);
		*out = NULL;
		*n = 0;
		return sq_fail(s, cause, _("cannot read the households"));
	}
	return 0;
}

/* Runs a household query (bound by bind) and collects its rows: `limit`
 * of them (all when negative) from the `offset`th on. The households are
 * chosen first and their interviews counted after, for those rows only. */
static int
households_query(struct store *s, const char *where, const char *order,
    long offset, long limit,
    void (*bind)(sqlite3_stmt *st, const void *arg), const void *arg,
    struct household **out, size_t *n, char **cause)
{
	sqlite3_stmt *st;
	char *sql;
	int rc;

	*out = NULL;
	*n = 0;
	sql = xasprintf("SELECT %s FROM households h WHERE h.id IN (SELECT h.id "
	    "FROM households h WHERE %s ORDER BY %s LIMIT %ld OFFSET %ld) "
	    "ORDER BY %s", household_columns, where, order, limit, offset, order);
	rc = sq_prepare(s, sql, &st, cause);
	free(sql);
	if (rc != 0)
		return -1;
	if (bind != NULL)
		bind(st, arg);
	rc = read_rows(s, st, out, n, cause);
	sqlite3_finalize(st);
	return rc;
}

static void
bind_one_text(sqlite3_stmt *st, const void *arg)
{
	sq_bind_text(st, 1, arg);
}

static void
bind_one_id(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

/* The one household a query finds: 0, 1 when none, -1 on error. */
static int
household_one(struct store *s, const char *where,
    void (*bind)(sqlite3_stmt *st, const void *arg), const void *arg,
    struct household *out, char **cause)
{
	struct household *v;
	size_t n;

	memset(out, 0, sizeof *out);
	if (households_query(s, where, "h.id", 0, 1, bind, arg, &v, &n, cause) != 0)
		return -1;
	if (n == 0) {
		free(v);
		return 1;
	}
	*out = v[0];
	free(v);
	return 0;
}

int
household_get(struct store *s, const char *code, struct household *out,
    char **cause)
{
	return household_one(s, "h.code = ? COLLATE NOCASE", bind_one_text, code,
	    out, cause);
}

int
household_get_id(struct store *s, int64_t id, struct household *out,
    char **cause)
{
	return household_one(s, "h.id = ?", bind_one_id, &id, out, cause);
}

/* 1 with *cause naming the household when the code is taken by another. */
static int
code_taken(struct store *s, const char *code, int64_t self, char **cause)
{
	struct household other;
	int rc = household_get(s, code, &other, cause);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (other.id == self) {
		household_clear(&other);
		return 0;
	}
	set_cause(cause, _("the code %s is already the household of %s "
	    "(registered %.10s): choose another code, or open that household"),
	    other.code, other.head ? other.head : "?",
	    other.created_at ? other.created_at : "");
	household_clear(&other);
	return 1;
}

/* The code as kept, when it and the next visit are valid; NULL (and 1 for
 * the caller to return) with *cause when not. */
static char *
checked_code(const struct household *h, char **cause)
{
	const char *why;
	char *code = household_code_normalize(h->code, &why);

	if (code == NULL) {
		set_cause(cause, "%s", _(why));
		return NULL;
	}
	if (h->next_visit != NULL && *h->next_visit != '\0' &&
	    !date_valid(h->next_visit)) {
		set_cause(cause, _("the next visit must be a date as YYYY-MM-DD, not "
		    "'%s'"), h->next_visit);
		free(code);
		return NULL;
	}
	return code;
}

/* The phone as kept (phone_normalize), NULL when none is given; 1 with
 * *cause when it is not a phone number. */
static int
checked_phone(const char *typed, char **phone, char **cause)
{
	const char *why;

	*phone = NULL;
	if (typed == NULL || typed[strspn(typed, " ")] == '\0')
		return 0;
	if ((*phone = phone_normalize(typed, &why)) == NULL) {
		set_cause(cause, _("the phone '%s' cannot be kept: %s"), typed,
		    _(why));
		return 1;
	}
	return 0;
}

/* Binds code, site, head, phone, address, notes, next visit and the time
 * to parameters 1 to 8, as INSERT and UPDATE both list them; the phone
 * as checked_phone keeps it. */
static void
bind_fields(sqlite3_stmt *st, const char *code, const struct household *h,
    const char *phone, const char *now)
{
	sq_bind_text(st, 1, code);
	bind_opt(st, 2, h->site);
	bind_opt(st, 3, h->head);
	bind_opt(st, 4, phone);
	bind_opt(st, 5, h->address);
	bind_opt(st, 6, h->notes);
	bind_opt(st, 7, h->next_visit);
	sq_bind_text(st, 8, now);
}

/* Inserts a household under code (kept as given) with h's fields and
 * records its registration; h->id is set. */
static int
insert_household(struct store *s, const char *code, struct household *h,
    const char *how, char **cause)
{
	sqlite3_stmt *st;
	char now[40];

	iso8601_now(now, sizeof now);
	if (sq_cached(s, "INSERT INTO households (code, site, head, phone, "
	    "address, notes, next_visit, updated_at, created_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)", &st, cause) != 0)
		return -1;
	bind_fields(st, code, h, h->phone, now);
	if (sq_cached_step_done(s, st, cause,
	    _("cannot register the household")) != 0)
		return -1;
	h->id = sqlite3_last_insert_rowid(s->db);
	return household_event(s, h->id, "registered", how, cause);
}

int
household_add(struct store *s, struct household *h, char **cause)
{
	bool own;
	char *code, *phone;
	int rc;

	if ((code = checked_code(h, cause)) == NULL)
		return 1;
	if (checked_phone(h->phone, &phone, cause) != 0) {
		free(code);
		return 1;
	}
	free(h->code);
	h->code = code;
	free(h->phone);
	h->phone = phone;
	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if ((rc = code_taken(s, code, 0, cause)) == 0)
		rc = insert_household(s, code, h, NULL, cause);
	return sq_end(s, own, rc, cause);
}

int
household_update(struct store *s, const struct household *h, char **cause)
{
	bool own;
	struct household old;
	sqlite3_stmt *st;
	char *code, *phone, now[40];
	int rc = 1;

	if ((code = checked_code(h, cause)) == NULL)
		return 1;
	if (checked_phone(h->phone, &phone, cause) != 0) {
		free(code);
		return 1;
	}
	if (sq_begin(s, &own, cause) != 0) {
		free(code);
		free(phone);
		return -1;
	}
	memset(&old, 0, sizeof old);
	if ((rc = code_taken(s, code, h->id, cause)) != 0)
		goto done;
	/* The old code, to know whether it changes. */
	if (sq_prepare(s, "SELECT code, (SELECT count(*) FROM records r WHERE "
	    "r.household = h.code COLLATE NOCASE) FROM households h WHERE id = ?",
	    &st, cause) != 0) {
		rc = -1;
		goto done;
	}
	sqlite3_bind_int64(st, 1, h->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		set_cause(cause, _("this household is no longer in the database"));
		rc = 1;
		goto done;
	}
	old.code = sq_col_dup(st, 0);
	old.interviews = (long)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (strcmp(old.code, code) != 0 && old.interviews > 0) {
		set_cause(cause, ngettext("the code of %s cannot change: its %ld "
		    "interview carries it, on this machine and on the server",
		    "the code of %s cannot change: its %ld interviews carry it, "
		    "on this machine and on the server",
		    (unsigned long)old.interviews), old.code, old.interviews);
		rc = 1;
		goto done;
	}
	iso8601_now(now, sizeof now);
	rc = -1;
	if (sq_prepare(s, "UPDATE households SET code = ?, site = ?, head = ?, "
	    "phone = ?, address = ?, notes = ?, next_visit = ?, updated_at = ? "
	    "WHERE id = ?", &st, cause) != 0)
		goto done;
	bind_fields(st, code, h, phone, now);
	sqlite3_bind_int64(st, 9, h->id);
	if (sq_step_done(s, st, cause, _("cannot save the household")) != 0 ||
	    trail_add(s, &(struct trail_entry){ .what = "edited", .household_id =
	    h->id, .old = str_eq(old.code, code) ? NULL : old.code, .new_value =
	    str_eq(old.code, code) ? NULL : code }, cause) != 0)
		goto done;
	rc = 0;
done:
	rc = sq_end(s, own, rc, cause);
	free(code);
	free(phone);
	household_clear(&old);
	return rc;
}

static int
set_status(struct store *s, int64_t id, const char *status, const char *reason,
    char **cause)
{
	bool own;
	sqlite3_stmt *st;
	char now[40];
	int rc = -1;

	iso8601_now(now, sizeof now);
	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if (sq_prepare(s, "UPDATE households SET status = ?1, closed_reason = ?2, "
	    "closed_at = CASE WHEN ?1 = 'closed' THEN substr(?3, 1, 10) END, "
	    "next_visit = CASE WHEN ?1 = 'closed' THEN NULL ELSE next_visit END, "
	    "updated_at = ?3 WHERE id = ?4", &st, cause) != 0)
		goto done;
	sq_bind_text(st, 1, status);
	sq_bind_text(st, 2, reason);
	sq_bind_text(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	if (sq_step_done(s, st, cause, _("cannot save the household")) != 0)
		goto done;
	if (sqlite3_changes(s->db) != 1) {
		set_cause(cause, _("this household is no longer in the database"));
		goto done;
	}
	rc = household_event(s, id, strcmp(status, "closed") == 0 ? "closed" :
	    "reopened", reason, cause);
done:
	return sq_end(s, own, rc, cause);
}

int
household_close(struct store *s, int64_t id, const char *reason, char **cause)
{
	if (reason == NULL || reason[strspn(reason, " ")] == '\0') {
		set_cause(cause, _("closing a case needs a reason"));
		return 1;
	}
	return set_status(s, id, "closed", reason, cause);
}

int
household_reopen(struct store *s, int64_t id, char **cause)
{
	return set_status(s, id, "open", NULL, cause);
}

int
household_delete(struct store *s, int64_t id, char **cause)
{
	bool own;
	sqlite3_stmt *st;
	long n = 0;
	int rc = -1;

	if (sq_begin(s, &own, cause) != 0)
		return -1;
	if (sq_prepare(s, "SELECT count(*) FROM records r JOIN households h ON "
	    "r.household = h.code COLLATE NOCASE WHERE h.id = ?", &st, cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n > 0) {
		set_cause(cause, ngettext("this household has %ld interview: it "
		    "cannot be deleted. Close the case instead; its history stays",
		    "this household has %ld interviews: it cannot be deleted. "
		    "Close the case instead; its history stays", (unsigned long)n),
		    n);
		rc = 1;
		goto done;
	}
	if (trail_add(s, &(struct trail_entry){ .what = "deleted", .household_id =
	    id }, cause) != 0 ||
	    sq_prepare(s, "DELETE FROM households WHERE id = ?", &st, cause) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	rc = sq_step_done(s, st, cause, _("cannot delete the household"));
done:
	return sq_end(s, own, rc, cause);
}

struct search_args {
	char *like;		/* %term% with LIKE's wildcards escaped */
	char *digits;		/* %digits% when term is a phone number, else NULL */
	const char *pinyin;	/* term when it can be pinyin, else NULL */
	char *ascii;		/* the term, full-width folded */
	char *text_match;	/* households_text MATCH: the term, or NULL */
	char *pinyin_match;	/* households_pinyin MATCH: the term's keys */
	char *where;
	char *ids;		/* the households the index found (?7, a JSON
				 * array): all of them, or, when it finds many,
				 * all those up to household `after` */
	int64_t after;		/* ?10: past it, the index was not read */
};

static void
bind_search(sqlite3_stmt *st, const void *arg)
{
	const struct search_args *a = arg;

	sq_bind_text(st, 1, a->like);
	sq_bind_text(st, 2, a->digits);
	sq_bind_text(st, 3, a->pinyin);
	sq_bind_text(st, 4, a->text_match);
	sq_bind_text(st, 5, a->pinyin_match);
	sq_bind_text(st, 7, a->ids);
	sqlite3_bind_int64(st, 10, a->after);
}

/* SQL pinyin_match(text, query), as pinyin_match. */
static void
sql_pinyin_match(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	const char *query = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	sqlite3_result_int(ctx, pinyin_match(text, query));
}

/* term as a LIKE pattern that matches it anywhere, literally. */
static char *
like_pattern(const char *term)
{
	struct buf b = { 0 };

	buf_addc(&b, '%');
	for (; *term != '\0'; term++) {
		if (*term == '%' || *term == '_' || *term == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *term);
	}
	buf_addc(&b, '%');
	return buf_steal(&b);
}

/* The search index: households_text (FTS5, trigrams of the code, head,
 * phone and its digits, address, notes and site) and households_pinyin
 * (trigrams of each head's pinyin keys, see pinyin_keys). It only narrows
 * the search: what matches is still said by SEARCH_MATCHES, on the
 * households it hands over. A term of three characters or more is a
 * phrase of trigrams; one of one or two asks the trigrams that start with
 * it. The index is read once a term (index_pass), up to SEARCH_INDEX_MAX
 * households found, which the count and every page then use; a term that
 * finds more reads the register in its order, which stops once a page is
 * full (it finds many). */
#define SEARCH_INDEX_MAX 1000	/* households it finds, kept, at most */
#define SEARCH_DENSE_ROWS 256	/* a short term that finds SEARCH_DENSE_FOUND */
#define SEARCH_DENSE_FOUND 32	/* among as many first households finds many */
#define SEARCH_TERMS_MAX 200	/* trigrams a short term asks, at most */
#define STR_(x) #x
#define STR(x) STR_(x)

/* s as an FTS5 string: in double quotes, which are doubled inside. Every
 * other character (* - : ( ^ OR NEAR) is text there, not syntax. */
static void
add_fts_string(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

static size_t
utf8_chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			k++;
	return k;
}

/* Whether the trigram tokenizer folds c's case as tolower does: ASCII, and
 * scripts without case (Chinese, Japanese kana, Korean). */
static bool
folds_as_ascii(uint32_t c)
{
	return c < 0x80 || (c >= 0x3000 && c <= 0x9FFF) ||
	    (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
	    (c >= 0x20000 && c <= 0x3FFFF);
}

/* Adds to b a MATCH of the trigrams of households_text that start with the
 * one or two characters t (as the index keeps them: lower case): one
 * starts at each place they are (each field ends with a \1, the text with
 * two). -1 when there are more than SEARCH_TERMS_MAX of them (a term that
 * finds many: the register's order finds faster) or the tokenizer's
 * folding of them is not known here. */
static int
short_term(struct store *s, const char *t, size_t len, struct buf *b)
{
	sqlite3_stmt *st;
	char *low = xstrndup(t, len), *p;
	size_t i, n = 0, used;
	uint32_t c;
	int rc = 0;

	for (i = 0; i < len; i += used) {
		used = text_decode(low + i, len - i, &c);
		if (!folds_as_ascii(c))
			rc = -1;
	}
	for (p = low; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (rc != 0 || sqlite3_prepare_v2(s->db, "SELECT term FROM "
	    "households_text_terms WHERE term >= ?1 AND term <= ?1 || "
	    "char(1114111) LIMIT " STR(SEARCH_TERMS_MAX) " + 1", -1, &st, NULL) !=
	    SQLITE_OK) {
		free(low);
		return -1;
	}
	sq_bind_text(st, 1, low);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= SEARCH_TERMS_MAX) {
		const char *term = (const char *)sqlite3_column_text(st, 0);

		if (n++ > 0)
			buf_adds(b, " OR ");
		add_fts_string(b, term, strlen(term));
	}
	sqlite3_finalize(st);
	free(low);
	if ((rc != SQLITE_DONE && rc != SQLITE_ROW) || n > SEARCH_TERMS_MAX) {
		buf_free(b);
		return -1;
	}
	if (n == 0)	/* no household has them: a MATCH that finds none */
		add_fts_string(b, "\1\1\1", 3);
	return 0;
}

/* Computes the pinyin keys of households registered, or whose head
 * changed, since the last search: the database's triggers list them in
 * households_pinyin_stale, as the keys need this program. Heads with too
 * many spellings stay listed (too_long), and a search reads them itself;
 * so do the ones listed when this cannot write (another process does). */
#define REFRESH_WAIT_MS 20

static void
pinyin_refresh(struct store *s)
{
	sqlite3_stmt *st = NULL, *put = NULL, *drop = NULL, *keep = NULL,
	    *done = NULL;
	int64_t ids[256];
	char *heads[256];
	size_t n, i;
	int rc, busy_ms;

	if (s->in_transaction || sqlite3_prepare_v2(s->db, "SELECT s.id, h.head "
	    "FROM households_pinyin_stale s JOIN households h ON h.id = s.id "
	    "WHERE s.too_long = 0 LIMIT 256", -1, &st, NULL) != SQLITE_OK)
		goto out;
	/* A key typed does not wait for another process's transaction: the
	 * search reads the listed households itself this time. */
	busy_ms = s->busy_ms;
	s->busy_ms = REFRESH_WAIT_MS;
	rc = sqlite3_step(st) == SQLITE_ROW ? store_begin(s, NULL) : -1;
	s->busy_ms = busy_ms;
	if (rc != 0)
		goto out;
	sqlite3_reset(st);
	if (sqlite3_prepare_v2(s->db, "DELETE FROM households_pinyin WHERE rowid "
	    "= ?", -1, &drop, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO households_pinyin (rowid, keys) "
	    "VALUES (?, ?)", -1, &put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE households_pinyin_stale SET too_long "
	    "= 1 WHERE id = ?", -1, &keep, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM households_pinyin_stale WHERE "
	    "id = ?", -1, &done, NULL) != SQLITE_OK)
		goto fail;
	do {
		for (n = 0; n < 256 && sqlite3_step(st) == SQLITE_ROW; n++) {
			ids[n] = sqlite3_column_int64(st, 0);
			heads[n] = sq_col_dup(st, 1);
		}
		rc = sqlite3_reset(st);
		for (i = 0; i < n; i++) {
			char *keys = pinyin_keys(heads[i]);

			free(heads[i]);
			heads[i] = keys;
		}
		for (i = 0; rc == SQLITE_OK && i < n; i++) {
			sqlite3_bind_int64(drop, 1, ids[i]);
			rc = sqlite3_step(drop) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
			sqlite3_reset(drop);
			if (rc == SQLITE_OK && heads[i] != NULL && *heads[i] != '\0') {
				sqlite3_bind_int64(put, 1, ids[i]);
				sq_bind_text(put, 2, heads[i]);
				if (sqlite3_step(put) != SQLITE_DONE)
					rc = SQLITE_ERROR;
				sqlite3_reset(put);
			}
			sqlite3_bind_int64(heads[i] == NULL ? keep : done, 1, ids[i]);
			if (rc == SQLITE_OK && sqlite3_step(heads[i] == NULL ? keep :
			    done) != SQLITE_DONE)
				rc = SQLITE_ERROR;
			sqlite3_reset(heads[i] == NULL ? keep : done);
		}
		for (i = 0; i < n; i++)
			free(heads[i]);
	} while (rc == SQLITE_OK && n == 256);
	if (rc == SQLITE_OK && store_commit(s, NULL) == 0)
		goto out;
fail:
	store_rollback(s);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(put);
	sqlite3_finalize(drop);
	sqlite3_finalize(keep);
	sqlite3_finalize(done);
}

/* What a search for a term matches, over households h: ?1 is a LIKE
 * pattern, ?2 the digits of a phone number or NULL, ?3 the term as pinyin
 * (bound by bind_search). This is the one place that says what matches;
 * the index only narrows. */
#define SEARCH_MATCHES \
	"h.code LIKE ?1 ESCAPE '\\' OR h.head LIKE ?1 ESCAPE '\\' OR " \
	"h.phone LIKE ?1 ESCAPE '\\' OR h.address LIKE ?1 ESCAPE '\\' OR " \
	"h.notes LIKE ?1 ESCAPE '\\' OR h.site LIKE ?1 ESCAPE '\\' OR " \
	"(?2 IS NOT NULL AND h.phone_digits LIKE ?2) OR " \
	"(?3 IS NOT NULL AND pinyin_match(h.head, ?3))"
#define SEARCH_ORDER "h.status = 'closed', h.code"

/* The last search, kept between its count and its pages (and the keys
 * that scroll it) while the database is as it was: the index is read once
 * a term, not once for the count and again for each page. */
struct search_cache {
	char *term;		/* the term, as passed */
	bool like_only;		/* s->search_like_only then */
	bool pinyin_fn;		/* pinyin_match is registered */
	int64_t version;	/* PRAGMA data_version before it was read: other
				 * connections' commits change it */
	int64_t changes;	/* this connection's changes after it */
	struct search_args a;
	const char *where;	/* what a page reads: "1", SEARCH_MATCHES or
				 * a.where (the households found) */
	long found;		/* households the index found: all of them (in
				 * a.ids) up to SEARCH_INDEX_MAX, SEARCH_INDEX_MAX
				 * + 1 for more; -1 when it was not asked */
	sqlite3_stmt *version_st, *text_st, *pinyin_st, *check_st, *page_st;
};

/* A statement the cache keeps for the connection's life (reset after each
 * use), or NULL. */
static sqlite3_stmt *
kept(struct store *s, sqlite3_stmt **slot, const char *sql)
{
	if (*slot == NULL && sqlite3_prepare_v3(s->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		sqlite3_finalize(*slot);
		*slot = NULL;
	}
	return *slot;
}

static void
kept_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Where id is in v (sorted, n long), or would be. */
static size_t
id_place(const int64_t *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Reads the households the index hands over for the search (each list
 * once, one household at a time: none is built whole), each checked by
 * SEARCH_MATCHES, until more than cap are found. Returns how many were
 * found (cap + 1: more), their ids in *ids in ascending order (caller
 * frees); -1 on error. */
static long
index_pass(struct store *s, struct search_cache *c, long cap, int64_t **ids,
    size_t *nids, int64_t *last)
{
	sqlite3_stmt *lists[2], *check;
	int64_t *v = NULL;
	size_t n = 0, size = 0, i;
	int rc = SQLITE_DONE;

	*ids = NULL;
	*nids = 0;
	*last = 0;
	lists[0] = kept(s, &c->text_st, "SELECT rowid FROM households_text WHERE "
	    "households_text MATCH ?4 ORDER BY rowid");
	lists[1] = c->a.pinyin_match == NULL ? NULL : kept(s, &c->pinyin_st,
	    "SELECT rowid FROM households_pinyin WHERE households_pinyin MATCH ?5 "
	    "UNION ALL SELECT id FROM households_pinyin_stale");
	check = kept(s, &c->check_st, "SELECT 1 FROM households h WHERE h.id = ?6 "
	    "AND (" SEARCH_MATCHES ")");
	if (lists[0] == NULL || check == NULL || (c->a.pinyin_match != NULL &&
	    lists[1] == NULL))
		return -1;
	bind_search(check, &c->a);
	for (i = 0; i < ARRAY_LEN(lists) && lists[i] != NULL &&
	    (long)n <= cap && (rc == SQLITE_DONE || rc == SQLITE_ROW); i++) {
		bind_search(lists[i], &c->a);
		while ((long)n <= cap && (rc = sqlite3_step(lists[i])) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(lists[i], 0);
			size_t at = id_place(v, n, id);

			*last = id;
			/* A household both lists hand over counts once. */
			if (at < n && v[at] == id)
				continue;
			sqlite3_bind_int64(check, 6, id);
			rc = sqlite3_step(check);
			sqlite3_reset(check);
			if (rc == SQLITE_DONE)
				continue;
			if (rc != SQLITE_ROW)
				break;
			if (n == size) {
				size = size ? 2 * size : 256;
				v = xreallocarray(v, size, sizeof *v);
			}
			memmove(v + at + 1, v + at, (n - at) * sizeof *v);
			v[at] = id;
			n++;
		}
		kept_done(lists[i]);
	}
	kept_done(check);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(v);
		return -1;
	}
	*ids = v;
	*nids = n;
	return (long)n;
}

/* Asks the index for term t (len bytes): returns the WHERE clause of the
 * households it found, all of them (c->a.where over c->a.ids), or NULL
 * when it cannot narrow the search: t is too short, or more than
 * SEARCH_INDEX_MAX match (c->found says so), which the register's order
 * finds faster. */
static const char *
index_search(struct store *s, struct search_cache *c, const char *t,
    size_t len)
{
	struct search_args *a = &c->a;
	struct buf b = { 0 };
	sqlite3_stmt *st;
	char *sql;
	int64_t *ids, last;
	size_t n, i;
	long found = -1;

	if (utf8_chars(t, len) < 3) {
		/* A short term that fills a page among the first households
		 * of the list finds many: the register's order is faster than
		 * asking the index the long lists of its trigrams. */
		sql = xasprintf("SELECT count(*) FROM (SELECT h.id FROM households h "
		    "ORDER BY " SEARCH_ORDER " LIMIT %d) x JOIN households "
		    "h ON h.id = x.id WHERE %s", SEARCH_DENSE_ROWS, SEARCH_MATCHES);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
			bind_search(st, a);
			if (sqlite3_step(st) == SQLITE_ROW)
				found = (long)sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		free(sql);
		if (found < 0 || found >= SEARCH_DENSE_FOUND)
			return NULL;
		/* One or two characters: the trigrams that start with them. */
		if (short_term(s, t, len, &b) != 0)
			return NULL;
	} else {
		add_fts_string(&b, t, len);
	}
	if (a->digits != NULL) {
		/* The digits of a phone number, without its % signs. */
		buf_adds(&b, " OR ");
		add_fts_string(&b, a->digits + 1, strlen(a->digits) - 2);
	}
	a->text_match = buf_steal(&b);
	if (a->pinyin != NULL) {
		const char *p;

		buf_addc(&b, '|');
		for (p = t; p < t + len; p++)
			if (*p != ' ' && *p != '\'')
				buf_addc(&b, *p == 'v' || *p == 'V' ? 'u' :
				    (char)tolower((unsigned char)*p));
		if (b.len < 3) {
			buf_free(&b);
			return NULL;
		}
		sql = buf_steal(&b);
		add_fts_string(&b, sql, strlen(sql));
		free(sql);
		a->pinyin_match = buf_steal(&b);
		pinyin_refresh(s);
	}
	found = index_pass(s, c, SEARCH_INDEX_MAX, &ids, &n, &last);
	c->found = found;
	if (found < 0 || (found > SEARCH_INDEX_MAX && a->pinyin_match != NULL)) {
		free(ids);
		return NULL;
	}
	buf_addc(&b, '[');
	for (i = 0; i < n; i++)
		buf_printf(&b, i ? ",%lld" : "%lld", (long long)ids[i]);
	buf_addc(&b, ']');
	free(ids);
	a->ids = buf_steal(&b);
	if (found <= SEARCH_INDEX_MAX) {
		a->where = xstrdup("h.id IN (SELECT value FROM json_each(?7))");
		return a->where;
	}
	/* Many: the index's one list was read in the households' order up
	 * to household `after`, each checked; a page reads the register in
	 * its order, and checks only the households past it (the index
	 * alone says whether the others are found). */
	a->after = last;
	a->where = xstrdup("(+h.id IN (SELECT value FROM json_each(?7)) OR "
	    "(+h.id > ?10 AND (" SEARCH_MATCHES ")))");
	return a->where;
}

/* What a search for term matches: a WHERE clause over households h and
 * its parameters in c->a (bound by bind_search); the empty term matches
 * all. The list, its pages and its count all use it. */
static const char *
search_where(struct store *s, struct search_cache *c, const char *term)
{
	struct search_args *a = &c->a;
	struct buf digits = { 0 };
	const char *p, *where;
	char *t;
	size_t len;

	memset(a, 0, sizeof *a);
	c->found = -1;
	/* Full-width digits and letters, as a Chinese input method types. */
	a->ascii = text_fold_ascii(term);
	term = a->ascii;
	term += strspn(term, " ");
	len = strlen(term);
	while (len > 0 && term[len - 1] == ' ')
		len--;
	if (len == 0)
		return "1";
	t = xstrndup(term, len);
	a->like = like_pattern(t);
	free(t);
	/* A name is found by its pinyin too (zhang, zxy: 张秀英). The
	 * function is registered once: registering it again would make
	 * SQLite compile every statement of the connection again. */
	if (!c->pinyin_fn)
		c->pinyin_fn = sqlite3_create_function(s->db, "pinyin_match", 2,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_pinyin_match, NULL,
		    NULL) == SQLITE_OK;
	if (c->pinyin_fn && pinyin_query_valid(term))
		a->pinyin = term;
	/* A phone number is found whatever spaces or dashes it was typed with. */
	for (p = term; p < term + len; p++) {
		if (isdigit((unsigned char)*p))
			buf_addc(&digits, *p);
		else if (*p != ' ' && *p != '-' && *p != '+')
			break;
	}
	if (p == term + len && digits.len >= 3) {
		char *d = buf_steal(&digits);

		a->digits = like_pattern(d);
		free(d);
	}
	buf_free(&digits);
	if (s->search_like_only ||
	    (where = index_search(s, c, term, len)) == NULL)
		return SEARCH_MATCHES;
	return where;
}

static void
search_args_clear(struct search_args *a)
{
	free(a->like);
	free(a->digits);
	free(a->ascii);
	free(a->text_match);
	free(a->pinyin_match);
	free(a->where);
	free(a->ids);
	memset(a, 0, sizeof *a);
}

/* PRAGMA data_version: changed by every commit of another connection. */
static int64_t
data_version(struct store *s, struct search_cache *c)
{
	sqlite3_stmt *st = kept(s, &c->version_st, "PRAGMA data_version");
	int64_t v = -1;

	if (st != NULL) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		kept_done(st);
	}
	return v;
}

/* The search for term: the last one when it was for the same term and
 * nothing was written since (by this connection or another), else read
 * again. */
static struct search_cache *
search_get(struct store *s, const char *term)
{
	struct search_cache *c = s->search;
	int64_t version;

	if (term == NULL)
		term = "";
	if (c == NULL) {
		c = s->search = xcalloc(1, sizeof *c);
		c->found = -1;
	}
	version = data_version(s, c);
	if (c->term != NULL && strcmp(c->term, term) == 0 && version >= 0 &&
	    version == c->version && c->like_only == s->search_like_only &&
	    c->changes == sqlite3_total_changes64(s->db))
		return c;
	search_args_clear(&c->a);
	free(c->term);
	c->term = xstrdup(term);
	c->like_only = s->search_like_only;
	c->version = version;
	c->where = search_where(s, c, term);
	/* A search can write (pinyin_refresh): what it wrote is part of what
	 * it read. */
	c->changes = sqlite3_total_changes64(s->db);
	return c;
}

void
household_search_forget(struct store *s)
{
	struct search_cache *c = s->search;

	if (c == NULL)
		return;
	search_args_clear(&c->a);
	free(c->term);
	sqlite3_finalize(c->version_st);
	sqlite3_finalize(c->text_st);
	sqlite3_finalize(c->pinyin_st);
	sqlite3_finalize(c->check_st);
	sqlite3_finalize(c->page_st);
	free(c);
	s->search = NULL;
}

void
household_search_use_index(struct store *s, bool use)
{
	s->search_like_only = !use;
}

int
household_search(struct store *s, const char *term, struct household **out,
    size_t *n, char **cause)
{
	return household_search_page(s, term, 0, -1, out, n, cause);
}

/* A page of the households the index found (c->a.ids), in the list's
 * order: only its rows are read and their interviews counted. */
static int
found_page(struct store *s, struct search_cache *c, long offset, long limit,
    struct household **out, size_t *n, char **cause)
{
	sqlite3_stmt *st = kept(s, &c->page_st, "SELECT " HOUSEHOLD_COLUMNS
	    " FROM households h WHERE h.id IN (SELECT h.id FROM households h "
	    "WHERE h.id IN (SELECT value FROM json_each(?7)) ORDER BY "
	    SEARCH_ORDER " LIMIT ?8 OFFSET ?9) ORDER BY " SEARCH_ORDER);
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return sq_fail(s, cause, _("cannot read the households"));
	sq_bind_text(st, 7, c->a.ids);
	sqlite3_bind_int64(st, 8, limit);
	sqlite3_bind_int64(st, 9, offset);
	rc = read_rows(s, st, out, n, cause);
	kept_done(st);
	return rc;
}

int
household_search_page(struct store *s, const char *term, long offset,
    long limit, struct household **out, size_t *n, char **cause)
{
	struct search_cache *c = search_get(s, term);

	if (c->found >= 0 && c->found <= SEARCH_INDEX_MAX && c->a.ids != NULL)
		return found_page(s, c, offset, limit, out, n, cause);
	return households_query(s, c->where, SEARCH_ORDER, offset, limit,
	    bind_search, &c->a, out, n, cause);
}

long
household_search_count(struct store *s, const char *term, long cap,
    char **cause)
{
	struct search_cache *c = search_get(s, term);
	sqlite3_stmt *st;
	int64_t *ids, last;
	size_t nids;
	char *sql;
	long n = -1;

	if (c->found >= 0 && (c->found <= SEARCH_INDEX_MAX ||
	    cap <= SEARCH_INDEX_MAX))
		return c->found < cap + 1 ? c->found : cap + 1;
	if (c->found >= 0) {
		/* More than the index's pass counted: count on. */
		n = index_pass(s, c, cap, &ids, &nids, &last);
		free(ids);
		if (n < 0)
			sq_fail(s, cause, _("cannot read the households"));
		return n;
	}
	/* No term: every household, as the database keeps count of them. */
	if (strcmp(c->where, "1") == 0)
		sql = xasprintf("SELECT min(n, %ld) FROM tallies WHERE name = "
		    "'households'", cap + 1);
	else
		sql = xasprintf("SELECT count(*) FROM (SELECT 1 FROM households h "
		    "WHERE %s LIMIT %ld)", c->where, cap + 1);
	if (sq_prepare(s, sql, &st, cause) == 0) {
		bind_search(st, &c->a);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (long)sqlite3_column_int64(st, 0);
		else
			sq_fail(s, cause, _("cannot read the households"));
		sqlite3_finalize(st);
	}
	free(sql);
	return n;
}

int
household_due_page(struct store *s, const char *until, long offset,
    long limit, struct household **out, size_t *n, char **cause)
{
	return households_query(s, "h.status = 'open' AND h.next_visit IS NOT NULL "
	    "AND h.next_visit <= ?", "h.next_visit, h.code", offset, limit,
	    bind_one_text, until, out, n, cause);
}

int
household_due(struct store *s, const char *until, struct household **out,
    size_t *n, char **cause)
{
	return household_due_first(s, until, -1, out, n, cause);
}

int
household_due_first(struct store *s, const char *until, long limit,
    struct household **out, size_t *n, char **cause)
{
	return household_due_page(s, until, 0, limit, out, n, cause);
}

int
household_counts(struct store *s, const char *until, long *open, long *due,
    char **cause)
{
	sqlite3_stmt *st;

	*open = *due = 0;
	if (sq_prepare(s, "SELECT (SELECT n FROM tallies WHERE name = "
	    "'households_open'), (SELECT count(*) FROM households WHERE "
	    "status = 'open' AND next_visit IS NOT NULL AND next_visit <= ?)",
	    &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, until);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return sq_fail(s, cause, _("cannot read the households"));
	}
	*open = (long)sqlite3_column_int64(st, 0);
	*due = (long)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return 0;
}

int
household_visited(struct store *s, const char *code, char **cause)
{
	sqlite3_stmt *st;
	char today[11];

	expr_date_string(expr_today(), today);
	if (sq_prepare(s, "UPDATE households SET next_visit = NULL WHERE code = ? "
	    "COLLATE NOCASE AND next_visit <= ?", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, code);
	sq_bind_text(st, 2, today);
	return sq_step_done(s, st, cause, _("cannot save the household"));
}

int
household_ensure(struct store *s, const char *code, const char *site,
    bool *created, char **cause)
{
	struct household h = { 0 };
	sqlite3_stmt *st;
	int rc;

	*created = false;
	/* Only whether it is there (an import asks for every record). */
	if (sq_cached(s, "SELECT 1 FROM households WHERE code = ? COLLATE NOCASE",
	    &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, code);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sq_fail(s, cause, _("cannot read the households"));
	sq_cached_done(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? 0 : -1;
	/* Codes from elsewhere are kept as they are: records carry them. The
	 * site is borrowed: h is not cleared after. */
	h.site = (char *)(uintptr_t)site;
	if (insert_household(s, code, &h, "import", cause) != 0)
		return -1;
	*created = true;
	return 0;
}

static struct household_entry *
entry_add(struct household_entry **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].seq = *n;
	return &(*v)[(*n)++];
}

/* The labels of the needs a record's answers flag, comma-separated. */
static char *
record_needs(struct store *s, struct form_cache *fc,
    const struct record_info *r, const char *lang)
{
	const struct form *f;
	struct interview *iv;
	struct buf b = { 0 };
	char *cause = NULL;
	size_t i;

	if ((f = formcache_get(fc, s, r->form_ref, &cause)) == NULL ||
	    (iv = interview_open(s, f, r, &cause)) == NULL) {
		free(cause);
		return NULL;
	}
	for (i = 0; i < f->nneeds; i++)
		if (interview_need(iv, i)) {
			if (b.len > 0)
				buf_adds(&b, ", ");
			buf_adds(&b, form_text(f, &f->needs[i].label, lang));
		}
	interview_free(iv);
	return b.len ? buf_steal(&b) : NULL;
}

/* Within one second: registered, then interviews, then the rest. */
static int
entry_rank(const struct household_entry *e)
{
	if (e->record != 0)
		return 1;
	return strcmp(e->status ? e->status : "", "registered") == 0 ? 0 : 2;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct household_entry *x = a, *y = b;
	int c = strcmp(x->at ? x->at : "", y->at ? y->at : "");

	if (c != 0)
		return c;
	if (entry_rank(x) != entry_rank(y))
		return entry_rank(x) - entry_rank(y);
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
household_timeline(struct store *s, const struct household *h,
    const char *lang, struct household_entry **out, size_t *n, char **cause)
{
	struct form_cache fc = { 0 };
	struct record_info *recs;
	struct household_entry *e;
	sqlite3_stmt *st;
	size_t nrecs, cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_records_of(s, h->code, &recs, &nrecs, cause) != 0)
		return -1;
	for (i = 0; i < nrecs; i++) {
		const struct record_info *r = &recs[i];
		const char *when = r->finalized_at ? r->finalized_at : r->started_at;

		e = entry_add(out, n, &cap);
		e->at = xstrdup(when ? when : "");
		e->date = xstrndup(e->at, 10);
		e->record = r->id;
		e->round = r->round ? xstrdup(r->round) : NULL;
		e->form = r->form_id ? xstrdup(r->form_id) : NULL;
		e->status = xstrdup(r->status ? r->status : "");
		e->sealed = r->sealed;
		if (strcmp(e->status, "draft") != 0)
			e->detail = record_needs(s, &fc, r, lang);
	}
	store_records_free(recs, nrecs);
	formcache_free(&fc);
	if (sq_prepare(s, "SELECT at, what, detail FROM household_events WHERE "
	    "household_id = ? ORDER BY at, id", &st, cause) != 0) {
		household_timeline_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	sqlite3_bind_int64(st, 1, h->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e = entry_add(out, n, &cap);
		e->at = sq_col_dup(st, 0);
		e->date = xstrndup(e->at ? e->at : "", 10);
		e->status = sq_col_dup(st, 1);
		e->detail = sq_col_dup(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		household_timeline_free(*out, *n);
		*out = NULL;
		*n = 0;
		return sq_fail(s, cause, _("cannot read the household's history"));
	}
	if (*n > 1)
		qsort(*out, *n, sizeof **out, entry_cmp);
	return 0;
}

void
household_timeline_free(struct household_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].date);
		free(v[i].at);
		free(v[i].round);
		free(v[i].form);
		free(v[i].status);
		free(v[i].detail);
	}
	free(v);
}

char *
household_field(const struct household *h, enum household_field field)
{
	const char *v = NULL;

	switch (field) {
	case HF_NONE:
		break;
	case HF_HEAD:
		v = h->head;
		break;
	case HF_PHONE:
		v = h->phone;
		break;
	case HF_ADDRESS:
		v = h->address;
		break;
	case HF_SITE:
		v = h->site;
		break;
	case HF_CODE:
		v = h->code;
		break;
	}
	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* Whether a register's value and an answer are the same (phones in their
 * normal form). */
static bool
same_field(enum household_field field, const char *old, const char *value)
{
	const char *why;
	char *norm;
	bool same;

	if (old == NULL)
		return false;
	if (field != HF_PHONE)
		return strcmp(old, value) == 0;
	norm = phone_normalize(old, &why);
	same = strcmp(norm != NULL ? norm : old, value) == 0;
	free(norm);
	return same;
}

int
household_take_answer(struct store *s, const char *code,
    enum household_field field, const char *value, char **cause)
{
	static const char *const columns[] = {
		[HF_HEAD] = "head", [HF_PHONE] = "phone", [HF_ADDRESS] = "address",
	};
	struct household h;
	sqlite3_stmt *st;
	char *old, *sql, *detail, now[40];
	bool own;
	int rc;

	if (field != HF_HEAD && field != HF_PHONE && field != HF_ADDRESS)
		return 0;
	if ((rc = household_get(s, code, &h, cause)) != 0)
		return rc < 0 ? -1 : 0;
	old = household_field(&h, field);
	if (same_field(field, old, value)) {
		free(old);
		household_clear(&h);
		return 0;
	}
	iso8601_now(now, sizeof now);
	if ((rc = sq_begin(s, &own, cause)) != 0)
		goto done;
	sql = xasprintf("UPDATE households SET %s = ?, updated_at = ? WHERE id = ?",
	    columns[field]);
	rc = sq_prepare(s, sql, &st, cause);
	free(sql);
	if (rc != 0)
		goto end;
	sq_bind_text(st, 1, value);
	sq_bind_text(st, 2, now);
	sqlite3_bind_int64(st, 3, h.id);
	rc = sq_step_done(s, st, cause, _("cannot save the household"));
	if (rc != 0)
		goto end;
	/* As the trail shows it: which field, from what, to what. */
	detail = xasprintf("%s: %s -> %s", form_household_field_name(field),
	    old != NULL ? old : "-", value);
	rc = household_event(s, h.id, "edited", detail, cause);
	free(detail);
end:
	rc = sq_end(s, own, rc, cause);
done:
	free(old);
	household_clear(&h);
	return rc;
}

void
household_clear(struct household *h)
{
	free(h->code);
	free(h->site);
	free(h->head);
	free(h->phone);
	free(h->address);
	free(h->notes);
	free(h->closed_reason);
	free(h->closed_at);
	free(h->next_visit);
	free(h->created_at);
	free(h->updated_at);
	free(h->last_visit);
	memset(h, 0, sizeof *h);
}

void
households_free(struct household *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		household_clear(&v[i]);
	free(v);
}
