/* doorstep: household needs-assessment interviews in a terminal.
 * The command line: the full-screen program, or one non-interactive task. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/adopt.h"
#include "core/access.h"
#include "core/config.h"
#include "core/diag.h"
#include "core/entity.h"
#include "core/export.h"
#include "core/form.h"
#include "core/formdir.h"
#include "core/household.h"
#include "core/i18n.h"
#include "core/import.h"
#include "core/priv.h"
#include "core/report.h"
#include "core/seal.h"
#include "core/store.h"
#include "core/team.h"
#include "core/text.h"
#include "core/trail.h"
#include "core/upload.h"
#include "core/xml.h"
#include "core/util.h"
#include "tui/app.h"

#ifndef DOORSTEP_VERSION
#define DOORSTEP_VERSION "0.1.0"
#endif
#ifndef DOORSTEP_FORMS_DIR
#define DOORSTEP_FORMS_DIR "/usr/local/share/doorstep/forms"
#endif
#ifndef DOORSTEP_LOCALE_DIR
#define DOORSTEP_LOCALE_DIR "/usr/local/share/locale"
#endif

enum exit_status {
	EXIT_DONE = 0,
	EXIT_REJECTED = 1,
	EXIT_USAGE = 2,
	EXIT_TEMPFAIL = 75,
};

enum mode { MODE_TUI, MODE_CHECK, MODE_EXPORT, MODE_UPLOAD, MODE_IMPORT,
    MODE_REPORT, MODE_XFORM, MODE_ADOPT, MODE_TRAIL, MODE_DECRYPT,
    MODE_REQUEUE };

struct options {
	enum mode mode;
	const char *format;
	const char *out;
	bool all;
	const char *upload_url;
	const char *round;
	const char *site;
	const char *db;
	const char *forms;
	const char *lang;
	const char *interviewer;
	const char *config;
	const char *cacert;
	bool dry_run;
	bool bom;
	bool plain;		/* --plain: the plain look */
	const char *adopt;
	const char *household;	/* --trail of one household */
	const char *key_file;
	bool deidentify;
	bool share;
	const char *share_threshold;
	char *share_key_path;		/* the pseudonym key: the config's, else
					 * pseudonym.key beside the config */
};

enum {
	OPT_CHECK = 256, OPT_EXPORT, OPT_FORMAT, OPT_OUT, OPT_ALL, OPT_UPLOAD,
	OPT_IMPORT, OPT_REPORT, OPT_ROUND, OPT_SITE, OPT_XFORM, OPT_HELP,
	OPT_VERSION, OPT_DB, OPT_FORMS, OPT_LANG, OPT_INTERVIEWER, OPT_CONFIG,
	OPT_CACERT, OPT_DRY_RUN, OPT_BOM, OPT_ADOPT, OPT_TRAIL, OPT_HOUSEHOLD,
	OPT_DECRYPT, OPT_DEIDENTIFY, OPT_SHARE, OPT_SHARE_THRESHOLD,
	OPT_REQUEUE, OPT_PLAIN,
};

static const struct option long_options[] = {
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "export", no_argument, NULL, OPT_EXPORT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "upload", no_argument, NULL, OPT_UPLOAD },
	{ "import", no_argument, NULL, OPT_IMPORT },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "round", required_argument, NULL, OPT_ROUND },
	{ "site", required_argument, NULL, OPT_SITE },
	{ "xform", no_argument, NULL, OPT_XFORM },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "db", required_argument, NULL, OPT_DB },
	{ "forms", required_argument, NULL, OPT_FORMS },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "interviewer", required_argument, NULL, OPT_INTERVIEWER },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "bom", no_argument, NULL, OPT_BOM },
	{ "adopt", required_argument, NULL, OPT_ADOPT },
	{ "trail", required_argument, NULL, OPT_TRAIL },
	{ "household", required_argument, NULL, OPT_HOUSEHOLD },
	{ "decrypt", required_argument, NULL, OPT_DECRYPT },
	{ "deidentify", no_argument, NULL, OPT_DEIDENTIFY },
	{ "share", no_argument, NULL, OPT_SHARE },
	{ "share-threshold", required_argument, NULL, OPT_SHARE_THRESHOLD },
	{ "requeue", no_argument, NULL, OPT_REQUEUE },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *out)
{
	fputs(_("Usage: doorstep [OPTIONS]             run interviews (full screen)\n"
	    "  or:  doorstep --check FORM.yaml...    check forms; print FILE:LINE:COL: "
	    "error: ...\n"
	    "  or:  doorstep --export [--format jsonl|csv] [--out PATH] [--all] "
	    "[--bom]\n"
	    "                                        write finalized records (--all: "
	    "drafts too)\n"
	    "  or:  doorstep --upload [URL] [--dry-run] [--cacert FILE]\n"
	    "                                        send finalized records to an "
	    "OpenRosa server\n"
	    "  or:  doorstep --requeue INSTANCEID|all put conflict and refused "
	    "records\n"
	    "                                        back in the upload queue\n"
	    "  or:  doorstep --xform FORM.yaml       print the form as an ODK XForm\n"
	    "  or:  doorstep --import FILE.jsonl...  merge records exported elsewhere\n"
	    "  or:  doorstep --report [--format text|csv|html] [--round R] [--site S]\n"
	    "                                        the needs by area, site and "
	    "round\n"
	    "                                        (--share [--share-threshold N]: "
	    "to share,\n"
	    "                                        counts below N, default 5, "
	    "hidden)\n"
	    "  or:  doorstep --export --deidentify  records to share: no names, "
	    "pseudonyms\n"
	    "  or:  doorstep --decrypt KEYFILE [FILE.jsonl...] [--format "
	    "jsonl|csv]\n"
	    "                                        [--out PATH] [--bom]: open the "
	    "sealed\n"
	    "                                        records of an export\n"
	    "  or:  doorstep --adopt FILE            move a single-user database "
	    "into a team\n"
	    "                                        install (root or a "
	    "supervisor)\n"
	    "  or:  doorstep --trail FILE|- [--household CODE]\n"
	    "                                        write the trail (who did what) "
	    "as CSV\n"
	    "\n"
	    "Household needs-assessment interviews, kept answer by answer in a "
	    "local\n"
	    "database until they are uploaded.\n"
	    "\n"
	    "Options:\n"
	    "  --db PATH           the database (default $DOORSTEP_DB, else\n"
	    "                      $XDG_DATA_HOME/doorstep/doorstep.db)\n"
	    "  --forms DIR         the forms folder (default $DOORSTEP_FORMS, the "
	    "config,\n"
	    "                      the installed forms, else ./forms)\n"
	    "  --lang zh|en        language of the program and of the forms\n"
	    "  --interviewer NAME  who runs the interviews (default: login name;\n"
	    "                      in a team install always the login)\n"
	    "  --site NAME         the site recorded with new interviews\n"
	    "  --round NAME        the assessment round recorded with new "
	    "interviews\n"
	    "                      (one word such as 2020-R2; default: the one "
	    "chosen\n"
	    "                      last on the home screen, else the config's)\n"
	    "  --plain             the plain look, for slow links: no colour, no\n"
	    "                      highlight; the cursor marks the choice (config:\n"
	    "                      look: plain)\n"
	    "  --config FILE       settings (default $XDG_CONFIG_HOME/doorstep/"
	    "config.yaml)\n"
	    "  --help              show this help and exit\n"
	    "  --version           show the version and exit\n"
	    "\n"
	    "Upload credentials come from ~/.netrc or DOORSTEP_UPLOAD_USER and\n"
	    "DOORSTEP_UPLOAD_PASSWORD, never from the command line; a private key's\n"
	    "passphrase is asked on the terminal.\n"
	    "\n"
	    "Exit status: 0 done; 1 some input rejected (form errors, records the "
	    "server\n"
	    "refused); 2 usage error, or a task only a supervisor may run; 75 "
	    "temporary\n"
	    "failure, records still queued.\n"
	    "\n"
	    "Keys in the interview: Enter accept, ^P/^N previous/next question, "
	    "^R review\n"
	    "and finalize, ^X save and leave, ^T form language, ^G help.\n"), out);
}

