#!/bin/sh
# gmm plot clusters and density (issue 19): pictures of a model over
# data, checked by their structure.  Each kind of mark is one SVG path
# with a line width of its own (src/io/chart.h: GMM_CHART_W_*), so the
# tests count ellipses, centres, lines, contours and dots (a dot is a
# "Z" subpath of a round-capped path); the PNG of the same picture has,
# at each component mean's pixel (read from the SVG), that component's
# colour; uncertainty classes match the quantiles of `gmm score --proba`;
# --max-points thins to a seeded sample with bounded memory; small golden
# SVGs (tests/fixtures/plot/, numbers rounded to 0.1 and the font's glyphs
# dropped; GMM_GOLDEN=update rewrites them) keep the whole picture.
. "$(dirname "$0")/lib.sh"

PIXEL=$TOP/${BUILD:-build}/png-pixel
IRIS=$TOP/data/iris.csv
F=$TOP/data/faithful.csv
"$GMM" fit -q -k 3 --covariance full -o "$T/iris.gmm" "$IRIS"
"$GMM" fit -q -k 2 --covariance full -o "$T/f.gmm" "$F"

# same DESC GOT WANT
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:  $2" "want: $3"
	fi
}
# paths W FILE: how many paths have line width W
paths() {
	grep -c "stroke-width:$1;" "$2"
}
# dots W FILE: how many dots of radius W/2
dots() {
	grep "stroke-width:$1;stroke-linecap:round" "$2" | grep -o ' Z' |
	    wc -l | tr -d ' '
}
# centres FILE: "x y RRGGBB" of each CENTRE (a disc of radius 5 whose
# path starts at its rightmost point), in drawing order
centres() {
	grep 'stroke-width:1.3;' "$1" | sed -n \
	    's/.*fill:rgb(\([0-9.]*\)%,\([0-9.]*\)%,\([0-9.]*\)%).* d="M \([0-9.]*\) \([0-9.]*\) .*/\4 \5 \1 \2 \3/p' |
	    awk '{ printf "%.3f %.3f %02x%02x%02x\n", $1 - 5, $2,
	        int($3 * 2.55 + 0.5), int($4 * 2.55 + 0.5), int($5 * 2.55 + 0.5) }'
}

# clusters, a pairs matrix of iris's four columns: 12 panels of 3
# components
run plot clusters -o "$T/c.svg" "$T/iris.gmm" "$IRIS"
expect_status "clusters to SVG" 0
same "... 36 ellipses at 1 sigma" "$(paths 1.6 "$T/c.svg")" 36
same "... 36 at 2 sigma" "$(paths 1.1 "$T/c.svg")" 36
same "... 36 means" "$(paths 1.3 "$T/c.svg")" 36
same "... 150 dots in each of the 12 panels" "$(dots 4 "$T/c.svg")" 1800
same "... the page grows with the matrix" \
    "$(grep -o 'width="[0-9]*pt" height="[0-9]*pt"' "$T/c.svg")" \
    'width="808pt" height="668pt"'
centres "$T/c.svg" >"$T/centres"
same "... the means in the palette's colours, component by component" \
    "$(awk '{ print $3 }' "$T/centres" | head -3 | tr '\n' ' ')" \
    "e69f00 56b4e9 009e73 "
run plot clusters -o "$T/c.png" "$T/iris.gmm" "$IRIS"
expect_status "clusters to PNG" 0
# the means not covered by a later one (closer than a disc's diameter)
awk '{ x[NR] = $1; y[NR] = $2; c[NR] = $3 }
    END { for (i = 1; i <= NR; i++) { hid = 0
        for (j = i + 1; j <= NR; j++)
            if ((x[i] - x[j])^2 + (y[i] - y[j])^2 < 121) hid = 1
        if (!hid) print x[i], y[i], c[i] } }' "$T/centres" >"$T/seen"
"$PIXEL" "$T/c.png" $(awk '{ print $1, $2 }' "$T/seen") >"$T/px"
same "... a PNG of the same 808 x 668 page" "$(head -1 "$T/px")" "808 668"
same "... at each mean's pixel its component's colour" \
    "$(tail -n +2 "$T/px" | tr '\n' ' ')" \
    "$(awk '{ print $3 }' "$T/seen" | tr '\n' ' ')"
check "... (most of the 36 means seen)" [ "$(wc -l <"$T/seen")" -ge 24 ]

# two columns: one panel; one column: intervals at each component's height
run plot clusters -c Sepal.Length,3 -o "$T/c2.svg" "$T/iris.gmm" "$IRIS"
expect_status "-c by name and position" 0
same "... one panel: 3 + 3 ellipses, 3 means, 150 dots" \
    "$(paths 1.6 "$T/c2.svg") $(paths 1.1 "$T/c2.svg") $(paths 1.3 "$T/c2.svg") $(dots 4 "$T/c2.svg")" \
    "3 3 3 150"
