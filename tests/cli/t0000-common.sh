#!/bin/sh
# Conventions shared by every subcommand: help, version, exit status, the
# CSV reader's conventions and its error messages.
. "$(dirname "$0")/lib.sh"

run --version
expect_status "--version" 0
case $(cat "$T/out") in "gmm "[0-9]*) ok "--version prints the version" ;;
*) not_ok "--version prints the version" "$(cat "$T/out")" ;; esac
run --help
expect_status "gmm --help" 0
check "gmm --help lists every command" grep -q select-k "$T/out"
run
expect_status "no command is a usage error" 2
run frobnicate
expect_err "unknown command" 2 "gmm: 'frobnicate' is not a command; see 'gmm --help'"

# BLAS is OpenBLAS, not GSL's reference CBLAS, even for GSL's own calls
# (its Cholesky factorisation calls cblas_dgemv and others)
LD_DEBUG=bindings "$GMM" fit -k 2 -q -o "$T/b.gmm" "$FIX/small.csv" 2>"$T/bind"
check "GSL's cblas_dgemv binds to OpenBLAS" grep -q "libopenblas.*normal symbol .cblas_dgemv" "$T/bind"
check "no cblas symbol binds to libgslcblas" sh -c "! grep -q 'to .*libgslcblas.*cblas_' '$T/bind'"

for cmd in fit score sample select-k show; do
	run "$cmd" --help
	expect_status "$cmd --help" 0
	check "$cmd --help starts with its usage" grep -q "^usage: gmm $cmd" "$T/out"
	run "$cmd" --no-such-option
	expect_status "$cmd: unknown option is a usage error" 2
	check "$cmd: usage on stderr" grep -q "^usage: gmm $cmd" "$T/err"
done

# The same rows, three spellings: plain; BOM, CRLF, a leading comment, a
# comment among the data (--comment '#'), blank lines, quoted numbers and
# no final newline; tab-separated without a header.
run fit -k 2 -o "$T/a.gmm" "$FIX/small.csv"
expect_status "fit plain CSV" 0
run fit -k 2 --comment '#' -o "$T/b.gmm" "$FIX/small-crlf.csv"
expect_status "fit CSV with BOM, CRLF, comments, blanks, quotes" 0
check "  the two blank lines among the data are counted" \
    grep -qx "gmm fit: $FIX/small-crlf.csv: 2 blank lines skipped" "$T/err"
run score --summary "$T/a.gmm" "$FIX/small.csv"
plain=$(cat "$T/out")
run score --comment '#' --summary "$T/b.gmm" "$FIX/small-crlf.csv"
expect_out "BOM/CRLF/comment file reads the same rows" "$plain"
run score --summary "$T/b.gmm" "$FIX/small-crlf.csv"
expect_err "  without --comment, a '#' line among the data is data" 1 \
    "gmm score: $FIX/small-crlf.csv:12: expected 2 fields, found 1"
run fit -k 2 -o "$T/c.gmm" -d '\t' "$FIX/small.tsv"
expect_status "fit tab-separated" 0
run score --summary -d '\t' "$T/c.gmm" "$FIX/small.tsv"
expect_out "tab-separated file reads the same rows" "$plain"
run show "$T/c.gmm"
check "no header: columns are named x1, x2" grep -q "^columns: x1 x2" "$T/out"
run fit -k 2 -o "$T/d.gmm" -d tab "$FIX/small.tsv"
expect_status "-d tab is accepted" 0
run fit -k 2 -o "$T/e.gmm" -d ';;' "$FIX/small.tsv"
expect_err "-d takes one character" 2 "gmm fit: --delimiter takes one character, not \";;\"
usage: gmm fit -k K [--covariance TYPE] [--factors Q] [--max-iter N]
               [--tol T] [--reg-covar R] [--n-init N]
               [--init METHOD|MODEL] [--prior P] [--weights COL]
               [--noise] [--noise-volume V] [--family F] [--df NU]
               [--label-column COL] [--memory SIZE] [--online]
               [--batch N] [--alpha A] [--checkpoint N] [--mpi]
               [-o MODEL] [--json] [options] [FILE ...]"

