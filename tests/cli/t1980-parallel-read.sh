#!/bin/sh
# fit and select-k read a regular file of 4 MB or more with every thread
# (io/csvin.h gmm_csvin_read_parallel()): the model is byte for byte the
# one-thread read's, with weights, a start model whose columns are in
# another order, and select-k; and where the parallel read hands over to
# the serial one (a bad row, a quoted field holding a newline, a blank
# line, a missing value, CRLF line ends) the messages, status and model
# are the one-thread run's.  Skipped under valgrind (a 10 MB file read
# twice per check: minutes there; the native and ASan runs cover it).
. "$(dirname "$0")/lib.sh"

if [ -n "${GMM_VALGRIND:-}" ]; then
	ok "# skip under valgrind: the native and sanitizer runs cover it"
	done_testing
	exit
fi

S=$REF/data/synth_gmm4_d5.csv
run fit -k 4 -o "$T/s.gmm" "$S"
"$GMM" sample -n 120000 --seed 3 "$T/s.gmm" >"$T/big.csv"
check "the test file is past the 4 MB the parallel read needs" \
    [ "$(wc -c <"$T/big.csv")" -gt 4194304 ]
# same ARGS...: gmm ARGS with --threads 1 and --threads 2: the same exit
# status, standard error and model ($T/m1, $T/m2)
same() {
	"$GMM" "$@" --threads 1 -o "$T/m1" >"$T/o1" 2>"$T/e1" </dev/null
	s1=$?
	"$GMM" "$@" --threads 2 -o "$T/m2" >"$T/o2" 2>"$T/e2" </dev/null
	s2=$?
	[ "$s1" -eq "$s2" ] && cmp -s "$T/e1" "$T/e2" && cmp -s "$T/o1" "$T/o2" &&
	    { [ ! -e "$T/m1" ] && [ ! -e "$T/m2" ] || cmp -s "$T/m1" "$T/m2"; }
}
clean() { rm -f "$T/m1" "$T/m2"; }

clean
check "fit: the model of 2 threads is the 1-thread one, byte for byte" same fit -k 4 --max-iter 5 "$T/big.csv"
check "  and it is a model" [ -s "$T/m2" ]
run fit -v -k 4 --max-iter 1 --threads 2 -o /dev/null "$T/big.csv"
check "  -v: read by 2 threads" grep -q "^gmm fit: 120000 rows, 5 columns, 2 threads; read by 2 threads$" "$T/err"
check "  -v: and how long it took" grep -q "^gmm fit: the rows read in [0-9.]* s$" "$T/err"
n=$(sed -n 's/^gmm fit: run 1 start: k-means on a sample of \([0-9]*\) rows ([0-9.]* s)$/\1/p' "$T/err")
check "  -v: the start's k-means read a sample of about 65536 rows ($n)" [ "${n:-0}" -gt 64000 ] && [ "$n" -lt 67000 ]
run fit -v -k 4 --max-iter 1 --threads 1 -o /dev/null "$T/big.csv"
check "  by one with --threads 1" grep -q "^gmm fit: 120000 rows, 5 columns, 1 thread$" "$T/err"
head -n 20000 "$T/big.csv" >"$T/small.csv"
run fit -v -k 4 --max-iter 1 --threads 2 -o /dev/null "$T/small.csv"
check "  by one under 4 MB" grep -q "^gmm fit: 19999 rows, 5 columns, [12] threads\{0,1\}$" "$T/err"
awk -F, -v OFS=, 'NR == 1 { print $0, "w"; next } { print $0, NR % 5 }' "$T/big.csv" >"$T/w.csv"
clean
check "--weights" same fit -k 3 --max-iter 5 --weights w "$T/w.csv"
awk -F, -v OFS=, '{ print $3, $1, $5, $2, $4 }' "$T/big.csv" >"$T/order.csv"
clean
check "--init MODEL with the columns in another order" same fit --init "$T/s.gmm" --max-iter 3 "$T/order.csv"
clean
check "select-k" same select-k -k 2-4 --covariance full,diag "$T/big.csv"

# what the serial reader decides
awk 'NR == 90000 { print "1,2,x,4,5"; next } { print }' "$T/big.csv" >"$T/bad.csv"
clean
check "a bad row at line 90000: the same message and status" same fit -k 2 --max-iter 2 "$T/bad.csv"
check "  naming line 90000" grep -q ':90000: column 3' "$T/e2"
awk 'NR == 70000 { print "\"1\n\",2,3,4,5"; next } { print }' "$T/big.csv" >"$T/quote.csv"
clean
check "a quoted field holding a newline" same fit -k 2 --max-iter 2 "$T/quote.csv"
awk 'NR == 50000 { print "" } { print }' "$T/big.csv" >"$T/blank.csv"
clean
check "a blank line: the same model and report" same fit -k 2 --max-iter 2 "$T/blank.csv"
check "  the report names it" grep -q "1 blank line skipped" "$T/e2"
run fit -v -k 2 --max-iter 1 --threads 2 -o /dev/null "$T/blank.csv"
check "  (read by one thread)" sh -c '! grep -q "read by" "$1"' - "$T/err"
awk -F, -v OFS=, 'NR == 60000 { $2 = "NA" } { print }' "$T/big.csv" >"$T/na.csv"
clean
check "a missing value" same fit -k 2 --max-iter 2 "$T/na.csv"
check "  reported" grep -q "1 value missing" "$T/e2"
sed 's/$/\r/' "$T/big.csv" >"$T/crlf.csv"
clean
check "CRLF line ends" same fit -k 2 --max-iter 2 "$T/crlf.csv"
check "  a model" [ -s "$T/m2" ]
done_testing
