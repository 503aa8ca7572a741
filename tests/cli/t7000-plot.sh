#!/bin/sh
# gmm plot bic (issue 19): a select-k table drawn as SVG, PNG and PDF as
# -o's name says (SVG on stdout by default, from a file or stdin), the
# PNG at its size; bad names, kinds and tables refused.  The pixels (each
# point in its series' colour, hollow and marked points): test_chart.
. "$(dirname "$0")/lib.sh"

F=$TOP/data/faithful.csv
"$GMM" select-k -k 1..4 --covariance full,diag,VEV -q "$F" >"$T/t.csv"
run plot bic -o "$T/b.svg" "$T/t.csv"
expect_status "plot bic to SVG" 0
check "... an SVG file of 720 x 450 points" sh -c \
    "head -c 200 $T/b.svg | grep -q '<svg' && grep -q 'width=\"720pt\" height=\"450pt\"' $T/b.svg"
run plot bic -o "$T/b.png" "$T/t.csv"
expect_status "to PNG" 0
check "... a PNG of 720 x 450 pixels" sh -c \
    "[ \"\$(od -An -tx1 -j12 -N12 $T/b.png | tr -d ' \n')\" = 49484452000002d0000001c2 ]"
run plot bic --criterion icl -o "$T/b.pdf" "$T/t.csv"
expect_status "ICL to PDF" 0
check "... a PDF" sh -c "head -c 5 $T/b.pdf | grep -q '%PDF-'"
run plot bic "$T/t.csv"
expect_status "SVG on stdout by default" 0
check "... the same picture as -o FILE.svg" cmp -s "$T/out" "$T/b.svg"
run_in "$T/t.csv" plot bic -o -
check "the table from stdin" cmp -s "$T/out" "$T/b.svg"
run plot bic --criterion aic -o "$T/a.svg" "$T/t.csv"
check "another criterion, another picture" sh -c "! cmp -s $T/a.svg $T/b.svg"

run plot bic -o "$T/b.jpg" "$T/t.csv"
expect_err "an unknown picture format" 2 \
    "gmm plot: -o $T/b.jpg: the name ends in .svg, .png or .pdf (or is -, SVG on stdout)"
check "... and nothing written" test ! -e "$T/b.jpg"
run plot pairs "$T/t.csv"
expect_status "an unknown kind" 2
check "... names the kinds" grep -q 'no picture of kind "pairs"; the kinds: bic, clusters, density' "$T/err"
run plot bic --criterion bix "$T/t.csv"
expect_status "an unknown criterion" 2
run plot bic -o "$T/x.svg" "$F"
expect_err "not a select-k table" 1 \
    "gmm plot: $F: no column named \"k\" in the header (columns: eruptions, waiting)"
printf 'k,covariance,bic,degenerate\n' >"$T/empty.csv"
run plot bic -o "$T/x.svg" "$T/empty.csv"
expect_status "a table with no rows" 1
cp "$T/b.svg" "$T/keep.svg"
run plot bic -o "$T/keep.svg" "$T/empty.csv"
check "a failed plot leaves -o's file as it was" cmp -s "$T/keep.svg" "$T/b.svg"
done_testing
