// SPDX-License-Identifier: GPL-2.0
/* perfpilot top: a live, full-screen view of per-process statistics. */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "collect/devices.h"
#include "live/top_layout.h"
#include "collect/watch.h"

#define POLL_MS 100           /* longest wait for a key */
#define LINE_MAX_CHARS 512    /* longest line drawn; wider terminals get blanks */
#define KEY_CTRL(c) ((c) & 0x1f)

enum { PAIR_BAR = 1, PAIR_SORT = 2 };

struct top {
	struct stat_opts o;
	struct watch w;
	struct proc_sample *all;  /* the last interval, every active process */
	size_t nall;
	struct proc_sample *s;    /* those of all[] the view lists, sorted */
	size_t n;
	enum top_view view;
	struct dev_sample *dev;   /* the last interval, per disk, busiest first */
	size_t ndev;
	bool has_io;              /* the block IO collector is loaded */
	struct interval_info ii;
	bool have_data;
	enum top_col sort;
	size_t first;             /* index of the first row on screen */
	bool help;                /* the status line shows the keys */
	bool gone;                /* -p: every watched process has exited */
	double end;               /* monotonic time to stop at (-d), 0 = none */
	struct top_layout lay;
	bool color;
	const char *failed;       /* what went wrong when the loop returns -1 */
};

enum key_action { KEY_ACT_NONE, KEY_ACT_QUIT, KEY_ACT_REFRESH, KEY_ACT_FAILED };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Installed before the screen is set up, so that ncurses keeps them (it only
 * takes over signals left at their default) and every exit goes through
 * endwin() and watch_stop().
 */
static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}


static SCREEN *screen_open(struct top *t)
{
	SCREEN *scr = newterm(NULL, stdout, stdin);

	if (!scr)
		return NULL;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	t->color = has_colors() && start_color() == OK;
	if (t->color) {
		use_default_colors();
		init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_SORT, COLOR_BLACK, COLOR_YELLOW);
	}
	top_layout_fit(&t->lay, t->view, COLS);
	return scr;
}

/* Rows available to the table: all but the title, header and status lines. */
static size_t body_rows(void)
{
	return LINES > 3 ? (size_t)(LINES - 3) : 0;
}

/* Rows in the table: every disk; all processes, or the first -n by the sort column. */
static size_t table_rows(const struct top *t)
{
	if (t->view == TOP_VIEW_DEVICES)
		return t->has_io ? t->ndev : 0;
	return t->o.rows && t->o.rows < t->n ? t->o.rows : t->n;
}

static void clamp_scroll(struct top *t)
{
	size_t total = table_rows(t), body = body_rows();
	size_t last_first = total > body ? total - body : 0;

	if (t->first > last_first)
		t->first = last_first;
}

static void set_sort(struct top *t, enum top_col c)
{
	t->sort = c;
	top_sort(t->s, t->n, c);
	t->first = 0;
}

/* Pick the rows of the current view out of the last interval, sorted. */
static int select_rows(struct top *t)
{
	struct proc_sample *s = malloc((t->nall ? t->nall : 1) * sizeof(*s));

	if (!s) {
		errno = ENOMEM;
		t->failed = "selecting the rows failed";
		return -1;
	}
	free(t->s);
	t->s = s;
	t->n = top_view_filter(t->view, t->all, t->nall, t->s);
	top_sort(t->s, t->n, t->sort);
	return 0;
}

/* Show another view: its own columns and rows, sorted by its own key, from the top. */
static int set_view(struct top *t, enum top_view v)
{
	t->view = v;
	t->sort = top_view_sort(v);
	t->first = 0;
	top_layout_fit(&t->lay, v, COLS < LINE_MAX_CHARS ? COLS : LINE_MAX_CHARS);
	return t->have_data ? select_rows(t) : 0;
}

static int top_tick(struct top *t)
{
	struct proc_sample *s;
	size_t n;

	if (watch_tick(&t->w, &s, &n, &t->ii)) {
		t->failed = "reading the BPF maps failed";
		return -1;
	}
	free(t->all);
	t->all = s;
	t->nall = n;
	if (t->has_io) {
		struct dev_sample *d;

		if (watch_devices(&t->w, &d, &n)) {
			t->failed = "reading the block device statistics failed";
			return -1;
		}
		top_dev_sort(d, n);
		free(t->dev);
		t->dev = d;
		t->ndev = n;
	}
	t->have_data = true;
	if (select_rows(t))
		return -1;
	clamp_scroll(t);
	if (t->o.w.target.mode == PP_FILTER_PID && !t->o.w.target.children)
		t->gone = !any_alive(&t->o.w.target);
	return 0;
}

