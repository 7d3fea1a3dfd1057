// SPDX-License-Identifier: GPL-2.0
/* kmodules.c: the signature of /proc/modules, and the symbolizer reading
 * the kernel's symbols again when it changes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"
#include "profile/symbolize.h"
#include "symbols/kmodules.h"

static const char *two =
	"nf_conntrack 180224 3 nft_ct,nf_nat,xt_conntrack, Live 0xffffffffc0a00000\n"
	"ext4 1015808 1 - Live 0xffffffffc0100000 (E)\n";

static uint64_t sig_of(const char *text)
{
	FILE *f = unit_text(text);
	uint64_t s;

	assert_non_null(f);
	s = kmodules_signature(f);
	fclose(f);
	return s;
}

static void test_signature(void **state)
{
	uint64_t base = sig_of(two);

	(void)state;
	assert_true(base != 0);
	/* reference counts, users, state and order move: the same modules */
	assert_true(sig_of("ext4 1015808 7 jbd2, Live 0xffffffffc0100000 (E)\n"
			   "nf_conntrack 180224 0 - Loading 0xffffffffc0a00000\n") == base);
	/* one more, one fewer, or one loaded again elsewhere: not */
	assert_true(sig_of("nf_conntrack 180224 3 nft_ct,nf_nat,xt_conntrack, Live 0xffffffffc0a00000\n"
			   "ext4 1015808 1 - Live 0xffffffffc0100000 (E)\n"
			   "dummy 16384 0 - Live 0xffffffffc0f00000\n") != base);
	assert_true(sig_of("ext4 1015808 1 - Live 0xffffffffc0100000 (E)\n") != base);
	assert_true(sig_of("nf_conntrack 180224 3 nft_ct,nf_nat,xt_conntrack, Live 0xffffffffc0b00000\n"
			   "ext4 1015808 1 - Live 0xffffffffc0100000 (E)\n") != base);
	/* a kernel that cannot unload modules prints "-" for the counts */
	assert_true(sig_of("nf_conntrack 180224 - - Live 0xffffffffc0a00000\n"
			   "ext4 1015808 - - Live 0xffffffffc0100000 (E)\n") == base);
	/* a line longer than any buffer (a module with many users) counts */
	{
		char *big = malloc(4096), *p = big;
		int i;

		assert_non_null(big);
		p += sprintf(p, "snd 135168 40 ");
		for (i = 0; i < 300; i++)
			p += sprintf(p, "snd_%d,", i);
		sprintf(p, " Live 0xffffffffc0e00000\n");
		assert_true(strlen(big) > 1024);
		assert_true(sig_of(big) != 0);
		assert_true(sig_of(big) != sig_of("snd 135168 0 - Live 0xffffffffc0f00000\n"));
		assert_true(sig_of(big) == sig_of("snd 135168 0 - Live 0xffffffffc0e00000\n"));
		free(big);
	}
	/* nothing that is a module's line: none */
	assert_true(sig_of("") == 0);
	assert_true(sig_of("garbage\n\n") == 0);
}

/* The symbolizer reads the kernel's symbols again when the modules' signature
 * differs from the one of its last read, once SYMBOLIZER_KERNEL_REREAD_S has
 * passed; else it only looks for new BPF programs. */
static void test_refresh(void **state)
{
	struct symbolizer s = {0};

	(void)state;
	assert_int_equal(symbolizer_refresh_kernel(&s), -1); /* nothing read yet */
	if (geteuid() != 0 || symbolizer_load_kernel(&s))
		skip(); /* /proc/kallsyms is unreadable (or without addresses) */
	assert_int_equal(s.modsig, kmodules_signature_now());
	if (symbolizer_update_bpf(&s) < 0) {
		ksyms_free(&s.k);
		bpfsyms_free(&s.b);
		skip(); /* no BPF program ids here (a container, lockdown) */
	}
	/* unchanged: no new read */
	assert_int_equal(symbolizer_refresh_kernel(&s), 0);
	/* changed, but read a moment ago: not yet */
	s.modsig ^= 1;
	assert_int_equal(symbolizer_refresh_kernel(&s), 0);
	/* changed and read long ago: read again, with the signature of now */
	s.k_read_at -= SYMBOLIZER_KERNEL_REREAD_S + 1;
	assert_int_equal(symbolizer_refresh_kernel(&s), 1);
	assert_true(s.have_k);
	assert_int_equal(s.modsig, kmodules_signature_now());
	assert_int_equal(symbolizer_refresh_kernel(&s), 0);
	ksyms_free(&s.k);
	bpfsyms_free(&s.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_refresh),
	};

	return cmocka_run_group_tests_name("kmodules", tests, NULL, NULL);
}
