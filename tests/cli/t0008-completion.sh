#!/bin/sh
# Shell completion (gmm completion bash|zsh|fish): written from the
# command and option tables, so every command and every option of every
# --help completes; bash's is driven here as bash drives it (COMP_WORDS,
# then _gmm) for subcommands, options, option values and files; zsh's and
# fish's are parsed by their shells.
. "$(dirname "$0")/lib.sh"

run completion bash
expect_status "completion bash" 0
cp "$T/out" "$T/gmm.bash"
mkdir "$T/d" "$T/d/sub"
: >"$T/d/a.gmm"
: >"$T/d/b.json"
: >"$T/d/c.csv"
: >"$T/d/e.dat"
# comp WORDS...: what bash would offer for the last word
comp() {
	(cd "$T/d" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _gmm; [ ${#COMPREPLY[@]} -eq 0 ] ||
	    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    "$T/gmm.bash" "$@")
}
is() {	# DESC WANT WORDS...
	d=$1
	w=$2
	shift 2
	g=$(comp "$@")
	if [ "$g" = "$w" ]; then ok "$d"; else not_ok "$d" "got:  $g" "want: $w"; fi
}
is "subcommands" "fit " gmm f
is "all subcommands" "--help --version completion fit impute plot sample score select-k show threshold " gmm ""
is "an option" "--covariance " gmm fit --cov
is "covariance names" "VEE VEI VEV VII VVE VVI VVV " gmm fit --covariance V
is "select-k's covariance lists" "sklearn spherical " gmm select-k --covariance s
is "criteria" "aic bic icl " gmm select-k --criterion ""
is "families" "gaussian t " gmm fit --family ""
is "--init: methods and model files" \
    "a.gmm b.json hc kmeans kmeans++ labels: random resp: smallem sub " gmm fit --init ""
is "--missing" "allow error " gmm score --missing ""
is "a number completes to nothing" "" gmm fit -k ""
is "fit's FILE: CSV files and directories" "c.csv sub " gmm fit -k 3 ""
is "score's MODEL: model files" "a.gmm b.json sub " gmm score ""
is "score's FILE after MODEL" "c.csv sub " gmm score --labels a.gmm ""
is "no third operand" "" gmm score a.gmm c.csv ""
is "an option's value is not an operand" "c.csv sub " gmm impute --draws 3 a.gmm ""
is "-o: any file" "a.gmm b.json c.csv e.dat sub " gmm fit -o ""
is "completion's shells" "bash fish zsh " gmm completion ""
is "plot's kinds" "bic clusters density " gmm plot ""
is "plot's table after the kind" "c.csv sub " gmm plot bic ""

# every option that a command's --help names completes
for cmd in completion fit impute plot sample score select-k show threshold; do
	"$GMM" "$cmd" --help >"$T/help"
	want=$(grep -oE -- '--[a-z][a-z0-9-]+' "$T/help" | sort -u | tr '\n' ' ')
	got=$(comp gmm "$cmd" --)
	missing=
	for o in $want; do
		case " $got " in *" $o "*) ;; *) missing="$missing $o" ;; esac
	done
	check "every option of gmm $cmd --help completes${missing:+ (missing:$missing)}" \
	    test -z "$missing"
done

run completion tcsh
expect_err "an unknown shell" 2 "gmm completion: no completion for \"tcsh\": bash, zsh or fish
usage: gmm completion bash|zsh|fish"
for sh in zsh fish; do
	run completion "$sh"
	expect_status "completion $sh" 0
	if command -v "$sh" >/dev/null 2>&1; then
		check "$sh parses it" "$sh" -n "$T/out"
	else
		ok "# SKIP $sh is not installed"
	fi
done
done_testing
