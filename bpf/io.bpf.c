// SPDX-License-Identifier: GPL-2.0
/*
 * Block IO collector: bytes, operations, device latency (issue to
 * completion) and queue time (submission to issue), per submitting process
 * and per disk.
 *
 * A request is attributed to the task that submitted it: block_io_start
 * fires in the submitter's context (6.5+); older kernels fall back to
 * block_rq_insert/issue, whichever sees the request first. Writeback issued
 * by kernel threads is attributed to those threads, which user space marks.
 *
 * A completion adds to counters that only its CPU writes where it can (the
 * process's slot in io_slots, the disk's in dev_pcpu: no hash lookup, no
 * atomic), and to the shared hashes otherwise; readers add them up.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define REQ_OP_MASK 0xff
enum { PP_REQ_READ = 0, PP_REQ_WRITE = 1 };

/* Per process (tgid): made when a process first takes a slot or adds here
 * because another process holds its slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PROCS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_io_stats);
} io_stats SEC(".maps");

/* Per CPU: the processes that hold a slot here (struct pp_io_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_IO_SLOTS);
	__type(key, __u32);
	__type(value, struct pp_io_slot);
} io_slots SEC(".maps");

/* Disks whose slot another disk holds (or requests without a disk). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct pp_dev_stats);
} dev_stats SEC(".maps");

/* The disks with a slot (struct pp_dev_slot), and their counters per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_DEV_SLOTS);
	__type(key, __u32);
	__type(value, struct pp_dev_slot);
} dev_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_DEV_SLOTS);
	__type(key, __u32);
	__type(value, struct pp_dev_stats);
} dev_pcpu SEC(".maps");

/*
 * Requests in flight, keyed by their address: a direct-mapped table (an
 * array lookup, which the verifier inlines: no hash, no lock, no allocation
 * per request), and a hash for the rare request whose slot another request
 * in flight holds.
 */
#define RQ_SLOTS_BITS 12
#define RQ_SLOTS (1u << RQ_SLOTS_BITS)

/* One cache line each: the array's elements start on a page (mmapable), so
 * a slot never spans two lines and two requests in flight never share one
 * (their start and completion often run on different CPUs). */
struct rq_slot {
	__u64 key; /* the request's address, 0 when free */
	struct pp_rq r;
	__u64 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RQ_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct rq_slot);
} rq_slots SEC(".maps");

_Static_assert(sizeof(struct rq_slot) == 64, "a request's slot is one cache line");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pp_rq);
} requests SEC(".maps");

/* One word per CPU, to turn a request's address into a number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rq_addr SEC(".maps");

/* v as a number the verifier does not follow (opaque_via) */
static __always_inline __u64 opaque(__u64 v)
{
	return opaque_via(&rq_addr, v);
}

/* The request's address as a number. */
static __always_inline __u64 rq_key(const struct request *rq)
{
	return opaque((__u64)rq);
}

/* The request's slot: requests are carved from a tag set's pages. */
static __always_inline struct rq_slot *rq_slot_of(__u64 key)
{
	__u32 idx = addr_slot_of(key, RQ_SLOTS_BITS);

	return bpf_map_lookup_elem(&rq_slots, &idx);
}

/* The tracked request's entry, in its slot or in the overflow hash. */
static __always_inline struct pp_rq *rq_find(__u64 key)
{
	struct rq_slot *s = rq_slot_of(key);

	if (s && s->key == key)
		return &s->r;
	return bpf_map_lookup_elem(&requests, &key);
}

/* Before 5.16 struct request pointed at its gendisk directly. */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline __u32 rq_dev(struct request *rq, bool direct)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(((struct request___old *)rq)->rq_disk))
		disk = BPF_CORE_READ((struct request___old *)rq, rq_disk);
	else if (direct)
		disk = rq->q ? rq->q->disk : NULL;
	else
		disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return PP_DEV_MKDEV(TREAD(direct, disk, major), TREAD(direct, disk, first_minor));
}

/* A disk's entry in the dev_stats hash (one without a slot of its own). */
static __always_inline struct pp_dev_stats *dev_entry(__u32 dev)
{
	static const struct pp_dev_stats zero;
	struct pp_dev_stats *d = lookup_or_init(&dev_stats, &dev, &zero);

	if (!d)
		count_event(PP_CNT_IO_DROPPED);
	return d;
}