run plot clusters -c 2 -o "$T/c1.svg" "$T/iris.gmm" "$IRIS"
expect_status "one column" 0
same "... 3 + 3 intervals, 3 means, 150 dots" \
    "$(paths 1.6 "$T/c1.svg") $(paths 1.1 "$T/c1.svg") $(paths 1.3 "$T/c1.svg") $(dots 4 "$T/c1.svg")" \
    "3 3 3 150"
run plot clusters -c 2-4 -o "$T/c3.svg" "$T/iris.gmm" "$IRIS"
same "a range of three columns: 6 panels of ellipses" \
    "$(paths 1.6 "$T/c3.svg")" 18

# --uncertainty: three classes, split at the 75% and 95% quantiles of
# 1 - max posterior, as score --proba gives it
run plot clusters --uncertainty -c 3,4 -o "$T/u.svg" "$T/iris.gmm" "$IRIS"
expect_status "--uncertainty" 0
"$GMM" score --proba "$T/iris.gmm" "$IRIS" | awk -F, 'NR > 1 {
    m = $2; for (i = 3; i <= NF; i++) if ($i > m) m = $i; print 1 - m }' |
    sort -g >"$T/unc"
want=$(awk '{ u[NR - 1] = $1 } END { n = NR
    q75 = u[int(0.75 * (n - 1))]; q95 = u[int(0.95 * (n - 1))]
    for (i = 0; i < n; i++) c[(u[i] > q75) + (u[i] > q95)]++
    print c[0] + 0, c[1] + 0, c[2] + 0 }' "$T/unc")
same "... dots by class: the score's quantiles" \
    "$(dots 2.8 "$T/u.svg") $(dots 4.8 "$T/u.svg") $(dots 6.8 "$T/u.svg")" \
    "$want"

# --max-points: a seeded reservoir sample, memory bounded by it
run plot clusters --max-points 50 -o "$T/m.svg" "$T/iris.gmm" "$IRIS"
same "--max-points 50: 50 dots a panel" "$(dots 4 "$T/m.svg")" 600
if [ -n "${GMM_VALGRIND:-}" ]; then
	# each picture costs valgrind 2 s of fontconfig's start: the sample's
	# repeats, its peak memory and the golden pictures are run natively
	ok "# skip the sample's repeats and memory under valgrind"
else
	run plot clusters --max-points 50 -o "$T/m2.svg" "$T/iris.gmm" "$IRIS"
	check "... the same sample again" cmp -s "$T/m.svg" "$T/m2.svg"
	run plot clusters --max-points 50 --seed 7 -o "$T/m3.svg" \
	    "$T/iris.gmm" "$IRIS"
	check "... another with another seed" sh -c "! cmp -s $T/m.svg $T/m3.svg"
	run plot clusters --max-points 150 -o "$T/m4.svg" "$T/iris.gmm" "$IRIS"
	check "... all rows when they fit" cmp -s "$T/m4.svg" "$T/c.svg"
	awk 'NR == 1 { print; next } { for (i = 0; i < 4000; i++) print }' \
	    "$F" >"$T/big.csv"	# 1,088,000 rows: 17 MB as doubles
	/usr/bin/time -f %M -o "$T/rss1" "$GMM" plot clusters \
	    --max-points 1000 -o "$T/b1.png" "$T/f.gmm" "$F"
	/usr/bin/time -f %M -o "$T/rss2" "$GMM" plot clusters \
	    --max-points 1000 -o "$T/b2.png" "$T/f.gmm" "$T/big.csv"
	check "... peak memory of 1,088,000 rows within 4 MB of 272's ($(cat "$T/rss1") and $(cat "$T/rss2") KB)" \
	    [ "$(($(cat "$T/rss2") - $(cat "$T/rss1")))" -lt 4096 ]
fi

# density, one column: a histogram (R's hist() breaks: 8 bins of 0.5 for
# the eruptions), the mixture and its two weighted components
run plot density -c eruptions -o "$T/d1.svg" "$T/f.gmm" "$F"
expect_status "density of one column" 0
same "... 3 lines and their 3 legend samples" \
    "$(paths 1.8 "$T/d1.svg") $(paths 2.2 "$T/d1.svg")" "3 3"
