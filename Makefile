# ptpcal -- build, test, benchmark, fuzz, install.
#
#   make            build ./ptpcal (build/ptpcal, linked to ./ptpcal)
#   make check      install missing deps, then unit tests (plain and ASan+UBSan),
#                   fuzz-corpus regression and end-to-end tests
#   make demo       install missing deps, run the main job on a bundled dataset
#   make bench      speed and memory against the reference tools (tshark, allantools, ...)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (clang)
#   make lab-check  the live-lab tests 20 times with tight verdicts: coverage, residuals
#   make install    PREFIX=/usr/local DESTDIR=
#
# Module sources are found by wildcard: a new module is a new .c/.h pair in its directory, a
# new unit test is tests/unit/test_<name>.c defining `Suite *<name>_suite(void)`, a new fuzz
# target is tests/fuzz/fuzz_<name>.c. Nothing here needs editing to add one.

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
MODULES  := common capture analyze calibrate lab pipeline report
PKGS     := libpcap gsl libgps libcrypto
CHECKPKG := check

WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECK_CFLAGS := $(shell pkg-config --cflags $(CHECKPKG) 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs $(CHECKPKG) 2>/dev/null)
CPPFLAGS += -I. -DPTPCAL_VERSION='"$(VERSION)"'
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS) $(CFLAGS)

SRCS     := $(sort $(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
OBJS     := $(SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/tests/unit/main.o $(BUILD)/tests/unit/testutil.o
SUITES   := $(patsubst tests/unit/test_%.c,%,$(TEST_SRCS))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/fuzz_%,$(FUZZ_SRCS))

.PHONY: all check unit unit-asan e2e fuzz-regress demo bench fuzz install uninstall clean deps \
        check-clang long-check lab-check
all: $(BUILD)/ptpcal ptpcal

ptpcal: $(BUILD)/ptpcal
	ln -sf $(BUILD)/ptpcal ptpcal

$(BUILD)/libptpcal.a: $(OBJS)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/ptpcal: $(BUILD)/ptpcal.o $(BUILD)/libptpcal.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

# The list of Check suites, generated from the test file names.
$(BUILD)/tests/unit/suites.inc: $(TEST_SRCS) Makefile
	@mkdir -p $(@D)
	@printf '%s\n' $(foreach s,$(SUITES),'SUITE($(s))') >$@.tmp && \
	  (cmp -s $@.tmp $@ || mv $@.tmp $@); rm -f $@.tmp
# Suites are found by name, not declared in headers.
$(BUILD)/tests/%.o: WARN += -Wno-missing-prototypes
$(BUILD)/tests/unit/main.o: $(BUILD)/tests/unit/suites.inc
$(BUILD)/tests/unit/main.o: CPPFLAGS += -I$(BUILD)/tests/unit

$(BUILD)/unit-tests: $(TEST_OBJS) $(BUILD)/libptpcal.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS)

# --- tests ---------------------------------------------------------------------------------
# The README's test command. Order: cheapest and most basic first.
# Builds use every core (-j: the three builds were a third of its time on 2 cores); the
# tests themselves run one at a time (timing-sensitive lab tests must not compete).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
check: deps
	$(MAKE) --no-print-directory -j$(JOBS) all
	$(MAKE) --no-print-directory -j$(JOBS) check-clang
	$(MAKE) --no-print-directory -j$(JOBS) unit
	$(MAKE) --no-print-directory -j$(JOBS) unit-asan
	$(MAKE) --no-print-directory -j$(JOBS) fuzz-regress
	$(MAKE) --no-print-directory -j$(JOBS) e2e

deps:
	@scripts/install-deps

unit: $(BUILD)/unit-tests
	@echo "== unit tests ($(BUILD))"
	cd tests && PTPCAL_TOP="$(CURDIR)" ../$(BUILD)/unit-tests

unit-asan:
	@echo "== unit tests under ASan+UBSan"
	$(MAKE) --no-print-directory BUILD=build/asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" \
	  build/asan/unit-tests build/asan/ptpcal
	@# Two halves of the suites side by side, one per core: LeakSanitizer's check as each
	@# forked test exits made the single run 2 min of a 2-core machine (35 s without it).
	@# Each half prints its own Check summary line; both must pass. Check's per-test timeouts
	@# (4 s unless a suite sets its own) are for hangs: x4 for the sanitizers' slowdown with
	@# both cores busy (series_in's 1.8 s test had no margin).
	@cd tests && set -- $(SUITES); a="" b=""; while [ $$# -gt 0 ]; do a="$$a $$1"; \
	  [ $$# -gt 1 ] && b="$$b $$2"; shift; [ $$# -gt 0 ] && shift; done; \
	  export PTPCAL_TOP="$(CURDIR)" CK_TIMEOUT_MULTIPLIER=4 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; \
	  ../build/asan/unit-tests $$b >../build/asan/unit-b.log 2>&1 & pb=$$!; \
	  ../build/asan/unit-tests $$a >../build/asan/unit-a.log 2>&1; ra=$$?; wait $$pb; rb=$$?; \
	  cat ../build/asan/unit-a.log ../build/asan/unit-b.log; \
	  [ $$ra = 0 ] && [ $$rb = 0 ] || { echo "unit tests under ASan+UBSan failed (exit $$ra, $$rb)"; exit 1; }

# Every fuzz target replayed over its seed corpus under ASan+UBSan (gcc build, no libFuzzer
# needed): the crashes fuzzing found once stay fixed.
fuzz-regress:
	@echo "== fuzz corpus regression"
	$(MAKE) --no-print-directory BUILD=build/asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" $(patsubst $(BUILD)/%,build/asan/%-replay,$(FUZZERS))
	@set -e; for f in $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS)); do \
	  ASAN_OPTIONS=detect_leaks=1 build/asan/fuzz/fuzz_$$f-replay tests/fuzz/corpus/$$f; done

# Test helpers (synthetic captures) built from tests/tools/*.c.
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(BUILD)/libptpcal.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Objects are not intermediate files to delete after linking.
.SECONDARY:

e2e: all $(TOOLS)
	@echo "== end-to-end tests"
	PTPCAL="$(CURDIR)/$(BUILD)/ptpcal" PTPCAL_ASAN="$(CURDIR)/build/asan/ptpcal" tests/e2e/run

# Build everything with clang too (the standard says gcc and clang, warning-free).
check-clang:
	@echo "== clang build (warnings are errors)"
	@$(MAKE) --no-print-directory BUILD=build/clang CC=clang build/clang/ptpcal build/clang/unit-tests

# The live-lab tests repeated with their tight verdicts: coverage and residual figures
# (tests/lab-check/run; LAB_CHECK_ARGS="-n 20 --busy" for the make check promise under load).
LAB_CHECK_ARGS ?= -n 20
lab-check: all
	tests/lab-check/run $(LAB_CHECK_ARGS)

# Hour-long runs, kept out of `make check`.
long-check: all
	tests/long/run

# --- fuzzing -------------------------------------------------------------------------------
FUZZ_SECONDS ?= 60
# UBSan must stop the run (a report on libFuzzer's closed stderr is lost otherwise).
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer
# The library is built with fuzzer-no-link so that libFuzzer sees coverage inside the code
# under test (without it only the target file is instrumented: 6 edges for fuzz_analyze).
# Objects built before this flag existed: rm -rf build/fuzz once.
fuzz:
	$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
	  OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  $(patsubst $(BUILD)/%,build/fuzz/%,$(FUZZERS))
	@# Every target runs even after one finds a crash; the crash reports stay on stderr (the
	@# targets' own one-line errors come with them: -close_fd_mask would hide both).
	@failed=""; for f in $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS)); do \
	  mkdir -p build/fuzz/corpus/$$f; \
	  echo "== fuzz $$f for $(FUZZ_SECONDS) s"; \
	  n0=$$(ls build/fuzz/crash-* build/fuzz/timeout-* build/fuzz/leak-* 2>/dev/null | wc -l); \
	  build/fuzz/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/ build/fuzz/corpus/$$f tests/fuzz/corpus/$$f 2>&1 | \
	    grep -v '^ptpcal' || true; \
	  [ "$$(ls build/fuzz/crash-* build/fuzz/timeout-* build/fuzz/leak-* 2>/dev/null | wc -l)" = "$$n0" ] || \
	    failed="$$failed $$f"; done; \
	  if [ -n "$$failed" ]; then echo "fuzz: findings in build/fuzz/ (targets:$$failed)"; exit 1; fi

