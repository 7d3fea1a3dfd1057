# perfpilot: eBPF profiler and auto-tuner.
#   make            build ./perfpilot
#   make run        install missing packages, build, a 10 s live report of the host
#   make test       install missing packages, check the layers of user/, build,
#                   run the unit tests (sanitizer build), the fuzz harnesses
#                   over their corpus (a few seconds each), end-to-end tests
#   make fuzz       fuzz each parser of outside data for FUZZ_SECONDS (30)
#   make vmlinux    regenerate vmlinux/<arch>/vmlinux.h from the running kernel
#   make install    the program, its systemd unit, config and man pages
#                   (PREFIX=/usr/local, DESTDIR=; docs/install.md)
#   make uninstall  remove them again (not a changed config, not the state)

ARCH      := $(shell uname -m)
BPF_ARCH  := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool

# CFLAGS may be set on the command line (the sanitizer build does);
# the project's own flags are added to them
CFLAGS    ?= -O2 -g
# BPF_BUILD: where the BPF objects and skeletons go (the fuzz build shares
# the normal build's: its sanitizers do not apply to BPF code)
BPF_BUILD ?= $(BUILD)
PP_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(BPF_BUILD)/skel -Iuser
# libcurl is not linked: the daemon loads it (dlopen) when a webhook or
# Alertmanager sink starts (user/daemon/notify.c); the unit tests use it
LIBS      := -lbpf -lelf -ldw -lz -ljansson -lncursesw -lsqlite3 -liberty -lmicrohttpd -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
              -Ivmlinux/$(ARCH) -Iinclude -Ibpf

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
SKELS     := $(patsubst bpf/%.bpf.c,$(BPF_BUILD)/skel/%.skel.h,$(BPF_SRCS))
# user/ holds main.c and the command line the commands share (cli.c,
# args.c); each of its folders is one concern, in the layers that
# docs/architecture.md describes and tools/check-layers.sh checks
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(USER_SRCS))
# the unit tests link archives, one per folder: $(BUILD)/lib/<folder>.a,
# and $(BUILD)/lib/user.a for user/'s own files but main.c
lib_srcs   = $(if $(filter user,$(1)),$(filter-out user/main.c,$(wildcard user/*.c)),$(wildcard user/$(1)/*.c))
lib_objs   = $(patsubst user/%.c,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
# the archives of a unit test (tests/unit/$(1).c): those of the folders it
# includes and of the folders they use, from the top down
test_libs  = $(patsubst %,$(BUILD)/lib/%.a,$(shell tools/check-layers.sh --libs tests/unit/$(1).c))

UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
WORKLOADS := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,$(wildcard tests/workloads/*.c))

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: FORCE all deps run test check-layers unit e2e asan fuzz fuzz-build fuzz-regress clean vmlinux bench install uninstall
.SECONDARY:
all: perfpilot

deps:
	@tools/setup-deps.sh

perfpilot: $(BUILD)/perfpilot
	@cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/perfpilot: $(USER_OBJS)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -o $@ $^ $(LIBS)

$(BPF_BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/perfpilot.h vmlinux/$(ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_BUILD)/skel/%.skel.h: $(BPF_BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# each object depends on the headers it includes (-MMD), so that a change
# rebuilds, and relinks, only what uses it
$(BUILD)/obj/%.o: user/%.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -MMD -MP -c $< -o $@

-include $(USER_OBJS:.o=.d) $(UNIT_BINS:=.d)

# an object or test without its .d (built by an older Makefile, or the .d
# removed) is built again: nothing else says which headers it used
STALE := $(foreach o,$(USER_OBJS),$(if $(wildcard $(o:.o=.d)),,$(wildcard $(o)))) \
	 $(foreach t,$(UNIT_BINS),$(if $(wildcard $(t).d),,$(wildcard $(t))))
$(STALE): FORCE
FORCE:

.SECONDEXPANSION:
$(BUILD)/lib/%.a: $$(call lib_objs,$$*)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# unit tests: normal and with AddressSanitizer + UndefinedBehaviorSanitizer;
# each links only the archives of what it tests and what that uses
$(BUILD)/tests/%: tests/unit/%.c $$(call test_libs,$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -Itests/unit -MMD -MP -MF $@.d -MT $@ -o $@ $< \
		$(filter %.a,$^) $(LIBS) -lcurl -lcmocka

# the workloads' shared static inline helpers
$(WORKLOADS): tests/workloads/workload.h

$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -o $@ $< -lpthread

# hot has a known profile: frame pointers everywhere, so its stacks unwind
$(BUILD)/workloads/hot: tests/workloads/hot.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
		-Wall -Wextra -Werror -o $@ $<

# the same without frame pointers, at -O2 as distributions build (no
# identical code folding: hot_a, hot_b and hot_c have the same body)
WORKLOADS += $(BUILD)/workloads/hot_nofp
$(BUILD)/workloads/hot_nofp: tests/workloads/hot.c tests/workloads/workload.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer -fno-ipa-icf -Wall -Wextra -Werror -o $@ $<

# threads and a signal handler, also without frame pointers (--unwind dwarf)
$(BUILD)/workloads/nofp_threads $(BUILD)/workloads/nofp_signal: \
		$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer -Wall -Wextra -Werror -o $@ $< -lpthread

# jit calls its hand-written code from main, inlined has a known inlined
# function, vdso calls the vDSO: frame pointers, so that they unwind
$(BUILD)/workloads/jit $(BUILD)/workloads/inlined $(BUILD)/workloads/vdso: \
		$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o $@ $<

# offcpu blocks in known functions: its stacks must unwind the same way
$(BUILD)/workloads/offcpu: tests/workloads/offcpu.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
		-Wall -Wextra -Werror -o $@ $< -lpthread

# tools/bench/mkstore writes synthetic stores for tools/bench/scale
MKSTORE_LIBS = $(patsubst %,$(BUILD)/lib/%.a,$(shell tools/check-layers.sh --libs tools/bench/mkstore.c))
$(BUILD)/mkstore: tools/bench/mkstore.c $$(MKSTORE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -o $@ $< $(filter %.a,$^) $(LIBS)

# tools/bench/unwind builds the unwind tables of given files with this
UNWIND_TABLES_LIBS = $(patsubst %,$(BUILD)/lib/%.a,$(shell tools/check-layers.sh --libs tools/bench/unwind_tables.c))
$(BUILD)/unwind-tables: tools/bench/unwind_tables.c $$(UNWIND_TABLES_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -o $@ $< $(filter %.a,$^) $(LIBS)

# tools/bench/overhead times perfpilot's collectors attached and detached
# in turn, second by second, with this
INTERLEAVE_LIBS = $(patsubst %,$(BUILD)/lib/%.a,$(shell tools/check-layers.sh --libs tools/bench/interleave.c))
$(BUILD)/interleave: tools/bench/interleave.c tools/bench/orderstat.h $$(INTERLEAVE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -o $@ $< $(filter %.a,$^) $(LIBS)

# no include in user/ goes against the layers, and the check catches one
# that does
check-layers:
	@tools/check-layers.sh
	@tools/check-layers.sh --self-test

unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || rc=1; done; exit $$rc

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan CFLAGS="-O1 -g $(SAN_FLAGS)" build/asan/perfpilot unit

# fuzzing (tests/fuzz, README "Fuzzing"): one libFuzzer harness per parser
# of outside data, built with clang, ASan and UBSan in build/fuzz with the
# user/ code it links (the archives of the folders it includes, as a unit
# test). make fuzz runs each for FUZZ_SECONDS; make test runs each over its
# corpus and fuzzes it briefly (fuzz-regress).
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
FUZZ_BINS    := $(addprefix build/fuzz/bin/,$(FUZZ_NAMES))
FUZZ_CFLAGS  := -O0 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
FUZZ_SECONDS ?= 30
fuzz_libs    = $(patsubst %,$(BUILD)/lib/%.a,$(shell tools/check-layers.sh --libs tests/fuzz/$(1).c))

$(BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $$(call fuzz_libs,fuzz_$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
		$(filter %.a,$^) $(LIBS)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build/fuzz BPF_BUILD=build CC=$(CLANG) \
		CFLAGS="$(FUZZ_CFLAGS)" \
		$(FUZZ_BINS) build/fuzz/mkstore

fuzz: fuzz-build
	@tests/fuzz/run.sh fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-regress: fuzz-build
	@tests/fuzz/run.sh regress 1 $(FUZZ_NAMES)

# the end-to-end tests drive the sanitizer build of perfpilot
e2e: perfpilot $(WORKLOADS) $(BUILD)/interleave asan
	@PERFPILOT=build/asan/perfpilot PERFPILOT_PLAIN=$(BUILD)/perfpilot WORKLOADS=$(BUILD)/workloads \
		INTERLEAVE=$(BUILD)/interleave tests/e2e/run.sh

run: deps
	@$(MAKE) --no-print-directory perfpilot
	./perfpilot report --live -d 10

# the builds in parallel (one job per CPU); the tests themselves run one
# at a time, as each recipe runs them
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# (the unit tests run once, under the sanitizers, as part of e2e's asan;
# `make unit` runs them without; the ones in UNIT_PLAIN also run without,
# as what they check is glibc's own allocator, which ASan replaces)
UNIT_PLAIN := $(BUILD)/tests/record/test_heap
test: deps
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory -j$(JOBS) perfpilot $(UNIT_PLAIN)
	@for t in $(UNIT_PLAIN); do echo "== $$t"; $$t || exit 1; done
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-regress
	@$(MAKE) --no-print-directory -j$(JOBS) e2e

bench: deps
	@tools/setup-deps.sh --bench
	@$(MAKE) --no-print-directory perfpilot
	tools/bench/overhead

vmlinux:
	tools/gen-vmlinux.sh

# make install [PREFIX=/usr/local] [DESTDIR=DIR]: the program in sbin (it
# needs root), the systemd unit where systemd looks for a PREFIX of /usr or
# /usr/local, the man pages, the examples in the doc directory, and the
# daemon's config in /etc/perfpilot whatever PREFIX is (the program looks
# for it there), never over an existing one. The state directory
# /var/lib/perfpilot is systemd's to make (StateDirectory=). PERFPILOT_BIN
# is the program installed (the e2e test passes the one it tests).
# docs/install.md says what goes where and why.
PREFIX        ?= /usr/local
SBINDIR       ?= $(PREFIX)/sbin
MANDIR        ?= $(PREFIX)/share/man
DOCDIR        ?= $(PREFIX)/share/doc/perfpilot
UNITDIR       ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR    ?= /etc
PERFPILOT_BIN ?= $(BUILD)/perfpilot
INSTALL       ?= install
CONF          := $(DESTDIR)$(SYSCONFDIR)/perfpilot/perfpilot.conf
PROM_FILES    := perfpilot.rules.yml perfpilot.rules.test.yml prometheus.yml
UNIT_WANTS    := $(DESTDIR)/etc/systemd/system/multi-user.target.wants/perfpilot.service

install: $(PERFPILOT_BIN)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/prometheus $(DESTDIR)$(SYSCONFDIR)/perfpilot
	$(INSTALL) -m 0755 $(PERFPILOT_BIN) $(DESTDIR)$(SBINDIR)/perfpilot
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		contrib/systemd/perfpilot.service.in >$(DESTDIR)$(UNITDIR)/perfpilot.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/perfpilot.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/perfpilot.service.tmp $(DESTDIR)$(UNITDIR)/perfpilot.service
	$(INSTALL) -m 0644 man/perfpilot.8 $(DESTDIR)$(MANDIR)/man8/perfpilot.8
	$(INSTALL) -m 0644 man/perfpilot.conf.5 $(DESTDIR)$(MANDIR)/man5/perfpilot.conf.5
	$(INSTALL) -m 0644 contrib/tune.conf $(DESTDIR)$(DOCDIR)/tune.conf
	$(INSTALL) -m 0644 $(addprefix contrib/prometheus/,$(PROM_FILES)) $(DESTDIR)$(DOCDIR)/prometheus/
	@if [ ! -e $(CONF) ]; then \
		echo "$(INSTALL) -m 0644 contrib/perfpilot.conf $(CONF)"; \
		$(INSTALL) -m 0644 contrib/perfpilot.conf $(CONF); \
	elif cmp -s contrib/perfpilot.conf $(CONF); then \
		echo "$(CONF): already the default"; \
	else \
		$(INSTALL) -m 0644 contrib/perfpilot.conf $(CONF).new; \
		echo "$(CONF): yours, kept; the new default is $(CONF).new"; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		echo "now: systemctl daemon-reload; systemctl enable --now perfpilot"; fi

# make uninstall [PREFIX=...] [DESTDIR=DIR]: removes what install put, but
# a config that differs from the default (someone changed it) and the
# state directory (the daemon's store, the tuner's journal) stay
uninstall:
	@if [ -e $(UNIT_WANTS) ] || [ -L $(UNIT_WANTS) ]; then \
		echo "perfpilot.service is enabled: systemctl disable --now perfpilot first" >&2; exit 2; fi
	rm -f $(DESTDIR)$(SBINDIR)/perfpilot $(DESTDIR)$(UNITDIR)/perfpilot.service \
		$(DESTDIR)$(MANDIR)/man8/perfpilot.8 $(DESTDIR)$(MANDIR)/man5/perfpilot.conf.5 \
		$(DESTDIR)$(DOCDIR)/tune.conf $(addprefix $(DESTDIR)$(DOCDIR)/prometheus/,$(PROM_FILES))
	-@rmdir $(DESTDIR)$(DOCDIR)/prometheus $(DESTDIR)$(DOCDIR) 2>/dev/null
	@for f in $(CONF) $(CONF).new; do \
		if cmp -s contrib/perfpilot.conf $$f; then echo "rm -f $$f"; rm -f $$f; \
		elif [ -e $$f ]; then echo "$$f: changed from the default, kept"; fi; \
	done
	-@rmdir $(DESTDIR)$(SYSCONFDIR)/perfpilot 2>/dev/null
	@if [ -d $(DESTDIR)/var/lib/perfpilot ]; then \
		echo "$(DESTDIR)/var/lib/perfpilot (the daemon's store, the tuner's journal): kept; remove it by hand"; fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then echo "now: systemctl daemon-reload"; fi

clean:
	rm -rf build perfpilot
