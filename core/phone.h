/* Phone numbers, one way everywhere: the household register, the
 * interview's phone questions and an import read the same spellings and
 * keep the same normal form. */
#ifndef DOORSTEP_PHONE_H
#define DOORSTEP_PHONE_H

#include <stdbool.h>

/* The number as kept: its digits only (13812345678, 01012345678). Read
 * with spaces, dashes, dots or brackets between the digits, full-width
 * digits, and +86 or 0086 before a mobile number: `138 1234 5678`,
 * `138-1234-5678` and `+86 138 1234 5678` are one number. A mainland
 * mobile number (11 digits from 13 to 19) or a landline with its area
 * code (0, then 9 to 11 digits). NULL with *why (static, untranslated:
 * pass it through _()) when it is neither. */
char *phone_normalize(const char *typed, const char **why);

/* Whether a number in normal form is a mainland mobile number. */
bool phone_is_mobile(const char *normal);

#endif
