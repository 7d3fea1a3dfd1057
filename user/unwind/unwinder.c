// SPDX-License-Identifier: GPL-2.0
/* Processes' unwind tables in the profiler's BPF maps (unwinder.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "symbols/debuginfo.h"
#include "symbols/process.h"
#include "unwind/pool.h"
#include "unwind/table.h"
#include "unwind/unwinder.h"

#define SEGS_MAX 8

enum table_state {
	F_LOADED,   /* in the maps */
	F_UNLOADED, /* new, evicted to make room, or no room for it then: built
		     * (again) when a process that maps one of its files is loaded */
	F_NONE,     /* no usable unwind information (or unreadable): never tried again */
	F_TOO_BIG,  /* larger than the whole pool */
};

/* The table of one binary: of every file with its build ID (the same
 * program in several containers, or copied), else of one file. */
struct uw_table {
	char build_id[BUILD_ID_HEX]; /* "" for a file without one: not shared */
	enum table_state state;
	uint32_t slot, gen, first, count;
	uint64_t pinned; /* the epoch of the process being loaded that uses it */
	unsigned int evictions; /* times it was evicted */
	bool held_back;         /* asked for while not_before was ahead (counted once) */
	double not_before;      /* evicted: built again, if asked, no sooner (mono()) */
	/* not built yet: a mapping of one of its files to build it from when a
	 * walk asks for it (and the process that maps it) */
	struct map_entry *src;
	uint32_t src_pid;
};

/* A file as the processes' mappings name it (device and inode). */
struct uw_file {
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	uint64_t vdso_size; /* the vDSO (no file): its size */
	bool read;          /* its build ID and segments read, table set */
	size_t table;       /* index in unwinder.tables, once read */
	struct load_seg segs[SEGS_MAX];
	size_t nsegs;
};

/* An executable mapping of a process as last read. */
struct pmap {
	uint64_t start, end, offset;
	long file; /* index in unwinder.files, or -1 */
};

struct uw_proc {
	uint32_t pid;
	uint64_t sig;   /* a hash of its executable mappings when last loaded */
	bool stale;     /* one of its tables was evicted since (without the want map) */
	struct pmap *maps; /* its executable mappings, to write its entry again */
	size_t nmaps;
};

/* How build treats a file's table. */
enum build_mode {
	B_READ,  /* read the file (build ID, segments), build nothing */
	B_EAGER, /* and build its table if not loaded (unreadable: none) */
	B_TRY,   /* build its table; -1 when the file cannot be opened */
};

struct unwinder {
	struct unwinder_maps m;
	bool rows_mmap; /* the rows map can be mapped: rows are written through
			 * a mapping of just the pages they go to */
	struct uw_file *files;
	size_t nfiles;
	struct uw_table *tables;
	size_t ntables;
	struct uw_proc *procs;
	size_t nprocs;
	struct pool pool;
	uint32_t free_slots[PP_UNWIND_TABLES_MAX];
	size_t nfree;
	uint32_t gen;
	uint64_t epoch;
	uint64_t *want;   /* the want map, mapped (or NULL: tables built at once) */
	size_t want_len;
	struct unwinder_stats st;  /* the owner's */
	/* the worker thread (unwinder_start): it alone touches the above */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;  /* guards what follows, and st as others read it */
	pthread_cond_t wake;
	uint32_t *queue;       /* pids to add */
	size_t nqueue, capqueue;
	bool stop;
	double refresh_s;
	struct unwinder_stats pub; /* st as of the last change, for others */
};

/* Make the owner's statistics visible to unwinder_stats. */
static void publish(struct unwinder *u)
{
	size_t i, n = 0;

	for (i = 0; i < u->ntables; i++)
		n += u->tables[i].state == F_UNLOADED;
	u->st.not_asked = n;
	pthread_mutex_lock(&u->lock);
	u->pub = u->st;
	pthread_mutex_unlock(&u->lock);
}

