# gmm: Gaussian mixture models from the shell.
#   make          build ./gmm (objects under build/)
#   make check    install missing packages, build, run every test, the fuzz
#                 targets briefly, the CLI tests under valgrind, then every
#                 test again on a build with ASan and UBSan
#   make check SANITIZE=1   only the sanitizer build (build/san/gmm) and run
#   make check VALGRIND=1   only the CLI tests, each gmm run under valgrind
#   make MPI=1    build/mpi/gmm, which takes fit --mpi (Open MPI's mpicc);
#                 make check builds it and runs its tests under mpirun
#   make demo     install missing packages, build, run the main job on data/
#   make bench    speed and memory against the installed peers (minutes)
#   make install  PREFIX=/usr/local DESTDIR=

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
CFLAGS ?= -O2 -g
WARN = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic
# OpenBLAS's serial build (libopenblas-serial-dev), found by the runpath:
# our threads split the rows and BLAS only factors small matrices, while the
# default pthread build starts threads of its own that spin for their first
# 0.1 s and hold back ours, 15x on a small fit (faithful, k = 3, 200
# iterations: 0.15 s, 0.01 s with the serial build).
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
OPENBLAS_DIR = /usr/lib/$(MULTIARCH)/openblas-serial
OPENBLAS_PC = PKG_CONFIG_PATH=$(OPENBLAS_DIR)/pkgconfig pkg-config
OPENBLAS_CFLAGS := $(shell $(OPENBLAS_PC) --cflags openblas 2>/dev/null)
OPENBLAS_LIBS := $(shell $(OPENBLAS_PC) --libs openblas 2>/dev/null || \
    echo -lopenblas) -Wl,-rpath,$(OPENBLAS_DIR)
# -ffp-contract=fast: -std=c11 turns fused multiply-add off; the FMA
# builds of the vector kernels (KERNEL_ISAS) need it, and the baseline code
# has no FMA instruction to fuse into, so nothing else changes.
# -fno-math-errno: no code reads errno after a math function, and a sqrt
# that may set it cannot be vectorised.
NUM = -ffp-contract=fast -fno-math-errno
# -pthread: the E-step's own pool (src/engine/pool.c); -fopenmp: the k-means
# assignment and score's batches.
ALL_CFLAGS = $(WARN) $(NUM) -pthread -fopenmp $(OPENBLAS_CFLAGS) $(CFLAGS)
# GSL's own CBLAS (-lgslcblas) is left out on purpose: OpenBLAS comes first
# and provides every cblas_* symbol (LD_DEBUG=bindings shows it).
# cairo draws `gmm plot`'s charts (src/io/chart.c; headers by <cairo/...>, so
# no -I is needed)
LIBS = $(OPENBLAS_LIBS) -lgsl -lcsv -ljansson -lcairo -lm
LDFLAGS ?=

ifeq ($(SANITIZE),1)
BUILD = build/san
BIN = build/san/gmm
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer
else ifeq ($(MPI),1)
# fit --mpi (src/io/mpi.c): Open MPI's compiler wrapper, objects apart
BUILD = build/mpi
BIN = build/mpi/gmm
CC = mpicc
ALL_CFLAGS += -DGMM_MPI
else
BUILD = build
BIN = gmm
endif

# src/ by layers, each using only those below it (tests/cli/t0007-layers.sh
# checks the includes): base/ (constants, errors, text), engine/ (the
# mixture, its kernels, the EM driver and its threads, starts, scoring,
# sampling), io/ (CSV in and out, model files, where -o writes), cmd/ (the
# subcommands and main).  Headers are included by their path under src/.
SRC = $(filter-out src/engine/kernels_isa.c,$(wildcard src/*/*.c))
HDR = $(wildcard src/*/*.h)
# The kernels once per instruction set (src/engine/kernels.h): level 4
# (x86-64-v4, AVX-512), 3 (x86-64-v3, AVX2 and FMA) and 1 (the baseline);
# the program picks the best the processor runs.
ifeq ($(shell $(CC) -dumpmachine | grep -c '^x86_64'),1)
KERNEL_ISAS = 4 3 1
else
KERNEL_ISAS = 1
ALL_CFLAGS += -DGMM_KERNELS_BASELINE_ONLY
endif
KERNEL_OBJ = $(KERNEL_ISAS:%=$(BUILD)/engine/kernels-v%.o)
OBJ = $(SRC:src/%.c=$(BUILD)/%.o) $(KERNEL_OBJ)
LIBOBJ = $(filter-out $(BUILD)/cmd/main.o,$(OBJ))

all: $(BIN)

$(BIN): $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

$(BUILD)/%.o: src/%.c $(HDR) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/engine/kernels-v%.o: src/engine/kernels_isa.c $(HDR) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -DGMM_KERNELS_LEVEL=$* \
	    $(if $(filter 1,$*),,-march=x86-64-v$*) -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD)

