#include "engine/comm.h"

#include <stdlib.h>
#include <string.h>

int
gmm_comm_active(const struct gmm_comm *c)
{
	return c != NULL && c->size > 1;
}

void
gmm_comm_sum(const struct gmm_comm *c, double *v, size_t n)
{
	if (gmm_comm_active(c) && n > 0)
		c->sum(c, v, n);
}

void
gmm_comm_min(const struct gmm_comm *c, double *v, size_t n)
{
	if (gmm_comm_active(c) && n > 0)
		c->min(c, v, n);
}

void
gmm_comm_max(const struct gmm_comm *c, double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = -v[i];
	gmm_comm_min(c, v, n);
	for (size_t i = 0; i < n; i++)
		v[i] = -v[i];
}

void
gmm_comm_bcast(const struct gmm_comm *c, void *buf, size_t bytes, int root)
{
	if (gmm_comm_active(c) && bytes > 0)
		c->bcast(c, buf, bytes, root);
}

int
gmm_comm_gather(const struct gmm_comm *c, const double *mine, size_t n,
    double **all, size_t *total)
{
	if (gmm_comm_active(c))
		return c->gather(c, mine, n, all, total);
	*all = malloc((n > 0 ? n : 1) * sizeof(double));
	if (*all == NULL)
		return -1;
	if (n > 0)
		memcpy(*all, mine, n * sizeof(double));
	*total = n;
	return 0;
}

int
gmm_comm_any(const struct gmm_comm *c, int failed)
{
	double v = failed != 0;

	gmm_comm_sum(c, &v, 1);
	return v > 0;
}

int
gmm_comm_first(const struct gmm_comm *c, int mine)
{
	double v = mine ? (c != NULL ? c->rank : 0) : 1e9;

	gmm_comm_min(c, &v, 1);
	return v < 1e9 ? (int)v : -1;
}
