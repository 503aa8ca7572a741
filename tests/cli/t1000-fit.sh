#!/bin/sh
# gmm fit: every option of its --help, the reference trajectories through
# the command line, and the sample -> fit round trip.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv

run fit -k 2 -o "$T/m.gmm" "$F"
expect_status "fit -k 2 -o" 0
check "summary line on stderr" grep -q "^gmm fit: k=2 covariance=full log_likelihood=-1130.26[0-9]* bic=2322.19[0-9]* aic=2282.52[0-9]* icl=2322.70[0-9]* iterations=[0-9]* converged=1 degenerate=0$" "$T/err"
"$GMM" fit -k 2 "$F" 2>/dev/null | cat >"$T/piped.gmm"
check "without -o the model goes to a piped stdout" cmp -s "$T/piped.gmm" "$T/m.gmm"
if command -v script >/dev/null 2>&1; then
	script -qec "$GMM fit -k 2 $F" /dev/null >"$T/tty" 2>&1
	st=$?
	check "without -o a terminal stdout is refused (status 2)" test "$st" -eq 2
	check "  with a message" grep -q "will not write a binary model to a terminal" "$T/tty"
fi
run fit "$F" -o "$T/m.gmm"
expect_status "-k is required" 2
run fit -k 0 "$F" -o "$T/m.gmm"
expect_status "-k 0 is a usage error" 2
run fit -k 273 "$F" -o "$T/m.gmm"
expect_err "K larger than the number of rows" 1 "gmm fit: $F: k = 273 is larger than the number of rows (272)"
run fit -k 2 "$F" extra "$T/m.gmm"
expect_status "two FILEs is a usage error" 2

for cov in full diag spherical tied; do
	run fit -k 3 --covariance "$cov" -o "$T/$cov.gmm" "$F"
	expect_status "--covariance $cov" 0
	run show --json "$T/$cov.gmm"
	check "  model says $cov" grep -q "\"covariance_type\": \"$cov\"" "$T/out"
done
run fit -k 3 --covariance round -o "$T/x.gmm" "$F"
expect_status "--covariance round is a usage error" 2
# mclust's names of the four models: the same fit, our name in the file
for pair in full:VVV diag:VVI spherical:VII tied:EEE; do
	run fit -k 3 --covariance "${pair#*:}" -o "$T/mc.gmm" "$F"
	check "--covariance ${pair#*:} is ${pair%:*}: the same model file" \
	    cmp -s "$T/mc.gmm" "$T/${pair%:*}.gmm"
done
"$GMM" show --json "$T/tied.gmm" | sed 's/"covariance_type": "tied"/"covariance_type": "EEE"/' >"$T/eee.json"
run show --json "$T/eee.json"
check "a JSON model may name its type EEE; it reads as tied" \
    grep -q '"covariance_type": "tied"' "$T/out"
run fit -k 3 --covariance vvv -o "$T/x.gmm" "$F"
expect_status "--covariance vvv (lower case) is a usage error" 2
check "  and the message names both spellings" grep -q "tied or one of mclust's EII, VII, .*, VVV, not \"vvv\"" "$T/err"

run fit -k 3 --max-iter 2 --tol 0 -o "$T/x.gmm" "$F"
check "--max-iter 2 --tol 0 runs exactly 2 iterations" grep -q "iterations=2 converged=0" "$T/err"
check "  and warns it did not converge" grep -q "warning: not converged after 2 iterations" "$T/err"
run fit -k 3 --tol 1e-12 --max-iter 1000 -o "$T/x.gmm" "$F"
it_tight=$(sed -n 's/.*iterations=\([0-9]*\).*/\1/p' "$T/err")
run fit -k 3 --tol 1e-1 -o "$T/x.gmm" "$F"
it_loose=$(sed -n 's/.*iterations=\([0-9]*\).*/\1/p' "$T/err")
check "--tol: a looser tolerance stops sooner ($it_loose < $it_tight)" test "$it_loose" -lt "$it_tight"
run fit -k 3 --tol -1 -o "$T/x.gmm" "$F"
expect_status "--tol -1 is a usage error" 2

