#!/bin/sh
# Say what is wrong, and how to fix it (issue 11, part 4): did-you-mean
# for commands, options and columns; operands named; option messages
# prefixed with the command; a model where CSV belongs and CSV where a
# model belongs recognised; the likely delimiter; -v and -q everywhere.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv
"$GMM" fit -q -k 2 -o "$T/m.gmm" "$F"

run fti -k 2 "$F"
expect_err "a misspelt command: did you mean" 2 \
    "gmm: 'fti' is not a command; did you mean 'fit'? (see 'gmm --help')"
run selectk -k 2 "$F"
expect_err "  select-k without its hyphen" 2 \
    "gmm: 'selectk' is not a command; did you mean 'select-k'? (see 'gmm --help')"
run fit --covarance full -k 2 "$F"
expect_status "a misspelt long option: a usage error" 2
check "  with the command's prefix and a did-you-mean" \
    grep -qx "gmm fit: unknown option --covarance; did you mean --covariance?" "$T/err"
run score --apend "$T/m.gmm" "$F"
check "score: the same" grep -qx "gmm score: unknown option --apend; did you mean --append?" "$T/err"
run fit -k
check "a missing value names the option" grep -qx "gmm fit: option -k needs a value" "$T/err"
run fit --header=yes -k 2 "$F"
check "a value given to a flag" grep -qx "gmm fit: option --header takes no value" "$T/err"
run fit --c full -k 2 "$F"
check "an ambiguous abbreviation" grep -qx "gmm fit: option --c is ambiguous; say which" "$T/err"
run fit -k 2 -c eruption -o "$T/x.gmm" "$F"
expect_err "a misspelt column: did you mean, and the columns" 1 \
    "gmm fit: $F: no column named \"eruption\" in the header; did you mean \"eruptions\"? (columns: eruptions, waiting)"

run show
check "show with no MODEL says so" grep -qx "gmm show: missing MODEL" "$T/err"
run show "$T/m.gmm" extra
check "an extra operand is named" grep -qx "gmm show: extra operand 'extra'" "$T/err"
run score
check "score with no MODEL" grep -qx "gmm score: missing MODEL" "$T/err"
run score "$T/m.gmm" "$F" more
check "score with three operands" grep -qx "gmm score: extra operand 'more'" "$T/err"
run sample -n 3
check "sample with no MODEL" grep -qx "gmm sample: missing MODEL" "$T/err"
run fit -k 2 "$F" "$F"
check "fit with two files" grep -qx "gmm fit: extra operand '$F'" "$T/err"

run select-k -k 1-3 --covariance sklearn "$F"
cp "$T/out" "$T/dash"
run select-k -k 1..3 --covariance sklearn "$F"
check "select-k -k 1-3 is the range 1..3" cmp -s "$T/dash" "$T/out"

run score "$F" "$T/m.gmm"
expect_err "CSV where the model belongs: named as such" 1 \
    "gmm score: $F: is CSV, not a gmm model (the model comes first: gmm score MODEL FILE)"
run score "$T/m.gmm" "$T/m.gmm"
expect_err "a model where CSV belongs: named, not parsed" 1 \
    "gmm score: $T/m.gmm: is a gmm model file, not CSV data"
"$GMM" show --json "$T/m.gmm" >"$T/m.json"
run fit -k 2 -o "$T/x.gmm" "$T/m.json"
expect_err "a JSON model where CSV belongs" 1 \
    "gmm fit: $T/m.json: is a JSON gmm model, not CSV data"
tr , '\t' <"$F" >"$T/f.tsv"
run fit -k 2 -o "$T/x.gmm" "$T/f.tsv"
expect_err "a tab-separated file read with commas: the hint" 1 \
    "gmm fit: $T/f.tsv:2: column 1 (\"eruptions\\twaiting\"): \"3.6\\t79\" is not a number (the fields seem to be separated by tabs: -d tab)"

tail -n +2 "$F" >"$T/noh.csv"
"$GMM" fit -q -k 2 -o "$T/noh.gmm" "$T/noh.csv"
run score "$T/noh.gmm" "$F"
expect_err "a model without names on a file with a header: what to do" 1 \
    "gmm score: $F: the model has no column names of its own (x1, ...: it was fitted without a header) and the header has no \"x1\"; select its 2 columns by position with -c"
run score -c 1,2 "$T/noh.gmm" "$F"
expect_status "  and -c 1,2 scores it" 0

printf 'a,b\n1,2\n' >"$T/one.csv"
run fit -k 2 -o "$T/x.gmm" "$T/one.csv"
expect_err "an error from the fit names the file" 1 \
    "gmm fit: $T/one.csv: k = 2 is larger than the number of rows (1)"

for cmd in "fit -k 2 -o $T/x.gmm $F" "score $T/m.gmm $F" "sample -n 2 $T/m.gmm" \
    "select-k -k 1..2 $F" "show $T/m.gmm"; do
	# shellcheck disable=SC2086
	run $cmd -q
	st_q=$st
	# shellcheck disable=SC2086
	run $cmd -v
	check "${cmd%% *} accepts -q and -v" test "$st_q" -eq 0 -a "$st" -eq 0
done
done_testing
