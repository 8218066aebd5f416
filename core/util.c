#include "i18n.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void (*fatal_hook)(void);
static unsigned long fail_countdown;

void
util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
util_fail_alloc_after(unsigned long n)
{
	fail_countdown = n;
}

static void
out_of_memory(size_t size)
{
	if (fatal_hook != NULL)
		fatal_hook();
	fprintf(stderr, "doorstep: out of memory (asked for %zu bytes); "
	    "every answer given so far is saved\n", size);
	exit(70);
}

static bool
should_fail(void)
{
	if (fail_countdown == 0)
		return false;
	return --fail_countdown == 0;
}

void *
xmalloc(size_t size)
{
	void *p = should_fail() ? NULL : malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = should_fail() ? NULL : realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size)
		out_of_memory((size_t)-1);
	return xrealloc(ptr, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		out_of_memory(0);
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* Room for n more bytes and a NUL. */
static void
buf_room(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_room(b, n);
	if (n != 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Straight into the buffer: a string made and freed each time was
	 * most of the cost of an XML instance. */
	buf_room(b, 0);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory(0);
	if ((size_t)n >= b->cap - b->len) {
		buf_room(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

char *
buf_steal(struct buf *b)
{
	char *s = b->data;

	if (s == NULL)
		s = xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
set_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
}

void
iso8601_now(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	char zone[8];
	size_t n;

	localtime_r(&now, &tm);
	n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (strftime(zone, sizeof zone, "%z", &tm) == 5)
		snprintf(out + n, size - n, "%.3s:%.2s", zone, zone + 3);
}

size_t
edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	if (lb >= ARRAY_LEN(row) || la >= ARRAY_LEN(row))
		return limit + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], v;

			v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			diag = up;
			row[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
safe_file_open(struct safe_file *sf, const char *path, char **cause)
{
	int fd;

	sf->path = xstrdup(path);
	sf->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(sf->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (sf->f = fdopen(fd, "w")) == NULL) {
		set_cause(cause, _("cannot write %s: %s"), path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(sf->tmp);
		free(sf->path);
		free(sf->tmp);
		memset(sf, 0, sizeof *sf);
		return -1;
	}
	return 0;
}

int
safe_file_commit(struct safe_file *sf, char **cause)
{
	int rc = 0;

	if (fflush(sf->f) != 0 || fsync(fileno(sf->f)) != 0)
		rc = -1;
	if (fclose(sf->f) != 0)
		rc = -1;
	sf->f = NULL;
	if (rc == 0 && rename(sf->tmp, sf->path) != 0)
		rc = -1;
	if (rc != 0) {
		set_cause(cause, _("cannot write %s: %s"), sf->path, strerror(errno));
		unlink(sf->tmp);
	}
	free(sf->path);
	free(sf->tmp);
	memset(sf, 0, sizeof *sf);
	return rc;
}

int
make_parents(const char *path, char **cause)
{
	char *dir = xstrdup(path), *p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			set_cause(cause, _("cannot create the folder %s: %s"), dir,
			    strerror(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

void
safe_file_abort(struct safe_file *sf)
{
	if (sf->f != NULL)
		fclose(sf->f);
	if (sf->tmp != NULL)
		unlink(sf->tmp);
	free(sf->path);
	free(sf->tmp);
	memset(sf, 0, sizeof *sf);
}

void
csv_write(FILE *f, const char *v, bool numeric)
{
	bool quote;
	const char *p;

	if (v == NULL)
		return;
	if (!numeric && strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0') {
		fputc('"', f);
		fputc('\'', f);
		quote = true;
	} else {
		quote = strpbrk(v, ",\"\r\n") != NULL;
		if (quote)
			fputc('"', f);
	}
	for (p = v; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	if (quote)
		fputc('"', f);
}
