/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprof output: a profile as github.com/google/pprof's profile.proto,
 * gzip-compressed, as `go tool pprof` reads it.
 *
 * Sample types: samples/count and cpu/nanoseconds (on-CPU), or samples/count
 * (sampled blocking events) and off-cpu/nanoseconds (off-CPU). Every sample
 * has a root frame named after the thread (comm), as in the folded output,
 * and the labels "comm" and "pid". Each frame is one location and one
 * function; user frames are in a mapping per ELF file (with its build ID) and
 * their addresses are file offsets (the mapping starts at 0, file offset 0);
 * kernel frames are in a "[kernel]" mapping (or "[module]") at their kernel
 * addresses. Every mapping has its functions, so pprof does not symbolize.
 * An unknown user frame in a known file is named "[unknown in FILE]".
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
