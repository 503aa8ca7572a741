#!/bin/sh
# The layers of src/, each using only those below it: base/ (constants,
# errors, text) < engine/ (the mixture, kernels, EM, threads, starts,
# scoring, sampling) < io/ (CSV, model files, where -o writes) < cmd/ (the
# subcommands).  Every include of a project header names its layer, and no
# file includes a header of a layer above its own.  A new covariance model
# or component family goes in engine/, a new data source, file format or
# transport between processes (io/mpi.c, behind engine/comm.h) in io/, a
# new subcommand in cmd/.
. "$(dirname "$0")/lib.sh"

rank() {
	case $1 in
	base) echo 0 ;;
	engine) echo 1 ;;
	io) echo 2 ;;
	cmd) echo 3 ;;
	*) echo 9 ;;
	esac
}

check "src/ holds only the four layers" \
    sh -c '[ "$(cd "$1/src" && ls | tr "\n" " ")" = "base cmd engine io " ]' sh "$TOP"
check "no source file sits in src/ itself" \
    sh -c '! ls "$1"/src/*.[ch] >/dev/null 2>&1' sh "$TOP"
for f in "$TOP"/src/*/*.[ch]; do
	layer=$(basename "$(dirname "$f")")
	own=$(rank "$layer")
	bad=
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in
		*/*) ;;
		*) bad="$bad $inc(no layer)"; continue ;;
		esac
		[ -f "$TOP/src/$inc" ] || { bad="$bad $inc(missing)"; continue; }
		[ "$(rank "${inc%%/*}")" -le "$own" ] || bad="$bad $inc"
	done
	rel=${f#"$TOP"/}
	if [ -z "$bad" ]; then
		ok "$rel includes only its own layer and those below"
	else
		not_ok "$rel includes only its own layer and those below" \
		    "includes:$bad"
	fi
done
done_testing
