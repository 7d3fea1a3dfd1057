// SPDX-License-Identifier: GPL-2.0
/*
 * The tcp_buffers tuner on a fixture tree with synthetic tcp_info samples:
 * the size of its steps, the stop rule (through the real change_apply,
 * verify_decide and change_rollback), the memory back-off, the bounds and
 * caps.
 */
#define _GNU_SOURCE
#include <math.h>
#include "tunefs.h"
#include "tune/change.h"
#include "tune/step.h"
#include "tune/tcp_buffers.h"

#define NS "recv"
#define NS_RMEM "var/run/netns/" NS "/proc/sys/net/ipv4/tcp_rmem"
#define NS_WMEM "var/run/netns/" NS "/proc/sys/net/ipv4/tcp_wmem"
#define MiB (1024 * 1024)

/* One connection whose numbers the test sets before each observe. */
struct flow {
	struct tcp_conn c;
	double rx_rate, tx_rate;   /* bytes/s over the next interval */
	double sndbuf_share;       /* of the busy time */
	bool follow_max;           /* rcvbuf and rcv_space from tcp_rmem's max */
	/* the throughput as a function of that max (the stop rule's flow) */
	double (*model)(int64_t max);
};

struct fx {
	char root[PATH_MAX];
	char state[PATH_MAX + 8];
	struct hostfs h;
	struct journal j;
	struct tune_config cfg;
	struct tune_ctx ctx;
	struct tuner t;
	struct flow f;
	bool reader_fails;
	int writes;
	char err[512];
};

static int64_t ns_max(struct fx *fx, const char *rel)
{
	struct hostfs_value v;

	assert_int_equal(hostfs_parse_value(tfs_get(fx->root, rel), &v), 0);
	return v.f[2];
}

static int fake_read(void *arg, const struct hostfs *h, const char *netns,
		     struct tcpinfo_set *s, char *err, size_t errlen)
{
	struct fx *fx = arg;
	struct flow *f = &fx->f;

	assert_ptr_equal(h, &fx->h);
	assert_string_equal(netns, NS);
	if (fx->reader_fails) {
		snprintf(err, errlen, "network namespace %s: No such file or directory", netns);
		return -1;
	}
	if (f->follow_max) {
		int64_t max = ns_max(fx, NS_RMEM);

		f->c.rcvbuf = (uint32_t)max;
		/* the kernel's bytes per RTT: twice the max, as measured at 64 KiB */
		f->c.rcv_space = (uint32_t)(2 * max);
		if (f->model)
			f->rx_rate = f->model(max);
	}
	f->c.bytes_received += (uint64_t)(f->rx_rate * fx->ctx.dt);
	f->c.bytes_acked += (uint64_t)(f->tx_rate * fx->ctx.dt);
	f->c.busy_us += (uint64_t)(1e6 * fx->ctx.dt);
	f->c.sndbuf_limited_us += (uint64_t)(1e6 * fx->ctx.dt * f->sndbuf_share);
	s->n = 0;
	if (!s->cap) {
		s->c = calloc(4, sizeof(*s->c));
		s->cap = 4;
	}
	s->c[s->n++] = f->c;
	return 0;
}