/* "dropped: 3 procs, 1 threads" for the counters that are not zero. */
static void drops_text(const struct interval_info *ii, char *buf, size_t len)
{
	static const struct { int idx; const char *what; } kinds[] = {
		{PP_CNT_PROC_DROPPED, "procs"},
		{PP_CNT_THREAD_DROPPED, "threads"},
		{PP_CNT_MEM_DROPPED, "mem"},
	};
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && pos < len; i++) {
		uint64_t v = ii->dropped[kinds[i].idx];

		if (v)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s %llu %s",
						pos ? "," : "dropped:", (unsigned long long)v,
						kinds[i].what);
	}
}

/* The title line; on narrow terminals the less useful fields go first. */
static void title_text(const struct top *t, char *buf, size_t len, int width)
{
	static const int prio[] = {8, 6, 5, 2, 7, 3, 1, 4};
	char when[16] = "--:--:--", interval[32], active[32], drops[96], view[16], sort[32];
	const char *fields[] = {"perfpilot", when, interval, active,
				collector_attach_kind(t->w.col), drops, view, sort};
	time_t now = t->have_data ? (time_t)t->ii.ts : time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(interval, sizeof(interval), "interval %.1f s",
		 t->have_data ? t->ii.interval_s : t->o.w.interval_s);
	if (t->have_data)
		snprintf(active, sizeof(active), "%u active", t->ii.nprocs);
	else
		snprintf(active, sizeof(active), "collecting...");
	drops_text(&t->ii, drops, sizeof(drops));
	snprintf(view, sizeof(view), "view %s", top_view_name(t->view));
	snprintf(sort, sizeof(sort), "sort %s", top_col_label(t->sort));
	top_fit_fields(buf, len, width, fields, prio, sizeof(prio) / sizeof(prio[0]));
}

/* The keys, the less important ones left out on narrow terminals. */
static void help_text(const struct top *t, char *buf, size_t len, int width)
{
	static const int prio[] = {1, 2, 3, 4, 6, 5};
	bool dev = t->view == TOP_VIEW_DEVICES; /* one fixed sort: no sort keys */
	const char *fields[] = {
		"q quit", "v 1 2 3 4 view", dev ? NULL : "<> sort",
		dev ? NULL : t->view == TOP_VIEW_SCHED ? "c cpu r runq f faults m rss p pid" : "p pid",
		"spc refresh", "arrows scroll",
	};

	top_fit_fields(buf, len, width, fields, prio, sizeof(prio) / sizeof(prio[0]));
}

static void status_text(const struct top *t, char *buf, size_t len, int width)
{
	size_t total = table_rows(t), body = body_rows(), pos = 0;

	if (t->help) {
		help_text(t, buf, len, width);
		return;
	}
	buf[0] = '\0';
	if (total > body && body)
		pos += (size_t)snprintf(buf + pos, len - pos, "rows %zu-%zu of %zu  ", t->first + 1,
					t->first + body < total ? t->first + body : total, total);
	if (t->gone && pos < len)
		pos += (size_t)snprintf(buf + pos, len - pos, "every watched process has exited  ");
	if (t->end && pos < len)
		pos += (size_t)snprintf(buf + pos, len - pos, "ends in %.0f s  ",
					ceil(fmax(t->end - mono_now(), 0)));
	if (pos < len)
		snprintf(buf + pos, len - pos, "h help  q quit");
}

/* A line at row y, at most `width` characters, in attribute `attr`. */
static void put_line(int y, const char *text, int width, attr_t attr)
{
	char line[LINE_MAX_CHARS + 1];

	top_clip(line, sizeof(line), text, width);
	attrset(attr);
	mvaddstr(y, 0, line);
	attrset(A_NORMAL);
}

