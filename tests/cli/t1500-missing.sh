#!/bin/sh
# Missing values on the command line (issue 15): fit, select-k and score
# take empty fields and the --na tokens as missing, --missing error refuses
# them naming line and column, rows with nothing observed are skipped and
# counted, score gives a partly observed row its marginal density and an
# empty row empty fields.  The numbers against the reference and for every
# covariance model: tests/unit/test_missing.c and test_marginal.c.
. "$(dirname "$0")/lib.sh"

# expect_line DESC N LINE: status N and LINE among stderr's lines
expect_line() {
	if [ "$st" -eq "$2" ] && grep -qxF -- "$3" "$T/err"; then
		ok "$1"
	else
		not_ok "$1" "status $st (want $2)" "stderr: $(head -c 600 "$T/err")" \
		    "want a line: $3"
	fi
}

M=$REF/incomplete/faithful_mcar.csv
S=$REF/incomplete/faithful_k3_full.init.json
E=$REF/incomplete/faithful_k3_full.mcar.expected.json

# the reference's mean log-likelihood after 5 iterations, from the CLI
run fit --init "$S" --max-iter 5 --tol 0 --json -o "$T/m.gmm" "$M"
expect_status "fit with missing values" 0
want=$(sed -n 's/.*"5": {[^}]*"mean_log_likelihood": \([^,}]*\).*/\1/p' "$E")
fit_ll=$(sed -n 's/.*"log_likelihood": \([^,]*\),.*/\1/p' "$T/err")
check "its log-likelihood is the reference's ($fit_ll / 259 against $want)" \
    awk -v a="$fit_ll" -v b="$want" 'BEGIN { d = a / 259 - b; if (d < 0) d = -d;
	exit !(a != "" && b != "" && d <= 1e-9 * (b < 0 ? -b : b)) }'
check "the note counts values, rows and skipped rows" grep -qx \
    "gmm fit: $M: 70 values missing in 70 of 259 rows; 13 rows with no observed value skipped" \
    "$T/err"
run show "$T/m.gmm"
check "n is the rows with a value" grep -q "n = 259," "$T/out"
run fit --init "$S" --max-iter 5 --tol 0 -q -o /dev/null "$M"
check "-q: no note" test ! -s "$T/err"

# --missing error, --na
run fit -k 2 --missing error -o /dev/null "$M"
expect_err "--missing error refuses an empty field" 1 \
    "gmm fit: $M:6: column 2 (\"waiting\"): empty field"
run fit -k 2 --missing maybe -o /dev/null "$M"
expect_line "--missing takes allow or error" 2 \
    "gmm fit: --missing takes allow or error, not \"maybe\""
printf 'a,b\n1,2\n?,3\n2,?\n3,5\n4,NA\n' >"$T/q.csv"
run fit -k 1 --na '?' -o /dev/null "$T/q.csv"
expect_err "--na replaces the tokens: NA is then not a number" 1 \
    "gmm fit: $T/q.csv:6: column 2 (\"b\"): \"NA\" is a missing value"
run fit -k 1 --na '?,na' -o /dev/null "$T/q.csv"
expect_line "--na takes a list, matched in any case" 0 \
    "gmm fit: $T/q.csv: 3 values missing in 3 of 5 rows"
printf '?,2\n1,?\n3,4\n5,6\n' >"$T/nohdr.csv"
run fit -k 1 --na '?' -o /dev/null "$T/nohdr.csv"
expect_line "a token in the first record is no header" 0 \
    "gmm fit: $T/nohdr.csv: 2 values missing in 2 of 4 rows"
printf 'a,b\n,\nNA,nan\n' >"$T/none.csv"
run fit -k 1 -o /dev/null "$T/none.csv"
expect_err "no row with a value" 1 \
    "gmm fit: $T/none.csv: no row has an observed value"
printf 'a\n1\n\n2\n3\n' >"$T/one.csv"
run fit -k 1 -o /dev/null "$T/one.csv"
expect_line "a blank line of a one-column file is a row with nothing" 0 \
    "gmm fit: $T/one.csv: 1 row with no observed value skipped"
run fit -k 3 --init hc -o /dev/null "$M"
expect_line "hc refuses missing values" 1 \
    "gmm fit: $M: --init hc does not take missing values (mclust's hc has none); use kmeans, kmeans++, smallem, random or a start file"
run fit -k 3 --init kmeans++ -o /dev/null "$M"
expect_status "a k-means++ start on observed values" 0
run fit -k 3 --init random --n-init 2 -o /dev/null "$M"
expect_status "a random start" 0

# responsibilities given per row read, empty rows included
awk -F, 'NR > 1 { print (NR % 3 == 0) "," (NR % 3 == 1) "," (NR % 3 == 2) }' \
    "$M" >"$T/resp.csv"
run fit --init "resp:$T/resp.csv" --max-iter 3 -o /dev/null "$M"
expect_status "--init resp: with a row per row read" 0
head -n 100 "$T/resp.csv" >"$T/short.csv"
run fit --init "resp:$T/short.csv" -o /dev/null "$M"
expect_line "... and not another number" 1 \
    "gmm fit: $M: the start responsibilities have 100 rows, the data 272"

# select-k
run select-k -k 1..3 --covariance full,diag,VEV -q "$M"
expect_status "select-k with missing values" 0
check "its table has every cell" sh -c "[ \$(grep -c ',full,\|,diag,\|,VEV,' $T/out) -eq 9 ]"

# score: a partly observed row by its marginal, an empty one empty
run score --labels --proba "$T/m.gmm" "$M"
expect_status "score with missing values" 0
check "one output row per input row" sh -c "[ \$(wc -l <$T/out) -eq 273 ]"
check "a row with nothing observed has empty fields" grep -qx ',,,,' "$T/out"
check "the note" grep -qx \
    "gmm score: $M: 96 values missing in 83 rows; 13 of them with no observed value (no score)" \
    "$T/err"
# a partly observed row scores as the mixture's marginal on its observed
# columns: a two-column model and its marginal on b, written here
cat >"$T/ab.json" <<'J'
{"covariance_type": "full", "columns": ["a", "b"], "weights": [0.3, 0.7],
 "means": [[0, 1], [2, -1]],
 "covariances": [[[1, 0.5], [0.5, 2]], [[0.5, -0.2], [-0.2, 0.8]]]}
J
cat >"$T/b.json" <<'J'
{"covariance_type": "full", "columns": ["b"], "weights": [0.3, 0.7],
 "means": [[1], [-1]], "covariances": [[[2]], [[0.8]]]}
J
printf 'a,b\n,0.25\n' >"$T/ab.csv"
printf 'b\n0.25\n' >"$T/b.csv"
run score --labels --proba "$T/ab.json" "$T/ab.csv"
two=$(sed -n 2p "$T/out")
run score --labels --proba "$T/b.json" "$T/b.csv"
one=$(sed -n 2p "$T/out")
check "a partly observed row scores as the marginal model ($two)" \
    test -n "$one" -a "$one" = "$two"
run score --json --labels --proba "$T/m.gmm" "$M"
check "JSON: null scores" grep -qx \
    '{"log_density": null, "label": null, "proba": null}' "$T/out"
run score --summary -q "$T/m.gmm" "$M"
check "--summary: n and the total are the fit's ($fit_ll)" grep -q "^259,${fit_ll%??}" \
    "$T/out"
run score --missing error "$T/m.gmm" "$M"
expect_status "score --missing error" 1
run score --summary -q "$T/m.gmm" "$T/none.csv"
expect_status "score --summary of rows with nothing observed" 1
done_testing