static int count_writes(void *arg, const char *path, const char *value)
{
	struct fx *fx = arg;

	(void)path;
	(void)value;
	fx->writes++;
	return 0;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->root, sizeof(fx->root), "tcpbuf");
	tfs_host(fx->root);
	tfs_put(fx->root, NS_RMEM, "4096\t16384\t65536\n");
	tfs_put(fx->root, NS_WMEM, "4096\t16384\t65536\n");
	tfs_put(fx->root, "proc/sys/net/core/wmem_max", "212992\n");
	tfs_put(fx->root, "proc/sys/net/ipv4/tcp_mem", "287907\t383876\t575814\n");
	tfs_put(fx->root, "proc/pressure/memory",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	tfs_put(fx->root, "proc/net/sockstat",
		"sockets: used 100\nTCP: inuse 3 orphan 0 tw 0 alloc 4 mem 357\n"
		"UDP: inuse 1 mem 2\n");
	tfs_put(fx->root, "proc/meminfo", "MemTotal:       24683744 kB\nMemFree: 1 kB\n");
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->root);
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	fx->h.write_hook = count_writes;
	fx->h.hook_arg = fx;
	assert_int_equal(journal_load(&fx->j, fx->state, JOURNAL_LOCK, fx->err, sizeof(fx->err)),
			 0);
	config_defaults(&fx->cfg);
	fx->cfg.cooldown_s = 0;
	fx->cfg.verify_s = 3;
	/* the scenario starts below the default min of 128 KiB */
	fx->cfg.t[tunable_index(tunable_find("net.ipv4.tcp_rmem"))].min = 4096;
	fx->cfg.t[tunable_index(tunable_find("net.ipv4.tcp_wmem"))].min = 4096;
	fx->ctx.h = &fx->h;
	fx->ctx.cfg = &fx->cfg;
	fx->ctx.j = &fx->j;
	fx->ctx.netns = NS;
	fx->ctx.ncpus = 2;
	fx->ctx.now = 1000;
	fx->ctx.dt = 1;
	tuner_tcp_buffers(&fx->t);
	assert_int_equal(fx->t.init(&fx->t, &fx->ctx, fx->err, sizeof(fx->err)), 0);
	tcp_buffers_set_reader(&fx->t, fake_read, fx);
	/* a receiver at the 64 KiB max, 800 MB/s, as on the veth pair */
	fx->f.c = (struct tcp_conn){.cookie = 77, .state = 1, .local = "10.0.0.2:5001",
				    .remote = "10.0.0.1:40000", .has_info = true, .has_mem = true,
				    .rtt_us = 84, .rcv_rtt_us = 13, .rcv_space = 148384,
				    .snd_cwnd = 10, .snd_mss = 1448, .rcvbuf = 65536,
				    .sndbuf = 16384};
	fx->f.rx_rate = 800e6;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	fx->t.fini(&fx->t);
	journal_free(&fx->j);
	config_free(&fx->cfg);
	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

static void observe(struct fx *fx, int n)
{
	while (n-- > 0) {
		fx->ctx.now += fx->ctx.dt;
		if (fx->t.observe(&fx->t, &fx->ctx, fx->err, sizeof(fx->err)))
			fail_msg("observe: %s", fx->err);
	}
}

/* The proposals now; the first in *p. */
static size_t propose(struct fx *fx, struct proposal *p)
{
	struct proposal out[4];
	size_t n = fx->t.propose(&fx->t, &fx->ctx, out, 4);

	if (n && p)
		*p = out[0];
	return n;
}

/* ---- step sizes ---- */

static void test_step_from_need(void **state)
{
	struct fx *fx = *state;
	struct proposal p;

	/* need max(800 MB/s x 84 us, 148384) x 4 = 593536: more than x8 of 64 KiB */
	observe(fx, 3);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.tunable, "net.ipv4.tcp_rmem");
	assert_string_equal(p.netns, NS);
	assert_string_equal(p.current, "4096\t16384\t65536");
	assert_string_equal(p.proposed, "4096 16384 524288");
	assert_string_equal(p.finding, "tcp_rcvbuf_limited");
	assert_string_equal(p.metric, "tcp.rx_bytes_per_s");
	assert_false(p.lower_is_better);
	assert_false(p.needs_action);
	assert_dbl_near(p.metric_value, 800e6, 1);
	assert_non_null(strstr(p.evidence, "10.0.0.2:5001<-10.0.0.1:40000"));
	assert_non_null(strstr(p.evidence, "needs ~593536 B"));

	/* a small need: one configured step (x2) at least */
	fx->f.c.rcv_space = 20000;
	fx->f.rx_rate = 2e6;
	observe(fx, 1);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 131072");

	/* in between: the need itself, rounded up to 4 KiB */
	tfs_put(fx->root, NS_RMEM, "4096 16384 1048576\n");
	fx->f.c.rcvbuf = 1048576;
	fx->f.c.rcv_space = 0;
	fx->f.c.rtt_us = 1000;
	fx->f.rx_rate = 750e6; /* 750 KB in flight: x4 = 3000000 */
	observe(fx, 3);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 3002368");
	/* the receiver's own RTT when it is the longer one */
	fx->f.c.rcv_rtt_us = 2000;
	observe(fx, 1);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 6000640");
}