/* The disk's slot (its index in *idx), claimed if free; NULL when another
 * disk holds it, or for dev 0. */
static __always_inline struct pp_dev_slot *dev_slot(__u32 dev, __u32 *idx)
{
	struct pp_dev_slot *s;
	__u64 held;

	*idx = pp_slot_of(dev, PP_DEV_SLOTS_BITS);
	s = bpf_map_lookup_elem(&dev_slots, idx);
	if (!s || !dev)
		return NULL;
	held = s->dev;
	if (!held) /* 0 back: claimed here; else the disk that claimed it first */
		held = __sync_val_compare_and_swap(&s->dev, 0, (__u64)dev) ?: dev;
	return held == dev ? s : NULL;
}

/*
 * A request whose completion was never seen here, found when its address
 * starts another request. Now and then the kernel completes a request
 * without running the BPF programs on block_rq_complete (nor on
 * block_io_done), every BPF user's at once, while tracefs records both
 * (docs/benchmarks.md, "The churn check's shortfall"). An issued one moved
 * its data: its bytes go to its submitter now, if still reported (else
 * they count as dropped), and its disk no longer counts it in flight. One
 * never issued was merged into another request, whose bytes hold it.
 */
static __always_inline void rq_lost(const struct pp_rq *old)
{
	struct pp_io_stats *io;
	struct pp_dev_slot *ds;
	struct pp_dev_stats *d;
	__u32 idx;

	if (!old->issue_ts)
		return;
	ds = dev_slot(old->dev, &idx);
	if (ds) {
		__sync_fetch_and_add(&ds->inflight, -1);
	} else {
		d = dev_entry(old->dev);
		if (d)
			__sync_fetch_and_add(&d->inflight, -1);
	}
	if (!old->tgid || (old->op != PP_REQ_READ && old->op != PP_REQ_WRITE))
		return;
	io = bpf_map_lookup_elem(&io_stats, &old->tgid);
	if (!io || io->start_ns != old->pstart) {
		count_event(PP_CNT_IO_DROPPED);
		return;
	}
	if (old->op == PP_REQ_WRITE) {
		__sync_fetch_and_add(&io->write_bytes, old->bytes);
		__sync_fetch_and_add(&io->write_ops, 1);
	} else {
		__sync_fetch_and_add(&io->read_bytes, old->bytes);
		__sync_fetch_and_add(&io->read_ops, 1);
	}
}

/*
 * Remember a request the first time it is seen, with its submitter. `fresh`:
 * block_io_start, which fires once per request, when it is created: an entry
 * left under its address (a request whose completion was never seen) is
 * stale and replaced. Otherwise (insert, or issue without a start) a request
 * already tracked keeps its entry (a requeued one is inserted again).
 */
static __always_inline int on_start(struct request *rq, bool direct, bool fresh)
{
	__u64 key = rq_key(rq);
	struct rq_slot *s = rq_slot_of(key);
	struct pp_rq r = {};
	__u32 tgid;

	if (!s || !key)
		return 0;
	if (!fresh && (s->key == key || bpf_map_lookup_elem(&requests, &key)))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid) {
		struct task_struct *t = direct ? bpf_get_current_task_btf() : (void *)bpf_get_current_task();

		if (task_selected(t, tgid)) {
			r.tgid = tgid;
			if (direct)
				r.pstart = t->group_leader ? t->group_leader->start_time : 0;
			else
				r.pstart = BPF_CORE_READ(t, group_leader, start_time);
		}
	}
	r.start_ts = bpf_ktime_get_ns();
	r.dev = rq_dev(rq, direct);
	r.bytes = TREAD(direct, rq, __data_len);
	r.op = TREAD(direct, rq, cmd_flags) & REQ_OP_MASK;
	if (s->key == 0 || s->key == key) {
		if (s->key == key) /* fresh: its completion was missed */
			rq_lost(&s->r);
		s->r = r;
		s->key = key;
		return 0;
	}
	/* the slot holds another request in flight */
	if (fresh) {
		struct pp_rq *old = bpf_map_lookup_elem(&requests, &key);

		if (old)
			rq_lost(old);
	}
	if (bpf_map_update_elem(&requests, &key, &r, fresh ? BPF_ANY : BPF_NOEXIST) == -7 /* E2BIG */)
		count_event(PP_CNT_IO_DROPPED);
	return 0;
}

