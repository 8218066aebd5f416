/* Who holds a draft open for editing: one session of the interview
 * program, described well enough to tell the interviewer where it is, and
 * to tell whether its process is still alive. */
#ifndef DOORSTEP_HOLDER_H
#define DOORSTEP_HOLDER_H

#include <stdbool.h>

/* Strings may be NULL (not known). */
struct holder {
	char *token;	/* random, one per opening of a draft */
	char *login;	/* the system user */
	char *host;	/* the machine (gethostname) */
	char *tty;	/* its terminal, e.g. "pts/3" */
	char *address;	/* the SSH client's address */
	long pid;
	char *started;	/* the process's boot and start time, against pid reuse */
	char *since;	/* when it opened the draft, ISO 8601 */
};

/* This process, opening a draft now, with a new token. Returns -1 (with
 * *cause) when the system gives no random numbers. */
int holder_here(struct holder *h, char **cause);

/* Frees what h holds and empties it. */
void holder_clear(struct holder *h);

/* Whether h's process is known to have ended: it ran on this machine, and
 * no process has its pid now, or the one that has it started at another
 * time (the pid was reused, or the machine restarted). A holder on
 * another machine is never known to have ended. */
bool holder_gone(const struct holder *h);

/* Where the draft is open, for the interviewer: "liu, terminal pts/3 on
 * box, from 10.0.0.5, process 812, since 2020-02-26 09:30". A new string;
 * the parts are as stored: sanitize before showing. */
char *holder_describe(const struct holder *h);

#endif
