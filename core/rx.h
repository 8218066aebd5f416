/* The regular expressions of regex(): POSIX extended syntax, matched
 * against a whole text by a Thompson automaton (as RE2 and Go do), so
 * that matching takes time in proportion to the text times the pattern
 * and memory in proportion to the pattern, whatever either holds. The
 * limits below keep the pattern itself small once its counts are spelled
 * out: libc's regcomp took 7 GB for the 12 bytes (a{1,32767}). */
#ifndef DOORSTEP_RX_H
#define DOORSTEP_RX_H

#include <stdbool.h>
#include <stddef.h>

#define RX_MAX_PATTERN 1024	/* bytes in a pattern */
#define RX_MAX_COUNT 255	/* in {m,n}: POSIX's smallest RE_DUP_MAX */
#define RX_MAX_STEPS 2000	/* steps of the program, counts spelled out */
#define RX_MAX_NESTING 32	/* parentheses inside parentheses */

struct rx;

/* Compiles a pattern. On error returns NULL with *cause a message and *at
 * the byte offset in the pattern where the problem is. *warning (when not
 * NULL) is set to a message for a pattern that compiles but probably
 * does not mean what it says, such as \d, which POSIX reads as d. */
struct rx *rx_compile(const char *pattern, size_t *at, char **cause,
    char **warning);

/* Whether the whole of text (UTF-8, len bytes) matches, as ^(pattern)$. */
bool rx_match(const struct rx *rx, const char *text, size_t len);

void rx_free(struct rx *rx);

#endif
