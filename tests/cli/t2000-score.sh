#!/bin/sh
# gmm score: every option of its --help, log-densities against the formula,
# column matching by header, streaming.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv
M=$FIX/two-full.json

# log p(x) of the two-component model, written out in awk from the formula
awk -F, 'NR > 1 {
	split("0.35 0.65", w, " "); split("2.0 4.3", m1, " ");
	split("54.5 80.0", m2, " "); split("0.07 0.17", a, " ");
	split("0.44 0.94", b, " "); split("34.0 36.0", c, " ");
	s = 0; pi = atan2(0, -1)
	for (k = 1; k <= 2; k++) {
		det = a[k] * c[k] - b[k] * b[k]
		u = $1 - m1[k]; v = $2 - m2[k]
		q = (c[k] * u * u - 2 * b[k] * u * v + a[k] * v * v) / det
		p[k] = w[k] * exp(-q / 2) / (2 * pi * sqrt(det))
		s += p[k]
	}
	printf "%.17g %.17g %.17g\n", log(s), p[1] / s, p[2] / s
}' "$F" >"$T/want"

run score "$M" "$F"
expect_status "score a JSON model" 0
check "header is log_density" test "$(head -n 1 "$T/out")" = log_density
check "one row per input row" test "$(wc -l <"$T/out")" -eq 273
check "log densities match the formula (1e-12 relative)" awk '
    NR == FNR { want[NR] = $1; next }
    FNR > 1 { d = $1 - want[FNR - 1]; if (d < 0) d = -d
              if (d > 1e-12 * (want[FNR - 1] < 0 ? -want[FNR - 1] : want[FNR - 1])) bad = 1 }
    END { exit bad }' "$T/want" "$T/out"

run score --labels --proba "$M" "$F"
check "--labels --proba header" test "$(head -n 1 "$T/out")" = "log_density,label,p0,p1"
check "responsibilities match the formula and sum to 1" awk -F, '
    NR == FNR { p0[NR] = $2; p1[NR] = $3; next }
    FNR > 1 { i = FNR - 1
              if (($3 - p0[i])^2 > 1e-20 || ($4 - p1[i])^2 > 1e-20) bad = 1
              if (($3 + $4 - 1)^2 > 1e-28) bad = 1 }
    END { exit bad }' FS=' ' "$T/want" FS=, "$T/out"
check "labels are the 0-based most probable component" awk -F, '
    NR > 1 { if ($2 != ($4 > $3 ? 1 : 0)) bad = 1 } END { exit bad }' "$T/out"
run score --labels "$M" "$F"
check "--labels alone" test "$(head -n 2 "$T/out" | tail -n 1 | cut -d, -f2)" = 1
run score --proba "$M" "$F"
check "--proba alone" test "$(head -n 1 "$T/out")" = "log_density,p0,p1"

run score --append "$M" "$F"
check "--append puts the input fields first" test "$(sed -n 2p "$T/out" | cut -d, -f1,2)" = "3.6,79"
check "--append header" test "$(head -n 1 "$T/out")" = "eruptions,waiting,log_density"
# --append keeps the whole input row, quoted as needed (issue 11, part 3)
printf 'id,note,eruptions,waiting\n7,"a, b",3.6,79\n8,"say ""hi""",1.8,54\n' >"$T/ids.csv"
run score --append "$M" "$T/ids.csv"
check "--append keeps ids and notes" test "$(cut -d, -f1 "$T/out" | tr '\n' ' ')" = "id 7 8 "
check "  header: every input column, then log_density" test "$(head -n 1 "$T/out")" = "id,note,eruptions,waiting,log_density"
check "  fields re-quoted as needed" test "$(sed -n 2p "$T/out" | cut -c1-9)" = '7,"a, b",'
check "  embedded quotes survive" grep -q '^8,"say ""hi""",1.8,54,' "$T/out"
"$GMM" score "$M" "$T/ids.csv" >"$T/plain"
check "  the scores are those without --append" test "$(awk -F, 'NR > 1 { print $NF }' "$T/out")" = "$(tail -n +2 "$T/plain")"
run score --append-columns id,3 "$M" "$T/ids.csv"
check "--append-columns LIST narrows it, in its order" test "$(head -n 2 "$T/out" | tr '\n' ' ')" = "id,eruptions,log_density 7,3.6,$(sed -n 2p "$T/plain") "
run score --append-columns nope "$M" "$T/ids.csv"
expect_err "--append-columns with an unknown name" 1 "gmm score: $T/ids.csv: no column named \"nope\" in the header; did you mean \"note\"? (columns: id, note, eruptions, waiting)"
tail -n +2 "$T/ids.csv" >"$T/ids-noh.csv"
run score --no-header --append -c 3,4 "$M" "$T/ids-noh.csv"
check "without a header, the appended columns are x1.. by position" test "$(head -n 1 "$T/out")" = "x1,x2,x3,x4,log_density"

