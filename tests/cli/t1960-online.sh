#!/bin/sh
# fit --online (issue 17, section 2): stepwise EM over a stream read once.
# The step's arithmetic is test_online's; here what a user sees: a stream
# from gmm sample on standard input gives the file's model, byte for
# byte; on held-out rows its mean log-likelihood is within 1% of batch
# EM's (every covariance family tried); memory does not grow with the
# stream (peak RSS of 5 times the rows within 2 MB); --checkpoint leaves
# a whole model in the file while the stream is still open; --init MODEL
# updates a model with new rows and counts them; missing values and
# weights stream too; and every option it does not take is a usage
# error.  Under valgrind the stream is 12,000 rows (the start and two
# steps) and the four models are not compared with batch EM (the native
# and sanitizer runs do that).
. "$(dirname "$0")/lib.sh"

S=$REF/data/synth_gmm4_d5.csv
run fit -k 4 -o "$T/s5.gmm" "$S"
expect_status "a 4-component model of the synthetic 5-D set" 0
if [ -n "${GMM_VALGRIND:-}" ]; then
	rows=12000 covs= hold=3000	# the fits against batch EM: natively
else
	rows=200000 covs="full diag VEV tied" hold=20000
fi
"$GMM" sample --seed 11 -n $rows "$T/s5.gmm" >"$T/st.csv"
"$GMM" sample --seed 12 -n $hold "$T/s5.gmm" >"$T/ho.csv"

run fit -v -k 4 --online -o "$T/on.gmm" "$T/st.csv"
expect_status "fit --online" 0
check "  the summary: iterations are the batches after the start, ICL not known" \
    grep -q "^gmm fit: k=4 covariance=full .* icl=NA iterations=$((rows / 1000 - 10)) converged=1 degenerate=0$" "$T/err"
check "  -v gives rows, batches and the prequential log-likelihood" \
    grep -q "^gmm fit: online: $rows rows, $((rows / 1000 - 10)) batches after the start; prequential mean log-likelihood -[0-9.]*$" "$T/err"
run_in "$T/st.csv" fit -k 4 --online -o "$T/in.gmm"
check "standard input, the same model byte for byte" cmp -s "$T/on.gmm" "$T/in.gmm"
run show "$T/on.gmm"
check "  show: trained on $rows rows" grep -q "^training: n = $rows," "$T/out"
run score --outlier 0.01 "$T/on.gmm" "$T/ho.csv"
expect_status "  score --outlier refuses it (no outlier levels online)" 1

held() {	# MODEL: mean log-likelihood of the held-out rows
	"$GMM" score --summary "$1" "$T/ho.csv" | awk -F, 'NR == 2 { print $3 }'
}
for cov in $covs; do
	run fit -k 4 --covariance $cov --online -o "$T/o.gmm" "$T/st.csv"
	run fit -k 4 --covariance $cov -o "$T/b.gmm" "$T/st.csv"
	lo=$(held "$T/o.gmm")
	lb=$(held "$T/b.gmm")
	check "$cov: held-out mean log-likelihood $lo, within 1% of batch EM's $lb" \
	    awk -v o="$lo" -v b="$lb" 'BEGIN { exit !(o > b - 0.01 * (b < 0 ? -b : b)) }'
done

# memory: constant in the stream's length
case $GMM in */san/*) asan=1 ;; *) asan= ;; esac
if [ -z "${GMM_VALGRIND:-}" ] && [ -z "$asan" ] && [ -x /usr/bin/time ]; then
	"$GMM" sample --seed 13 -n $((5 * rows)) "$T/s5.gmm" >"$T/long.csv"
	/usr/bin/time -f %M -o "$T/rss1" "$GMM" fit -k 4 --online -o "$T/x.gmm" "$T/st.csv" 2>/dev/null
	/usr/bin/time -f %M -o "$T/rss5" "$GMM" fit -k 4 --online -o "$T/x.gmm" "$T/long.csv" 2>/dev/null
	r1=$(tail -n 1 "$T/rss1")
	r5=$(tail -n 1 "$T/rss5")
	check "peak RSS of $((5 * rows)) rows ($r5 KB) within 2 MB of $rows's ($r1 KB)" [ $((r5 - r1)) -lt 2048 ]
	rm -f "$T/long.csv"
fi

# --checkpoint: a whole model in the file while the stream is open
mkfifo "$T/fifo"
(
	head -n 30001 "$T/st.csv"
	i=0	# until the first checkpoint is there (after the batch that reaches 10000 rows)
	while [ ! -s "$T/ck.gmm" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	cp "$T/ck.gmm" "$T/snap.gmm" 2>/dev/null
	tail -n +30002 "$T/st.csv"
) >"$T/fifo" &
run fit -k 4 --online --checkpoint 10000 -o "$T/ck.gmm" "$T/fifo"
wait
expect_status "--checkpoint 10000 on a FIFO" 0
run show "$T/snap.gmm"
seen=$(sed -n 's/^training: n = \([0-9]*\),.*/\1/p' "$T/out")
check "  mid-stream the file held a whole model, of the first ${seen:-no} rows" \
    [ "${seen:-0}" -ge 11000 -a "${seen:-0}" -le 30000 ]