static __always_inline void inflight_inc(__s64 *inflight, __s64 *inflight_max)
{
	__s64 now = __sync_fetch_and_add(inflight, 1) + 1;

	if (now > *inflight_max)
		*inflight_max = now;
}

static __always_inline int on_issue(struct request *rq)
{
	__u64 key = rq_key(rq);
	struct pp_dev_stats *d;
	struct pp_dev_slot *ds;
	struct pp_rq *r;
	__u32 idx;

	if (!key)
		return 0;
	r = rq_find(key);
	if (!r) {
		on_start(rq, false, false); /* no block_io_start on this kernel, or attached late */
		r = rq_find(key);
	}
	if (!r || r->issue_ts)
		return 0; /* untracked, or issued again after a requeue */
	r->issue_ts = bpf_ktime_get_ns();
	ds = dev_slot(r->dev, &idx);
	if (ds) {
		inflight_inc(&ds->inflight, &ds->inflight_max);
		return 0;
	}
	d = dev_entry(r->dev);
	if (d)
		inflight_inc(&d->inflight, &d->inflight_max);
	return 0;
}

/* One completion into a set of counters: with atomics where other CPUs add
 * too (the hashes), plain adds in this CPU's own slot. */
#define ADD(atomic, p, v)                            \
	do {                                         \
		if (atomic)                          \
			__sync_fetch_and_add(p, v);  \
		else                                 \
			*(p) += (v);                 \
	} while (0)

/* A completion's figures: bytes, device time and queue time (ns), and the
 * histogram slots of the two times. */
struct done {
	__u64 bytes, lat, queue;
	__u32 ls, qs;
	bool write;
};

static __always_inline void account(__u64 *bytes, __u64 *ops, __u32 *lat_hist, __u32 *queue_hist,
				    __u64 *lat_max, const struct done *c, bool atomic)
{
	ADD(atomic, bytes, c->bytes);
	ADD(atomic, ops, 1);
	ADD(atomic, &lat_hist[c->ls & (PP_HIST_SLOTS - 1)], 1);
	ADD(atomic, &queue_hist[c->qs & (PP_HIST_SLOTS - 1)], 1);
	if (c->lat > *lat_max)
		*lat_max = c->lat;
}

static __always_inline void account_proc(struct pp_io_stats *io, const struct done *c, bool atomic)
{
	account(c->write ? &io->write_bytes : &io->read_bytes, c->write ? &io->write_ops : &io->read_ops,
		io->lat_hist, io->queue_hist, &io->lat_max_ns, c, atomic);
	if (c->queue > io->queue_max_ns)
		io->queue_max_ns = c->queue;
}

/* The process's io_stats entry, made with its start when missing. */
static __always_inline struct pp_io_stats *io_entry(__u32 tgid, __u64 pstart)
{
	static const struct pp_io_stats zero;
	struct pp_io_stats *io = lookup_or_init(&io_stats, &tgid, &zero);

	if (!io) {
		count_event(PP_CNT_IO_DROPPED);
		return NULL;
	}
	if (!io->start_ns)
		io->start_ns = pstart;
	return io;
}

/*
 * Take this CPU's slot s for the process (tgid, pstart): when it is free or
 * its holder's io_stats entry is gone (user space reported its exit and
 * removed it: what the slot still holds was in those reports). The process
 * gets its io_stats entry first, so that readers find it and add the slot.
 */
static __always_inline bool io_slot_take(struct pp_io_slot *s, __u32 tgid, __u64 pstart)
{
	if (s->tgid) {
		struct pp_io_stats *held = bpf_map_lookup_elem(&io_stats, &s->tgid);

		if (held && held->start_ns == s->st.start_ns)
			return false; /* its holder is still reported */
	}
	if (!io_entry(tgid, pstart))
		return false;
	__builtin_memset(&s->st, 0, sizeof(s->st));
	s->st.start_ns = pstart;
	s->tgid = tgid;
	return true;
}

