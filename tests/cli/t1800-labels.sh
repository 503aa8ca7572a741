#!/bin/sh
# --label-column (issue 16, section 3): partial labels from the command
# line.  The numbers against MclustSSC are test_labels'; here: fit on iris
# with 30% of the species given reaches MclustSSC's log-likelihood and
# BIC, the model keeps the class names (binary, JSON, show) and score
# --labels prints them (the species of nearly every row); -k above the classes names the new ones new1, ...;
# select-k --label-column chooses MclustSSC's model (VEV) by BIC; every
# row labelled is EDDA, a classifier; the refusals.
. "$(dirname "$0")/lib.sh"

L=$REF/mclust/ssc/iris_labelled.csv
I=$REF/data/iris.csv

run fit --label-column class -k 3 --covariance VEV --reg-covar 0 --tol 1e-12 -o "$T/l.gmm" "$L"
expect_status "fit --label-column class (iris, 48 of 150 rows labelled)" 0
check "  MclustSSC's log-likelihood (-191.00733147, its tol 1e-5; ours at least it, within 1e-4)" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" 'BEGIN { d = l + 191.00733147014796; exit !(d >= -1e-9 && d < 1e-4) }'
check "  its BIC (572.4188)" \
    awk -v b="$(sed -n 's/.* bic=\([^ ]*\) .*/\1/p' "$T/err")" 'BEGIN { d = b - 572.4188041159537; exit !(d < 1e-3 && d > -1e-3) }'
run show "$T/l.gmm"
check "  show names each component's class" \
    sh -c 'grep "^component" "$1" | cut -d: -f1 | tr "\n" " " | grep -qx "component 0 (setosa) component 1 (versicolor) component 2 (virginica) "' - "$T/out"
"$GMM" show --json "$T/l.gmm" >"$T/l.json"
check "  JSON \"classes\"" grep -q '^  "classes": \["setosa", "versicolor", "virginica"\],$' "$T/l.json"
run score --labels "$T/l.gmm" "$I"
expect_status "score --labels" 0
check "  prints the classes" sh -c 'tail -n +2 "$1" | cut -d, -f2 | sort -u | tr "\n" " " | grep -qx "setosa versicolor virginica "' - "$T/out"
"$GMM" score --labels "$T/l.json" "$I" >"$T/j.csv"
check "  the JSON model labels alike" cmp -s "$T/out" "$T/j.csv"
agree=$(paste -d, "$REF/data/iris.labels.csv" "$T/out" | awk -F, 'NR > 1 && $1 == $3 { c++ } END { print c + 0 }')
check "  the species of 144 or more of the 150 rows ($agree)" [ "$agree" -ge 144 ]
run score --json --labels "$T/l.gmm" "$I"
check "  JSON: \"label\": \"setosa\"" grep -q '^{"log_density": [^,]*, "label": "setosa"}$' "$T/out"

run fit --label-column class -k 4 -o "$T/l4.gmm" "$L"
expect_status "-k above the classes" 0
run show "$T/l4.gmm"
check "  the new component is new1" grep -q "^component 3 (new1): weight" "$T/out"

run select-k --label-column class -k 3 --reg-covar 0 "$L"
expect_status "select-k --label-column over the fourteen models" 0
check "  chooses MclustSSC's model, VEV" grep -q "^gmm select-k: best: k=3 covariance=VEV bic=572.41" "$T/err"
check "  and VVE's BIC is MclustSSC's (596.4401) to 0.01" \
    awk -F, '$2 == "VVE" { d = $5 - 596.4401; exit !(d < 0.01 && d > -0.01) }' "$T/out"

# every row labelled: EDDA
paste -d, "$I" "$REF/data/iris.labels.csv" >"$T/all.csv"
run fit --label-column class -k 3 -o "$T/edda.gmm" "$T/all.csv"
expect_status "every row labelled (EDDA)" 0
"$GMM" score --labels "$T/edda.gmm" "$I" | tail -n +2 | cut -d, -f2 >"$T/pred"
right=$(tail -n +2 "$REF/data/iris.labels.csv" | paste -d, - "$T/pred" | awk -F, '$1 == $2 { c++ } END { print c + 0 }')
check "  classifies iris's rows back ($right of 150 right, at least 145)" [ "$right" -ge 145 ]
run fit --label-column class -k 3 --max-iter 0 -o "$T/edda0.gmm" "$T/all.csv"
check "  its class means are the species' means (setosa 5.006, 3.428, 1.462, 0.246)" \
    sh -c '"$1" show --json "$2" | grep -A1 "\"means\"" | tail -1 | grep -q "^    \[5.006, 3.428, 1.462, 0.246\],$"' - "$GMM" "$T/edda0.gmm"

# refusals
run fit --label-column class -k 2 -o "$T/x.gmm" "$L"
expect_err "-k below the classes" 1 "gmm fit: $L: k = 2 is less than the 3 classes of the labels"
run fit --label-column class -k 3 --init random -o "$T/x.gmm" "$L"
check "--init random with labels is refused" grep -q "with labels a fit starts from the classes" "$T/err"
run select-k --label-column class -k 2,3 "$L"
expect_status "select-k with a k below the classes" 1
check "  says so" grep -q "k = 2 is less than the 3 classes of the labels (--label-column)" "$T/err"
run fit --label-column nosuch -k 3 "$L"
expect_status "an unknown label column" 1
run fit --label-column class -c class,Sepal.Width -k 3 "$L"
check "the label column in -c is refused" grep -q "column 5 is both the labels (--label-column) and a data column (-c)" "$T/err"
printf 'x,w,c\n1,1,a\n2,1,\n3,1,b\n' >"$T/w.csv"
run fit --label-column 2 --weights 2 -k 2 "$T/w.csv"
check "the same column as weights and labels is refused" grep -q "column 2 is both the weights (--weights) and the labels (--label-column)" "$T/err"
printf 'x,c\n1,\n2,\n3,\n' >"$T/none.csv"
run fit --label-column c -k 1 "$T/none.csv"
check "no labelled row is refused" grep -q "no row has a label (column 2, --label-column)" "$T/err"
printf 'x,y,c\n1,2,a\n2,,b\n3,4,\n' >"$T/miss.csv"
run fit --label-column c -k 2 "$T/miss.csv"
check "a missing value is refused, naming the line" grep -q "miss.csv:3: a missing value: --label-column does not take them yet" "$T/err"
printf 'x,c\n1,a\n2,a\n3,\n' >"$T/allnew.csv"
sed 's/,$/,a/' "$T/allnew.csv" >"$T/alllab.csv"
run fit --label-column c -k 2 "$T/alllab.csv"
check "-k above the classes with every row labelled: nothing to find" grep -q "k = 2 is more than the 1 classes, but no row is unlabelled" "$T/err"
done_testing