# stdin: "-" and no FILE
run_in "$FIX/small.csv" fit -k 2 -o "$T/s.gmm" -
expect_status "fit reads stdin as -" 0
check "stdin gives the same model" cmp -s "$T/s.gmm" "$T/a.gmm"
run_in "$FIX/small.csv" fit -k 2 -o "$T/s2.gmm"
check "no FILE reads stdin" cmp -s "$T/s2.gmm" "$T/a.gmm"

# --header / --no-header
printf '1,2\n3,4\n5,7\n6,1\n' >"$T/nohdr.csv"
run fit -k 1 --header -o "$T/h.gmm" "$T/nohdr.csv"
expect_status "--header takes the first record as names" 0
run show "$T/h.gmm"
check "--header: columns named by the first record" grep -q "^columns: 1 2" "$T/out"
check "--header: 3 rows" grep -q "n = 3," "$T/out"
run fit -k 1 --no-header -o "$T/h.gmm" "$FIX/small.csv"
expect_err "--no-header makes a header row data" 1 \
    "gmm fit: $FIX/small.csv:1: column 1: \"x\" is not a number"

# -c by index, range and name
printf 'id,a,b,c\n1,1.0,5,9\n2,2.0,6,9\n3,3.5,8,9\n4,4.0,8,1\n' >"$T/cols.csv"
for spec in 2,4 a,c 2,c; do
	run fit -k 1 -c "$spec" -o "$T/c.gmm" "$T/cols.csv"
	run show "$T/c.gmm"
	check "-c $spec selects a and c" grep -q "^columns: a c" "$T/out"
done
run fit -k 1 -c 2-4 -o "$T/c.gmm" "$T/cols.csv"
run show "$T/c.gmm"
check "-c 2-4 selects a range" grep -q "^columns: a b c" "$T/out"
run fit -k 1 -c nope -o "$T/c.gmm" "$T/cols.csv"
expect_err "unknown column name" 1 "gmm fit: $T/cols.csv: no column named \"nope\" in the header (columns: id, a, b, c)"
run fit -k 1 -c 7 -o "$T/c.gmm" "$T/cols.csv"
expect_err "column index out of range" 1 "gmm fit: $T/cols.csv: column 7 is out of range (the input has 4)"
run fit -k 1 -c b --no-header -o "$T/c.gmm" "$FIX/small.tsv"
expect_err "a name without a header" 1 "gmm fit: $FIX/small.tsv: column \"b\" is named but the input has no header"

# bad data: file, line, column
bad() {	# description, file content, message after "gmm fit: F:"
	printf "$2" >"$T/bad.csv"
	run fit -k 1 $STRICT -o "$T/bad.gmm" "$T/bad.csv"
	expect_err "$1" 1 "gmm fit: $T/bad.csv:$3"
}
# missing values are errors only with --missing error (t1500 has the rest)
STRICT="--missing error"
bad "non-numeric field" 'a,b,x\n1,2,3\n4,5,abc\n' '3: column 3 ("x"): "abc" is not a number'
bad "empty field" 'a,b\n1,2\n3,\n' '3: column 2 ("b"): empty field'
bad "NA" 'a,b\n1,2\nNA,4\n' '3: column 1 ("a"): "NA" is a missing value'
bad "NaN" 'a,b\n1,2\n3,NaN\n' '3: column 2 ("b"): "NaN" is not a finite number'
STRICT=
bad "infinity" 'a,b\n1,2\n3,-inf\n' '3: column 2 ("b"): "-inf" is not a finite number'
bad "overflow" 'a,b\n1,2\n3,1e999\n' '3: column 2 ("b"): "1e999" is out of range'
bad "ragged row" 'a,b\n1,2\n3\n' '3: expected 2 fields, found 1'
bad "line numbers count comments and blanks" '# c\n\na,b\n1,2\n3,x\n' '5: column 2 ("b"): "x" is not a number'
bad "a '#' line after the header is data" 'a,b\n1,2\n#ff0000,2\n' '3: column 1 ("a"): "#ff0000" is not a number'
STRICT="--missing error"
bad "no header, first row bad" '1,2\n3,NA\n' '2: column 2: "NA" is a missing value'
STRICT=
bad "unterminated quote" 'a,b\n1,2\n"3,4\n' '3: unterminated quoted field'
bad "stray quote" 'a,b\n1,2\n3"x,4\n' '3: malformed quoted field'
printf '' >"$T/empty.csv"
run fit -k 1 -o "$T/x.gmm" "$T/empty.csv"
expect_err "empty input" 1 "gmm fit: $T/empty.csv: no data rows"
printf 'a,b\n' >"$T/hdr.csv"
run fit -k 1 -o "$T/x.gmm" "$T/hdr.csv"
expect_err "header only" 1 "gmm fit: $T/hdr.csv: no data rows"
run fit -k 1 -o "$T/x.gmm" "$T/missing.csv"
expect_err "missing file" 1 "gmm fit: $T/missing.csv: No such file or directory"
check "no model written on error" test ! -e "$T/x.gmm"
run fit -k 1 -o "$T/x.gmm" "$T"
expect_err "a directory as FILE" 1 "gmm fit: $T: Is a directory"