/* Text goes to the terminal (or to a log read on one) only through here:
 * whatever a message quotes from a file, a server or the database is made
 * safe first (text_sanitize), so that an escape sequence in it is shown,
 * not obeyed. */
static void
write_safe(FILE *out, const char *text)
{
	char *safe = text_sanitize(text, true);

	fputs(safe, out);
	free(safe);
}

static void vsay(FILE *out, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
static void
vsay(FILE *out, const char *fmt, va_list ap)
{
	char *text = xvasprintf(fmt, ap);

	write_safe(out, text);
	free(text);
}

/* A message on stderr. */
static void say(const char *fmt, ...) ATTR_PRINTF(1, 2);
static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(stderr, fmt, ap);
	va_end(ap);
}

/* A line of results on stdout. */
static void say_out(const char *fmt, ...) ATTR_PRINTF(1, 2);
static void
say_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(stdout, fmt, ap);
	va_end(ap);
}

/* Data (a report, an export, an XForm) goes out byte for byte to a file or
 * a pipe, and made safe to a terminal. */
static void
put_data(const char *data)
{
	if (isatty(STDOUT_FILENO))
		write_safe(stdout, data);
	else
		fputs(data, stdout);
}

/* Where a command's data goes (--out FILE, or stdout for none or "-"): a
 * file only its owner reads, written whole or not at all; a pipe, byte
 * for byte; a terminal, kept and made safe before it is shown. */
struct output {
	FILE *f;		/* write here */
	struct safe_file sf;
	FILE *shown;
	char *shown_text;
	size_t shown_len;
};

/* Opens the output; says why not (and returns -1). */
static int
output_open(struct output *out, const char *path)
{
	char *cause = NULL;

	memset(out, 0, sizeof *out);
	out->f = stdout;
	if (path != NULL && strcmp(path, "-") != 0) {
		if (safe_file_open(&out->sf, path, &cause) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			return -1;
		}
		out->f = out->sf.f;
	} else if (isatty(STDOUT_FILENO) && (out->shown =
	    open_memstream(&out->shown_text, &out->shown_len)) != NULL)
		out->f = out->shown;	/* to a terminal: made safe when shown */
	return 0;
}

/* Finishes the output: ok, it is kept (the file in place, the text shown);
 * not ok (cause says why), dropped. Says why it failed (taking cause) and
 * returns -1. */