static void draw_header(const struct top *t, int y)
{
	char line[LINE_MAX_CHARS + 1];
	attr_t bar = t->color ? COLOR_PAIR(PAIR_BAR) : A_REVERSE;
	attr_t mark = t->color ? A_BOLD : A_BOLD | A_UNDERLINE;
	int width = COLS < LINE_MAX_CHARS ? COLS : LINE_MAX_CHARS;
	unsigned int i;
	int x, w;

	if (t->view == TOP_VIEW_DEVICES)
		top_dev_format_header(width, line, sizeof(line));
	else
		top_format_header(&t->lay, line, sizeof(line));
	attrset(bar);
	mvhline(y, 0, ' ', COLS);
	mvaddstr(y, 0, line);
	attrset(A_NORMAL);
	if (t->view == TOP_VIEW_DEVICES) {
		for (i = 0; i < TOP_DEV_NCOLS; i++)
			if (top_dev_sort_marks(i) && top_dev_col_span(width, i, &x, &w))
				mvchgat(y, x, w, mark, t->color ? PAIR_SORT : 0, NULL);
		return;
	}
	for (i = 0; i < t->lay.ncols; i++) {
		enum top_col c = top_view_col(t->view, i);

		if (top_sort_marks(t->sort, c) && top_col_span(&t->lay, c, &x, &w))
			mvchgat(y, x, w, mark, t->color ? PAIR_SORT : 0, NULL);
	}
}

static void draw_rows(const struct top *t, int y)
{
	char line[LINE_MAX_CHARS + 1];
	size_t total = table_rows(t), body = body_rows(), i;

	int width = COLS < LINE_MAX_CHARS ? COLS : LINE_MAX_CHARS;

	if (t->view == TOP_VIEW_DEVICES && !t->has_io) {
		put_line(y, "no per-disk statistics: the block IO collector did not load", COLS,
			 A_NORMAL);
		return;
	}
	if (!t->have_data) {
		put_line(y, "waiting for the first interval...", COLS, A_NORMAL);
		return;
	}
	if (!total) {
		static const char *const none[TOP_NVIEWS] = {
			[TOP_VIEW_SCHED] = "no process was active in the last interval",
			[TOP_VIEW_IO] = "no process did block IO in the last interval",
			[TOP_VIEW_NET] = "no process used TCP in the last interval",
			[TOP_VIEW_DEVICES] = "no disk did block IO in the last interval",
		};

		put_line(y, none[t->view], COLS, A_NORMAL);
		return;
	}
	for (i = 0; i < body && t->first + i < total; i++) {
		if (t->view == TOP_VIEW_DEVICES)
			top_dev_format_row(width, &t->dev[t->first + i], t->ii.interval_s, line,
					   sizeof(line));
		else
			top_format_row(&t->lay, &t->s[t->first + i], t->ii.interval_s, line,
				       sizeof(line));
		mvaddstr(y + (int)i, 0, line);
	}
}

static void top_draw(struct top *t)
{
	char line[LINE_MAX_CHARS + 1];

	top_layout_fit(&t->lay, t->view, COLS < LINE_MAX_CHARS ? COLS : LINE_MAX_CHARS);
	clamp_scroll(t);
	erase();
	title_text(t, line, sizeof(line), COLS);
	put_line(0, line, COLS, A_BOLD);
	if (LINES > 1)
		draw_header(t, 1);
	if (LINES > 2)
		draw_rows(t, 2);
	if (LINES > 3) {
		status_text(t, line, sizeof(line), COLS - 1);
		/* not the bottom-right cell: writing there may scroll the screen */
		put_line(LINES - 1, line, COLS - 1, A_NORMAL);
	}
	refresh();
}

static void scroll_by(struct top *t, long delta)
{
	if (delta < 0 && (size_t)-delta > t->first)
		t->first = 0;
	else
		t->first += (size_t)delta;
	clamp_scroll(t);
}

static bool sort_key_pressed(struct top *t, int ch)
{
	static const struct { int ch; enum top_col col; } keys[] = {
		{'c', TOP_CPU}, {'r', TOP_RUNQ}, {'f', TOP_MINFLT}, {'m', TOP_RSS}, {'p', TOP_PID},
	};
	size_t i;

	/* only for the columns of the view */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].ch == ch && top_view_has(t->view, keys[i].col)) {
			set_sort(t, keys[i].col);
			return true;
		}
	return false;
}

static enum key_action handle_key(struct top *t, int ch)
{
	long page = (long)(body_rows() ? body_rows() : 1);

