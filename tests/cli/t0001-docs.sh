#!/bin/sh
# Help and man pages agree: the usage each subcommand prints is its man
# page's SYNOPSIS word for word, every option --help names (long and
# short) is in the page, and every page has the sections of its kind, a
# command's EXIT STATUS with the codes 0, 1 and 2.
. "$(dirname "$0")/lib.sh"

synopsis() {	# mdoc SYNOPSIS as plain words
	awk '/^\.Sh SYNOPSIS/ { on = 1; next } /^\.Sh/ { on = 0 } on {
		op = $1 == ".Op"; s = ""; fl = 0
		for (i = op ? 2 : 1; i <= NF; i++) {
			if ($i == ".Nm" || $i == "Ar" || $i == ".Ar") continue
			if ($i == "Fl" || $i == ".Fl") { fl = 1; continue }
			s = s (s == "" ? "" : " ") (fl ? "-" : "") $i; fl = 0
		}
		printf "%s ", op ? "[" s "]" : s }' "$1" | sed 's/ *$//'
}

for cmd in completion fit impute plot score sample select-k show threshold; do
	page=$TOP/man/gmm-$cmd.1
	check "man page gmm-$cmd.1 exists" test -f "$page"
	"$GMM" "$cmd" --help >"$T/help"
	usage=$(awk 'NF == 0 { exit } { print }' "$T/help" | sed 's/^usage: //' | tr -s ' \n' '  ' | sed 's/ *$//')
	syn=$(synopsis "$page")
	if [ "$usage" = "$syn" ]; then
		ok "gmm $cmd --help usage is the SYNOPSIS of gmm-$cmd.1"
	else
		not_ok "gmm $cmd --help usage is the SYNOPSIS of gmm-$cmd.1" \
		    "usage:    $usage" "synopsis: $syn"
	fi
	for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' "$T/help" | sort -u); do
		check "gmm-$cmd.1 documents $opt" grep -q -- "Fl -${opt#--}" "$page"
	done
	# the short options of the help's option list ("  -k K", "  -o, ...")
	for opt in $(sed -n 's/^  \(-[a-zA-Z]\)[ ,].*/\1/p' "$T/help" | sort -u); do
		check "gmm-$cmd.1 documents $opt" grep -qE -- "Fl ${opt#-}( |$)" "$page"
	done
done
# every page has the sections of its kind; a command's EXIT STATUS gives
# the codes of gmm(1): 0 success, 1 data, model or I/O, 2 usage
has_sections() {	# PAGE SECTION...: each ".Sh SECTION" is in PAGE
	p=$1
	shift
	for sec in "$@"; do
		grep -qx ".Sh $sec" "$p" || return 1
	done
}
exit_codes() {	# PAGE: the EXIT STATUS section names 0, 1 and 2
	awk '/^\.Sh EXIT STATUS/ { on = 1; next } /^\.Sh/ { on = 0 } on' "$1" \
	    >"$T/exit"
	grep -q "^0 on success" "$T/exit" && grep -q "1 for" "$T/exit" &&
	    grep -q "2 for a usage" "$T/exit"
}
for page in "$TOP"/man/*.1; do
	name=$(basename "$page")
	check "$name has NAME, SYNOPSIS, DESCRIPTION, EXIT STATUS and SEE ALSO" \
	    has_sections "$page" NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"
	check "$name: EXIT STATUS gives 0, 1 and 2" exit_codes "$page"
done
for page in "$TOP"/man/*.5; do
	check "$(basename "$page") has NAME, DESCRIPTION and SEE ALSO" \
	    has_sections "$page" NAME DESCRIPTION "SEE ALSO"
done
done_testing
