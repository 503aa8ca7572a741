#!/bin/sh
# fit and select-k --accelerate (SQUAREM, engine/accel.h): on faithful,
# full, k = 4 (222 plain EM iterations to tol 1e-6) fewer than half the
# iterations and a log-likelihood no lower than plain EM's from the same
# start (less 1e-9 a row); with weights, missing values, the t family, a
# noise component and a factor model the same bound; select-k chooses
# what it chooses without; --prior and --online are usage errors.
. "$(dirname "$0")/lib.sh"

F=$REF/data/faithful.csv
# fit_ll ARGS...: gmm fit ARGS; $ll and $its its log-likelihood and
# iterations (empty when it failed)
fit_ll() {
	run fit "$@" -o /dev/null
	ll=$(sed -n 's/.* log_likelihood=\([^ ]*\) .*/\1/p' "$T/err")
	its=$(sed -n 's/.* iterations=\([0-9]*\) .*/\1/p' "$T/err")
}
# not_lower PLAIN ACCEL ROWS: ACCEL's log-likelihood >= PLAIN's - 1e-9 a row
not_lower() {
	awk -v p="$1" -v a="$2" -v n="$3" 'BEGIN { exit !(p != "" && a != "" && a >= p - 1e-9 * n) }'
}

fit_ll -k 4 "$F"
pl=$ll pit=$its
fit_ll -k 4 --accelerate "$F"
al=$ll ait=$its
expect_status "fit --accelerate, faithful, full, k = 4" 0
check "  log-likelihood $al, plain EM's $pl: not lower" not_lower "$pl" "$al" 272
check "  $ait iterations, plain EM's $pit: fewer than half" [ "$((ait * 2))" -lt "$pit" ]

awk -F, 'NR == 1 { print $0 ",w"; next } { print $0 "," (NR % 4) }' "$F" >"$T/w.csv"
awk -F, 'NR > 1 && NR % 9 == 0 { print "," $2; next } { print }' "$F" >"$T/na.csv"
for case in "w.csv --weights w -k 3" "na.csv -k 3" "faithful.csv --family t -k 3" \
    "faithful.csv --noise -k 3" "faithful.csv --covariance VEV -k 4"; do
	set -- $case
	file=$1
	shift
	[ "$file" = faithful.csv ] && file=$F || file=$T/$file
	fit_ll "$@" "$file"
	pl=$ll pit=$its
	fit_ll "$@" --accelerate "$file"
	check "--accelerate ${case#* }: $ll ($its iterations), plain $pl ($pit)" not_lower "$pl" "$ll" 272
done
run fit --accelerate -k 3 --covariance mfa --factors 2 -o /dev/null "$REF/data/iris.csv"
expect_status "--accelerate with a factor model" 0

run select-k -k 1-5 --covariance full,diag,VEV "$F"
expect_status "select-k" 0
cut -d, -f1,2,11 "$T/out" | grep ',1$' >"$T/plain.best"
run select-k --accelerate -k 1-5 --covariance full,diag,VEV "$F"
expect_status "select-k --accelerate" 0
check "  chooses what select-k chooses without it ($(cat "$T/plain.best"))" \
    sh -c '[ -s "$1" ] && [ "$(cut -d, -f1,2,11 "$2" | grep ",1$")" = "$(cat "$1")" ]' - "$T/plain.best" "$T/out"

run fit --accelerate --prior conjugate -k 2 -o /dev/null "$F"
expect_status "--accelerate --prior: a usage error" 2
check "  saying why" grep -q "does not take --prior yet" "$T/err"
run_in "$F" fit --accelerate --online -k 2 -o /dev/null -
expect_status "--accelerate --online: a usage error" 2
check "  saying why" grep -q "does not take --accelerate" "$T/err"
done_testing