min_var() {	# smallest covariance value of a diag model
	"$GMM" show --json "$1" | awk '/"covariances"/ { on = 1 } /"training"/ { on = 0 } on' |
	    tr -d '[],"a-z:' | awk '{ for (i = 1; i <= NF; i++) if (m == "" || $i < m) m = $i } END { print m }'
}
run fit -k 6 --covariance diag --reg-covar 0.5 -o "$T/r.gmm" "$F"
run fit -k 6 --covariance diag -o "$T/r0.gmm" "$F"
min=$(min_var "$T/r.gmm")
min0=$(min_var "$T/r0.gmm")
check "--reg-covar 0.5 adds 0.5 to every variance (min $min, $min0 without)" \
    awk "BEGIN { exit !($min >= 0.5 && $min < 0.7 && $min0 < 0.5) }"
run fit -k 2 --reg-covar x -o "$T/x.gmm" "$F"
expect_status "--reg-covar x is a usage error" 2

run fit -k 4 --n-init 1 --seed 3 -o "$T/n1.gmm" "$F"
ll1=$(sed -n 's/.*log_likelihood=\([^ ]*\).*/\1/p' "$T/err")
run fit -k 4 --n-init 5 --seed 3 -o "$T/n5.gmm" "$F"
ll5=$(sed -n 's/.*log_likelihood=\([^ ]*\).*/\1/p' "$T/err")
check "--n-init 5 keeps the best of 5 runs ($ll5 >= $ll1)" awk "BEGIN { exit !($ll5 >= $ll1) }"
run show --json "$T/n5.gmm"
check "  and records n_init" grep -q '"n_init": 5' "$T/out"
run fit -k 2 --n-init 0 -o "$T/x.gmm" "$F"
expect_status "--n-init 0 is a usage error" 2
# the model file keeps n_init in 32 bits: more is refused, not wrapped
run fit -k 2 --n-init 4294967297 -o "$T/x.gmm" "$F"
expect_status "--n-init above 2^32 - 1 is a usage error" 2
check "  which names the range" grep -q '^gmm fit: --n-init takes a whole number from 1 to 4294967295, not "4294967297"$' "$T/err"
# a start model makes one run, and the model records the one run
run fit --init "$T/n1.gmm" --n-init 5 --max-iter 1 -o "$T/x.gmm" "$F"
check "--n-init with --init MODEL warns that it has no effect" \
    grep -q "warning: --n-init 5 has no effect with a start model" "$T/err"
run show --json "$T/x.gmm"
check "  and the model records n_init 1" grep -q '"n_init": 1,' "$T/out"

for init in kmeans kmeans++ random; do
	run fit -k 3 --init "$init" -o "$T/$init.gmm" "$F"
	expect_status "--init $init" 0
done
check "kmeans and kmeans++ starts differ" sh -c "! cmp -s '$T/kmeans.gmm' '$T/kmeans++.gmm'"
run fit -k 3 --init "$T/nosuch.gmm" -o "$T/x.gmm" "$F"
expect_err "--init with a missing model file" 1 "gmm fit: $T/nosuch.gmm: No such file or directory"
run fit -k 3 --init kmeans+ -o "$T/x.gmm" "$F"
expect_status "--init kmeans+: a usage error" 2
check "  that lists the methods and the likely one" grep -q '^gmm fit: --init takes kmeans, kmeans++, random, smallem, hc or a model file; "kmeans+" is none of them (did you mean kmeans++?)$' "$T/err"

# --init hc: faithful, full, k = 3 has two optima; the k-means start finds
# -4.1148 per row, mclust's hierarchical start -4.1441
# (../shared/ref/optima): hc finds mclust's
run fit -k 3 --init hc --json -o "$T/hc.gmm" "$F"
expect_status "--init hc" 0
ll=$(sed -n 's/.*"log_likelihood": \([^,]*\),.*/\1/p' "$T/err")
check "--init hc reaches mclust's optimum (faithful, full, k = 3)" \
    awk -v ll="$ll" 'BEGIN { m = ll / 272; exit !(m > -4.1451 && m < -4.1431) }'
run fit -k 3 --json -o "$T/km.gmm" "$F"
ll=$(sed -n 's/.*"log_likelihood": \([^,]*\),.*/\1/p' "$T/err")
check "  where the k-means start reaches the other" \
    awk -v ll="$ll" 'BEGIN { m = ll / 272; exit !(m > -4.1158 && m < -4.1138) }'
