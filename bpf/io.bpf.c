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
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define REQ_OP_MASK 0xff
enum { PP_REQ_READ = 0, PP_REQ_WRITE = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PROCS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_io_stats);
} io_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct pp_dev_stats);
} dev_stats SEC(".maps");

/*
 * Requests in flight, keyed by their address: a direct-mapped table (an
 * array lookup, which the verifier inlines: no hash, no lock, no allocation
 * per request), and a hash for the rare request whose slot another request
 * in flight holds.
 */
#define RQ_SLOTS 4096 /* a power of two */

struct rq_slot {
	__u64 key; /* the request's address, 0 when free */
	struct pp_rq r;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RQ_SLOTS);
	__type(key, __u32);
	__type(value, struct rq_slot);
} rq_slots SEC(".maps");

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

/*
 * The request's address as a number. A BTF-typed pointer allows no
 * arithmetic, and the verifier keeps its type on the stack; what is loaded
 * from a map value is a number (loaders with CAP_PERFMON may store pointers
 * there). 0 if the scratch word is missing.
 */
static __always_inline __u64 rq_key(const struct request *rq)
{
	__u32 zero = 0;
	__u64 *w = bpf_map_lookup_elem(&rq_addr, &zero);

	if (!w)
		return 0;
	*w = (__u64)rq;
	return *(volatile __u64 *)w;
}

/* The request's slot: requests are carved from a tag set's pages, so the
 * address bits above the cache line are mixed (Fibonacci hashing). */
static __always_inline struct rq_slot *rq_slot_of(__u64 key)
{
	__u32 idx = ((__u32)(key >> 6) * 2654435761u) >> 20;

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
	/* the task itself only when the filter needs it */
	if (tgid && (filter_mode == PP_FILTER_ALL || task_selected((void *)bpf_get_current_task(), tgid)))
		r.tgid = tgid;
	r.start_ts = bpf_ktime_get_ns();
	r.dev = rq_dev(rq, direct);
	if (s->key == 0 || s->key == key) {
		s->r = r;
		s->key = key;
		return 0;
	}
	/* the slot holds another request in flight */
	if (bpf_map_update_elem(&requests, &key, &r, fresh ? BPF_ANY : BPF_NOEXIST) == -7 /* E2BIG */)
		count_event(PP_CNT_IO_DROPPED);
	return 0;
}

static __always_inline struct pp_dev_stats *dev_entry(__u32 dev)
{
	static const struct pp_dev_stats zero;
	struct pp_dev_stats *d = lookup_or_init(&dev_stats, &dev, &zero);

	if (!d)
		count_event(PP_CNT_IO_DROPPED);
	return d;
}

static __always_inline int on_issue(struct request *rq)
{
	__u64 key = rq_key(rq);
	struct pp_dev_stats *d;
	struct pp_rq *r;
	__s64 now;

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
	d = dev_entry(r->dev);
	if (d) {
		now = __sync_fetch_and_add(&d->inflight, 1) + 1;
		if (now > d->inflight_max)
			d->inflight_max = now;
	}
	return 0;
}

static __always_inline void account(__u64 *bytes, __u64 *ops, __u32 *lat_hist, __u32 *queue_hist,
				    __u64 *lat_max, __u64 nbytes, __u64 lat, __u64 queue)
{
	__u32 ls = hist_slot_ns(lat), qs = hist_slot_ns(queue);

	__sync_fetch_and_add(bytes, nbytes);
	__sync_fetch_and_add(ops, 1);
	if (ls < PP_HIST_SLOTS)
		__sync_fetch_and_add(&lat_hist[ls], 1);
	if (qs < PP_HIST_SLOTS)
		__sync_fetch_and_add(&queue_hist[qs], 1);
	if (lat > *lat_max)
		*lat_max = lat;
}

static __always_inline int on_complete(struct request *rq, unsigned int nr_bytes, bool direct)
{
	__u64 key = rq_key(rq), now = bpf_ktime_get_ns(), lat, queue;
	struct pp_io_stats *io = NULL;
	struct rq_slot *s = rq_slot_of(key);
	struct pp_dev_stats *d;
	struct pp_rq *r;
	__u32 op, tgid;
	bool write;

	if (!s || !key)
		return 0;
	r = s->key == key ? &s->r : bpf_map_lookup_elem(&requests, &key);
	if (!r)
		return 0; /* started before perfpilot attached */
	op = TREAD(direct, rq, cmd_flags) & REQ_OP_MASK;
	tgid = r->tgid;
	lat = r->issue_ts ? now - r->issue_ts : 0;
	queue = r->issue_ts ? r->issue_ts - r->start_ts : now - r->start_ts;
	d = r->issue_ts ? dev_entry(r->dev) : NULL;
	if (d)
		__sync_fetch_and_add(&d->inflight, -1);
	if (s->key == key)
		s->key = 0; /* frees the slot */
	else
		bpf_map_delete_elem(&requests, &key);
	if (op != PP_REQ_READ && op != PP_REQ_WRITE)
		return 0; /* flush, discard, ...: no data moved */
	write = op == PP_REQ_WRITE;
	if (d)
		account(write ? &d->write_bytes : &d->read_bytes, write ? &d->write_ops : &d->read_ops,
			d->lat_hist, d->queue_hist, &d->lat_max_ns, nr_bytes, lat, queue);
	if (tgid) {
		static const struct pp_io_stats zero;

		io = lookup_or_init(&io_stats, &tgid, &zero);
		if (!io)
			count_event(PP_CNT_IO_DROPPED);
	}
	if (io) {
		account(write ? &io->write_bytes : &io->read_bytes, write ? &io->write_ops : &io->read_ops,
			io->lat_hist, io->queue_hist, &io->lat_max_ns, nr_bytes, lat, queue);
		if (queue > io->queue_max_ns)
			io->queue_max_ns = queue;
	}
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
