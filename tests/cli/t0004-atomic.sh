#!/bin/sh
# Atomic model files: whatever stops fit at any point of writing its model
# (kill -9, a full disk, an I/O error), the old model stays whole and no
# temporary file is left beside it.  strace injects the fault at a chosen
# system call of the writing: the write of the data, the fsync, the link
# that names the file.  (A kill between the link to a temporary name and the
# rename over an existing model, two system calls apart, would leave that
# .gmm-model.* file; see write_atomic() in src/io/modelfile.c.)
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv

if [ -n "${GMM_VALGRIND:-}" ]; then
	ok "# skip under valgrind: strace would trace valgrind, not gmm"
	done_testing
	exit
fi
if ! command -v strace >/dev/null 2>&1; then
	not_ok "strace is installed (scripts/install-deps.sh)"
	done_testing
	exit
fi
"$GMM" fit -q -k 2 -o "$T/old.gmm" "$F"
"$GMM" fit -q -k 3 -o "$T/new.gmm" "$F"
mkdir "$T/d"

# fault SYSCALL INJECT [existing]: fit -k 3 -o $T/d/m.gmm under the fault,
# injected at the first call of SYSCALL (with -q, fit's first write, fsync,
# linkat and rename are those of the model; its first openat of $T/d, the
# O_TMPFILE one)
fault() {
	rm -rf "$T/d"
	mkdir "$T/d"
	[ "${3:-}" = existing ] && cp "$T/old.gmm" "$T/d/m.gmm"
	only=
	[ "$1" = openat ] && only="-P $T/d"
	# (LeakSanitizer cannot stop a traced process: no leak check here)
	# shellcheck disable=SC2086
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -o /dev/null $only -e trace="$1" -e inject="$1:$2:when=1" \
	    "$GMM" fit -q -k 3 -o "$T/d/m.gmm" "$F" >"$T/out" 2>"$T/err"
	st=$?
}

for sc in write fsync linkat; do
	fault "$sc" signal=KILL existing
	check "kill -9 at $sc: killed" test "$st" -eq 137
	check "  the old model is intact" cmp -s "$T/d/m.gmm" "$T/old.gmm"
	check "  and alone in its directory" test "$(ls -A "$T/d")" = m.gmm
	fault "$sc" signal=KILL
	check "kill -9 at $sc, no old model: nothing is left" test -z "$(ls -A "$T/d")"
done
fault write error=ENOSPC existing
expect_err "a full disk: a clear error" 1 "gmm fit: $T/d/m.gmm: No space left on device"
check "  the old model is intact" cmp -s "$T/d/m.gmm" "$T/old.gmm"
check "  and alone in its directory" test "$(ls -A "$T/d")" = m.gmm
fault fsync error=EIO existing
expect_err "an I/O error at fsync: a clear error" 1 "gmm fit: $T/d/m.gmm: Input/output error"
check "  the old model is intact" cmp -s "$T/d/m.gmm" "$T/old.gmm"
check "  and alone in its directory" test "$(ls -A "$T/d")" = m.gmm
fault rename error=EIO existing
expect_err "an error at rename: a clear error" 1 "gmm fit: $T/d/m.gmm: Input/output error"
check "  the old model is intact" cmp -s "$T/d/m.gmm" "$T/old.gmm"
check "  and alone in its directory" test "$(ls -A "$T/d")" = m.gmm
fault openat error=EOPNOTSUPP existing
check "no O_TMPFILE (a named temporary file instead): the new model" cmp -s "$T/d/m.gmm" "$T/new.gmm"
check "  alone in its directory" test "$(ls -A "$T/d")" = m.gmm
cp "$T/old.gmm" "$T/d/m.gmm"
"$GMM" fit -q -k 3 -o "$T/d/m.gmm" "$F"
check "no fault: the new model replaces the old" cmp -s "$T/d/m.gmm" "$T/new.gmm"
check "  alone in its directory" test "$(ls -A "$T/d")" = m.gmm
done_testing
