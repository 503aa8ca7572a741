#!/bin/sh
# Hostile numbers: fit returns a finite model or a clear error saying what
# to change; neither the model nor score's output ever holds NaN.
. "$(dirname "$0")/lib.sh"

finite_fit() {	# description, CSV file, fit options...
	desc=$1
	file=$2
	shift 2
	run fit "$@" -o "$T/h.gmm" "$file"
	if [ "$st" -ne 0 ]; then
		not_ok "$desc: fit" "status $st: $(cat "$T/err")"
		return
	fi
	"$GMM" show --json "$T/h.gmm" >"$T/h.json"
	"$GMM" score --proba "$T/h.gmm" "$file" >"$T/h.score"
	if grep -qiE 'nan|null|inf' "$T/h.json" || grep -qi 'nan' "$T/h.score"; then
		not_ok "$desc: finite model and scores" "$(head -c 400 "$T/h.json")"
	else
		ok "$desc: finite model and scores"
	fi
}

awk 'BEGIN { print "a,b"; for (i = 0; i < 40; i++) printf "%.6e,%d\n", (i % 4 + 1) * 1e-300, i % 3 }' >"$T/tiny.csv"
awk 'BEGIN { print "a,b"; for (i = 0; i < 40; i++) printf "%.6e,%d\n", (i % 4 + 1) * 1e150, i % 3 }' >"$T/huge.csv"
{ echo a,b; for i in 1 2 3 4 5 6 7 8; do for m in 4 5 7 9; do echo "$m.${i}e-320,$i"; done; done; } >"$T/denormal.csv"
awk 'BEGIN { srand(3); print "a,b"; for (i = 0; i < 200; i++) printf "%.6e,%.6e\n", rand() * 1e-8, rand() * 1e8 }' >"$T/mixed.csv"
awk 'BEGIN { srand(4); print "a,b,c"; for (i = 0; i < 100; i++) printf "%.5f,7,%.5f\n", rand(), rand() }' >"$T/const.csv"
awk 'BEGIN { srand(5); print "a,b,c"; for (i = 0; i < 100; i++) { v = rand(); printf "%.5f,%.5f,%.5f\n", v, v, rand() } }' >"$T/dup.csv"
awk 'BEGIN { print "a,b"; for (i = 0; i < 30; i++) print "1.5,-2" }' >"$T/same.csv"
awk 'BEGIN { print "a"; for (i = 0; i < 50; i++) printf "%d\n", i % 7 }' >"$T/oned.csv"
awk 'BEGIN { srand(6); for (i = 0; i < 40; i++) { for (j = 0; j < 1000; j++) printf "%s%.4f", j ? "," : "", rand() + (i % 2) * 3; print "" } }' >"$T/wide.csv"

for cov in full diag spherical tied; do
	finite_fit "$cov: values near 1e-300" "$T/tiny.csv" -k 2 --covariance "$cov"
	finite_fit "$cov: values near 1e150" "$T/huge.csv" -k 2 --covariance "$cov"
	finite_fit "$cov: denormal values" "$T/denormal.csv" -k 2 --covariance "$cov"
	finite_fit "$cov: columns of scale 1e-8 and 1e8" "$T/mixed.csv" -k 3 --covariance "$cov"
	finite_fit "$cov: a constant column" "$T/const.csv" -k 3 --covariance "$cov"
	finite_fit "$cov: duplicated columns" "$T/dup.csv" -k 3 --covariance "$cov"
	finite_fit "$cov: all rows identical" "$T/same.csv" -k 3 --covariance "$cov"
	finite_fit "$cov: 1-D data" "$T/oned.csv" -k 3 --covariance "$cov"
	finite_fit "$cov: K equal to N" "$T/oned.csv" -k 50 --covariance "$cov"
done
finite_fit "1,000 columns, full" "$T/wide.csv" -k 2 --max-iter 5
finite_fit "1,000 columns, diag" "$T/wide.csv" -k 2 --covariance diag

printf 'a,b\n1e300,1\n-1e300,2\n5e299,3\n' >"$T/overflow.csv"
run fit -k 1 -o "$T/x.gmm" "$T/overflow.csv"
expect_err "values near the double limit: a clear error" 1 \
    "gmm fit: $T/overflow.csv: column 1 spans -1e+300 to 1e+300, too wide for its variance to be a double; rescale it"
# the same past the first chunks of blocks, on 2 threads (the range is
# taken chunk by chunk on the pool): the least in the third, the greatest
# in the second
awk 'BEGIN { print "a,b"; for (i = 0; i < 40000; i++) printf "%s,%d\n", i == 35000 ? "-1e300" : (i == 20000 ? "1e300" : i % 7), i % 5 }' >"$T/overflow2.csv"
run fit -k 1 --threads 2 -o "$T/x.gmm" "$T/overflow2.csv"
expect_err "values near the double limit, rows 20001 and 35001 of 40000: a clear error" 1 \
    "gmm fit: $T/overflow2.csv: column 1 spans -1e+300 to 1e+300, too wide for its variance to be a double; rescale it"
# a subnormal variance: refused at load and after an M-step, naming the
# component, never a model whose own mean scores -inf (issue 11, 2b)
printf '{"covariance_type": "diag", "weights": [1], "means": [[0, 0]], "covariances": [[1e-320, 1]]}' >"$T/sub.json"
printf 'x1,x2\n0,0\n' >"$T/origin.csv"
run score "$T/sub.json" "$T/origin.csv"
expect_err "a JSON model with variance 1e-320 is refused" 1 \
    "gmm score: $T/sub.json: component 0: variance 9.99989e-321 is too small for its precision to be finite"
awk 'BEGIN { print "a,b"; for (i = 0; i < 40; i++) printf "%s,%d\n", (i % 2 ? "1e-160" : "0"), i % 5 }' >"$T/alt.csv"
run fit --covariance diag --reg-covar 0 -k 1 -o "$T/alt.gmm" "$T/alt.csv"
expect_err "fit with --reg-covar 0 to a variance of 2.5e-321: an error, no model" 1 \
    "gmm fit: $T/alt.csv: component 0: variance 2.49997e-321 is too small for its precision to be finite; try a larger --reg-covar or a smaller k"
check "  and no model file" test ! -e "$T/alt.gmm"
# Bounded, predictable resources (issue 11, 2c): a fit that needs more
# memory than the machine has is refused before it allocates, with the
# figures and what to change; reading 100000 columns starts small.
awk 'BEGIN { for (i = 0; i < 3; i++) { for (j = 1; j <= 100000; j++) printf "%s%d", (j > 1 ? "," : ""), (i * j) % 7; print "" } }' >"$T/wide.csv"
run fit -k 2 --no-header -o "$T/wide.gmm" "$T/wide.csv"
check "full covariance with d = 100000: refused up front" grep -q "^gmm fit: $T/wide.csv: full covariance with k = 2 and d = 100000 needs about [0-9.e+]* GB for its parameters and statistics; this machine has [0-9.e+]* GB: try --covariance diag or fewer columns (-c)$" "$T/err"
check "  status 1, no model" test "$st" -eq 1 -a ! -e "$T/wide.gmm"
run fit -q -k 2 --covariance diag --no-header -o "$T/wide.gmm" "$T/wide.csv"
expect_status "  the diagonal fit it suggests runs" 0
done_testing
