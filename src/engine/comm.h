/*
 * comm: how the engine adds up what several processes hold (issue 17
 * section 3, `fit --mpi`).
 *
 * A distributed fit runs one process per rank, each with its share of
 * the rows (data.h: gmm_data_share()).  Everything the engine reduces
 * over rows -- the E-step's sufficient statistics and log-likelihood,
 * the column means, spans and variances, the outlier levels' histograms,
 * the rows counted -- is reduced on each rank over its own rows as
 * before, then across the ranks through a struct gmm_comm, so that every
 * rank holds the same totals and takes the same M-step: the ranks never
 * disagree about the model, and rank 0 writes it.
 *
 * The engine only calls the operations below; io/mpi.c implements them
 * over MPI (a struct gmm_comm of one rank, or NULL, is the serial fit:
 * every operation a no-op).  The sum is taken in rank order (gathered to
 * rank 0, added rank 0 first, sent back), so a fit is bitwise the same
 * run after run on the same number of ranks; across numbers of ranks the
 * partial sums differ in rounding only (documented as 1e-12 relative per
 * iteration in gmm-fit(1)).
 *
 * A transport failure is not an error the engine can handle: the
 * implementation ends every rank (MPI's default error handler).  Memory
 * that only some ranks fail to get is agreed on with gmm_comm_any(), so
 * that no rank waits in a collective that another has left.
 */
#ifndef GMM_COMM_H
#define GMM_COMM_H

#include <stddef.h>

struct gmm_comm {
	int rank, size;
	/* v[0 .. n) on every rank: the sum over the ranks, in rank order */
	void (*sum)(const struct gmm_comm *c, double *v, size_t n);
	/* v[0 .. n) on every rank: the least over the ranks */
	void (*min)(const struct gmm_comm *c, double *v, size_t n);
	/* buf on every rank: root's */
	void (*bcast)(const struct gmm_comm *c, void *buf, size_t bytes,
	    int root);
	/* every rank's n doubles (n may differ), concatenated in rank order
	 * into a new array (*all, *total doubles; the caller frees it);
	 * 0, or -1 on every rank when any is out of memory */
	int (*gather)(const struct gmm_comm *c, const double *mine, size_t n,
	    double **all, size_t *total);
	void *impl;
};

/* 1 when c spans more than one process. */
int gmm_comm_active(const struct gmm_comm *c);
/* The operations above, no-ops (gather: a copy) for NULL or one rank. */
void gmm_comm_sum(const struct gmm_comm *c, double *v, size_t n);
void gmm_comm_min(const struct gmm_comm *c, double *v, size_t n);
void gmm_comm_max(const struct gmm_comm *c, double *v, size_t n);
void gmm_comm_bcast(const struct gmm_comm *c, void *buf, size_t bytes,
    int root);
int gmm_comm_gather(const struct gmm_comm *c, const double *mine, size_t n,
    double **all, size_t *total);
/* 1 on every rank when `failed` is non-zero on any rank. */
int gmm_comm_any(const struct gmm_comm *c, int failed);
/* The lowest rank whose `mine` is non-zero, or -1 when none. */
int gmm_comm_first(const struct gmm_comm *c, int mine);

#endif
