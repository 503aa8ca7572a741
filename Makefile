# gmm: Gaussian mixture models from the shell.
#   make          build ./gmm (objects under build/)
#   make check    install missing packages, build, run every test, then run
#                 them all again on a build with ASan and UBSan
#   make check SANITIZE=1   only the sanitizer build (build/san/gmm) and run
#   make demo     install missing packages, build, run the main job on data/
#   make install  PREFIX=/usr/local DESTDIR=

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
CFLAGS ?= -O2 -g
WARN = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic
OPENBLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
OPENBLAS_LIBS := $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
ALL_CFLAGS = $(WARN) -fopenmp $(OPENBLAS_CFLAGS) $(CFLAGS)
# GSL's own CBLAS (-lgslcblas) is left out on purpose: OpenBLAS comes first
# and provides every cblas_* symbol (LD_DEBUG=bindings shows it).
LIBS = $(OPENBLAS_LIBS) -lgsl -lcsv -ljansson -lm
LDFLAGS ?=

ifeq ($(SANITIZE),1)
BUILD = build/san
BIN = build/san/gmm
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer
else
BUILD = build
BIN = gmm
endif

SRC = $(wildcard src/*.c)
OBJ = $(SRC:src/%.c=$(BUILD)/%.o)
LIBOBJ = $(filter-out $(BUILD)/main.o,$(OBJ))

all: $(BIN)

$(BIN): $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD)

deps:
	@scripts/install-deps.sh

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/%)

$(BUILD)/test_%: tests/unit/test_%.c tests/unit/check.h $(LIBOBJ)
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LIBS)

check: deps
	@$(MAKE) --no-print-directory $(BIN) $(UNIT_BIN)
	@BUILD=$(BUILD) GMM=$(CURDIR)/$(BIN) tests/run
ifneq ($(SANITIZE),1)
	@echo "== fuzz targets, a short smoke run each"
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	@echo "== the same tests under AddressSanitizer and UBSan"
	@$(MAKE) --no-print-directory check SANITIZE=1
endif

demo: deps
	@$(MAKE) --no-print-directory gmm
	@scripts/demo

# libFuzzer targets (clang): tests/fuzz/fuzz_<name>.c over the parsers.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined
FUZZ_LIBSRC = src/cmd.c src/csvin.c src/csvout.c src/error.c src/model.c \
    src/modelfile.c src/modeljson.c
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBSRC) $(wildcard src/*.h)
	@mkdir -p build/fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(OPENBLAS_CFLAGS) \
	    $(FUZZ_FLAGS) -Isrc -o $@ $< $(FUZZ_LIBSRC) $(LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)

install: gmm
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 gmm $(DESTDIR)$(PREFIX)/bin/gmm
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build gmm

.PHONY: all check demo deps fuzz install clean
