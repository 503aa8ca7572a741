#!/bin/sh
# fit and select-k --memory (issue 17, section 1): rows past the budget go
# to a temporary file and every pass reads them back.  From the same
# start (a model, or random) the model file is byte for byte the in-memory
# fit's, weighted too and with 1 or 2 threads; peak memory stays near the
# budget on 58 MB of CSV (/usr/bin/time, an upper bound with slack); the
# k-means start reads the in-memory fit's sample (a hash of row number and
# seed, issue 18 section 5) when a quarter of the budget holds 65536 rows,
# and all rows when the sample holds them: then the default fit is byte
# for byte the in-memory one too; with a smaller sample it reaches the
# in-memory optimum;
# -v says so; the file is gone afterwards; and what does not go out of
# core yet is refused with a message naming file and line.  Under
# valgrind the rows are 6,000 and the budget 0 (the memory figures are
# the native run's).
. "$(dirname "$0")/lib.sh"

S=$REF/data/synth_gmm4_d5.csv
mkdir "$T/tmp"
export TMPDIR="$T/tmp"

run fit -k 4 -o "$T/s5.gmm" "$S"
expect_status "a 4-component model of the synthetic 5-D set" 0
if [ -n "${GMM_VALGRIND:-}" ]; then
	rows=6000 mem=0 few=2000
else
	rows=600000 mem=8M few=20000
fi
"$GMM" sample --seed 3 -n $rows "$T/s5.gmm" >"$T/big.csv"
size=$(wc -c <"$T/big.csv")
check "$rows rows of CSV ($size bytes)" [ "$size" -gt $((rows * 80)) ]

run fit -k 4 --init "$T/s5.gmm" -o "$T/mem.gmm" "$T/big.csv"
expect_status "the in-memory fit from a start model" 0
run fit -v -k 4 --init "$T/s5.gmm" --memory $mem -o "$T/ooc.gmm" "$T/big.csv"
expect_status "fit --memory $mem" 0
check "  -v says the rows went out of core, and where" \
    grep -q "^gmm fit: the rows (.* MB) are more than --memory (.* MB): out of core, read back from a temporary file in $T/tmp on every pass; k-means starts from a sample of [0-9]* rows$" "$T/err"
check "  the model file is byte for byte the in-memory one" cmp -s "$T/mem.gmm" "$T/ooc.gmm"
check "  ... outlier levels included (radix selection, not a sort)" \
    sh -c '"$1" show --json "$2" | grep -q log_density_quantiles' - "$GMM" "$T/ooc.gmm"
check "  the temporary file is gone" [ -z "$(ls -A "$T/tmp")" ]
run fit -k 4 --init "$T/s5.gmm" --memory 0 --threads 1 -o "$T/one.gmm" "$T/big.csv"
check "--memory 0 --threads 1: every block on disk, the same bytes" cmp -s "$T/mem.gmm" "$T/one.gmm"
run fit -k 4 --init random --seed 5 --memory 0 -o "$T/r1.gmm" "$T/big.csv"
run fit -k 4 --init random --seed 5 -o "$T/r2.gmm" "$T/big.csv"
check "--init random: the in-memory start, the same bytes" cmp -s "$T/r1.gmm" "$T/r2.gmm"

