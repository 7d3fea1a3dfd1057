// SPDX-License-Identifier: GPL-2.0
/*
 * TCP collector: bytes, retransmits, resets, connects, accepts and smoothed
 * RTT per owning process, and a bounded table of connections.
 *
 * Bytes and the smoothed RTT are read in process context
 * (sock_send_length/sock_recv_length), where the owner is the current task.
 * They are the hottest programs here (one run per send or receive call), so
 * they touch only the connection's entry: its byte counts reach the owner's
 * per-process entry when the connection closes or changes owner (a flush),
 * and user space adds what is not flushed yet at each read.
 * Retransmits and state changes mostly happen in softirq context: they are
 * attributed through the connection table, whose owner is the process that
 * connected, listened (for accepted connections) or last moved data on the
 * socket.
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>

/* tcp_retransmit_skb(sk, skb, err): set from BTF at start-up */
const volatile bool retransmit_has_err = false;

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define MSG_PEEK 2

enum {
	ST_ESTABLISHED = 1, ST_SYN_SENT = 2, ST_SYN_RECV = 3, ST_CLOSE = 7, ST_LISTEN = 10,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PROCS_DEFAULT);
	__type(key, __u32);
	__type(value, struct pp_net_stats);
} net_stats SEC(".maps");

/* Live connections (struct pp_sock_slot): a slot each, or the hash below
 * when another connection holds the slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_SOCK_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE); /* elements from a page boundary on */
	__type(key, __u32);
	__type(value, struct pp_sock_slot);
} sock_slots SEC(".maps");

_Static_assert(sizeof(struct pp_sock_slot) % 64 == 0, "a connection's slot is whole cache lines");
_Static_assert(__builtin_offsetof(struct pp_sock_slot, s.rtt_tick) + 4 <= 64,
	       "what a send or receive touches is in the slot's first cache line");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pp_sock);
} socks SEC(".maps");

/* One word per CPU, to turn a socket's address into a number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sk_addr SEC(".maps");

/* Connections closed since user space last read them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pp_closed_key);
	__type(value, struct pp_sock);
} closed_socks SEC(".maps");

/*
 * [0]: set when closed_socks was found full; user space clears it once it
 * has read and emptied the table. Until then a close is counted as dropped
 * without trying: under connection churn (or with nothing reading the
 * connections) the table stays full, and a failed update cost more than
 * the rest of the close. A map of its own: user space cannot write .bss
 * on kernels that cannot map it (before 5.5).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} closed_full SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pp_listen_key);
	__type(value, struct pp_listener);
} listeners SEC(".maps");

static __always_inline struct pp_net_stats *net_of(__u32 tgid)
{
	static const struct pp_net_stats zero;
	struct pp_net_stats *n;

	if (!tgid)
		return NULL;
	n = lookup_or_init(&net_stats, &tgid, &zero);
	if (!n)
		count_event(PP_CNT_NET_DROPPED);
	return n;
}

static __always_inline bool is_tcp(struct sock *sk, bool direct)
{
	__u16 family = TREAD(direct, sk, __sk_common.skc_family);

	return (family == AF_INET || family == AF_INET6) && TREAD(direct, sk, sk_protocol) == IPPROTO_TCP;
}

static __always_inline __u32 sk_netns(struct sock *sk, bool direct)
{
	if (direct) {
		struct net *net = sk->__sk_common.skc_net.net;

		return net ? net->ns.inum : 0;
	}
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* Addresses and ports: complete once the connection is established (the
 * addresses through the helper: they are read once per connection). */
