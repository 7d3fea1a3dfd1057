/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A notification sink: a sender thread that POSTs JSON bodies to one URL
 * with libcurl, from a bounded queue, in order. Posting only queues (a
 * full queue drops the new notification and counts it); the thread tries
 * each notification up to `attempts` times, waiting between attempts with
 * an exponential backoff and jitter, and counts what it sent, retried and
 * gave up on. 2xx is delivered; a connection error, a timeout, 408, 429 and
 * 5xx are tried again; any other answer (the sink refuses the body) fails
 * at once.
 */
#ifndef PP_DAEMON_NOTIFY_H
#define PP_DAEMON_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*notify_log_fn)(int level, const char *fmt, ...);

struct notify_opts {
	const char *name;       /* "webhook", "alertmanager": for log lines */
	const char *url;        /* where to POST; NULL: nowhere (posting drops) */
	double timeout_s;       /* of one attempt, connecting included */
	unsigned attempts;      /* per notification, the first included (>= 1) */
	double backoff_s;       /* before the first retry; doubles each time (at most 5 min), times 0.5..1 */
	size_t queue;           /* notifications waiting at most (>= 1) */
};

/* sent: delivered (2xx); failed: given up on after trying; retried:
 * attempts after a first one; dropped: never tried (queue full, sink
 * removed, stopped before its turn); queued: waiting now */
struct notify_stats {
	unsigned long long sent, failed, retried, dropped;
	size_t queued;
};

struct notifier;

/* Start a sender (its thread). NULL with a one-line err. */
struct notifier *notify_start(const struct notify_opts *o, char *err, size_t errlen);

/* New settings: the URL for notifications posted from now on (those
 * queued go where they were meant to), the others for the next attempts;
 * a smaller queue drops its newest notifications beyond the new size.
 * 0, or -1 on no memory. */
int notify_update(struct notifier *n, const struct notify_opts *o);

/* Queue a copy of body (what: a few words for log lines, e.g. "alert mem
 * firing"). Never waits for the network. false when it was dropped. */
bool notify_post(struct notifier *n, const char *body, const char *what);

void notify_get_stats(struct notifier *n, struct notify_stats *st);
void notify_set_logger(struct notifier *n, notify_log_fn log);

/* CLOCK_MONOTONIC in seconds: the clock of notify_stop's deadline. */
double notify_clock(void);

/*
 * Keep delivering until the queue is empty or the monotonic deadline (a
 * request in flight then is abandoned within about a second), then stop
 * the thread and free n. What is left counts as failed when it was tried,
 * else as dropped.
 */
void notify_stop(struct notifier *n, double deadline);

#endif
