/* SPDX-License-Identifier: GPL-2.0 */
/* Names of processes (comm, cgroup path), looked up once and cached by pid. */
#ifndef PP_PROCMETA_H
#define PP_PROCMETA_H

#include "collect/cgroup.h"
#include "collect/proc_sample.h"

struct procmeta;

struct procmeta *procmeta_new(const struct cg_view *view);
void procmeta_free(struct procmeta *m);

/*
 * Fill s->comm and s->cgroup. Live processes are read from /proc the first
 * time they are seen; for processes already gone the kernel's comm is kept
 * and the cgroup comes from its id. `cgroup_id` is the BPF-recorded id.
 */
void procmeta_fill(struct procmeta *m, struct proc_sample *s, uint64_t cgroup_id);

/* Drop a pid (its process exited and was reported). */
void procmeta_forget(struct procmeta *m, uint32_t pid);

#endif
