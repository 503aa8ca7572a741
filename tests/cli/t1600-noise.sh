#!/bin/sh
# fit and select-k --noise, --noise-volume (issue 16, section 1): mclust's
# uniform noise component from the command line.  The numbers against
# mclust's me() are test_noise's; here what a user sees: the volume said
# with -v, the fit from mclust's start responsibilities (k + 1 columns)
# with mclust's log-likelihood, the default start's model on faithful,
# score's "noise" label and p_noise column (CSV and JSON), show, the
# binary and JSON files (and a JSON "volume" read back), select-k's
# parameter count, and every refusal: a bad volume, a labels start, a
# start of the wrong width, missing values, and the commands that cannot
# use such a model.
. "$(dirname "$0")/lib.sh"

F=$TOP/data/faithful.csv
Z=$REF/mclust/noise/faithful.z0.csv

run fit --noise -k 2 -v -o "$T/n.gmm" "$F"
expect_status "fit --noise" 0
check "  -v says the data's hypervolume (mclust's hypvol 131.86880100350035)" \
    grep -q "^gmm fit: noise component over the data's hypervolume 131.868801004$" "$T/err"
check "  the summary counts 2 more parameters: BIC = -2 logL + 13 ln 272" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" \
        -v b="$(sed -n 's/.* bic=\([^ ]*\) .*/\1/p' "$T/err")" \
        'BEGIN { d = b - (-2 * l + 13 * log(272)); exit !(d < 1e-5 && d > -1e-5) }'
# mclust's me() from its start, 50 M-steps: -1125.751232214936; the
# default start reaches the same optimum
check "  the default start reaches mclust's optimum (log-likelihood -1125.75)" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" \
        'BEGIN { d = l + 1125.7512; exit !(d < 0.01 && d > -0.01) }'

run fit --noise --init "resp:$Z" --max-iter 49 --tol 0 --reg-covar 0 -o "$T/z.gmm" "$F"
expect_status "--init resp:FILE with the noise column last" 0
check "  mclust's log-likelihood after 50 M-steps" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" \
        'BEGIN { d = l + 1125.751232214936; exit !(d < 1e-6 && d > -1e-6) }'
run fit --noise-volume 131.86880100350035 --init "resp:$Z" --max-iter 49 --tol 0 --reg-covar 0 -o "$T/v.gmm" "$F"
check "--noise-volume V (implies --noise): the same model with the data's V" cmp -s "$T/z.gmm" "$T/v.gmm"
run fit --noise-volume 1000 --init "resp:$Z" --max-iter 49 --tol 0 --reg-covar 0 -o "$T/v.gmm" "$F"
check "  another V, another model" sh -c '! cmp -s "$1" "$2"' - "$T/z.gmm" "$T/v.gmm"
run show "$T/v.gmm"
check "  show names the noise and its volume" grep -q "^noise: weight [0-9.e-]*, density 0.001 (volume 1000)$" "$T/out"

# score: the label noise, p_noise
run score --labels --proba "$T/n.gmm" "$F"
expect_status "score --labels --proba" 0
check "  header ends in p_noise" [ "$(head -n 1 "$T/out")" = "log_density,label,p0,p1,p_noise" ]
nn=$(awk -F, 'NR > 1 && $2 == "noise"' "$T/out" | wc -l)
check "  some rows labelled noise ($nn), each with the largest p_noise" \
    awk -F, 'NR > 1 { if ($2 == "noise") { c++; if ($5 < $3 || $5 < $4) exit 1 } else if ($5 > $3 + 0 && $5 > $4 + 0) exit 1 } END { exit !(c > 0) }' "$T/out"
check "  rows sum to 1 over p0, p1 and p_noise" \
    awk -F, 'NR > 1 { s = $3 + $4 + $5; if (s < 1 - 1e-12 || s > 1 + 1e-12) exit 1 }' "$T/out"
run score --json --labels --proba "$T/n.gmm" "$F"
check "  JSON: the label is the string \"noise\", proba has 3 entries" \
    sh -c 'grep -c "\"label\": \"noise\", \"proba\": \[[^],]*, [^],]*, [^],]*\]" "$1" | grep -qx "$2"' - "$T/out" "$nn"
"$GMM" score --labels "$T/n.gmm" "$F" | cut -d, -f2 >"$T/l"
"$GMM" score --proba "$T/n.gmm" "$F" | cut -d, -f2- >"$T/p"
run fit --noise --init "resp:$T/p" --max-iter 0 -o "$T/p.gmm" "$F"
expect_status "score --proba's columns start a noise fit" 0
run fit --noise --init "labels:$T/l" -o "$T/x.gmm" "$F"
expect_status "--init labels:FILE is refused" 2
check "  saying what to give" grep -q "^gmm fit: --noise does not take a labels:FILE start; give resp:FILE with the noise component's column last$" "$T/err"
cut -d, -f1-2 "$T/p" >"$T/p2"
run fit --noise -k 2 --init "resp:$T/p2" -o "$T/x.gmm" "$F"
expect_err "a start without the noise column" 1 "gmm fit: $T/p2: 2 columns of responsibilities, but -k is 2 and the noise component's is last"

