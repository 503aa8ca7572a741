/*
 * stats: the sufficient statistics of a set of rows for a mixture's
 * M-step, as a public type.
 *
 * Per component c, about a shift s_c (the mean the E-step ran with, which
 * keeps the scatter well conditioned): the weight sum nk_c = sum_i r_ic,
 * the first moments sx_c = sum_i r_ic (x_i - s_c) and the scatter, either
 * a lower-triangular d x d matrix per covariance (matrix forms of
 * covmodel.h; one when shared) or the d column sums of squares of each
 * component (diagonal and scalar forms).  Also the log-likelihood sum,
 * the sum of log max_c r_ic (ICL's classification term; the E-step fills
 * it only in a pass without statistics, the last of a fit), the sum of a
 * noise component's responsibilities (its weight's statistic) and the
 * worst-explained row (lowest log p(x_i), the first of equals).
 *
 * A thread's statistics also hold lane partial sums (`partials`): the
 * kernels add a block of rows into them lane by lane
 * (gmm_stats_add_block(), engine/kernels.h), and
 * gmm_stats_fold() adds the lanes into the sums in lane order.  The
 * layout of those partial sums, the contract with the kernels: vsx and
 * vsxx hold k*d*VLEN doubles, lane l of column j of component c at
 * (c*d + j)*VLEN + l; vtile holds, per scatter, the 4 x 4 tiles (j0, l0)
 * with l0 <= j0 in order, GMM_STATS_TILE_SUMS doubles each.
 *
 * Contract: merging chunk statistics in a fixed order (chunk order, then
 * later rank order) gives the same bits for any number of threads;
 * gmm_stats_pack() and gmm_stats_unpack() carry them through a flat array
 * of doubles (for MPI later) without changing a bit.  Only
 * gmm_stats_alloc() allocates; nothing prints.
 */
#ifndef GMM_STATS_H
#define GMM_STATS_H

#include <stddef.h>

#include "base/consts.h"
#include "engine/covmodel.h"
#include "engine/vec.h"

/* The scatter's tiles: 4 x 4 entries, VLEN lane sums each. */
#define GMM_STATS_TILE 4
#define GMM_STATS_TILE_SUMS (GMM_STATS_TILE * GMM_STATS_TILE * VLEN)

struct gmm_stats {
	size_t k, d;
	enum gmm_cov_type type;
	size_t nsxx;		/* doubles in sxx */
	double loglik;		/* sum of log p(x_i) */
	double logmax;		/* sum of log max_c r_ic (over the
				 * noise column too) */
	double noise;		/* sum of the noise responsibilities
				 * (noise.h; 0 without) */
	double *nk;		/* k */
	double *fam;		/* 2k: a scaled family's sums (family.h),
				 * n_c = sum_i r_ic, then s_c = sum_i r_ic
				 * (log u_ic - u_ic); nk and the moments
				 * then weigh rows by r_ic u_ic (em.c) */
	double *sx;		/* k*d */
	double *sxx;		/* matrix forms: count * d*d (lower
				 * triangles); else k*d */
	double worst;		/* lowest log p(x_i) seen, +inf for none */
	size_t worst_row;
	/* lane partial sums, with `partials` only (else NULL, 0) */
	double *vsx;		/* k*d*VLEN */
	double *vsxx;		/* diagonal and scalar forms: k*d*VLEN */
	double *vtile;		/* matrix forms: count * tiles(d) *
				 * GMM_STATS_TILE_SUMS */
	size_t nv, ntile;	/* doubles in vsx (and vsxx), in vtile */
};

/* Doubles of the scatter sums of model t. */
size_t gmm_stats_sxx_size(enum gmm_cov_type t, size_t k, size_t d);
/* Tiles of a d x d lower triangle. */
size_t gmm_stats_tiles(size_t d);
/* Bytes gmm_stats_alloc() takes. */
size_t gmm_stats_bytes(enum gmm_cov_type t, size_t k, size_t d,
    int partials);

/* 0, or -1 when out of memory (gmm_stats_release() frees what was). */
int gmm_stats_alloc(struct gmm_stats *st, enum gmm_cov_type t, size_t k,
    size_t d, int partials);
void gmm_stats_release(struct gmm_stats *st);
/* Every sum 0, worst +inf at row 0. */
void gmm_stats_zero(struct gmm_stats *st);
/*
 * A block of rows held by columns (xt, `rows` rows; engine/kernels.h)
 * with responsibilities resp (k x GMM_BLOCK_ROWS by components, zero on
 * the rows that pad it to a multiple of VLEN), about the shifts (k x d),
 * into the lane partial sums: per component c, nk_c += sum r_c, the lanes
 * of sx_c += sum r_c (x - shift_c) and of the scatter of x - shift_c (its
 * lower triangle, into the tiles; diagonal and scalar forms: its
 * diagonal).  gmm_stats_fold() adds the lanes into the sums.  The block
 * comes by columns so that every loop runs along the rows, vectorised: at
 * d = 16 this beats OpenBLAS's dsyrk on the same blocks (0.146 against
 * 0.170 s per iteration, 200k x 16, k = 16, one thread).  work holds
 * GMM_STATS_WORK(d) doubles from gmm_doubles_new().  Needs `partials`.
 */
#define GMM_STATS_WORK(d) ((size_t)GMM_BLOCK_ROWS * ((d) + 2))
void gmm_stats_add_block(struct gmm_stats *st, const double *shift,
    const double *xt, size_t rows, const double *resp, double *work);
/* The lane partial sums into the sums, lanes in order (no-op without). */
void gmm_stats_fold(struct gmm_stats *st);
/* The lane partial sums of scatter s (component s, or 0 when shared). */
double *gmm_stats_tile_sums(const struct gmm_stats *st, size_t s);
/* a = b, the sums only (not the partials). */
void gmm_stats_copy(struct gmm_stats *a, const struct gmm_stats *b);
/* a += b in a fixed order of fields and entries; the worst row is b's
 * when strictly worse, so merging in row order keeps the first. */
void gmm_stats_merge(struct gmm_stats *a, const struct gmm_stats *b);
/* Every sum times f (online EM's step, online.h); worst row kept. */
void gmm_stats_scale(struct gmm_stats *st, double f);
/*
 * Move the statistics from shifts `from` to shifts `to` (k x d each): the
 * first moments and scatters about the new shifts, exactly as algebra
 * says (sx' = sx + nk delta, scatter' = scatter + delta sx^T + sx delta^T
 * + nk delta delta^T with delta = from - to; shared scatters take the sum
 * over components).  Rounding differs from statistics gathered about
 * `to` directly.
 */
void gmm_stats_recentre(struct gmm_stats *st, enum gmm_cov_type t,
    const double *from, const double *to);
/* Doubles of the flat form, and the flat form itself (the sums only). */
size_t gmm_stats_packed_size(const struct gmm_stats *st);
void gmm_stats_pack(const struct gmm_stats *st, double *buf);
void gmm_stats_unpack(struct gmm_stats *st, const double *buf);

#endif
