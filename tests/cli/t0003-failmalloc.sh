#!/bin/sh
# Allocation failure: tests/faults/failmalloc.c (LD_PRELOAD) makes the n-th
# allocation fail, for every n from 1 to the number a command makes.  Each
# run must end either as if nothing happened (status 0, the same output) or
# with status 1 and a message (gmm's "out of memory", or libgomp's own when
# it cannot start its threads): never a crash, a silent failure, a different
# result under status 0, a damaged model or a stray temporary file.  And no
# leak: the shim counts the blocks gmm's own code allocated and never freed,
# which must be none on every path.  (Not under valgrind, whose own start-up
# allocations the shim would fail, nor under ASan, whose allocator cannot
# sit under a preloaded malloc.)
. "$(dirname "$0")/lib.sh"
SHIM=$TOP/${BUILD:-build}/failmalloc.so
F=$REF/data/faithful.csv
J=$FIX/two-full.json

if [ -n "${GMM_VALGRIND:-}" ]; then
	ok "# skip under valgrind: the native run covers it"
	done_testing
	exit
fi
if [ ! -f "$SHIM" ]; then
	not_ok "the shim $SHIM is built (make $SHIM)"
	done_testing
	exit
fi
if ldd "$GMM" 2>/dev/null | grep -q libasan; then
	# ASan's allocator cannot sit under another LD_PRELOAD'ed malloc
	ok "# skip under AddressSanitizer: the normal and valgrind runs cover it"
	done_testing
	exit
fi

# gmm ARGS... with the n-th allocation failing (0: none); the shim writes
# "CALLS LIVE" into $T/n
failing() {
	GMM_FAILMALLOC=$nth GMM_FAILMALLOC_COUNT=$T/n LD_PRELOAD=$SHIM \
	    "$GMM" "$@" >"$T/out" 2>"$T/err" </dev/null
	st=$?
	leaked=$(cut -d' ' -f2 "$T/n")
}

"$GMM" fit -k 2 -o "$T/old.gmm" "$J" 2>/dev/null	# not valid data: fails
"$GMM" sample -n 300 --seed 1 "$J" >"$T/old.csv"
"$GMM" fit -k 2 -o "$T/old.gmm" "$T/old.csv" 2>/dev/null
"$GMM" fit -k 2 --covariance diag -o "$T/m.gmm" "$F" 2>/dev/null
printf 'a,b\n1,2\n3,x\n' >"$T/bad.csv"

# try DESC MODEL_OUT ARGS...: every failing allocation of gmm ARGS; when
# MODEL_OUT is not "-", ARGS write that model, which must afterwards be the
# old model or the complete new one, alone in its directory.
try() {
	desc=$1
	out=$2
	shift 2
	rm -rf "$T/dir"
	mkdir "$T/dir"
	[ "$out" != - ] && cp "$T/old.gmm" "$out"
	nth=0
	failing "$@"
	want_st=$st
	cp "$T/out" "$T/want"
	[ "$out" != - ] && cp "$out" "$T/want.gmm"
	total=$(cut -d' ' -f1 "$T/n")
	bad=
	[ "$leaked" -ne 0 ] && bad="no failure: $leaked blocks leaked;"
	nth=1
	while [ "$nth" -le "$total" ]; do
		[ "$out" != - ] && cp "$T/old.gmm" "$out"
		failing "$@"
		if [ "$st" -eq "$want_st" ] && cmp -s "$T/out" "$T/want"; then
			:
		elif [ "$st" -ne 1 ] || ! grep -q -E \
		    '^(gmm [a-z-]+: .*out of memory|gmm [a-z-]+: .*Cannot allocate memory|libgomp: )' "$T/err"; then
			bad="$bad n=$nth: status $st: $(head -c 200 "$T/err");"
		fi
		# libgomp ends the process itself (exit in gomp_fatal) when it
		# cannot start its threads: nothing of gmm's can be freed then
		if [ "$leaked" != 0 ] && ! grep -q '^libgomp: ' "$T/err"; then
			bad="$bad n=$nth: $leaked blocks leaked;"
		fi
		if [ "$out" != - ]; then
			if ! cmp -s "$out" "$T/old.gmm" && ! cmp -s "$out" "$T/want.gmm"; then
				bad="$bad n=$nth: damaged model;"
			fi
			if [ "$(ls -A "$T/dir")" != "${out##*/}" ]; then
				bad="$bad n=$nth: stray files $(ls -A "$T/dir" | tr '\n' ' ');"
			fi
		fi
		nth=$((nth + 1))
	done
	if [ -z "$bad" ] && [ "$total" -gt 0 ]; then
		ok "$desc: $total allocations, each failing in turn, no leak"
	else
		not_ok "$desc: $total allocations, each failing in turn, no leak" "$bad"
	fi
}