static int
output_finish(struct output *out, bool ok, char *cause)
{
	if (out->shown != NULL) {
		fclose(out->shown);
		if (ok)
			put_data(out->shown_text);
		free(out->shown_text);
	}
	if (out->sf.f != NULL) {
		if (!ok)
			safe_file_abort(&out->sf);
		else if (safe_file_commit(&out->sf, &cause) != 0)
			ok = false;
	}
	if (!ok) {
		say("doorstep: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int usage_error(const char *fmt, ...) ATTR_PRINTF(1, 2);
static int
usage_error(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	say("doorstep: %s%s", msg, _("\nTry 'doorstep --help'.\n"));
	free(msg);
	return EXIT_USAGE;
}

static const char *
lang_from_env(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			return strncmp(v, "zh", 2) == 0 ? "zh" : "en";
	}
	return "en";
}

static bool
locale_is_utf8(void)
{
	const char *codeset = nl_langinfo(CODESET);

	return codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

/* Chinese was asked for (--lang zh, the config, LANG) where the locale
 * cannot encode it: gettext would print "????". Said in English, which any
 * terminal shows, with what to do. */
static void
say_no_chinese(void)
{
	const char *name = setlocale(LC_CTYPE, NULL);

	say(_("doorstep: Chinese needs a UTF-8 locale, and this login's locale "
	    "is '%s' (%s), so English is shown. For Chinese, run\n"
	    "    export LANG=C.UTF-8\n"
	    "(or put it in ~/.profile) and start doorstep again.\n"),
	    name ? name : "C", nl_langinfo(CODESET));
}

/* The database --check compares form versions with: --db, $DOORSTEP_DB
 * or the default one, when it exists (--check never creates one). */
static struct store *
check_store(const char *db)
{
	char *path = store_default_path(db, NULL);
	struct store *s = NULL;

	if (path != NULL && access(path, F_OK) == 0)
		s = store_open(path, NULL);
	free(path);
	return s;
}

/* Checks the files named, or every form in the forms folder; against the
 * database, that no form changed its questions and kept its version. */
static int
run_check(int argc, char **argv, const char *forms_dir, const char *db)
{
	struct store *store;
	struct formdir_entry *entries = NULL;
	char **files, *cause = NULL;
	size_t n = 0, k;
	int status = EXIT_DONE;

	if (argc == 0) {
		if (formdir_load(forms_dir, &entries, &n, true, &cause) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			return EXIT_USAGE;
		}
		if (n == 0) {
			say(_("doorstep: no .yaml form in %s\n"), forms_dir);
			return EXIT_REJECTED;
		}
		files = xcalloc(n, sizeof *files);
		for (k = 0; k < n; k++)
			files[k] = xstrdup(entries[k].path);
		formdir_free(entries, n);
	} else {
		n = (size_t)argc;
		files = xcalloc(n, sizeof *files);
		for (k = 0; k < n; k++)
			files[k] = xstrdup(argv[k]);
	}
	store = check_store(db);
	for (k = 0; k < n; k++) {
		struct diags d;
		struct form *f;

		diags_init(&d, files[k]);
		f = form_load(files[k], &d);
		diags_print(&d, stderr);
		if (f != NULL && store != NULL) {
			char *why = NULL;

			if (store_form_version_check(store, f, &why, &cause) != 0) {
				say("%s: error: %s\n", files[k], why ? why : cause);
				free(why);
				free(cause);
				cause = NULL;
				form_free(f);
				f = NULL;
			}
		}
		if (f == NULL)
			status = EXIT_REJECTED;
		else {
			char *nq = xasprintf(ngettext("%zu question",
			    "%zu questions", f->nquestions), f->nquestions);
			char *nl = xasprintf(ngettext("%zu language",
			    "%zu languages", f->nlanguages), f->nlanguages);

			say_out(_("%s: ok: form %s version %s, %s, %s\n"), files[k],
			    f->id, f->version, nq, nl);
			free(nq);
			free(nl);
		}
		form_free(f);
		diags_free(&d);
		free(files[k]);
	}
	free(files);
	store_close(store);
	return status;
}

/* The trail keeps an export or import: the file and how many records. */
static void
trail_count(struct store *s, const char *what, const char *file, long n)
{
	char count[24];

	snprintf(count, sizeof count, "%ld", n);
	trail_add(s, &(struct trail_entry){ .what = what, .new_value = file,
	    .detail = count }, NULL);
}

/* The pseudonym key of --deidentify: the config's pseudonym_key, else
 * pseudonym.key beside the config; NULL without a place for it. */
static char *
share_key_path(const struct options *o, const struct config *cfg)
{
	char *cfg_path, *path;
	const char *slash;

	if (cfg->pseudonym_key != NULL)
		return xstrdup(cfg->pseudonym_key);
	if ((cfg_path = config_default_path(o->config)) == NULL)
		return NULL;
	slash = strrchr(cfg_path, '/');
	path = slash == NULL ? xstrdup("pseudonym.key") :
	    xasprintf("%.*s/pseudonym.key", (int)(slash - cfg_path), cfg_path);
	free(cfg_path);
	return path;
}

/* Writes to a file only readable by its owner, complete or not at all. */
static int
run_export(struct store *s, const struct options *o)
{
	unsigned char key[EXPORT_SHARE_KEY_BYTES] = { 0 };
	struct export_share share, *sh = NULL;
	struct output out;
	char *cause = NULL, *base = NULL;
	bool csv, skipped = false;
	long n;

	csv = o->format != NULL && strcmp(o->format, "csv") == 0;
	if (o->format != NULL && !csv && strcmp(o->format, "jsonl") != 0)
		return usage_error(_("unknown --format '%s' (jsonl or csv)"), o->format);
	if (o->bom && !csv)
		return usage_error("%s", _("--bom is for --format csv"));
	if (o->deidentify) {
		bool created = false;

		if (o->share_key_path == NULL || make_parents(o->share_key_path,
		    &cause) != 0 || export_share_key(o->share_key_path, key, &created,
		    &cause) != 0) {
			say("doorstep: %s\n", cause ? cause : _("no place for the "
			    "pseudonym key: set HOME, or pseudonym_key in the config"));
			free(cause);
			return EXIT_USAGE;
		}
		if (created)
			say(_("doorstep: made the pseudonym key %s: keep it, and never "
			    "share it (with it the same family gets the same pseudonym in "
			    "every export; without it, new ones)\n"), o->share_key_path);
		share.key = key;
		share.keylen = sizeof key;
		sh = &share;
	}
	if (output_open(&out, o->out) != 0) {
		explicit_bzero(key, sizeof key);
		return EXIT_REJECTED;
	}
	if (out.sf.f != NULL) {
		size_t len = strlen(o->out);

		/* data.csv -> data-members.csv for the repeats */
		base = len > 4 && strcmp(o->out + len - 4, ".csv") == 0 ?
		    xstrndup(o->out, len - 4) : xstrdup(o->out);
	}
	if (csv)
		n = export_csv_shared(s, out.f, base, o->all, o->bom, sh, &skipped,
		    &cause);
	else
		n = export_jsonl_shared(s, out.f, o->all, sh, &cause);
	explicit_bzero(key, sizeof key);
	free(base);
	if (output_finish(&out, n >= 0, cause) != 0)
		return EXIT_REJECTED;
	if (skipped)
		fputs(_("doorstep: repeats (such as household members) go to files "
		    "of their own: give --out FILE.csv to write them\n"), stderr);
	say(ngettext("doorstep: exported %ld record\n",
	    "doorstep: exported %ld records\n", (unsigned long)n), n);
	trail_count(s, "export", o->out ? o->out : "-", n);
	return EXIT_DONE;
}

/* A message of the import: it quotes the file (its name, instance IDs,
 * forms), so it is made safe for the terminal. */
static void
import_note(void *ctx, const char *msg)
{
	(void)ctx;
	say("doorstep: %s\n", msg);
}

/* Merges other sites' exports; the same file twice changes nothing. */
static int
run_import(struct store *s, int argc, char **argv, const char *forms_dir,
    const char *lang)
{
	struct formdir_entry *entries = NULL;
	const struct form **forms;
	struct import_summary sum, total = { 0 };
	size_t n = 0, k;
	char *cause = NULL;
	int i, status = EXIT_DONE;

	if (formdir_load(forms_dir, &entries, &n, false, NULL) != 0)
		n = 0;	/* the store may have the forms */
	forms = xcalloc(n + 1, sizeof *forms);
	for (k = 0; k < n; k++)
		forms[k] = entries[k].form;
	for (i = 0; i < argc; i++) {
		FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "re");

		if (in == NULL) {
			char *msg = xasprintf(_("cannot read %s: %s"), argv[i],
			    strerror(errno));

			import_note(NULL, msg);
			free(msg);
			status = EXIT_REJECTED;
			continue;
		}
		if (import_jsonl(s, in, argv[i], forms, n, lang, import_note, NULL,
		    &sum, &cause) != 0) {
			say("doorstep: %s: %s\n", argv[i], cause);
			free(cause);
			cause = NULL;
			status = EXIT_REJECTED;
		}
		if (in != stdin)
			fclose(in);
		trail_count(s, "import", argv[i], sum.imported);
		total.imported += sum.imported;
		total.unchanged += sum.unchanged;
		total.conflicts += sum.conflicts;
		total.unknown += sum.unknown;
		total.refused += sum.refused;
		total.bad += sum.bad;
		total.households += sum.households;
	}
	say(_("doorstep: %ld imported, %ld already here, %ld "
	    "conflict(s), %ld of unknown forms, %ld refused, %ld unreadable\n"),
	    total.imported, total.unchanged, total.conflicts, total.unknown,
	    total.refused, total.bad);
	if (total.households > 0)
		say(ngettext("doorstep: %ld household registered for the "
		    "imported records\n", "doorstep: %ld households registered "
		    "for the imported records\n", (unsigned long)total.households),
		    total.households);
	if (total.conflicts + total.unknown + total.refused + total.bad > 0)
		status = EXIT_REJECTED;
	free(forms);
	formdir_free(entries, n);
	return status;
}

/* Prints the needs report, to stdout or a private file. */
static int
run_report(struct store *s, const struct options *o, const char *lang)
{
	struct report r;
	struct output to;
	const char *format = o->format ? o->format : "text";
	char *cause = NULL, *out;
	long threshold = 5;

	if (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "html") != 0)
		return usage_error(_("unknown --format '%s' (text, csv or html)"),
		    format);
	if (o->bom && strcmp(format, "csv") != 0)
		return usage_error("%s", _("--bom is for --format csv"));
	if (o->round != NULL) {
		/* A round no record has is a typo, not an empty report. */
		struct buf known = { 0 };
		char **names;
		long *counts;
		size_t n, i;
		bool found = false;

		if (store_rounds(s, &names, &counts, &n, &cause) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			return EXIT_REJECTED;
		}
		for (i = 0; i < n; i++) {
			found |= strcmp(names[i], o->round) == 0;
			buf_printf(&known, "%s%s", i ? ", " : "", names[i]);
			free(names[i]);
		}
		free(names);
		free(counts);
		if (!found) {
			if (n == 0)
				say(_("doorstep: no record has round '%s'; no record has "
				    "a round yet\n"), o->round);
			else
				say(_("doorstep: no record has round '%s'; the rounds are: "
				    "%s\n"), o->round, known.data);
			buf_free(&known);
			return EXIT_USAGE;
		}
		buf_free(&known);
	}
	if (o->share && strcmp(format, "html") == 0)
		return usage_error("%s", _("--share writes text or csv"));
	if (o->share_threshold != NULL) {
		char *end;

		errno = 0;
		threshold = strtol(o->share_threshold, &end, 10);
		if (errno != 0 || end == o->share_threshold || *end != '\0' ||
		    threshold < 2 || threshold > 1000)
			return usage_error(_("the share threshold must be a whole number "
			    "from 2 to 1000, not '%s'"), o->share_threshold);
	}
	if (report_build(s, o->round, o->site, lang, &r, &cause) != 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_REJECTED;
	}
	if (o->share)
		report_share(&r, threshold);
	out = strcmp(format, "csv") == 0 ? report_csv(&r) :
	    strcmp(format, "html") == 0 ? report_html(&r) : report_text(&r);
	report_free(&r);
	if (o->bom) {	/* as --export --bom: for spreadsheets that want it */
		char *with = xasprintf("\xEF\xBB\xBF%s", out);

		free(out);
		out = with;
	}
	if (output_open(&to, o->out) != 0) {
		free(out);
		return EXIT_REJECTED;
	}
	fputs(out, to.f);
	free(out);
	return output_finish(&to, true, NULL) != 0 ? EXIT_REJECTED : EXIT_DONE;
}

/* Prints a form as an XForm, for publishing on an OpenRosa server. */
static int
run_xform(int argc, char **argv)
{
	struct diags d;
	struct form *f;
	char *xml;

	if (argc != 1)
		return usage_error("%s", _("--xform takes one form file"));
	diags_init(&d, argv[0]);
	f = form_load(argv[0], &d);
	diags_print(&d, stderr);
	diags_free(&d);
	if (f == NULL)
		return EXIT_REJECTED;
	xml = xml_xform(f);
	put_data(xml);
	free(xml);
	form_free(f);
	return fflush(stdout) == 0 ? EXIT_DONE : EXIT_REJECTED;
}

/* Reads a private key's passphrase from the terminal, not echoed: never
 * from the command line or the environment, where others could see it. */
static int
ask_passphrase(char *buf, int size, void *ctx)
{
	const char *path = ctx;
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int n = -1;

	if (tty == NULL)
		return -1;
	fprintf(tty, _("Passphrase of %s: "), path);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(buf, size, tty) != NULL) {
		n = (int)strcspn(buf, "\r\n");
		buf[n] = '\0';
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return n;
}

static void
decrypt_note(void *ctx, const char *msg)
{
	(void)ctx;
	say("doorstep: %s\n", msg);
}

/* The records opened (JSONL, len bytes) written to out as --export
 * --format csv writes them: imported into a database in memory (where
 * they are not sealed again) and exported from it; the repeats to
 * BASE-NAME.csv when base is not NULL. */
static int
decrypted_csv(const char *jsonl, size_t len, FILE *out, const char *base,
    bool bom, const struct form *const *forms, size_t nforms, const char *lang)
{
	struct import_summary sum = { 0 };
	struct store *mem;
	char *cause = NULL;
	bool skipped = false;
	long written = -1;
	FILE *in;

	if ((mem = store_open_memory(&cause)) != NULL) {
		in = len > 0 ? fmemopen((void *)(uintptr_t)jsonl, len, "r") : NULL;
		if (in == NULL || import_jsonl(mem, in, _("(the records opened)"),
		    forms, nforms, lang, decrypt_note, NULL, &sum, &cause) == 0)
			written = export_csv_shared(mem, out, base, true, bom, NULL,
			    &skipped, &cause);
		if (in != NULL)
			fclose(in);
		store_close(mem);
	}
	if (written < 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_REJECTED;
	}
	if (skipped)
		fputs(_("doorstep: repeats (such as household members) go to files "
		    "of their own: give --out FILE.csv to write them\n"), stderr);
	return sum.unknown + sum.refused + sum.bad > 0 ? EXIT_REJECTED : EXIT_DONE;
}

/* --decrypt KEYFILE [FILE.jsonl...]: an export with its sealed records
 * opened, to stdout or --out, as JSONL or as --export's CSV. */
static int
run_decrypt(const struct options *o, int argc, char **argv,
    const char *forms_dir, const char *lang)
{
	struct decrypt_summary sum, all = { 0 };
	struct formdir_entry *entries = NULL;
	const struct form **forms;
	struct safe_file sf = { 0 };
	struct seal_key *k;
	char *cause = NULL, *opened = NULL, *base = NULL;
	FILE *out = stdout, *sink = NULL;
	size_t n = 0, nforms = 0, i, opened_len = 0;
	int status = EXIT_DONE, j;
	bool csv = o->format != NULL && strcmp(o->format, "csv") == 0;

	if (o->format != NULL && !csv && strcmp(o->format, "jsonl") != 0)
		return usage_error(_("unknown --format '%s' (jsonl or csv)"), o->format);
	if (o->bom && !csv)
		return usage_error("%s", _("--bom is for --format csv"));
	if ((k = seal_key_load(o->key_file, ask_passphrase,
	    (void *)(uintptr_t)o->key_file, &cause)) == NULL) {
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (forms_dir == NULL || formdir_load(forms_dir, &entries, &n, false,
	    NULL) != 0)
		n = 0;
	forms = xcalloc(n + 1, sizeof *forms);
	for (i = 0, nforms = 0; i < n; i++)
		if (entries[i].form != NULL)
			forms[nforms++] = entries[i].form;
	if (o->out != NULL && strcmp(o->out, "-") != 0) {
		if (safe_file_open(&sf, o->out, &cause) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			status = EXIT_REJECTED;
			goto done;
		}
		out = sf.f;
		/* data.csv -> data-members.csv for the repeats */
		i = strlen(o->out);
		base = i > 4 && strcmp(o->out + i - 4, ".csv") == 0 ?
		    xstrndup(o->out, i - 4) : xstrdup(o->out);
	}
	/* CSV: the records opened are kept in memory until written; to a
	 * terminal, made safe (as --export does). */
	if ((csv || (out == stdout && isatty(STDOUT_FILENO))) &&
	    (sink = open_memstream(&opened, &opened_len)) == NULL) {
		say("doorstep: %s\n", _("cannot write the decrypted records"));
		if (sf.f != NULL)
			safe_file_abort(&sf);
		status = EXIT_REJECTED;
		goto done;
	}
	for (j = 0; j <= argc; j++) {
		FILE *in = stdin;
		const char *name = _("(standard input)");

		if (j == argc && argc > 0)
			break;
		if (j < argc) {
			name = argv[j];
			if ((in = fopen(name, "r")) == NULL) {
				say(_("doorstep: cannot open %s: %s\n"), name, strerror(errno));
				status = EXIT_REJECTED;
				continue;
			}
		}
		if (export_decrypt(in, name, sink ? sink : out, k, forms, nforms,
		    decrypt_note, NULL, &sum, &cause) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			cause = NULL;
			status = EXIT_REJECTED;
		}
		if (in != stdin)
			fclose(in);
		all.opened += sum.opened;
		all.plain += sum.plain;
		all.refused += sum.refused;
		all.bad += sum.bad;
	}
	if (sink != NULL) {
		fclose(sink);
		if (csv && opened != NULL) {
			FILE *table = out;
			char *shown = NULL;
			size_t shown_len = 0;

			if (out == stdout && isatty(STDOUT_FILENO))
				table = open_memstream(&shown, &shown_len);
			j = decrypted_csv(opened, opened_len, table ? table : out, base,
			    o->bom, forms, nforms, lang);
			if (j != EXIT_DONE)
				status = j;
			if (table != out && table != NULL) {
				fclose(table);
				put_data(shown);
				explicit_bzero(shown, shown_len);
				free(shown);
			}
		} else if (opened != NULL)
			put_data(opened);
		if (opened != NULL)
			explicit_bzero(opened, opened_len);
		free(opened);
	}
	if (sf.f != NULL && safe_file_commit(&sf, &cause) != 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		status = EXIT_REJECTED;
	}
	say(_("doorstep: %ld sealed record(s) opened, %ld not sealed, %ld refused, "
	    "%ld line(s) not a record\n"), all.opened, all.plain, all.refused,
	    all.bad);
	if (all.refused > 0 || all.bad > 0)
		status = EXIT_REJECTED;
done:
	free(base);
	free(forms);
	formdir_free(entries, n);
	seal_key_free(k);
	return status;
}

static void
upload_note(void *ctx, const char *instance_id, const char *msg)
{
	bool *on_tty = ctx;

	if (*on_tty)
		fputs("\r\033[K", stderr);
	/* msg may quote the server's <message>, instance_id the database. */
	if (instance_id != NULL)
		say("doorstep: %s: %s\n", instance_id, msg);
	else
		say("doorstep: %s\n", msg);
}

static void
upload_progress(void *ctx, size_t done, size_t total, size_t bytes,
    double seconds)
{
	bool *on_tty = ctx;

	if (!*on_tty)
		return;
	fputs("\r\033[K", stderr);
	say(ngettext("uploading: %zu/%zu record, %.1f KB, %.1f KB/s",
	    "uploading: %zu/%zu records, %.1f KB, %.1f KB/s", total),
	    done, total, (double)bytes / 1024, seconds > 0 ?
	    (double)bytes / 1024 / seconds : 0.0);
}

static long
env_number(const char *name, long fallback)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return fallback;
	n = strtol(v, &end, 10);
	return *end == '\0' && n >= 0 ? n : fallback;
}

/* Sends the queue; the exit status says what is left to do. */
/* After the records, the Entity Lists of the forms that declare them
 * (core/entity.h): downloaded and merged into the register. */
static int
sync_entities(struct store *s, const struct upload_options *uo,
    const char *forms_dir, int rc)
{
	struct formdir_entry *entries = NULL;
	const struct form **forms;
	struct entity_summary es;
	size_t n = 0, nforms = 0, i;
	long conflicts;
	int erc;

	if (forms_dir == NULL || formdir_load(forms_dir, &entries, &n, false,
	    NULL) != 0)
		return rc;
	forms = xcalloc(n + 1, sizeof *forms);
	for (i = 0; i < n; i++)
		if (entries[i].form != NULL && entries[i].form->entity_dataset != NULL)
			forms[nforms++] = entries[i].form;
	if (nforms > 0) {
		erc = entity_sync(s, forms, nforms, uo, &es);
		say(_("doorstep: Entity Lists: %zu downloaded, %zu household(s) in "
		    "them, %zu new here, %zu updated, %zu newly in conflict, %zu "
		    "not taken (their code is another household here)\n"), es.lists,
		    es.rows, es.added, es.updated, es.conflicts, es.code_taken);
		conflicts = entity_conflict_count(s, NULL);
		if (conflicts > 0)
			say(_("doorstep: %ld household(s) in conflict with the server: "
			    "open each on its household page to choose which values "
			    "stay\n"), conflicts);
		if (erc == UPLOAD_TEMPFAIL || (rc == UPLOAD_OK && erc != UPLOAD_OK))
			rc = erc == UPLOAD_USAGE ? UPLOAD_REFUSED : erc;
	}
	free(forms);
	formdir_free(entries, n);
	return rc;
}

static int
run_upload(struct store *s, const struct options *o, const struct config *cfg,
    const char *url, const char *forms_dir, int lock_fd)
{
	struct upload_options uo = { 0 };
	struct upload_summary sum = { 0 };
	bool on_tty = isatty(STDERR_FILENO);
	int rc;

	char *secret = NULL, *cause = NULL;

	uo.url = url ? url : cfg->server;
	if (uo.url == NULL && cfg->server_file != NULL) {
		/* The address with its key, kept out of command lines and the
		 * config that others may read. */
		if ((secret = config_read_secret(cfg->server_file, &cause)) == NULL) {
			say("doorstep: %s\n", cause);
			free(cause);
			return EXIT_USAGE;
		}
		uo.url = secret;
	}
	if (uo.url == NULL || *uo.url == '\0')
		return usage_error("%s", _("--upload needs the server's address: "
		    "doorstep --upload URL, or 'server:' or 'server_file:' in the "
		    "config"));
	uo.cacert = o->cacert;
	uo.user = getenv("DOORSTEP_UPLOAD_USER");
	uo.password = getenv("DOORSTEP_UPLOAD_PASSWORD");
	uo.dry_run = o->dry_run;
	uo.have_lock = lock_fd >= 0;
	uo.lock_fd = lock_fd;
	uo.connect_timeout = env_number("DOORSTEP_UPLOAD_CONNECT_TIMEOUT", 20);
	uo.stall_timeout = env_number("DOORSTEP_UPLOAD_TIMEOUT", 30);
	uo.tries = (int)env_number("DOORSTEP_UPLOAD_TRIES", 4);
	uo.backoff_ms = env_number("DOORSTEP_UPLOAD_BACKOFF_MS", 2000);
	uo.request_timeout = env_number("DOORSTEP_UPLOAD_REQUEST_TIMEOUT",
	    cfg->upload_request_timeout);
	uo.run_timeout = env_number("DOORSTEP_UPLOAD_RUN_TIMEOUT",
	    cfg->upload_run_timeout);
	if (uo.tries < 1)
		uo.tries = 1;
	uo.note = upload_note;
	uo.progress = upload_progress;
	uo.ctx = &on_tty;
	rc = upload_run(s, &uo, &sum);
	if (on_tty && !o->dry_run && sum.queued > 0)
		fputs("\r\033[K", stderr);
	/* A refusal (a plain http:// address, a ~/.netrc others can read)
	 * has said why; nothing was or would be sent, so no count follows. */
	if (rc == UPLOAD_USAGE)
		return EXIT_USAGE;
	if (o->dry_run) {
		char *shown = upload_url_shown(uo.url);

		say(ngettext("doorstep: %zu record would be sent to %s\n",
		    "doorstep: %zu records would be sent to %s\n", sum.queued),
		    sum.queued, shown);
		free(shown);
	} else {
		say(_("doorstep: %zu uploaded, %zu conflict(s), %zu "
		    "refused, %zu still queued (%.1f KB in %.1f s)\n"), sum.uploaded,
		    sum.conflicts, sum.refused, sum.left, (double)sum.bytes / 1024,
		    sum.seconds);
		if (sum.refused > 0)
			say(_("doorstep: refused and still queued: %zu of closed forms, "
			    "%zu of form versions the server lacks, %zu of forms it lacks, "
			    "%zu for other reasons\n"), sum.closed, sum.no_version,
			    sum.no_form, sum.refused - sum.closed - sum.no_version -
			    sum.no_form);
	}
	if (!o->dry_run && rc != UPLOAD_TEMPFAIL)
		rc = sync_entities(s, &uo, forms_dir, rc);
	free(secret);
	return rc;
}

static char *login_name(void);

/* Puts conflict records, and records the server refused, back in the
 * queue: all of them, or the one with that instance ID. */
static int
run_requeue(struct store *s, const struct options *o, const char *which)
{
	char *cause = NULL, *who;
	long n = 0;

	if (which == NULL)
		return usage_error("%s", _("--requeue needs an instance ID, or 'all'"));
	who = o->interviewer ? xstrdup(o->interviewer) : login_name();
	if (store_requeue(s, strcmp(which, "all") == 0 ? NULL : which, who, &n,
	    &cause) != 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		free(who);
		return EXIT_TEMPFAIL;
	}
	free(who);
	if (n == 0) {
		say(_("doorstep: no conflict or refused record matches '%s'\n"), which);
		return EXIT_REJECTED;
	}
	say(_("doorstep: %ld record(s) back in the queue; doorstep --upload sends "
	    "them\n"), n);
	return EXIT_DONE;
}

static char *
login_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = getenv("USER");

	if (pw != NULL && pw->pw_name != NULL)
		return xstrdup(pw->pw_name);
	return xstrdup(user ? user : "interviewer");
}

