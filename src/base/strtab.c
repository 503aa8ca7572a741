#include "base/strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
gmm_strtab_init(struct gmm_strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void
gmm_strtab_release(struct gmm_strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slot);
	gmm_strtab_init(t);
}

/* FNV-1a */
static size_t
hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return (size_t)h;
}

/* The slot of s: its own, or the empty one where it goes. */
static size_t
find(const struct gmm_strtab *t, const char *s, size_t len)
{
	size_t i = hash(s, len) & (t->cap - 1);

	for (;;) {
		size_t id = t->slot[i];

		if (id == 0 || (strncmp(t->s[id - 1], s, len) == 0 &&
		    t->s[id - 1][len] == '\0'))
			return i;
		i = (i + 1) & (t->cap - 1);
	}
}

/* Twice the slots (kept under half full). */
static int
grow(struct gmm_strtab *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64, old = t->cap;
	size_t *slot = calloc(cap, sizeof(*slot)), *prev = t->slot;
	char **s = realloc(t->s, cap / 2 * sizeof(*s));

	if (slot == NULL || s == NULL) {
		free(slot);
		if (s != NULL)
			t->s = s;
		return -1;
	}
	t->s = s;
	t->slot = slot;
	t->cap = cap;
	for (size_t i = 0; i < old; i++)
		if (prev[i] != 0) {
			const char *x = t->s[prev[i] - 1];

			t->slot[find(t, x, strlen(x))] = prev[i];
		}
	free(prev);
	return 0;
}

int
gmm_strtab_id(struct gmm_strtab *t, const char *s, size_t len, size_t *id)
{
	size_t i;
	char *c;

	if ((t->n + 1) * 2 > t->cap && grow(t) < 0)
		return -1;
	i = find(t, s, len);
	if (t->slot[i] != 0) {
		*id = t->slot[i] - 1;
		return 0;
	}
	if ((c = malloc(len + 1)) == NULL)
		return -1;
	memcpy(c, s, len);
	c[len] = '\0';
	t->s[t->n] = c;
	t->slot[i] = ++t->n;
	*id = t->n - 1;
	return 0;
}

static const struct gmm_strtab *sort_tab;

static int
by_string(const void *a, const void *b)
{
	return strcmp(sort_tab->s[*(const size_t *)a],
	    sort_tab->s[*(const size_t *)b]);
}

int
gmm_strtab_ranks(const struct gmm_strtab *t, size_t *rank)
{
	size_t *order = malloc((t->n ? t->n : 1) * sizeof(*order));

	if (order == NULL)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		order[i] = i;
	sort_tab = t;	/* qsort has no context argument in C11 */
	qsort(order, t->n, sizeof(*order), by_string);
	for (size_t i = 0; i < t->n; i++)
		rank[order[i]] = i;
	free(order);
	return 0;
}
