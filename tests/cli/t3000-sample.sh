#!/bin/sh
# gmm sample: every option of its --help; moments of many draws match the
# model for every covariance type.
. "$(dirname "$0")/lib.sh"

run sample -n 5 "$FIX/three.json"
expect_status "sample -n 5" 0
check "header is the model's column names" test "$(head -n 1 "$T/out")" = "u,v"
check "5 rows" test "$(wc -l <"$T/out")" -eq 6
run sample -n 5 --labels "$FIX/three.json"
check "--labels adds the component" test "$(head -n 1 "$T/out")" = "u,v,label"
check "labels are 0..k-1" awk -F, 'NR > 1 && ($3 < 0 || $3 > 2 || $3 != int($3)) { bad = 1 } END { exit bad }' "$T/out"
run sample -n 0 "$FIX/three.json"
check "-n 0 prints the header only" test "$(cat "$T/out")" = "u,v"
run sample "$FIX/three.json"
expect_err "-n is required" 2 "gmm sample: -n is required
usage: gmm sample -n N [--seed S] [--labels] [-v] [-q] MODEL"
run sample -n x "$FIX/three.json"
expect_status "-n x is a usage error" 2

"$GMM" sample -n 100 --seed 4 "$FIX/three.json" >"$T/a"
"$GMM" sample -n 100 --seed 4 "$FIX/three.json" >"$T/b"
"$GMM" sample -n 100 --seed 5 "$FIX/three.json" >"$T/c"
"$GMM" sample -n 100 "$FIX/three.json" >"$T/d"
"$GMM" sample -n 100 --seed 0 "$FIX/three.json" >"$T/e"
check "same --seed, same rows" cmp -s "$T/a" "$T/b"
check "another --seed, other rows" sh -c "! cmp -s '$T/a' '$T/c'"
check "the default seed is 0" cmp -s "$T/d" "$T/e"

# moments of 200,000 draws, per component: weights, means, covariances
moments() {	# model, d: per label "label weight mean_1..d cov_11 cov_12 .. cov_dd"
	"$GMM" sample -n 200000 --seed 2 --labels "$1" | awk -F, -v d="$2" '
	NR > 1 { c = $(d + 1); n[c]++; tot++
		for (i = 1; i <= d; i++) { s[c, i] += $i
			for (j = 1; j <= d; j++) ss[c, i, j] += $i * $j } }
	END { for (c in n) { printf "%s %.6f", c, n[c] / tot
		for (i = 1; i <= d; i++) printf " %.6f", s[c, i] / n[c]
		for (i = 1; i <= d; i++) for (j = 1; j <= d; j++)
			printf " %.6f", ss[c, i, j] / n[c] - s[c, i] * s[c, j] / n[c] / n[c]
		printf "\n" } }' | sort -n
}
within() {	# got-file want-file tolerance
	awk -v tol="$3" 'NR == FNR { for (i = 1; i <= NF; i++) w[FNR, i] = $i; next }
	    { for (i = 2; i <= NF; i++) { d = $i - w[FNR, i]; if (d < 0) d = -d
	      if (d > tol * (1 + (w[FNR, i] < 0 ? -w[FNR, i] : w[FNR, i]))) bad = 1 } }
	    END { exit bad }' "$2" "$1"
}
moments "$FIX/three.json" 2 >"$T/m3"
printf '%s\n' "0 0.5 0 0 1 0.3 0.3 2" "1 0.3 6 2 0.5 -0.2 -0.2 1" \
    "2 0.2 -4 7 2 0.8 0.8 1.5" >"$T/w3"
check "full: weights, means, covariances of the draws" within "$T/m3" "$T/w3" 0.03
moments "$FIX/diag.json" 3 >"$T/md"
printf '%s\n' "0 0.25 1 -2 3 1 0 0 0 4 0 0 0 0.25" "1 0.75 10 20 30 2 0 0 0 0.5 0 0 0 9" >"$T/wd"
check "diag: weights, means, variances of the draws" within "$T/md" "$T/wd" 0.03
moments "$FIX/spherical.json" 2 >"$T/ms"
check "spherical: mean and variance of the draws" within "$T/ms" /dev/stdin 0.03 <<W
0 1 5 -5 4 0 0 4
W
moments "$FIX/tied.json" 2 >"$T/mt"
printf '%s\n' "0 0.5 0 0 2 1.2 1.2 1" "1 0.5 10 10 2 1.2 1.2 1" >"$T/wt"
check "tied: both components share the covariance" within "$T/mt" "$T/wt" 0.03
check "spherical model without column names: header x1,x2" test "$("$GMM" sample -n 1 "$FIX/spherical.json" | head -n 1)" = "x1,x2"

# a binary model samples as its JSON form does
"$GMM" sample -n 2000 "$FIX/three.json" | "$GMM" fit -k 3 -q -o "$T/m.gmm" -
"$GMM" show --json "$T/m.gmm" >"$T/m.json"
"$GMM" sample -n 50 --seed 9 "$T/m.gmm" >"$T/from-bin"
"$GMM" sample -n 50 --seed 9 "$T/m.json" >"$T/from-json"
check "binary and JSON forms of a model sample the same rows" cmp -s "$T/from-bin" "$T/from-json"
done_testing