/* Who runs doorstep: in a team install the login, always; else
 * --interviewer, the config's, else the login. */
static char *
interviewer_name(const struct options *o, const struct config *cfg)
{
	if (cfg->team)
		return login_name();
	return o->interviewer ? xstrdup(o->interviewer) : cfg->interviewer ?
	    xstrdup(cfg->interviewer) : login_name();
}

/* Writes the trail as CSV to a private file, or to stdout for "-". */
static int
run_trail(struct store *s, const struct options *o)
{
	struct output out;
	char *cause = NULL;
	long n;

	if (output_open(&out, o->out) != 0)
		return EXIT_REJECTED;
	n = trail_csv(s, out.f, o->household, &cause);
	if (output_finish(&out, n >= 0, cause) != 0)
		return EXIT_REJECTED;
	say(_("doorstep: %ld trail entries written\n"), n);
	return EXIT_DONE;
}

/* Whether this login may run the task of this mode; says why not. */
static bool
mode_allowed(const struct access *a, enum mode mode)
{
	static const struct {
		enum mode mode;
		enum access_action act;
		const char *flag;
	} gated[] = {
		{ MODE_EXPORT, ACCESS_EXPORT, "--export" },
		{ MODE_UPLOAD, ACCESS_UPLOAD, "--upload" },
		{ MODE_REQUEUE, ACCESS_UPLOAD, "--requeue" },
		{ MODE_IMPORT, ACCESS_IMPORT, "--import" },
		{ MODE_REPORT, ACCESS_REPORT, "--report" },
		{ MODE_TRAIL, ACCESS_TRAIL, "--trail" },
	};
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_LEN(gated); i++)
		if (gated[i].mode == mode && !access_can(a, gated[i].act, NULL, &why)) {
			say(_("doorstep: %s: %s (%s is not a supervisor in this team "
			    "install)\n"), gated[i].flag, _(why), a->login);
			return false;
		}
	return true;
}

