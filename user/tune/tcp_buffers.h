/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tcp_buffers tuner (its rule is in tcp_buffers.c's header and in
 * docs/tuner.md): its thresholds, for the tests and the docs, and where its
 * connections come from.
 */
#ifndef PP_TUNE_TCP_BUFFERS_H
#define PP_TUNE_TCP_BUFFERS_H

#include "tune/tcpinfo.h"
#include "tune/tuner.h"

#define TB_FULL 0.90          /* a buffer at >= 90 % of the max is at the max */
#define TB_RATE_FLOOR 1e6     /* bytes/s a connection must move to count */
#define TB_SNDBUF_SHARE 0.20  /* of its busy time a sender waited for sndbuf */
#define TB_OVERHEAD 4.0       /* buffer per byte in flight: x2 window, x2 skb overhead */
#define TB_STEP_MAX 8.0       /* at most x8 per step (at least the config's step) */
#define TB_PSI_LIMIT 10.0     /* PSI memory "some" avg10, % */
#define TB_TCPMEM_SHARE 0.90  /* of tcp_mem's pressure threshold (its 2nd field) */
#define TB_MEM_DIV 64         /* the max stays below MemTotal / 64 */

/*
 * Read the connections with fn instead of sock_diag (tests feed synthetic
 * tcp_info samples); after init.
 */
void tcp_buffers_set_reader(struct tuner *t, tcpinfo_reader_fn fn, void *arg);

#endif