run fit -k 3 --init hc --seed 9 -o "$T/hc9.gmm" "$F"
check "  on fewer than 2000 rows hc does not depend on the seed" \
    sh -c "$GMM show --json '$T/hc.gmm' | grep -v seed >'$T/a'; $GMM show --json '$T/hc9.gmm' | grep -v seed >'$T/b'; cmp -s '$T/a' '$T/b'"

# --init MODEL (binary or JSON) with --max-iter 0 returns the start itself
run fit --init "$T/m.gmm" --max-iter 0 -o "$T/m0.gmm" "$F"
expect_status "--init a binary model" 0
"$GMM" show --json "$T/m.gmm" >"$T/m.json"
run fit --init "$T/m.json" --max-iter 0 -o "$T/m1.gmm" "$F"
expect_status "--init a JSON model" 0
check "binary and JSON starts agree" cmp -s "$T/m0.gmm" "$T/m1.gmm"
run fit --init "$T/m.gmm" -k 3 -o "$T/x.gmm" "$F"
expect_status "--init contradicting -k is a usage error" 2

# the reference trajectories through the command line
for stem in faithful_k3 synth_gmm4_d5_k4; do
	data=$REF/data/${stem%_k*}.csv
	for cov in full diag spherical tied; do
		exp=$REF/traj/${stem}_$cov.expected.json
		want=$(awk '/mean_log_likelihood_by_iteration/ { on = 1; i = -1; next }
		    on { i++; if (i == 5) { gsub(/[ ,]/, ""); print; exit } }' "$exp")
		run fit --init "$REF/traj/${stem}_$cov.init.json" --max-iter 5 \
		    --tol 0 -o "$T/ref.gmm" "$data"
		run score --summary "$T/ref.gmm" "$data"
		got=$(tail -n 1 "$T/out" | cut -d, -f3)
		check "$stem $cov: 5 iterations reach sklearn's mean log-likelihood ($got vs $want)" \
		    awk "BEGIN { d = ($got) - ($want); if (d < 0) d = -d; exit !(d <= 1e-9 * -($want)) }"
	done
done

# a component no row explains collapses: it is reseeded, said with -v, and
# the model stays finite, for every covariance type
for cov in full diag spherical tied; do
	case $cov in
	full) c='[[[1.3, 13.9], [13.9, 184]], [[1, 0], [0, 1]]]' ;;
	diag) c='[[1.3, 184], [1, 1]]' ;;
	spherical) c='[10, 1]' ;;
	tied) c='[[1.3, 13.9], [13.9, 184]]' ;;
	esac
	printf '{"covariance_type": "%s", "weights": [0.5, 0.5], "means": [[3.5, 70], [1000, 1000]], "covariances": %s}' \
	    "$cov" "$c" >"$T/far.json"
	run fit --init "$T/far.json" -v -o "$T/far.gmm" "$F"
	check "$cov: a collapsed component is reseeded and -v says so" \
	    grep -q "iteration 1: component 1 collapsed; reseeded on data row [0-9]*, the worst explained$" "$T/err"
	"$GMM" show --json "$T/far.gmm" >"$T/far.out"
	check "$cov:   the model is finite" sh -c "! grep -qiE 'nan|null|inf' '$T/far.out'"
done

# a start that leaves a component without rows (fewer distinct rows than
# k) reseeds it, and -v says so with the row: it used to go to row 0 unsaid
{ echo a,b; for i in 1 2 3 4 5 6 7 8 9 10; do echo 0,0; echo 5,5; done; } >"$T/two.csv"
run fit -k 3 --init kmeans++ --seed 1 -v -o "$T/two.gmm" "$T/two.csv"
expect_status "fit -k 3 on two distinct rows" 0
check "  -v says the start reseeded the empty component on a row" \
    grep -q "^gmm fit: run 1 start: component 2 has no rows; reseeded on data row [0-9]*, the farthest from its start centre$" "$T/err"
check "  and the start's time, its k-means on every row" \
    grep -q "^gmm fit: run 1 start ([0-9.]* s)$" "$T/err"

