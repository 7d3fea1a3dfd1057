/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprof output: a profile as github.com/google/pprof's profile.proto,
 * gzip-compressed, as `go tool pprof` reads it.
 *
 * Sample types: samples/count and cpu/nanoseconds (on-CPU), or samples/count
 * (sampled blocking events) and off-cpu/nanoseconds (off-CPU). Every sample
 * has a root frame named after the thread (comm), as in the folded output,
 * and the labels "comm" and "pid". Each frame is one location and one
 * function; kernel frames are in a "[kernel]" mapping (or "[module]") at
 * their kernel addresses. User frames are in mappings of their ELF file
 * (with its build ID) as if it were loaded at 0: an address is a file
 * offset (a caller's inside its call), a mapping starts at 0, file offset
 * 0, so that pprof symbolizes with the binary as for a process's mapping
 * (right where ELF addresses equal file offsets: PIE executables, shared
 * libraries). A file's frames that no symbol named ("[unknown in FILE]",
 * or FILE+0xSTART from the unwind information) are in a second mapping of
 * it, with has_functions false and no build ID (go tool pprof reads none
 * from files and would refuse every file for it): `go tool pprof
 * -symbolize=local` names them with the binary found by its file name
 * (PPROF_BINARY_PATH/NAME); the other mappings have their functions.
 */
#ifndef PP_PPROF_H
#define PP_PPROF_H

#include <stdio.h>
#include "formats/protobuf.h"
#include "profile/stackset.h"

/* The uncompressed profile.proto message. Returns 0, or -1 on no memory. */
int pprof_encode(const struct stackset *ss, struct pb *out);

/* gzip-compress len bytes to out (a gzip member, as gzip(1) writes).
 * Returns 0, or -1 on a zlib or write error. */
int pprof_gzip(const void *data, size_t len, FILE *out);

/* The gzip-compressed profile to out. Returns 0 or -1. */
int pprof_write(const struct stackset *ss, FILE *out);

#endif
