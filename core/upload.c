#include "upload.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "entity.h"
#include "form.h"
#include "interview.h"
#include "seal.h"
#include "i18n.h"
#include "trail.h"
#include "util.h"
#include "xml.h"

#define REPLY_MAX (64 * 1024)
#define ELLIPSIS "\xe2\x80\xa6"	/* what stands for a secret */

/* libcurl is loaded when an upload starts, not when doorstep starts: it
 * brings some thirty libraries (TLS, Kerberos, LDAP ...) that the
 * interview program never needs and that cost a cheap machine 10 ms and
 * several MB at every start. */
static struct {
	void *lib;
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	curl_mime *(*mime_init)(CURL *);
	curl_mimepart *(*mime_addpart)(curl_mime *);
	CURLcode (*mime_name)(curl_mimepart *, const char *);
	CURLcode (*mime_filename)(curl_mimepart *, const char *);
	CURLcode (*mime_type)(curl_mimepart *, const char *);
	CURLcode (*mime_data)(curl_mimepart *, const char *, size_t);
	void (*mime_free)(curl_mime *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*free)(void *);
} lc;

static int
load_curl(char **cause)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
#define SYM(field, name) { name, offsetof(__typeof__(lc), field) }
		SYM(global_init, "curl_global_init"),
		SYM(easy_init, "curl_easy_init"),
		SYM(easy_setopt, "curl_easy_setopt"),
		SYM(easy_perform, "curl_easy_perform"),
		SYM(easy_getinfo, "curl_easy_getinfo"),
		SYM(easy_cleanup, "curl_easy_cleanup"),
		SYM(easy_strerror, "curl_easy_strerror"),
		SYM(mime_init, "curl_mime_init"),
		SYM(mime_addpart, "curl_mime_addpart"),
		SYM(mime_name, "curl_mime_name"),
		SYM(mime_filename, "curl_mime_filename"),
		SYM(mime_type, "curl_mime_type"),
		SYM(mime_data, "curl_mime_data"),
		SYM(mime_free, "curl_mime_free"),
		SYM(slist_append, "curl_slist_append"),
		SYM(slist_free_all, "curl_slist_free_all"),
		SYM(url, "curl_url"),
		SYM(url_cleanup, "curl_url_cleanup"),
		SYM(url_set, "curl_url_set"),
		SYM(url_get, "curl_url_get"),
		SYM(free, "curl_free"),
#undef SYM
	};
	size_t i;

	if (lc.lib != NULL)
		return 0;
	if ((lc.lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		set_cause(cause, _("cannot load libcurl (install the libcurl4 package): "
		    "%s"), dlerror());
		return -1;
	}
	for (i = 0; i < ARRAY_LEN(syms); i++) {
		void *f = dlsym(lc.lib, syms[i].name);

		if (f == NULL) {
			set_cause(cause, _("cannot load libcurl: %s"), dlerror());
			dlclose(lc.lib);
			lc.lib = NULL;
			return -1;
		}
		memcpy((char *)&lc + syms[i].offset, &f, sizeof f);
	}
	if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		set_cause(cause, "%s", _("cannot start libcurl"));
		return -1;
	}
	return 0;
}


struct reply {
	struct buf body;
	size_t max;		/* 0: REPLY_MAX */
	bool over;		/* more came than max */
};

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;

	if (r->body.len + size * n <= (r->max ? r->max : REPLY_MAX))
		buf_add(&r->body, data, size * n);
	else
		r->over = true;
	return size * n;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
note(const struct upload_options *o, const char *id, const char *fmt, ...)
    ATTR_PRINTF(3, 4);