# long forms of the short options
run fit -k 2 --output "$T/long.gmm" --delimiter , --columns 1,2 --verbose "$F"
check "--output --delimiter --columns --verbose" sh -c "cmp -s '$T/long.gmm' '$T/m.gmm' && grep -q 'iteration 1' '$T/err'"
run fit -k 2 --quiet -o "$T/x.gmm" "$F"
expect_err "--quiet" 0 ""
run fit --help
check "--help prints the usage on stdout" grep -q "^usage: gmm fit" "$T/out"

# -v, -q
run fit -k 2 -v -o "$T/x.gmm" "$F"
check "-v prints a line per iteration" grep -q "^gmm fit: run 1 iteration 2: mean log-likelihood" "$T/err"
check "-v gives each iteration's wall time" grep -Eq "^gmm fit: run 1 iteration 2: .* change [^ ]+ \([0-9]+\.[0-9]{6} s\)$" "$T/err"
run fit -k 2 -q -o "$T/x.gmm" "$F"
expect_err "-q prints nothing" 0 ""

# round trip: 100,000 rows from a 3-component model, fit -k 3 recovers
# weights within 0.01 and means within 0.05 standard deviations
"$GMM" sample "$FIX/three.json" -n 100000 --seed 11 | "$GMM" fit -k 3 -q - -o "$T/rt.gmm"
"$GMM" show "$T/rt.gmm" | awk '
    /^component/ { w = $4 } /^  mean:/ { print $2, $3, w }' | sort -g >"$T/got"
printf '%s\n' "-4 7 0.2 2 1.5" "0 0 0.5 1 2" "6 2 0.3 0.5 1" >"$T/want"
check "round trip recovers weights (0.01) and means (0.05 sd)" awk '
    NR == FNR { m1[NR] = $1; m2[NR] = $2; w[NR] = $3; next }
    { i = FNR; v1 = $4; v2 = $5
      if ((w[i] - $3)^2 > 0.01^2) bad = 1
      if ((m1[i] - $1)^2 > 0.05^2 * v1) bad = 1
      if ((m2[i] - $2)^2 > 0.05^2 * v2) bad = 1 }
    END { exit bad }' "$T/got" "$T/want"

# a failed fit leaves an existing model untouched and no temporary file
cp "$T/m.gmm" "$T/keep.gmm"
printf 'a,b\n1,x\n' >"$T/bad.csv"
run fit -k 1 -o "$T/keep.gmm" "$T/bad.csv"
check "failed fit keeps the old model" cmp -s "$T/keep.gmm" "$T/m.gmm"
check "  and leaves no temporary file" sh -c "! ls -a '$T' | grep -q '^\.gmm-model'"
run fit -k 2 -o "$T/no/such/dir/m.gmm" "$F"
expect_status "-o into a missing directory fails with status 1" 1
# Results that agree (issue 11, part 5): fit and select-k share defaults,
# so the same options give the same model file (select-k without --init
# also starts each cell from hc: the same start here is --init kmeans);
# fit warns of a degenerate model and of components that are the same,
# and records degenerate.
"$GMM" fit -q -k 3 --covariance tied -o "$T/fit3.gmm" "$F"
"$GMM" select-k -q -k 3 --covariance tied --init kmeans -o "$T/sel3.gmm" "$F" >/dev/null
check "fit and select-k give the same model file with the same options" \
    cmp -s "$T/fit3.gmm" "$T/sel3.gmm"
