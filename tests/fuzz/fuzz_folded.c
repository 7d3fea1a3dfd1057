// SPDX-License-Identifier: GPL-2.0
/* Folded stacks as diff reads them from two stores (folded.c, flametree.c):
 * the input is the base and the current profile, split at the first NUL;
 * both are parsed and counted, then diffed and merged into a tree. */
#include "fuzz.h"
#include "formats/flametree.h"
#include "formats/folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	const char *cur = text + strlen(text) + (strlen(text) < size);
	struct folded base = {0}, now = {0};
	struct flametree t = {0};
	size_t bad;

	folded_total(text, &bad);
	folded_total(cur, NULL);
	if (!folded_parse(text, &base, &bad) && !folded_parse(cur, &now, &bad)) {
		free(folded_diff(&base, &now));
		if (!ft_init(&t)) {
			ft_from_folded(&t, &now, &base);
			ft_free(&t);
		}
	}
	folded_free(&base);
	folded_free(&now);
	free(text);
	return 0;
}
