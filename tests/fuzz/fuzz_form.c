/* libFuzzer target: any bytes as a form file. The loader must answer with
 * a form or located messages: no crash, no hang, bounded memory. */
#include <stddef.h>
#include <stdint.h>

#include "../../core/diag.h"
#include "../../core/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	struct form *f;

	diags_init(&d, "fuzz.yaml");
	f = form_parse((const char *)data, size, &d);
	if (f == NULL && d.errors == 0)
		__builtin_trap();	/* refused without saying why */
	form_free(f);
	diags_free(&d);
	return 0;
}