run fit -k 3 -o "$T/spike.gmm" "$FIX/spike.csv"
check "a degenerate fit: the summary says degenerate=1" grep -q " converged=1 degenerate=1$" "$T/err"
check "  and a warning names the file" grep -qx "gmm fit: $FIX/spike.csv: warning: the model is degenerate (a full covariance on too few rows, or a covariance held up by --reg-covar): its likelihood and BIC mean little; try a smaller k or another covariance type" "$T/err"
"$GMM" show "$T/spike.gmm" >"$T/spike.txt"
check "  show says degenerate" grep -q "iterations, converged, degenerate," "$T/spike.txt"
"$GMM" show --json "$T/spike.gmm" >"$T/spike.json"
check "  the JSON too" grep -q '"degenerate": true' "$T/spike.json"
"$GMM" show --json "$T/spike.json" | cmp -s - "$T/spike.json"
check "  and it reads back" test $? -eq 0
awk 'BEGIN { print "a,b"; for (i = 0; i < 2000; i++) print "1.5,-2" }' >"$T/same.csv"
run fit -k 3 -o "$T/same.gmm" "$T/same.csv"
check "identical rows: a warning that components are the same" grep -q "^gmm fit: $T/same.csv: warning: components [0-9] and [0-9] are the same" "$T/err"
run fit -q -k 3 -o "$T/same.gmm" "$T/same.csv"
check "  -q silences it" test ! -s "$T/err"
run fit -k 2 -o "$T/ok.gmm" "$F"
check "a sound fit has no warning" test "$(grep -c warning "$T/err")" -eq 0
run fit --json -k 3 -o "$T/spike.gmm" "$FIX/spike.csv"
check "fit --json: one object on stderr with the warnings" grep -qx '{"k": 3, "covariance": "full", "log_likelihood": [-0-9.e]*, "bic": [-0-9.e]*, "aic": [-0-9.e]*, "icl": [-0-9.e]*, "iterations": [0-9]*, "converged": true, "degenerate": true, "warnings": \["the model is degenerate (a full covariance on too few rows, or a covariance held up by --reg-covar): its likelihood and BIC mean little; try a smaller k or another covariance type"\]}' "$T/err"
check "  and nothing else there" test "$(wc -l <"$T/err")" -eq 1
run fit --json -q -k 3 -o "$T/spike.gmm" "$FIX/spike.csv"
check "  -q: nothing" test ! -s "$T/err"
# Better optima (issue 13, first steps): -v counts the distinct optima of
# the runs; --init smallem; --smem moves from the best run.
run fit -v -k 3 --n-init 4 -o "$T/n4.gmm" "$F"
check "-v: how many distinct optima the runs reached" grep -q "^gmm fit: 4 runs reached [1-4] distinct optim[au]m*; the best: mean log-likelihood -" "$T/err"
run fit -q -k 3 --init smallem --n-init 2 -o "$T/se.gmm" "$F"
expect_status "--init smallem" 0
"$GMM" fit --json -k 4 -o "$T/k4.gmm" "$F" 2>"$T/plain.json"
"$GMM" fit --json --smem -k 4 -o "$T/k4s.gmm" "$F" 2>"$T/smem.json"
ll() { sed 's/.*"log_likelihood": \([^,]*\),.*/\1/' "$1"; }
check "--smem on faithful, full k = 4: a better optimum (by more than 1)" \
    awk -v a="$(ll "$T/plain.json")" -v b="$(ll "$T/smem.json")" 'BEGIN { exit !(b > a + 1) }'
run select-k -q --smem -k 3..4 --covariance full "$F"
expect_status "select-k takes --smem" 0
# the same model for any number of threads, on rows enough for several
# chunks of GMM_CHUNK_ROWS (4096) rows, so that each thread has some, and
# for every covariance type (5 iterations: each must agree bitwise)
"$GMM" sample -n 12411 --seed 4 "$FIX/three.json" >"$T/chunks.csv"
for cov in full diag spherical tied; do
	for t in 1 2 3; do
		run fit -k 3 --covariance $cov --max-iter 5 --tol 0 --threads $t \
		    -o "$T/chunks$t.gmm" "$T/chunks.csv"
	done
	check "$cov: --threads 1, 2 and 3 give the same model on 4 chunks of rows" \
	    sh -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' sh "$T/chunks1.gmm" \
	    "$T/chunks2.gmm" "$T/chunks3.gmm"
done

# mclust's models beyond the four: fit, show, JSON as full matrices that
# read back to the same densities
for cov in EII EEI VEI EVI VEE EVE VVE EEV VEV EVV; do
	run fit -k 3 --covariance "$cov" -o "$T/$cov.gmm" "$F"
	expect_status "--covariance $cov" 0
	check "  the summary names $cov" grep -q "^gmm fit: k=3 covariance=$cov " "$T/err"
	"$GMM" show --json "$T/$cov.gmm" >"$T/$cov.json"
	check "  its JSON holds [k][d][d] covariances" \
	    sh -c 'tr -d " \n" <"$1" | grep -q "\"covariances\":\[\[\[[^]]*\],\[[^]]*\]\],\[\["' - "$T/$cov.json"
	"$GMM" score "$T/$cov.gmm" "$F" >"$T/$cov.bin.csv"
	"$GMM" score "$T/$cov.json" "$F" >"$T/$cov.json.csv"
	check "  and scores as the binary model does" cmp -s "$T/$cov.bin.csv" "$T/$cov.json.csv"
