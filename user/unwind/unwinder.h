/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unwind tables of the processes a profiler samples, in its BPF maps
 * (bpf/unwind.bpf.h): for each executable mapping of a process, the table
 * of its file (table.h), built the first time the file is met and shared
 * by every process that maps it (files are told apart by device and
 * inode, as /proc/PID/maps shows them; the vDSO by its size), and by every
 * other file with the same GNU build ID (the same binary seen through
 * other mount namespaces or chroot roots, or copied), and the process's
 * list of (mapping, load bias, table). The tables' rows share
 * one array of a fixed size (the memory limit); when a table does not fit,
 * the tables sampled least recently are evicted first (their processes
 * fall back to stopping at that binary until they are read again).
 */
#ifndef PP_UNWIND_UNWINDER_H
#define PP_UNWIND_UNWINDER_H

#include <stddef.h>
#include <stdint.h>
#include "perfpilot.h"

/* The maps of a loaded BPF object (file descriptors). */
struct unwinder_maps {
	int rows;          /* array of struct pp_unwind_row */
	int tables;        /* array of struct pp_unwind_table, PP_UNWIND_TABLES_MAX */
	int procs;         /* hash tgid -> struct pp_unwind_proc */
	uint32_t rows_max; /* the rows array's size */
	int want;          /* array of __u64, PP_UNWIND_WANT_MAX, mappable: the binaries
			    * walks asked for (0: none; every table built at once) */
};

struct unwinder_stats {
	size_t loaded;        /* binaries whose table is loaded now */
	size_t shared;        /* files that took the table of another file with their
			       * build ID (none built for them) */
	uint64_t rows;        /* their rows */
	uint32_t rows_max;
	size_t built;         /* tables built (again after an eviction too) */
	double build_s;       /* time spent building and loading them */
	size_t evicted;       /* tables evicted to make room */
	size_t too_big;       /* binaries whose table exceeds the whole limit */
	size_t no_info;       /* binaries without usable unwind information */
	size_t procs;         /* processes whose mappings are loaded */
	size_t maps_dropped;  /* mappings beyond PP_UNWIND_MAPS_MAX of a process */
	size_t procs_dropped; /* processes not loaded: the map was full */
	size_t on_demand;     /* tables built because a walk landed in their binary */
	size_t not_asked;     /* binaries whose table is not built now: no walk landed
			       * in them (since they were evicted) */
	size_t held_back;     /* times a walk asked for a table evicted too recently
			       * to be built again (unwind_backoff_s) */
};

/*
 * How long after its n-th eviction a table is built again at the earliest,
 * however often walks ask for it: 2 s after the first, doubling up to
 * 64 s. When the binaries sampled need more rows than the limit, the
 * least recently sampled table makes room for the one asked for, which
 * then makes room for it again when it is asked for in turn: without it,
 * two large binaries (libLLVM, cc1, libclang-cpp) were built again and
 * again, a table every 300 ms (55 evictions in a 20 s profile).
 */
double unwind_backoff_s(unsigned int evictions);

struct unwinder;

/* -1 (errno) on no memory. */
struct unwinder *unwinder_new(const struct unwinder_maps *m);

/* Read a process's executable mappings, build the tables it lacks and
 * load them and its mappings into the maps, now. 0, or -1 when it is gone.
 * Once the worker runs, the same as unwinder_queue. */
/* (Processes queued once the worker runs get their mappings loaded, but a
 * table is built only when a walk lands in its binary and asks for it,
 * through `unwind_want`: until then, and for the binaries no walk lands
 * in, the walk goes on with frame pointers there. Without the want map,
 * every table at once.) */
int unwinder_add(struct unwinder *u, uint32_t pid);

/* Read the processes added so far again when their mappings changed
 * (libraries loaded since) or one of their tables was evicted; forget
 * those that have exited. Nothing once the worker runs (it does this). */
void unwinder_refresh(struct unwinder *u);

/* From here on a thread of its own builds and loads the tables (a large
 * binary takes a good part of a second), of the processes queued, and
 * refreshes every refresh_s seconds: the caller's loop is not held up.
 * 0, or -1 (the caller goes on without it: unwinder_queue adds at once). */
int unwinder_start(struct unwinder *u, double refresh_s);

/* Add a process soon (with the worker), or now (without). */
void unwinder_queue(struct unwinder *u, uint32_t pid);

/* Stop the worker, after the table it is building; what is queued is
 * dropped. */
void unwinder_stop(struct unwinder *u);

/* The statistics (safe while the worker runs). */
void unwinder_stats(struct unwinder *u, struct unwinder_stats *s);

void unwinder_free(struct unwinder *u);

#endif