	if (ch == ERR || ch == KEY_RESIZE)
		return KEY_ACT_NONE;
	t->help = (ch == 'h' || ch == '?') && !t->help;
	if (sort_key_pressed(t, ch))
		return KEY_ACT_NONE;
	switch (ch) {
	case 'q': case 'Q': case KEY_CTRL('c'):
		return KEY_ACT_QUIT;
	case ' ':
		return KEY_ACT_REFRESH;
	case 'v':
		return set_view(t, top_view_next(t->view)) ? KEY_ACT_FAILED : KEY_ACT_NONE;
	case '1': case '2': case '3': case '4':
		return set_view(t, (enum top_view)(ch - '1')) ? KEY_ACT_FAILED : KEY_ACT_NONE;
	case '<': case ',':
		set_sort(t, top_sort_step(&t->lay, t->sort, -1));
		break;
	case '>': case '.':
		set_sort(t, top_sort_step(&t->lay, t->sort, 1));
		break;
	case KEY_UP: case 'k': scroll_by(t, -1); break;
	case KEY_DOWN: case 'j': scroll_by(t, 1); break;
	case KEY_PPAGE: scroll_by(t, -page); break;
	case KEY_NPAGE: scroll_by(t, page); break;
	case KEY_HOME: t->first = 0; break;
	case KEY_END: scroll_by(t, (long)table_rows(t)); break;
	case KEY_CTRL('l'): clearok(curscr, TRUE); break;
	}
	return KEY_ACT_NONE;
}

/* Milliseconds to wait for a key: until the next deadline, at most POLL_MS. */
static int wait_ms(double now, double next, double end)
{
	double until = end && end < next ? end : next;
	double ms = ceil((until - now) * 1000);

	return ms < 1 ? 1 : ms > POLL_MS ? POLL_MS : (int)ms;
}

/* Draw, wait for keys, tick every interval. 0 when done, -1 if reading failed. */
static int top_loop(struct top *t)
{
	double iv = t->o.w.interval_s, next = mono_now() + iv;
	bool now_please = false;

	while (!stop) {
		double now = mono_now();

		if (t->end && now >= t->end)
			break;
		if (now >= next || now_please) {
			if (top_tick(t))
				return -1;
			next = now_please || next + iv <= now ? now + iv : next + iv;
			now_please = false;
		}
		top_draw(t);
		timeout(wait_ms(now, next, t->end));
		switch (handle_key(t, getch())) {
		case KEY_ACT_QUIT:
			return 0;
		case KEY_ACT_FAILED:
			return -1;
		case KEY_ACT_REFRESH:
			now_please = true;
			break;
		case KEY_ACT_NONE:
			break;
		}
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct top t;
	SCREEN *scr;
	int rc, err = 0;

	memset(&t, 0, sizeof(t));
	watch_parse(argc, argv, &t.o, true);
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr, "perfpilot: top needs a terminal; use 'perfpilot stat -i 1' for a stream\n");
		return EXIT_USAGE;
	}
	t.view = t.o.view == VIEW_IO ? TOP_VIEW_IO : t.o.view == VIEW_NET ? TOP_VIEW_NET
									    : TOP_VIEW_SCHED;
	t.sort = top_col_of_key(t.o.sort);
	watch_validate(&t.o.w);
	watch_start(&t.w, &t.o.w);
	t.has_io = collector_has_io(t.w.col);
	if (t.has_io) {
		struct dev_sample *d;
		size_t n;

		/* the baseline: the first interval starts here */
		if (!watch_devices(&t.w, &d, &n))
			free(d);
	}
	catch_signals();
	scr = screen_open(&t);
	if (!scr) {
		fprintf(stderr, "perfpilot: cannot drive this terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "unset");
		watch_stop(&t.w, false);
		return 1;
	}
	t.end = t.o.w.duration_s ? mono_now() + t.o.w.duration_s : 0;
	rc = top_loop(&t);
	if (rc)
		err = errno;
	endwin();
	delscreen(scr);
	if (rc)
		fprintf(stderr, "perfpilot: %s: %s\n", t.failed ? t.failed : "top failed",
			strerror(err));
	watch_stop(&t.w, !rc && t.o.w.bpf_stats);
	free(t.s);
	free(t.all);
	free(t.dev);
	return rc ? 1 : 0;
}
