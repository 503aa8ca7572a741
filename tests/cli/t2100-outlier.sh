#!/bin/sh
# score --outlier Q (issue 16, section 4): fit and select-k keep the
# quantiles of the training rows' log densities in the model (every
# 0.1%; binary section ldqu, JSON "log_density_quantiles"), and score
# flags the rows below the Q quantile.  Checked against the quantile
# computed here from score's own log densities (the least at which the
# rows' cumulative share reaches Q), with weights against repeated rows,
# through JSON, and the refusals.
. "$(dirname "$0")/lib.sh"

F=$TOP/data/faithful.csv
"$GMM" fit -q -k 2 -o "$T/m.gmm" "$F"
"$GMM" score "$T/m.gmm" "$F" | tail -n +2 >"$T/ld"

# flags Q: "count" of the rows below the level-Q quantile of ld, computed
# here: the ceil(Q n)-th least (the least for Q = 0)
want() {
	sort -g "$T/ld" | awk -v q="$1" '{ v[NR] = $1 } END {
	    i = q * NR; j = int(i); if (j < i) j++; if (j < 1) j = 1
	    for (r = 1; r <= NR; r++) c += v[r] < v[j]; print c }'
}
got() {
	tail -n +2 "$T/out" | awk -F, '{ s += $NF } END { print s + 0 }'
}
for q in 0.05 0.01 0.5 0.25 0; do
	run score --outlier "$q" "$T/m.gmm" "$F"
	expect_status "--outlier $q" 0
	check "... flags the rows below the $q quantile ($(got) of 272, want $(want "$q"))" \
	    [ "$(got)" = "$(want "$q")" ]
done
run score --outlier 0.05 "$T/m.gmm" "$F"
# row by row: flag = (log density < the 14th least of 272)
q14=$(sort -g "$T/ld" | sed -n 14p)
check "... row by row, 1 exactly where the log density is below $q14" sh -c \
    "tail -n +2 '$T/out' | awk -F, -v q='$q14' '{ if ((\$1 < q) != \$2) bad = 1 } END { exit bad }'"
check "... the header ends in outlier" [ "$(head -1 "$T/out")" = "log_density,outlier" ]
cp "$T/out" "$T/csv.out"
run score --outlier 0.05 --labels --proba --json "$T/m.gmm" "$F"
check "... in JSON lines the same flags" sh -c \
    "grep -o '\"outlier\": [01]' '$T/out' | cut -d' ' -f2 >'$T/j'; tail -n +2 '$T/csv.out' | cut -d, -f2 | cmp -s - '$T/j'"
# between two kept levels: the linear interpolation
for q in 0.012 0.0125 0.013; do
	run score --outlier "$q" "$T/m.gmm" "$F"
	eval "n_$(echo "$q" | tr -d .)=$(got)"
done
check "--outlier 0.0125 flags between 0.012's and 0.013's ($n_0012 <= $n_00125 <= $n_0013)" \
    [ "$n_0012" -le "$n_00125" ] && [ "$n_00125" -le "$n_0013" ]

# the model's JSON carries them: the same flags from it
"$GMM" show --json "$T/m.gmm" >"$T/m.json"
check "show --json: 1001 quantiles" sh -c \
    "grep -o '\"log_density_quantiles\": \[[^]]*\]' '$T/m.json' | tr ',' '\n' | wc -l | grep -qx 1001"
run score --outlier 0.05 "$T/m.json" "$F"
check "... the JSON model flags the same rows" cmp -s "$T/out" "$T/csv.out"
sed 's/"log_density_quantiles": \[-/"log_density_quantiles": [1e9, -/' \
    "$T/m.json" >"$T/bad.json"
run score --outlier 0.05 "$T/bad.json" "$F"
check "quantiles not in order are refused" grep -q "quantiles" "$T/err"
expect_status "... as a bad model" 1

# rows with a missing value: scored on fewer columns, no flag
printf 'eruptions,waiting\n3.6,79\nNA,80\n,\n1.0,40\n' >"$T/na.csv"
run score --outlier 0.05 --labels "$T/m.gmm" "$T/na.csv"
expect_out "a missing value: an empty outlier field; a far row: 1" \
    "log_density,label,outlier
$(sed -n 2p "$T/out" | cut -d, -f1-2),0
$(sed -n 3p "$T/out" | cut -d, -f1-2),
,,
$(sed -n 5p "$T/out" | cut -d, -f1-2),1"

# weights: a row of weight w counts as w rows
W=$REF/incomplete/faithful_weighted.csv
"$GMM" fit -q -k 2 --weights w -o "$T/w.gmm" "$W"
awk -F, 'NR == 1 { print "eruptions,waiting"; next }
    { for (i = 0; i < $3; i++) print $1 "," $2 }' "$W" >"$T/rep.csv"
"$GMM" score "$T/w.gmm" "$T/rep.csv" | tail -n +2 >"$T/ld"
run score --outlier 0.1 "$T/w.gmm" "$T/rep.csv"
check "weighted: the quantile of the rows repeated as often as their weight ($(got), want $(want 0.1))" \
    [ "$(got)" = "$(want 0.1)" ]

# select-k keeps them in its best model
"$GMM" select-k -q -k 1..3 --covariance full,diag -o "$T/best.gmm" "$F" >/dev/null
run score --outlier 0.05 "$T/best.gmm" "$F"
expect_status "select-k -o: a model with the quantiles" 0

# refused
run score --outlier 0.05 "$FIX/two-full.json" "$F"
expect_err "a model without them" 1 \
    "gmm score: $FIX/two-full.json: --outlier needs the log-density quantiles of the model's training rows, which this model lacks (written by a gmm before them, by hand, or fitted with no complete row): fit it again"
run score --outlier 1.5 "$T/m.gmm" "$F"
expect_status "--outlier 1.5" 2
run score --outlier 0.1 --summary "$T/m.gmm" "$F"
expect_status "--outlier with --summary" 2
done_testing
