// SPDX-License-Identifier: GPL-2.0
/* Raw stacks to interned frames (see symbolize.h). */
#include <stdio.h>
#include <time.h>
#include "profile/symbolize.h"
#include "symbols/kmodules.h"

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int symbolizer_load_kernel(struct symbolizer *s)
{
	struct bpfsyms b = {0};
	struct ksyms k;
	uint64_t modsig;
	FILE *f;
	int rc;

	/* first: a program loaded during the read is then in both, never in
	 * neither (and the exact image wins); a module loaded during the read
	 * changes the signature again, and is read next time */
	bpfsyms_mark(&b);
	modsig = kmodules_signature_now();
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	rc = ksyms_load(&k, f);
	fclose(f);
	if (rc || !k.n) {
		ksyms_free(&k);
		return -1;
	}
	ksyms_free(&s->k);
	bpfsyms_free(&s->b);
	s->k = k;
	s->b = b;
	s->have_k = true;
	s->modsig = modsig;
	s->k_read_at = mono_s();
	return 0;
}

int symbolizer_refresh_kernel(struct symbolizer *s)
{
	if (!s->have_k)
		return -1;
	if (mono_s() - s->k_read_at >= SYMBOLIZER_KERNEL_REREAD_S &&
	    kmodules_signature_now() != s->modsig) {
		s->k_read_at = mono_s(); /* a failed read is not tried again at once */
		return symbolizer_load_kernel(s) ? -1 : 1;
	}
	return symbolizer_update_bpf(s) < 0 ? -1 : 0;
}

int symbolizer_catch_up_kernel(struct symbolizer *s)
{
	if (!s->have_k || kmodules_signature_now() != s->modsig)
		return symbolizer_load_kernel(s);
	return symbolizer_update_bpf(s) < 0 ? -1 : 0;
}

int symbolizer_update_bpf(struct symbolizer *s)
{
	return s->have_k ? bpfsyms_scan(&s->b) : -1;
}

static int64_t kframe(struct symbolizer *s, struct stackset *ss, uint64_t ip)
{
	const char *bpf = bpfsyms_find(&s->b, ip);

	if (bpf)
		return ss_frame(ss, bpf, "bpf", NULL, ip, 0, true);
	const struct ksym *k = s->have_k ? ksyms_find(&s->k, ip) : NULL;

	if (!k)
		return ss_frame(ss, "[unknown]", NULL, NULL, ip, 0, true);
	const char *mod = ksym_module(&s->k, k);

	return ss_frame(ss, ksym_name(&s->k, k), mod ? mod : "[kernel]", NULL, ip, 0, true);
}

/* The frames of one user address into out (at most room, at least 1): its
 * function, then the functions inlined there. How many, or -1. */
static int uframes(struct symbolizer *s, struct stackset *ss, uint32_t pid, uint64_t ip,
		   bool caller, uint32_t *out, size_t room)
{
	struct usym_info si;
	uint64_t off;
	int64_t f;
	size_t k;
	int n = 0;

	usyms_lookup_frame(&s->u, pid, ip, caller, &si);
	/* a caller's file offset inside its call (a return address may be the
	 * next function's first byte): what pprof symbolizes it with */
	off = caller && si.offset ? si.offset - 1 : si.offset;
	f = ss_frame(ss, si.name ? si.name : "[unknown]", si.module, si.build_id, ip, off, false);
	if (f < 0)
		return -1;
	out[n++] = (uint32_t)f;
	for (k = 0; k < si.ninlined && (size_t)n < room; k++) {
		f = ss_frame(ss, si.inlined[k], si.module, si.build_id, ip, off, false);
		if (f < 0)
			return -1;
		out[n++] = (uint32_t)f;
	}
	return n;
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
		/* room left, keeping one slot for each frame still to come */
		size_t room = SYMBOLIZE_MAX_FRAMES - (size_t)n - i - kernel->n - kernel->lost;
		int k = uframes(s, ss, pid, user->ips[i], i > 0, out + n, room);

		if (k < 0)
			return -1;
		n += k;
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
	bpfsyms_free(&s->b);
}
