# gmm: Gaussian mixture models from the shell.
#   make          build ./gmm (objects under build/)
#   make check    install missing packages, build, run every test
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

SRC = $(wildcard src/*.c)
OBJ = $(SRC:src/%.c=build/%.o)
LIBOBJ = $(filter-out build/main.o,$(OBJ))

all: gmm

gmm: $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

build/%.o: src/%.c $(wildcard src/*.h) | build
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build:
	mkdir -p build

deps:
	@scripts/install-deps.sh

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/%)

build/test_%: tests/unit/test_%.c tests/unit/check.h $(LIBOBJ)
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LIBS)

check: deps
	@$(MAKE) --no-print-directory gmm $(UNIT_BIN)
	@tests/run

demo: deps
	@$(MAKE) --no-print-directory gmm
	@scripts/demo

install: gmm
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 gmm $(DESTDIR)$(PREFIX)/bin/gmm
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build gmm

.PHONY: all check demo deps install clean
