#include "upload.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "diag.h"
#include "form.h"
#include "interview.h"
#include "i18n.h"
#include "util.h"
#include "xml.h"

#define REPLY_MAX (64 * 1024)

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
};

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;

	if (r->body.len < REPLY_MAX)
		buf_add(&r->body, data, size * n);
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
	/* The few entities a server puts in a message. */
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
		} else
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
	default:
		return NULL;
	}
}

enum outcome {
	OUT_UPLOADED,
	OUT_CONFLICT,
	OUT_REFUSED,		/* this record: 4xx; go on with the others */
	OUT_STOP_REFUSED,	/* every record would be: 401, 403, 404 */
	OUT_TEMPORARY,		/* network, 5xx, 200: try again later */
	OUT_USAGE,		/* the URL is wrong */
};

struct sender {
	const struct upload_options *o;
	CURL *curl;
	struct curl_slist *headers;
	struct upload_summary *sum;
};

/* One POST of one record's XML; *code is the HTTP status (0 without one). */
static CURLcode
post(struct sender *s, const char *xml, long *code, struct reply *r)
{
	struct curl_slist *headers;
	curl_mimepart *part;
	curl_mime *mime;
	char date[64];
	char *date_header;
	time_t now = time(NULL);
	struct tm tm;
	CURLcode rc;

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	date_header = xasprintf("Date: %s", date);
	headers = lc.slist_append(NULL, "X-OpenRosa-Version: 1.0");
	headers = lc.slist_append(headers, date_header);
	free(date_header);

	mime = lc.mime_init(s->curl);
	part = lc.mime_addpart(mime);
	lc.mime_name(part, "xml_submission_file");
	lc.mime_filename(part, "submission.xml");
	lc.mime_type(part, "text/xml");
	lc.mime_data(part, xml, CURL_ZERO_TERMINATED);

	buf_free(&r->body);
	lc.easy_setopt(s->curl, CURLOPT_HTTPHEADER, headers);
	lc.easy_setopt(s->curl, CURLOPT_MIMEPOST, mime);
	lc.easy_setopt(s->curl, CURLOPT_WRITEDATA, r);
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

/* Sends one record, retrying what may pass later; says what happened. */
static enum outcome
send_record(struct sender *s, const struct record_info *rec, const char *xml,
    char **reply_out)
{
	const struct upload_options *o = s->o;
	struct reply r = { { 0 } };
	long ms = o->backoff_ms, code = 0;
	int attempt;
	char *msg;
	CURLcode rc = CURLE_OK;

	*reply_out = NULL;
	for (attempt = 1; attempt <= o->tries; attempt++) {
		if (attempt > 1) {
			backoff(ms);
			ms *= 2;
		}
		rc = post(s, xml, &code, &r);
		if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
			note(o, NULL, _("the server address '%s' is not an http:// or "
			    "https:// URL"), o->url);
			buf_free(&r.body);
			return OUT_USAGE;
		}
		if (rc != CURLE_OK || code >= 500)
			continue;	/* network trouble or a server error: again */
		break;
	}
	msg = upload_server_message(r.body.data);
	if (rc != CURLE_OK) {
		const char *words = network_words(rc);

		note(o, rec->instance_id, _("not sent after %d tries: %s"), o->tries,
		    words ? words : lc.easy_strerror(rc));
		free(msg);
		buf_free(&r.body);
		return OUT_TEMPORARY;
	}
	*reply_out = xasprintf("%ld %s", code, msg ? msg : "");
	buf_free(&r.body);
	if (code == 201 || code == 202) {
		free(msg);
		return OUT_UPLOADED;
	}
	if (code >= 500) {
		note(o, rec->instance_id, _("not sent after %d tries: the server "
		    "failed (%ld)%s%s"), o->tries, code, msg ? ": " : "", msg ? msg : "");
		free(msg);
		return OUT_TEMPORARY;
	}
	if (code == 409) {
		note(o, rec->instance_id, _("conflict: the server already has a "
		    "different record with this instanceID (409); marked conflict%s%s"),
		    msg ? ": " : "", msg ? msg : "");
		free(msg);
		return OUT_CONFLICT;
	}
	if (code == 401 || code == 403) {
		note(o, NULL, _("the server refused %s (%ld)%s%s: check the user and "
		    "password in ~/.netrc or DOORSTEP_UPLOAD_USER and "
		    "DOORSTEP_UPLOAD_PASSWORD, and the account's rights on the project"),
		    code == 401 ? _("the user name or password") : _("this account"), code,
		    msg ? ": " : "", msg ? msg : "");
		free(msg);
		return OUT_STOP_REFUSED;
	}
	if (code == 404) {
		note(o, NULL, _("the server has no submission address at %s (404): "
		    "check the URL, the project, and that the form is published"), o->url);
		free(msg);
		return OUT_STOP_REFUSED;
	}
	if (code >= 400) {
		note(o, rec->instance_id, _("refused by the server (%ld)%s%s; left in "
		    "the queue"), code, msg ? ": " : "", msg ? msg : "");
		free(msg);
		return OUT_REFUSED;
	}
	note(o, rec->instance_id, _("the server answered %ld without taking the "
	    "record: a captive portal or proxy may be in the way (log in to the "
	    "network, then try again)"), code);
	free(msg);
	return OUT_TEMPORARY;
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
make_handle(const struct upload_options *o)
{
	CURL *curl = lc.easy_init();

	if (curl == NULL)
		return NULL;
	lc.easy_setopt(curl, CURLOPT_URL, o->url);
	lc.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	lc.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lc.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, o->stall_timeout);
	lc.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(curl, CURLOPT_USERAGENT, "doorstep/0.1 (OpenRosa)");
	lc.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	lc.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	lc.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert != NULL)
		lc.easy_setopt(curl, CURLOPT_CAINFO, o->cacert);
	lc.easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	if (o->user != NULL) {
		lc.easy_setopt(curl, CURLOPT_USERNAME, o->user);
		lc.easy_setopt(curl, CURLOPT_PASSWORD, o->password ? o->password : "");
	} else
		lc.easy_setopt(curl, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	/* Never follow a redirect with the record: a portal would take it. */
	lc.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	return curl;
}

