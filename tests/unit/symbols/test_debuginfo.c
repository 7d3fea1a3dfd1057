// SPDX-License-Identifier: GPL-2.0
/* debuginfo.c: build-id notes, debuglink sections, debug file paths;
 * demangle.c: C++ and Rust names. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include "unit.h"
#include "symbols/debuginfo.h"
#include "symbols/demangle.h"

/* Append one note (little-endian) with 4-byte alignment, or align. */
static size_t put_note(unsigned char *b, size_t off, uint32_t type, const char *name,
		       const unsigned char *desc, uint32_t descsz, size_t align, bool be)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1, w[3] = { namesz, descsz, type };
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			b[off + 4 * i + j] = (unsigned char)(w[i] >> (be ? 24 - 8 * j : 8 * j));
	off += 12;
	memcpy(b + off, name, namesz);
	off += (namesz + align - 1) / align * align;
	memcpy(b + off, desc, descsz);
	return off + (descsz + align - 1) / align * align;
}

static void test_build_id_note(void **state)
{
	static const unsigned char id[20] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
					       0xab, 0xcd, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44,
					       0x55, 0x66, 0x77 };
	static const unsigned char abi[16] = { 0 };
	unsigned char buf[256] = { 0 };
	char hex[BUILD_ID_HEX];
	size_t n;

	(void)state;
	/* an ABI tag note first, then the build ID */
	n = put_note(buf, 0, 1, "GNU", abi, sizeof(abi), 4, false);
	n = put_note(buf, n, 3, "GNU", id, sizeof(id), 4, false);
	assert_int_equal(note_build_id(buf, n, 4, false, hex, sizeof(hex)), 0);
	assert_string_equal(hex, "deadbeef0123456789abcdef0011223344556677");
	/* cut short: the build ID's bytes are missing */
	assert_int_equal(note_build_id(buf, n - 4, 4, false, hex, sizeof(hex)), -1);
	/* a small buffer for the hex */
	assert_int_equal(note_build_id(buf, n, 4, false, hex, 20), -1);
	/* only a note of another owner with type 3 */
	memset(buf, 0, sizeof(buf));
	n = put_note(buf, 0, 3, "Go", id, 8, 4, false);
	assert_int_equal(note_build_id(buf, n, 4, false, hex, sizeof(hex)), -1);
	/* 8-byte aligned notes (a .note.gnu.property section with the ID after) */
	memset(buf, 0, sizeof(buf));
	n = put_note(buf, 0, 5, "GNU", abi, 12, 8, false);
	n = put_note(buf, n, 3, "GNU", id, 8, 8, false);
	assert_int_equal(note_build_id(buf, n, 8, false, hex, sizeof(hex)), 0);
	assert_string_equal(hex, "deadbeef01234567");
	/* big-endian */
	memset(buf, 0, sizeof(buf));
	n = put_note(buf, 0, 3, "GNU", id, 4, 4, true);
	assert_int_equal(note_build_id(buf, n, 4, true, hex, sizeof(hex)), 0);
	assert_string_equal(hex, "deadbeef");
	/* a size field larger than the buffer */
	memset(buf, 0, sizeof(buf));
	n = put_note(buf, 0, 3, "GNU", id, 4, 4, false);
	buf[4] = 0xff;
	assert_int_equal(note_build_id(buf, n, 4, false, hex, sizeof(hex)), -1);
	assert_int_equal(note_build_id(buf, 0, 4, false, hex, sizeof(hex)), -1);
}

static void test_debuglink(void **state)
{
	/* "hot.debug\0" padded to 12, then the CRC, little-endian */
	static const unsigned char sec[16] = { 'h', 'o', 't', '.', 'd', 'e', 'b', 'u', 'g', 0, 0, 0,
					       0x78, 0x56, 0x34, 0x12 };
	static const unsigned char four[8] = { 'a', 'b', 'c', 0, 0xef, 0xbe, 0xad, 0xde };
	char name[64];
	uint32_t crc = 0;

	(void)state;
	assert_int_equal(debuglink_parse(sec, sizeof(sec), false, name, sizeof(name), &crc), 0);
	assert_string_equal(name, "hot.debug");
	assert_true(crc == 0x12345678);
	assert_int_equal(debuglink_parse(sec, sizeof(sec), true, name, sizeof(name), &crc), 0);
	assert_true(crc == 0x78563412);
	assert_int_equal(debuglink_parse(four, sizeof(four), false, name, sizeof(name), &crc), 0);
	assert_string_equal(name, "abc");
	assert_true(crc == 0xdeadbeef);
	assert_int_equal(debuglink_parse(sec, 15, false, name, sizeof(name), &crc), -1); /* no CRC */
	assert_int_equal(debuglink_parse(sec, sizeof(sec), false, name, 5, &crc), -1);
	assert_int_equal(debuglink_parse("", 1, false, name, sizeof(name), &crc), -1);
	assert_int_equal(debuglink_parse("a/b\0xxxx", 8, false, name, sizeof(name), &crc), -1);
	assert_int_equal(debuglink_parse("abcd", 4, false, name, sizeof(name), &crc), -1); /* no NUL */
}

