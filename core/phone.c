#include "phone.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "text.h"
#include "util.h"

bool
phone_is_mobile(const char *normal)
{
	return normal != NULL && strlen(normal) == 11 &&
	    strspn(normal, "0123456789") == 11 && normal[0] == '1' &&
	    normal[1] >= '3';
}

char *
phone_normalize(const char *typed, const char **why)
{
	struct buf b = { 0 };
	char *ascii = text_fold_ascii(typed != NULL ? typed : "");
	const char *p = ascii;
	bool country = false;
	char *digits;
	size_t len;

	*why = NULL;
	p += strspn(p, " (");
	if (*p == '+') {
		if (strncmp(p, "+86", 3) != 0) {
			*why = N_("only mainland numbers are kept: +86, or none");
			goto bad;
		}
		p += 3;
		p += strspn(p, ") ");
		country = true;
	}
	for (; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			buf_addc(&b, *p);
		else if (strchr(" -.()", *p) == NULL) {
			*why = N_("a phone number holds digits, and spaces or dashes "
			    "between them");
			goto bad;
		}
	digits = b.data != NULL ? b.data : "";
	len = strlen(digits);
	/* 0086 and, after +86, a lone 86 typed twice, before a mobile. */
	if (len == 15 && strncmp(digits, "0086", 4) == 0 &&
	    phone_is_mobile(digits + 4))
		memmove(digits, digits + 4, 12);
	else if (len == 13 && strncmp(digits, "86", 2) == 0 && !country &&
	    phone_is_mobile(digits + 2))
		memmove(digits, digits + 2, 12);
	len = strlen(digits);
	if (phone_is_mobile(digits) ||
	    (!country && len >= 10 && len <= 12 && digits[0] == '0' &&
	    digits[1] != '0')) {
		free(ascii);
		return buf_steal(&b);
	}
	*why = N_("a phone number is an 11-digit mobile number (138 1234 5678) "
	    "or a landline with its area code (010 1234 5678)");
bad:
	free(ascii);
	buf_free(&b);
	return NULL;
}
