# perfpilot: eBPF profiler and auto-tuner.
#   make            build ./perfpilot
#   make run        install missing packages, build, a 10 s live report of the host
#   make test       install missing packages, check the layers of user/, build,
#                   run unit + end-to-end tests
#   make vmlinux    regenerate vmlinux/<arch>/vmlinux.h from the running kernel

ARCH      := $(shell uname -m)
BPF_ARCH  := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool

# CFLAGS may be set on the command line (the sanitizer build does);
# the project's own flags are added to them
CFLAGS    ?= -O2 -g
PP_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(BUILD)/skel -Iuser
LIBS      := -lbpf -lelf -ldw -lz -ljansson -lncursesw -lsqlite3 -liberty -lmicrohttpd -lcurl -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
              -Ivmlinux/$(ARCH) -Iinclude -Ibpf

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))
# user/ holds main.c and the command line the commands share (cli.c,
# args.c); each of its folders is one concern, in the layers that
# docs/architecture.md describes and tools/check-layers.sh checks
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(USER_SRCS))
# the unit tests link archives, one per folder: $(BUILD)/lib/<folder>.a,
# and $(BUILD)/lib/user.a for user/'s own files but main.c
# (user/tune/stubs.c, the weak stand-ins of tuners not written yet, is for
# the program only: in an archive a stub could hide the real tuner)
lib_srcs   = $(if $(filter user,$(1)),$(filter-out user/main.c,$(wildcard user/*.c)),$(filter-out user/tune/stubs.c,$(wildcard user/$(1)/*.c)))
lib_objs   = $(patsubst user/%.c,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
# the archives of a unit test (tests/unit/$(1).c): those of the folders it
# includes and of the folders they use, from the top down
test_libs  = $(patsubst %,$(BUILD)/lib/%.a,$(shell tools/check-layers.sh --libs tests/unit/$(1).c))

UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
WORKLOADS := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,$(wildcard tests/workloads/*.c))

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: FORCE all deps run test check-layers unit e2e asan clean vmlinux bench
.SECONDARY:
all: perfpilot

deps:
	@tools/setup-deps.sh

perfpilot: $(BUILD)/perfpilot
	@cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/perfpilot: $(USER_OBJS)
	$(CC) $(CFLAGS) $(PP_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/perfpilot.h vmlinux/$(ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
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
		$(filter %.a,$^) $(LIBS) -lcmocka

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

# no include in user/ goes against the layers, and the check catches one
# that does
check-layers:
	@tools/check-layers.sh
	@tools/check-layers.sh --self-test

unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || rc=1; done; exit $$rc

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan CFLAGS="-O1 -g $(SAN_FLAGS)" build/asan/perfpilot unit

# the end-to-end tests drive the sanitizer build of perfpilot
e2e: perfpilot $(WORKLOADS) asan
	@PERFPILOT=build/asan/perfpilot PERFPILOT_PLAIN=$(BUILD)/perfpilot WORKLOADS=$(BUILD)/workloads tests/e2e/run.sh

run: deps
	@$(MAKE) --no-print-directory perfpilot
	./perfpilot report --live -d 10

test: deps
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory perfpilot unit
	@$(MAKE) --no-print-directory e2e

bench: deps
	@tools/setup-deps.sh --bench
	@$(MAKE) --no-print-directory perfpilot
	tools/bench/overhead

vmlinux:
	tools/gen-vmlinux.sh

clean:
	rm -rf build perfpilot