run score --summary "$M" "$F"
check "--summary header" test "$(head -n 1 "$T/out")" = "n,total_log_likelihood,mean_log_likelihood,bic,aic"
total=$(awk '{ s += $1 } END { printf "%.17g", s }' "$T/want")
got=$(tail -n 1 "$T/out")
check "--summary: n and total log-likelihood ($got vs $total)" awk -v g="$got" -v t="$total" \
    'BEGIN { split(g, f, ","); d = f[2] - t; exit !(f[1] == 272 && d * d < 1e-18 * t * t) }'
check "--summary: mean, BIC = -2 logL + 11 ln n, AIC = -2 logL + 22" awk -v g="$got" '
    BEGIN { split(g, f, ","); ll = f[2]
            if ((f[3] - ll / 272)^2 > 1e-24) exit 1
            if ((f[4] - (-2 * ll + 11 * log(272)))^2 > 1e-18) exit 1
            if ((f[5] - (-2 * ll + 22))^2 > 1e-18) exit 1 }'
run score --summary --labels "$M" "$F"
expect_status "--summary with --labels is a usage error" 2

# columns matched by header name, whatever their order; by position without
awk -F, '{ print $2 "," $1 }' "$F" >"$T/swapped.csv"
run score "$M" "$T/swapped.csv"
check "header columns are matched by name" awk '
    NR == FNR { w[NR] = $1; next } FNR > 1 { if (($1 - w[FNR - 1])^2 > 1e-20) bad = 1 }
    END { exit bad }' "$T/want" "$T/out"
tail -n +2 "$F" >"$T/nohdr.csv"
run score "$M" "$T/nohdr.csv"
check "without a header, by position" awk '
    NR == FNR { w[NR] = $1; next } FNR > 1 { if (($1 - w[FNR - 1])^2 > 1e-20) bad = 1 }
    END { exit bad }' "$T/want" "$T/out"
run score -c 2,1 "$M" "$T/nohdr.csv"
check "-c picks columns by position, in the order given" awk '
    NR == FNR { w[NR] = $1; next } FNR > 1 { if (($1 - w[FNR - 1])^2 < 1e-20) same++ }
    END { exit same > 10 }' "$T/want" "$T/out"
run score -c 2,1 "$M" "$T/swapped.csv"
check "-c by index on the swapped file restores the model's order" awk '
    NR == FNR { w[NR] = $1; next } FNR > 1 { if (($1 - w[FNR - 1])^2 > 1e-20) bad = 1 }
    END { exit bad }' "$T/want" "$T/out"
printf 'a,b\n1,2\n' >"$T/ab.csv"
run score "$M" "$T/ab.csv"
expect_err "unknown column name" 1 "gmm score: $T/ab.csv: the header has no column \"eruptions\" (a model column) (columns: a, b)"
printf '1,2,3\n4,5,6\n' >"$T/three.csv"
run score "$M" "$T/three.csv"
expect_err "mismatched dimension" 1 "gmm score: $T/three.csv: 3 columns but the model has 2 (select them with -c)"
run score -d ';' "$M" "$F"
expect_err "-d changes the delimiter (and the message says which would do)" 1 "gmm score: $F: the header has no column \"eruptions\" (a model column) (the fields seem to be separated by commas: -d ',')"
run score --header "$M" "$T/nohdr.csv"
expect_status "--header on a file without one fails" 1
run score --no-header "$M" "$F"
expect_err "--no-header on a file with one fails" 1 "gmm score: $F:1: column 1: \"eruptions\" is not a number"

