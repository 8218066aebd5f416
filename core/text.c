#include "text.h"

#include <string.h>
#include <wchar.h>

#include "util.h"

size_t
text_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t len, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		c = u[0] & 0x1Fu;
		min = 0x80;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		c = u[0] & 0x0Fu;
		min = 0x800;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		c = u[0] & 0x07u;
		min = 0x10000;
	} else
		goto bad;
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = TEXT_REPLACEMENT;
	return 1;
}

size_t
text_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* East Asian wide ranges, used when the C library's wcwidth cannot tell
 * (a non-UTF-8 locale in tests or tools). */
static bool
is_wide_fallback(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

int
text_cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return -1;
	if (cp < 0x7F)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w;
	return is_wide_fallback(cp) ? 2 : 1;
}

int
text_width(const char *s)
{
	size_t n = strlen(s), i = 0;
	int w = 0;

	while (i < n) {
		uint32_t cp;
		int cw;

		i += text_decode(s + i, n - i, &cp);
		cw = text_cp_width(cp);
		w += cw < 0 ? 4 : cw;	/* shown as \xHH */
	}
	return w;
}

char *
text_sanitize(const char *s, bool keep_newlines)
{
	struct buf b = { 0 };
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = text_decode(s + i, n - i, &cp);
		char enc[4];

		if (cp == '\n' && keep_newlines)
			buf_addc(&b, '\n');
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			buf_addc(&b, ' ');
		else if (text_cp_width(cp) < 0)
			buf_printf(&b, "\\x%02X", (unsigned)cp);
		else
			buf_add(&b, enc, text_encode(cp, enc));
		i += len;
	}
	return buf_steal(&b);
}

bool
text_is_clean(const char *s, bool multiline)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = text_decode(s + i, n - i, &cp);

		if (cp == TEXT_REPLACEMENT && len == 1)
			return false;
		if (text_cp_width(cp) < 0 && !(multiline && (cp == '\n' || cp == '\t')))
			return false;
		i += len;
	}
	return true;
}

static void
push_line(struct text_line **lines, size_t *count, size_t *cap, const char *s,
    size_t off, size_t end)
{
	struct text_line *l;
	size_t i = off;
	int w = 0;

	while (end > off && s[end - 1] == ' ')
		end--;
	while (i < end) {
		uint32_t cp;
		int cw;

		i += text_decode(s + i, end - i, &cp);
		cw = text_cp_width(cp);
		w += cw < 0 ? 0 : cw;
	}
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*lines = xreallocarray(*lines, *cap, sizeof **lines);
	}
	l = &(*lines)[(*count)++];
	l->off = off;
	l->len = end - off;
	l->width = w;
}

size_t
text_wrap(const char *s, int width, struct text_line **lines)
{
	size_t n = strlen(s), i = 0, start = 0, brk = 0, count = 0, cap = 0;
	int w = 0, w_at_brk = 0;
	bool prev_wide = false;

	*lines = NULL;
	if (width < 1)
		width = 1;
	while (i < n) {
		uint32_t cp;
		size_t len = text_decode(s + i, n - i, &cp);
		int cw = text_cp_width(cp);

		if (cw < 0)
			cw = 0;
		if (cp == '\n') {
			push_line(lines, &count, &cap, s, start, i);
			i += len;
			start = brk = i;
			w = w_at_brk = 0;
			prev_wide = false;
			continue;
		}
		/* A break may come before a wide character, or after a space. */
		if ((cw == 2 || prev_wide) && i > start) {
			brk = i;
			w_at_brk = w;
		}
		if (w + cw > width && cp != ' ' && i > start) {
			if (brk > start) {
				push_line(lines, &count, &cap, s, start, brk);
				start = brk;
				w -= w_at_brk;
			} else {
				push_line(lines, &count, &cap, s, start, i);
				start = i;
				w = 0;
			}
			while (start < n && s[start] == ' ' && start < i)
				start++;
			brk = start;
			w_at_brk = 0;
			if (start == i)
				w = 0;
		}
		w += cw;
		i += len;
		if (cp == ' ') {
			brk = i;
			w_at_brk = w;
		}
		prev_wide = cw == 2;
	}
	if (start < n || count == 0)
		push_line(lines, &count, &cap, s, start, n);
	return count;
}

size_t
text_fit(const char *s, int width)
{
	size_t n = strlen(s), i = 0;
	int w = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = text_decode(s + i, n - i, &cp);
		int cw = text_cp_width(cp);

		if (cw < 0)
			cw = 0;
		if (w + cw > width)
			break;
		w += cw;
		i += len;
	}
	return i;
}

char *
text_fold_ascii(const char *s)
{
	struct buf b = { 0 };
	size_t n = strlen(s);

	while (n > 0) {
		uint32_t cp;
		size_t used = text_decode(s, n, &cp);

		if (cp >= 0xFF01 && cp <= 0xFF5E)	/* full-width ASCII */
			buf_addc(&b, (char)(cp - 0xFF01 + '!'));
		else if (cp == 0x3000)			/* ideographic space */
			buf_addc(&b, ' ');
		else
			buf_add(&b, s, used);
		s += used;
		n -= used;
	}
	return b.data != NULL ? buf_steal(&b) : xstrdup("");
}