static void test_not_limited(void **state)
{
	struct fx *fx = *state;

	/* below 90 % of the max */
	fx->f.c.rcvbuf = 58000;
	observe(fx, 3);
	assert_int_equal(propose(fx, NULL), 0);
	/* at the max, but idle: below 1 MB/s */
	fx->f.c.rcvbuf = 65536;
	fx->f.rx_rate = 0.9e6;
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 0);
	/* above the max: SO_RCVBUF set by the application */
	fx->f.c.rcvbuf = 200000;
	fx->f.rx_rate = 800e6;
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 0);
	/* the first look has nothing to compare with */
	fx->f.c.rcvbuf = 65536;
	fx->t.fini(&fx->t);
	assert_int_equal(fx->t.init(&fx->t, &fx->ctx, fx->err, sizeof(fx->err)), 0);
	tcp_buffers_set_reader(&fx->t, fake_read, fx);
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 0);
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 1);
}

static void test_send_side(void **state)
{
	struct fx *fx = *state;
	struct proposal p;

	fx->f.c.rcvbuf = 1000;
	fx->f.rx_rate = 0;
	fx->f.c.sndbuf = 65536;
	fx->f.tx_rate = 500e6;
	fx->f.c.snd_cwnd = 100; /* 144800 B in flight > 500 MB/s x 84 us */
	fx->f.sndbuf_share = 0.05;
	observe(fx, 3);
	assert_int_equal(propose(fx, NULL), 0); /* rarely waiting for the buffer */
	fx->f.sndbuf_share = 0.5;
	observe(fx, 1);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.tunable, "net.ipv4.tcp_wmem");
	assert_string_equal(p.finding, "tcp_sndbuf_limited");
	assert_string_equal(p.metric, "tcp.tx_bytes_per_s");
	assert_string_equal(p.proposed, "4096 16384 524288"); /* 579200 -> x8 cap */
	assert_non_null(strstr(p.evidence, "50% of busy time"));
	assert_dbl_near(p.metric_value, 500e6, 1);
}

/* ---- the stop rule, through the real apply / verify / rollback ---- */

/* throughput rises with the max up to 1 MiB, then stays */
static double saturating(int64_t max)
{
	return 1500e6 * (max < MiB ? (double)max / MiB : 1.0);
}

/* one cycle: propose, apply, watch the verify window, keep or roll back */
static int cycle(struct fx *fx, enum verify_decision *verdict)
{
	struct proposal p;
	struct tune_target tgt;
	struct change_request rq;
	struct change_result res;
	int64_t id;
	double after;

	if (!propose(fx, &p))
		return 0;
	tgt = (struct tune_target){TUNE_SYSCTL, NS, NULL, p.tunable, 0, 0};
	rq = (struct change_request){.target = tgt, .value = p.proposed, .reason = p.evidence,
				     .finding = p.finding, .tuner = "tcp_buffers",
				     .metric = p.metric, .metric_before = p.metric_value,
				     .now = fx->ctx.now};
	if (change_apply(&fx->h, &fx->j, &fx->cfg, &rq, &id, fx->err, sizeof(fx->err)))
		fail_msg("apply: %s", fx->err);
	/* while it is verified, nothing more */
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 0);
	observe(fx, 3);
	after = fx->t.measure(&fx->t, &fx->ctx, &p);
	*verdict = verify_decide(p.metric_value, after, p.lower_is_better,
				 fx->cfg.min_improvement, fx->t.other_worse(&fx->t, &fx->ctx, &p));
	assert_int_equal(journal_set_effect(&fx->j, id, p.metric, p.metric_value, after, fx->err,
					    sizeof(fx->err)), 0);
	if (*verdict == VERIFY_KEEP)
		assert_int_equal(journal_update(&fx->j, id, JS_KEPT, NULL, fx->err,
						sizeof(fx->err)), 0);
	else if (change_rollback(&fx->h, &fx->j, id, &res, fx->err, sizeof(fx->err)))
		fail_msg("rollback: %s", fx->err);
	observe(fx, 1);
	return 1;
}