static int
run_tui(struct store *s, const char *db_path, const char *forms_dir,
    const struct options *o, const struct config *cfg, const char *lang,
    bool zh_unshowable)
{
	struct app app = { 0 };
	char *cause = NULL, *who;
	const char *codeset = nl_langinfo(CODESET), *term = getenv("TERM");
	int rc;

	app.site = o->site ? o->site : cfg->site;
	/* With a list of sites, the site is one of them (any case finds it),
	 * and the only one when there is one. */
	app.sites = cfg->sites;
	app.nsites = cfg->nsites;
	if (cfg->nsites > 0) {
		const struct config_site *cs = app.site ? config_site(cfg, app.site) :
		    cfg->nsites == 1 ? &cfg->sites[0] : NULL;

		if (app.site != NULL && cs == NULL) {
			struct buf names = { 0 };
			size_t i;

			for (i = 0; i < cfg->nsites; i++)
				buf_printf(&names, "%s%s", i ? ", " : "", cfg->sites[i].name);
			say(_("doorstep: the site '%s' is not in the config's sites: "
			    "%s\n"), app.site, names.data);
			buf_free(&names);
			return EXIT_USAGE;
		}
		app.site = cs ? cs->name : NULL;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs(_("doorstep: the interview program needs a terminal; for "
		    "scripts use --check or --export\n"), stderr);
		return EXIT_USAGE;
	}
	if (term == NULL || *term == '\0') {
		fputs(_("doorstep: TERM is not set, so the screen cannot be drawn; "
		    "set it, e.g. TERM=xterm-256color\n"), stderr);
		return EXIT_USAGE;
	}
	who = interviewer_name(o, cfg);
	access_init(&app.who, cfg, who);
	app.store = s;
	app.db_path = db_path;
	app.forms_dir = forms_dir;
	app.lang = lang;
	app.interviewer = who;
	/* The round: this run's --round, else the one last chosen on the home
	 * screen, else the config's. */
	if (o->round != NULL)
		app.round = xstrdup(o->round);
	else if ((app.round = store_setting(s, "round")) == NULL && cfg->round)
		app.round = xstrdup(cfg->round);
	app.code_prefix = cfg->code_prefix;
	/* The look: --plain, else the config's (colour unless it says plain). */
	if (!o->plain && cfg->look != NULL && strcmp(cfg->look, "plain") != 0 &&
	    strcmp(cfg->look, "colour") != 0 && strcmp(cfg->look, "color") != 0) {
		say(_("doorstep: the config's look is '%s'; it may be colour or "
		    "plain\n"), cfg->look);
		free(app.round);
		free(who);
		return EXIT_USAGE;
	}
	app.plain = o->plain || (cfg->look != NULL && strcmp(cfg->look, "plain") == 0);
	app.utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	app.zh_unshowable = zh_unshowable;
	/* Forms are read when an interview starts, not before the home screen. */
	if (formdir_load(forms_dir, &app.forms, &app.nforms, true, &cause) != 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		free(who);
		return EXIT_USAGE;
	}
	rc = app_run(&app);
	formdir_free(app.forms, app.nforms);
	free(app.round);
	free(who);
	return rc;
}

