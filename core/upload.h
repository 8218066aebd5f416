/* Batch upload of finalized records to an OpenRosa server (ODK Central,
 * KoboToolbox): one multipart POST per record, the stored XML sent byte
 * for byte, the record's state changed only once the server's answer is in
 * hand. */
#ifndef DOORSTEP_UPLOAD_H
#define DOORSTEP_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

struct upload_options {
	const char *url;
	const char *cacert;		/* a private CA's certificate, or NULL */
	const char *user;		/* NULL: ~/.netrc */
	const char *password;
	bool dry_run;			/* list what would go; send nothing */
	/* The lock file, opened with upload_lock_open before a team's
	 * upload gives its data group up (the caller closes it); false:
	 * upload_run opens it itself. */
	bool have_lock;
	int lock_fd;
	long connect_timeout;		/* seconds */
	long stall_timeout;		/* seconds without progress */
	long request_timeout;		/* seconds one request may take in all */
	long run_timeout;		/* seconds the whole run may take */
	/* (0: UPLOAD_REQUEST_TIMEOUT, UPLOAD_RUN_TIMEOUT) */
	int tries;			/* attempts per record on temporary failures */
	long backoff_ms;		/* first wait between them; then doubled */
	/* One line about one record (instance_id NULL: about the run). */
	void (*note)(void *ctx, const char *instance_id, const char *msg);
	/* After each record: done of total, bytes sent so far, seconds. */
	void (*progress)(void *ctx, size_t done, size_t total, size_t bytes,
	    double seconds);
	void *ctx;
};

struct upload_summary {
	size_t queued;		/* finalized records at the start */
	size_t uploaded;	/* acknowledged (201 or 202) */
	size_t conflicts;	/* 409: the server has different data */
	size_t refused;		/* every other refusal: left queued */
	size_t closed;		/* of which: the form takes nothing now (409) */
	size_t no_version;	/* of which: the server lacks the version (404) */
	size_t no_form;		/* of which: the server lacks the form (404) */
	size_t left;		/* still queued at the end */
	size_t busy;		/* left to another upload that was sending them */
	size_t bytes;		/* request bodies sent */
	double seconds;
};

/* One part of a multipart submission: the XML instance
 * (xml_submission_file), or a file it names (audit.csv). */
struct upload_part {
	const char *name;
	const char *filename;
	const char *type;		/* text/xml, text/csv */
	const char *data;
	size_t len;
};

/* Limits when the options leave them at 0, in seconds. */
#define UPLOAD_REQUEST_TIMEOUT 120
#define UPLOAD_RUN_TIMEOUT 1800

#define UPLOAD_OK 0
#define UPLOAD_REFUSED 1	/* some records refused (4xx) or in conflict */
#define UPLOAD_USAGE 2		/* the URL or the options are wrong */
#define UPLOAD_TEMPFAIL 75	/* network, 5xx, timeouts: try again later */

/* Sends every finalized record; returns one of the UPLOAD_ statuses.
 * Only the same instanceID with other content (409) makes a record a
 * conflict; a closed form, a form or version the server lacks, and any
 * other refusal leave the record queued with the server's answer in its
 * server_reply, and the run goes on with the others.
 * Records that another upload is sending at the same time are left to it
 * (counted in busy). Plain http:// goes to this machine only, and a
 * ~/.netrc that others can read is refused, before anything is sent. */
int upload_run(struct store *s, const struct upload_options *o,
    struct upload_summary *sum);

/* GETs url (the form list, a manifest, an Entity List) with the same
 * credentials and the same rules as a submission (plain http:// to this
 * machine only), header X-OpenRosa-Version: 1.0, at most max bytes. The
 * body (NUL-terminated, *len bytes) is the caller's; *code the HTTP
 * status. Returns UPLOAD_OK, UPLOAD_REFUSED (the body was larger than
 * max), UPLOAD_USAGE or UPLOAD_TEMPFAIL, having told o->note why. */
int upload_get(const struct upload_options *o, const char *url, size_t max,
    char **body, size_t *len, long *code);
/* Opens the file beside the database in which uploads lock the records
 * they send, so that two uploads at once never send a record twice;
 * shared (a team's database): one file for every supervisor, created
 * mode 0660 in the data group's folder. The descriptor, or -1 with a
 * cause. */
int upload_lock_open(struct store *s, bool shared, char **cause);

/* The URL as it may be shown: a password in it and an ODK app user's key
 * (/v1/key/TOKEN/) replaced by "…". The caller frees it. */
char *upload_url_shown(const char *url);

/* The text of <message> in an OpenRosaResponse, or NULL. */
char *upload_server_message(const char *body);

#endif
