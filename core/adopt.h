/* Moving a single-user database into a team install: every record,
 * answer and household, checked before and counted after. */
#ifndef DOORSTEP_ADOPT_H
#define DOORSTEP_ADOPT_H

/* What was moved. */
struct adopt_counts {
	long records;
	long households;
};

/* Copies the database at from (opened read-only, so with the rights of
 * whoever calls; a doorstep database of this or an older schema, whole)
 * into the team's database at team_path, which must hold no record and no
 * household yet, then brings it to this schema. *done says what arrived;
 * on failure *cause says why and the team's database holds nothing of
 * from. */
int adopt_database(const char *from, const char *team_path,
    struct adopt_counts *done, char **cause);

#endif
