/*
 * strtab: a table of distinct strings, each with a dense id in order of
 * first appearance (a hash table, so n lookups cost O(n) whatever the
 * number of strings), and their byte-order rank once the table is
 * complete.  For class labels read from a column (io/csvin.h:
 * --label-column): ids as rows arrive, sorted names at the end.
 *
 * Functions that allocate return -1 when out of memory (the table is
 * left as it was); nothing prints.
 */
#ifndef GMM_STRTAB_H
#define GMM_STRTAB_H

#include <stddef.h>

struct gmm_strtab {
	size_t n, cap;		/* strings, slots (a power of 2) */
	char **s;		/* n strings, by id */
	size_t *slot;		/* cap: id + 1, 0 empty */
};

void gmm_strtab_init(struct gmm_strtab *t);
void gmm_strtab_release(struct gmm_strtab *t);
/* The id of s (len bytes, no NUL needed), added when new: 0 and *id
 * set, or -1 when out of memory. */
int gmm_strtab_id(struct gmm_strtab *t, const char *s, size_t len,
    size_t *id);
/* rank[id] = the string's place in byte order (strcmp), for every id;
 * rank holds n entries.  -1 when out of memory. */
int gmm_strtab_ranks(const struct gmm_strtab *t, size_t *rank);

#endif