/* A completed request of the process (tgid, pstart): into its slot on this
 * CPU when it holds it or can take it, else into its io_stats entry. */
static __always_inline void proc_complete(__u32 tgid, __u64 pstart, const struct done *c)
{
	__u32 idx = pp_slot_of(tgid, PP_IO_SLOTS_BITS);
	struct pp_io_slot *s = bpf_map_lookup_elem(&io_slots, &idx);
	struct pp_io_stats *io;

	if (!s)
		return;
	if ((s->tgid == tgid && s->st.start_ns == pstart) || io_slot_take(s, tgid, pstart)) {
		account_proc(&s->st, c, false);
		return;
	}
	io = io_entry(tgid, pstart);
	if (io)
		account_proc(io, c, true);
}

static __always_inline int on_complete(struct request *rq, unsigned int nr_bytes, bool direct)
{
	__u64 key = rq_key(rq), now = bpf_ktime_get_ns(), lat, queue, pstart, slots;
	struct rq_slot *s = rq_slot_of(key);
	struct pp_dev_stats *d = NULL;
	struct pp_dev_slot *ds = NULL;
	struct done c;
	struct pp_rq *r;
	__u32 op, tgid, dev, idx;

	if (!s || !key)
		return 0;
	r = s->key == key ? &s->r : bpf_map_lookup_elem(&requests, &key);
	if (!r)
		return 0; /* started before perfpilot attached */
	op = TREAD(direct, rq, cmd_flags) & REQ_OP_MASK;
	tgid = r->tgid;
	pstart = r->pstart;
	dev = r->dev;
	lat = r->issue_ts ? now - r->issue_ts : 0;
	queue = r->issue_ts ? r->issue_ts - r->start_ts : now - r->start_ts;
	if (r->issue_ts) { /* only issued requests are the disk's */
		ds = dev_slot(dev, &idx);
		if (ds) {
			__sync_fetch_and_add(&ds->inflight, -1);
			d = bpf_map_lookup_elem(&dev_pcpu, &idx);
		} else {
			d = dev_entry(dev);
			if (d)
				__sync_fetch_and_add(&d->inflight, -1);
		}
	}
	if (s->key == key)
		s->key = 0; /* frees the slot */
	else
		bpf_map_delete_elem(&requests, &key);
	if (op != PP_REQ_READ && op != PP_REQ_WRITE)
		return 0; /* flush, discard, ...: no data moved */
	c.write = op == PP_REQ_WRITE;
	c.bytes = nr_bytes;
	c.lat = lat;
	c.queue = queue;
	slots = opaque(hist_slot_ns(lat) | hist_slot_ns(queue) << 8);
	c.ls = slots & 0xff;
	c.qs = slots >> 8 & 0xff;
	if (d)
		account(c.write ? &d->write_bytes : &d->read_bytes, c.write ? &d->write_ops : &d->read_ops,
			d->lat_hist, d->queue_hist, &d->lat_max_ns, &c, !ds);
	if (tgid)
		proc_complete(tgid, pstart, &c);
	return 0;
}

/* Set by the loader: block_rq_insert/issue(rq) since 5.11, (q, rq) before. */
const volatile bool rq_tp_has_queue = false;

static __always_inline struct request *rq_arg(__u64 *ctx)
{
	return (struct request *)(rq_tp_has_queue ? ctx[1] : ctx[0]);
}

SEC("tp_btf/block_io_start")
int BPF_PROG(io_start_btf, struct request *rq)
{
	return on_start(rq, true, true);
}

SEC("raw_tp/block_io_start")
int BPF_PROG(io_start_raw, struct request *rq)
{
	return on_start(rq, false, true);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(rq_insert_btf)
{
	return on_start(rq_arg(ctx), false, false);
}

SEC("raw_tp/block_rq_insert")
int BPF_PROG(rq_insert_raw)
{
	return on_start(rq_arg(ctx), false, false);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(rq_issue_btf)
{
	return on_issue(rq_arg(ctx));
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(rq_issue_raw)
{
	return on_issue(rq_arg(ctx));
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(rq_complete_btf, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, nr_bytes, true);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(rq_complete_raw, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, nr_bytes, false);
}
