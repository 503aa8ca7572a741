#!/bin/sh
# gmm select-k: every option of its --help; on faithful it picks mclust's
# model over the four mapped covariance types.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv
MC=$REF/faithful.mclust_bic.csv

run select-k "$F" -k 1..9 --covariance full,diag,spherical,tied
expect_status "select-k on faithful" 0
check "table header" test "$(head -n 1 "$T/out")" = \
    "k,covariance,log_likelihood,n_parameters,bic,aic,icl,iterations,converged,degenerate,best,factors"
check "one row per (covariance, k)" test "$(wc -l <"$T/out")" -eq 37
check "exactly one best row" test "$(awk -F, '$11 == 1' "$T/out" | wc -l)" -eq 1
want=$(awk -F, 'NR > 1 && $5 != "" { if (best == "" || $8 < bic) { bic = $8; best = $5 "," $6 } } END { print best }' "$MC")
got=$(awk -F, '$11 == 1 { print $2 "," $1 }' "$T/out")
check "picks mclust's model ($got; mclust: $want)" test "$got" = "$want"
check "  and says so on stderr" grep -q "^gmm select-k: best: k=3 covariance=tied bic=" "$T/err"
cp "$T/out" "$T/ours.csv"
run select-k "$F" -k 1..3 --covariance full,diag,spherical,tied
cp "$T/out" "$T/ours3.csv"
run select-k "$F" -k 1..3 --covariance VVV,VVI,VII,EEE
check "mclust's names VVV,VVI,VII,EEE give the same table, in our names" \
    cmp -s "$T/out" "$T/ours3.csv"
mbic=$(awk -F, -v w="$want" 'NR > 1 && ($5 "," $6) == w { print $8 }' "$MC")
gbic=$(awk -F, '$11 == 1 { print $5 }' "$T/ours.csv")
check "  with mclust's BIC (ours $gbic, mclust $mbic, within 0.1)" near "$gbic" "$mbic" 0.1
check "parameter counts as scikit-learn (full k=3: 17, diag 14, spherical 11, tied 11)" \
    test "$(awk -F, '$1 == 3 { printf "%s ", $4 }' "$T/ours.csv")" = "17 14 11 11 "
check "BIC = -2 logL + p ln n and AIC = -2 logL + 2p on every row" awk -F, '
    NR > 1 { b = -2 * $3 + $4 * log(272); a = -2 * $3 + 2 * $4
             if ((b - $5)^2 > 1e-16 * b * b || (a - $6)^2 > 1e-16 * a * a) bad = 1 }
    END { exit bad }' "$T/ours.csv"
check "k=1 full and tied agree with mclust's logL (1e-6)" awk -F, '
    NR == FNR { if ($4 == "VVV" && $6 == 1) ref = $11; next }
    FNR > 1 && $1 == 1 && ($2 == "full" || $2 == "tied") { d = $3 - ref; if (d * d > 1e-12 * ref * ref) bad = 1 }
    END { exit bad }' "$MC" "$T/ours.csv"

# -k forms
run select-k "$F" -k 2,4 --covariance full
check "-k 2,4" test "$(cut -d, -f1 "$T/out" | tail -n +2 | tr '\n' ' ')" = "2 4 "
run select-k "$F" -k 3 --covariance full
check "-k 3" test "$(cut -d, -f1,2 "$T/out" | tail -n +2)" = "3,full"
run select-k "$F" -k 1..3,7 --covariance full
check "-k 1..3,7" test "$(cut -d, -f1 "$T/out" | tail -n +2 | tr '\n' ' ')" = "1 2 3 7 "
run select-k "$F" -k 3..1
expect_status "-k 3..1 is a usage error" 2
run select-k "$F"
expect_status "-k is required" 2
run select-k "$F" -k 273
expect_err "K larger than the number of rows" 1 "gmm select-k: $F: k = 273 is larger than the number of rows (272)"
run select-k -v "$F" -k 1..3,273
expect_status "a k above the rows among others: refused" 1
check "  before any fit runs" test "$(grep -c 'k=' "$T/err")" -eq 0

# --covariance, --criterion
run select-k "$F" -k 2 --covariance diag,tied
check "--covariance diag,tied" test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "diag tied "
run select-k "$F" -k 2 --covariance cube
expect_status "--covariance cube is a usage error" 2
run select-k "$F" -k 1..9 --covariance full,diag,spherical,tied --init kmeans --criterion aic
check "--criterion aic picks the lowest AIC" awk -F, '
    NR > 1 && $10 == 0 { if (min == "" || $6 < min) { min = $6; r = NR } }
    $11 == 1 { b = NR } END { exit !(r == b) }' "$T/out"
