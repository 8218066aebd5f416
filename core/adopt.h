/* Moving a single-user database into a team install: every record,
 * answer and household, checked before and counted after. */
#ifndef DOORSTEP_ADOPT_H
#define DOORSTEP_ADOPT_H

/* What was moved. */
struct adopt_counts {
	long records;
	long households;
};

/* A single-user database, opened read-only with the caller's rights and
 * checked: a whole doorstep database of this or an older schema. */
struct adopt_source;
struct adopt_source *adopt_open(const char *from, char **cause);
void adopt_close(struct adopt_source *src);

/* Copies src into the team's database at team_path, which must hold no
 * record and no household yet, then brings it to this schema and checks
 * that every record and household arrived. *done says what arrived; on
 * failure *cause says why. */
int adopt_into(struct adopt_source *src, const char *team_path,
    struct adopt_counts *done, char **cause);

/* adopt_open, adopt_into and adopt_close in one. */
int adopt_database(const char *from, const char *team_path,
    struct adopt_counts *done, char **cause);

#endif
