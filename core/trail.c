#include "trail.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "store-impl.h"
#include "util.h"

void
trail_set_login(struct store *s, const char *login)
{
	free(s->login);
	s->login = login != NULL ? xstrdup(login) : NULL;
}

/* The login of this process, when none was set. */
static const char *
process_login(void)
{
	const struct passwd *pw = getpwuid(getuid());

	return pw != NULL && pw->pw_name != NULL ? pw->pw_name : "?";
}

int
trail_add(struct store *s, const struct trail_entry *e, char **cause)
{
	sqlite3_stmt *st;
	char now[40];

	iso8601_now(now, sizeof now);
	/* Compiled once: every answer saved adds an entry. */
	if (sq_cached(s, "INSERT INTO trail (at, login, what, record_id, "
	    "instance_id, household, question, old, new, detail) VALUES "
	    "(?1, ?2, ?3, ?4, (SELECT instance_id FROM records WHERE id = ?4), "
	    "coalesce(?5, (SELECT household FROM records WHERE id = ?4), "
	    "(SELECT code FROM households WHERE id = ?6)), CASE WHEN ?11 > 0 THEN "
	    "?7 || '[' || ?11 || ']' ELSE ?7 END, ?8, ?9, ?10)",
	    &st, cause) != 0)
		return -1;
	/* The process's login, looked up once (getpwuid reads /etc/passwd,
	 * seven system calls an answer). */
	if (s->login == NULL)
		s->login = xstrdup(process_login());
	sq_bind_text(st, 1, now);
	sq_bind_text(st, 2, s->login);
	sq_bind_text(st, 3, e->what);
	if (e->record != 0)
		sqlite3_bind_int64(st, 4, e->record);
	sq_bind_text(st, 5, e->household);
	sqlite3_bind_int64(st, 6, e->household_id);
	sq_bind_text(st, 7, e->question);
	sq_bind_text(st, 8, e->old);
	sq_bind_text(st, 9, e->new_value);
	sq_bind_text(st, 10, e->detail);
	sqlite3_bind_int64(st, 11, e->entry);
	return sq_cached_step_done(s, st, cause, _("cannot keep the trail"));
}

int
trail_read(struct store *s, const char *household, const char *instance_id,
    void (*fn)(void *ctx, const struct trail_row *r), void *ctx, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, "SELECT id, at, login, what, instance_id, household, "
	    "question, old, new, detail FROM trail WHERE (?1 IS NULL OR "
	    "household = ?1 COLLATE NOCASE) AND (?2 IS NULL OR instance_id = ?2) "
	    "ORDER BY id", &st, cause) != 0)
		return -1;
	sq_bind_text(st, 1, household);
	sq_bind_text(st, 2, instance_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct trail_row r;

		r.id = sqlite3_column_int64(st, 0);
		r.at = (const char *)sqlite3_column_text(st, 1);
		r.login = (const char *)sqlite3_column_text(st, 2);
		r.what = (const char *)sqlite3_column_text(st, 3);
		r.instance_id = (const char *)sqlite3_column_text(st, 4);
		r.household = (const char *)sqlite3_column_text(st, 5);
		r.question = (const char *)sqlite3_column_text(st, 6);
		r.old = (const char *)sqlite3_column_text(st, 7);
		r.new_value = (const char *)sqlite3_column_text(st, 8);
		r.detail = (const char *)sqlite3_column_text(st, 9);
		fn(ctx, &r);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, cause, _("cannot read the trail"));
	return 0;
}

/* A CSV field, then a comma or the end of the row. */
static void
csv_put(FILE *f, const char *v, bool last)
{
	csv_write(f, v, false);
	fputs(last ? "\r\n" : ",", f);
}

struct csv_ctx {
	FILE *f;
	long n;
};

static void
csv_row(void *ctx, const struct trail_row *r)
{
	struct csv_ctx *c = ctx;
	char id[24];

	snprintf(id, sizeof id, "%lld", (long long)r->id);
	csv_put(c->f, id, false);
	csv_put(c->f, r->at, false);
	csv_put(c->f, r->login, false);
	csv_put(c->f, r->what, false);
	csv_put(c->f, r->household, false);
	csv_put(c->f, r->instance_id, false);
	csv_put(c->f, r->question, false);
	csv_put(c->f, r->old, false);
	csv_put(c->f, r->new_value, false);
	csv_put(c->f, r->detail, true);
	c->n++;
}

long
trail_csv(struct store *s, FILE *out, const char *household, char **cause)
{
	struct csv_ctx c = { out, 0 };

	fputs("id,at,login,what,household,instance_id,question,old,new,detail\r\n",
	    out);
	if (trail_read(s, household, NULL, csv_row, &c, cause) != 0)
		return -1;
	if (ferror(out)) {
		set_cause(cause, _("cannot write the trail"));
		return -1;
	}
	return c.n;
}
