#!/bin/sh
# fit and select-k --mpi (issue 17, section 3), with build/mpi/gmm (make
# MPI=1) under `mpirun --oversubscribe -n R`, as root with the flags that
# needs: on one rank the model is byte for byte the plain fit's; on 2, 3
# and 4 ranks it agrees with it to 1e-9 relative (the partial sums differ
# in rounding only; measured 1.2e-12), and the same run twice gives the
# same bytes; weights, other covariance models, the t family and a
# factor model; more rows than the k-means sample (the sample is the same
# for any number of ranks, so is the start); a rank with no row; a bad
# row in one rank's share is reported once, with the file's line, every
# rank exits non-zero and no model is written (an existing one is left);
# a killed rank ends the run with no model; files from a list (the
# plain model; a bad row, a header or a column unlike the first file's,
# an empty file, -o naming one); what --mpi does not take is a
# usage error; the plain gmm says it was built without MPI.
# Not under valgrind or the sanitizers (MPI's own allocations and
# shared-memory transport are theirs to check, not ours): the script
# then says so and runs nothing.
. "$(dirname "$0")/lib.sh"

case $GMM in */san/*) skip=sanitizers ;; *) skip= ;; esac
[ -n "${GMM_VALGRIND:-}" ] && skip=valgrind
if [ -n "$skip" ]; then
	echo "# skipped under $skip: the MPI tests run in the native stage"
	done_testing
	exit
fi
MPIGMM=$TOP/build/mpi/gmm
S=$REF/data/synth_gmm4_d5.csv
check "build/mpi/gmm is built (make MPI=1)" [ -x "$MPIGMM" ]
check "mpirun is installed (scripts/install-deps.sh)" command -v mpirun
ROOT=
[ "$(id -u)" -eq 0 ] && ROOT=--allow-run-as-root
# yield when idle: ranks oversubscribe the 2 cores; no single-copy
# transport (containers often forbid the ptrace it needs)
export OMPI_MCA_mpi_yield_when_idle=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# mpi R ARGS...: build/mpi/gmm ARGS on R ranks; sets $st, $T/out, $T/err
mpi() {
	r=$1
	shift
	timeout 300 mpirun $ROOT --oversubscribe -n "$r" "$MPIGMM" "$@" \
	    >"$T/out" 2>"$T/err" </dev/null
	st=$?
}
# same A B: every number of the two models' JSON within 1e-9 relative
# (of the number, or 1 when it is smaller)
same() {
	"$GMM" show --json "$1" | tr -s '[]{},: \n' '\n' |
	    grep -E '^-?[0-9]' >"$T/a.num"
	"$GMM" show --json "$2" | tr -s '[]{},: \n' '\n' |
	    grep -E '^-?[0-9]' >"$T/b.num"
	paste "$T/a.num" "$T/b.num" | awk -v tol="${3:-1e-9}" '
	    { d = $1 - $2; if (d < 0) d = -d; s = $1 < 0 ? -$1 : $1
	      if (s < 1) s = 1; if (d > tol * s) bad++ ; n++ }
	    END { exit !(n > 20 && bad == 0) }'
}

run fit -k 4 -o "$T/plain.gmm" "$S"
expect_status "the plain fit of the synthetic 5-D set" 0
mpi 1 fit --mpi -k 4 -o "$T/r1.gmm" "$S"
expect_status "--mpi on 1 rank" 0
check "  the plain fit's bytes" cmp -s "$T/plain.gmm" "$T/r1.gmm"
for r in 2 3 4; do
	mpi $r fit --mpi -k 4 -o "$T/r$r.gmm" "$S"
	expect_status "--mpi on $r ranks" 0
	check "  the plain model to 1e-9 relative" same "$T/plain.gmm" "$T/r$r.gmm"
done
check "  ... not byte for byte on 3 ranks (the sums' rounding: this test can tell)" \
    sh -c '! cmp -s "$1" "$2"' - "$T/plain.gmm" "$T/r3.gmm"
check "  one summary line, from rank 0" [ "$(grep -c '^gmm fit: k=4' "$T/err")" -eq 1 ]
mpi 3 fit --mpi -k 4 -o "$T/again.gmm" "$S"
check "the same 3-rank run twice: the same bytes" cmp -s "$T/r3.gmm" "$T/again.gmm"
check "  with outlier levels (histograms summed over ranks)" \
    sh -c '"$1" show --json "$2" | grep -q log_density_quantiles' - "$GMM" "$T/r3.gmm"
mpi 3 fit --mpi -v -k 4 -o "$T/v.gmm" "$S"
check "-v: rows of every rank, ranks and threads" \
    grep -q "^gmm fit: 2000 rows, 5 columns, 3 ranks of [0-9]* thread" "$T/err"
mpi 2 fit --mpi -k 4 -o - "$S"
check "-o -: a usage error (MPI forwards standard output through a terminal)" \
    sh -c '[ "$1" -eq 2 ] && grep -q "writes the model to a file" "$2"' - "$st" "$T/err"

# weights, covariance models, families
awk -F, 'NR == 1 { print $0 ",w"; next } { print $0 "," (NR % 3) }' "$S" >"$T/w.csv"
for opts in "--weights w" "--covariance diag" "--covariance VEV" \
    "--covariance EEI" "--family t" "--covariance mfa --factors 2" \
    "--init kmeans++ --n-init 3 --seed 4" "--accelerate"; do
	file=$S
	case $opts in --weights*) file=$T/w.csv ;; esac
	# shellcheck disable=SC2086
	run fit -k 4 $opts -o "$T/p.gmm" "$file"
	# shellcheck disable=SC2086
	mpi 3 fit --mpi -k 4 $opts -o "$T/m.gmm" "$file"
	expect_status "--mpi $opts on 3 ranks" 0
	check "  the plain model to 1e-9 relative" same "$T/p.gmm" "$T/m.gmm"
done

# smallem: the best of short runs, which may tie to rounding; the same
# optimum, whose components may come in another order
run fit -k 4 --init smallem -o "$T/p.gmm" "$S"
ll=$(sed -n 's/.* log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")
mpi 3 fit --mpi -k 4 --init smallem -o "$T/m.gmm" "$S"
ll3=$(sed -n 's/.* log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")
check "--mpi --init smallem on 3 ranks: the plain log-likelihood ($ll3, $ll)" near "$ll3" "$ll" 1e-5

# more rows than the k-means sample (65536): the sample, by a hash of the
# row's number, is the same on any number of ranks, and so is the model;
# the plain fit's k-means reads the same sample (data.h:
# gmm_data_pick_sample()), so its model is the same too
"$GMM" sample --seed 5 -n 100000 "$T/plain.gmm" >"$T/big.csv"
mpi 2 fit --mpi -k 4 -o "$T/b2.gmm" "$T/big.csv"
expect_status "100000 rows on 2 ranks" 0
mpi 3 fit --mpi -k 4 -o "$T/b3.gmm" "$T/big.csv"
expect_status "  on 3 ranks" 0
check "  the same model to 1e-9 relative" same "$T/b2.gmm" "$T/b3.gmm"
run fit -k 4 -o "$T/b1.gmm" "$T/big.csv"
check "  the plain fit's, which starts from the same sample" same "$T/b1.gmm" "$T/b2.gmm"
run fit -k 4 --seed 1 -o "$T/b1s.gmm" "$T/big.csv"
mpi 2 fit --mpi -k 4 --seed 1 -o "$T/b2s.gmm" "$T/big.csv"
check "  and with another seed" same "$T/b1s.gmm" "$T/b2s.gmm"

# a rank with no row: 3 rows on 4 ranks
printf 'a,b\n1,2\n3,5\n4,4\n' >"$T/tiny.csv"
run fit -k 1 -o "$T/t.gmm" "$T/tiny.csv"
mpi 4 fit --mpi -k 1 -o "$T/t4.gmm" "$T/tiny.csv"
expect_status "3 rows on 4 ranks (one share empty)" 0
check "  the plain model" same "$T/t.gmm" "$T/t4.gmm"

# a bad row in the last rank's share: one message, the file's line
{ printf '# a comment\n\n'; awk 'NR == 1801 { print "1,2,x,4,5"; next } { print }' "$S"; } >"$T/bad.csv"
run fit -k 4 -o "$T/keep.gmm" "$T/bad.csv"
want=$(cat "$T/err")
cp "$T/plain.gmm" "$T/keep.gmm"
mpi 3 fit --mpi -k 4 -o "$T/keep.gmm" "$T/bad.csv"
check "a bad row in rank 2's share: non-zero exit" [ "$st" -ne 0 ]
check "  the plain fit's message, once: $want" \
    [ "$(grep -c '^gmm fit' "$T/err")" -eq 1 ] && grep -qxF "$want" "$T/err"
check "  line 1803 of the file (its comment and blank line counted)" grep -q ':1803: column 3' "$T/err"
check "  the model at -o is left as it was" cmp -s "$T/plain.gmm" "$T/keep.gmm"
mpi 3 select-k --mpi -k 1..3 -o "$T/sk.gmm" "$T/bad.csv"
check "select-k: the same, non-zero and no model" \
    sh -c '[ "$1" -ne 0 ] && [ ! -e "$2" ]' - "$st" "$T/sk.gmm"

# a killed rank: mpirun ends the others, no model
rm -f "$T/killed.gmm"
timeout 300 mpirun $ROOT --oversubscribe -n 3 "$MPIGMM" fit --mpi -k 4 \
    --tol 0 --max-iter 100000000 -o "$T/killed.gmm" "$S" \
    >"$T/out" 2>"$T/err" </dev/null &
job=$!
i=0
# the ranks' command lines begin with the binary (mpirun's does not)
while [ $i -lt 100 ] && [ "$(pgrep -f "^$MPIGMM fit --mpi" | wc -l)" -lt 3 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
victim=$(pgrep -f "^$MPIGMM fit --mpi" | tail -n 1)
kill -9 "$victim"
wait $job
st=$?
check "a rank killed mid-fit: mpirun exits non-zero ($st)" [ "$st" -ne 0 ]
check "  no model is written" [ ! -e "$T/killed.gmm" ]
check "  no rank is left running" sh -c '! pgrep -f "^$1 fit --mpi" >/dev/null' - "$MPIGMM"
check "  no temporary file is left beside -o" [ -z "$(ls -A "$T" | grep -v '\.\(gmm\|csv\|num\)$\|^out$\|^err$')" ]

# files from a list: the list's bytes cut in R ranges, file after file,
# rows numbered through the list; a file's columns by name, in any order
head -n 1 "$S" >"$T/h"
sed -n 2,501p "$S" | cat "$T/h" - >"$T/la.csv"
sed -n 502,1701p "$S" | cat "$T/h" - |
    awk -F, -v OFS=, '{ print $5, $3, $1, $2, $4 }' >"$T/lb.csv"
sed -n 1702,2001p "$S" | cat "$T/h" - >"$T/lc.csv"
L="$T/la.csv $T/lb.csv $T/lc.csv"
mpi 1 fit --mpi -k 4 -o "$T/l1.gmm" $L
expect_status "a list of 3 files (one with its columns in another order) on 1 rank" 0
check "  the plain fit's bytes" cmp -s "$T/plain.gmm" "$T/l1.gmm"
for r in 2 5; do
	mpi $r fit --mpi -k 4 -o "$T/l$r.gmm" $L
	expect_status "  on $r ranks" 0
	check "  the plain model to 1e-9 relative" same "$T/plain.gmm" "$T/l$r.gmm"
done
awk 'NR == 101 { print "1,2,x,4,5"; next } { print }' "$T/lc.csv" >"$T/lbad.csv"
mpi 3 fit --mpi -k 4 -o "$T/lm.gmm" "$T/la.csv" "$T/lb.csv" "$T/lbad.csv"
check "a bad row in the list's last file: non-zero exit, no model" \
    sh -c '[ "$1" -ne 0 ] && [ ! -e "$2" ]' - "$st" "$T/lm.gmm"
check "  said once, with that file's line" \
    sh -c '[ "$(grep -c "^gmm fit" "$1")" -eq 1 ] && grep -q "lbad.csv:101: column 3" "$1"' - "$T/err"
tail -n +2 "$T/lc.csv" >"$T/lnohead.csv"
mpi 3 fit --mpi -k 4 -o "$T/lm.gmm" "$T/la.csv" "$T/lnohead.csv"
check "a file without the header the first has: refused" \
    sh -c '[ "$1" -eq 1 ] && grep -q "has no header, and .*la.csv has one" "$2"' - "$st" "$T/err"
cut -d, -f1-4 "$T/lc.csv" >"$T/l4.csv"
mpi 3 fit --mpi -k 4 -o "$T/lm.gmm" "$T/la.csv" "$T/l4.csv"
check "a file without a column of the first: refused, naming it" \
    sh -c '[ "$1" -eq 1 ] && grep -q "l4.csv: the header has no column \"x5\" (a column of .*la.csv)" "$2"' - "$st" "$T/err"
: >"$T/lempty.csv"
mpi 3 fit --mpi -k 4 -o "$T/lm.gmm" "$T/la.csv" "$T/lempty.csv"
check "an empty file in the list: refused" \
    sh -c '[ "$1" -eq 1 ] && grep -q "lempty.csv: empty" "$2"' - "$st" "$T/err"
cp "$T/lc.csv" "$T/lkeep.csv"
mpi 2 fit --mpi -k 4 -o "$T/lc.csv" "$T/la.csv" "$T/lc.csv"
check "-o naming the list's second file: refused, the file kept" \
    sh -c '[ "$1" -eq 1 ] && grep -q "is the input file" "$2" && cmp -s "$3" "$4"' - "$st" "$T/err" "$T/lc.csv" "$T/lkeep.csv"
mpi 2 fit --mpi -k 2 -o "$T/lm.gmm" "$T/la.csv" - <"$S"
check "standard input in a list: a usage error" \
    sh -c '[ "$1" -eq 2 ] && grep -q "does not take standard input" "$2"' - "$st" "$T/err"
run fit -k 4 -o "$T/lm.gmm" "$T/la.csv" "$T/lc.csv"
expect_status "the plain fit takes one FILE (a usage error)" 2
mpi 3 select-k --mpi -k 1..4 --covariance full,diag -o "$T/lsk.gmm" $L
expect_status "select-k --mpi over the list" 0
check "  chooses the plain fit's model (k = 4, full)" \
    sh -c '[ "$(cut -d, -f1,2,11 "$1" | grep ",1$")" = "4,full,1" ]' - "$T/out"

# select-k: each fit distributed; the table and the choice agree
mpi 2 select-k --mpi -k 1..4 --covariance full,diag -o "$T/sk2.gmm" "$S"
expect_status "select-k --mpi on 2 ranks" 0
cp "$T/out" "$T/sk2.csv"
mpi 3 select-k --mpi -k 1..4 --covariance full,diag -o "$T/sk3.gmm" "$S"
expect_status "  on 3 ranks" 0
check "  one table, of 8 rows, from rank 0" [ "$(wc -l <"$T/out")" -eq 9 ]
check "  the same best row" sh -c '[ "$(grep ",1,[0-9]*$\|,1,$" "$1")" != "" ] && [ "$(cut -d, -f1,2,11 "$1" | grep ",1$")" = "$(cut -d, -f1,2,11 "$2" | grep ",1$")" ]' - "$T/sk2.csv" "$T/out"
check "  the same chosen model to 1e-9 relative" same "$T/sk2.gmm" "$T/sk3.gmm"

# what --mpi does not take yet, and a gmm without MPI
for opts in "--noise" "--prior conjugate" "--init hc" "--init random" \
    "--smem" "--online"; do
	# shellcheck disable=SC2086
	mpi 2 fit --mpi -k 2 $opts "$S" -o "$T/u.gmm"
	check "--mpi $opts: a usage error (2), said once" \
	    sh -c '[ "$1" -ne 0 ] && [ "$(grep -c "does not take" "$2")" -eq 1 ]' - "$st" "$T/err"
done
timeout 60 mpirun $ROOT -n 1 "$MPIGMM" fit --mpi -k 2 -o "$T/u.gmm" - <"$S" >"$T/out" 2>"$T/err"
check "--mpi on standard input: refused" grep -q "does not take standard input" "$T/err"
run fit --mpi -k 2 -o "$T/u.gmm" "$S"
expect_status "the plain gmm: --mpi is a usage error" 2
check "  saying it was built without MPI" grep -q "built without MPI; build it with .make MPI=1." "$T/err"
done_testing
