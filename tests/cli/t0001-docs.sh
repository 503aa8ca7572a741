#!/bin/sh
# Help and man pages agree: the usage each subcommand prints is its man
# page's SYNOPSIS word for word, and every option --help names is in the
# page.
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

for cmd in fit score sample select-k show; do
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
done
for page in "$TOP"/man/*.1 "$TOP"/man/*.5; do
	check "$(basename "$page") has NAME, SYNOPSIS or DESCRIPTION, EXIT STATUS or SEE ALSO" \
	    sh -c "grep -q '^.Sh NAME' '$page' && grep -q '^.Sh DESCRIPTION' '$page' && grep -q '^.Sh SEE ALSO' '$page'"
done
done_testing