run select-k "$F" -k 2 --criterion mdl
expect_status "--criterion mdl is a usage error" 2

# degenerate fits: two identical far rows make a spike at k >= 2
run select-k "$FIX/spike.csv" -k 1..3 --covariance full
check "the spike rows are flagged degenerate" test "$(awk -F, 'NR > 1 { printf "%s", $10 }' "$T/out")" = "011"
check "a degenerate fit is not chosen though its BIC is lower" test "$(awk -F, '$11 == 1 { print $1 }' "$T/out")" = 1
check "stderr says degenerate fits were skipped" grep -q "2 degenerate fits not chosen" "$T/err"
# a constant and a duplicated column are no degeneracy of any model: the
# data themselves do not vary there (issue 11, 2b)
awk 'BEGIN { srand(4); print "a,b,c"; for (i = 0; i < 100; i++) printf "%.5f,7,%.5f\n", rand(), rand() }' >"$T/const.csv"
run select-k -k 1..3 --covariance full,diag,spherical,tied "$T/const.csv"
expect_status "a constant column: a fit is chosen" 0
check "  and no fit is flagged degenerate" test "$(awk -F, 'NR > 1 { printf "%s", $10 }' "$T/out")" = 000000000000
awk 'BEGIN { srand(5); print "a,b,c"; for (i = 0; i < 100; i++) { v = rand(); printf "%.5f,%.5f,%.5f\n", v, v, rand() } }' >"$T/dupcol.csv"
run select-k -k 1..3 --covariance full,diag,spherical,tied "$T/dupcol.csv"
expect_status "a duplicated column: a fit is chosen" 0
check "  and no fit is flagged degenerate" test "$(awk -F, 'NR > 1 { printf "%s", $10 }' "$T/out")" = 000000000000
# n w_c < d + 1 is a degeneracy of full covariances only: 12 rows in 4-D
# as three tight groups of 4 rows (5 = d + 1 needed for a full fit)
awk 'BEGIN { srand(6); print "a,b,c,d"; for (g = 0; g < 3; g++) for (i = 0; i < 4; i++) printf "%.4f,%.4f,%.4f,%.4f\n", 10 * g + rand(), 20 * g + rand(), rand(), rand() }' >"$T/small4.csv"
run select-k -k 3 --covariance full,diag "$T/small4.csv"
check "three groups of 4 rows in 4-D: full is degenerate, diag is not" \
    test "$(awk -F, 'NR > 1 { printf "%s", $10 }' "$T/out")" = 10
run select-k "$FIX/spike.csv" -k 1..3 --covariance full --allow-degenerate
check "--allow-degenerate lets the spike win" test "$(awk -F, '$11 == 1 { print $1 }' "$T/out")" = 2

# -o writes the chosen model; it equals what fit gives with the same options
# (one k: no warm start)
run select-k "$F" -k 3 --covariance tied --init kmeans -o "$T/best.gmm"
expect_status "-o BEST" 0
run fit -k 3 --covariance tied --tol 1e-6 --max-iter 1000 -o "$T/fit.gmm" "$F"
check "-o writes the same model as fit with the same options" cmp -s "$T/best.gmm" "$T/fit.gmm"

# warm starts: k = 5 after k = 4 also starts from the k = 4 fit with its
# widest component split; on faithful, spherical, that reaches -1511.27
# where the independent start stops at -1539.47, and the kept model's n_init
# counts both runs; after k = 3 (not k - 1) there is no warm start (--init
# kmeans: without it, the hc start finds these optima itself)
ll5() { awk -F, '$1 == 5 { print $3 }' "$T/out"; }
run select-k "$F" -k 5 --covariance spherical --init kmeans
alone=$(ll5)
run select-k "$F" -k 4,5 --covariance spherical --init kmeans -o "$T/warm.gmm"
warm=$(ll5)
check "a warm start from k - 1 is kept when it is better ($warm > $alone)" \
    awk -v a="$alone" -v w="$warm" 'BEGIN { exit !(w > a + 1) }'
run show --json "$T/warm.gmm"
check "  and n_init counts the independent run and the warm one" \
    grep -q '"n_init": 2,' "$T/out"
