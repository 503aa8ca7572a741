/*
 * csvout: the one way gmm prints numbers, CSV fields and JSON values.
 *
 * Numbers are printed in the fewest significant digits that read back as
 * the same double (the nearest such decimal; Ryu, csvout.c), as %.{p}g
 * would print them with p = max(15, digits): every number gmm prints
 * round-trips, and one of at most 15 digits looks as %.15g prints it.
 * Nothing here allocates; write errors are left in the FILE, which main()
 * checks when it closes stdout.
 */
#ifndef GMM_CSVOUT_H
#define GMM_CSVOUT_H

#include <stdio.h>

/* Room for any number gmm_csvout_format() writes. */
#define GMM_NUMBER_MAX 32

/* Format v into buf (GMM_NUMBER_MAX bytes); returns the length. */
int gmm_csvout_format(char *buf, double v);
/* The same through the C library alone (printf, strtod): the reference
 * Ryu is tested against. */
int gmm_csvout_format_exact(char *buf, double v);

/* v into f, formatted as above; f must not be written by another thread
 * meanwhile (unlocked stdio: the lock was most of a number's cost). */
void gmm_csvout_number(FILE *f, double v);

/* Whether long double carries 64 significant bits (x86), which the fast
 * paths of the printer and of the parser (csvin.c) rely on; not so under
 * valgrind, which computes it at 53. */
int gmm_long_double_is_wide(void);

/* A field, quoted (with doubled quotes) when it holds delim, '"' or EOL. */
void gmm_csvout_field(FILE *f, const char *s, char delim);

/*
 * A JSON number: the round-tripping form above; infinities and NaN, which
 * JSON lacks, as null; negative zero as -0.0 ("-0" reads back as 0).
 */
void gmm_json_number(FILE *f, double v);

/* sep, then "key": v (a JSON number): one member of an object. */
void gmm_json_member(FILE *f, const char *sep, const char *key, double v);

/*
 * A JSON string.  Text that is not UTF-8 (a field of a Latin-1 file) has
 * each bad byte written as \u00XX, its Latin-1 reading, so the output is
 * always valid JSON.
 */
void gmm_json_string(FILE *f, const char *s);

#endif