same "... 8 bars" "$(grep 'stroke-width:0.7;' "$T/d1.svg" | grep -o ' Z' | wc -l | tr -d ' ')" 8
run plot density -o "$T/d2.svg" "$T/f.gmm" "$F"
expect_status "two columns: contours of the log density" 0
nc=$(paths 1.2 "$T/d2.svg")
check "... a contour line per level ($nc), each in the legend" \
    [ "$nc" -ge 4 ] && [ "$nc" -le 16 ] && [ "$nc" = "$(paths 2.2 "$T/d2.svg")" ]
same "... over the 272 rows" "$(dots 3.2 "$T/d2.svg")" 272
run plot density -o "$T/d2.png" "$T/f.gmm" "$F"
expect_status "... to PNG" 0
check "... of 720 x 540 pixels" sh -c "[ \"\$($PIXEL $T/d2.png | head -1)\" = '720 540' ]"
run plot density -o "$T/d0.svg" "$T/f.gmm"
expect_status "without data: the model alone" 0
same "... no dots, the same contours" \
    "$(dots 3.2 "$T/d0.svg") $(paths 1.2 "$T/d0.svg")" "0 $nc"
run plot density -c 3,4 -o "$T/dm.svg" "$T/iris.gmm" "$IRIS"
expect_status "a marginal on two of four columns" 0
check "... has contours" [ "$(paths 1.2 "$T/dm.svg")" -ge 4 ]
run plot density -c Petal.Width -o "$T/dm1.svg" "$T/iris.gmm"
same "... and on one: the mixture and 3 components" \
    "$(paths 1.8 "$T/dm1.svg")" 4

# refused
run plot clusters -c nope -o "$T/x.svg" "$T/iris.gmm" "$IRIS"
expect_err "-c naming no column of the model" 2 \
    'gmm plot: -c nope: "nope" is not a column of the model (4 columns: Sepal.Length, ...)'
run plot density -c 1-3 -o "$T/x.svg" "$T/iris.gmm" "$IRIS"
expect_err "density of three columns" 2 \
    "gmm plot: density draws one or two columns; -c 1-3 names 3"
run plot clusters --max-points 0 "$T/iris.gmm" "$IRIS"
expect_status "--max-points 0" 2
awk 'BEGIN { for (i = 0; i < 60; i++) { for (j = 0; j < 13; j++)
    printf "%s%d", j ? "," : "", (i * (j + 3)) % 17; print "" } }' >"$T/w13.csv"
"$GMM" fit -q -k 2 --covariance diag --no-header -o "$T/w13.gmm" "$T/w13.csv"
run plot clusters -c 1-13 -o "$T/x.svg" "$T/w13.gmm" "$T/w13.csv"
expect_err "a pairs matrix of 13 columns" 2 \
    "gmm plot: clusters draws at most 12 columns; -c 1-13 names 13"
cut -d, -f1-2 "$T/w13.csv" >"$T/w2.csv"
"$GMM" fit -q -k 40 --covariance spherical --no-header \
    -o "$T/k40.gmm" "$T/w2.csv" 2>/dev/null
run plot clusters -o "$T/k40.png" "$T/k40.gmm" "$T/w2.csv"
expect_status "40 components: the legend says how many it leaves out" 0
run plot density - -
expect_status "model and data both stdin" 2
run plot clusters -o "$T/x.svg" "$T/f.gmm" "$IRIS"
expect_status "data without the model's columns" 1
check "... says which" grep -q eruptions "$T/err"
check "... and nothing written" test ! -e "$T/x.svg"
cp "$T/f.gmm" "$T/model.svg"	# a model by any name
run plot clusters -o "$T/model.svg" "$T/model.svg" "$F"
expect_status "-o the model itself" 1
check "... leaves the model as it was" cmp -s "$T/f.gmm" "$T/model.svg"

# golden pictures: a hand-written model over faithful's first 20 rows
norm() {
	sed -e '/<symbol/,/<\/symbol>/d' -e '/<use /d' "$1" |
	    perl -pe 's/(-?\d+\.\d+)/sprintf("%.1f", $1)/ge; s/-0\.0\b/0.0/g'
}
head -21 "$F" >"$T/f20.csv"
if [ -n "${GMM_VALGRIND:-}" ]; then
	done_testing
	exit
fi
for kind in "clusters" "clusters --uncertainty" "density -c 1"; do
	name=$(echo "$kind" | tr -d '-' | tr ' ' '-')
	run plot $kind -o "$T/g.svg" "$FIX/two-full.json" "$T/f20.csv"
	norm "$T/g.svg" >"$T/g.norm"
	if [ "${GMM_GOLDEN:-}" = update ]; then
		cp "$T/g.norm" "$FIX/plot/$name.svg"
	fi
	check "golden $kind (tests/fixtures/plot/$name.svg)" \
	    cmp -s "$T/g.norm" "$FIX/plot/$name.svg"
done
done_testing
