#!/bin/sh
# -o never destroys what it points at (issue 11, part 1): a device or FIFO
# is written in place, a link is followed and its target replaced, a
# descriptor (/dev/fd/N, /dev/stdout, a process substitution) is written
# to, a replaced model keeps its mode and owner, `-o -` is standard output;
# the input file, a missing or read-only directory, a directory and a
# socket are refused before any fit.
. "$(dirname "$0")/lib.sh"
F=$REF/data/faithful.csv
cd "$T" || exit 1
"$GMM" fit -q -k 2 "$F" -o direct.gmm

fit_to() {	# fit_to TARGET: the same fit, its model to TARGET
	"$GMM" fit -q -k 2 "$F" -o "$1" >"$T/out" 2>"$T/err" </dev/null
	st=$?
}

# a device: a node made here (the kernel's null device), never a real one
if mknod nul c 1 3 2>/dev/null; then
	fit_to nul
	check "a character device: written in place (status $st)" test "$st" -eq 0
	check "  and still a device" test "$(stat -c %F nul)" = "character special file"
else
	ok "# skip the device case: mknod needs root"
fi
fit_to /dev/null
check "-o /dev/null: status 0" test "$st" -eq 0
check "  /dev/null is still a device" test -c /dev/null

ln -s t.gmm l.gmm
fit_to l.gmm
check "a link: still a link" test -L l.gmm
check "  its target holds the model" cmp -s t.gmm direct.gmm
mkdir sub
ln -s ../rel.gmm sub/rel.gmm
fit_to sub/rel.gmm
check "a relative link is read from its own directory" cmp -s rel.gmm direct.gmm

mkfifo fifo
cat fifo >from-fifo &
reader=$!
fit_to fifo
wait "$reader"
check "a FIFO: its reader gets the model" cmp -s from-fifo direct.gmm
check "  and it is still a FIFO" test -p fifo

"$GMM" fit -q -k 2 "$F" -o /dev/fd/3 3>fd3.gmm
check "-o /dev/fd/3 (a file): the model" cmp -s fd3.gmm direct.gmm
{ "$GMM" fit -q -k 2 "$F" -o /dev/fd/3 3>&1 >/dev/null; } | cat >fd3-pipe.gmm
check "-o /dev/fd/3 (a pipe): the model" cmp -s fd3-pipe.gmm direct.gmm
"$GMM" fit -q -k 2 "$F" -o - | cat >dash.gmm
check "-o - writes to standard output" cmp -s dash.gmm direct.gmm
"$GMM" fit -q -k 2 "$F" -o /dev/stdout >stdout.gmm
check "-o /dev/stdout writes to standard output" cmp -s stdout.gmm direct.gmm
if command -v bash >/dev/null 2>&1; then
	GMM=$GMM F=$F bash -c '"$GMM" fit -q -k 2 "$F" -o >(cat >ps.gmm); wait $!'
	check "-o >(cat > FILE), bash's process substitution" cmp -s ps.gmm direct.gmm
fi
fit_to /dev/fd/57
expect_err "a descriptor that is not open: refused" 1 \
    "gmm fit: /dev/fd/57: descriptor 57 is not open"

cp direct.gmm keep.gmm
chmod 600 keep.gmm
if [ "$(id -u)" -eq 0 ]; then
	chown 1234:2345 keep.gmm
	owner=1234:2345
else
	owner=$(stat -c %u:%g keep.gmm)
fi
"$GMM" fit -q -k 3 "$F" -o keep.gmm
check "a replaced model keeps its mode (600)" test "$(stat -c %a keep.gmm)" = 600
check "  and its owner and group ($owner)" test "$(stat -c %u:%g keep.gmm)" = "$owner"
check "  and holds the new model" test "$(cmp keep.gmm direct.gmm >/dev/null 2>&1; echo $?)" = 1

