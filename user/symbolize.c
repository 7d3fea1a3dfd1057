// SPDX-License-Identifier: GPL-2.0
/* Raw stacks to interned frames (see symbolize.h). */
#include <stdio.h>
#include "symbolize.h"

int symbolizer_load_kernel(struct symbolizer *s)
{
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -1;
	s->have_k = !ksyms_load(&s->k, f) && s->k.n;
	fclose(f);
	return s->have_k ? 0 : -1;
}

static int64_t kframe(struct symbolizer *s, struct stackset *ss, uint64_t ip)
{
	const struct ksym *k = s->have_k ? ksyms_find(&s->k, ip) : NULL;

	if (!k)
		return ss_frame(ss, "[unknown]", NULL, NULL, ip, 0, true);
	return ss_frame(ss, k->name, k->module ? k->module : "[kernel]", NULL, ip, 0, true);
}

static int64_t uframe(struct symbolizer *s, struct stackset *ss, uint32_t pid, uint64_t ip)
{
	struct usym_info si;

	usyms_lookup(&s->u, pid, ip, &si);
	return ss_frame(ss, si.name ? si.name : "[unknown]", si.module, si.build_id, ip, si.offset,
			false);
}

int symbolize_stack(struct symbolizer *s, struct stackset *ss, uint32_t pid,
		    const struct raw_stack *user, const struct raw_stack *kernel, uint32_t *out)
{
	int64_t f;
	size_t i;
	int n = 0;

	if (user->lost) {
		if ((f = ss_frame(ss, "[unknown]", NULL, NULL, 0, 0, false)) < 0)
			return -1;
		out[n++] = (uint32_t)f;
	}
	for (i = user->n; i-- > 0;) {
		if ((f = uframe(s, ss, pid, user->ips[i])) < 0)
			return -1;
		out[n++] = (uint32_t)f;
	}
	if (kernel->lost) {
		if ((f = ss_frame(ss, "[unknown]", NULL, NULL, 0, 0, true)) < 0)
			return -1;
		out[n++] = (uint32_t)f;
	}
	for (i = kernel->n; i-- > 0;) {
		if ((f = kframe(s, ss, kernel->ips[i])) < 0)
			return -1;
		out[n++] = (uint32_t)f;
	}
	if (!n) {
		if ((f = ss_frame(ss, "[unknown]", NULL, NULL, 0, 0, false)) < 0)
			return -1;
		out[n++] = (uint32_t)f;
	}
	return n;
}

void symbolizer_free(struct symbolizer *s)
{
	usyms_free(&s->u);
	ksyms_free(&s->k);
}