# peak memory: the budget plus the program's own (about 15 MB: see
# gmm-fit(1)), where the rows alone take 24 MB in memory; not under the
# sanitizers, whose allocator keeps freed memory in quarantine
case $GMM in */san/*) asan=1 ;; *) asan= ;; esac
if [ -z "${GMM_VALGRIND:-}" ] && [ -z "$asan" ] && [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$T/rss" "$GMM" fit -k 4 --init "$T/s5.gmm" \
	    --memory 8M -o "$T/ooc.gmm" "$T/big.csv" 2>/dev/null
	ooc=$(tail -n 1 "$T/rss")
	/usr/bin/time -f %M -o "$T/rss" "$GMM" fit -k 4 --init "$T/s5.gmm" \
	    -o "$T/mem.gmm" "$T/big.csv" 2>/dev/null
	inmem=$(tail -n 1 "$T/rss")
	check "peak RSS with --memory 8M: $ooc KB, under 8 MB + 24 MB" [ "$ooc" -lt $((32 * 1024)) ]
	check "  the in-memory fit's: $inmem KB, more than the rows' 24 MB" [ "$inmem" -gt $((24 * 1024)) ]
fi

# the k-means start from the sample: the in-memory one's when it holds as
# many rows (a quarter of 16M holds 65536 rows of 5 values and a weight),
# else the in-memory optimum
run fit -k 4 -o "$T/km1.gmm" "$T/big.csv"
l1=$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")
if [ -z "${GMM_VALGRIND:-}" ]; then
	run fit -v -k 4 --memory 16M -o "$T/km16.gmm" "$T/big.csv"
	check "the default start with --memory 16M: the sample of 65536 rows" \
	    grep -q "k-means starts from a sample of 65[0-9]* rows$" "$T/err"
	check "  the in-memory model, byte for byte" cmp -s "$T/km1.gmm" "$T/km16.gmm"
fi
head -n 2001 "$T/big.csv" >"$T/k2000.csv"
run fit -k 4 -o "$T/ka.gmm" "$T/k2000.csv"
run fit -k 4 --memory 0 -o "$T/kb.gmm" "$T/k2000.csv"
check "2000 rows, --memory 0: the sample is every row, the in-memory model byte for byte" cmp -s "$T/ka.gmm" "$T/kb.gmm"
run fit -k 4 --memory 1M -o "$T/km2.gmm" "$T/big.csv"
expect_status "the k-means start on a smaller sample (a quarter of 1M: 5461 rows)" 0
l2=$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")
check "  reaches the in-memory optimum ($l2 and $l1, to 1e-6 a row)" near "$l1" "$l2" "$(awk -v n=$rows 'BEGIN { print 1e-6 * n }')"

# weights travel with the rows, in the file
awk -F, -v few=$few 'NR == 1 { print $0 ",w"; next } NR <= few + 1 { print $0 "," (NR % 3) }' "$T/big.csv" >"$T/w.csv"
run fit -k 4 --init "$T/s5.gmm" --weights w -o "$T/w1.gmm" "$T/w.csv"
run fit -k 4 --init "$T/s5.gmm" --weights w --memory 0 -o "$T/w2.gmm" "$T/w.csv"
expect_status "--weights with --memory 0" 0
check "  the same bytes as in memory (weights 0, 1, 2)" cmp -s "$T/w1.gmm" "$T/w2.gmm"

# select-k: every fit from the same spilled rows
head -n $((few / 4 + 1)) "$T/big.csv" >"$T/small.csv"
run select-k -k 1..3 --covariance full,diag --memory 0 -o "$T/best.gmm" "$T/small.csv"
expect_status "select-k --memory 0" 0
check "  a table of 6 fits, the best marked" \
    awk -F, 'NR > 1 { n++; b += $11 } END { exit !(n == 6 && b == 1) }' "$T/out"

# what does not go out of core yet, and bad values
printf 'a,b\n' >"$T/miss.csv"
awk 'BEGIN { for (i = 0; i < 1000; i++) print i % 7 "," i % 11; print "3,"; print "1,2" }' >>"$T/miss.csv"
run fit -k 2 --memory 0 "$T/miss.csv"
expect_err "a missing value after the rows went out of core" 1 \
    "gmm fit: $T/miss.csv:1002: a missing value after more rows than --memory holds: rows with missing values do not go out of core yet; give --memory more"
run fit -k 2 --memory 0 --noise "$T/small.csv"
expect_err "--noise out of core" 1 \
    "gmm fit: $T/small.csv: the rows take more than --memory allows, and --noise does not run out of core yet; give --memory more"
run fit -k 2 --memory 0 --init hc "$T/small.csv"
expect_status "--init hc out of core" 1
if [ -z "${GMM_VALGRIND:-}" ]; then	# valgrind itself needs TMPDIR
	TMPDIR=$T/none run fit -k 2 --memory 0 "$T/small.csv"
	expect_err "a TMPDIR that is not there" 1 \
	    "gmm fit: $T/small.csv:2: making the temporary file in $T/none: No such file or directory"
fi
for bad in -1 8Q 8MB 101% x ""; do
	run fit -k 2 --memory "$bad" "$T/small.csv"
	expect_status "--memory '$bad' is a usage error" 2
done
run fit -k 2 --memory 50% -o "$T/p.gmm" "$T/small.csv"
expect_status "--memory 50%" 0

# a full disk while the rows spill: an error, no model, no file left
if [ -z "${GMM_VALGRIND:-}" ] && command -v strace >/dev/null; then
	strace -f -o /dev/null -e trace=pwrite64 -e inject=pwrite64:error=ENOSPC:when=3 \
	    "$GMM" fit -k 2 --memory 0 -o "$T/full.gmm" "$T/small.csv" >"$T/out" 2>"$T/err"
	st=$?
	expect_status "ENOSPC writing the temporary file: exit 1" 1
	check "  says so" grep -q "writing the temporary file in $T/tmp: No space left on device" "$T/err"
	check "  no model written" [ ! -e "$T/full.gmm" ]
	check "  no temporary file left" [ -z "$(ls -A "$T/tmp")" ]
fi
done_testing
