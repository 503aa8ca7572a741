#!/bin/sh
# Install the Debian packages that building and testing gmm need, when any
# is missing.  A quick no-op when all are present.  Uses sudo when not root.
#
#   scripts/install-deps.sh          build and test (make check, make demo)
#   scripts/install-deps.sh --bench  also the peers scripts/bench runs
#                                    beside gmm (make bench)
set -eu

# OpenBLAS in its serial build (the Makefile says why); clang and its
# runtime (libFuzzer) build the fuzz targets of make check;
# strace injects faults (a kill or an error at a chosen system call),
# valgrind checks memory in the tests, time measures peak memory in
# scripts/bench; zsh and fish parse the completion scripts that
# `gmm completion` writes for them (t0008); cairo draws `gmm plot`;
# Open MPI builds and runs fit --mpi (make MPI=1, mpirun in t1970).
PACKAGES="gcc make pkg-config libgsl-dev libcsv-dev libopenblas-serial-dev
libjansson-dev libcairo2-dev clang libclang-rt-14-dev strace valgrind time
zsh fish libopenmpi-dev openmpi-bin"
# The peers of make bench: scikit-learn (with pandas to read CSV as its
# users do), R's mclust (its me() against the models it has and
# scikit-learn has not), and VLFeat and Armadillo, whose GMMs the bench
# drives from small C and C++ programs.  R comes without its recommended
# packages (--no-install-recommends below): mclust needs none of them.
if [ "${1:-}" = --bench ]; then
	PACKAGES="$PACKAGES python3-sklearn python3-pandas r-cran-mclust
libvlfeat-dev libarmadillo-dev g++"
fi

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
