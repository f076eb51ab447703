/*
 * fuzz_catalog.c: the matter-file loader on arbitrary bytes. It must
 * never crash, leak or accept a file while reporting a problem, and every
 * diagnostic it gives must carry a position.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/error.h"
#include "forms/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_catalog cat;
	struct form_diags d;
	int rc;

	form_catalog_init(&cat);
	form_diags_init(&d);
	rc = form_catalog_load(&cat, "fuzz.json", (const char *)data, size, &d);
	if (rc == 0 && (d.n != 0 || cat.n != 1)) {
		abort();
	}
	if (rc == CM_EPARSE && (d.n == 0 || cat.n != 0)) {
		abort();
	}
	for (size_t i = 0; i < d.n; i++) {
		if (d.items[i].line < 1 || d.items[i].col < 1) {
			abort();
		}
	}
	form_diags_free(&d);
	form_catalog_free(&cat);
	return 0;
}