double unwind_backoff_s(unsigned int evictions)
{
	unsigned int n = evictions < 1 ? 1 : evictions > 6 ? 6 : evictions;

	return (double)(1u << n); /* 2, 4, ... 64 s */
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct unwinder *unwinder_new(const struct unwinder_maps *m)
{
	struct unwinder *u = calloc(1, sizeof(*u));
	size_t i;

	if (!u)
		return NULL;
	u->m = *m;
	/* the rows written straight into the map's memory where it can be
	 * mapped: no copy through the kernel (a large table is megabytes);
	 * mapped only while writing, so that the map is not resident in the
	 * process (the whole map mapped stayed resident: 4.7 MB of the daemon's
	 * RSS with profile_unwind_mb = 4) */
	void *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m->rows, 0);

	if (probe != MAP_FAILED) {
		u->rows_mmap = true;
		munmap(probe, 4096);
	}
	u->want_len = ((size_t)PP_UNWIND_WANT_MAX * sizeof(uint64_t) + 4095) & ~(size_t)4095;
	u->want = m->want > 0 ? mmap(NULL, u->want_len, PROT_READ | PROT_WRITE, MAP_SHARED,
				     m->want, 0)
			      : MAP_FAILED;
	if (u->want == MAP_FAILED)
		u->want = NULL;
	pool_init(&u->pool, m->rows_max);
	for (i = 0; i < PP_UNWIND_TABLES_MAX; i++) /* slot 0 handed out first */
		u->free_slots[i] = PP_UNWIND_TABLES_MAX - 1 - (uint32_t)i;
	u->nfree = PP_UNWIND_TABLES_MAX;
	u->st.rows_max = m->rows_max;
	u->pub = u->st;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->wake, NULL);
	elf_version(EV_CURRENT);
	return u;
}

/* Write rows [first, first + n) of the rows map through a mapping of the
 * pages they go to (the map BPF_F_MMAPABLE; unmapped after, so that they
 * do not stay in the resident set), else in batches where the kernel has
 * them, else one by one. */
static int write_rows(struct unwinder *u, uint32_t first, const struct pp_unwind_row *rows,
		      uint32_t n)
{
	enum { BATCH = 4096 };
	static uint32_t keys[BATCH];
	uint32_t done = 0, i;
	int fd = u->m.rows;

	if (!n)
		return 0;
	if (u->rows_mmap) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t from = (size_t)first * sizeof(*rows), to = from + (size_t)n * sizeof(*rows);
		size_t start = from / page * page, len = (to - start + page - 1) / page * page;
		char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);

		if (mem != MAP_FAILED) {
			memcpy(mem + (from - start), rows, (size_t)n * sizeof(*rows));
			munmap(mem, len);
			return 0;
		}
	}
	while (done < n) {
		__u32 k = n - done < BATCH ? n - done : BATCH;

		for (i = 0; i < k; i++)
			keys[i] = first + done + i;
		if (bpf_map_update_batch(fd, keys, rows + done, &k, NULL)) {
			for (i = 0; i < (n - done < BATCH ? n - done : BATCH); i++)
				if (bpf_map_update_elem(fd, &keys[i], &rows[done + i], BPF_ANY))
					return -1;
			k = i;
		}
		done += k;
	}
	return 0;
}

static void rewrite_procs(struct unwinder *u, size_t table);

/* Make the slot of f hold nothing (a walker that still has its mapping
 * sees another gen, and goes on with frame pointers there). With the
 * want map, the processes that map it point to it as not built (a walk
 * that lands there asks for it again); else they are read again at the
 * next refresh, which builds it again. */
static void evict(struct unwinder *u, struct uw_table *f)
{
	struct pp_unwind_table t = { .gen = ++u->gen };
	size_t i, k = (size_t)(f - u->tables);

	bpf_map_update_elem(u->m.tables, &f->slot, &t, BPF_ANY);
	pool_free(&u->pool, f->first);
	u->free_slots[u->nfree++] = f->slot;
	f->state = F_UNLOADED;
	f->evictions++;
	f->not_before = mono() + unwind_backoff_s(f->evictions);
	u->st.loaded--;
	u->st.rows -= f->count;
	u->st.evicted++;
	if (u->want) {
		if (k < PP_UNWIND_WANT_MAX)
			__atomic_store_n(&u->want[k], 0, __ATOMIC_RELAXED);
		rewrite_procs(u, k);
		return;
	}
	for (i = 0; i < u->nprocs; i++)
		u->procs[i].stale = true; /* read again at the next refresh */
}

