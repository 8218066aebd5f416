/* The local SQLite store: form versions, interview records, answers. */
#ifndef DOORSTEP_STORE_H
#define DOORSTEP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "holder.h"

#define STORE_SCHEMA_VERSION 14

struct store;

/* One interview as listed from the store. Strings may be NULL. */
struct record_info {
	int64_t id;
	char *instance_id;
	int64_t form_ref;
	char *form_id;
	char *form_version;
	char *household;
	char *round;
	char *site;
	char *interviewer;
	char *status;		/* draft, finalized, uploaded, conflict */
	char *started_at;
	char *updated_at;
	char *finalized_at;
	char *position;		/* the question the interviewer was on */
	long answered;		/* answers with a value */
	bool sealed;		/* encrypted at finalize: no answers to read */
};

enum store_filter {
	STORE_DRAFTS,		/* status draft */
	STORE_DONE,		/* finalized, uploaded or conflict */
	STORE_ALL,
	STORE_QUEUE,		/* finalized, not yet uploaded */
	STORE_ONE,		/* internal: one record by id */
	STORE_HOUSEHOLD,	/* internal: store_records_of */
	STORE_PREVIOUS,		/* internal: store_previous_record */
	STORE_QUEUE_PAGE,	/* internal: store_queue_page */
};

/* How many records store_queue_page gives at most. */
#define STORE_PAGE 100

/* The database path: the explicit one, else $DOORSTEP_DB, else
 * $XDG_DATA_HOME/doorstep/doorstep.db, else ~/.local/share/doorstep/
 * doorstep.db. Returns a new string, or NULL with *cause set. */
char *store_default_path(const char *explicit_path, char **cause);

/* Opens (creating, mode 0600 in a 0700 directory, and migrating) the
 * database. Refuses a database written by a newer schema. */
struct store *store_open(const char *path, char **cause);
/* The same for a team's shared database: created mode 0660 in a folder of
 * the data group (see team.h), temporary tables kept in memory, and its
 * -wal and -shm opened before it returns, so that the data group is needed
 * only for this call. */
struct store *store_open_shared(const char *path, char **cause);
/* A database in memory only, gone when closed: for records that must not
 * touch a disk in plain text (--decrypt --format csv). Records of a form
 * with a public key are not sealed there (store_in_memory). */
struct store *store_open_memory(char **cause);
bool store_in_memory(const struct store *s);
void store_close(struct store *s);

/* How far an update of a database's schema has got: the first start
 * after an upgrade can take a minute at a million records, and a screen
 * that shows nothing looks hung. */
enum store_progress_what {
	STORE_PROGRESS_START,	/* from, to, households or records */
	STORE_PROGRESS_STEP,	/* step of steps, name, percent; again
				 * as the step goes on */
	STORE_PROGRESS_DONE,	/* committed: the update is done */
	STORE_PROGRESS_WAIT,	/* another start holds the database (it is
				 * updating it): this one waits for it */
};
struct store_progress {
	enum store_progress_what what;
	int from, to;		/* schema versions */
	long households;	/* the database holds; -1: no register yet */
	long records;		/* counted only when households is -1 */
	int step, steps;	/* this one is step `step` (from 1) of steps */
	const char *name;	/* the step's, translated */
	int percent;		/* of the step done; -1: not known (the
				 * step is still at work) */
};
typedef void store_progress_fn(const struct store_progress *p, void *ctx);
/* Who is told, in this process, when a store_open* finds a database that
 * holds data at an older schema (NULL: nobody): before the update starts,
 * at the start and end of each step and often in between (at each percent
 * where it is known, every few milliseconds of work otherwise). The update
 * is one transaction either way: a process killed in the middle leaves
 * the database as it was, and the next start does it all again. */
void store_set_progress(store_progress_fn *fn, void *ctx);

/* The path the database was opened with (files that go with it, such as
 * the upload's lock, sit beside it). */
const char *store_path(const struct store *s);

/* How long to wait for another process (an upload from cron, say) that
 * holds the database, before giving up; 5000 ms unless set. */
void store_set_busy_timeout(struct store *s, int ms);

/* Keeps this form version (by the SHA-256 of its YAML) and gives its
 * reference. */
int store_form_remember(struct store *s, const struct form *f,
    int64_t *form_ref, char **cause);

