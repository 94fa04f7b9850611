# memsim - one Makefile for the whole tree.
#
#   make run      set up, build, run configs/default.yaml -> results/default.json
#   make check    set up, build, run every test (unit suites and CLI scripts)
#   make debug    the same tests under AddressSanitizer and UBSan (build/debug)
#   make bench    benchmarks in tests/bench (figures printed, never asserted)
#   make mpi      build/mpi/memsim, built with mpicc, for `sweep --mpi` (Open MPI)
#   make check-mpi  the MPI sweep test (tests/mpi.sh), which needs `make mpi`
#   make fuzz     libFuzzer harnesses (tests/fuzz), each run FUZZ_SECONDS (20)

PKGS      := gsl yaml-0.1 libcjson
TEST_PKGS := check
APT_PKGS  := libgsl-dev libyaml-dev libcjson-dev check pkg-config

WARN := -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
	-Wdouble-promotion -Wvla
ifeq ($(CI),true)
WARN += -Werror
endif

CFLAGS ?= -O2 -g
B ?= build
PREFIX ?= /usr/local

# pkg-config is asked only after deps has run (recursive make below), so
# a fresh machine never sees a half-evaluated flag list.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -pthread $(WARN) $(CFLAGS) $(PKG_CFLAGS)
ALL_CPPFLAGS = -Isim -Imodel -Ipolicies -Iworkloads -Ianalysis $(CPPFLAGS)
LDLIBS = $(PKG_LIBS) -lm -pthread

SRC  := $(wildcard sim/*.c model/*.c policies/*.c workloads/*.c analysis/*.c)
OBJ  := $(patsubst %.c,$(B)/%.o,$(filter-out sim/main.c,$(SRC)))
TOBJ := $(patsubst %.c,$(B)/%.o,$(wildcard tests/*.c))
BENCH := $(patsubst tests/bench/%.c,$(B)/bench/%,$(wildcard tests/bench/*.c))

all: deps
	@$(MAKE) --no-print-directory $(B)/memsim

$(B)/memsim: $(B)/sim/main.o $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/check_all: $(TOBJ) $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(B)/tests/%.o: ALL_CFLAGS += $(CHECK_CFLAGS) -DSIM_TEST

$(B)/bench/%: tests/bench/%.c $(OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# deps: install what pkg-config cannot find, with apt-get when root.
deps:
	@missing=""; \
	for p in $(PKGS) $(TEST_PKGS); do \
		pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "memsim: missing packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PKGS) || exit 1; \
		else \
			echo "run: sudo apt-get update && sudo apt-get install -y $(APT_PKGS)"; \
			exit 1; \
		fi; \
	fi

# deps-plot: gnuplot, which `memsim plot` runs, installed only where plots
# are asked for (the tests draw some).
deps-plot:
	@if ! command -v gnuplot >/dev/null 2>&1; then \
		echo "memsim: gnuplot is missing (memsim plot needs it)"; \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox || exit 1; \
		else \
			echo "run: sudo apt-get update && sudo apt-get install -y gnuplot-nox"; \
			exit 1; \
		fi; \
	fi

# deps-mpi: Open MPI, which `make mpi` compiles with, installed only where
# the MPI build is asked for.
deps-mpi:
	@if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then \
		echo "memsim: Open MPI is missing (make mpi needs mpicc and mpirun)"; \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			  openmpi-bin libopenmpi-dev || exit 1; \
		else \
			echo "run: sudo apt-get update && sudo apt-get install -y" \
			  "openmpi-bin libopenmpi-dev"; \
			exit 1; \
		fi; \
	fi

# deps-fuzz: clang and its libFuzzer runtime, which `make fuzz` compiles
# with, installed only where fuzzing is asked for.  The probe links a
# harness that does nothing, so a clang without the runtime counts as missing.
FUZZ_CC ?= clang-14
FUZZ_APT := clang-14 libclang-rt-14-dev
deps-fuzz:
	@if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return !d + !n; }' | \
	     $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1; then \
		echo "memsim: $(FUZZ_CC) with libFuzzer is missing (make fuzz needs it)"; \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(FUZZ_APT) || exit 1; \
		else \
			echo "run: sudo apt-get update && sudo apt-get install -y $(FUZZ_APT)"; \
			exit 1; \
		fi; \
	fi

run: all
	@mkdir -p results
	./$(B)/memsim run configs/default.yaml -o results/default.json

check: deps deps-plot
	@$(MAKE) --no-print-directory $(B)/memsim $(B)/check_all
	sh tests/layers.sh
	./$(B)/check_all
	MEMSIM=./$(B)/memsim sh tests/cli.sh
	MEMSIM=./$(B)/memsim sh tests/sweep.sh
	MEMSIM=./$(B)/memsim sh tests/plan.sh
	MEMSIM=./$(B)/memsim sh tests/summary.sh
	MEMSIM=./$(B)/memsim sh tests/compare.sh
	MEMSIM=./$(B)/memsim sh tests/describe.sh
	MEMSIM=./$(B)/memsim sh tests/plot.sh

# The sanitizers slow the tests several times: Check's timeouts stretch to match.
debug check-sanitize: deps deps-plot
	@CK_TIMEOUT_MULTIPLIER=4 $(MAKE) --no-print-directory B=build/debug check-nodeps \
	  CFLAGS='-O1 -g3 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
	  LDFLAGS='-fsanitize=address,undefined'

check-nodeps: $(B)/memsim $(B)/check_all
	sh tests/layers.sh
	./$(B)/check_all
	MEMSIM=./$(B)/memsim sh tests/cli.sh
	MEMSIM=./$(B)/memsim sh tests/sweep.sh
	MEMSIM=./$(B)/memsim sh tests/plan.sh
	MEMSIM=./$(B)/memsim sh tests/summary.sh
	MEMSIM=./$(B)/memsim sh tests/compare.sh
	MEMSIM=./$(B)/memsim sh tests/describe.sh
	MEMSIM=./$(B)/memsim sh tests/plot.sh

# mpi: the same memsim built with mpicc and -DMEMSIM_MPI, in its own tree.
mpi: deps deps-mpi
	@$(MAKE) --no-print-directory B=$(B)/mpi CC=mpicc CFLAGS='$(CFLAGS) -DMEMSIM_MPI' \
	  $(B)/mpi/memsim

check-mpi: all deps-mpi mpi
	MEMSIM=./$(B)/memsim MEMSIM_MPI=./$(B)/mpi/memsim sh tests/mpi.sh

# fuzz: every tests/fuzz/fuzz_*.c harness, built with clang under ASan and
# UBSan in build/fuzz, run for FUZZ_SECONDS each from a seed corpus of the
# project's examples and test data (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 20
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) \
	  CFLAGS='-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link' LDFLAGS='$(FUZZ_SAN)' fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh build/fuzz $(FUZZ_NAMES)

fuzz-build: $(patsubst %,$(B)/fuzz_%,$(FUZZ_NAMES))

.PRECIOUS: $(B)/tests/fuzz/%.o
$(B)/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/harness.o $(OBJ)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory $(B)/memsim $(BENCH)
	@for b in $(BENCH); do echo "== $$b"; ./$$b || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(B)/memsim $(DESTDIR)$(PREFIX)/bin/memsim

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(TOBJ:.o=.d) $(B)/sim/main.d
-include $(wildcard $(B)/tests/fuzz/*.d)

.PHONY: all deps deps-plot run check debug check-sanitize check-nodeps bench install clean
.PHONY: deps-mpi mpi check-mpi
.PHONY: deps-fuzz fuzz fuzz-build