cp "$F" in.csv
"$GMM" fit -q -k 2 in.csv -o in.csv 2>"$T/err"
st=$?
expect_err "-o the input file: refused" 1 \
    "gmm fit: in.csv: is the input file in.csv; refusing to write over the data"
check "  the data are intact" cmp -s in.csv "$F"
ln -s in.csv in-link.csv
"$GMM" fit -q -k 2 -o in-link.csv <in.csv 2>"$T/err"
st=$?
expect_err "-o a link to the input on stdin: refused" 1 \
    "gmm fit: in-link.csv: is the input file (standard input); refusing to write over the data"
check "  the data are intact" cmp -s in.csv "$F"

printf 'x,y\n1,abc\n' >bad.csv
"$GMM" fit -q -k 2 bad.csv -o nodir/m.gmm 2>"$T/err"
st=$?
expect_err "a missing directory is refused before the data are read" 1 \
    "gmm fit: nodir/m.gmm: directory nodir does not exist"
"$GMM" select-k -q -k 1..2 bad.csv -o nodir/m.gmm >/dev/null 2>"$T/err"
st=$?
expect_err "select-k: the same, before any fit" 1 \
    "gmm select-k: nodir/m.gmm: directory nodir does not exist"
fit_to .
expect_err "a directory: refused" 1 "gmm fit: .: is a directory"
# as nobody (root may write anywhere): where nobody cannot reach gmm (a
# clone under a private home), say so rather than fail on the exec
as_nobody() {
	# (under valgrind, nobody may not append to its log: none then)
	GMM_VALGRIND_LOG=/dev/null setpriv --reuid=65534 --regid=65534 \
	    --clear-groups "$@"
}
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	mkdir ro
	chmod 555 ro
	chmod 755 "$T"
	cp "$F" "$T/f.csv"
	chmod 644 "$T/f.csv"
	if as_nobody "$GMM" fit -q -k 2 "$T/f.csv" -o /dev/null 2>/dev/null; then
		as_nobody "$GMM" fit -q -k 2 "$T/f.csv" -o ro/m.gmm 2>"$T/err"
		st=$?
		expect_err "a directory that cannot be written: refused" 1 \
		    "gmm fit: ro/m.gmm: cannot write in directory ro: Permission denied"
	else
		ok "# skip the read-only directory as nobody: nobody cannot run $GMM here"
	fi
elif [ "$(id -u)" -ne 0 ]; then
	mkdir ro
	chmod 555 ro
	fit_to ro/m.gmm
	expect_err "a directory that cannot be written: refused" 1 \
	    "gmm fit: ro/m.gmm: cannot write in directory ro: Permission denied"
fi
if command -v python3 >/dev/null 2>&1 &&
    python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('sock')"; then
	fit_to sock
	expect_err "a socket: refused" 1 \
	    "gmm fit: sock: is a socket; a model cannot be written to it"
else
	ok "# skip the socket case: no python3 to make one"
fi
ln -s loop.b loop.a
ln -s loop.a loop.b
fit_to loop.a
expect_err "a loop of links: refused" 1 \
    "gmm fit: loop.a: Too many levels of symbolic links"

"$GMM" select-k -q -k 1..2 --covariance sklearn "$F" -o - >"$T/out" 2>"$T/err"
st=$?
expect_status "select-k -o -: a usage error (the table is on stdout)" 2
grep -q "the table goes to standard output" "$T/err"
check "  saying why" test $? -eq 0
"$GMM" select-k -q -k 1..2 --covariance sklearn "$F" -o /dev/stdout >"$T/out" 2>"$T/err"
st=$?
expect_status "select-k -o /dev/stdout: the same" 2
ln -s t2.gmm best-link.gmm
"$GMM" select-k -q -k 1..2 --covariance sklearn "$F" -o best-link.gmm >/dev/null
check "select-k -o a link: the link stays, its target gets the model" \
    sh -c 'test -L best-link.gmm && test -s t2.gmm'
done_testing