try "fit -o" "$T/dir/m.gmm" fit -k 2 -o "$T/dir/m.gmm" "$F"
try "fit --init JSON --covariance full -o" "$T/dir/m.gmm" \
    fit --init "$J" -o "$T/dir/m.gmm" "$F"
try "fit -c of a bad CSV" - fit -k 1 -c b "$T/bad.csv"
# (no --checkpoint: a failure after one leaves its whole model, which
# this test's rule, the old model or the final one, does not allow)
try "fit --online --batch 20" "$T/dir/m.gmm" fit -k 2 --online --batch 20 \
    -o "$T/dir/m.gmm" "$F"
try "fit --memory 0: the rows out of core" "$T/dir/m.gmm" fit -k 2 \
    --memory 0 --max-iter 20 -o "$T/dir/m.gmm" "$F"
try "fit --memory 0 --weights, the sample read back" "$T/dir/w.gmm" fit -k 2 \
    --memory 0 --weights w --max-iter 20 -o "$T/dir/w.gmm" \
    "$REF/incomplete/faithful_weighted.csv"
try "score --proba" - score --proba "$T/m.gmm" "$F"
try "score --summary, JSON model" - score --summary "$J" "$F"
try "score --append --labels" - score --append --labels "$T/m.gmm" "$F"
try "sample" - sample -n 50 "$J"
try "show" - show "$T/m.gmm"
try "show --json" - show --json "$T/m.gmm"
try "select-k -o" "$T/dir/best.gmm" select-k -k 1..2 --max-iter 20 \
    --covariance full,diag -o "$T/dir/best.gmm" "$F"
try "fit VEV --prior conjugate" "$T/dir/p.gmm" fit -k 2 --covariance VEV \
    --prior conjugate --max-iter 20 -o "$T/dir/p.gmm" "$F"
try "fit EVE" "$T/dir/e.gmm" fit -k 2 --covariance EVE --max-iter 20 \
    -o "$T/dir/e.gmm" "$F"
W=$REF/incomplete/faithful_weighted.csv
try "fit --weights" "$T/dir/w.gmm" fit -k 2 --weights w --max-iter 20 \
    -o "$T/dir/w.gmm" "$W"
try "score --summary --weights" - score --summary --weights w "$T/m.gmm" "$W"
M=$REF/incomplete/faithful_mcar_weighted.csv
try "fit, missing values and weights" "$T/dir/w.gmm" fit -k 2 --weights w \
    --max-iter 20 -o "$T/dir/w.gmm" "$M"
try "score --proba, missing values" - score --proba "$T/m.gmm" "$M"
try "impute --variance" - impute --variance "$T/m.gmm" "$M"
try "impute --draws 2" - impute --draws 2 "$T/m.gmm" "$M"
try "threshold --posterior" - threshold -c 1 --posterior 0.9 --max-iter 20 "$F"
# gmm plot: each of gmm's own allocations (the table, the output) failing
# in turn, on a table that is read whole and then refused.  The drawing
# is not run here: fontconfig, under cairo's text, crashes on some of its
# ~10,000 allocations failing (strdup(NULL) in FcValueSave, 2.14), which
# gmm cannot mend.
printf 'k,covariance,bic,degenerate\n' >"$T/notab.csv"
try "plot bic of an empty table" - plot bic -o "$T/p.svg" "$T/notab.csv"
# The pictures of a model, drawn: only gmm's own allocations counted and
# failed (GMM_FAILMALLOC_OWN), none of cairo's or fontconfig's.
export GMM_FAILMALLOC_OWN=1
"$GMM" fit -q -k 3 --covariance full -o "$T/iris.gmm" "$TOP/data/iris.csv"
try "plot clusters --uncertainty, a sample" - plot clusters --uncertainty \
    --max-points 100 -c 2-4 "$T/iris.gmm" "$TOP/data/iris.csv"
try "plot density, one column" - plot density -c 1 "$T/m.gmm" "$F"
try "plot density, two columns" - plot density "$T/m.gmm" "$F"
unset GMM_FAILMALLOC_OWN
"$GMM" select-k -q -k 1..3 --covariance full,diag "$F" >"$T/tab.csv"
export GMM_FAILMALLOC_OWN=1
try "plot bic, drawn" - plot bic -o "$T/p.png" "$T/tab.csv"
unset GMM_FAILMALLOC_OWN
done_testing
