#include "holder.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "ids.h"
#include "util.h"

/* What a field of the environment may bring at most. */
#define HOLDER_FIELD_MAX 64

/* A copy of s cut to HOLDER_FIELD_MAX bytes, or NULL for NULL or "". */
static char *
field_dup(const char *s, size_t len)
{
	if (s == NULL || len == 0)
		return NULL;
	return xstrndup(s, len > HOLDER_FIELD_MAX ? HOLDER_FIELD_MAX : len);
}

/* The first word of an environment variable. */
static char *
env_word(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL)
		return NULL;
	v += strspn(v, " ");
	return field_dup(v, strcspn(v, " "));
}

/* The first line of a small file, or NULL. */
static char *
read_line(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof line, f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return xstrdup(line);
}

/* The boot of the machine and the start of process pid within it, as
 * "BOOT_ID/TICKS"; NULL when /proc cannot tell. */
static char *
process_started(long pid)
{
	char path[64], *stat, *boot, *p, *out = NULL;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((stat = read_line(path)) == NULL)
		return NULL;
	/* The command name may hold spaces and parentheses: the fields
	 * are counted from the last ')', which ends field 2. */
	p = strrchr(stat, ')');
	for (field = 2; p != NULL && field < 22; field++)
		p = strchr(p + 1, ' ');
	boot = read_line("/proc/sys/kernel/random/boot_id");
	if (p != NULL)
		out = xasprintf("%s/%.*s", boot ? boot : "", (int)strcspn(p + 1, " "),
		    p + 1);
	free(boot);
	free(stat);
	return out;
}

static char *
login_name(void)
{
	const struct passwd *pw = getpwuid(getuid());
	char *env;

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return field_dup(pw->pw_name, strlen(pw->pw_name));
	if ((env = env_word("LOGNAME")) != NULL || (env = env_word("USER")) != NULL)
		return env;
	return xasprintf("uid %lu", (unsigned long)getuid());
}

int
holder_here(struct holder *h, char **cause)
{
	char token[42], host[256], now[40];
	const char *tty;

	memset(h, 0, sizeof *h);
	if (ids_instance_id(token) != 0) {
		set_cause(cause, _("the system gave no random numbers"));
		return -1;
	}
	h->token = xstrdup(token + 5);	/* without "uuid:" */
	h->login = login_name();
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		h->host = field_dup(host, strlen(host));
	}
	if ((tty = ttyname(STDIN_FILENO)) != NULL) {
		if (strncmp(tty, "/dev/", 5) == 0)
			tty += 5;
		h->tty = field_dup(tty, strlen(tty));
	}
	if ((h->address = env_word("SSH_CONNECTION")) == NULL)
		h->address = env_word("SSH_CLIENT");
	h->pid = (long)getpid();
	h->started = process_started(h->pid);
	iso8601_now(now, sizeof now);
	h->since = xstrdup(now);
	return 0;
}

void
holder_clear(struct holder *h)
{
	free(h->token);
	free(h->login);
	free(h->host);
	free(h->tty);
	free(h->address);
	free(h->started);
	free(h->since);
	memset(h, 0, sizeof *h);
}

bool
holder_gone(const struct holder *h)
{
	char host[256], *now;
	bool gone;

	if (h->host == NULL || h->pid <= 0 || gethostname(host, sizeof host) != 0)
		return false;
	host[sizeof host - 1] = '\0';
	if (strncmp(h->host, host, HOLDER_FIELD_MAX) != 0)
		return false;
	if (kill((pid_t)h->pid, 0) != 0 && errno == ESRCH)
		return true;
	/* A process has that pid: the same one only if it started when the
	 * holder's did. */
	if (h->started == NULL || (now = process_started(h->pid)) == NULL)
		return false;
	gone = strcmp(now, h->started) != 0;
	free(now);
	return gone;
}

char *
holder_describe(const struct holder *h)
{
	struct buf b = { 0 };

	buf_adds(&b, h->login ? h->login : _("someone"));
	if (h->tty != NULL && h->host != NULL)
		buf_printf(&b, _(", terminal %s on %s"), h->tty, h->host);
	else if (h->tty != NULL)
		buf_printf(&b, _(", terminal %s"), h->tty);
	else if (h->host != NULL)
		buf_printf(&b, _(", on %s"), h->host);
	if (h->address != NULL)
		buf_printf(&b, _(", from %s"), h->address);
	if (h->pid > 0)
		buf_printf(&b, _(", process %ld"), h->pid);
	if (h->since != NULL && strlen(h->since) >= 16)
		buf_printf(&b, _(", since %.10s %.5s"), h->since, h->since + 11);
	return buf_steal(&b);
}