# --threads and --seed
run fit -k 3 --threads 1 -o "$T/t1.gmm" "$REF/data/synth_gmm4_d5.csv"
run fit -k 3 --threads 2 -o "$T/t2.gmm" "$REF/data/synth_gmm4_d5.csv"
check "--threads 1 and 2 give byte-identical models" cmp -s "$T/t1.gmm" "$T/t2.gmm"
run fit -k 3 --threads 0 -o "$T/t0.gmm" "$REF/data/synth_gmm4_d5.csv"
expect_status "--threads 0 is a usage error" 2
# the default: OMP_NUM_THREADS when set, else the processors of the
# affinity mask; -v says what a fit runs with (at most one a chunk of rows)
"$GMM" sample -n 9000 --seed 2 "$FIX/three.json" >"$T/9000.csv"
OMP_NUM_THREADS=3 "$GMM" fit -k 2 -v --max-iter 1 -o "$T/x.gmm" "$T/9000.csv" 2>"$T/err"
check "OMP_NUM_THREADS=3 sets the default (9000 rows: 3 chunks)" \
    grep -q "^gmm fit: 9000 rows, 2 columns, 3 threads$" "$T/err"
OMP_NUM_THREADS=3 "$GMM" fit -k 2 -v --threads 2 --max-iter 1 -o "$T/x.gmm" "$T/9000.csv" 2>"$T/err"
check "  --threads wins over it" grep -q "^gmm fit: 9000 rows, 2 columns, 2 threads$" "$T/err"
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	env -u OMP_NUM_THREADS taskset -c 0 "$GMM" fit -k 2 -v --max-iter 1 -o "$T/x.gmm" "$T/9000.csv" 2>"$T/err"
	check "without it, the affinity mask: taskset -c 0 gives 1 thread" \
	    grep -q "^gmm fit: 9000 rows, 2 columns, 1 thread$" "$T/err"
fi
run fit -k 3 --seed 7 -o "$T/s7.gmm" "$REF/data/synth_gmm4_d5.csv"
run fit -k 3 --seed 7 -o "$T/s7b.gmm" "$REF/data/synth_gmm4_d5.csv"
check "same --seed, same model" cmp -s "$T/s7.gmm" "$T/s7b.gmm"
run fit -k 3 --seed x -o "$T/s7.gmm" "$REF/data/synth_gmm4_d5.csv"
expect_status "--seed x is a usage error" 2
for cmd in "fit -k 2" "select-k -k 2" "sample -n 1"; do
	in=$REF/data/synth_gmm4_d5.csv
	[ "$cmd" = "sample -n 1" ] && in=$FIX/three.json
	run $cmd --seed 4294967295 "$in"
	expect_status "$cmd: --seed 4294967295, the largest, is taken" 0
	run $cmd --seed 4294967296 "$in"
	expect_status "$cmd: --seed 4294967296 is out of range" 2
	check "$cmd: the message gives the range" grep -q \
	    "^gmm ${cmd%% *}: --seed takes a whole number from 0 to 4294967295, not \"4294967296\"$" "$T/err"
done
done_testing
