#!/bin/sh
# Faults: a full disk, a closed stdout, a reader that goes away, a missing
# directory for the model.  Each is a clear message and status 1, or, for a
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
    "gmm fit: $T/missing/m.gmm: cannot create a file in $T/missing: No such file or directory"
done_testing