/* Whether the form may keep its version: 1 with *why set when this
 * database holds the same form id and version with other questions (names,
 * types, choices' values, structure; labels may differ), 0 when not, -1 on
 * error. */
int store_form_version_check(struct store *s, const struct form *f,
    char **why, char **cause);

/* The YAML text of a stored form version, as it was when first used. */
char *store_form_yaml(struct store *s, int64_t form_ref, size_t *len,
    char **cause);

/* Starts a draft record with a new instance ID (copied to instance_id
 * when not NULL); *id is its row id. */
int store_record_create(struct store *s, int64_t form_ref,
    const char *household, const char *round, const char *site,
    const char *interviewer, int64_t *id, char instance_id[42], char **cause);

/* Groups the writes that follow into one transaction, committed by
 * store_commit (or undone by store_rollback). Writes outside one are each
 * a transaction of their own. Writers begin in the order they asked (a
 * queue in DATABASE.write-queue, see store.c), each waiting at most the
 * busy timeout in all. */
int store_begin(struct store *s, char **cause);
int store_commit(struct store *s, char **cause);
void store_rollback(struct store *s);
/* Whether the last store_begin stopped waiting for its turn in the queue
 * (the writer before it stuck, not dead) and asked SQLite anyway. */
bool store_queue_gave_up(const struct store *s);

/* Inside a transaction (store_begin), a part of it that can be undone
 * alone (store_rollback_to) or kept (store_release); one at a time. */
int store_savepoint(struct store *s, char **cause);
int store_release(struct store *s, char **cause);
void store_rollback_to(struct store *s);
/* For transactions of many parts (an import's batches), begun after it:
 * what a part would undo is kept in memory, not written page by page to
 * a temporary file (43 writes a record, a quarter of an import's time).
 * Off again (false) once they are committed. */
int store_parts_in_memory(struct store *s, bool on, char **cause);

/* Commits one answer (value NULL: left empty) of repeat entry `entry` (0
 * outside repeats), and the place the interviewer is now at (position
 * NULL: unchanged). Name NULL saves only the position. Refused unless the
 * record is a draft. */
int store_answer_save(struct store *s, int64_t record, const char *name,
    long entry, const char *value, const char *position, char **cause);

/* Calls fn for every stored answer of the record. */
int store_answers_load(struct store *s, int64_t record,
    void (*fn)(void *ctx, const char *name, long entry, const char *value),
    void *ctx, char **cause);

/* Deletes entry `entry` of a repeat (the answers to names[0..n)) and
 * moves the later entries down by one. */
int store_entry_delete(struct store *s, int64_t record,
    const char *const *names, size_t n, long entry, char **cause);

/* Marks a draft finalized, with the time and its XML instance (written
 * once, sent byte for byte the same on every upload attempt); no session
 * holds it any more. */
int store_record_finalize(struct store *s, int64_t record, const char *xml,
    char **cause);

/* Finalizes a draft as a sealed record (or seals a record imported
 * finalized, which has no XML yet): its XML is the submission
 * manifest, its time the end of the plain instance (read for that only,
 * never kept), the encrypted instance is kept beside it with the need areas
 * it flagged (needs: ids separated by spaces; NULL when the form does not
 * keep them in plain text), and every answer is deleted but those named
 * in keep. In the caller's transaction, or one of its own. */
int store_record_seal(struct store *s, int64_t record, const char *manifest,
    const char *instance, const unsigned char *enc, size_t enc_len,
    const char *needs, const char *const *keep, size_t nkeep, char **cause);

/* The encrypted instance of a sealed record (*enc, *enc_len) and the need
 * areas it keeps in plain text (*needs, NULL when none are kept); either
 * pointer may be NULL when not wanted. Returns 1, 0 when the record is
 * not sealed, -1 on error. */
int store_sealed_get(struct store *s, int64_t record, unsigned char **enc,
    size_t *enc_len, char **needs, char **cause);

/* Once a sealed record has been committed (store_record_seal), copies the
 * write-ahead log into the database and cuts the log to nothing, so that
 * the plain answers deleted (zeroed, with secure_delete, which every
 * connection turns on) linger in neither file; otherwise does nothing.
 * Left to the caller so that the interviewer does not wait for it: the
 * program runs it as soon as the screen shows the finalized interview,
 * before it reads another key, and store_close runs it at the latest.
 * While another process reads, it fails and stays due. */