run select-k "$F" -k 3,5 --covariance spherical --init kmeans
check "no warm start across a gap in -k" test "$(ll5)" = "$alone"
# and back down: k = 3 is also started from the k = 4 fit with its two
# closest components merged; on faithful, diag, that reaches -1127.01 where
# the independent start stops at -1131.82 (and k = 3, chosen by BIC,
# counts two runs: its own and the one from k = 4)
ll3() { awk -F, '$1 == 3 { print $3 }' "$T/out"; }
run select-k "$F" -k 3 --covariance diag --init kmeans
alone=$(ll3)
run select-k "$F" -k 3,4 --covariance diag --init kmeans --json
warm=$(sed -n 's/^{"k": 3, .*"log_likelihood": \([^,]*\),.*/\1/p' "$T/out")
check "a warm start from k + 1 is kept when it is better ($warm > $alone)" \
    awk -v a="$alone" -v w="$warm" 'BEGIN { exit !(w > a + 1) }'
run select-k "$F" -k 3,4 --covariance diag --init kmeans -o "$T/warm.gmm"
run show --json "$T/warm.gmm"
check "  and n_init counts the independent run and the warm one" \
    sh -c 'grep -q "\"k\": 3," "$1" && grep -q "\"n_init\": 2," "$1"' - "$T/out"

# fit options and common options
run select-k "$F" --covariance sklearn -k 3 --max-iter 2 --tol 0
check "--max-iter and --tol reach the fits" test "$(tail -n 1 "$T/out" | cut -d, -f8,9)" = "2,0"
run select-k "$F" --covariance sklearn -k 3 --reg-covar 100
check "--reg-covar reaches the fits" awk -F, 'NR == 2 { exit !($3 < -1500) }' "$T/out"
run select-k "$F" -k 4 --covariance full --init kmeans --n-init 4 --seed 3 -o "$T/ns.gmm"
run fit -k 4 --n-init 4 --seed 3 --tol 1e-6 --max-iter 1000 -o "$T/nsfit.gmm" "$F"
check "--n-init and --seed reach the fits (same model as fit with them)" cmp -s "$T/ns.gmm" "$T/nsfit.gmm"
run select-k "$F" --covariance sklearn -k 3 --init random
expect_status "--init random" 0
run select-k "$F" -k 3 --init "$FIX/two-full.json"
expect_status "--init MODEL is a usage error here" 2
run select-k "$F" -k 2..3 --covariance full -v
check "-v prints a line per fit" test "$(grep -c '^gmm select-k: k=' "$T/err")" -eq 2
run select-k "$F" --covariance sklearn -k 2..3 -q
check "-q leaves stderr empty" test ! -s "$T/err"
printf 'a,b\n1,2\n2,4\n3,6\n4,8\n5,10\n6,12\n' >"$T/line.csv"
run select-k -k 1..2 --covariance full,diag --reg-covar 0 "$T/line.csv"
check "a fit that fails says why on stderr" \
    grep -q 'k = 1, full: component 0: covariance is not positive definite' "$T/err"