static void test_stop_rule(void **state)
{
	struct fx *fx = *state;
	enum verify_decision v[8];
	int n = 0;

	fx->f.follow_max = true;
	fx->f.model = saturating;
	fx->f.c.rtt_us = 100;
	observe(fx, 3);
	while (n < 8 && cycle(fx, &v[n]))
		n++;
	/* need 2 x max x 4: 64 KiB -> 512 KiB (x8) kept -> 4 MiB kept (1 MiB
	 * reached) -> 6 MiB (the host's own max, above rmem_max) no gain:
	 * rolled back, and frozen there */
	assert_int_equal(n, 3);
	assert_int_equal(v[0], VERIFY_KEEP);
	assert_int_equal(v[1], VERIFY_KEEP);
	assert_int_equal(v[2], VERIFY_ROLLBACK);
	assert_string_equal(tfs_get(fx->root, NS_RMEM), "4096 16384 4194304\n");
	assert_int_equal(fx->writes, 4); /* three changes, one rollback */
	assert_string_equal(fx->j.e[0].new, "4096 16384 524288");
	assert_string_equal(fx->j.e[1].new, "4096 16384 4194304");
	assert_string_equal(fx->j.e[2].new, "4096 16384 6291456");
	assert_string_equal(journal_state_name(fx->j.e[2].state), "rolled_back");
	/* before and after over whole intervals at each max */
	assert_dbl_near(fx->j.e[0].before, saturating(65536), 1);
	assert_dbl_near(fx->j.e[0].after, saturating(524288), 1);
	observe(fx, 10);
	assert_int_equal(propose(fx, NULL), 0);
	/* the host's own and the other tunable never moved */
	assert_string_equal(tfs_get(fx->root, "proc/sys/net/ipv4/tcp_rmem"),
			    "4096\t131072\t6291456\n");
	assert_string_equal(tfs_get(fx->root, NS_WMEM), "4096\t16384\t65536\n");
}

/* ---- memory ---- */

static void test_memory_backoff(void **state)
{
	struct fx *fx = *state;
	struct proposal p;

	observe(fx, 3);
	assert_int_equal(propose(fx, &p), 1);
	assert_false(fx->t.other_worse(&fx->t, &fx->ctx, &p));
	/* memory pressure appears after the change: roll back, propose nothing */
	tfs_put(fx->root, "proc/pressure/memory",
		"some avg10=12.50 avg60=3.00 avg300=1.00 total=99\n"
		"full avg10=1.00 avg60=0.00 avg300=0.00 total=9\n");
	observe(fx, 1);
	assert_true(fx->t.other_worse(&fx->t, &fx->ctx, &p));
	assert_int_equal(verify_decide(p.metric_value, 2 * p.metric_value, false, 0.05,
				       fx->t.other_worse(&fx->t, &fx->ctx, &p)), VERIFY_ROLLBACK);
	assert_int_equal(propose(fx, NULL), 0);
	/* below the threshold again */
	tfs_put(fx->root, "proc/pressure/memory", "some avg10=2.00 avg60=3.00 avg300=1.00 total=99\n");
	observe(fx, 1);
	assert_false(fx->t.other_worse(&fx->t, &fx->ctx, &p));
	assert_int_equal(propose(fx, NULL), 1);
	/* TCP memory near tcp_mem's pressure threshold (383876 pages) */
	tfs_put(fx->root, "proc/net/sockstat", "TCP: inuse 3 orphan 0 tw 0 alloc 4 mem 350000\n");
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 0);
	assert_true(fx->t.other_worse(&fx->t, &fx->ctx, &p));
	/* no PSI file, no sockstat: no signal, no back-off */
	tfs_put(fx->root, "proc/net/sockstat", "TCP: inuse 3 orphan 0 tw 0 alloc 4 mem 10\n");
	assert_int_equal(remove(strcat(strcpy(fx->err, fx->root), "/proc/pressure/memory")), 0);
	observe(fx, 1);
	assert_int_equal(propose(fx, NULL), 1);
}

