// SPDX-License-Identifier: GPL-2.0
/* A notification sink: queue, sender thread, POSTs with retries (notify.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dlfcn.h>
#include <unistd.h>
#define CURL_DISABLE_TYPECHECK /* called through pointers (cu below) */
#include <curl/curl.h>
#include "daemon/notify.h"
#include "version.h"

#define MAX_BACKOFF_S 300.0

struct item {
	char *url;            /* the sink's URL when it was posted */
	char *body;
	char *what;
	unsigned tries;       /* attempts made */
	double next;          /* monotonic time of the next attempt */
};

struct notifier {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	/* settings */
	char *name, *url;
	double timeout_s, backoff_s;
	unsigned attempts;
	/* the queue: a ring of cap items from head */
	struct item *q;
	size_t cap, head, count;
	bool stopping;
	double deadline;
	struct notify_stats st;
	uint64_t rng;
	notify_log_fn log;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static char curl_load_err[160]; /* why libcurl could not be loaded, or "" */

/*
 * libcurl, loaded when the first sink starts: a daemon without webhooks
 * never maps it nor what it needs (OpenSSL, Kerberos, LDAP, SSH, HTTP/2:
 * about 3 MB of the daemon's resident memory when linked).
 */
static struct {
	CURLcode (*global_init)(long);
	const char *(*easy_strerror)(CURLcode);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;

static void curl_init(void)
{
	static const char *const names[] = {
		"curl_global_init", "curl_easy_strerror", "curl_easy_init", "curl_easy_setopt",
		"curl_easy_perform", "curl_easy_getinfo", "curl_easy_cleanup", "curl_easy_reset",
		"curl_slist_append", "curl_slist_free_all",
	};
	void **slot = (void **)&cu;
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	size_t i;

	_Static_assert(sizeof(cu) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
		       "one name per function");
	curl_init_rc = CURLE_FAILED_INIT;
	if (!lib) {
		snprintf(curl_load_err, sizeof(curl_load_err), "%s", dlerror());
		return;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(slot[i] = dlsym(lib, names[i]))) {
			snprintf(curl_load_err, sizeof(curl_load_err), "libcurl.so.4 has no %s",
				 names[i]);
			return;
		}
	}
	curl_init_rc = cu.global_init(CURL_GLOBAL_DEFAULT);
}

double notify_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timespec abs_timespec(double mono)
{
	struct timespec ts;

	if (mono < 0)
		mono = 0;
	if (mono > 1e12)
		mono = 1e12;
	ts.tv_sec = (time_t)mono;
	ts.tv_nsec = (long)((mono - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* uniform in [0, 1) (xorshift64*) */
static double rand01(struct notifier *n)
{
	uint64_t x = n->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	n->rng = x;
	return (double)((x * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static void item_free(struct item *it)
{
	free(it->url);
	free(it->body);
	free(it->what);
	it->url = it->body = it->what = NULL;
}

/* Take q[head] off (under the lock). */
static void pop(struct notifier *n)
{
	item_free(&n->q[n->head]);
	n->head = (n->head + 1) % n->cap;
	n->count--;
}

/* ---- sending one ---- */

enum outcome { SENT, RETRY, FAIL };

static size_t discard(char *p, size_t size, size_t nmemb, void *arg)
{
	(void)p;
	(void)arg;
	return size * nmemb;
}

/* curl's progress callback: give up a transfer once stopping past the deadline */
static int progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct notifier *n = arg;
	bool late;

	(void)a, (void)b, (void)c, (void)d;
	pthread_mutex_lock(&n->lock);
	late = n->stopping && notify_clock() >= n->deadline;
	pthread_mutex_unlock(&n->lock);
	return late;
}

static enum outcome post(struct notifier *n, CURL *h, const char *url, const char *body,
			 double timeout_s, char *why, size_t whylen)
{
	struct curl_slist *hdr = NULL, *t;
	long code = 0, ms = (long)ceil(timeout_s * 1000);
	CURLcode rc;

	if (!h) {
		snprintf(why, whylen, "libcurl could not start");
		return FAIL;
	}
	cu.easy_reset(h);
	t = cu.slist_append(hdr, "Content-Type: application/json");
	if (t)
		hdr = t;
	t = cu.slist_append(hdr, "Expect:");
	if (t)
		hdr = t;
	cu.easy_setopt(h, CURLOPT_URL, url);
	cu.easy_setopt(h, CURLOPT_POSTFIELDS, body);
	cu.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	cu.easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	cu.easy_setopt(h, CURLOPT_USERAGENT, "perfpilot/" PERFPILOT_VERSION);
	cu.easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	cu.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	cu.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
	cu.easy_setopt(h, CURLOPT_XFERINFODATA, n);
#if LIBCURL_VERSION_NUM >= 0x075500
	cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	rc = cu.easy_perform(h);
	cu.slist_free_all(hdr);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s", cu.easy_strerror(rc));
		switch (rc) {
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_ABORTED_BY_CALLBACK:
		case CURLE_SSL_CONNECT_ERROR:
			return RETRY;
		default:
			return FAIL;
		}
	}
	cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return SENT;
	snprintf(why, whylen, "HTTP %ld", code);
	return code == 408 || code == 429 || code >= 500 ? RETRY : FAIL;
}

/* ---- the thread ---- */

static void log_line(struct notifier *n, int level, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void log_line(struct notifier *n, int level, const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!n->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n->log(level, "%s: %s: %s", n->name, what, msg);
}

/* Drop what is left when the thread ends. */
static void drop_all(struct notifier *n)
{
	while (n->count) {
		if (n->q[n->head].tries)
			n->st.failed++;
		else
			n->st.dropped++;
		pop(n);
	}
}

static void *sender(void *arg)
{
	struct notifier *n = arg;
	CURL *h = curl_init_rc == CURLE_OK ? cu.easy_init() : NULL;
	char why[256], *url, *body;
	enum outcome o;
	struct item *it;
	struct timespec ts;
	double now, delay, timeout;

	pthread_mutex_lock(&n->lock);
	for (;;) {
		now = notify_clock();
		if (n->stopping && (!n->count || now >= n->deadline))
			break;
		if (!n->count) {
			if (n->stopping) {
				ts = abs_timespec(n->deadline);
				pthread_cond_timedwait(&n->cond, &n->lock, &ts);
			} else {
				pthread_cond_wait(&n->cond, &n->lock);
			}
			continue;
		}
		it = &n->q[n->head];
		if (n->stopping && it->next > n->deadline)
			break;            /* its turn comes after the deadline */
		if (it->next > now) {
			ts = abs_timespec(n->stopping && n->deadline < it->next ? n->deadline
										: it->next);
			pthread_cond_timedwait(&n->cond, &n->lock, &ts);
			continue;
		}
		/* they stay: only this thread pops the head */
		url = it->url;
		body = it->body;
		timeout = n->timeout_s;
		pthread_mutex_unlock(&n->lock);

		o = post(n, h, url, body, timeout, why, sizeof(why));

		pthread_mutex_lock(&n->lock);
		it = &n->q[n->head];      /* the ring may have been resized */
		it->tries++;
		if (o == SENT) {
			n->st.sent++;
			if (it->tries > 1)
				log_line(n, 1, it->what, "delivered at attempt %u", it->tries);
			pop(n);
		} else if (o == RETRY && it->tries < n->attempts) {
			n->st.retried++;
			delay = n->backoff_s * pow(2, it->tries - 1);
			if (delay > MAX_BACKOFF_S)
				delay = MAX_BACKOFF_S;
			delay *= 0.5 + 0.5 * rand01(n);
			it->next = notify_clock() + delay;
			log_line(n, 0, it->what, "%s, attempt %u of %u; next in %.2f s", why,
				 it->tries, n->attempts, delay);
		} else {
			n->st.failed++;
			log_line(n, 2, it->what, "not delivered after %u attempt%s: %s", it->tries,
				 it->tries == 1 ? "" : "s", why);
			pop(n);
		}
	}
	drop_all(n);
	pthread_mutex_unlock(&n->lock);
	if (h)
		cu.easy_cleanup(h);
	return NULL;
}

/* ---- the API ---- */

static int set_opts(struct notifier *n, const struct notify_opts *o)
{
	char *name = strdup(o->name ? o->name : "notify");
	char *url = o->url ? strdup(o->url) : NULL;
	size_t cap = o->queue ? o->queue : 1, i, keep;
	struct item *q;

	if (!name || (o->url && !url))
		goto nomem;
	if (cap != n->cap) {
		q = calloc(cap, sizeof(*q));
		if (!q)
			goto nomem;
		/* keep the oldest (the head may be in flight), drop the newest */
		keep = n->count < cap ? n->count : cap;
		for (i = 0; i < n->count; i++) {
			struct item *it = &n->q[(n->head + i) % n->cap];

			if (i < keep) {
				q[i] = *it;
			} else {
				n->st.dropped++;
				item_free(it);
			}
		}
		free(n->q);
		n->q = q;
		n->cap = cap;
		n->head = 0;
		n->count = keep;
	}
	free(n->name);
	free(n->url);
	n->name = name;
	n->url = url;
	n->timeout_s = o->timeout_s > 0 ? o->timeout_s : 5;
	n->attempts = o->attempts ? o->attempts : 1;
	n->backoff_s = o->backoff_s > 0 ? o->backoff_s : 1;
	return 0;
nomem:
	free(name);
	free(url);
	return -1;
}

struct notifier *notify_start(const struct notify_opts *o, char *err, size_t errlen)
{
	struct notifier *n = calloc(1, sizeof(*n));
	int rc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl: %s",
			 *curl_load_err ? curl_load_err : cu.easy_strerror(curl_init_rc));
		free(n);
		return NULL;
	}
	if (!n || set_opts(n, o)) {
		snprintf(err, errlen, "out of memory");
		if (n) {
			free(n->q);
			free(n);
		}
		return NULL;
	}
	n->rng = (uint64_t)time(NULL) * 6364136223846793005ULL ^ (uint64_t)getpid() ^
		 (uint64_t)(uintptr_t)n;
	if (!n->rng)
		n->rng = 1;
	pthread_mutex_init(&n->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&n->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	rc = pthread_create(&n->thread, NULL, sender, n);
	if (rc) {
		snprintf(err, errlen, "%s: cannot start its sender thread: %s", n->name,
			 strerror(rc));
		pthread_cond_destroy(&n->cond);
		pthread_mutex_destroy(&n->lock);
		free(n->q);
		free(n->name);
		free(n->url);
		free(n);
		return NULL;
	}
	return n;
}

int notify_update(struct notifier *n, const struct notify_opts *o)
{
	int rc;

	pthread_mutex_lock(&n->lock);
	rc = set_opts(n, o);
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	return rc;
}

bool notify_post(struct notifier *n, const char *body, const char *what)
{
	unsigned long long dropped = 0;
	struct item *it;
	bool ok = false;

	pthread_mutex_lock(&n->lock);
	if (n->url && !n->stopping && n->count < n->cap) {
		it = &n->q[(n->head + n->count) % n->cap];
		memset(it, 0, sizeof(*it));
		it->url = strdup(n->url);
		it->body = strdup(body);
		it->what = strdup(what ? what : "notification");
		if (it->url && it->body && it->what) {
			it->next = 0;
			n->count++;
			ok = true;
			pthread_cond_signal(&n->cond);
		} else {
			item_free(it);
		}
	}
	if (!ok) {
		dropped = ++n->st.dropped;
		/* the first, then every hundredth: a dead sink must not flood the log */
		if (dropped == 1 || dropped % 100 == 0)
			log_line(n, 2, what ? what : "notification",
				 "dropped (%s; %llu dropped so far)",
				 !n->url ? "no URL" : n->count >= n->cap ? "the queue is full"
									 : "out of memory",
				 dropped);
	}
	pthread_mutex_unlock(&n->lock);
	return ok;
}

void notify_get_stats(struct notifier *n, struct notify_stats *st)
{
	pthread_mutex_lock(&n->lock);
	*st = n->st;
	st->queued = n->count;
	pthread_mutex_unlock(&n->lock);
}

void notify_set_logger(struct notifier *n, notify_log_fn log)
{
	pthread_mutex_lock(&n->lock);
	n->log = log;
	pthread_mutex_unlock(&n->lock);
}

void notify_stop(struct notifier *n, double deadline)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	n->deadline = deadline;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n->q);
	free(n->name);
	free(n->url);
	free(n);
}
