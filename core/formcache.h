/* Form versions read back from the store, each parsed once: exports and
 * reports meet the same few versions in thousands of records. */
#ifndef DOORSTEP_FORMCACHE_H
#define DOORSTEP_FORMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "store.h"

/* Owns the forms it holds. Zero-initialise before use. */
struct form_cache {
	int64_t *refs;
	struct form **forms;
	size_t n;
};

/* The stored form version ref, parsed on first use; NULL with *cause. */
const struct form *formcache_get(struct form_cache *c, struct store *s,
    int64_t ref, char **cause);
void formcache_free(struct form_cache *c);

#endif