int store_scrub(struct store *s, char **cause);

/* What store_draft_claim did. */
enum store_claim {
	STORE_CLAIMED,		/* no session held the draft, or this one did */
	STORE_CLAIMED_GONE,	/* its holder's process had ended: taken */
	STORE_CLAIMED_OVER,	/* taken over from a live session, as asked */
	STORE_HELD,		/* a live session holds it: left to it */
};

/* Who holds the draft open: 1 with *out filled, 0 when no session does. */
int store_draft_holder(struct store *s, int64_t record, struct holder *out,
    char **cause);

/* Marks the draft as held by the session me: when no session holds it,
 * when me does already, when its holder's process has ended, or when
 * take_over. *other is the holder before (empty when there was none).
 * Returns an enum store_claim, or -1 on error or when the record is not
 * a draft. */
int store_draft_claim(struct store *s, int64_t record, const struct holder *me,
    bool take_over, struct holder *other, char **cause);

/* Whether the session with this token holds the draft: 0 yes; 1 no, with
 * *other the holder now (empty when none); -1 on error. Inside the
 * caller's transaction, it guards the writes that follow. */
int store_draft_check(struct store *s, int64_t record, const char *token,
    struct holder *other, char **cause);

/* Lets the draft go, when the session with this token holds it. */
int store_draft_release(struct store *s, int64_t record, const char *token,
    char **cause);

/* Deletes a draft and its answers in one transaction: never a finalized
 * record, nor a draft another live session holds open (token: this
 * session's, or NULL when it holds none). The trail keeps the reason
 * (NULL: none given). */
int store_draft_discard(struct store *s, int64_t record, const char *token,
    const char *reason, char **cause);

/* Gives a draft to another interviewer (login to): it is theirs to
 * resume; a session that had it open can change it no more. */
int store_draft_hand_over(struct store *s, int64_t record, const char *to,
    char **cause);

/* One record, as store_records_list gives it. */
int store_record_get(struct store *s, int64_t record, struct record_info *out,
    char **cause);

/* The stored XML instance of a record, or NULL (with *cause NULL) when it
 * has none yet. */
char *store_record_xml(struct store *s, int64_t record, char **cause);

/* Keeps the XML instance of a finalized record that has none (records
 * finalized before instances were stored); an existing one is kept. */
int store_record_set_xml(struct store *s, int64_t record, const char *xml,
    char **cause);

/* Records the server's answer to a finalized record: status uploaded or
 * conflict, the time, and what the server said. */
int store_record_uploaded(struct store *s, int64_t record, const char *status,
    const char *reply, char **cause);

/* Keeps the server's answer to a record that it refused and that stays
 * queued (a closed form, a version the server lacks). */
int store_record_refused(struct store *s, int64_t record, const char *reply,
    char **cause);

/* Puts conflict records, and queued records the server refused, back in
 * the queue as if never sent (instance_id NULL: all of them); their
 * server_reply says who did it and when, and keeps what the server said.
 * *n: how many. */
int store_requeue(struct store *s, const char *instance_id, const char *who,
    long *n, char **cause);

/* What the server last said about a record, or NULL. */
char *store_record_reply(struct store *s, int64_t record);

/* A file sent with a record beside its XML (audit.csv). */
struct store_file {
	char *name;
	char *type;
	char *data;	/* len bytes, and a NUL after them */
	size_t len;
};

/* Keeps (or replaces) a file of the record. */
int store_record_file_put(struct store *s, int64_t record, const char *name,
    const char *type, const char *data, size_t len, char **cause);

/* The record's files, by name. *out is owned by the caller. */
int store_record_files(struct store *s, int64_t record, struct store_file **out,
    size_t *n, char **cause);
void store_files_free(struct store_file *v, size_t n);

/* One ODK audit event of an interview (a row of Collect's audit.csv). */
struct store_audit {
	const char *event;	/* form start, question, form exit ... */
	const char *node;	/* the question's path, or NULL */
	long long start_ms;	/* since 1970, in milliseconds; 0: none */
	long long end_ms;
	const char *old_value;	/* when the answer changed */
	const char *new_value;
	const char *user;
};

int store_audit_add(struct store *s, int64_t record, const struct store_audit *a,
    char **cause);

