#include "formcache.h"

#include <stdlib.h>

#include "diag.h"
#include "i18n.h"
#include "util.h"

const struct form *
formcache_get(struct form_cache *c, struct store *s, int64_t ref, char **cause)
{
	struct diags d;
	struct form *f;
	size_t i, len;
	char *yaml;

	for (i = 0; i < c->n; i++)
		if (c->refs[i] == ref)
			return c->forms[i];
	if ((yaml = store_form_yaml(s, ref, &len, cause)) == NULL)
		return NULL;
	diags_init(&d, "stored form");
	f = form_parse(yaml, len, &d);
	free(yaml);
	if (f == NULL) {
		char *first = diags_first(&d);

		set_cause(cause, _("a stored form version cannot be read: %s"),
		    first ? first : _("unknown problem"));
		free(first);
		diags_free(&d);
		return NULL;
	}
	diags_free(&d);
	c->refs = xreallocarray(c->refs, c->n + 1, sizeof *c->refs);
	c->forms = xreallocarray(c->forms, c->n + 1, sizeof *c->forms);
	c->refs[c->n] = ref;
	c->forms[c->n++] = f;
	return f;
}

void
formcache_free(struct form_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		form_free(c->forms[i]);
	free(c->refs);
	free(c->forms);
	c->refs = NULL;
	c->forms = NULL;
	c->n = 0;
}
