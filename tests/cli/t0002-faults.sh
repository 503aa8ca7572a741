#!/bin/sh
# Faults: a full disk, a closed stdout, a reader that goes away, a missing
# directory for the model, unreadable files.  Each is a clear message and status 1, or, for a
# reader gone (EPIPE), a quiet status 0.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv
M=$FIX/two-full.json

if [ -w /dev/full ]; then
	for c in "sample -n 10 $M" "score $M $F" "show --json $M" "select-k -q -k 2 $F" "--version"; do
		# shellcheck disable=SC2086
		"$GMM" $c >/dev/full 2>"$T/err"
		st=$?
		cmd=${c%% *}
		case $cmd in --version) who="gmm" ;; *) who="gmm $cmd" ;; esac
		expect_err "$c into a full disk" 1 "$who: write error on stdout: No space left on device"
	done
	"$GMM" fit -k 2 "$F" >/dev/full 2>"$T/err"
	st=$?
	expect_err "fit's model into a full disk: one message, no summary" 1 "gmm fit: <stdout>: No space left on device"
fi
"$GMM" sample -n 10 "$M" >&- 2>"$T/err"
st=$?
expect_err "a closed stdout" 1 "gmm sample: write error on stdout: Bad file descriptor"
status=$( ("$GMM" sample -n 1000000 "$M" 2>"$T/err"; echo $? >"$T/st") | head -n 1 >/dev/null; cat "$T/st")
check "sample | head -n 1: status 0" test "$status" -eq 0
check "  and no message" test ! -s "$T/err"
run fit -k 2 -o "$T/missing/m.gmm" "$F"
expect_err "model into a missing directory" 1 \
    "gmm fit: $T/missing/m.gmm: directory $T/missing does not exist"

# Unreadable files: chmod 000 when not root; root reads anything, so there
# strace fails the open with EACCES instead (-P: that file's opens only).
printf 'a,b\n1,2\n3,4\n5,7\n' >"$T/locked.csv"
cp "$FIX/two-full.json" "$T/locked.json"
chmod 000 "$T/locked.csv" "$T/locked.json"
unreadable() {	# FILE ARGS...
	f=$1
	shift
	if [ "$(id -u)" -ne 0 ]; then
		"$GMM" "$@" >"$T/out" 2>"$T/err" </dev/null
	else
		ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -o /dev/null \
		    -P "$f" -e trace=openat -e inject=openat:error=EACCES \
		    "$GMM" "$@" >"$T/out" 2>"$T/err" </dev/null
	fi
	st=$?
}
if [ "$(id -u)" -ne 0 ] || command -v strace >/dev/null 2>&1; then
	unreadable "$T/locked.csv" fit -k 1 -o "$T/u.gmm" "$T/locked.csv"
	expect_err "fit of an unreadable CSV" 1 "gmm fit: $T/locked.csv: Permission denied"
	unreadable "$T/locked.json" score "$T/locked.json" "$F"
	expect_err "score with an unreadable model" 1 "gmm score: $T/locked.json: Permission denied"
	unreadable "$T/locked.json" sample -n 3 "$T/locked.json"
	expect_err "sample of an unreadable model" 1 "gmm sample: $T/locked.json: Permission denied"
else
	not_ok "strace is installed (scripts/install-deps.sh)"
fi
done_testing