check "... and has a row of empty fields" grep -q '^1,full,,,,,,,,,,$' "$T/out"
run select-k -q -k 1..2 --covariance full,diag --reg-covar 0 "$T/line.csv"
check "... but not with -q" test ! -s "$T/err"
run select-k "$F" --covariance sklearn -k 2..3 --threads 1
cp "$T/out" "$T/one"
run select-k "$F" --covariance sklearn -k 2..3 --threads 2
check "--threads does not change the table" cmp -s "$T/one" "$T/out"
run select-k -k 2 -c waiting "$F"
check "-c selects the column (1-D: full k=2 has 5 parameters)" test "$(tail -n 1 "$T/out" | cut -d, -f4)" = 5
run_in "$F" select-k --covariance sklearn -k 2 -
check "data from stdin" test "$(wc -l <"$T/out")" -eq 5
tr , ';' <"$F" | tail -n +2 >"$T/semi.csv"
run select-k --covariance sklearn -k 2 -d ';' --no-header "$T/semi.csv"
cp "$T/out" "$T/semi"
run select-k --covariance sklearn -k 2 "$F"
check "-d ';' --no-header reads the same rows" cmp -s "$T/semi" "$T/out"
run select-k -k 2 --covariance full --header "$T/semi.csv" -d ';'
check "--header takes the first row as names" awk -F, 'NR == 2 { exit !($3 > -1126 && $3 < -1120) }' "$T/out"
run select-k --covariance sklearn -k 2 -o "$T/sel.gmm" --output "$T/sel2.gmm" "$F"
check "--output is -o" test -s "$T/sel2.gmm"
# --json: one object per fit with the table's values (issue 11, part 5)
run select-k -q -k 1..3 --covariance full,tied "$F"
cp "$T/out" "$T/table.csv"
run select-k -q -k 1..3 --covariance full,tied --json "$F"
check "select-k --json: one line per fit" test "$(wc -l <"$T/out")" -eq 6
awk -F, 'NR > 1 { printf "{\"k\": %s, \"covariance\": \"%s\", \"log_likelihood\": %s, \"n_parameters\": %s, \"bic\": %s, \"aic\": %s, \"icl\": %s, \"iterations\": %s, \"converged\": %s, \"degenerate\": %s, \"best\": %s}\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 ? "true" : "false", $10 ? "true" : "false", $11 ? "true" : "false" }' "$T/table.csv" >"$T/want.json"
check "  the table's values, flags as true/false" cmp -s "$T/out" "$T/want.json"
# a start partition fixes k: select-k refuses it as it refuses a model
run select-k "$F" -k 2,3 --init "resp:$REF/mclust/faithful.z0.csv"
expect_status "--init resp:FILE is a usage error" 2
check "  saying why" grep -q "one model or partition cannot start every k" "$T/err"
# --covariance all (the default): mclust's fourteen in mclust's order;
# sklearn: scikit-learn's four; in one dimension all is mclust's E and V
run select-k -q -k 2 "$F"
check "the default is all fourteen, in mclust's order" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "EII spherical EEI VEI EVI diag tied VEE EVE VVE EEV VEV EVV full "
cp "$T/out" "$T/all.csv"
run select-k -q -k 2 --covariance all "$F"
check "  which --covariance all names" cmp -s "$T/out" "$T/all.csv"
run select-k -q -k 2 --covariance sklearn "$F"
check "--covariance sklearn: scikit-learn's four" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "full diag spherical tied "
run select-k -q -k 2 --covariance sklearn,VVV,EII "$F"
check "  a model named twice is fitted once" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "full diag spherical tied EII "
run select-k -q -k 2 -c waiting "$F"
check "one column: all is mclust's E and V (EII and spherical)" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "EII spherical "
run select-k -q -k 2 -c waiting --covariance E,V "$F"
check "  which --covariance E,V names" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "EII spherical "
run select-k -k 2 --covariance all,cube "$F"
expect_status "an unknown model in the list" 2
check "  the message names every choice" grep -q "^gmm select-k: --covariance takes all, sklearn, or a list of full, diag, spherical, tied, mclust's EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV, mfa and mppca; not \"all,cube\"$" "$T/err"

# ICL = BIC - 2 sum_i log max_c r_ic: from the chosen model's scored
# responsibilities, and never below BIC; --criterion icl picks by it
run select-k -q -k 1..4 --covariance full,tied "$F" -o "$T/icl.gmm"
check "ICL >= BIC on every row" awk -F, 'NR > 1 && $7 < $5 { bad = 1 } END { exit bad }' "$T/out"
"$GMM" score --proba "$T/icl.gmm" "$F" >"$T/proba.csv"
check "  the chosen row's ICL is its BIC - 2 sum log max_c p_ic (score --proba)" \
    awk -F, -v bic="$(awk -F, '$11 == 1 { print $5 }' "$T/out")" \
    -v icl="$(awk -F, '$11 == 1 { print $7 }' "$T/out")" '
    NR == 1 { for (j = 1; j <= NF; j++) if ($j ~ /^p[0-9]+$/) c[j] = 1; next }
    { m = 0; for (j in c) if ($j > m) m = $j; s += log(m) }
    END { d = bic - 2 * s - icl; exit !(d * d < 1e-12 * icl * icl) }' "$T/proba.csv"
run select-k -q -k 1..9 --covariance full,diag,spherical,tied --init kmeans --criterion icl "$F"
check "--criterion icl picks the lowest ICL" awk -F, '
    NR > 1 && $10 == 0 { if (min == "" || $7 < min) { min = $7; r = NR } }
    $11 == 1 { b = NR } END { exit !(r == b) }' "$T/out"
run select-k -k 1..2 --covariance full --criterion icl "$F"
check "  and says so" grep -q "^gmm select-k: best: k=2 covariance=full icl=" "$T/err"
# --prior conjugate: all is the ten models mclust has the prior for; a
# list naming another is refused
run select-k -q -k 2 --prior conjugate "$F"
check "--prior conjugate: all is mclust's ten with a prior" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "EII spherical EEI VEI EVI diag tied EEV VEV full "
run select-k -q -k 2 --prior conjugate -c waiting "$F"
check "  E and V in one dimension" \
    test "$(cut -d, -f2 "$T/out" | tail -n +2 | tr '\n' ' ')" = "EII spherical "
run select-k -k 2 --prior conjugate --covariance full,VVE "$F"
expect_status "  VVE named with it: a usage error" 2
check "  saying why" grep -q "^gmm select-k: mclust has no conjugate prior for VVE" "$T/err"
done_testing
