// SPDX-License-Identifier: GPL-2.0
/* /proc/kallsyms text (kallsyms.c): ksyms_load, then lookups. */
#include "fuzz.h"
#include "symbols/kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms k = {0};
	FILE *f = fuzz_stream(data, size);

	if (!ksyms_load(&k, f)) {
		for (size_t i = 0; i < k.n; i++) {
			const struct ksym *s = ksyms_find(&k, ksym_addr(&k, &k.syms[i]));

			if (s) { /* its name and module, read from the one text */
				volatile size_t len = strlen(ksym_name(&k, s));

				if (ksym_module(&k, s))
					len += strlen(ksym_module(&k, s));
				(void)len;
			}
			ksyms_find(&k, ksym_addr(&k, &k.syms[i]) - 1);
		}
		ksyms_find(&k, 0);
		ksyms_find(&k, UINT64_MAX);
	}
	ksyms_free(&k);
	fclose(f);
	return 0;
}