/* The loaded table sampled least recently and not used by the process
 * being loaded, or NULL. */
static struct uw_table *least_recent(struct unwinder *u)
{
	struct uw_table *best = NULL;
	uint64_t best_t = 0;
	size_t i;

	for (i = 0; i < u->ntables; i++) {
		struct uw_table *f = &u->tables[i];
		struct pp_unwind_table t;

		if (f->state != F_LOADED || f->pinned == u->epoch ||
		    bpf_map_lookup_elem(u->m.tables, &f->slot, &t))
			continue;
		if (!best || t.last_used < best_t) {
			best = f;
			best_t = t.last_used;
		}
	}
	return best;
}

/* Room for count rows and a slot, evicting the least recently sampled
 * tables as needed. */
static int make_room(struct unwinder *u, uint32_t count, uint32_t *first)
{
	struct uw_table *victim;

	while (!u->nfree || pool_alloc(&u->pool, count, first)) {
		if (!(victim = least_recent(u)))
			return -1;
		evict(u, victim);
	}
	return 0;
}

/* Load a built table for f: its index, then its rows (pp_unwind_table). */
static int load_table(struct unwinder *u, struct uw_table *f, const struct unwind_table *t)
{
	struct pp_unwind_index *idx = NULL;
	struct pp_unwind_table e;
	struct timespec ts;
	uint32_t first, nb = 0, base = 0;
	uint8_t shift = 0;
	uint64_t total;

	if (unwind_index_build(t, &idx, &nb, &base, &shift))
		return -1;
	total = (uint64_t)nb + t->n;
	if (total > u->m.rows_max) {
		free(idx);
		f->state = F_TOO_BIG;
		u->st.too_big++;
		return -1;
	}
	if (make_room(u, (uint32_t)total, &first)) {
		free(idx);
		return -1;
	}
	_Static_assert(sizeof(*idx) == sizeof(*t->rows), "an index bucket is a row's size");
	if (write_rows(u, first, (const struct pp_unwind_row *)idx, nb) ||
	    write_rows(u, first + nb, t->rows, (uint32_t)t->n)) {
		free(idx);
		pool_free(&u->pool, first);
		return -1;
	}
	free(idx);
	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	f->slot = u->free_slots[--u->nfree];
	f->gen = ++u->gen;
	f->first = first;
	f->count = (uint32_t)total;
	e = (struct pp_unwind_table){ .first = first, .count = (uint32_t)t->n, .gen = f->gen,
				      .nbuckets = nb, .base = base, .shift = shift,
				      .last_used = (uint64_t)ts.tv_sec * 1000000000ULL +
						   (uint64_t)ts.tv_nsec };
	if (bpf_map_update_elem(u->m.tables, &f->slot, &e, BPF_ANY)) {
		pool_free(&u->pool, first);
		u->free_slots[u->nfree++] = f->slot;
		return -1;
	}
	f->state = F_LOADED;
	u->st.loaded++;
	u->st.rows += f->count;
	return 0;
}

