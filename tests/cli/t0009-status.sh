#!/bin/sh
# The status line on a terminal (issue 19): under a pseudo-terminal
# (script(1)) fit and select-k redraw one line in place and erase it before
# anything else reaches standard error; with -q, TERM=dumb, or standard
# error a pipe or a file, nothing of it is written.  Reading out of core
# and --online show rows and throughput.
. "$(dirname "$0")/lib.sh"

if [ -n "${GMM_VALGRIND:-}" ] || ! command -v script >/dev/null 2>&1; then
	ok "# SKIP needs script(1) and a real process of gmm"
	done_testing
	exit
fi
F=$TOP/data/faithful.csv
ESC=$(printf '\033')
CR=$(printf '\r')
# tty TERM ARGS...: gmm ARGS on a pseudo-terminal; what it showed in $T/tty
tty() {
	term=$1
	shift
	script -qec "TERM=$term $GMM $*" "$T/tty" </dev/null >/dev/null 2>&1
	st=$?
}

tty xterm fit -k 3 --tol 1e-9 "$F" -o "$T/m.gmm"
expect_status "fit on a terminal" 0
check "it draws the status line" grep -q "${CR}gmm fit: iteration [0-9]*  loglik" "$T/tty"
check "... erased before the summary" grep -q "${ESC}\[K${CR}${ESC}\[Kgmm fit: k=3 " "$T/tty"
tty xterm fit -k 3 --n-init 2 --tol 1e-9 "$F" -o "$T/m.gmm"
check "--n-init: the run of all" grep -q "gmm fit: run 2/2  iteration 1 " "$T/tty"
tty xterm fit -k 3 -v "$F" -o "$T/m.gmm"
tr '\r' '\n' <"$T/tty" | grep -a 'run 1 iteration 2: mean' >"$T/v"
check "-v lines start a line of their own" sh -c \
    "[ -s $T/v ] && ! grep -qv '^gmm fit: run 1 iteration 2: mean' $T/v"
tty xterm fit -q -k 3 "$F" -o "$T/m.gmm"
check "-q: none" sh -c "! grep -q 'iteration [0-9]*  loglik' $T/tty"
tty dumb fit -k 3 "$F" -o "$T/m.gmm"
check "TERM=dumb: none" sh -c "! grep -q 'iteration [0-9]*  loglik' $T/tty"
tty xterm select-k -k 1..3 --covariance full,diag "$F"
check "select-k: the fit of all" grep -q "${CR}gmm select-k: diag k=2  fit 7 of 10" "$T/tty"
check "... erased before the table" grep -q "${ESC}\[Kk,covariance," "$T/tty"

# out of core (--memory) and --online: rows read and throughput
"$GMM" sample --seed 1 -n 20000 "$FIX/three.json" >"$T/rows.csv"
tty xterm fit -k 3 --memory 0 --max-iter 3 "$T/rows.csv" -o "$T/m.gmm"
check "out of core: rows read, MB/s, out of core" \
    grep -q "${CR}gmm fit: reading  [0-9]* rows  [0-9.]* MB  [0-9.e+]* MB/s  out of core" "$T/tty"
tty xterm fit -k 3 --online "$T/rows.csv" -o "$T/m.gmm"
check "--online: rows, rows/s, MB/s, the batch and log-likelihood" \
    grep -q "${CR}gmm fit: online  [0-9]* rows  [0-9.e+]* rows/s  [0-9.e+]* MB/s  batch [0-9]*  loglik" "$T/tty"
check "... erased before the summary" grep -q "${ESC}\[K${CR}${ESC}\[Kgmm fit: k=3 " "$T/tty"
run fit -k 3 --online "$T/rows.csv" -o "$T/m.gmm"
check "--online, stderr a file: none" sh -c "! grep -q '[$CR$ESC]' $T/err"

# pipes and files never see it
run fit -k 3 "$F" -o "$T/m.gmm"
check "stderr a file: no carriage return or escape" sh -c \
    "! grep -q '[$CR$ESC]' $T/err"
"$GMM" select-k -k 1..2 "$F" 2>&1 >/dev/null | cat >"$T/pipe"
check "stderr a pipe: none" sh -c "! grep -q '[$CR$ESC]' $T/pipe"
done_testing