# the files: binary and JSON, the same scores
"$GMM" show --json "$T/n.gmm" >"$T/n.json"
check "JSON holds \"noise\": {\"weight\", \"density\"}" grep -q '^  "noise": {"weight": [0-9.e-]*, "density": 0.007583294853598129},$' "$T/n.json"
"$GMM" score --proba "$T/n.gmm" "$F" >"$T/s1"
"$GMM" score --proba "$T/n.json" "$F" >"$T/s2"
check "  and scores as the binary model does" cmp -s "$T/s1" "$T/s2"
sed 's/"density": 0.007583294853598129/"volume": 131.86880100350035/' "$T/n.json" >"$T/vol.json"
"$GMM" score --proba "$T/vol.json" "$F" >"$T/s3"
check "  \"volume\": V reads as density 1/V" sh -c 'paste -d, "$1" "$2" | awk -F, "NR > 1 { for (j = 1; j <= 4; j++) { d = \$j - \$(j + 4); if (d > 1e-12 || d < -1e-12) exit 1 } }"' - "$T/s1" "$T/s3"
sed 's/"density": 0.007583294853598129/"density": -1/' "$T/n.json" >"$T/bad.json"
run score "$T/bad.json" "$F"
expect_err "  a negative density is refused" 1 "gmm score: $T/bad.json: the noise density is -1, not positive and finite"
sed 's/"noise": {"weight": [0-9.e-]*,/"noise": {"weight": 0.5,/' "$T/n.json" >"$T/bad.json"
run score "$T/bad.json" "$F"
check "  weights that no longer sum to 1 are refused" grep -q "weights sum to 1.4" "$T/err"
sed 's/"noise": {/"noise": {"volume": 3, /' "$T/n.json" >"$T/bad.json"
run score "$T/bad.json" "$F"
expect_err "  density and volume both is refused" 1 "gmm score: $T/bad.json: \"noise\" must be {\"weight\": w, \"density\": 1/V} or {\"weight\": w, \"volume\": V}"

# select-k: 2 more parameters per cell
run select-k --noise -k 1-3 --covariance full,VII "$F"
expect_status "select-k --noise" 0
check "  n_parameters are mclust's with noise (VVV 7 13 19, VII 5 9 13)" \
    sh -c 'tail -n +2 "$1" | cut -d, -f1,2,4 | tr "\n" " " | grep -qx "1,full,7 2,full,13 3,full,19 1,spherical,5 2,spherical,9 3,spherical,13 "' - "$T/out"

# refusals
run fit --noise-volume 0 -k 2 "$F" -o "$T/x.gmm"
expect_status "--noise-volume 0" 2
check "  must be positive" grep -q '^gmm fit: --noise-volume must be positive, not "0"$' "$T/err"
run fit --noise-volume -3 -k 2 "$F" -o "$T/x.gmm"
expect_status "--noise-volume -3" 2
printf 'a,b\n1,2\n1,3\n1,4\n' >"$T/flat.csv"
run fit --noise -k 1 -o "$T/x.gmm" "$T/flat.csv"
check "a constant column: no volume, says to give one" grep -q "the data's hypervolume is 0 (a constant column or direction, or too wide a spread); give --noise-volume$" "$T/err"
printf 'a,b\n1,2\n2,\n3,1\n4,4\n5,2\n' >"$T/miss.csv"
run fit --noise-volume 10 -k 1 --missing allow -o "$T/x.gmm" "$T/miss.csv"
check "missing values are refused" grep -q "a noise component does not take missing values yet" "$T/err"
run sample -n 3 "$T/n.gmm"
expect_err "sample refuses a noise model" 1 "gmm sample: $T/n.gmm: the model has a noise component, which sample cannot draw from: its region is not kept, only its volume"
run impute "$T/n.gmm" "$T/miss.csv"
expect_status "impute refuses it" 1
run plot clusters "$T/n.gmm" "$F" -o "$T/x.svg"
expect_status "plot refuses it" 1
run threshold --model "$T/n.gmm"
expect_status "threshold refuses it" 1
printf 'eruptions,waiting\n3,\n' >"$T/m1.csv"
run score "$T/n.gmm" "$T/m1.csv"
check "score refuses a row with a missing value under the noise" grep -q "cannot be scored under a noise component" "$T/err"
done_testing