static void read_segs(struct uw_file *f, Elf *elf)
{
	size_t i, nph;

	f->nsegs = 0;
	if (elf_getphdrnum(elf, &nph))
		return;
	for (i = 0; i < nph && f->nsegs < SEGS_MAX; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			f->segs[f->nsegs++] = (struct load_seg){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
	}
}

/* The vDSO's image, read from the process's memory. */
static void *read_vdso(uint32_t pid, const struct map_entry *e, size_t *size)
{
	char fn[64];
	void *buf;
	int fd;

	*size = e->end - e->start;
	snprintf(fn, sizeof(fn), "/proc/%u/mem", pid);
	if (*size > (1 << 24) || (fd = open(fn, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	buf = malloc(*size);
	if (buf && pread(fd, buf, *size, (off_t)e->start) != (ssize_t)*size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

/* The hex build ID from an ELF's note sections, "" when it has none. */
static void read_build_id(Elf *elf, char *hex, size_t len)
{
	const char *ident = elf_getident(elf, NULL);
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && !note_build_id(d->d_buf, d->d_size, sh.sh_addralign,
						     ident && ident[EI_DATA] == ELFDATA2MSB, hex, len))
			return;
	}
	hex[0] = '\0';
}

/* The table of the binary with build ID id ("": a table of its own),
 * made if new; *shared says whether another file had it already. -1 on no
 * memory. */
static long table_for(struct unwinder *u, const char *id, bool *shared)
{
	struct uw_table *g;
	size_t i;

	*shared = false;
	for (i = 0; *id && i < u->ntables; i++) {
		if (!strcmp(u->tables[i].build_id, id)) {
			*shared = true;
			return (long)i;
		}
	}
	g = realloc(u->tables, (u->ntables + 1) * sizeof(*g));
	if (!g)
		return -1;
	u->tables = g;
	g[u->ntables] = (struct uw_table){ .state = F_UNLOADED };
	snprintf(g[u->ntables].build_id, sizeof(g->build_id), "%s", id);
	return (long)u->ntables++;
}

/*
 * Read file f mapped at e in process pid the first time (its build ID, its
 * segments: which table is its), and build and load that table when it is
 * not loaded: made new, evicted since, or no room for it before. A file
 * with the build ID of one read before (the same binary through another
 * root, or a copy) shares its table: nothing built.
 */
static void set_src(struct uw_table *tb, uint32_t pid, const struct map_entry *e)
{
	if (!tb->src && !(tb->src = malloc(sizeof(*tb->src))))
		return;
	*tb->src = *e;
	tb->src_pid = pid;
}

static int build(struct unwinder *u, struct uw_file *f, uint32_t pid, const struct map_entry *e,
		 enum build_mode mode)
{
	struct unwind_table t;
	struct uw_table *tb = f->read ? &u->tables[f->table] : NULL;
	char path[USYM_PATH_MAX + 64], id[BUILD_ID_HEX] = "";
	void *image = NULL;
	size_t size = 0;
	double t0 = mono();
	Elf *elf = NULL;
	bool shared = false;
	long k;
	int fd = -1, rc = 0;

	if (tb && tb->state == F_UNLOADED && mode == B_READ)
		set_src(tb, pid, e);
	if (tb && (tb->state != F_UNLOADED || mode == B_READ))
		return 0;
	if (f->vdso_size) {
		if ((image = read_vdso(pid, e, &size)) != NULL)
			elf = elf_memory(image, size);
	} else {
		/* the mapped file itself, deleted or replaced or in a container */
		map_files_path(pid, e, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && e->path[0] == '/') {
			snprintf(path, sizeof(path), "/proc/%u/root%s", pid, e->path);
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		if (fd >= 0)
			elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	}
	if (elf && elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		elf = NULL;
	}
	if (!f->read) {
		if (elf) {
			read_build_id(elf, id, sizeof(id));
			read_segs(f, elf);
		}
		if ((k = table_for(u, elf ? id : "", &shared)) < 0)
			goto out; /* no memory: read again next time */
		f->read = true;
		f->table = (size_t)k;
		tb = &u->tables[k];
		if (shared)
			u->st.shared++;
		tb->pinned = u->epoch;
	}
	if (tb->state != F_UNLOADED)
		goto out;
	if (mode == B_READ) {
		set_src(tb, pid, e);
		goto out;
	}
	if (!elf && mode == B_TRY) {
		rc = -1;
		goto out;
	}
	/* no more rows than the whole pool holds with their index: a larger
	 * table is given up while it is built, not after (its memory) */
	if (!elf || unwind_table_build_cancel(elf, &t, &u->stop,
					      unwind_rows_within(u->m.rows_max))) {
		if (elf && errno == ECANCELED)
			goto out; /* unwinder_stop: not built */
		if (elf && errno == E2BIG) {
			tb->state = F_TOO_BIG;
			u->st.too_big++;
		} else {
			tb->state = F_NONE;
			u->st.no_info++;
		}
	} else {
		u->st.built++;
		if (load_table(u, tb, &t) && tb->state != F_TOO_BIG)
			tb->state = F_UNLOADED; /* no room now: tried again later */
		unwind_table_free(&t);
	}
	/* loaded, or none to load: the processes that point at it as not
	 * built yet (a lazily added one mapping what an eager one built) point
	 * at it, or leave it out, from now on */
	if (u->want && tb->state != F_UNLOADED)
		rewrite_procs(u, f->table);
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	free(image);
	u->st.build_s += mono() - t0;
	return rc;
}

/* The index of mapping e's file in u->files (made if new), or -1 for a
 * mapping of no file (anonymous: JIT code) or no memory. */
static long file_index(struct unwinder *u, const struct map_entry *e)
{
	bool vdso = !strcmp(e->path, "[vdso]");
	struct uw_file *g;
	size_t i;

	if (!vdso && e->path[0] != '/')
		return -1;
	for (i = 0; i < u->nfiles; i++) {
		g = &u->files[i];
		if (vdso ? g->vdso_size == e->end - e->start
			 : !g->vdso_size && g->ino == e->inode && g->dev_major == e->dev_major &&
				   g->dev_minor == e->dev_minor)
			return (long)i;
	}
	g = realloc(u->files, (u->nfiles + 1) * sizeof(*g));
	if (!g)
		return -1;
	u->files = g;
	g[u->nfiles] = (struct uw_file){ .dev_major = e->dev_major, .dev_minor = e->dev_minor,
					 .ino = e->inode, .vdso_size = vdso ? e->end - e->start : 0 };
	return (long)u->nfiles++;
}

/* ELF address = address - bias inside mapping e of file f. */
static bool bias_of(const struct uw_file *f, const struct map_entry *e, uint64_t *bias)
{
	size_t i;

	for (i = 0; i < f->nsegs; i++) {
		const struct load_seg *s = &f->segs[i];

		if ((s->offset & ~4095ULL) <= e->offset && e->offset < s->offset + s->filesz) {
			*bias = e->start - e->offset + s->offset - s->vaddr;
			return true;
		}
	}
	return false;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static struct uw_proc *proc_entry(struct unwinder *u, uint32_t pid)
{
	struct uw_proc *g;
	size_t i;

	for (i = 0; i < u->nprocs; i++)
		if (u->procs[i].pid == pid)
			return &u->procs[i];
	g = realloc(u->procs, (u->nprocs + 1) * sizeof(*g));
	if (!g)
		return NULL;
	u->procs = g;
	g[u->nprocs] = (struct uw_proc){ .pid = pid };
	return &g[u->nprocs++];
}

/* Delete the entries of processes that have exited; how many. */
static size_t forget_exited(struct unwinder *u)
{
	size_t i, k = 0, gone = 0;
	char fn[32];

	for (i = 0; i < u->nprocs; i++) {
		snprintf(fn, sizeof(fn), "/proc/%u", u->procs[i].pid);
		if (access(fn, F_OK) && errno == ENOENT) {
			bpf_map_delete_elem(u->m.procs, &u->procs[i].pid);
			free(u->procs[i].maps);
			gone++;
			continue;
		}
		u->procs[k++] = u->procs[i];
	}
	u->nprocs = k;
	u->st.procs = k;
	return gone;
}

/* The BPF entry of a process with mappings pm: those whose table is
 * loaded, and (with the want map) those whose table is not built yet. */
static void make_entry(struct unwinder *u, const struct pmap *pm, size_t n,
		       struct pp_unwind_proc *entry, size_t *dropped)
{
	size_t i;

	memset(entry, 0, sizeof(*entry));
	*dropped = 0;
	for (i = 0; i < n; i++) {
		struct map_entry e = { .start = pm[i].start, .end = pm[i].end, .offset = pm[i].offset };
		struct uw_file *f;
		struct uw_table *tb;
		uint64_t bias;
		uint32_t slot, gen = 0;

		if (pm[i].file < 0)
			continue;
		f = &u->files[pm[i].file];
		if (!f->read)
			continue;
		tb = &u->tables[f->table];
		if (tb->state == F_LOADED) {
			slot = tb->slot;
			gen = tb->gen;
		} else if (tb->state == F_UNLOADED && u->want && f->table < PP_UNWIND_WANT_MAX) {
			slot = PP_UNWIND_WANT | (uint32_t)f->table;
		} else {
			continue;
		}
		if (!bias_of(f, &e, &bias))
			continue;
		if (entry->n == PP_UNWIND_MAPS_MAX) {
			++*dropped;
			continue;
		}
		entry->maps[entry->n++] = (struct pp_unwind_map){ pm[i].start, pm[i].end, bias, slot,
								   gen };
	}
}

/* Write again the entries of the processes that map a file of table k
 * (loaded, evicted, or found to have none). */
static void rewrite_procs(struct unwinder *u, size_t k)
{
	static struct pp_unwind_proc entry;
	size_t i, j, dropped;

	for (i = 0; i < u->nprocs; i++) {
		struct uw_proc *p = &u->procs[i];

		for (j = 0; j < p->nmaps; j++)
			if (p->maps[j].file >= 0 && u->files[p->maps[j].file].read &&
			    u->files[p->maps[j].file].table == k)
				break;
		if (j == p->nmaps)
			continue;
		make_entry(u, p->maps, p->nmaps, &entry, &dropped);
		bpf_map_update_elem(u->m.procs, &p->pid, &entry, BPF_EXIST);
	}
}

/* Build the tables walks asked for (want map), from a mapping of one of
 * their files, and point the processes that map them at them. */
static void build_wanted(struct unwinder *u)
{
	size_t i, j, k;

	if (!u->want)
		return;
	/* newest first: the binaries of processes started while sampling
	 * before those of every process there at the start */
	for (k = u->ntables < PP_UNWIND_WANT_MAX ? u->ntables : PP_UNWIND_WANT_MAX; k-- > 0;) {
		struct uw_table *tb = &u->tables[k];
		struct uw_file *f = NULL;
		int rc = -1;

		if (__atomic_load_n(&u->stop, __ATOMIC_RELAXED))
			return; /* unwinder_stop: after the table being built */
		if (tb->state != F_UNLOADED || !__atomic_load_n(&u->want[k], __ATOMIC_RELAXED))
			continue;
		if (tb->not_before > mono()) { /* evicted not long ago: asked again later */
			if (!tb->held_back) {
				tb->held_back = true;
				u->st.held_back++;
			}
			continue;
		}
		tb->held_back = false;
		for (i = 0; i < u->nfiles && !f; i++)
			if (u->files[i].read && u->files[i].table == k)
				f = &u->files[i];
		u->epoch++;
		tb->pinned = u->epoch;
		if (f && tb->src)
			rc = build(u, f, tb->src_pid, tb->src, B_TRY);
		/* that process gone (or none kept): another that maps one of its files */
		for (i = 0; rc && f && i < u->nprocs; i++) {
			struct uw_proc *p = &u->procs[i];

			for (j = 0; rc && j < p->nmaps; j++) {
				struct map_entry e;

				if (p->maps[j].file < 0 || !u->files[p->maps[j].file].read ||
				    u->files[p->maps[j].file].table != k)
					continue;
				if (tb->src)
					e = *tb->src; /* its path, for /proc/PID/root */
				else
					memset(&e, 0, sizeof(e));
				e.start = p->maps[j].start;
				e.end = p->maps[j].end;
				e.offset = p->maps[j].offset;
				rc = build(u, &u->files[p->maps[j].file], p->pid, &e, B_TRY);
			}
		}
		if (tb->state == F_UNLOADED) { /* no room, or no file: asked again by a walk */
			__atomic_store_n(&u->want[k], 0, __ATOMIC_RELAXED);
			continue;
		}
		if (tb->state == F_LOADED)
			u->st.on_demand++;
	}
}

/* unwinder_add, by the thread that owns the tables: the tables of the
 * process's binaries built now (eager), or only read (their build IDs,
 * which table is theirs) and built when a walk asks. */
static int add_locked(struct unwinder *u, uint32_t pid, bool eager)
{
	static struct pp_unwind_proc entry;
	char fn[64], line[USYM_PATH_MAX + 128];
	struct map_entry *ex = NULL, e;
	struct pmap *pm = NULL;
	size_t n = 0, cap = 0, i, dropped = 0;
	uint64_t sig = 0xcbf29ce484222325ULL;
	struct uw_proc *p;
	FILE *maps;
	int rc = 0;

	if (!u->want)
		eager = true;
	snprintf(fn, sizeof(fn), "/proc/%u/maps", pid);
	if (!(maps = fopen(fn, "re")))
		return -1;
	while (fgets(line, sizeof(line), maps)) {
		if (maps_parse_line(line, &e) || !e.exec)
			continue;
		sig = mix(mix(mix(sig, e.start), e.end), e.inode);
		if (n == cap) {
			struct map_entry *g = realloc(ex, (cap = cap ? 2 * cap : 32) * sizeof(*g));
			struct pmap *h = realloc(pm, cap * sizeof(*h));

			if (g)
				ex = g;
			if (h)
				pm = h;
			if (!g || !h) {
				rc = -1;
				break;
			}
		}
		ex[n] = e;
		pm[n++] = (struct pmap){ e.start, e.end, e.offset, -1 };
	}
	fclose(maps);
	/* first every file it maps, so that making room for one of them evicts
	 * none of the others */
	u->epoch++;
	for (i = 0; i < n && !rc; i++)
		if ((pm[i].file = file_index(u, &ex[i])) >= 0 && u->files[pm[i].file].read)
			u->tables[u->files[pm[i].file].table].pinned = u->epoch;
	for (i = 0; i < n && !rc; i++) {
		struct uw_file *f = pm[i].file >= 0 ? &u->files[pm[i].file] : NULL;

		if (!f)
			continue;
		build(u, f, pid, &ex[i], eager ? B_EAGER : B_READ);
		if (!eager && f->read && f->table >= PP_UNWIND_WANT_MAX) /* no id to ask with */
			build(u, f, pid, &ex[i], B_EAGER);
	}
	free(ex);
	if (rc) {
		free(pm);
		return -1;
	}
	make_entry(u, pm, n, &entry, &dropped);
	rc = bpf_map_update_elem(u->m.procs, &pid, &entry, BPF_ANY);
	if (rc && forget_exited(u)) /* full: make room */
		rc = bpf_map_update_elem(u->m.procs, &pid, &entry, BPF_ANY);
	if (rc) {
		u->st.procs_dropped++;
		free(pm);
		return 0;
	}
	if (!(p = proc_entry(u, pid))) {
		free(pm);
		return -1;
	}
	free(p->maps);
	p->maps = pm;
	p->nmaps = n;
	p->sig = sig;
	p->stale = false;
	u->st.maps_dropped += dropped;
	u->st.procs = u->nprocs;
	return 0;
}

/* A hash of a process's executable mappings, as unwinder_add makes it. */
static bool maps_sig(uint32_t pid, uint64_t *sig)
{
	char fn[64], line[USYM_PATH_MAX + 128];
	FILE *maps;

	snprintf(fn, sizeof(fn), "/proc/%u/maps", pid);
	if (!(maps = fopen(fn, "re")))
		return false;
	*sig = 0xcbf29ce484222325ULL;
	while (fgets(line, sizeof(line), maps)) {
		struct map_entry e;

		if (!maps_parse_line(line, &e) && e.exec)
			*sig = mix(mix(mix(*sig, e.start), e.end), e.inode);
	}
	fclose(maps);
	return true;
}

static void refresh(struct unwinder *u)
{
	size_t i;

	forget_exited(u);
	for (i = 0; i < u->nprocs; i++) {
		uint64_t sig;

		if (!maps_sig(u->procs[i].pid, &sig))
			continue;
		if (sig != u->procs[i].sig || u->procs[i].stale)
			add_locked(u, u->procs[i].pid, false);
	}
}

int unwinder_add(struct unwinder *u, uint32_t pid)
{
	int rc;

	if (u->running) {
		unwinder_queue(u, pid);
		return 0;
	}
	rc = add_locked(u, pid, true);
	publish(u);
	return rc;
}

void unwinder_refresh(struct unwinder *u)
{
	if (u->running)
		return;
	refresh(u);
	build_wanted(u);
	publish(u);
}

void unwinder_stats(struct unwinder *u, struct unwinder_stats *s)
{
	pthread_mutex_lock(&u->lock);
	*s = u->pub;
	pthread_mutex_unlock(&u->lock);
}

/* The worker: the queued processes, and every refresh_s the refresh. */
static void *worker(void *arg)
{
	struct unwinder *u = arg;
	double next = mono() + u->refresh_s;

	pthread_mutex_lock(&u->lock);
	while (!u->stop) {
		struct timespec until;
		uint32_t pid;

		if (u->nqueue) {
			pid = u->queue[0];
			memmove(u->queue, u->queue + 1, --u->nqueue * sizeof(*u->queue));
			pthread_mutex_unlock(&u->lock);
			build_wanted(u); /* what walks asked for first: a long queue
					  * (a whole host at start) does not hold it up */
			add_locked(u, pid, false);
			publish(u);
			pthread_mutex_lock(&u->lock);
			continue;
		}
		if (mono() >= next) {
			pthread_mutex_unlock(&u->lock);
			refresh(u);
			publish(u);
			pthread_mutex_lock(&u->lock);
			next = mono() + u->refresh_s;
			continue;
		}
		if (u->want) {
			pthread_mutex_unlock(&u->lock);
			build_wanted(u);
			publish(u);
			pthread_mutex_lock(&u->lock);
			if (u->nqueue || u->stop)
				continue;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&u->wake, &u->lock, &until);
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

int unwinder_start(struct unwinder *u, double refresh_s)
{
	u->refresh_s = refresh_s;
	if (pthread_create(&u->thread, NULL, worker, u))
		return -1;
	u->running = true;
	return 0;
}

void unwinder_queue(struct unwinder *u, uint32_t pid)
{
	size_t i;

	if (!u->running) {
		add_locked(u, pid, true);
		publish(u);
		return;
	}
	pthread_mutex_lock(&u->lock);
	for (i = 0; i < u->nqueue && u->queue[i] != pid; i++)
		;
	if (i == u->nqueue) {
		if (u->nqueue == u->capqueue) {
			size_t cap = u->capqueue ? 2 * u->capqueue : 64;
			uint32_t *g = realloc(u->queue, cap * sizeof(*g));

			if (g) {
				u->queue = g;
				u->capqueue = cap;
			}
		}
		if (u->nqueue < u->capqueue)
			u->queue[u->nqueue++] = pid;
	}
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
}

void unwinder_stop(struct unwinder *u)
{
	if (!u || !u->running)
		return;
	pthread_mutex_lock(&u->lock);
	__atomic_store_n(&u->stop, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->thread, NULL);
	u->running = false;
}

void unwinder_free(struct unwinder *u)
{
	size_t i;

	if (!u)
		return;
	unwinder_stop(u);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->wake);
	free(u->queue);
	pool_release(&u->pool);
	if (u->want)
		munmap(u->want, u->want_len);
	for (i = 0; i < u->ntables; i++)
		free(u->tables[i].src);
	for (i = 0; i < u->nprocs; i++)
		free(u->procs[i].maps);
	free(u->files);
	free(u->tables);
	free(u->procs);
	free(u);
}