build/fuzz/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libptpcal.a
	@mkdir -p $(@D)
	clang $(CPPFLAGS) $(CSTD) $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $(filter-out %.h,$^) $(PKG_LIBS)

build/asan/fuzz/fuzz_%-replay: tests/fuzz/fuzz_%.c tests/fuzz/replay.c build/asan/libptpcal.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(PKG_LIBS)

# The importer targets share their body (tests/fuzz/import_common.h).
$(foreach t,$(filter fuzz_import_%,$(notdir $(FUZZ_SRCS:.c=))),build/fuzz/fuzz/$(t) build/asan/fuzz/$(t)-replay): tests/fuzz/import_common.h
# Targets fed a directory of files split their input with tests/fuzz/split_files.h.
$(foreach t,fuzz_analysis_in fuzz_doctor_tree,build/fuzz/fuzz/$(t) build/asan/fuzz/$(t)-replay): tests/fuzz/split_files.h
# Targets reading their input with libpcap open it with tests/fuzz/pcap_mem.h.
$(foreach t,fuzz_pcap fuzz_pcap_records,build/fuzz/fuzz/$(t) build/asan/fuzz/$(t)-replay): tests/fuzz/pcap_mem.h

# --- demo and bench ------------------------------------------------------------------------
demo: deps
	$(MAKE) --no-print-directory all
	scripts/demo

bench: deps
	$(MAKE) --no-print-directory all $(TOOLS)
	tests/bench/run

# --- install -------------------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/ptpcal
	install -m 755 $(BUILD)/ptpcal $(DESTDIR)$(PREFIX)/bin/ptpcal
	install -m 644 docs/ptpcal.1 $(DESTDIR)$(PREFIX)/share/man/man1/ptpcal.1
	cp -r scripts $(DESTDIR)$(PREFIX)/share/ptpcal/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ptpcal $(DESTDIR)$(PREFIX)/share/man/man1/ptpcal.1
	rm -rf $(DESTDIR)$(PREFIX)/share/ptpcal

clean:
	rm -rf build ptpcal

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