/* ---- bounds and caps ---- */

static void test_bounds_and_caps(void **state)
{
	struct fx *fx = *state;
	struct tunable_conf *tc = &fx->cfg.t[tunable_index(tunable_find("net.ipv4.tcp_rmem"))];
	struct proposal p;

	/* the configured max */
	tc->max = 262144;
	observe(fx, 3);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 262144");
	tfs_put(fx->root, NS_RMEM, "4096 16384 262144\n");
	fx->f.c.rcvbuf = 262144;
	observe(fx, 3);
	assert_int_equal(propose(fx, NULL), 0); /* at its bound */
	tc->max = 64 * MiB;

	/* rmem_max (212992) does not hold it below the host's own max (6 MiB) */
	tfs_put(fx->root, NS_RMEM, "4096 16384 4194304\n");
	fx->f.c.rcvbuf = 4194304;
	fx->f.c.rcv_space = 4 * MiB;
	observe(fx, 3);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 6291456");
	/* ... but a larger rmem_max lets it go further */
	tfs_put(fx->root, "proc/sys/net/core/rmem_max", "16777216\n");
	observe(fx, 1);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 16777216");
	/* memory: MemTotal / 64 */
	tfs_put(fx->root, "proc/sys/net/core/rmem_max", "1073741824\n");
	tfs_put(fx->root, "proc/meminfo", "MemTotal:         393216 kB\n"); /* 384 MiB -> 6 MiB */
	observe(fx, 1);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 6291456");
	/* ... and at that cap: nothing */
	tfs_put(fx->root, NS_RMEM, "4096 16384 6291456\n");
	fx->f.c.rcvbuf = 6291456;
	observe(fx, 3);
	assert_int_equal(propose(fx, NULL), 0);
	/* a value beyond int64 never wraps: the need saturates at the caps */
	tfs_put(fx->root, "proc/meminfo", "MemTotal:       24683744 kB\n");
	fx->f.c.rcv_space = UINT32_MAX;
	fx->f.rx_rate = 1e15;
	fx->f.c.rtt_us = UINT32_MAX;
	observe(fx, 1);
	assert_int_equal(propose(fx, &p), 1);
	assert_string_equal(p.proposed, "4096 16384 50331648"); /* x8 */
}

static void test_not_allowed_and_errors(void **state)
{
	struct fx *fx = *state;

	observe(fx, 3);
	fx->cfg.allowed[tunable_index(tunable_find("net.ipv4.tcp_rmem"))] = false;
	assert_int_equal(propose(fx, NULL), 0);
	fx->cfg.allowed[tunable_index(tunable_find("net.ipv4.tcp_rmem"))] = true;
	assert_int_equal(propose(fx, NULL), 1);
	/* the namespace is gone */
	fx->reader_fails = true;
	fx->ctx.now += 1;
	assert_int_equal(fx->t.observe(&fx->t, &fx->ctx, fx->err, sizeof(fx->err)), -1);
	assert_string_equal(fx->err, "network namespace recv: No such file or directory");
	fx->reader_fails = false;
	tfs_rmroot(strcat(strcpy(fx->err, fx->root), "/var/run/netns/" NS));
	fx->ctx.now += 1;
	assert_int_equal(fx->t.observe(&fx->t, &fx->ctx, fx->err, sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "no sysctl net.ipv4.tcp_rmem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_step_from_need, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_allowed_and_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