/* The UI language: LANGUAGE chooses the catalog (it works in C.UTF-8
 * too), and the catalogs are looked for beside the program first, so that
 * a build in the source tree finds its own. */
static void
setup_language(const char *lang)
{
	char exe[4096], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	static const char *const places[] = { "/locale", "/../../locale" };
	size_t i;

	setenv("LANGUAGE", strcmp(lang, "zh") == 0 ? "zh_CN" : "en", 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	if ((dir = strrchr(exe, '/')) == NULL)
		return;
	*dir = '\0';
	for (i = 0; i < ARRAY_LEN(places); i++) {
		char *base = xasprintf("%s%s", exe, places[i]);
		char *mo = xasprintf("%s/zh_CN/LC_MESSAGES/doorstep.mo", base);

		if (access(mo, R_OK) == 0) {
			bindtextdomain("doorstep", base);
			free(mo);
			free(base);
			return;
		}
		free(mo);
		free(base);
	}
}

/* A team install (the system config says team: true): refuses whatever
 * would point doorstep at another database, forms folder, config or
 * interviewer, and checks that this login belongs to the team. The login,
 * from the user id and never from the environment, goes to *login. */
static int
team_enter(const struct options *o, const struct config *cfg, char **login)
{
	static const char *const vars[] = { "DOORSTEP_DB", "DOORSTEP_FORMS" };
	const char *flag = o->db ? "--db" : o->forms ? "--forms" : o->config ?
	    "--config" : o->interviewer ? "--interviewer" : NULL;
	struct passwd *pw = getpwuid(getuid());
	char *cause = NULL;
	size_t i;

	if (flag != NULL)
		return usage_error(_("this is a team install (%s): %s cannot be "
		    "given; the team's database and forms are set there, and each "
		    "interviewer is their own login"), CONFIG_SYSTEM_PATH, flag);
	for (i = 0; i < ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0') {
			say(_("doorstep: this is a team install (%s): %s cannot be "
			    "set; unset it and start again\n"), CONFIG_SYSTEM_PATH,
			    vars[i]);
			return EXIT_USAGE;
		}
	}
	if (pw == NULL || pw->pw_name == NULL) {
		say(_("doorstep: your user id %lu has no login name: ask the "
		    "administrator\n"), (unsigned long)getuid());
		return EXIT_USAGE;
	}
	*login = xstrdup(pw->pw_name);
	if (team_check_member(cfg, *login, &cause) != 0 ||
	    (o->mode == MODE_ADOPT && getuid() != 0 &&
	    !team_is_supervisor(cfg, *login) && (set_cause(&cause, _("only "
	    "root or a supervisor can adopt a database")), 1))) {
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	priv_clean_env(*login);
	/* The terminal database is read from the system's places only. */
	if (o->mode == MODE_TUI)
		unsetenv("HOME");
	return EXIT_DONE;
}

/* Opens the team's database with the data group, held only for that. */
static struct store *
team_open(const struct config *cfg, const struct options *o, int *lock_fd,
    char **cause)
{
	char *dir = xstrndup(cfg->database, (size_t)(strrchr(cfg->database, '/') -
	    cfg->database));
	struct adopt_source *src = NULL;
	struct adopt_counts done;
	struct store *s = NULL;
	int rc = 0;

	if (!priv_setgid() && getuid() != 0 && access(dir, W_OK | X_OK) != 0) {
		set_cause(cause, _("doorstep is not installed setgid to the team's "
		    "data group, so it cannot reach %s: reinstall it as the README's "
		    "'Running a team server' says (chmod 2755)"), dir);
		free(dir);
		return NULL;
	}
	free(dir);
	/* The file to adopt is opened with the user's own rights. */
	if (o->mode == MODE_ADOPT && (src = adopt_open(o->adopt, cause)) == NULL)
		return NULL;
	if (priv_raise(cause) != 0) {
		adopt_close(src);
		return NULL;
	}
	if (team_check_database(cfg->database, priv_setgid() ? priv_data_gid() :
	    (gid_t)-1, cause) != 0)
		rc = -1;
	else if (o->mode == MODE_ADOPT) {
		if ((rc = adopt_into(src, cfg->database, &done, cause)) == 0)
			say(_("doorstep: adopted %s into %s: %ld record(s), %ld "
			    "household(s)\n"), o->adopt, cfg->database, done.records,
			    done.households);
	}
	adopt_close(src);
	if (rc == 0)
		s = store_open_shared(cfg->database, cause);
	/* An upload locks its records in a file beside the database, opened
	 * now: what it reads next (~/.netrc, --cacert, server_file) is read
	 * with the user's own rights. */
	if (o->mode == MODE_UPLOAD && s != NULL &&
	    (*lock_fd = upload_lock_open(s, true, cause)) < 0) {
		store_close(s);
		s = NULL;
	}
	if (priv_drop_for_good(s != NULL ? cause : NULL) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

/* The update of the database's schema after an upgrade, as it goes (see
 * store_set_progress): said before it starts, then a line a step; on a
 * terminal each line counts its percent, or its seconds, in place. */
struct upgrade_view {
	bool tty;		/* stderr is a terminal */
	bool line_open;		/* a step's line is shown without its end */
	double started;		/* when the update or the step started */
	double step_started;
	char *shown;		/* the step's line as last shown */
};

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
show_upgrade(const struct store_progress *p, void *ctx)
{
	struct upgrade_view *v = ctx;
	char *line;

	switch (p->what) {
	case STORE_PROGRESS_START:
		v->started = seconds_now();
		if (p->households >= 0)
			say(_("Updating the database from version %d to %d (%ld "
			    "households); this can take a minute. Do not switch "
			    "off.\n"), p->from, p->to, p->households);
		else
			say(_("Updating the database from version %d to %d (%ld "
			    "records); this can take a minute. Do not switch "
			    "off.\n"), p->from, p->to, p->records);
		return;
	case STORE_PROGRESS_DONE:
		say(_("The database is up to date (version %d), in %.0f s.\n"),
		    p->to, seconds_now() - v->started);
		return;
	case STORE_PROGRESS_WAIT:
		say(_("Another doorstep is updating the database; waiting for it "
		    "to finish.\n"));
		return;
	case STORE_PROGRESS_STEP:
		break;
	}
	if (p->percent < 0 && (v->shown == NULL || !v->line_open))
		v->step_started = seconds_now();
	if (p->percent >= 0)
		line = xasprintf(_("step %d of %d: %s, %d%%"), p->step, p->steps,
		    p->name, p->percent);
	else if (seconds_now() - v->step_started >= 1)
		line = xasprintf(_("step %d of %d: %s, %.0f s"), p->step, p->steps,
		    p->name, seconds_now() - v->step_started);
	else
		line = xasprintf(_("step %d of %d: %s"), p->step, p->steps,
		    p->name);
	/* Elsewhere than on a terminal, each step's first line only. */
	if (v->tty ? v->shown == NULL || strcmp(line, v->shown) != 0 :
	    !v->line_open) {
		if (v->tty && v->line_open)
			fputc('\r', stderr);
		say("%s%s", line, v->tty ? "" : "\n");
		v->line_open = true;
	}
	free(v->shown);
	v->shown = line;
	if (p->percent == 100) {	/* the step is done */
		if (v->tty)
			fputc('\n', stderr);
		v->line_open = false;
		free(v->shown);
		v->shown = NULL;
	}
}

static void
restore_terminal(void)
{
	app_emergency_exit();
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct config cfg = { 0 };
	struct store *store = NULL;
	struct access acc;
	struct upgrade_view upgrade = { 0 };
	char *cause = NULL, *db_path = NULL, *forms_dir = NULL, *cfg_path;
	char *who = NULL, *login = NULL;
	const char *lang, *bad_option = NULL;
	bool want_help = false, bad_needs_value = false, zh_unshowable;
	bool share_flags;
	int c, status, lock_fd = -1;

	if (priv_init() != 0) {
		fputs("doorstep: cannot drop the data group\n", stderr);
		return EXIT_USAGE;
	}
	/* SQLite makes and frees memory of its own for many statements (the
	 * search index's triggers, at each household registered): with
	 * glibc's defaults the top of the heap went back to the system each
	 * time and was asked for again. A megabyte kept at the top stops
	 * that: --import of 10,000 records 1.9x a bare importer with it,
	 * 2.6x without. */
	mallopt(M_TOP_PAD, 1 << 20);

	/* A locale that is not installed (zh_CN.UTF-8 on a bare server) still
	 * gets UTF-8. */
	if (setlocale(LC_ALL, "") == NULL)
		setlocale(LC_ALL, "C.UTF-8");
	bindtextdomain("doorstep", DOORSTEP_LOCALE_DIR);
	textdomain("doorstep");
	util_set_fatal_hook(restore_terminal);

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_CHECK: o.mode = MODE_CHECK; break;
		case OPT_EXPORT: o.mode = MODE_EXPORT; break;
		case OPT_UPLOAD: o.mode = MODE_UPLOAD; break;
		case OPT_IMPORT: o.mode = MODE_IMPORT; break;
		case OPT_REPORT: o.mode = MODE_REPORT; break;
		case OPT_XFORM: o.mode = MODE_XFORM; break;
		case OPT_FORMAT: o.format = optarg; break;
		case OPT_OUT: o.out = optarg; break;
		case OPT_ALL: o.all = true; break;
		case OPT_ROUND: o.round = optarg; break;
		case OPT_SITE: o.site = optarg; break;
		case OPT_DB: o.db = optarg; break;
		case OPT_FORMS: o.forms = optarg; break;
		case OPT_LANG: o.lang = optarg; break;
		case OPT_INTERVIEWER: o.interviewer = optarg; break;
		case OPT_CONFIG: o.config = optarg; break;
		case OPT_CACERT: o.cacert = optarg; break;
		case OPT_DRY_RUN: o.dry_run = true; break;
		case OPT_BOM: o.bom = true; break;
		case OPT_ADOPT: o.mode = MODE_ADOPT; o.adopt = optarg; break;
		case OPT_TRAIL: o.mode = MODE_TRAIL; o.out = optarg; break;
		case OPT_HOUSEHOLD: o.household = optarg; break;
		case OPT_DECRYPT: o.mode = MODE_DECRYPT; o.key_file = optarg; break;
		case OPT_DEIDENTIFY: o.deidentify = true; break;
		case OPT_SHARE: o.share = true; break;
		case OPT_SHARE_THRESHOLD: o.share_threshold = optarg; break;
		case OPT_REQUEUE: o.mode = MODE_REQUEUE; break;
		case OPT_PLAIN: o.plain = true; break;
		case OPT_HELP:
			want_help = true;	/* once the language is known */
			break;
		case OPT_VERSION:
			printf("doorstep %s\n", DOORSTEP_VERSION);
			return EXIT_DONE;
		default:
			/* Said once the language is known (getopt's own
			 * messages would be English whatever --lang says). */
			if (bad_option == NULL) {
				bad_option = argv[optind - 1];
				bad_needs_value = optopt >= OPT_CHECK;
			}
			break;
		}
	}
	share_flags = o.share || o.share_threshold != NULL;

	/* The system config first: a team's settles everything it names. */
	cfg_path = NULL;
	if (config_load_system(&cfg, CONFIG_SYSTEM_PATH, &cause) == 0) {
		if (!cfg.team)
			cfg_path = config_default_path(o.config);
		else if ((status = team_enter(&o, &cfg, &login)) != EXIT_DONE) {
			config_free(&cfg);
			return status;
		}
	}
	if (cause != NULL || (cfg_path != NULL && config_load(&cfg, cfg_path,
	    o.config != NULL, &cause) != 0)) {
		say("doorstep: %s\n", cause);
		free(cause);
		free(cfg_path);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (o.share_threshold == NULL)
		o.share_threshold = cfg.share_threshold;
	free(cfg_path);
	if (!cfg.team && (o.mode == MODE_ADOPT || priv_drop_for_good(&cause) != 0)) {
		config_free(&cfg);
		if (cause == NULL)
			return usage_error(_("--adopt moves a database into a team "
			    "install, and %s does not say 'team: true'"),
			    CONFIG_SYSTEM_PATH);
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	lang = o.lang && (strcmp(o.lang, "zh") == 0 || strcmp(o.lang, "en") == 0) ?
	    o.lang : cfg.lang ? cfg.lang : lang_from_env();
	if (strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
		lang = "en";
	zh_unshowable = strcmp(lang, "zh") == 0 && !locale_is_utf8();
	if (zh_unshowable)
		lang = "en";
	setup_language(lang);
	if (zh_unshowable)
		say_no_chinese();
	upgrade.tty = isatty(STDERR_FILENO);
	store_set_progress(show_upgrade, &upgrade);
	if (bad_option != NULL && bad_needs_value)
		status = usage_error(_("option '%s' needs a value"), bad_option);
	else if (bad_option != NULL)
		status = usage_error(_("unknown option '%s'"), bad_option);
	else if (o.lang != NULL && strcmp(o.lang, "zh") != 0 &&
	    strcmp(o.lang, "en") != 0)
		status = usage_error(_("--lang must be zh or en, not '%s'"), o.lang);
	else if (o.deidentify && o.mode != MODE_EXPORT)
		status = usage_error("%s", _("--deidentify goes with --export"));
	else if (share_flags && o.mode != MODE_REPORT)
		status = usage_error("%s", _("--share and --share-threshold go "
		    "with --report"));
	else if (o.mode != MODE_CHECK && o.mode != MODE_IMPORT &&
	    o.mode != MODE_XFORM && o.mode != MODE_DECRYPT &&
	    !((o.mode == MODE_UPLOAD || o.mode == MODE_REQUEUE) &&
	    argc - optind == 1) && optind < argc)
		status = usage_error(_("unexpected argument '%s'"), argv[optind]);
	else
		status = EXIT_DONE;
	if (status != EXIT_DONE) {
		config_free(&cfg);
		return status;
	}
	{
		const char *why;
		size_t i;

		if (o.round != NULL && !round_name_valid(o.round, &why)) {
			config_free(&cfg);
			return usage_error(_("--round '%s': %s"), o.round, _(why));
		}
		if (cfg.code_prefix != NULL && (strlen(cfg.code_prefix) > 12 ||
		    !round_name_valid(cfg.code_prefix, &why))) {
			say(_("doorstep: the config's code_prefix '%s' must be "
			    "a few letters or digits, such as BJ\n"), cfg.code_prefix);
			config_free(&cfg);
			return EXIT_USAGE;
		}
		for (i = 0; i < cfg.nsites; i++)
			if (cfg.sites[i].prefix != NULL &&
			    (strlen(cfg.sites[i].prefix) > 12 ||
			    !round_name_valid(cfg.sites[i].prefix, &why))) {
				say(_("doorstep: the prefix '%s' of site '%s' in the "
				    "config must be a few letters or digits, such as "
				    "BJ\n"), cfg.sites[i].prefix, cfg.sites[i].name);
				config_free(&cfg);
				return EXIT_USAGE;
			}
		if (cfg.round != NULL && !round_name_valid(cfg.round, &why)) {
			say(_("doorstep: the config's round '%s': %s\n"),
			    cfg.round, _(why));
			config_free(&cfg);
			return EXIT_USAGE;
		}
	}
	if (want_help) {
		usage(stdout);
		config_free(&cfg);
		return EXIT_DONE;
	}
	forms_dir = formdir_find(o.forms, cfg.forms, DOORSTEP_FORMS_DIR);

	switch (o.mode) {
	case MODE_CHECK:
		status = run_check(argc - optind, argv + optind, forms_dir, o.db);
		goto done;
	case MODE_XFORM:
		status = run_xform(argc - optind, argv + optind);
		goto done;
	case MODE_DECRYPT:
		status = run_decrypt(&o, argc - optind, argv + optind, forms_dir,
		    lang);
		goto done;
	case MODE_IMPORT:
		if (optind == argc) {
			status = usage_error("%s", _("--import needs one or more .jsonl "
			    "files"));
			goto done;
		}
		break;
	default:
		break;
	}

	if (o.household != NULL && o.mode != MODE_TRAIL) {
		status = usage_error("%s", _("--household goes with --trail"));
		goto done;
	}
	who = interviewer_name(&o, &cfg);
	access_init(&acc, &cfg, who);
	if (!mode_allowed(&acc, o.mode)) {
		status = EXIT_USAGE;
		goto done;
	}
	if (cfg.team) {
		db_path = xstrdup(cfg.database);
		if (o.mode != MODE_TUI || team_check_forms(forms_dir, &cause) == 0)
			store = team_open(&cfg, &o, &lock_fd, &cause);
	} else if ((db_path = store_default_path(o.db, &cause)) != NULL)
		store = store_open(db_path, &cause);
	if (store == NULL) {
		say("doorstep: %s\n", cause);
		free(cause);
		status = EXIT_USAGE;
		goto done;
	}
	trail_set_login(store, who);
	if (o.mode == MODE_ADOPT)
		status = EXIT_DONE;
	else if (o.mode == MODE_EXPORT) {
		o.share_key_path = share_key_path(&o, &cfg);
		status = run_export(store, &o);
	}
	else if (o.mode == MODE_IMPORT)
		status = run_import(store, argc - optind, argv + optind, forms_dir,
		    lang);
	else if (o.mode == MODE_REPORT)
		status = run_report(store, &o, lang);
	else if (o.mode == MODE_UPLOAD)
		status = run_upload(store, &o, &cfg, optind < argc ? argv[optind] : NULL,
		    forms_dir, lock_fd);
	else if (o.mode == MODE_TRAIL)
		status = run_trail(store, &o);
	else if (o.mode == MODE_REQUEUE)
		status = run_requeue(store, &o, optind < argc ? argv[optind] : NULL);
	else
		status = run_tui(store, db_path, forms_dir, &o, &cfg, lang,
		    zh_unshowable);
done:
	if (lock_fd >= 0)
		close(lock_fd);
	free(o.share_key_path);
	store_close(store);
	free(who);
	free(db_path);
	free(forms_dir);
	free(login);
	free(upgrade.shown);
	config_free(&cfg);
	return status;
}