static void
note(const struct upload_options *o, const char *id, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (o->note == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	o->note(o->ctx, id, msg);
	free(msg);
}

/* Sleeps about ms milliseconds: between half and all of it, at random,
 * so that many machines retrying do not retry together. */
static void
backoff(long ms)
{
	unsigned int r = 0;
	struct timespec ts;
	long wait;

	if (ms <= 0)
		return;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = (unsigned int)time(NULL);
	wait = ms / 2 + (long)(r % (unsigned int)(ms / 2 + 1));
	ts.tv_sec = wait / 1000;
	ts.tv_nsec = (wait % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Appends the character of a numeric entity (&#39; or &#x27;) at *p as
 * UTF-8 and moves past it; false when *p holds none. */
static bool
numeric_entity(struct buf *b, const char **p, const char *end)
{
	const char *s = *p + 2;
	bool hex = *s == 'x' || *s == 'X';
	unsigned long cp = 0;
	int digits = 0;

	if (hex)
		s++;
	for (; s < end && digits < 8; s++, digits++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
		    hex && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
		    hex && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (d < 0)
			break;
		cp = cp * (hex ? 16 : 10) + (unsigned long)d;
	}
	if (digits == 0 || s >= end || *s != ';' || cp == 0 || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xC0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xE0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_addc(b, (char)(0xF0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	}
	*p = s + 1;
	return true;
}

char *
upload_server_message(const char *body)
{
	const char *start, *end;
	struct buf b = { 0 };

	if (body == NULL || (start = strstr(body, "<message")) == NULL)
		return NULL;
	if ((start = strchr(start, '>')) == NULL)
		return NULL;
	start++;
	if ((end = strstr(start, "</message>")) == NULL)
		return NULL;
	/* The entities a server puts in a message: Central escapes as HTML
	 * does (an apostrophe is &#39;). */
	while (start < end) {
		static const struct { const char *ent; char c; } ents[] = {
			{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
			{ "&quot;", '"' }, { "&apos;", '\'' },
		};
		size_t k;

		for (k = 0; k < ARRAY_LEN(ents); k++)
			if (strncmp(start, ents[k].ent, strlen(ents[k].ent)) == 0)
				break;
		if (k < ARRAY_LEN(ents)) {
			buf_addc(&b, ents[k].c);
			start += strlen(ents[k].ent);
		} else if (start[0] == '&' && start[1] == '#' &&
		    numeric_entity(&b, &start, end))
			continue;
		else
			buf_addc(&b, *start++);
	}
	return buf_steal(&b);
}

/* What went wrong on the network, in words a field worker can act on. */
static const char *
network_words(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return _("the server's name cannot be found (DNS): check the address "
		    "and that this machine is online");
	case CURLE_COULDNT_CONNECT:
		return _("the server cannot be reached (no route, or nothing answers "
		    "at that address)");
	case CURLE_OPERATION_TIMEDOUT:
		return _("the server stopped answering (timeout)");
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
		return _("the server's TLS certificate is not trusted (expired, wrong "
		    "name, or from a private CA: see --cacert)");
	case CURLE_SSL_CONNECT_ERROR:
		return _("the secure (TLS) connection could not be set up");
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return _("the connection dropped before the server answered");
	case CURLE_UNSUPPORTED_PROTOCOL:	/* HTTP/0.9: what answered is not HTTP */
	case CURLE_WEIRD_SERVER_REPLY:
		return _("the server's reply is not HTTP (something else answers at "
		    "that address and port)");
	default:
		return NULL;
	}
}

/* The URL's text as shown to people: the password and an app user's key
 * (the segment after /key/) replaced. */
static void
hide_key(struct buf *b, const char *s)
{
	const char *k;

	while ((k = strstr(s, "/key/")) != NULL) {
		size_t n;

		buf_add(b, s, (size_t)(k - s) + 5);
		s = k + 5;
		if ((n = strcspn(s, "/?#")) > 0)
			buf_adds(b, ELLIPSIS);
		s += n;
	}
	buf_adds(b, s);
}

static char *
url_part(const CURLU *u, CURLUPart part, unsigned int flags)
{
	char *v = NULL, *copy;

	if (lc.url_get(u, part, &v, flags) != CURLUE_OK || v == NULL)
		return NULL;
	copy = xstrdup(v);
	lc.free(v);
	return copy;
}

/* The URL rebuilt from libcurl's parts, the password left out. */
static char *
url_without_password(const CURLU *u)
{
	static const CURLUPart parts[] = {
		CURLUPART_SCHEME, CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_HOST,
		CURLUPART_ZONEID, CURLUPART_PORT, CURLUPART_PATH, CURLUPART_QUERY,
		CURLUPART_FRAGMENT,
	};
	char *v[ARRAY_LEN(parts)];
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(parts); i++)
		v[i] = url_part(u, parts[i], 0);
	buf_printf(&b, "%s://", v[0] ? v[0] : "");
	if (v[1] != NULL || v[2] != NULL)
		buf_printf(&b, "%s%s@", v[1] ? v[1] : "", v[2] ? ":" ELLIPSIS : "");
	if (v[3] != NULL && v[4] != NULL && v[3][0] == '[')
		buf_printf(&b, "%.*s%%25%s]", (int)strlen(v[3]) - 1, v[3], v[4]);
	else
		buf_adds(&b, v[3] ? v[3] : "");
	if (v[5] != NULL)
		buf_printf(&b, ":%s", v[5]);
	buf_adds(&b, v[6] ? v[6] : "");
	if (v[7] != NULL)
		buf_printf(&b, "?%s", v[7]);
	if (v[8] != NULL)
		buf_printf(&b, "#%s", v[8]);
	for (i = 0; i < ARRAY_LEN(parts); i++)
		free(v[i]);
	return buf_steal(&b);
}

char *
upload_url_shown(const char *url)
{
	struct buf b = { 0 };
	char *plain = NULL;
	CURLU *u;

	if (load_curl(NULL) == 0 && (u = lc.url()) != NULL) {
		if (lc.url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
		    CURLUE_OK)
			plain = url_without_password(u);
		lc.url_cleanup(u);
	}
	if (plain == NULL) {
		/* Not a URL libcurl reads: all before the last @ may be secret. */
		const char *at = strrchr(url, '@'), *start = strstr(url, "://");
		struct buf p = { 0 };

		start = start ? start + 3 : url;
		if (at != NULL && at >= start) {
			buf_add(&p, url, (size_t)(start - url));
			buf_adds(&p, ELLIPSIS);
			buf_adds(&p, at);
		} else
			buf_adds(&p, url);
		plain = buf_steal(&p);
	}
	hide_key(&b, plain);
	free(plain);
	return buf_steal(&b);
}

/* The server's address as libcurl parsed it. The checks look at these
 * parts, and libcurl is handed this same parse, so what was checked is
 * what it connects to. */
struct target {
	CURLU *url;
	char *scheme;			/* "http" or "https" */
	char *host;			/* [::1] for IPv6 */
	long port;
	bool plain_local;		/* http:// to this machine */
	struct curl_slist *resolve;	/* localhost pinned to the loopback */
	char *shown;			/* the URL without its secrets */
};

/* Whether libcurl would connect to this machine's loopback: localhost,
 * 127.0.0.1 or ::1, in whatever spelling libcurl normalised. */
static bool
host_is_this_machine(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char inner[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof inner) {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		return inet_pton(AF_INET6, inner, &a6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return inet_pton(AF_INET, host, &a4) == 1 &&
	    ntohl(a4.s_addr) == INADDR_LOOPBACK;
}

static void
target_free(struct target *t)
{
	if (t->url != NULL)
		lc.url_cleanup(t->url);
	if (t->resolve != NULL)
		lc.slist_free_all(t->resolve);
	free(t->scheme);
	free(t->host);
	free(t->shown);
	memset(t, 0, sizeof *t);
}

/* Reads the URL with libcurl's parser and checks it: http or https, and
 * plain http only to this machine (the records, names, phones and health,
 * and the password would otherwise cross the network readable by anyone
 * on the way). Returns UPLOAD_OK, or a status after saying why. */
static int
target_parse(const struct upload_options *o, struct target *t)
{
	char *port;

	memset(t, 0, sizeof *t);
	t->shown = upload_url_shown(o->url);
	if ((t->url = lc.url()) == NULL) {
		note(o, NULL, "%s", _("cannot start libcurl"));
		return UPLOAD_TEMPFAIL;
	}
	if (lc.url_set(t->url, CURLUPART_URL, o->url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || (t->scheme = url_part(t->url, CURLUPART_SCHEME, 0)) == NULL ||
	    (strcmp(t->scheme, "http") != 0 && strcmp(t->scheme, "https") != 0) ||
	    (t->host = url_part(t->url, CURLUPART_HOST, 0)) == NULL ||
	    t->host[0] == '\0') {
		note(o, NULL, _("the server address '%s' is not an http:// or "
		    "https:// URL"), t->shown);
		return UPLOAD_USAGE;
	}
	port = url_part(t->url, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	t->port = port ? strtol(port, NULL, 10) : 0;
	free(port);
	if (strcmp(t->scheme, "http") != 0)
		return UPLOAD_OK;
	if (!host_is_this_machine(t->host)) {
		note(o, NULL, _("refusing to send records over plain http:// to %s "
		    "(host %s): they and the password would cross the network "
		    "unencrypted; use https://"), t->shown, t->host);
		return UPLOAD_USAGE;
	}
	t->plain_local = true;
	if (strcasecmp(t->host, "localhost") == 0) {
		/* Whatever /etc/hosts or a resolver would say. */
		char *pin = xasprintf("localhost:%ld:127.0.0.1,[::1]", t->port);

		lc.url_set(t->url, CURLUPART_HOST, "localhost", 0);
		t->resolve = lc.slist_append(NULL, pin);
		free(pin);
	}
	return UPLOAD_OK;
}

/* The ~/.netrc libcurl would read, or NULL without a home. */
static char *
netrc_path(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if ((home == NULL || *home == '\0') && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	return home != NULL && *home != '\0' ? xasprintf("%s/.netrc", home) : NULL;
}

/* A ~/.netrc that someone else can read, or that is someone else's, is
 * refused as ftp refuses it: its passwords are not private. */
static bool
netrc_private(const struct upload_options *o, const char *path)
{
	struct stat st;

	if (path == NULL || stat(path, &st) != 0)
		return true;	/* none: libcurl sends no credentials */
	if (st.st_uid != getuid()) {
		note(o, NULL, _("refusing to use %s: it belongs to another user, and "
		    "it holds passwords"), path);
		return false;
	}
	if ((st.st_mode & 077) != 0) {
		note(o, NULL, _("refusing to use %s: others can read it (mode %03o), "
		    "and it holds passwords; make it yours alone: chmod 600 %s"), path,
		    (unsigned)(st.st_mode & 0777), path);
		return false;
	}
	return true;
}

/* Per-record locks, so that two uploads at once never send a record twice:
 * a byte of a file beside the database for each record, locked with an
 * open file description lock, which the kernel drops when the process
 * ends, however it ends (kill -9 included). */
int
upload_lock_open(struct store *st, bool shared, char **cause)
{
	char *real = realpath(store_path(st), NULL);
	char *path = xasprintf("%s.upload-lock", real ? real : store_path(st));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    shared ? 0660 : 0600);
	struct stat sb;

	if (fd < 0)
		set_cause(cause, _("cannot open %s: %s"), path, strerror(errno));
	/* Another supervisor's upload opens it too: the umask must not
	 * close it to the group. */
	else if (shared && fstat(fd, &sb) == 0 && sb.st_uid == geteuid() &&
	    (sb.st_mode & 0660) != 0660)
		(void)fchmod(fd, 0660);
	free(path);
	free(real);
	return fd;
}

/* Takes (or gives back) a record: 1 taken, 0 another upload holds it,
 * -1 on error. */
static int
lock_record(int fd, int64_t id, bool take)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = take ? F_WRLCK : F_UNLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)id;
	fl.l_len = 1;
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 1;
	return errno == EAGAIN || errno == EACCES ? 0 : -1;
}

enum outcome {
	OUT_UPLOADED,
	OUT_CONFLICT,		/* 409: the same instanceID with different content */
	OUT_CLOSED,		/* 409: the form takes nothing now; left queued */
	OUT_NO_VERSION,		/* 404: the server lacks this form version; queued */
	OUT_NO_FORM,		/* 404: the server lacks this form; left queued */
	OUT_REFUSED,		/* another refusal of this record: left queued */
	OUT_STOP_REFUSED,	/* every record would be: 401, 403, a bare 404 */
	OUT_TEMPORARY,		/* network, 5xx, 200: try again later */
	OUT_USAGE,		/* the URL is wrong */
	OUT_BUSY,		/* another upload is sending it */
	OUT_GONE,		/* another upload sent it meanwhile */
	OUT_TIME_UP,		/* the run's time is over */
	OUT_FAILED,		/* the database failed: stop */
};

/* A refusal that holds for every record of a form (closed, unknown) or of
 * one of its versions: the records after the first are not sent again in
 * this run, and get the same answer. */
struct refusal {
	char *form_id;
	char *version;		/* NULL: every version */
	enum outcome out;
	char *reply;
};

/* A server's answer to a record, not yet written: the answers are kept
 * in one durable commit for up to MARKS_MAX records or MARKS_SECONDS, not
 * one (two, with the trail) per record, which was most of a run's time.
 * The record stays locked until its answer is written: a crash before
 * that loses no record and at worst sends it again, which the server
 * recognises (an identical resend: 201, or KoboToolbox's 202). */
struct mark {
	int64_t id;
	char *instance_id;
	enum outcome out;
	char *reply;		/* "CODE message", or NULL */
};

#define MARKS_MAX 64
#define MARKS_SECONDS 1.0

struct sender {
	const struct upload_options *o;
	const struct target *t;
	CURL *curl;
	struct upload_summary *sum;
	int lock_fd;
	double deadline;	/* of the run, in now_seconds() */
	long request_ms;	/* the most one request may take */
	struct refusal *refusals;
	size_t nrefusals;
	struct mark marks[MARKS_MAX];	/* answers not yet written */
	size_t nmarks;
	double marks_since;	/* when the first of them came */
};

/* Milliseconds left of the run: 0 once it is over. */
static long
run_left_ms(const struct sender *s)
{
	double left = s->deadline - now_seconds();

	return left <= 0 ? 0 : (long)(left * 1000) + 1;
}

/* One POST of one submission's parts (the XML instance first), in at most
 * limit_ms; *code is the HTTP status (0 without one). */
static CURLcode
post(struct sender *s, const struct upload_part *parts, size_t nparts,
    long limit_ms, long *code, struct reply *r)
{
	struct curl_slist *headers;
	curl_mime *mime;
	char date[64];
	char *date_header;
	time_t now = time(NULL);
	struct tm tm;
	CURLcode rc;
	size_t i;

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	date_header = xasprintf("Date: %s", date);
	headers = lc.slist_append(NULL, "X-OpenRosa-Version: 1.0");
	headers = lc.slist_append(headers, date_header);
	/* No "Expect: 100-continue" (libcurl's for bodies over 1 MB, over
	 * 1 KB in older ones): it costs a round trip, and up to a second more
	 * when a proxy never answers it. */
	headers = lc.slist_append(headers, "Expect:");
	free(date_header);

	mime = lc.mime_init(s->curl);
	for (i = 0; i < nparts; i++) {
		curl_mimepart *part = lc.mime_addpart(mime);

		lc.mime_name(part, parts[i].name);
		lc.mime_filename(part, parts[i].filename);
		lc.mime_type(part, parts[i].type);
		lc.mime_data(part, parts[i].data, parts[i].len);
	}

	buf_free(&r->body);
	lc.easy_setopt(s->curl, CURLOPT_HTTPHEADER, headers);
	lc.easy_setopt(s->curl, CURLOPT_MIMEPOST, mime);
	lc.easy_setopt(s->curl, CURLOPT_WRITEDATA, r);
	lc.easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, limit_ms);
	rc = lc.easy_perform(s->curl);
	*code = 0;
	if (rc == CURLE_OK)
		lc.easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, code);
	{
		curl_off_t sent = 0;

		if (lc.easy_getinfo(s->curl, CURLINFO_SIZE_UPLOAD_T, &sent) == CURLE_OK)
			s->sum->bytes += (size_t)sent;
	}
	lc.easy_setopt(s->curl, CURLOPT_MIMEPOST, NULL);
	lc.easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
	lc.mime_free(mime);
	lc.slist_free_all(headers);
	return rc;
}

/* What a server's answer means for the record (msg: its <message>, or
 * NULL). ODK Central answers 409 both for a record it holds with other
 * content and for a form that is closed, and 404 both for a form version
 * it lacks and for a form or project it lacks (central-replies.md); only
 * the first is a conflict, and the others leave the record queued. */
static enum outcome
reply_fate(long code, const char *msg)
{
	if (code == 201 || code == 202)
		return OUT_UPLOADED;
	if (code >= 500)
		return OUT_TEMPORARY;
	if (code == 409) {
		if (msg == NULL || strstr(msg, "already exists with this ID") != NULL)
			return OUT_CONFLICT;
		if (strstr(msg, "not currently accepting submissions") != NULL)
			return OUT_CLOSED;
		return OUT_REFUSED;
	}
	if (code == 401 || code == 403)
		return OUT_STOP_REFUSED;
	if (code == 404) {
		if (msg != NULL && strstr(msg, "form version specified") != NULL)
			return OUT_NO_VERSION;
		/* An OpenRosa answer: the server is there, the form is not. A
		 * bare 404 (a web server, a proxy): the address is wrong. */
		return msg != NULL ? OUT_NO_FORM : OUT_STOP_REFUSED;
	}
	if (code >= 400)
		return OUT_REFUSED;
	return OUT_TEMPORARY;	/* 200, 3xx: not taken */
}

/* Says what the answer means, in the interviewer's language around the
 * server's own words. */
static void
note_fate(struct sender *s, const struct record_info *rec, enum outcome out,
    long code, const char *msg)
{
	const struct upload_options *o = s->o;
	const char *sep = msg ? ": " : "", *m = msg ? msg : "";

	switch (out) {
	case OUT_UPLOADED:
		break;
	case OUT_CONFLICT:
		note(o, rec->instance_id, _("conflict: the server already has a "
		    "different record with this instanceID (409); marked conflict%s%s"),
		    sep, m);
		break;
	case OUT_CLOSED:
		note(o, rec->instance_id, _("left in the queue: form %s does not take "
		    "submissions on the server now (409)%s%s; it is sent once the form "
		    "is open again"), rec->form_id, sep, m);
		break;
	case OUT_NO_VERSION:
		note(o, rec->instance_id, _("left in the queue: the server does not have "
		    "version %s of form %s (404)%s%s; publish that version there "
		    "(doorstep --xform), then upload again"), rec->form_version,
		    rec->form_id, sep, m);
		break;
	case OUT_NO_FORM:
		note(o, rec->instance_id, _("left in the queue: the server has no form "
		    "%s at %s (404)%s%s; check the project in the address and publish "
		    "the form there (doorstep --xform)"), rec->form_id, s->t->shown,
		    sep, m);
		break;
	case OUT_REFUSED:
		note(o, rec->instance_id, _("refused by the server (%ld)%s%s; left in "
		    "the queue"), code, sep, m);
		break;
	case OUT_STOP_REFUSED:
		if (code == 404)
			note(o, NULL, _("the server has no submission address at %s (404): "
			    "check the URL, the project, and that the form is published"),
			    s->t->shown);
		else
			note(o, NULL, _("the server refused %s (%ld)%s%s: check the user "
			    "and password in ~/.netrc or DOORSTEP_UPLOAD_USER and "
			    "DOORSTEP_UPLOAD_PASSWORD, and the account's rights on the "
			    "project"), code == 401 ? _("the user name or password") :
			    _("this account"), code, sep, m);
		break;
	case OUT_TEMPORARY:
		if (code >= 500)
			note(o, rec->instance_id, _("not sent after %d tries: the server "
			    "failed (%ld)%s%s"), o->tries, code, sep, m);
		else
			note(o, rec->instance_id, _("the server answered %ld without "
			    "taking the record: a captive portal or proxy may be in the way "
			    "(log in to the network, then try again)"), code);
		break;
	default:
		break;
	}
}

/* Sends one record, retrying what may pass later within the run's time;
 * says what happened. *reply_out: the status and the server's message. */
static enum outcome
send_record(struct sender *s, const struct record_info *rec,
    const struct upload_part *parts, size_t nparts, char **reply_out)
{
	const struct upload_options *o = s->o;
	struct reply r = { { 0 }, 0, false };
	long ms = o->backoff_ms, code = 0, left;
	int attempt;
	char *msg;
	enum outcome out;
	CURLcode rc = CURLE_OPERATION_TIMEDOUT;

	*reply_out = NULL;
	for (attempt = 1; attempt <= o->tries; attempt++) {
		if (attempt > 1) {
			left = run_left_ms(s);
			backoff(ms < left ? ms : left);
			ms *= 2;
		}
		if ((left = run_left_ms(s)) == 0)
			break;
		rc = post(s, parts, nparts, left < s->request_ms ? left :
		    s->request_ms, &code, &r);
		if (rc == CURLE_URL_MALFORMAT) {
			note(o, NULL, _("the server address '%s' is not an http:// or "
			    "https:// URL"), s->t->shown);
			buf_free(&r.body);
			return OUT_USAGE;
		}
		if (rc != CURLE_OK || code >= 500)
			continue;	/* network trouble or a server error: again */
		break;
	}
	if (rc != CURLE_OK && run_left_ms(s) == 0) {
		buf_free(&r.body);
		return OUT_TIME_UP;
	}
	msg = upload_server_message(r.body.data);
	buf_free(&r.body);
	if (rc != CURLE_OK) {
		const char *words = network_words(rc);

		note(o, rec->instance_id, _("not sent after %d tries: %s"), o->tries,
		    words ? words : lc.easy_strerror(rc));
		free(msg);
		return OUT_TEMPORARY;
	}
	*reply_out = xasprintf("%ld %s", code, msg ? msg : "");
	out = reply_fate(code, msg);
	note_fate(s, rec, out, code, msg);
	free(msg);
	return out;
}

/* The refusal this run already had for the record's form, or NULL. */
static const struct refusal *
refusal_for(const struct sender *s, const struct record_info *rec)
{
	size_t i;

	for (i = 0; i < s->nrefusals; i++) {
		const struct refusal *f = &s->refusals[i];

		if (rec->form_id != NULL && strcmp(f->form_id, rec->form_id) == 0 &&
		    (f->version == NULL || (rec->form_version != NULL &&
		    strcmp(f->version, rec->form_version) == 0)))
			return f;
	}
	return NULL;
}

static void
refusal_add(struct sender *s, const struct record_info *rec, enum outcome out,
    const char *reply)
{
	struct refusal *f;

	if ((out != OUT_CLOSED && out != OUT_NO_FORM && out != OUT_NO_VERSION) ||
	    rec->form_id == NULL || reply == NULL)
		return;
	s->refusals = xreallocarray(s->refusals, s->nrefusals + 1,
	    sizeof *s->refusals);
	f = &s->refusals[s->nrefusals++];
	f->form_id = xstrdup(rec->form_id);
	f->version = out == OUT_NO_VERSION && rec->form_version ?
	    xstrdup(rec->form_version) : NULL;
	f->out = out;
	f->reply = xstrdup(reply);
}

static void
refusals_free(struct sender *s)
{
	size_t i;

	for (i = 0; i < s->nrefusals; i++) {
		free(s->refusals[i].form_id);
		free(s->refusals[i].version);
		free(s->refusals[i].reply);
	}
	free(s->refusals);
	s->refusals = NULL;
	s->nrefusals = 0;
}

/* Keeps the server's answer to a record: the one place where a record's
 * fate is written. Sent and conflict records leave the queue; refused
 * ones stay in it, with what the server said. */
static int
record_fate(struct store *st, int64_t id, enum outcome out, const char *reply,
    char **cause)
{
	switch (out) {
	case OUT_UPLOADED:
		if (entity_sent(st, id, cause) != 0)
			return -1;
		return store_record_uploaded(st, id, "uploaded", reply, cause);
	case OUT_CONFLICT:
		return store_record_uploaded(st, id, "conflict", reply, cause);
	case OUT_CLOSED:
	case OUT_NO_VERSION:
	case OUT_NO_FORM:
	case OUT_REFUSED:
	case OUT_STOP_REFUSED:
		return reply ? store_record_refused(st, id, reply, cause) : 0;
	default:
		return 0;
	}
}

/* Writes the answers kept in s->marks, with their trail entries, in one
 * transaction, then lets their records go. On failure, says so of each
 * record the server took (a later run sends it again, and the server
 * recognises it) and returns how many of them were uploads (*conflicts:
 * conflicts); -1 then, else 0. */
static int
marks_flush(struct sender *s, struct store *st, size_t *uploads,
    size_t *conflicts)
{
	char *cause = NULL;
	size_t i;
	int rc = 0;

	*uploads = *conflicts = 0;
	if (s->nmarks == 0)
		return 0;
	if (store_begin(st, &cause) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < s->nmarks; i++) {
		struct mark *m = &s->marks[i];

		if (record_fate(st, m->id, m->out, m->reply, &cause) != 0)
			rc = -1;
		else if (m->out == OUT_UPLOADED || m->out == OUT_CONFLICT ||
		    m->out == OUT_REFUSED || m->out == OUT_STOP_REFUSED)
			trail_add(st, &(struct trail_entry){ .what = "upload",
			    .record = m->id, .detail = m->out == OUT_UPLOADED ?
			    "sent" : m->out == OUT_CONFLICT ? "conflict" :
			    "refused" }, NULL);
	}
	if (rc == 0)
		rc = store_commit(st, &cause);
	else
		store_rollback(st);
	for (i = 0; i < s->nmarks; i++) {
		struct mark *m = &s->marks[i];

		if (rc != 0 && (m->out == OUT_UPLOADED || m->out == OUT_CONFLICT)) {
			/* The server has it; a later run resends the same XML,
			 * which the server recognises, and then records it. */
			note(s->o, m->instance_id, _("sent, but not marked as sent: %s"),
			    cause ? cause : _("unknown problem"));
			*uploads += m->out == OUT_UPLOADED;
			*conflicts += m->out == OUT_CONFLICT;
		}
		/* Let go only once the answer is recorded: another upload that
		 * takes the record next sees it sent. */
		lock_record(s->lock_fd, m->id, false);
		free(m->instance_id);
		free(m->reply);
	}
	s->nmarks = 0;
	free(cause);
	return rc;
}

/* Keeps the answer to a record (taking reply) for the next marks_flush;
 * the record stays locked till then. */
static void
mark_keep(struct sender *s, const struct record_info *rec, enum outcome out,
    char *reply)
{
	struct mark *m = &s->marks[s->nmarks++];

	if (s->nmarks == 1)
		s->marks_since = now_seconds();
	m->id = rec->id;
	m->instance_id = xstrdup(rec->instance_id);
	m->out = out;
	m->reply = reply;
}

/* Whether the kept answers are to be written now. */
static bool
marks_due(const struct sender *s)
{
	return s->nmarks >= MARKS_MAX || (s->nmarks > 0 &&
	    now_seconds() - s->marks_since >= MARKS_SECONDS);
}

/* The stored XML of a record, written now for records finalized before
 * this version stored it (and then kept, so every attempt sends it). */
static char *
record_xml(struct store *st, const struct record_info *rec, char **cause)
{
	struct interview *iv;
	char *xml = store_record_xml(st, rec->id, cause);

	if (xml != NULL || *cause != NULL)
		return xml;
	iv = interview_resume(st, rec, cause);
	if (iv == NULL)
		return NULL;
	xml = xml_instance(iv, rec);
	interview_free(iv);
	if (store_record_set_xml(st, rec->id, xml, cause) != 0) {
		free(xml);
		return NULL;
	}
	free(xml);
	return store_record_xml(st, rec->id, cause);
}

static CURL *
make_handle(const struct upload_options *o, const struct target *t)
{
	CURL *curl = lc.easy_init();

	if (curl == NULL)
		return NULL;
	/* The parse that was checked, not the text parsed again. */
	lc.easy_setopt(curl, CURLOPT_CURLU, t->url);
	lc.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, t->scheme);
	lc.easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, t->scheme);
	/* Never follow a redirect with the record: a portal would take it. */
	lc.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	lc.easy_setopt(curl, CURLOPT_MAXREDIRS, 0L);
	if (t->plain_local) {
		/* This machine means this machine: no proxy from the environment,
		 * and localhost is the loopback. */
		lc.easy_setopt(curl, CURLOPT_PROXY, "");
		if (t->resolve != NULL)
			lc.easy_setopt(curl, CURLOPT_RESOLVE, t->resolve);
	}
	lc.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	lc.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lc.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, o->stall_timeout);
	lc.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(curl, CURLOPT_USERAGENT, "doorstep/0.1 (OpenRosa)");
	lc.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	lc.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert != NULL)
		lc.easy_setopt(curl, CURLOPT_CAINFO, o->cacert);
	lc.easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	if (o->user != NULL) {
		lc.easy_setopt(curl, CURLOPT_USERNAME, o->user);
		lc.easy_setopt(curl, CURLOPT_PASSWORD, o->password ? o->password : "");
	} else {
		char *netrc = netrc_path();

		lc.easy_setopt(curl, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		if (netrc != NULL)	/* the file that was checked */
			lc.easy_setopt(curl, CURLOPT_NETRC_FILE, netrc);
		free(netrc);
	}
	return curl;
}

/* Whether the record still waits (another upload may have sent it since
 * the queue was read): 1 yes, 0 no, -1 on error. */
static int
still_queued(struct store *st, int64_t id, char **cause)
{
	struct record_info now;
	int queued;

	if (store_record_get(st, id, &now, cause) != 0)
		return -1;
	queued = now.status != NULL && strcmp(now.status, "finalized") == 0;
	store_record_clear(&now);
	return queued;
}

/* Takes one record, sends it and records the answer, then lets it go. */
static enum outcome
upload_record(struct sender *s, struct store *st, const struct record_info *rec)
{
	const struct upload_options *o = s->o;
	char *xml, *reply = NULL, *cause = NULL;
	const struct refusal *known;
	struct store_file *files = NULL;
	struct upload_part *parts;
	unsigned char *enc = NULL;
	size_t nfiles = 0, nparts = 0, enc_len = 0, i;
	enum outcome out;
	int rc;

	if (run_left_ms(s) == 0)
		return OUT_TIME_UP;
	if ((rc = lock_record(s->lock_fd, rec->id, true)) <= 0) {
		if (rc == 0)
			return OUT_BUSY;
		note(o, rec->instance_id, _("cannot lock the record for sending: %s"),
		    strerror(errno));
		return OUT_FAILED;
	}
	if ((rc = still_queued(st, rec->id, &cause)) <= 0) {
		out = rc == 0 ? OUT_GONE : OUT_FAILED;
		if (rc < 0)
			note(o, rec->instance_id, "%s", cause);
		goto done;
	}
	if ((known = refusal_for(s, rec)) != NULL) {
		/* Its form was refused a moment ago: the same answer. */
		out = known->out;
		reply = xstrdup(known->reply);
		goto done;
	}
	if ((xml = record_xml(st, rec, &cause)) == NULL ||
	    store_record_files(st, rec->id, &files, &nfiles, &cause) != 0) {
		note(o, rec->instance_id, _("left in the queue: its XML cannot be "
		    "made: %s"), cause ? cause : _("unknown problem"));
		free(xml);
		out = OUT_REFUSED;
		goto done;
	}
	if (rec->sealed && store_sealed_get(st, rec->id, &enc, &enc_len, NULL,
	    &cause) != 1) {
		note(o, rec->instance_id, _("left in the queue: its sealed file "
		    "cannot be read: %s"), cause ? cause : _("unknown problem"));
		free(xml);
		store_files_free(files, nfiles);
		out = OUT_REFUSED;
		goto done;
	}
	/* The instance (of a sealed record, its manifest and then the
	 * encrypted instance), then the files it names (audit.csv), as ODK
	 * Collect sends them. */
	parts = xcalloc(nfiles + 2, sizeof *parts);
	parts[nparts++] = (struct upload_part){ "xml_submission_file",
	    "submission.xml", "text/xml", xml, strlen(xml) };
	if (enc != NULL)
		parts[nparts++] = (struct upload_part){ SEAL_ENC_NAME, SEAL_ENC_NAME,
		    "application/octet-stream", (const char *)enc, enc_len };
	for (i = 0; i < nfiles; i++)
		parts[nparts++] = (struct upload_part){ files[i].name, files[i].name,
		    files[i].type, files[i].data, files[i].len };
	out = send_record(s, rec, parts, nparts, &reply);
	free(parts);
	free(enc);
	store_files_free(files, nfiles);
	free(xml);
	refusal_add(s, rec, out, reply);
done:
	switch (out) {
	case OUT_UPLOADED:
	case OUT_CONFLICT:
	case OUT_CLOSED:
	case OUT_NO_VERSION:
	case OUT_NO_FORM:
	case OUT_REFUSED:
	case OUT_STOP_REFUSED:
		/* Written with the next answers; locked till then. */
		mark_keep(s, rec, out, reply);
		break;
	default:
		lock_record(s->lock_fd, rec->id, false);
		free(reply);
		break;
	}
	free(cause);
	return out;
}

/* The queue's next page after the one in *recs (whose last record is kept
 * in *last to read on from); *n 0 at the end. */
static int
next_page(struct store *st, struct record_info **recs, size_t *n,
    struct record_info *last, char **cause)
{
	if (*n == 0)
		return 0;
	store_record_clear(last);
	*last = (*recs)[*n - 1];
	memset(&(*recs)[*n - 1], 0, sizeof **recs);
	store_records_free(*recs, *n);
	*recs = NULL;
	*n = 0;
	return store_queue_page(st, last, recs, n, cause);
}

int
upload_get(const struct upload_options *o, const char *url, size_t max,
    char **body, size_t *len, long *code)
{
	struct upload_options one = *o;
	struct target t = { 0 };
	struct curl_slist *headers;
	struct reply r = { { 0 }, 0, false };
	CURL *curl;
	char *cause = NULL;
	const char *words;
	long request_s = o->request_timeout > 0 ? o->request_timeout :
	    UPLOAD_REQUEST_TIMEOUT;
	int status;
	CURLcode rc;

	*body = NULL;
	*len = 0;
	*code = 0;
	if (load_curl(&cause) != 0) {
		note(o, NULL, "%s", cause);
		free(cause);
		return UPLOAD_TEMPFAIL;
	}
	one.url = url;
	if ((status = target_parse(&one, &t)) != UPLOAD_OK) {
		target_free(&t);
		return status;
	}
	if ((curl = make_handle(&one, &t)) == NULL) {
		note(o, NULL, "%s", _("cannot start libcurl"));
		target_free(&t);
		return UPLOAD_TEMPFAIL;
	}
	headers = lc.slist_append(NULL, "X-OpenRosa-Version: 1.0");
	lc.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	lc.easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	lc.easy_setopt(curl, CURLOPT_TIMEOUT_MS, request_s * 1000);
	r.max = max;
	rc = lc.easy_perform(curl);
	if (rc == CURLE_OK && r.over) {
		note(o, NULL, _("%s sent more than %zu KB: not taken"), t.shown,
		    max / 1024);
		status = UPLOAD_REFUSED;
	} else if (rc == CURLE_OK) {
		lc.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, code);
		*len = r.body.len;
		*body = r.body.data ? buf_steal(&r.body) : xstrdup("");
	} else {
		words = network_words(rc);
		note(o, NULL, _("cannot download from %s: %s"), t.shown, words ? words :
		    lc.easy_strerror(rc));
		status = UPLOAD_TEMPFAIL;
	}
	buf_free(&r.body);
	lc.slist_free_all(headers);
	lc.easy_cleanup(curl);
	target_free(&t);
	return status;
}

/* Writes the kept answers; when that fails, the records the server took
 * are no longer counted as sent, and the run ends with 75 (-1). */
static int
marks_written(struct sender *s, struct store *st, int *status)
{
	size_t uploads, conflicts;

	if (marks_flush(s, st, &uploads, &conflicts) == 0)
		return 0;
	s->sum->uploaded -= uploads;
	s->sum->conflicts -= conflicts;
	*status = UPLOAD_TEMPFAIL;
	return -1;
}

int
upload_run(struct store *st, const struct upload_options *o,
    struct upload_summary *sum)
{
	struct record_info *recs = NULL, last = { 0 };
	struct target t = { 0 };
	struct sender s = { .o = o, .t = &t, .sum = sum, .lock_fd = -1 };
	size_t n = 0, i, done = 0, npage = 0;
	long queued;
	char *cause = NULL, *netrc;
	double start = now_seconds();
	long run_s = o->run_timeout > 0 ? o->run_timeout : UPLOAD_RUN_TIMEOUT;
	long request_s = o->request_timeout > 0 ? o->request_timeout :
	    UPLOAD_REQUEST_TIMEOUT;
	int status = UPLOAD_OK;
	bool stop = false;

	memset(sum, 0, sizeof *sum);
	/* The queue is read a page at a time (store_queue_page), so that a
	 * long one is never all in memory; the records queued now are sent,
	 * at most, not those finalized while it runs. */
	if ((queued = store_count(st, "finalized")) < 0 ||
	    store_queue_page(st, NULL, &recs, &npage, &cause) != 0) {
		note(o, NULL, "%s", cause != NULL ? cause :
		    _("cannot list the interviews"));
		free(cause);
		return UPLOAD_TEMPFAIL;
	}
	n = (size_t)queued;
	sum->queued = n;
	sum->left = n;
	s.deadline = start + (double)run_s;
	s.request_ms = request_s * 1000;
	if (load_curl(&cause) != 0) {
		note(o, NULL, "%s", cause);
		free(cause);
		status = UPLOAD_TEMPFAIL;
		goto out;
	}
	/* Everything that could send what should not be sent is refused
	 * before anything is sent. */
	if ((status = target_parse(o, &t)) != UPLOAD_OK)
		goto out;
	netrc = o->user == NULL ? netrc_path() : NULL;
	if (!netrc_private(o, netrc)) {
		free(netrc);
		status = UPLOAD_USAGE;
		goto out;
	}
	free(netrc);
	if (o->dry_run) {
		while (npage > 0 && done < n) {
			for (i = 0; i < npage && done < n; i++, done++)
				note(o, recs[i].instance_id, _("would send: form %s version "
				    "%s, household %s, finalized %s"), recs[i].form_id,
				    recs[i].form_version, recs[i].household ?
				    recs[i].household : "-", recs[i].finalized_at ?
				    recs[i].finalized_at : "-");
			if (next_page(st, &recs, &npage, &last, &cause) != 0) {
				note(o, NULL, "%s", cause);
				free(cause);
				status = UPLOAD_TEMPFAIL;
				goto out;
			}
		}
		goto out;
	}
	if (n == 0)
		goto out;
	if (o->have_lock)
		s.lock_fd = o->lock_fd;
	else if ((s.lock_fd = upload_lock_open(st, false, &cause)) < 0) {
		note(o, NULL, "%s", cause);
		free(cause);
		status = UPLOAD_TEMPFAIL;
		goto out;
	}
	if ((s.curl = make_handle(o, &t)) == NULL) {
		note(o, NULL, "%s", _("cannot start libcurl"));
		status = UPLOAD_TEMPFAIL;
		goto out;
	}
	for (i = 0; done < n && !stop; i++, done++) {
		enum outcome out;

		if (i == npage) {
			if (next_page(st, &recs, &npage, &last, &cause) != 0) {
				note(o, NULL, "%s", cause);
				free(cause);
				status = UPLOAD_TEMPFAIL;
				break;
			}
			if (npage == 0)
				break;
			i = 0;
		}
		out = upload_record(&s, st, &recs[i]);

		switch (out) {
		case OUT_UPLOADED:
			sum->uploaded++;
			break;
		case OUT_CONFLICT:
			sum->conflicts++;
			if (status == UPLOAD_OK)
				status = UPLOAD_REFUSED;
			break;
		case OUT_CLOSED:
		case OUT_NO_VERSION:
		case OUT_NO_FORM:
		case OUT_REFUSED:
			sum->refused++;
			sum->closed += out == OUT_CLOSED;
			sum->no_version += out == OUT_NO_VERSION;
			sum->no_form += out == OUT_NO_FORM;
			if (status == UPLOAD_OK)
				status = UPLOAD_REFUSED;
			break;
		case OUT_STOP_REFUSED:
			sum->refused++;
			if (status == UPLOAD_OK)
				status = UPLOAD_REFUSED;
			stop = true;
			break;
		case OUT_BUSY:
			sum->busy++;
			break;
		case OUT_GONE:
			break;
		case OUT_TIME_UP:
			note(o, NULL, _("stopped after %ld s, the most a run may take "
			    "(upload_run_timeout in the config): the records not sent wait "
			    "for the next run"), run_s);
			status = UPLOAD_TEMPFAIL;
			stop = true;
			break;
		case OUT_TEMPORARY:
		case OUT_FAILED:
			status = UPLOAD_TEMPFAIL;
			stop = true;	/* the link is bad: the rest waits */
			break;
		case OUT_USAGE:
			status = UPLOAD_USAGE;
			stop = true;
			break;
		}
		if ((stop || marks_due(&s)) && marks_written(&s, st, &status) != 0)
			stop = true;
		if (o->progress != NULL)
			o->progress(o->ctx, done + 1, n, sum->bytes, now_seconds() - start);
	}
	marks_written(&s, st, &status);
	if (sum->busy > 0)
		note(o, NULL, ngettext("%zu record left to another doorstep "
		    "--upload, which is sending it", "%zu records left to another "
		    "doorstep --upload, which is sending them", sum->busy),
		    sum->busy);
	sum->left = (size_t)store_count(st, "finalized");
out:
	sum->seconds = now_seconds() - start;
	if (s.curl != NULL)
		lc.easy_cleanup(s.curl);
	if (s.lock_fd >= 0 && !o->have_lock)
		close(s.lock_fd);
	refusals_free(&s);
	if (lc.lib != NULL)
		target_free(&t);
	store_records_free(recs, npage);
	store_record_clear(&last);
	return status;
}
