#!/bin/sh
# gmm impute (issue 15): a worked example against the bivariate formulas,
# GMM regression of an absent column, --variance, --draw and --draws,
# fields passed through, and on the synthetic 5-D set with 20% of its
# values removed an imputation error below the column means'.  The
# formulas for every pattern and a diagonal model: tests/unit/test_impute.c.
. "$(dirname "$0")/lib.sh"

cat >"$T/ab.json" <<'J'
{"covariance_type": "full", "columns": ["a", "b"], "weights": [0.3, 0.7],
 "means": [[0, 1], [2, -1]],
 "covariances": [[[1, 0.5], [0.5, 2]], [[0.5, -0.2], [-0.2, 0.8]]]}
J
# E[b | a] and Var[b | a] of that mixture, by the bivariate formulas
expect_b() {	# A: "mean var"
	awk -v a="$1" 'BEGIN {
		w[1] = 0.3; ma[1] = 0; mb[1] = 1; saa[1] = 1; sab[1] = 0.5; sbb[1] = 2
		w[2] = 0.7; ma[2] = 2; mb[2] = -1; saa[2] = 0.5; sab[2] = -0.2; sbb[2] = 0.8
		for (c = 1; c <= 2; c++) {
			p[c] = w[c] * exp(-(a - ma[c])^2 / (2 * saa[c])) / sqrt(saa[c])
			s += p[c]
		}
		for (c = 1; c <= 2; c++) {
			r = p[c] / s
			m = mb[c] + sab[c] / saa[c] * (a - ma[c])
			v = sbb[c] - sab[c]^2 / saa[c]
			m1 += r * m; m2 += r * (v + m * m)
		}
		printf "%.17g %.17g\n", m1, m2 - m1 * m1 }'
}
close_to() {	# GOT WANT: within 1e-12 relative
	awk -v g="$1" -v w="$2" 'BEGIN { d = g - w; if (d < 0) d = -d
		exit !(g != "" && d <= 1e-12 * (w < 0 ? -w : w) + 1e-300) }'
}

printf 'a,b,id\n0.5,,"x, y"\n1.5,-0.25,z\n\n,,w\n' >"$T/ab.csv"
run impute "$T/ab.json" "$T/ab.csv"
expect_status "impute" 0
set -- $(expect_b 0.5)
got=$(sed -n 2p "$T/out" | cut -d, -f2)
check "E[b | a = 0.5] is the formula's ($got, $1)" close_to "$got" "$1"
check "the header and a complete row pass through" sh -c \
    "sed -n '1p;3p' $T/out | tr '\n' ';' | grep -qx 'a,b,id;1.5,-0.25,z;'"
check "a quoted field stays one field" grep -q ',"x, y"$' "$T/out"
check "a blank line stays a blank line" sh -c "sed -n 4p $T/out | grep -qx ''"
row=$(sed -n 5p "$T/out")
check "a row with nothing observed gets the mixture's mean ($row)" sh -c \
    "echo '$row' | awk -F, '{ d = \$2 + 0.4; exit !(\$1 == 1.4 &&
	d * d < 1e-30 && \$3 == \"w\") }'"
check "the note" grep -qx "gmm impute: $T/ab.csv: 3 values filled in 2 rows" \
    "$T/err"

run impute --variance "$T/ab.json" "$T/ab.csv"
check "--variance adds a_var and b_var" sh -c "head -1 $T/out | grep -qx 'a,b,id,a_var,b_var'"
var=$(sed -n 2p "$T/out" | awk -F, '{ print $NF }')
check "Var[b | a = 0.5] is the formula's ($var, $2)" close_to "$var" "$2"
check "an observed value's variance is 0" sh -c \
    "sed -n 2p $T/out | awk -F, '{ exit \$(NF - 1) != 0 }'"