check "  at the end the model of the whole stream" cmp -s "$T/ck.gmm" "$T/on.gmm"
run fit -k 4 --online --checkpoint 1000 "$T/st.csv"
expect_status "--checkpoint to standard output is a usage error" 2

# --init MODEL: update a model with new rows
head -n $((rows / 2 + 1)) "$T/st.csv" >"$T/h1.csv"
{ head -n 1 "$T/st.csv"; tail -n $((rows / 2)) "$T/st.csv"; } >"$T/h2.csv"
run fit -k 4 -o "$T/h1.gmm" "$T/h1.csv"
run fit --online --init "$T/h1.gmm" -o "$T/up.gmm" "$T/h2.csv"
expect_status "--online --init MODEL: an update with new rows" 0
run show "$T/up.gmm"
check "  counts the model's rows and the new ($rows)" grep -q "^training: n = $rows," "$T/out"
check "  the model moved" sh -c '! cmp -s "$1" "$2"' - "$T/h1.gmm" "$T/up.gmm"
lu=$(held "$T/up.gmm")
lb=$(held "$T/h1.gmm")
check "  held out: $lu, within 1% of the first half's $lb" \
    awk -v o="$lu" -v b="$lb" 'BEGIN { exit !(o > b - 0.01 * (b < 0 ? -b : b)) }'

# missing values and weights travel with the rows
awk -F, 'NR == 1 { print; next } { if (NR % 7 == 0) $2 = ""; if (NR % 11 == 0) $4 = "NA"; print }' OFS=, "$T/st.csv" >"$T/m.csv"
run fit -k 4 --online -o "$T/m.gmm" "$T/m.csv"
expect_status "--online with missing values" 0
lm=$(held "$T/m.gmm")
check "  held out $lm, within 1% of the complete stream's" \
    awk -v o="$lm" -v b="$(held "$T/on.gmm")" 'BEGIN { exit !(o > b - 0.01 * (b < 0 ? -b : b)) }'
awk -F, 'NR == 1 { print $0 ",w"; next } { print $0 "," (NR % 3) }' "$T/st.csv" >"$T/w.csv"
run fit -k 4 --online --weights w -o "$T/w.gmm" "$T/w.csv"
expect_status "--online --weights" 0
run show "$T/w.gmm"
check "  the weights' sum is BIC's n" grep -q "^training: n = $rows (weights summing to [0-9]*)" "$T/out"

# usage errors
for args in "--batch 10" "--alpha 0.7" "--checkpoint 5"; do
	run fit -k 4 $args -o "$T/x.gmm" "$T/st.csv"
	expect_status "$args without --online" 2
done
for args in "--alpha 0.5" "--alpha 1.1" "--batch 0" "--noise" "--prior conjugate" "--family t" "--label-column x1"; do
	run fit -k 4 --online $args -o "$T/x.gmm" "$T/st.csv"
	expect_status "--online $args: a usage error" 2
done
run fit -k 4 --online --init resp:"$T/st.csv" -o "$T/x.gmm" "$T/st.csv"
expect_err "--online --init resp:" 2 "$(printf '%s\n' "gmm fit: --online does not take --init resp: or labels: yet"; "$GMM" fit --help | awk 'NF == 0 { exit } { print }')"
done_testing
