/* Households shared through an ODK Central Entity List (the ODK XForms
 * Entities specification, version 2024.1.0): a form that declares
 * `entities:` creates the household's entity with its first record and
 * updates it with the next ones (the <entity> block in the record's
 * <meta>), and an upload then downloads the list the app user may see
 * and merges it into the register, so that another server's households,
 * their status and their carried answers are here too. An edit made here
 * and not yet on the server, against a newer edit on the server, is kept
 * on both sides until someone chooses: the household is in conflict.
 *
 * The properties of a household's entity: code, head, phone, site,
 * status (open or closed), next_visit, round (of its latest interview),
 * and the answers of questions marked `save_to: PROPERTY`. */
#ifndef DOORSTEP_ENTITY_H
#define DOORSTEP_ENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "interview.h"
#include "store.h"
#include "upload.h"
#include "util.h"

/* The version of the Entities specification doorstep writes. */
#define ENTITY_SPEC_VERSION "2024.1.0"

/* Whether name can name an Entity List (as ODK Central checks it). */
bool entity_dataset_valid(const char *name);

/* Why name cannot be a property a question saves to (static,
 * untranslated: pass it through _()), or NULL when it can: Central's rule
 * (not name or label, not beginning with __, letters, digits, _ . -), and
 * not one of the register's own properties. */
const char *entity_property_why(const char *name);

/* What a finalized record of a form with entities adds to its <meta>: the
 * household's register fields and the <entity> block (create the first
 * time, then update with the version it was based on). Gives the household
 * its entity id the first time, moves its version on, and keeps what the
 * record sends until the server has it (entity_sent). Inside the caller's
 * transaction. Returns a new string, "" when the form declares no entities
 * or the record names no registered household; NULL with *cause on error. */
char *entity_stamp(struct store *s, const struct interview *iv,
    const struct record_info *rec, char **cause);

/* The record was accepted: what it sent is what the server holds. */
int entity_sent(struct store *s, int64_t record, char **cause);

/* The XForm's parts (core/xml.c): the namespace and version on <model>
 * are written by xml.c; these add the meta elements of the instance, the
 * binds (entities:saveto) and the list as a secondary instance. */
void entity_xform_instance(struct buf *b, const struct form *f);
void entity_xform_meta(struct buf *b, const struct form *f);
void entity_xform_binds(struct buf *b, const struct form *f);

/* What one download and merge did. */
struct entity_summary {
	size_t lists;		/* lists downloaded */
	size_t rows;		/* households in them */
	size_t added;		/* new here */
	size_t updated;		/* changed here from the server */
	size_t conflicts;	/* households in conflict after the merge */
	size_t code_taken;	/* the code is another household's here */
	size_t refused;		/* lists refused (a row breaks the form) */
};

/* Merges one Entity List (CSV as ODK Central serves it: name, label,
 * __version and the properties) of form f into the register, in one
 * transaction. Returns 0; 1 when a row breaks the form's rules (*cause
 * says which and why; nothing of the list is taken); -1 on error. note
 * (may be NULL) hears one line per household that could not be taken. */
int entity_merge_csv(struct store *s, const struct form *f, const char *csv,
    size_t len, struct entity_summary *sum,
    void (*note)(void *ctx, const char *msg), void *ctx, char **cause);

/* Downloads, as ODK Collect does, the Entity List of each form with
 * entities: the form list next to the submission URL, the form's
 * manifest, and the list's CSV it names, with the upload's credentials;
 * then merges each. Returns an UPLOAD_ status. */
int entity_sync(struct store *s, const struct form *const *forms,
    size_t nforms, const struct upload_options *o,
    struct entity_summary *sum);

/* One property on which this database and the server disagree. */
struct entity_conflict {
	char *name;
	char *mine;		/* this database's value (NULL: empty) */
	char *theirs;		/* the server's */
	long version;		/* the server's version of the entity */
};

/* The household's conflicts (none: *n = 0). */
int entity_conflicts(struct store *s, int64_t household_id,
    struct entity_conflict **out, size_t *n, char **cause);
void entity_conflicts_free(struct entity_conflict *v, size_t n);

/* Households in conflict, counted. -1 on error. */
long entity_conflict_count(struct store *s, char **cause);

/* Ends the household's conflict: keep_mine sends this database's values
 * with its next interview (the server keeps its own until then); else the
 * server's values are taken into the register. Recorded in its history. */
int entity_resolve(struct store *s, int64_t household_id, bool keep_mine,
    char **cause);

/* The value the server holds for one of the household's properties, as
 * last downloaded (new string), or NULL: for carrying answers over when
 * this database holds no earlier interview of the household. */
char *entity_server_value(struct store *s, const char *household,
    const char *name);

#endif