done
sed 's/"covariance_type": "EII"/"covariance_type": "EEI"/' "$T/EII.json" >"$T/eii-as-eei.json"
run score "$T/eii-as-eei.json" "$F"
expect_status "equal spheres read as EEI" 0
sed 's/"covariance_type": "EEI"/"covariance_type": "EII"/' "$T/EEI.json" >"$T/eei-as-eii.json"
run score "$T/eei-as-eii.json" "$F"
expect_err "unequal variances are not EII" 1 "gmm score: $T/eei-as-eii.json: \"covariances\" must be numbers shaped [k][d][d] for EII (k = 3, d = 2), equal for every component"

# --init resp:FILE: an M-step from given responsibilities (mclust's
# me(z =)); with --max-iter 0 the model of that M-step, whose
# log-likelihood mclust gives (tests/ref/mclust, faithful VVV after 1)
Z=$REF/mclust/faithful.z0.csv
run fit --init "resp:$Z" --max-iter 0 --reg-covar 0 -o "$T/z.gmm" "$F"
expect_status "--init resp:FILE --max-iter 0" 0
check "  k from the file's columns, mclust's log-likelihood" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" 'BEGIN { d = l + 1284.7861574573815; exit !(d < 1e-6 && d > -1e-6) }'
run fit --init "resp:$Z" --covariance EEV --reg-covar 0 --max-iter 4 --tol 0 -o "$T/z.gmm" "$F"
check "  EEV after 5 M-steps: mclust's log-likelihood" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" 'BEGIN { d = l + 1169.891163901184; exit !(d < 1e-6 && d > -1e-6) }'
run fit --init "resp:$Z" --covariance VVE --reg-covar 0 --max-iter 4 --tol 0 -o "$T/z.gmm" "$F"
check "  VVE (an iterative M-step) after 5: mclust's log-likelihood" \
    awk -v l="$(sed -n 's/.*log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")" 'BEGIN { d = l + 1174.6478929498237; exit !(d < 1e-4 && d > -1e-4) }'
run fit --init "resp:$Z" -k 4 "$F" -o "$T/z.gmm"
expect_err "-k that disagrees with the columns" 1 "gmm fit: $Z: 3 columns of responsibilities, but -k is 4"
head -n 11 "$Z" >"$T/z10.csv"
run fit --init "resp:$T/z10.csv" "$F" -o "$T/z.gmm"
expect_err "another number of rows" 1 "gmm fit: $F: the start responsibilities have 10 rows, the data 272"
printf 'p0,p1\n0.5,0.5\n1.5,-0.5\n' >"$T/zbad.csv"
run fit --init "resp:$T/zbad.csv" "$F" -o "$T/z.gmm"
expect_err "a value outside [0, 1]" 1 "gmm fit: $T/zbad.csv:3: column 1: 1.5 is not a responsibility (0 to 1)"
printf 'p0,p1\n0.5,0.5\n0.5,0.6\n' >"$T/zsum.csv"
run fit --init "resp:$T/zsum.csv" "$F" -o "$T/z.gmm"
expect_err "a row that does not sum to 1" 1 "gmm fit: $T/zsum.csv:3: the responsibilities sum to 1.1000000000000001, not 1"
run fit --init "resp:$T/missing.csv" "$F" -o "$T/z.gmm"
expect_status "a missing file" 1

