#!/bin/sh
# gmm show: text and --json; the JSON form reads back to the same model;
# damaged model files are refused by every command that reads a model.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv

"$GMM" fit -k 2 -q -o "$T/m.gmm" "$F"
run show "$T/m.gmm"
expect_status "show" 0
check "text: sizes and type" grep -q "^k = 2, d = 2, covariance = full$" "$T/out"
check "text: columns" grep -q "^columns: eruptions waiting$" "$T/out"
check "text: training" grep -q "^training: n = 272, log-likelihood = -1130.26" "$T/out"
check "  with ICL" grep -q "^training: .*, AIC = [-0-9.e]*, ICL = 2322.70[0-9]*$" "$T/out"
run show "$FIX/v1-full.gmm"
check "  a model written before ICL shows none" sh -c 'grep -q "^training: .*AIC = [-0-9.e]*$" "$1"' - "$T/out"
check "text: a weight, mean and covariance per component" \
    test "$(grep -c -e '^component' -e '^  mean:' -e '^  covariance:' "$T/out")" -eq 6

run show --json "$T/m.gmm"
expect_status "show --json" 0
cp "$T/out" "$T/m.json"
for key in '"format": "gmm-model"' '"version": 1' '"k": 2' '"d": 2' \
    '"covariance_type": "full"' '"columns": \["eruptions", "waiting"\]' \
    '"weights": \[' '"means": \[' '"covariances": \[' '"training": {"n": 272' \
    '"log_likelihood": -1130.26' '"mean_log_likelihood": -4.155' '"bic": 2322.19' \
    '"aic": 2282.52' '"iterations": ' '"converged": true' '"seed": 0' \
    '"n_init": 1' '"reg_covar": 1e-06' '"tol": 1e-06' '"degenerate": false'; do
	check "json has $key" grep -q "$key" "$T/m.json"
done
run show --json "$T/m.json"
check "JSON reads back to the same JSON" cmp -s "$T/out" "$T/m.json"
for cov in diag spherical tied; do
	run show --json "$FIX/$cov.json"
	cp "$T/out" "$T/$cov.json"
	run show --json "$T/$cov.json"
	check "$cov: JSON in scikit-learn's shape round-trips" cmp -s "$T/out" "$T/$cov.json"
done
check "diag covariances are [k][d]" grep -q '^    \[1, 4, 0.25\],$' "$T/diag.json"
check "spherical covariances are [k]" grep -q '"covariances": \[4\]' "$T/spherical.json"
check "a hand-written model has no training block" sh -c "! grep -q training '$T/tied.json'"
run show
expect_status "show without MODEL is a usage error" 2

# damaged models: every reader refuses them with status 1 and a message
size=$(wc -c <"$T/m.gmm")
head -c $((size - 9)) "$T/m.gmm" >"$T/trunc.gmm"
cp "$T/m.gmm" "$T/flip.gmm"
printf '\377' | dd of="$T/flip.gmm" bs=1 seek=60 conv=notrunc 2>/dev/null
cp "$T/m.gmm" "$T/newer.gmm"
printf '\003' | dd of="$T/newer.gmm" bs=1 seek=8 conv=notrunc 2>/dev/null
sed 's/"weights": \[[^]]*\]/"weights": [0.5, 0.6]/' "$T/m.json" >"$T/wsum.json"
sed 's/"covariance_type": "full"/"covariance_type": "cube"/' "$T/m.json" >"$T/type.json"
printf '{"covariance_type": "full", "weights": [1], "means": [[0, 0]], "covariances": [[[1, 2], [2, 1]]]}' >"$T/notpd.json"
printf '{"covariance_type": "diag", "weights": [1], "means": [[0, 0]], "covariances": [[1]]}' >"$T/shape.json"
printf '{"weights": [1], ' >"$T/broken.json"
for case in \
    "trunc.gmm|model file is $((size - 9)) bytes, its header says $size (truncated or corrupted)" \
    "flip.gmm|checksum mismatch (corrupted model file)" \
    "newer.gmm|model format version 3 is newer than this gmm reads (2)" \
    "wsum.json|weights sum to 1.1000000000000001, not 1" \
    "type.json|\"covariance_type\" must be full, diag, spherical or tied" \
    "notpd.json|component 0: covariance is not positive definite" \
    "shape.json|\"covariances\" must be numbers shaped [k][d] for diag (k = 1, d = 2)" \
    "broken.json:1|invalid JSON: string or '}' expected near end of file"; do
	file=${case%%|*}
	msg=${case#*|}
	path=$T/${file%:*}
	where=$T/$file
	run show "$path"
	expect_err "show refuses $file" 1 "gmm show: $where: $msg"
	run score "$path" "$F"
	expect_err "score refuses $file" 1 "gmm score: $where: $msg"
	run sample -n 1 "$path"
	expect_err "sample refuses $file" 1 "gmm sample: $where: $msg"
	run fit --init "$path" -o "$T/x.gmm" "$F"
	expect_err "fit --init refuses $file" 1 "gmm fit: $where: $msg"
done
done_testing
