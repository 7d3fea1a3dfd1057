// SPDX-License-Identifier: GPL-2.0
/* BPF programs loaded after the kernel's symbols (user/symbols/bpfsyms.c). */
#include "unit.h"
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "symbols/bpfsyms.h"

/* Images in any order: each address inside one names it, the bytes
 * between and after them name nothing. */
static void test_find(void **state)
{
	struct bpfsyms b = {0};

	(void)state;
	assert_null(bpfsyms_find(&b, 0x1000));
	assert_int_equal(bpfsyms_add(&b, 0x3000, 0x100, "c"), 0);
	assert_int_equal(bpfsyms_add(&b, 0x1000, 0x80, "a"), 0);
	assert_int_equal(bpfsyms_add(&b, 0x2000, 0x10, "b"), 0);
	assert_int_equal(b.n, 3);
	assert_string_equal(bpfsyms_find(&b, 0x1000), "a");
	assert_string_equal(bpfsyms_find(&b, 0x107f), "a");
	assert_null(bpfsyms_find(&b, 0x1080));
	assert_null(bpfsyms_find(&b, 0xfff));
	assert_string_equal(bpfsyms_find(&b, 0x200f), "b");
	assert_null(bpfsyms_find(&b, 0x2010));
	assert_string_equal(bpfsyms_find(&b, 0x30ff), "c");
	assert_null(bpfsyms_find(&b, 0x3100));
	assert_int_equal(bpfsyms_add(&b, 0x5000, 0, "empty"), 0);
	assert_int_equal(b.n, 3);
	bpfsyms_free(&b);
}

/* A program loaded where unloaded ones were replaces every image it
 * overlaps, and only those. */
static void test_reuse(void **state)
{
	struct bpfsyms b = {0};

	(void)state;
	bpfsyms_add(&b, 0x1000, 0x100, "a");
	bpfsyms_add(&b, 0x1100, 0x100, "b");
	bpfsyms_add(&b, 0x1200, 0x100, "c");
	bpfsyms_add(&b, 0x1300, 0x100, "d");
	assert_int_equal(bpfsyms_add(&b, 0x1180, 0x100, "new"), 0); /* over b and c */
	assert_int_equal(b.n, 3);
	assert_string_equal(bpfsyms_find(&b, 0x10ff), "a");
	assert_string_equal(bpfsyms_find(&b, 0x1180), "new");
	assert_string_equal(bpfsyms_find(&b, 0x127f), "new");
	assert_null(bpfsyms_find(&b, 0x1100)); /* b's first half: gone with it */
	assert_null(bpfsyms_find(&b, 0x1280));
	assert_string_equal(bpfsyms_find(&b, 0x1300), "d");
	assert_int_equal(bpfsyms_add(&b, 0x1300, 0x100, "d2"), 0); /* the same place */
	assert_int_equal(b.n, 3);
	assert_string_equal(bpfsyms_find(&b, 0x1350), "d2");
	bpfsyms_free(&b);
}

/* Full: the table starts again with the newest image, and says so. */
static void test_bounded(void **state)
{
	struct bpfsyms b = {0};
	char name[16];
	size_t i;

	(void)state;
	for (i = 0; i <= BPFSYMS_MAX; i++) {
		snprintf(name, sizeof(name), "p%zu", i);
		assert_int_equal(bpfsyms_add(&b, 0x10000 + i * 0x100, 0x100, name), 0);
	}
	assert_int_equal(b.resets, 1);
	assert_int_equal(b.n, 1);
	assert_string_equal(bpfsyms_find(&b, 0x10000 + BPFSYMS_MAX * 0x100), name);
	assert_null(bpfsyms_find(&b, 0x10000));
	bpfsyms_free(&b);
}

/* A program loaded after the mark is found by the scan under the name
 * /proc/kallsyms gives it, at the address the kernel reports for it; one
 * loaded before is not added. Needs root (skipped without). */
static void test_scan_real(void **state)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bpf_prog_info info = {0};
	__u32 size = sizeof(info), len = 0;
	__u64 addr = 0;
	struct bpfsyms b = {0};
	char want[BPFSYM_NAME_LEN], *p, line[512];
	int before, fd, i;
	FILE *f;

	(void)state;
	before = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "pp_old", "GPL", insns, 2, NULL);
	if (before < 0)
		skip(); /* not root, or no BPF here */
	if (bpf_obj_get_info_by_fd(before, &info, &size) || !info.nr_jited_ksyms) {
		close(before);
		skip(); /* the BPF JIT is off: programs have no kernel address */
	}
	memset(&info, 0, sizeof(info));
	size = sizeof(info);
	bpfsyms_mark(&b);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "pp_unit_new", "GPL", insns, 2, NULL);
	assert_true(fd >= 0);
	assert_true(bpfsyms_scan(&b) >= 1);
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = (__u64)(unsigned long)&addr;
	info.nr_jited_func_lens = 1;
	info.jited_func_lens = (__u64)(unsigned long)&len;
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &size), 0);
	assert_true(addr != 0 && len > 0);
	p = want + snprintf(want, sizeof(want), "bpf_prog_");
	for (i = 0; i < BPF_TAG_SIZE; i++)
		p += snprintf(p, 3, "%02x", info.tag[i]);
	snprintf(p, sizeof(want) - (size_t)(p - want), "_pp_unit_new");
	assert_non_null(bpfsyms_find(&b, addr));
	assert_string_equal(bpfsyms_find(&b, addr), want);
	assert_string_equal(bpfsyms_find(&b, addr + len - 1), want);
	/* the kernel's own name for it, when it lists BPF programs there */
	f = fopen("/proc/sys/net/core/bpf_jit_kallsyms", "r");
	i = f && fgets(line, sizeof(line), f) ? atoi(line) : 0;
	if (f)
		fclose(f);
	f = i ? fopen("/proc/kallsyms", "r") : NULL;
	if (f) {
		bool seen = false;

		while (!seen && fgets(line, sizeof(line), f))
			seen = strstr(line, want) != NULL;
		fclose(f);
		assert_true(seen);
	}
	/* nothing new: nothing added, the last id kept */
	assert_int_equal(bpfsyms_scan(&b), 0);
	size = sizeof(info);
	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(before, &info, &size), 0);
	for (i = 0; i < (int)b.n; i++)
		assert_null(strstr(b.v[i].name, "_pp_old"));
	close(fd);
	close(before);
	bpfsyms_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_scan_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