# GMM regression: the model's column b is absent from the input
printf 'a\n0.5\n-1\n' >"$T/a.csv"
run impute "$T/ab.json" "$T/a.csv"
expect_status "impute a column the input lacks" 0
set -- $(expect_b -1)
check "it is added and predicted" sh -c "head -1 $T/out | grep -qx 'a,b'"
got=$(sed -n 3p "$T/out" | cut -d, -f2)
check "E[b | a = -1] is the formula's ($got, $1)" close_to "$got" "$1"

# draws
run impute --draws 3 --seed 5 "$T/ab.json" "$T/ab.csv"
expect_status "--draws 3" 0
check "a draw column and 3 rows per row" sh -c \
    "head -1 $T/out | grep -qx 'draw,a,b,id' && [ \$(grep -c '^[123],' $T/out) -eq 9 ]"
check "observed values are kept" sh -c \
    "[ \$(grep -c '^[123],1.5,-0.25,z$' $T/out) -eq 3 ]"
cp "$T/out" "$T/d5"
run impute --draws 3 --seed 5 "$T/ab.json" "$T/ab.csv"
check "--seed fixes the draws" cmp -s "$T/out" "$T/d5"
run impute --draw --seed 6 "$T/ab.json" "$T/ab.csv"
check "another seed, other draws" sh -c "! grep -q \"\$(sed -n 2p $T/d5 | cut -d, -f3)\" $T/out"
run impute --draw --variance "$T/ab.json" "$T/ab.csv"
expect_status "--variance with --draw is a usage error" 2
run impute --draws 0 "$T/ab.json" "$T/ab.csv"
expect_status "--draws 0 is a usage error" 2

# errors and other inputs
printf 'a,b\n1,2\n3,x\n' >"$T/bad.csv"
run impute "$T/ab.json" "$T/bad.csv"
expect_status "bad data" 1
check "... named by line and column" grep -q "bad.csv:3: column 2" "$T/err"
check "... after the rows before it" grep -qx '1,2' "$T/out"
run impute "$T/nosuch.gmm" "$T/ab.csv"
expect_status "no model" 1
run_in "$T/ab.csv" impute "$T/ab.json"
expect_status "data from stdin" 0
printf '0.5,\n' >"$T/nohdr.csv"
run impute "$T/ab.json" "$T/nohdr.csv"
check "without a header, by position" sh -c \
    "[ \$(wc -l <$T/out) -eq 1 ] && grep -q '^0.5,' $T/out"

# the synthetic 5-D set, 20% of values removed: the mixture's imputation
# beats the column means'
S=$REF/data/synth_gmm4_d5.csv
awk -F, -v OFS=, 'BEGIN { srand(11) } NR == 1 { print; next }
    { for (j = 1; j <= NF; j++) if (rand() < 0.2) $j = ""; print }' "$S" \
    >"$T/s20.csv"
run fit -k 4 --n-init 3 -q -o "$T/s.gmm" "$T/s20.csv"
expect_status "fit the 5-D set with 20% missing" 0
run impute -q "$T/s.gmm" "$T/s20.csv"
cp "$T/out" "$T/imp.csv"
errors=$(awk -F, 'FNR == 1 { f++; next }
    f == 1 { for (j = 1; j <= NF; j++) t[FNR, j] = $j; next }
    f == 2 { for (j = 1; j <= NF; j++) if ($j == "") { miss[FNR, j] = 1
		} else { s[j] += $j; n[j]++ }; next }
    f == 3 { for (j = 1; j <= NF; j++) if (miss[FNR, j]) {
		e = $j - t[FNR, j]; se += e * e; m++ } }
    END { for (key in miss) { split(key, ij, SUBSEP)
		e = s[ij[2]] / n[ij[2]] - t[ij[1], ij[2]]; sm += e * e }
	printf "%d %.6g %.6g\n", m, sqrt(se / m), sqrt(sm / m) }' \
    "$S" "$T/s20.csv" "$T/imp.csv")
set -- $errors
check "imputation error $2 below the column means' $3 ($1 values)" \
    awk -v a="$2" -v b="$3" -v m="$1" 'BEGIN { exit !(m > 0 && a < b) }'
done_testing