/* The record's audit events as ODK Collect's audit.csv with track-changes
 * and identify-user: event,node,start,end,old-value,new-value,user. */
char *store_audit_csv(struct store *s, int64_t record, char **cause);

/* The stored version of form id at version, newest first; 0 with *ref 0
 * when there is none, -1 on a database error. */
int store_form_find(struct store *s, const char *form_id, const char *version,
    int64_t *ref, char **cause);

/* The row id of the record with this instance ID, or 0 when none. */
int store_record_find(struct store *s, const char *instance_id, int64_t *id,
    char **cause);

/* Adds a record from elsewhere (another site's export) as it was: its
 * instance ID, status and times, and its XML instance (or NULL). Answers
 * follow with store_answer_put. */
int store_record_import(struct store *s, int64_t form_ref,
    const struct record_info *rec, const char *xml, int64_t *id,
    char **cause);

/* Writes one answer of any record, whatever its status (for imports). */
int store_answer_put(struct store *s, int64_t record, const char *name,
    long entry, const char *value, char **cause);

/* Finalized records waiting for upload, oldest first. */
int store_queue(struct store *s, struct record_info **out, size_t *n,
    char **cause);

/* Lists records, oldest first. *out is owned by the caller. */
int store_records_list(struct store *s, enum store_filter filter,
    struct record_info **out, size_t *n, char **cause);
void store_records_free(struct record_info *v, size_t n);
/* Reads that follow, until store_read_end, see one snapshot of the
 * database (writers go on beside it); *own false when the caller was in a
 * transaction already, which then stays as it was. */
int store_read_begin(struct store *s, bool *own, char **cause);
void store_read_end(struct store *s, bool own);
/* Calls fn for each record of filter (DRAFTS, DONE, ALL or QUEUE), oldest
 * first, one at a time from one snapshot of the database, each freed once
 * fn returns: memory stays flat however many records there are. fn
 * returns 0 to go on, -1 to stop (with *cause). Its answers are not
 * counted (answered is 0). */
int store_records_each(struct store *s, enum store_filter filter,
    int (*fn)(const struct record_info *r, void *ctx, char **cause),
    void *ctx, char **cause);
/* As store_records_each for the finalized (uploaded, conflict) records,
 * ordered by household (the instance ID for a record without one), round
 * ("" for none) and start: each household's records one run after
 * another, read by an index, never sorted in memory. */
int store_records_by_household(struct store *s,
    int (*fn)(const struct record_info *r, void *ctx, char **cause),
    void *ctx, char **cause);
/* The next page (at most STORE_PAGE) of the upload queue, in store_queue's
 * order, after the record `after` (NULL: the first page); *n 0 at its end. */
int store_queue_page(struct store *s, const struct record_info *after,
    struct record_info **out, size_t *n, char **cause);
/* Frees what one record_info holds (not the struct itself). */
void store_record_clear(struct record_info *r);

/* Every record of a household (by code), oldest first. */
int store_records_of(struct store *s, const char *household,
    struct record_info **out, size_t *n, char **cause);

/* The household's latest finalized (or uploaded) record of a round other
 * than `round`: 1 with *out filled, 0 when there is none, -1 on error. */
int store_previous_record(struct store *s, const char *household,
    const char *round, struct record_info *out, char **cause);

/* Writes an answer carried over from the household's round from_round,
 * to be confirmed (store_answer_save clears the mark). */
int store_answer_carry(struct store *s, int64_t record, const char *name,
    long entry, const char *value, const char *from_round, char **cause);

/* Calls fn for every answer of the record still marked as carried over. */
int store_carried_load(struct store *s, int64_t record,
    void (*fn)(void *ctx, const char *name, long entry, const char *round),
    void *ctx, char **cause);

/* A value chosen in the program and kept in the database (the round), or
 * NULL. */
char *store_setting(struct store *s, const char *key);
int store_set_setting(struct store *s, const char *key, const char *value,
    char **cause);

/* This installation's device ID for ODK's meta/deviceID ("doorstep:"
 * and 30 random hex digits), made once and kept in the settings. */
char *store_device_id(struct store *s);

/* The rounds the records name, sorted, with how many records each. */
int store_rounds(struct store *s, char ***names, long **counts, size_t *n,
    char **cause);

/* How many records have this status. */
long store_count(struct store *s, const char *status);

#endif
