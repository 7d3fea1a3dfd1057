/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding the separate debug file of a stripped ELF: its GNU build ID
 * (NT_GNU_BUILD_ID note) and its .gnu_debuglink (file name and CRC32), and
 * where debuggers look for them:
 *
 *   DEBUGDIR/.build-id/xx/rest.debug     (by build ID; Debian's -dbgsym)
 *   DIR/LINK, DIR/.debug/LINK, DEBUGDIR/DIR/LINK   (by debuglink)
 *
 * where DIR is the directory of the binary. Pure functions, no I/O, except
 * debug_file_crc32.
 */
#ifndef PP_DEBUGINFO_H
#define PP_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUILD_ID_MAX 64 /* bytes; GNU ld writes 20 (sha1) */
#define BUILD_ID_HEX (2 * BUILD_ID_MAX + 1)

/* Find the NT_GNU_BUILD_ID note in the bytes of a note section or segment
 * whose entries are aligned to align (4, or 8 for some 64-bit sections) and
 * write its ID as lower-case hex. Returns 0, or -1 when there is none or
 * the notes are malformed. */
int note_build_id(const void *buf, size_t len, size_t align, bool big_endian, char *hex,
		  size_t hexlen);

/* The .gnu_debuglink section: a file name, NUL, padding to 4 bytes, and the
 * CRC32 of the debug file. Returns 0, or -1 when it is malformed. */
int debuglink_parse(const void *buf, size_t len, bool big_endian, char *name, size_t namelen,
		    uint32_t *crc);

/* DEBUGDIR/.build-id/xx/rest.debug. Returns 0, or -1 when the ID is too
 * short or the path too long. */
int build_id_path(const char *debugdir, const char *hex, char *out, size_t len);

#define DEBUGLINK_PATH_MAX 1024

/* The places to look for debug file LINK of the binary at PATH (a path in
 * the process's mount namespace): DIR/LINK (unless that is the binary
 * itself), DIR/.debug/LINK, then DEBUGDIR/DIR/LINK for each debug dir.
 * Returns how many were written to out (at most max). */
size_t debuglink_paths(const char *const *debugdirs, size_t ndirs, const char *path,
		       const char *link, char (*out)[DEBUGLINK_PATH_MAX], size_t max);

/* The CRC32 (zlib's) of a whole file, as .gnu_debuglink stores it.
 * Returns 0, or -1 when it cannot be read. */
int debug_file_crc32(int fd, uint32_t *crc);

#endif
