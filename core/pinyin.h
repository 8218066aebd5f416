/* Chinese names found by their pinyin: 张秀英 by zhang, zhangxiuying,
 * zhang xiu ying, xiuying or zxy. The readings come from the Unihan
 * database (core/pinyin_table.h, made by tools/pinyin_table.py). */
#ifndef DOORSTEP_PINYIN_H
#define DOORSTEP_PINYIN_H

#include <stdbool.h>

#define PINYIN_QUERY_MAX 63	/* letters a query may hold */

/* Whether query is pinyin that a query can match: Latin letters (any
 * case), with spaces or apostrophes between syllables, at most
 * PINYIN_QUERY_MAX letters. */
bool pinyin_query_valid(const char *query);

/* Whether query spells a run of consecutive Chinese characters of text
 * (UTF-8) in pinyin, each character by one of its readings in full, by
 * its initial (z, zh, x ...), or, for the last one, by the start of a
 * reading (typing it still). Spaces and apostrophes in query are
 * ignored; ü may be typed v or u. */
bool pinyin_match(const char *text, const char *query);

/* What the household search index keeps of a name (see core/household.c):
 * "|key|key...", a key for each character that starts a run of Chinese
 * characters (to the end of the run) and each way of spelling the run
 * that pinyin_match reads: each character but the last by its first
 * letter, its initial or a reading in full, the last by a reading in full;
 * u for ü. A query pinyin_match finds in text is the start of one of its
 * keys: "|" + query (lower-cased, v as u, no spaces) is in the keys. ""
 * when text has no Chinese character; NULL when the keys would pass
 * PINYIN_KEYS_MAX bytes (too many ways to spell it: the search reads such a
 * name itself). Caller frees. */
#define PINYIN_KEYS_MAX 4096
#define PINYIN_KEY_LETTERS 512	/* letters of one key */
char *pinyin_keys(const char *text);

#endif
