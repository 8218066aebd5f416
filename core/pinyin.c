#include "pinyin.h"

#include <stdint.h>
#include <string.h>

#include "pinyin_table.h"
#include "text.h"
#include "util.h"

#define TEXT_CHARS_MAX 128	/* characters of a text looked at */

/* The query's letters, lower-cased; false when it is not pinyin. */
static bool
query_letters(const char *query, char *out, size_t *n)
{
	*n = 0;
	for (; *query != '\0'; query++) {
		char c = *query;

		if (c == ' ' || c == '\'')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z' || *n == PINYIN_QUERY_MAX)
			return false;
		out[(*n)++] = c;
	}
	out[*n] = '\0';
	return *n > 0;
}

bool
pinyin_query_valid(const char *query)
{
	char q[PINYIN_QUERY_MAX + 1];
	size_t n;

	return query_letters(query, q, &n);
}

/* The readings of a character ("zeng ceng"), or NULL. */
static const char *
readings(uint32_t cp)
{
	unsigned short i;

	if (cp < PINYIN_FIRST || cp > PINYIN_LAST)
		return NULL;
	i = pinyin_index[cp - PINYIN_FIRST];
	return i == 0 ? NULL : pinyin_sets[i];
}

static bool
same_letter(char typed, char reading)
{
	return typed == reading || (typed == 'u' && reading == 'v');
}

/* Where query positions in `from` can go after one character with these
 * readings: bit p set means the first p letters are spelled. */
static uint64_t
advance(uint64_t from, const char *set, const char *q, size_t qlen)
{
	uint64_t to = 0;
	size_t p;

	for (p = 0; p < qlen; p++) {
		const char *r = set;

		if (!(from & ((uint64_t)1 << p)))
			continue;
		while (*r != '\0') {
			size_t rlen = strcspn(r, " "), initial, l;

			initial = rlen >= 2 && r[1] == 'h' && strchr("zcs", r[0]) ?
			    2 : 1;
			for (l = 0; l < rlen && p + l < qlen &&
			    same_letter(q[p + l], r[l]); l++) {
				/* In full, by its first letter or initial, or the
				 * query ends here. */
				if (l + 1 == rlen || l == 0 || l + 1 == initial ||
				    p + l + 1 == qlen)
					to |= (uint64_t)1 << (p + l + 1);
			}
			r += rlen;
			r += strspn(r, " ");
		}
	}
	return to;
}

bool
pinyin_match(const char *text, const char *query)
{
	const char *sets[TEXT_CHARS_MAX];
	char q[PINYIN_QUERY_MAX + 1];
	size_t qlen, n = 0, len, i, k;

	if (text == NULL || query == NULL || !query_letters(query, q, &qlen))
		return false;
	len = strlen(text);
	while (len > 0 && n < TEXT_CHARS_MAX) {
		uint32_t cp;
		size_t used = text_decode(text, len, &cp);

		sets[n++] = readings(cp);
		text += used;
		len -= used;
	}
	for (i = 0; i < n; i++) {
		uint64_t at = 1;	/* nothing spelled yet */

		for (k = i; k < n && sets[k] != NULL && at != 0; k++) {
			at = advance(at, sets[k], q, qlen);
			if (at & ((uint64_t)1 << qlen))
				return true;
		}
	}
	return false;
}

/* Appends to b the keys of the characters sets[i..n) (each with readings)
 * after `prefix` (the spelling of the characters before i): every way to
 * spell them, each character but the last by its first letter, its
 * initial or a reading in full, the last by a reading in full. false when
 * b would pass PINYIN_KEYS_MAX bytes. */
static bool
add_keys(struct buf *b, const char *const *sets, size_t i, size_t n,
    char *prefix, size_t plen)
{
	const char *r = sets[i];

	while (*r != '\0') {
		size_t rlen = strcspn(r, " "), forms[3] = { 0 }, nf = 0, f, k;

		if (i + 1 < n) {
			forms[nf++] = 1;
			if (rlen >= 2 && r[1] == 'h' && strchr("zcs", r[0]) != NULL)
				forms[nf++] = 2;
		}
		if (nf == 0 || forms[nf - 1] != rlen)
			forms[nf++] = rlen;
		for (f = 0; f < nf; f++) {
			if (plen + forms[f] > PINYIN_KEY_LETTERS)
				return false;
			/* ü is typed u or v: keys hold u. */
			for (k = 0; k < forms[f]; k++)
				prefix[plen + k] = r[k] == 'v' ? 'u' : r[k];
			if (i + 1 < n) {
				if (!add_keys(b, sets, i + 1, n, prefix, plen + forms[f]))
					return false;
				continue;
			}
			if (b->len + 1 + plen + forms[f] > PINYIN_KEYS_MAX)
				return false;
			buf_addc(b, '|');
			buf_add(b, prefix, plen + forms[f]);
		}
		r += rlen;
		r += strspn(r, " ");
	}
	return true;
}

char *
pinyin_keys(const char *text)
{
	const char *sets[TEXT_CHARS_MAX];
	char prefix[PINYIN_KEY_LETTERS];
	struct buf b = { 0 };
	size_t n = 0, len, i, end;

	len = text != NULL ? strlen(text) : 0;
	while (len > 0 && n < TEXT_CHARS_MAX) {
		uint32_t cp;
		size_t used = text_decode(text, len, &cp);

		sets[n++] = readings(cp);
		text += used;
		len -= used;
	}
	for (i = 0; i < n; i++) {
		if (sets[i] == NULL)
			continue;
		for (end = i; end < n && sets[end] != NULL; end++)
			;
		if (!add_keys(&b, sets, i, end, prefix, 0)) {
			buf_free(&b);
			return NULL;
		}
	}
	return b.data != NULL ? buf_steal(&b) : xstrdup("");
}