# threads do not change the output; stdin; streaming into head
awk 'NR == 1 || NR > 1 { print } NR > 1 { for (i = 0; i < 40; i++) print }' "$F" >"$T/big.csv"
run score --threads 1 --proba "$M" "$T/big.csv"
cp "$T/out" "$T/t1"
run score --threads 2 --proba "$M" "$T/big.csv"
check "--threads 1 and 2 print the same bytes" cmp -s "$T/t1" "$T/out"
# the rows are formatted by every thread (chunks of 256) and written in
# order: blank lines kept, missing values, appended fields, JSON, each the
# same bytes as one thread writes
awk 'NR > 1 && NR % 97 == 0 { print ""; print ","; print "NA,70" } { print }' \
    "$T/big.csv" >"$T/holes.csv"
for opts in "--proba --keep-blank" "--append --labels" \
    "--json --proba --labels --keep-blank" "--append-columns 2 --json"; do
	run score --threads 1 $opts "$M" "$T/holes.csv"
	cp "$T/out" "$T/t1"
	run score --threads 3 $opts "$M" "$T/holes.csv"
	check "score $opts: --threads 3 prints the bytes of 1 ($(wc -l <"$T/t1") lines)" \
	    cmp -s "$T/t1" "$T/out"
done
# rows that arrive slowly are scored as they come: while the input waits,
# what was read is already out (the writer holds the pipe open after gmm is
# stopped, so only a flush before waiting can show the row)
# (polled for up to 60 s: under valgrind on a busy machine start-up is slow)
mkfifo "$T/fifo"
(printf 'eruptions,waiting\n3.6,79\n'; exec sleep 90) >"$T/fifo" &
: >"$T/live"
writer=$!
timeout 90 "$GMM" score "$M" - <"$T/fifo" >"$T/live" 2>/dev/null &
reader=$!
i=0
while [ "$(wc -l <"$T/live")" -lt 2 ] && [ "$i" -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$reader" 2>/dev/null	# gmm first: killed, it flushes nothing more
wait "$reader" 2>/dev/null
kill "$writer" 2>/dev/null
check "a row is printed before the input ends" test "$(wc -l <"$T/live")" -eq 2
run_in "$F" score "$M" -
check "data from stdin" test "$(wc -l <"$T/out")" -eq 273
run_in "$M" score - "$F"
check "model from stdin" test "$(wc -l <"$T/out")" -eq 273
run score - -
expect_status "model and data both stdin is a usage error" 2
run score
expect_status "no MODEL is a usage error" 2
lines=$(yes 3.6,79 | head -n 2000000 | "$GMM" score "$M" - | head -n 3 | wc -l)
check "score | head ends quietly on a long input" test "$lines" -eq 3
status=$( (yes 3.6,79 | head -n 200000 | "$GMM" score "$M" - 2>"$T/pipe-err"; echo $? >"$T/st") | head -n 1 >/dev/null; cat "$T/st")
check "a closed pipe ends with status 0" test "$status" -eq 0
check "  and no message" test ! -s "$T/pipe-err"

# bad model files
printf 'hello' >"$T/junk.gmm"
run score "$T/junk.gmm" "$F"
expect_err "not a model" 1 "gmm score: $T/junk.gmm: not a gmm model (neither the binary magic number nor JSON)"
# No row dropped silently (issue 11, part 2): blank lines keep their place
# with --keep-blank and --append, or are counted on stderr; a '#' line
# after the header is data; rows before a bad row are printed first.
printf 'eruptions,waiting\n3.6,79\n\n1.8,54\n  \n3.3,74\n' >"$T/blank.csv"
run score "$M" "$T/blank.csv"
check "blank lines: skipped, 3 rows" test "$(wc -l <"$T/out")" -eq 4
expect_err "  and counted on stderr" 0 "gmm score: $T/blank.csv: 2 blank lines skipped"
run score -v "$M" "$T/blank.csv"
expect_err "  -v names their lines" 0 "gmm score: $T/blank.csv: 2 blank lines skipped (lines 3, 5)"
run score -q "$M" "$T/blank.csv"
check "  -q: no note" test ! -s "$T/err"
run score --keep-blank "$M" "$T/blank.csv"
check "--keep-blank: output line for line with the input" \
    test "$(wc -l <"$T/out")" -eq "$(wc -l <"$T/blank.csv")"
check "  the blank lines are empty rows in place" \
    test "$(grep -n '^$' "$T/out" | tr '\n' ' ')" = "3: 5: "
check "  no note" test ! -s "$T/err"
run score --append "$M" "$T/blank.csv"
check "--append keeps the blank rows in place too" \
    test "$(grep -n '^$' "$T/out" | tr '\n' ' ')" = "3: 5: "
paste -d, "$T/blank.csv" "$T/out" | awk -F, 'NF > 2 && ($1 != $3 || $2 != $4) { bad = 1 } NF > 2 { n++ } END { exit bad || n != 4 }'
check "  paste joins input and output on every line" test $? -eq 0
run score --summary --keep-blank "$M" "$T/blank.csv"
expect_status "--summary --keep-blank is a usage error" 2
printf 'colour,eruptions,waiting\n#ff0000,3.6,79\n#00ff00,1.8,54\n' >"$T/hex.csv"
run score --append "$M" "$T/hex.csv"
check "rows that start with '#' after the header are scored" test "$(wc -l <"$T/out")" -eq 3
printf 'eruptions,waiting\n3.6,79\n1.8,54\n3.3,x\n2,70\n' >"$T/badrow.csv"
run score "$M" "$T/badrow.csv"
expect_err "a bad row: an error naming it" 1 "gmm score: $T/badrow.csv:4: column 2 (\"waiting\"): \"x\" is not a number"
check "  after the rows before it, printed" test "$(wc -l <"$T/out")" -eq 3
"$GMM" score "$M" "$T/badrow.csv" 2>/dev/null | cat >"$T/piped"
check "  also into a pipe" test "$(wc -l <"$T/piped")" -eq 3
# --json: JSON lines (issue 11, part 5)
printf 'id,note,eruptions,waiting\n7,"a, b",3.6,79\n\n8,"say ""hi""",1.8,54\n' >"$T/j.csv"
run score --json --labels --append "$M" "$T/j.csv"
"$GMM" score "$M" "$T/j.csv" 2>/dev/null >"$T/j.plain"
ld7=$(sed -n 2p "$T/j.plain")
ld8=$(sed -n 3p "$T/j.plain")
check "score --json: one object per row, fields then scores" test "$(sed -n 1p "$T/out")" = "{\"id\": \"7\", \"note\": \"a, b\", \"eruptions\": \"3.6\", \"waiting\": \"79\", \"log_density\": $ld7, \"label\": 1}"
check "  a kept blank line is {}" test "$(sed -n 2p "$T/out")" = "{}"
check "  quotes escaped" grep -q '^{"id": "8", "note": "say \\"hi\\"", ' "$T/out"
check "  no header line" test "$(wc -l <"$T/out")" -eq 3
run score --json --proba "$M" "$T/j.csv"
check "  --proba as an array" grep -q '^{"log_density": [-0-9.e]*, "proba": \[[-0-9.e]*, [-0-9.e]*\]}$' "$T/out"
run score --json --summary "$M" "$F"
"$GMM" score --summary "$M" "$F" | tail -n 1 >"$T/sum.csv"
check "score --summary --json: the same five numbers" test "$(sed 's/"[a-z_]*": //g; s/[{} ]//g' "$T/out")" = "$(cat "$T/sum.csv")"
done_testing