# score's own output starts a fit as it is: its p columns, its label
"$GMM" score --proba --labels "$T/z.gmm" "$F" >"$T/scored.csv" 2>/dev/null
cut -d, -f3- "$T/scored.csv" >"$T/p-only.csv"
run fit --init "resp:$T/scored.csv" --max-iter 0 -o "$T/s1.gmm" "$F"
expect_status "--init resp: of score --proba --labels output" 0
run fit --init "resp:$T/p-only.csv" --max-iter 0 -o "$T/s2.gmm" "$F"
check "  the p columns alone give the same model" cmp -s "$T/s1.gmm" "$T/s2.gmm"
cut -d, -f2 "$T/scored.csv" >"$T/l-only.csv"
run fit --init "labels:$T/scored.csv" --max-iter 0 -o "$T/s3.gmm" "$F"
expect_status "--init labels: of the same output" 0
run fit --init "labels:$T/l-only.csv" --max-iter 0 -o "$T/s4.gmm" "$F"
check "  the label column alone gives the same model" cmp -s "$T/s3.gmm" "$T/s4.gmm"

# --init labels:FILE: a partition, as score --labels prints it
"$GMM" score --labels "$T/m.gmm" "$F" | cut -d, -f2 >"$T/labels.csv"
run fit --init "labels:$T/labels.csv" --max-iter 0 -o "$T/l.gmm" "$F"
expect_status "--init labels:FILE" 0
check "  k is the largest label + 1" grep -q "^gmm fit: k=2 " "$T/err"
run fit --init "labels:$T/labels.csv" -k 3 --max-iter 0 -v -o "$T/l.gmm" "$F"
expect_status "  -k above the labels" 0
check "  a label with no row leaves its component reseeded" \
    grep -q "^gmm fit: run 1 start: component 2 has no rows; reseeded" "$T/err"
check "  and k is -k" grep -q "^gmm fit: k=3 " "$T/err"
run fit --init "labels:$T/labels.csv" -k 1 -o "$T/l.gmm" "$F"
expect_err "a label at or above -k" 1 "gmm fit: $T/labels.csv:3: column 1: label 1, but -k is 1 (labels are 0 to k - 1)"
printf 'label\n0\n0.5\n' >"$T/lbad.csv"
run fit --init "labels:$T/lbad.csv" -o "$T/l.gmm" "$F"
expect_err "a label that is not a whole number" 1 "gmm fit: $T/lbad.csv:3: column 1: 0.5 is not a label (a whole number from 0)"
# --prior conjugate: MAP EM under mclust's default conjugate prior (the
# numbers against mclust: test_mclust); recorded in the model
run fit -k 2 --covariance VEV --prior conjugate -o "$T/map.gmm" "$REF/data/iris.csv"
expect_status "--prior conjugate" 0
"$GMM" fit -q -k 2 --covariance VEV -o "$T/ml.gmm" "$REF/data/iris.csv"
check "  a model other than the maximum-likelihood one" sh -c '! cmp -s "$1" "$2"' - "$T/map.gmm" "$T/ml.gmm"
run show "$T/map.gmm"
check "  show says so" grep -q "tol 1e-06, prior conjugate$" "$T/out"
run show --json "$T/map.gmm"
check "  and its JSON" grep -q '"prior": "conjugate"' "$T/out"
run fit -k 2 --covariance VEV --prior none -o "$T/none.gmm" "$REF/data/iris.csv"
check "--prior none is the default" cmp -s "$T/none.gmm" "$T/ml.gmm"
run fit -k 2 --prior flat -o "$T/x.gmm" "$F"
expect_status "--prior flat is a usage error" 2
check "  naming the choices" grep -q '^gmm fit: --prior is none or conjugate, not "flat"$' "$T/err"
run fit -k 2 --covariance EVE --prior conjugate -o "$T/x.gmm" "$F"
expect_status "--prior conjugate with EVE, which mclust has no prior for" 2
check "  says which models have one" grep -q "^gmm fit: mclust has no conjugate prior for EVE, nor has gmm; --prior conjugate takes EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV, VVV$" "$T/err"
# two identical far rows: without reg_covar, full k = 2 cannot be fitted;
# the prior keeps it a proper (if degenerate) fit
run fit -k 2 --reg-covar 0 -o "$T/x.gmm" "$FIX/spike.csv"
expect_status "a spike with --reg-covar 0: no fit" 1
run fit -k 2 --reg-covar 0 --prior conjugate -o "$T/x.gmm" "$FIX/spike.csv"
expect_status "  the prior fits it" 0
done_testing
