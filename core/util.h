/* Allocation that cannot return NULL, growable strings, and small helpers. */
#ifndef DOORSTEP_UTIL_H
#define DOORSTEP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Called once before the process dies of an allocation failure (the
 * terminal front end restores the screen here). */
void util_set_fatal_hook(void (*hook)(void));

/* For tests: make the Nth allocation from now fail (0 turns it off). */
void util_fail_alloc_after(unsigned long n);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) ATTR_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) ATTR_PRINTF(1, 0);

/* A growable byte string, always NUL-terminated once anything is added. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Hands the string to the caller and empties the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

/* Sets *cause (if cause is not NULL) to a newly allocated message. */
void set_cause(char **cause, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* The current local time as ISO 8601 with offset, e.g.
 * 2020-02-26T09:30:00+08:00, into out (at least 32 bytes). */
void iso8601_now(char *out, size_t size);

/* Edit distance, for "did you mean" suggestions; stops counting at limit. */
size_t edit_distance(const char *a, const char *b, size_t limit);

bool str_eq(const char *a, const char *b);

/* Writes one CSV field (v NULL: an empty one), quoted when it must be;
 * a text a spreadsheet would take for a formula (=, +, -, @, tab or CR
 * first) is quoted and starts with an apostrophe, unless numeric. As
 * --export and --trail write them. */
void csv_write(FILE *f, const char *v, bool numeric);

/* A file written in full or not at all, readable by its owner only:
 * written to PATH.tmp.PID, then renamed over PATH by safe_file_commit. */
struct safe_file {
	FILE *f;
	char *path;
	char *tmp;
};

int safe_file_open(struct safe_file *sf, const char *path, char **cause);
/* Flushes, syncs and renames; on failure the old file is left as it was. */
int safe_file_commit(struct safe_file *sf, char **cause);
/* Drops what was written. */
void safe_file_abort(struct safe_file *sf);

/* Creates each missing folder on the way to path (not path itself), mode
 * 0700. */
int make_parents(const char *path, char **cause);

#endif