static __always_inline void sock_endpoints(struct sock *sk, struct pp_sock *s, bool direct)
{
	s->family = TREAD(direct, sk, __sk_common.skc_family);
	s->sport = TREAD(direct, sk, __sk_common.skc_num);
	s->dport = bpf_ntohs(TREAD(direct, sk, __sk_common.skc_dport));
	if (s->family == AF_INET) {
		bpf_core_read(s->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(s->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(s->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(s->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/* Name the owner: the current task when it is the owner, else blank. The
 * owner's per-process entry exists from here on, for the flushes. */
static __always_inline void sock_owner(struct pp_sock *s, __u32 owner)
{
	s->tgid = owner;
	if (owner == bpf_get_current_pid_tgid() >> 32) {
		bpf_get_current_comm(s->comm, sizeof(s->comm));
		s->named = 1;
	} else {
		s->named = 0;
	}
	net_of(owner);
}

/*
 * The connection's bytes not yet flushed go to its owner's entry (looked
 * up, not created: an owner whose entry user space removed has exited and
 * been reported, with these bytes in its last read). The marks move first:
 * user space reads the per-process entries before the connections, so a
 * flush between its two reads is missed once and seen at the next read,
 * never counted twice.
 */
static __always_inline struct pp_net_stats *sock_flush(struct pp_sock *s)
{
	__u64 tx = s->tx_bytes - s->tx_flushed, rx = s->rx_bytes - s->rx_flushed;
	struct pp_net_stats *n;
	__u32 owner = s->tgid;

	if (!owner)
		return NULL;
	s->tx_flushed += tx;
	s->rx_flushed += rx;
	n = bpf_map_lookup_elem(&net_stats, &owner);
	if (n && tx)
		__sync_fetch_and_add(&n->tx_bytes, tx);
	if (n && rx)
		__sync_fetch_and_add(&n->rx_bytes, rx);
	return n;
}

/* The socket's address as a number (opaque_via); 0 if it cannot be had. */
static __always_inline __u64 sk_key(struct sock *sk)
{
	return opaque_via(&sk_addr, (__u64)sk);
}

static __always_inline struct pp_sock_slot *slot_of(__u64 key)
{
	__u32 idx = addr_slot_of(key, PP_SOCK_SLOTS_BITS);

	return bpf_map_lookup_elem(&sock_slots, &idx);
}

/* The live connection of the socket at `key`, in its slot or the hash. */
static __always_inline struct pp_sock *sock_find(__u64 key)
{
	struct pp_sock_slot *x = slot_of(key);

	if (x && x->sk == key)
		return &x->s;
	return bpf_map_lookup_elem(&socks, &key);
}

/* The connection out of the live table (its copy is in closed_socks). */
static __always_inline void sock_forget(__u64 key)
{
	struct pp_sock_slot *x = slot_of(key);

	if (x && x->sk == key)
		x->sk = 0;
	else
		bpf_map_delete_elem(&socks, &key);
}

/* A new connection's entry for the socket at `key`, owned by `owner` (0:
 * unknown yet): in its slot when free, else in the hash. */
static __always_inline struct pp_sock *sock_create(struct sock *sk, __u64 key, __u32 owner,
						 bool direct)
{
	struct pp_sock *s, init = {};
	struct pp_sock_slot *x;

	sock_owner(&init, owner);
	init.netns = sk_netns(sk, direct);
	sock_endpoints(sk, &init, direct);
	init.start_ns = bpf_ktime_get_ns();
	x = slot_of(key);
	if (x && !x->sk) {
		__u64 held = __sync_val_compare_and_swap(&x->sk, 0, key);

		if (!held) {
			x->s = init; /* claimed here */
			return &x->s;
		}
		if (held == key) /* by the same connection on another CPU */
			return &x->s;
	}
	bpf_map_update_elem(&socks, &key, &init, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&socks, &key);
	if (!s)
		count_event(PP_CNT_NET_DROPPED);
	return s;
}

/* The connection's entry, created with `owner` (0: unknown yet). */
static __always_inline struct pp_sock *sock_entry(struct sock *sk, __u32 owner, bool create,
						bool direct)
{
	__u64 key = sk_key(sk);
	struct pp_sock *s;

	if (!key)
		return NULL;
	s = sock_find(key);
	if (s || !create)
		return s;
	return sock_create(sk, key, owner, direct);
}

/*
 * The smoothed RTT moves only when an ACK acknowledges data this end sent,
 * so it is read when the connection is established (the handshake's RTT)
 * and at the first send of each clock tick (jiffy: 1-10 ms) on the
 * connection, where the process moves data: a sample enters the histogram
 * when the connection's srtt changed since the last one, so the histogram
 * weights each connection by how often its RTT moved between those sends;
 * the latest srtt per connection and the maximum are those seen then (a
 * change between two reads, or after the last, is not seen). Reading it at
 * every send cost a bulk sender ~30 ns a send (the helper and the
 * tcp_sock's line); a tick's read costs a load of jiffies and a compare.
 * tcp_probe, which fires for every segment received, in softirq context
 * and often on another CPU, cost more than both length programs together
 * under a bulk transfer.
 */
static __always_inline void rtt_sample(struct sock *sk, struct pp_sock *s, struct pp_net_stats *n,
				       bool direct)
{
	struct tcp_sock *tp;
	__u32 srtt, slot;

	/* a BTF sock pointer becomes a tcp_sock one only through the helper */
	tp = direct ? bpf_skc_to_tcp_sock(sk) : (void *)sk;
	if (!tp)
		return;
	srtt = TREAD(direct, tp, srtt_us) >> 3;
	if (!srtt || srtt == s->srtt_us)
		return; /* no sample yet, or the smoothed RTT did not move */
	s->srtt_us = srtt;
	if (!n) /* the owner's entry, looked up only for a sample */
		n = s->tgid ? bpf_map_lookup_elem(&net_stats, &s->tgid) : NULL;
	if (!n)
		return;
	slot = hist_slot_ns((__u64)srtt * 1000);
	if (slot < PP_HIST_SLOTS)
		__sync_fetch_and_add(&n->rtt_hist[slot], 1);
	if (srtt > n->rtt_max_us)
		n->rtt_max_us = srtt;
}

/* Data moved in process context: the current task owns the bytes. */
static __always_inline int on_length(struct sock *sk, int ret, int flags, bool tx, bool direct)
{
	struct pp_sock_slot *x;
	struct pp_net_stats *n;
	struct pp_sock *s;
	__u32 tgid;
	__u64 key;

	if (ret <= 0 || (!tx && (flags & MSG_PEEK)) || !sk)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	/* the task itself only when the filter needs it */
	if (filter_mode != PP_FILTER_ALL && !task_selected((void *)bpf_get_current_task(), tgid))
		return 0;
	key = sk_key(sk);
	if (!key)
		return 0;
	/*
	 * A connection in its slot is TCP (it was checked when the entry was
	 * made): the socket's own fields are read only for the others. A send
	 * on a UDP or unix socket costs the slot's compare before them.
	 */
	x = slot_of(key);
	if (x && x->sk == key) {
		s = &x->s;
	} else {
		if (!is_tcp(sk, direct))
			return 0;
		s = bpf_map_lookup_elem(&socks, &key);
		if (!s)
			s = sock_create(sk, key, tgid, direct);
	}
	if (!s) { /* the connection table is full: straight to the process */
		n = net_of(tgid);
		if (n)
			__sync_fetch_and_add(tx ? &n->tx_bytes : &n->rx_bytes, ret);
		return 0;
	}
	if (s->tgid != tgid) { /* handed to another process */
		sock_flush(s);
		sock_owner(s, tgid);
	} else if (!s->named) { /* accepted: owned by the listener, named now */
		sock_owner(s, tgid);
	}
	__sync_fetch_and_add(tx ? &s->tx_bytes : &s->rx_bytes, ret);
	if (tx) {
		__u32 tick = (__u32)bpf_jiffies64();

		if (tick != s->rtt_tick) { /* the first send of this tick */
			s->rtt_tick = tick;
			rtt_sample(sk, s, NULL, direct);
		}
	}
	return 0;
}

/*
 * The owner of a connection, for events outside process context. Its entry
 * is looked up, not created: it was made when the process took the
 * connection, and is gone only if the process exited and user space
 * reported it and removed it (an entry made again for it now would come
 * back as a new process).
 */
static __always_inline struct pp_net_stats *owner_net(struct sock *sk, struct pp_sock **sp)
{
	__u64 key = sk_key(sk);
	struct pp_sock *s = key ? sock_find(key) : NULL;

	*sp = s;
	if (!s || !s->tgid) {
		count_event(PP_CNT_NET_UNATTRIBUTED);
		return NULL;
	}
	return bpf_map_lookup_elem(&net_stats, &s->tgid);
}

static __always_inline int on_retransmit(struct sock *sk)
{
	struct pp_net_stats *n;
	struct pp_sock *s;

	if (!sk)
		return 0;
	n = owner_net(sk, &s);
	if (s)
		__sync_fetch_and_add(&s->retrans, 1);
	if (n)
		__sync_fetch_and_add(&n->retrans, 1);
	return 0;
}

static __always_inline int on_reset(struct sock *sk)
{
	struct pp_net_stats *n;
	struct pp_sock *s;

	if (!sk)
		return 0;
	n = owner_net(sk, &s);
	if (n)
		__sync_fetch_and_add(&n->resets, 1);
	return 0;
}

/*
 * A connection's state changes some ten times in its life, both ends
 * counted; only these matter here: listen() (LISTEN, and its CLOSE),
 * connect() (SYN_SENT), the handshake's end (ESTABLISHED) and the end
 * (CLOSE). The others (FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING, ...)
 * leave before anything is read.
 */
static __always_inline int on_state(struct sock *sk, int oldstate, int newstate, bool direct)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct pp_listen_key lk = {};
	struct pp_listener *owner, l = {};
	struct pp_net_stats *n;
	struct task_struct *t;
	struct pp_sock *s;

	if (newstate != ST_LISTEN && newstate != ST_SYN_SENT && newstate != ST_ESTABLISHED &&
	    newstate != ST_CLOSE)
		return 0;
	if (!sk || !is_tcp(sk, direct))
		return 0;
	t = (void *)bpf_get_current_task();

	if (newstate == ST_LISTEN || oldstate == ST_LISTEN ||
	    (newstate == ST_ESTABLISHED && oldstate == ST_SYN_RECV)) {
		lk.netns = sk_netns(sk, direct);
		lk.port = TREAD(direct, sk, __sk_common.skc_num);
	}
	if (newstate == ST_LISTEN) { /* listen(): process context, backlog already set */
		if (!task_selected(t, tgid))
			return 0;
		l.tgid = tgid;
		l.backlog = TREAD(direct, sk, sk_max_ack_backlog);
		if (bpf_map_update_elem(&listeners, &lk, &l, BPF_ANY))
			count_event(PP_CNT_NET_DROPPED);
		return 0;
	}
	if (oldstate == ST_LISTEN && newstate == ST_CLOSE) {
		bpf_map_delete_elem(&listeners, &lk);
		return 0;
	}
	if (newstate == ST_SYN_SENT) { /* connect(): process context */
		if (task_selected(t, tgid))
			sock_entry(sk, tgid, true, direct);
		return 0;
	}
	if (newstate == ST_ESTABLISHED) {
		if (oldstate == ST_SYN_SENT) {
			n = owner_net(sk, &s);
			if (s) {
				sock_endpoints(sk, s, direct); /* the source port is known now */
				rtt_sample(sk, s, n, direct);
			}
			if (n)
				__sync_fetch_and_add(&n->connects, 1);
		} else if (oldstate == ST_SYN_RECV) {
			owner = bpf_map_lookup_elem(&listeners, &lk);
			if (!owner)
				return 0; /* not a listener of a watched process */
			s = sock_entry(sk, owner->tgid, true, direct);
			n = net_of(owner->tgid);
			if (s)
				rtt_sample(sk, s, n, direct);
			if (n)
				__sync_fetch_and_add(&n->accepts, 1);
		}
		return 0;
	}
	/* ST_CLOSE */
	{
		struct pp_closed_key ck = {.sk = sk_key(sk)};

		s = ck.sk ? sock_find(ck.sk) : NULL;
		if (!s)
			return 0;
		s->flags |= PP_SOCK_CLOSED;
		s->close_ns = bpf_ktime_get_ns();
		n = sock_flush(s);
		if (n)
			__sync_fetch_and_add(&n->closes, 1);
		/* out of the live table: the socket's memory may be reused at once */
		ck.start_ns = s->start_ns;
		__u32 zero = 0, *full = bpf_map_lookup_elem(&closed_full, &zero);

		if ((full && *full) || bpf_map_update_elem(&closed_socks, &ck, s, BPF_ANY)) {
			if (full)
				*full = 1;
			count_event(PP_CNT_NET_DROPPED);
		}
		sock_forget(ck.sk);
	}
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(send_length_btf, struct sock *sk, int ret, int flags)
{
	return on_length(sk, ret, flags, true, true);
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(send_length_raw, struct sock *sk, int ret, int flags)
{
	return on_length(sk, ret, flags, true, false);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(recv_length_btf, struct sock *sk, int ret, int flags)
{
	return on_length(sk, ret, flags, false, true);
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(recv_length_raw, struct sock *sk, int ret, int flags)
{
	return on_length(sk, ret, flags, false, false);
}

/*
 * On newer kernels tcp_retransmit_skb also fires for a retransmission that failed
 * (its third argument is the error, the segment was not sent), which the
 * kernel's RetransSegs does not count: neither does perfpilot. On older
 * kernels the argument does not exist and every event is a retransmission;
 * the constant lets the verifier drop the read there.
 */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(retransmit_btf, struct sock *sk)
{
	if (retransmit_has_err && (int)ctx[2])
		return 0;
	return on_retransmit(sk);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(retransmit_raw, struct sock *sk)
{
	if (retransmit_has_err && (int)ctx[2])
		return 0;
	return on_retransmit(sk);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(send_reset_btf, struct sock *sk)
{
	return on_reset(sk);
}

SEC("raw_tp/tcp_send_reset")
int BPF_PROG(send_reset_raw, struct sock *sk)
{
	return on_reset(sk);
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(receive_reset_btf, struct sock *sk)
{
	return on_reset(sk);
}

SEC("raw_tp/tcp_receive_reset")
int BPF_PROG(receive_reset_raw, struct sock *sk)
{
	return on_reset(sk);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(set_state_btf, struct sock *sk, int oldstate, int newstate)
{
	return on_state(sk, oldstate, newstate, true);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(set_state_raw, struct sock *sk, int oldstate, int newstate)
{
	return on_state(sk, oldstate, newstate, false);
}
