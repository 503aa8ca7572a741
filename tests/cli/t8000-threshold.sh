#!/bin/sh
# gmm threshold (issue 16, section 4): the cut between two 1-D
# components, where their posteriors are equal, against the closed form
# of equal variances and, for unequal ones, against gmm score --proba at
# the printed cut (the posterior there is 1/2, or P for --posterior P);
# the density's minimum against score's log density beside it; the fit
# from data sampled from a known mixture; empty fields and their notes;
# refusals.
. "$(dirname "$0")/lib.sh"

# model W1 W2 M1 M2 V1 V2: a JSON mixture of two components on x
model() {
	printf '{"format": "gmm-model", "version": 1, "k": 2, "d": 1,
 "covariance_type": "spherical", "columns": ["x"], "weights": [%s, %s],
 "means": [[%s], [%s]], "covariances": [%s, %s]}\n' "$@"
}
# col N: field N of the output's data row
col() {
	sed -n 2p "$T/out" | cut -d, -f"$1"
}

model 0.5 0.5 0 4 1 1 >"$T/eq.json"
run threshold --model "$T/eq.json" --posterior 0.9
expect_status "equal variances and weights" 0
check "... the header" [ "$(sed -n 1p "$T/out")" = \
    "cut,density_min,low_weight,low_mean,low_sd,high_weight,high_mean,high_sd,at_posterior" ]
check "... cut at the midpoint, 2 ($(col 1))" near "$(col 1)" 2 1e-12
check "... the density's minimum there too ($(col 2))" near "$(col 2)" 2 1e-6
# log-odds 4 x - 8 = logit 0.9
check "... at_posterior (logit(0.9) + 8) / 4 ($(col 9))" near "$(col 9)" \
    "$(awk 'BEGIN { printf "%.17g", (log(9) + 8) / 4 }')" 1e-12
model 0.2 0.8 0 4 1 1 >"$T/w.json"
run threshold --model "$T/w.json"
check "unequal weights: 2 + log(0.2 / 0.8) / 4 ($(col 1))" near "$(col 1)" \
    "$(awk 'BEGIN { printf "%.17g", 2 + log(0.25) / 4 }')" 1e-12
same_sd() { [ "$(col 5)" = "$(col 8)" ]; }

# unequal variances: the posterior at each cut, as score computes it
model 0.3 0.7 10 2 4 0.25 >"$T/uv.json"	# listed upper first
run threshold --model "$T/uv.json" --posterior 0.99
expect_status "unequal variances" 0
check "... the lower mean first" [ "$(col 4)" = 2 ] && [ "$(col 7)" = 10 ]
check "... sd the root of the variance" near "$(col 5)" 0.5 1e-15
# in the model the upper component is the first: p0
p_at() {
	printf 'x\n%s\n' "$1" >"$T/at.csv"
	"$GMM" score --proba "$T/uv.json" "$T/at.csv" | sed -n 2p | cut -d, -f2
}
check "... posterior 1/2 at the cut $(col 1) ($(p_at "$(col 1)"))" \
    near "$(p_at "$(col 1)")" 0.5 1e-9
check "... 0.99 at at_posterior $(col 9) ($(p_at "$(col 9)"))" \
    near "$(p_at "$(col 9)")" 0.99 1e-9
check "... where the posterior rises: below the cut it is less than 1/2" \
    awk -v p="$(p_at "$(awk -v c="$(col 1)" 'BEGIN { print c - 0.01 }')")" \
    'BEGIN { exit !(p < 0.5) }'
dmin=$(col 2)
printf 'x\n%s\n%s\n%s\n' "$(awk -v m="$dmin" 'BEGIN { print m - 1e-3 }')" \
    "$dmin" "$(awk -v m="$dmin" 'BEGIN { print m + 1e-3 }')" >"$T/m.csv"
"$GMM" score "$T/uv.json" "$T/m.csv" >"$T/ld"
check "... the density at density_min below its value 0.001 either side" \
    awk -F, 'NR > 1 { v[NR - 1] = $1 } END { exit !(v[2] < v[1] && v[2] < v[3]) }' "$T/ld"

# from data: 4000 rows of a known mixture
model 0.4 0.6 -3 3 1 2.25 >"$T/true.json"
"$GMM" sample -n 4000 --seed 3 "$T/true.json" >"$T/s.csv"
run threshold --seed 1 "$T/s.csv"
expect_status "fitted to data" 0
run threshold --model "$T/true.json"
cp "$T/out" "$T/true.out"
run threshold --seed 1 "$T/s.csv"
cp "$T/out" "$T/fit.out"
check "... means within 0.1 of the truth ($(col 4), $(col 7))" \
    sh -c "awk 'BEGIN { exit !(($(col 4) + 3)^2 < 0.01 && ($(col 7) - 3)^2 < 0.01) }'"
check "... the cut within 0.1 of the true mixture's ($(col 1), $(sed -n 2p "$T/true.out" | cut -d, -f1))" \
    near "$(col 1)" "$(sed -n 2p "$T/true.out" | cut -d, -f1)" 0.1
run_in "$T/s.csv" threshold --seed 1 -
check "... the same from stdin" cmp -s "$T/out" "$T/fit.out"
run threshold --seed 1 --covariance E "$T/s.csv"
expect_status "--covariance E" 0
check "... one standard deviation for both" same_sd
run threshold --seed 1 --covariance V "$T/s.csv"
check "--covariance V: one each" sh -c "[ \"$(col 5)\" != \"$(col 8)\" ]"
run threshold --seed 1 --n-init 3 --max-iter 500 --tol 1e-9 "$T/s.csv"
expect_status "--n-init, --max-iter, --tol" 0
check "... the same optimum's cut within 1e-3 (tighter --tol)" near "$(col 1)" \
    "$(sed -n 2p "$T/fit.out" | cut -d, -f1)" 1e-3
run threshold --max-iter 1 "$T/s.csv"
expect_status "--max-iter 1: a fit all the same" 0

# no cut, one mode
model 0.99 0.01 0 0.5 4 1 >"$T/nocut.json"
run threshold --model "$T/nocut.json"
expect_status "a posterior that never reaches 1/2" 0
check "... an empty cut" [ -z "$(col 1)" ]
check "... said on stderr" grep -q "nowhere equal" "$T/err"
run threshold -q --model "$T/nocut.json"
check "... not with -q" [ ! -s "$T/err" ]
model 0.5 0.5 0 1 1 1 >"$T/one.json"
run threshold --model "$T/one.json"
check "one mode: an empty density_min" [ -z "$(col 2)" ]
check "... said" grep -q "one mode" "$T/err"

# refused
run threshold "$TOP/data/faithful.csv"
expect_err "two columns" 1 \
    "gmm threshold: $TOP/data/faithful.csv: threshold reads one column, and the data have 2 (select one with -c)"
run threshold -c waiting "$TOP/data/faithful.csv"
expect_status "... one selected with -c" 0
"$GMM" fit -q -k 3 -c waiting -o "$T/k3.gmm" "$TOP/data/faithful.csv"
run threshold --model "$T/k3.gmm"
expect_err "a model of 3 components" 1 \
    "gmm threshold: $T/k3.gmm: a model of 2 components on 1 column is needed; this one has 3 on 1"
run threshold --posterior 1.5 --model "$T/eq.json"
expect_status "--posterior outside (0, 1)" 2
run threshold --posterior 0 --model "$T/eq.json"
expect_status "--posterior 0" 2
run threshold --model "$T/eq.json" "$T/s.csv"
expect_status "--model with FILE" 2
check "... says why" grep -q "no FILE is read" "$T/err"
done_testing