/* Whether the URL is plain http:// to a host other than this machine:
 * the records (names, phones, health) and the password would cross the
 * network readable by anyone on the way. */
static bool
plain_http_outside(const char *url)
{
	static const char *const local[] = {
		"127.0.0.1", "localhost", "[::1]",
	};
	const char *host;
	size_t i, n;

	if (strncasecmp(url, "http://", 7) != 0)
		return false;
	host = url + 7;
	if (strchr(host, '@') != NULL && strchr(host, '@') < host + strcspn(host, "/"))
		host = strchr(host, '@') + 1;
	n = strcspn(host, ":/?#");
	if (host[0] == '[')
		n = strcspn(host, "]") + 1;
	for (i = 0; i < ARRAY_LEN(local); i++)
		if (strlen(local[i]) == n && strncasecmp(host, local[i], n) == 0)
			return false;
	return true;
}

int
upload_run(struct store *st, const struct upload_options *o,
    struct upload_summary *sum)
{
	struct record_info *recs = NULL;
	struct sender s = { o, NULL, NULL, sum };
	size_t n = 0, i;
	char *cause = NULL;
	double start = now_seconds();
	int status = UPLOAD_OK;
	bool stop = false;

	memset(sum, 0, sizeof *sum);
	if (store_queue(st, &recs, &n, &cause) != 0) {
		note(o, NULL, "%s", cause);
		free(cause);
		return UPLOAD_TEMPFAIL;
	}
	sum->queued = n;
	if (plain_http_outside(o->url)) {
		note(o, NULL, _("refusing to send records over plain http:// to %s: "
		    "they and the password would cross the network unencrypted; use "
		    "https://"), o->url);
		sum->left = n;
		store_records_free(recs, n);
		return UPLOAD_USAGE;
	}
	if (o->dry_run) {
		for (i = 0; i < n; i++)
			note(o, recs[i].instance_id, _("would send: form %s version %s, "
			    "household %s, finalized %s"), recs[i].form_id,
			    recs[i].form_version, recs[i].household ? recs[i].household : "-",
			    recs[i].finalized_at ? recs[i].finalized_at : "-");
		sum->left = n;
		store_records_free(recs, n);
		return UPLOAD_OK;
	}
	if (n > 0 && load_curl(&cause) != 0) {
		note(o, NULL, "%s", cause);
		free(cause);
		store_records_free(recs, n);
		return UPLOAD_TEMPFAIL;
	}
	if (n > 0 && (s.curl = make_handle(o)) == NULL) {
		note(o, NULL, "%s", _("cannot start libcurl"));
		store_records_free(recs, n);
		return UPLOAD_TEMPFAIL;
	}
	for (i = 0; i < n && !stop; i++) {
		const struct record_info *rec = &recs[i];
		char *xml, *reply = NULL;
		enum outcome out;

		xml = record_xml(st, rec, &cause);
		if (xml == NULL) {
			note(o, rec->instance_id, _("left in the queue: its XML cannot be "
			    "made: %s"), cause ? cause : _("unknown problem"));
			free(cause);
			cause = NULL;
			sum->refused++;
			status = status == UPLOAD_OK ? UPLOAD_REFUSED : status;
			continue;
		}
		out = send_record(&s, rec, xml, &reply);
		free(xml);
		switch (out) {
		case OUT_UPLOADED:
		case OUT_CONFLICT:
			if (store_record_uploaded(st, rec->id, out == OUT_UPLOADED ?
			    "uploaded" : "conflict", reply, &cause) != 0) {
				/* The server has it; a later run resends the same XML, which
				 * the server recognises, and then records it. */
				note(o, rec->instance_id, _("sent, but not marked as sent: %s"),
				    cause);
				free(cause);
				cause = NULL;
				status = UPLOAD_TEMPFAIL;
				stop = true;
				break;
			}
			if (out == OUT_UPLOADED)
				sum->uploaded++;
			else {
				sum->conflicts++;
				if (status == UPLOAD_OK)
					status = UPLOAD_REFUSED;
			}
			break;
		case OUT_REFUSED:
			sum->refused++;
			if (status == UPLOAD_OK)
				status = UPLOAD_REFUSED;
			break;
		case OUT_STOP_REFUSED:
			sum->refused++;
			if (status == UPLOAD_OK)
				status = UPLOAD_REFUSED;
			stop = true;
			break;
		case OUT_TEMPORARY:
			status = UPLOAD_TEMPFAIL;
			stop = true;	/* the link is bad: the rest waits */
			break;
		case OUT_USAGE:
			status = UPLOAD_USAGE;
			stop = true;
			break;
		}
		free(reply);
		if (o->progress != NULL)
			o->progress(o->ctx, i + 1, n, sum->bytes, now_seconds() - start);
	}
	sum->left = (size_t)store_count(st, "finalized");
	sum->seconds = now_seconds() - start;
	if (s.curl != NULL)
		lc.easy_cleanup(s.curl);
	store_records_free(recs, n);
	return status;
}
