/* Writes records out for analysis and for other sites (JSONL). */
#ifndef DOORSTEP_EXPORT_H
#define DOORSTEP_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "form.h"
#include "seal.h"
#include "store.h"

/* Writes one JSON object a line for every finalized, uploaded or conflict
 * record (with all: drafts too). Returns the number of records written,
 * or -1 with *cause set. */
long export_jsonl(struct store *s, FILE *out, bool all, char **cause);

/* Writes records as CSV for spreadsheets: one row per record, one column
 * per question (a multiple choice also as one 0/1 column per choice, a
 * need area as a 0/1 column), into out. When repeat_base is not NULL,
 * each repeat goes to REPEAT_BASE-NAME.csv, one row per entry keyed by
 * instance_id; without it repeats are left out (*skipped says so). Text
 * that a spreadsheet would run as a formula (= + - @) is made inert; bom
 * starts each file with a UTF-8 byte order mark (Excel, WPS). Returns the
 * number of records, or -1 with *cause. */
long export_csv(struct store *s, FILE *out, const char *repeat_base, bool all,
    bool bom, bool *skipped, char **cause);

/* Sharing without names (--export --deidentify): questions marked
 * identifying are left out, the household code and the instance ID are
 * replaced by pseudonyms keyed with the organisation's secret
 * (HMAC-SHA256: the same family gets the same pseudonym round after
 * round, and no one without the key can tell which family it is), and
 * dates are cut to the month. A sealed record gives only what its form
 * keeps in plain text. */
struct export_share {
	const unsigned char *key;
	size_t keylen;
};

#define EXPORT_SHARE_KEY_BYTES 32

/* The secret of the pseudonyms, read from path; made (random, mode 0600)
 * when there is none yet, and then *created is set. A key file others
 * can read is refused. Returns 0, or -1 with *cause. */
int export_share_key(const char *path, unsigned char key[EXPORT_SHARE_KEY_BYTES],
    bool *created, char **cause);

/* The pseudonym of a household code ("H-" and 12 hex digits; codes
 * compared as kept, upper case) or of an instance ID ("anon:" and 32). */
char *export_pseudonym(const struct export_share *sh, const char *kind,
    const char *value);

/* export_jsonl and export_csv, shared without names when sh is not NULL. */
long export_jsonl_shared(struct store *s, FILE *out, bool all,
    const struct export_share *sh, char **cause);
long export_csv_shared(struct store *s, FILE *out, const char *repeat_base,
    bool all, bool bom, const struct export_share *sh, bool *skipped,
    char **cause);

/* What export_decrypt did. */
struct decrypt_summary {
	long opened;		/* sealed records decrypted */
	long plain;		/* records that were not sealed, passed on */
	long refused;		/* sealed records this key did not open, or
				 * that were changed or cut short */
	long bad;		/* lines that are not a record */
};

/* Reads a JSONL export (name for messages) and writes it to out with each
 * sealed record opened with k: its "sealed" object replaced by the
 * "answers" of its instance, typed as its form (from forms[], by id and
 * version) says, else as text. A record that cannot be opened is left out
 * and said to note ("name:LINE: why"). Returns 0, or -1 (*cause) when
 * reading or writing failed. */
int export_decrypt(FILE *in, const char *name, FILE *out,
    const struct seal_key *k, const struct form *const *forms, size_t nforms,
    void (*note)(void *ctx, const char *msg), void *ctx,
    struct decrypt_summary *sum, char **cause);

#endif
