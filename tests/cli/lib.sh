# Helpers of the CLI tests: each test script sources this, calls
# `run ARGS...` (gmm with ARGS, no stdin unless redirected by the caller's
# `run_in FILE ARGS...`), then checks with the expect_* functions, and ends
# with `done_testing`.  Output is TAP with a "N passed, N failed" line.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
GMM=${GMM:-$TOP/gmm}
FIX=$TOP/tests/fixtures
REF=$TOP/tests/ref
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
pass=0
fail=0

ok() {
	n=$((n + 1))
	pass=$((pass + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	fail=$((fail + 1))
	echo "not ok $n - $1"
	shift
	for note in "$@"; do
		printf '%s\n' "$note" | sed 's/^/#   /'
	done
}

# run ARGS...: gmm ARGS with stdin from /dev/null; sets $st, $T/out, $T/err
run() {
	"$GMM" "$@" >"$T/out" 2>"$T/err" </dev/null
	st=$?
}

# run_in FILE ARGS...: the same with stdin from FILE
run_in() {
	f=$1
	shift
	"$GMM" "$@" >"$T/out" 2>"$T/err" <"$f"
	st=$?
}

# expect_status DESC N
expect_status() {
	if [ "$st" -eq "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "status $st, want $2" "$(head -c 600 "$T/err")"
	fi
}

# expect_err DESC N TEXT: status N and stderr exactly TEXT
expect_err() {
	got=$(cat "$T/err")
	if [ "$st" -eq "$2" ] && [ "$got" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "status $st (want $2)" "stderr: $got" "want:   $3"
	fi
}

# expect_out DESC TEXT: stdout exactly TEXT
expect_out() {
	got=$(cat "$T/out")
	if [ "$got" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "stdout: $(printf '%s' "$got" | head -c 600)" \
		    "want:   $2"
	fi
}

# check DESC COMMAND...: passes when the shell command succeeds
check() {
	d=$1
	shift
	if "$@"; then
		ok "$d"
	else
		not_ok "$d" "failed: $*"
	fi
}

# near A B TOL: |A - B| <= TOL
near() {
	awk -v a="$1" -v b="$2" -v t="$3" \
	    'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

done_testing() {
	echo "1..$n"
	echo "# $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
