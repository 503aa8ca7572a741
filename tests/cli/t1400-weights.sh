#!/bin/sh
# Row weights on the command line (--weights COL, issue 15): the column is
# not data, a bad weight is an error naming line and column, integer
# weights equal repeated rows through fit --init MODEL, show and the JSON
# carry the weights' sum, and hc refuses weights.  The numbers against
# the reference and for every covariance model: tests/unit/test_weights.c.
. "$(dirname "$0")/lib.sh"

W=$REF/incomplete/faithful_weighted.csv
# the rows repeated w times, without the weight column
awk -F, 'NR == 1 { print $1 "," $2; next }
    { for (c = 0; c < $3; c++) print $1 "," $2 }' "$W" >"$T/rep.csv"

run fit -k 3 --seed 3 --max-iter 0 -o "$T/start.gmm" "$T/rep.csv"
expect_status "a start on the repeated rows" 0
run fit --init "$T/start.gmm" --tol 0 --max-iter 20 --json -o "$T/rep.gmm" \
    "$T/rep.csv"
rep_ll=$(sed -n 's/.*"log_likelihood": \([^,]*\),.*/\1/p' "$T/err")
run fit --init "$T/start.gmm" --tol 0 --max-iter 20 --json --weights w \
    -o "$T/w.gmm" "$W"
expect_status "fit --weights w" 0
w_ll=$(sed -n 's/.*"log_likelihood": \([^,]*\),.*/\1/p' "$T/err")
check "the weighted log-likelihood is the repeated rows' ($w_ll, $rep_ll)" \
    awk -v a="$w_ll" -v b="$rep_ll" 'BEGIN { d = a - b; if (d < 0) d = -d;
	exit !(a != "" && d <= 1e-10 * (b < 0 ? -b : b)) }'
run fit --init "$T/start.gmm" --tol 0 --max-iter 20 --json --weights 3 \
    -o /dev/null "$W"
check "--weights takes a column number" grep -q "\"log_likelihood\": $w_ll" \
    "$T/err"
run show "$T/w.gmm"
check "show gives the weights' sum" grep -q \
    "n = 272 (weights summing to $(awk -F, 'NR > 1 { s += $3 } END { print s }' "$W"))" \
    "$T/out"
run show --json "$T/w.gmm"
check "the JSON has weight_total" grep -q '"weight_total": ' "$T/out"
run show --json "$T/rep.gmm"
check "no weight_total without weights" sh -c "! grep -q weight_total $T/out"

# the weights are not data, and a bad one is named
run fit -k 2 --weights w -c eruptions,w -o /dev/null "$W"
expect_err "the weights column among -c" 1 \
    "gmm fit: $W: column 3 is both the weights (--weights) and a data column (-c)"
printf 'a,b,w\n1,2,1\n3,4,-1\n5,6,1\n' >"$T/neg.csv"
run fit -k 1 --weights w -o /dev/null "$T/neg.csv"
expect_err "a negative weight" 1 \
    "gmm fit: $T/neg.csv:3: column 3 (weights): -1; a weight is a finite number >= 0"
printf 'a,b,w\n1,2,0\n3,4,0\n' >"$T/zero.csv"
run fit -k 1 --weights w -o /dev/null "$T/zero.csv"
expect_err "all weights 0" 1 \
    "gmm fit: $T/zero.csv: every row's weight (column 3) is 0"
printf 'a,b,w\n1,2,1\n3,4,x\n' >"$T/nan.csv"
run fit -k 1 --weights w -o /dev/null "$T/nan.csv"
expect_status "a weight that is not a number" 1
check "... named by line and column" grep -q "nan.csv:3: column 3 (weights)" \
    "$T/err"
run fit -k 1 --weights nosuch -o /dev/null "$W"
expect_status "an unknown weights column" 1
printf 'a,w\n1,1\n2,0\n3,1\n' >"$T/k.csv"
run fit -k 3 --weights w -o /dev/null "$T/k.csv"
expect_err "k beyond the rows of weight > 0" 1 \
    "gmm fit: $T/k.csv: k = 3 is larger than the number of rows of weight > 0 (2)"
run fit -k 2 --init hc --weights w -o /dev/null "$W"
expect_status "--init hc refuses weights" 1
check "... and says so" grep -q "init hc does not take row weights" "$T/err"

# score --summary weighs its rows: the repeated rows' summary
run score --summary "$T/w.gmm" "$T/rep.csv"
rep_sum=$(sed -n 2p "$T/out")
run score --summary --weights w "$T/w.gmm" "$W"
expect_status "score --summary --weights" 0
check "its header has weight_total" grep -q \
    '^n,weight_total,total_log_likelihood,mean_log_likelihood,bic,aic$' "$T/out"
w_sum=$(sed -n 2p "$T/out")
check "the weighted summary is the repeated rows' ($w_sum; $rep_sum)" \
    awk -v a="$w_sum" -v b="$rep_sum" 'BEGIN { split(a, x, ","); split(b, y, ",")
	if (x[1] != 272 || x[2] != y[1]) exit 1
	for (i = 2; i <= 5; i++) { d = x[i + 1] - y[i]; if (d < 0) d = -d
	    s = y[i] < 0 ? -y[i] : y[i]; if (d > 1e-12 * s) exit 1 }
	exit 0 }'
run score --weights w "$T/w.gmm" "$W"
expect_status "score --weights without --summary is a usage error" 2
printf 'eruptions,waiting\n3.6,79\n' >"$T/nw.csv"
run score --summary --weights waiting "$T/w.gmm" "$T/nw.csv"
expect_err "score: the weights cannot be a model column" 1 \
    "gmm score: $T/nw.csv: column 2 (\"waiting\") is both the weights (--weights) and a model column"

# select-k takes them too (its hc start is skipped)
run select-k -k 1..2 --covariance VVV,EII --weights w "$W"
expect_status "select-k --weights" 0
check "select-k prints its table" grep -q '^2,full,' "$T/out"
done_testing
