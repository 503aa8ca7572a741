#!/bin/sh
# No silent wrong answer from the columns (issue 11, part 2b): a NUL byte
# is an error, not a value cut short; duplicate header names are refused
# where they would be ambiguous; fit --init MODEL matches the data's
# columns to the model's by name.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv

printf 'x,y\n1\0000.5,2\n3,4\n5,6\n7,8\n' >"$T/nul.csv"
run fit -k 1 -o "$T/m.gmm" "$T/nul.csv"
expect_err "a NUL in a field: an error naming line and column" 1 \
    "gmm fit: $T/nul.csv:2: column 1: a NUL byte in the field"
printf 'x\000junk,y\n1,2\n3,4\n5,6\n' >"$T/nulhdr.csv"
run fit -k 1 -o "$T/m.gmm" "$T/nulhdr.csv"
expect_err "a NUL in a header name: the same" 1 \
    "gmm fit: $T/nulhdr.csv:1: column 1: a NUL byte in the field"

awk 'BEGIN { srand(2); print "a,a,b"; for (i = 0; i < 50; i++) printf "%.4f,%.4f,%.4f\n", rand(), rand(), rand() }' >"$T/dup.csv"
run fit -k 1 -o "$T/m.gmm" "$T/dup.csv"
expect_err "fit: two columns of one name are refused" 1 \
    "gmm fit: $T/dup.csv: columns 1 and 2 are both named \"a\"; a model's columns need distinct names (rename one, or leave one out with -c)"
run select-k -k 1 -o "$T/m.gmm" "$T/dup.csv"
expect_status "select-k: the same" 1
run fit -k 1 -c a -o "$T/m.gmm" "$T/dup.csv"
expect_err "-c by the shared name is ambiguous" 1 \
    "gmm fit: $T/dup.csv: columns 1 and 2 are both named \"a\"; select one by index with -c"
run fit -k 1 -c 2,3 -o "$T/ab.gmm" "$T/dup.csv"
expect_status "-c by index picks one of them" 0
run score "$T/ab.gmm" "$T/dup.csv"
expect_err "score: a model column the header has twice is refused" 1 \
    "gmm score: $T/dup.csv: columns 1 and 2 are both named \"a\"; select one by index with -c"
run score -c 2,3 "$T/ab.gmm" "$T/dup.csv"
expect_status "  -c by index scores" 0

# --init MODEL on a file whose columns come in another order
"$GMM" fit -q -k 3 -o "$T/ew.gmm" "$F"
awk -F, '{ print $2 "," $1 }' "$F" >"$T/we.csv"
run fit --init "$T/ew.gmm" --max-iter 0 -o "$T/we0.gmm" "$T/we.csv"
expect_status "--init MODEL, columns swapped in the file" 0
"$GMM" score --summary "$T/ew.gmm" "$F" >"$T/s1"
"$GMM" score --summary "$T/we0.gmm" "$T/we.csv" >"$T/s2"
check "  the start's means go to the right columns (same log-likelihood)" \
    cmp -s "$T/s1" "$T/s2"
"$GMM" show "$T/we0.gmm" | grep '^columns:' >"$T/cols"
check "  and the model keeps the start's column order" \
    test "$(cat "$T/cols")" = "columns: eruptions waiting"
awk -F, 'NR == 1 { print "eruptions,other"; next } { print }' "$F" >"$T/other.csv"
run fit --init "$T/ew.gmm" -o "$T/m.gmm" "$T/other.csv"
expect_err "--init MODEL: a model column the header lacks is refused" 1 \
    "gmm fit: $T/other.csv: the header has no column \"waiting\" (a model column) (columns: eruptions, other)"
tail -n +2 "$F" >"$T/nohdr.csv"
run fit --init "$T/ew.gmm" --max-iter 0 -o "$T/m.gmm" "$T/nohdr.csv"
expect_status "--init MODEL on a file without a header: by position" 0
# Outputs that cannot be turned against the reader (issue 11, 2d): what
# was read is escaped in messages and by show; names must be UTF-8.
printf '"\033]0;pwned\007x",y\nzz,1\n' >"$T/ctl.csv"
run fit -k 1 -o "$T/m.gmm" "$T/ctl.csv"
expect_err "a control character in a name is escaped in a message" 1 \
    "gmm fit: $T/ctl.csv:2: column 1 (\"\\x1b]0;pwned\\x07x\"): \"zz\" is not a number"
check "  no raw escape byte on stderr" sh -c "! grep -q \"$(printf '\033')\" '$T/err'"
printf 'a\tb,y\n1,2\n3,4\n5,7\n' >"$T/tabname.csv"
"$GMM" fit -q -k 1 -o "$T/tab.gmm" "$T/tabname.csv"
run show "$T/tab.gmm"
check "show escapes a tab in a name" grep -q '^columns: a\\tb y$' "$T/out"
"$GMM" show --json "$T/tab.gmm" >"$T/tab.json"
run show "$T/tab.json"
check "  and its JSON reads back" grep -q '^columns: a\\tb y$' "$T/out"
printf 'n\351,y\n1,2\n3,4\n5,7\n' >"$T/latin1.csv"
run fit -k 1 -o "$T/m.gmm" "$T/latin1.csv"
expect_err "a header name that is not UTF-8 is refused at fit" 1 \
    "gmm fit: $T/latin1.csv: column 1: the header name \"n\\xe9\" is not valid UTF-8 (a model's names are text; recode the file, or use --no-header)"
done_testing