static void test_paths(void **state)
{
	const char *dirs[] = { "/tmp/dbg", "/usr/lib/debug/" };
	char out[8][DEBUGLINK_PATH_MAX], p[256];
	size_t n;

	(void)state;
	assert_int_equal(build_id_path("/usr/lib/debug", "ab12cd", p, sizeof(p)), 0);
	assert_string_equal(p, "/usr/lib/debug/.build-id/ab/12cd.debug");
	assert_int_equal(build_id_path("/d", "ab", p, sizeof(p)), -1);       /* too short */
	assert_int_equal(build_id_path("/d", "ab/../x", p, sizeof(p)), -1);  /* not hex */
	assert_int_equal(build_id_path("/d", "abcdef", p, 10), -1);          /* no room */

	n = debuglink_paths(dirs, 2, "/opt/app/bin/hot", "hot.debug", out, 8);
	assert_int_equal(n, 4);
	assert_string_equal(out[0], "/opt/app/bin/hot.debug");
	assert_string_equal(out[1], "/opt/app/bin/.debug/hot.debug");
	assert_string_equal(out[2], "/tmp/dbg/opt/app/bin/hot.debug");
	assert_string_equal(out[3], "/usr/lib/debug/opt/app/bin/hot.debug");
	/* a link with the binary's own name: not the binary itself */
	n = debuglink_paths(dirs, 1, "/usr/bin/ls", "ls", out, 8);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "/usr/bin/.debug/ls");
	assert_string_equal(out[1], "/tmp/dbg/usr/bin/ls");
	/* at most max; no paths for bad links or relative binaries */
	assert_int_equal(debuglink_paths(dirs, 2, "/a/b", "b.debug", out, 2), 2);
	assert_int_equal(debuglink_paths(dirs, 2, "/a/b", "../b.debug", out, 8), 0);
	assert_int_equal(debuglink_paths(dirs, 2, "/a/b", "", out, 8), 0);
	assert_int_equal(debuglink_paths(dirs, 2, "b", "b.debug", out, 8), 0);
}

static void test_file_crc(void **state)
{
	char fn[] = "/tmp/pp-crc-XXXXXX";
	static unsigned char data[200000];
	uint32_t crc = 0;
	size_t i;
	int fd = mkstemp(fn);

	(void)state;
	assert_true(fd >= 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + (i >> 9));
	assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	assert_int_equal(debug_file_crc32(fd, &crc), 0);
	assert_true(crc == (uint32_t)crc32(0, data, sizeof(data)));
	/* the standard CRC-32 check value */
	assert_true(crc32(0, (const unsigned char *)"123456789", 9) == 0xcbf43926);
	close(fd);
	unlink(fn);
	assert_int_equal(debug_file_crc32(-1, &crc), -1);
}

static void test_demangle(void **state)
{
	static const char *const cases[][2] = {
		{ "_ZN3foo3barEv", "foo::bar()" },
		{ "_Z3fooi", "foo(int)" },
		{ "_ZNSt6vectorIiSaIiEE9push_backERKi",
		  "std::vector<int, std::allocator<int> >::push_back(int const&)" },
		/* Rust legacy: the hash is left out */
		{ "_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write" },
		{ "_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h1a2b3c4d5e6f7a8bE",
		  "std::rt::lang_start::{{closure}}" },
		/* Rust v0 */
		{ "_RNvCs15kBYyAo9fc_7mycrate7example", "mycrate::example" },
	};
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = demangle(cases[i][0]);

		assert_non_null(d);
		assert_string_equal(d, cases[i][1]);
		free(d);
	}
	assert_null(demangle("main"));
	assert_null(demangle("_start"));
	assert_null(demangle("_Zgarbage"));
	assert_false(demangle_wanted("hot_a"));
	assert_true(demangle_wanted("_ZN1a1bEv"));

	strcpy(s, "core::fmt::write::h0123456789abcdef");
	demangle_strip_rust_hash(s);
	assert_string_equal(s, "core::fmt::write");
	strcpy(s, "a::h0123456789abcdeg"); /* not hex */
	demangle_strip_rust_hash(s);
	assert_string_equal(s, "a::h0123456789abcdeg");
	strcpy(s, "f::h123"); /* short */
	demangle_strip_rust_hash(s);
	assert_string_equal(s, "f::h123");
}

/* Random and truncated input never reads out of bounds (run under ASan by
 * make asan) and never yields a build ID longer than the note holds. */
static void test_random_input(void **state)
{
	uint64_t r = 0x9e3779b97f4a7c15ULL;
	unsigned char *buf;
	char hex[BUILD_ID_HEX], name[32];
	uint32_t crc;
	size_t i, n, j;

	(void)state;
	for (i = 0; i < 20000; i++) {
		n = unit_rand(&r) % 80;
		buf = malloc(n ? n : 1); /* exactly n bytes: ASan sees overreads */
		assert_non_null(buf);
		for (j = 0; j < n; j++)
			buf[j] = (unsigned char)unit_rand(&r);
		if (n >= 16 && (i & 1)) { /* often a plausible GNU header */
			buf[0] = 4, buf[1] = buf[2] = buf[3] = 0;
			buf[4] = (unsigned char)(unit_rand(&r) % 40), buf[5] = buf[6] = buf[7] = 0;
			buf[8] = 3, buf[9] = buf[10] = buf[11] = 0;
			memcpy(buf + 12, "GNU", 4);
		}
		if (!note_build_id(buf, n, (i & 2) ? 8 : 4, false, hex, sizeof(hex)))
			assert_true(strlen(hex) >= 2 && strlen(hex) <= 2 * n);
		if (!debuglink_parse(buf, n, i & 4, name, sizeof(name), &crc))
			assert_true(strlen(name) < sizeof(name) && strlen(name) + 5 <= n);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_id_note),
		cmocka_unit_test(test_debuglink),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_file_crc),
		cmocka_unit_test(test_demangle),
		cmocka_unit_test(test_random_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