deps:
	@scripts/install-deps.sh

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/%)

$(BUILD)/test_%: tests/unit/test_%.c tests/unit/check.h tests/unit/rows.h tests/unit/refmodel.h tests/unit/gaussref.h $(HDR) $(LIBOBJ)
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LIBS)

# The bare CSV read that scripts/bench sets beside gmm score.
$(BUILD)/bench-parse: scripts/bench-parse.c $(LIBOBJ)
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LIBS)

# The PNG reader of the plot tests (tests/cli/t7100-plot-model.sh).
$(BUILD)/png-pixel: tests/tools/png-pixel.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS)

# The allocation-failure shim of tests/cli/t0003-failmalloc.sh (LD_PRELOAD).
$(BUILD)/failmalloc.so: tests/faults/failmalloc.c | $(BUILD)
	$(CC) -O1 -g -Wall -Wextra -shared -fPIC -o $@ $< -ldl

ifeq ($(VALGRIND),1)
# The CLI tests with every gmm run under valgrind's memcheck.
check: deps
	@$(MAKE) --no-print-directory gmm build/png-pixel
	@rm -f build/valgrind.log
	@BUILD=build GMM=$(CURDIR)/tests/valgrind/gmm GMM_VALGRIND=1 \
	    GMM_VALGRIND_LOG=$(CURDIR)/build/valgrind.log tests/run || \
	    { head -n 60 build/valgrind.log; exit 1; }
else
check: deps
	@$(MAKE) --no-print-directory $(BIN) $(UNIT_BIN) $(BUILD)/failmalloc.so \
	    $(BUILD)/bench-parse $(BUILD)/png-pixel
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory MPI=1 build/mpi/gmm
endif
	@BUILD=$(BUILD) GMM=$(CURDIR)/$(BIN) $(if $(filter 1,$(SANITIZE)),JOBS=2) \
	    tests/run
ifneq ($(SANITIZE),1)
	@echo "== the benchmark script, smoke size (no timing is checked)"
	@scripts/bench --smoke >build/bench-smoke.log 2>&1 || \
	    { cat build/bench-smoke.log; exit 1; }
	@echo "ok - scripts/bench --smoke"
	@echo "== fuzz targets, a short smoke run each"
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	@echo "== the CLI tests under valgrind"
	@$(MAKE) --no-print-directory check VALGRIND=1
	@echo "== the same tests under AddressSanitizer and UBSan"
	@$(MAKE) --no-print-directory check SANITIZE=1
endif
endif

# Speed and memory side by side with the installed peers (scripts/bench).
bench:
	@scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory gmm build/bench-parse
	@scripts/bench

demo: deps
	@$(MAKE) --no-print-directory gmm
	@scripts/demo

# libFuzzer targets (clang): tests/fuzz/fuzz_<name>.c over the parsers.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined
# the parsers and what they call: base/, io/, the model, its family and
# covariance tables (with the M-steps they name), the rows' blocks that the
# CSV reader fills, the pool its parallel read runs on, and the option
# parsers of cmd/cmd.c
FUZZ_LIBSRC = $(wildcard src/base/*.c src/io/*.c) src/engine/model.c \
    src/engine/family.c src/engine/covmodel.c src/engine/mstep.c \
    src/engine/data.c src/engine/comm.c src/engine/pool.c src/cmd/cmd.c
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBSRC) $(HDR) \
    $(wildcard tests/fuzz/*.h)
	@mkdir -p build/fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(NUM) $(OPENBLAS_CFLAGS) \
	    -pthread $(FUZZ_FLAGS) -Isrc -o $@ $< $(FUZZ_LIBSRC) $(LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)

# MPI=1: the MPI build (build/mpi/gmm) goes in as gmm
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/gmm
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	./$(BIN) completion bash > \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/gmm
	./$(BIN) completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_gmm
	./$(BIN) completion fish > \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/gmm.fish

clean:
	rm -rf build gmm

# The README's pictures, from data/ (committed under doc/; rerun after a
# change to the charts).
doc: deps
	@$(MAKE) --no-print-directory gmm
	@mkdir -p doc build
	./gmm select-k -k 1..9 -q -o build/iris-best.gmm data/iris.csv \
	    > build/iris-select-k.csv
	./gmm plot bic -o doc/iris-bic.png build/iris-select-k.csv
	./gmm plot clusters -o doc/iris-clusters.png build/iris-best.gmm \
	    data/iris.csv

.PHONY: all bench check demo deps doc fuzz install clean
