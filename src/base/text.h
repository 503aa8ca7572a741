/*
 * text: untrusted text (header names, fields, file names) made safe to
 * show.
 *
 * Anything read from a file may hold control characters that a terminal
 * obeys (ESC ] 0 ; ... BEL sets its title) or bytes that are not UTF-8.
 * Every diagnostic (error.c) and every name `gmm show` prints goes through
 * gmm_text_put(), which writes printable text as it is and escapes the
 * rest C-style: \n \r \t as such, other control bytes (C0, DEL, C1) and
 * bytes that are not part of valid UTF-8 as \xHH.  (A backslash stays as
 * it is: the aim is a terminal that obeys nothing, not a reversible form.)  Column names must be valid UTF-8
 * (gmm_text_utf8()) to enter a model, so that its JSON is valid JSON.
 */
#ifndef GMM_TEXT_H
#define GMM_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Length of the valid UTF-8 sequence at s[0..len) (len > 0), or 0 when the
 * bytes there are not one.
 */
size_t gmm_text_utf8_seq(const unsigned char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8 (no overlong form, no surrogate). */
int gmm_text_utf8(const char *s, size_t len);

/* Write s to f, escaped as above. */
void gmm_text_put(FILE *f, const char *s);

/*
 * Of the n candidates, the one closest to word by edit distance (optimal
 * string alignment: insertions, deletions, substitutions, transpositions),
 * when it is close enough to be what was meant (at most 1 edit for a word
 * of up to 4 bytes, 2 up to 8, 3 beyond), or the one candidate that word
 * is a prefix of; NULL otherwise.  For "did you mean" hints.
 */
const char *gmm_text_closest(const char *word, const char *const *cand,
    size_t n);

#endif
