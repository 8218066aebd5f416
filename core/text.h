/* UTF-8 text measured in terminal columns, made safe to show, and wrapped. */
#ifndef DOORSTEP_TEXT_H
#define DOORSTEP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_REPLACEMENT 0xFFFDu

/* Decodes the UTF-8 sequence at s (n > 0 bytes available) into *cp and
 * returns how many bytes it used. Malformed input gives U+FFFD and 1. */
size_t text_decode(const char *s, size_t n, uint32_t *cp);

/* Appends the UTF-8 encoding of cp to out (at least 4 bytes); returns the
 * number of bytes written. */
size_t text_encode(uint32_t cp, char *out);

/* Columns a code point takes: 0 for combining marks, 2 for wide (CJK,
 * most emoji), 1 otherwise; -1 for control characters. */
int text_cp_width(uint32_t cp);

/* Columns the string takes once sanitized. */
int text_width(const char *s);

/* A copy that is safe to write to a terminal: the one way text from a
 * file, a server or the database reaches one on the command line (every
 * message of main.c, data written to a terminal, the text report and form
 * diagnostics pass through it). Control characters
 * (escape sequences among them) become visible \xHH text, invalid UTF-8
 * becomes U+FFFD, tabs become a space. Newlines are kept when
 * keep_newlines is set, otherwise they become a space. */
char *text_sanitize(const char *s, bool keep_newlines);

/* Whether s holds only valid UTF-8 without control characters (newline
 * and tab allowed when multiline). */
bool text_is_clean(const char *s, bool multiline);

struct text_line {
	size_t off;	/* byte offset into the wrapped string */
	size_t len;	/* bytes on this line, trailing spaces excluded */
	int width;	/* columns */
};

/* Breaks a sanitized string into lines of at most width columns: at
 * spaces, between wide characters, at newlines, and inside a word only
 * when it is longer than a line. Returns the number of lines; *lines is
 * allocated and owned by the caller. */
size_t text_wrap(const char *s, int width, struct text_line **lines);

/* The number of bytes of s that fit in width columns. */
size_t text_fit(const char *s, int width);

/* A copy with full-width ASCII (the digits U+FF10 to U+FF19 that a
 * Chinese input method types, and its letters and signs) and the
 * ideographic space folded to plain ASCII; the rest kept as it is. */
char *text_fold_ascii(const char *s);

#endif
