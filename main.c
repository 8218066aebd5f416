/* doorstep: household needs-assessment interviews in a terminal.
 * The command line: the full-screen program, or one non-interactive task. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/diag.h"
#include "core/export.h"
#include "core/form.h"
#include "core/formdir.h"
#include "core/household.h"
#include "core/i18n.h"
#include "core/import.h"
#include "core/report.h"
#include "core/store.h"
#include "core/text.h"
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
    MODE_REPORT, MODE_XFORM };

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
};

enum {
	OPT_CHECK = 256, OPT_EXPORT, OPT_FORMAT, OPT_OUT, OPT_ALL, OPT_UPLOAD,
	OPT_IMPORT, OPT_REPORT, OPT_ROUND, OPT_SITE, OPT_XFORM, OPT_HELP,
	OPT_VERSION, OPT_DB, OPT_FORMS, OPT_LANG, OPT_INTERVIEWER, OPT_CONFIG,
	OPT_CACERT, OPT_DRY_RUN, OPT_BOM,
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
	    "  or:  doorstep --xform FORM.yaml       print the form as an ODK XForm\n"
	    "  or:  doorstep --import FILE.jsonl...  merge records exported elsewhere\n"
	    "  or:  doorstep --report [--format text|csv|html] [--round R] [--site S]\n"
	    "                                        the needs by area, site and "
	    "round\n"
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
	    "  --interviewer NAME  who runs the interviews (default: login name)\n"
	    "  --site NAME         the site recorded with new interviews\n"
	    "  --round NAME        the assessment round recorded with new "
	    "interviews\n"
	    "                      (one word such as 2020-R2; default: the one "
	    "chosen\n"
	    "                      last on the home screen, else the config's)\n"
	    "  --config FILE       settings (default $XDG_CONFIG_HOME/doorstep/"
	    "config.yaml)\n"
	    "  --help              show this help and exit\n"
	    "  --version           show the version and exit\n"
	    "\n"
	    "Upload credentials come from ~/.netrc or DOORSTEP_UPLOAD_USER and\n"
	    "DOORSTEP_UPLOAD_PASSWORD, never from the command line.\n"
	    "\n"
	    "Exit status: 0 done; 1 some input rejected (form errors, records the "
	    "server\n"
	    "refused); 2 usage error; 75 temporary failure, records still "
	    "queued.\n"
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

/* Checks the files named, or every form in the forms folder. */
static int
run_check(int argc, char **argv, const char *forms_dir)
{
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
	for (k = 0; k < n; k++) {
		struct diags d;
		struct form *f;

		diags_init(&d, files[k]);
		f = form_load(files[k], &d);
		diags_print(&d, stderr);
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
	return status;
}

/* Writes to a file only readable by its owner, complete or not at all. */
static int
run_export(struct store *s, const struct options *o)
{
	struct safe_file sf = { 0 };
	char *cause = NULL, *base = NULL;
	bool csv, skipped = false;
	FILE *out = stdout, *shown = NULL;
	char *shown_text = NULL;
	size_t shown_len = 0;
	long n;

	csv = o->format != NULL && strcmp(o->format, "csv") == 0;
	if (o->format != NULL && !csv && strcmp(o->format, "jsonl") != 0)
		return usage_error(_("unknown --format '%s' (jsonl or csv)"), o->format);
	if (o->bom && !csv)
		return usage_error("%s", _("--bom is for --format csv"));
	if (o->out != NULL && strcmp(o->out, "-") != 0) {
		size_t len = strlen(o->out);

		if (safe_file_open(&sf, o->out, &cause) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			return EXIT_REJECTED;
		}
		out = sf.f;
		/* data.csv -> data-members.csv for the repeats */
		base = len > 4 && strcmp(o->out + len - 4, ".csv") == 0 ?
		    xstrndup(o->out, len - 4) : xstrdup(o->out);
	} else if (isatty(STDOUT_FILENO) &&
	    (shown = open_memstream(&shown_text, &shown_len)) != NULL)
		out = shown;	/* to a terminal: made safe before it is shown */
	if (csv)
		n = export_csv(s, out, base, o->all, o->bom, &skipped, &cause);
	else
		n = export_jsonl(s, out, o->all, &cause);
	free(base);
	if (shown != NULL) {
		fclose(shown);
		if (n >= 0)
			put_data(shown_text);
		free(shown_text);
	}
	if (sf.f != NULL) {
		if (n < 0)
			safe_file_abort(&sf);
		else if (safe_file_commit(&sf, &cause) != 0)
			n = -1;
	}
	if (n < 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_REJECTED;
	}
	if (skipped)
		fputs(_("doorstep: repeats (such as household members) go to files "
		    "of their own: give --out FILE.csv to write them\n"), stderr);
	say(ngettext("doorstep: exported %ld record\n",
	    "doorstep: exported %ld records\n", (unsigned long)n), n);
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
	struct safe_file sf = { 0 };
	const char *format = o->format ? o->format : "text";
	char *cause = NULL, *out;

	if (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "html") != 0)
		return usage_error(_("unknown --format '%s' (text, csv or html)"),
		    format);
	if (report_build(s, o->round, o->site, lang, &r, &cause) != 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		return EXIT_REJECTED;
	}
	out = strcmp(format, "csv") == 0 ? report_csv(&r) :
	    strcmp(format, "html") == 0 ? report_html(&r) : report_text(&r);
	report_free(&r);
	if (o->out != NULL && strcmp(o->out, "-") != 0) {
		if (safe_file_open(&sf, o->out, &cause) != 0 ||
		    (fputs(out, sf.f), safe_file_commit(&sf, &cause)) != 0) {
			say("doorstep: %s\n", cause);
			free(cause);
			free(out);
			return EXIT_REJECTED;
		}
	} else
		put_data(out);
	free(out);
	return EXIT_DONE;
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
static int
run_upload(struct store *s, const struct options *o, const struct config *cfg,
    const char *url)
{
	struct upload_options uo = { 0 };
	struct upload_summary sum = { 0 };
	bool on_tty = isatty(STDERR_FILENO);
	int rc;

	uo.url = url ? url : cfg->server;
	if (uo.url == NULL || *uo.url == '\0')
		return usage_error("%s", _("--upload needs the server's address: "
		    "doorstep --upload URL, or 'server:' in the config"));
	uo.cacert = o->cacert;
	uo.user = getenv("DOORSTEP_UPLOAD_USER");
	uo.password = getenv("DOORSTEP_UPLOAD_PASSWORD");
	uo.dry_run = o->dry_run;
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
	} else
		say(_("doorstep: %zu uploaded, %zu conflict(s), %zu "
		    "refused, %zu still queued (%.1f KB in %.1f s)\n"), sum.uploaded,
		    sum.conflicts, sum.refused, sum.left, (double)sum.bytes / 1024,
		    sum.seconds);
	return rc;
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

static int
run_tui(struct store *s, const char *db_path, const char *forms_dir,
    const struct options *o, const struct config *cfg, const char *lang,
    bool zh_unshowable)
{
	struct app app = { 0 };
	char *cause = NULL, *who;
	const char *codeset = nl_langinfo(CODESET), *term = getenv("TERM");
	int rc;

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
	who = o->interviewer ? xstrdup(o->interviewer) : cfg->interviewer ?
	    xstrdup(cfg->interviewer) : login_name();
	app.store = s;
	app.db_path = db_path;
	app.forms_dir = forms_dir;
	app.lang = lang;
	app.interviewer = who;
	app.site = o->site ? o->site : cfg->site;
	/* The round: this run's --round, else the one last chosen on the home
	 * screen, else the config's. */
	if (o->round != NULL)
		app.round = xstrdup(o->round);
	else if ((app.round = store_setting(s, "round")) == NULL && cfg->round)
		app.round = xstrdup(cfg->round);
	app.code_prefix = cfg->code_prefix;
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
	char *cause = NULL, *db_path = NULL, *forms_dir = NULL, *cfg_path;
	const char *lang, *bad_option = NULL;
	bool want_help = false, bad_needs_value = false, zh_unshowable;
	int c, status;

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

	cfg_path = config_default_path(o.config);
	if (cfg_path != NULL && config_load(&cfg, cfg_path, o.config != NULL,
	    &cause) != 0) {
		say("doorstep: %s\n", cause);
		free(cause);
		free(cfg_path);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	free(cfg_path);
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
	if (bad_option != NULL && bad_needs_value)
		status = usage_error(_("option '%s' needs a value"), bad_option);
	else if (bad_option != NULL)
		status = usage_error(_("unknown option '%s'"), bad_option);
	else if (o.lang != NULL && strcmp(o.lang, "zh") != 0 &&
	    strcmp(o.lang, "en") != 0)
		status = usage_error(_("--lang must be zh or en, not '%s'"), o.lang);
	else if (o.mode != MODE_CHECK && o.mode != MODE_IMPORT &&
	    o.mode != MODE_XFORM && !(o.mode == MODE_UPLOAD &&
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
		status = run_check(argc - optind, argv + optind, forms_dir);
		goto done;
	case MODE_XFORM:
		status = run_xform(argc - optind, argv + optind);
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

	if ((db_path = store_default_path(o.db, &cause)) == NULL ||
	    (store = store_open(db_path, &cause)) == NULL) {
		say("doorstep: %s\n", cause);
		free(cause);
		status = EXIT_USAGE;
		goto done;
	}
	if (o.mode == MODE_EXPORT)
		status = run_export(store, &o);
	else if (o.mode == MODE_IMPORT)
		status = run_import(store, argc - optind, argv + optind, forms_dir,
		    lang);
	else if (o.mode == MODE_REPORT)
		status = run_report(store, &o, lang);
	else if (o.mode == MODE_UPLOAD)
		status = run_upload(store, &o, &cfg, optind < argc ? argv[optind] : NULL);
	else
		status = run_tui(store, db_path, forms_dir, &o, &cfg, lang,
		    zh_unshowable);
done:
	store_close(store);
	free(db_path);
	free(forms_dir);
	config_free(&cfg);
	return status;
}
