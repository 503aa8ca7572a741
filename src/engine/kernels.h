/*
 * kernels: the vector loops of the E-step and of the sufficient
 * statistics, built once per instruction set, and the choice among them.
 *
 * Layout contract.  A block holds at most GMM_BLOCK_ROWS rows of d columns
 * by columns: xt[j*GMM_BLOCK_ROWS + i] is row i, column j.  Kernels run
 * on groups of GMM_ROW_GROUP rows (distances) or vectors of VLEN rows
 * (statistics), so a block's rows are padded up to a multiple of those
 * with finite values (gmm_kernels()->transpose() pads with zeros), and a
 * per-component array over a block (log joints, responsibilities) holds
 * component c's rows at c*GMM_BLOCK_ROWS.  Lane partial sums follow the
 * layout of engine/stats.h.
 *
 * Instruction sets.  kernels_isa.c is compiled once per instruction set
 * (the Makefile's KERNEL_ISAS: x86-64-v4 with AVX-512, x86-64-v3 with
 * AVX2 and FMA, and the baseline), each into a table of its own, and
 * gmm_kernels() returns the best one the processor runs.  A table is
 * called through, never inlined into its callers, so every caller gets
 * the same bits from the same table.  Within a table, vec_narrow()
 * (engine/vec.h) picks half-vector forms of the kernels with many
 * accumulators where the processor has 16 vector registers: the same
 * operations on every row in the same order, so the same bits.  Tables of
 * different instruction sets agree to rounding (fused multiply-add or
 * not), which tests/unit/test_kernels.c bounds against a scalar reference
 * for every table this processor runs.
 *
 * Nothing here allocates, fails or prints; the callers own every buffer.
 */
#ifndef GMM_KERNELS_H
#define GMM_KERNELS_H

#include <stddef.h>

/* Components whose diagonal distances one pass computes (maha_var). */
#define GMM_KERNEL_VAR_COMPS 4

struct gmm_kernels {
	const char *name;	/* "x86-64-v4", "x86-64-v3", "baseline" */

	/* A block of `rows` rows of x (row-major, d columns) into xt by
	 * columns, zero rows up to a multiple of GMM_ROW_GROUP. */
	void (*transpose)(const double *x, size_t rows, size_t d,
	    double *xt);

	/*
	 * out[i] = a + b |L^-1 (x_i - mu)|^2 for `rows` rows (a multiple of
	 * GMM_ROW_GROUP) of a block, with L lower triangular (d x d,
	 * row-major, positive diagonal); y: (GMM_ROW_GROUP + 1) * d doubles
	 * of scratch.  A family affine in the distance (the Gaussian) gets
	 * its log joint directly; others take a = 0, b = 1.
	 */
	void (*maha_chol)(const double *xt, size_t rows, size_t d,
	    const double *l, const double *mu, double a, double b,
	    double *out, double *y);

	/*
	 * The same for nc <= GMM_KERNEL_VAR_COMPS components with diagonal
	 * precisions at once: component q has mean mu + q*d, precision of
	 * column j p[q*cstride + j*pstride] (spherical: pstride 0) and
	 * out[q*GMM_BLOCK_ROWS + i] = a[q] + b sum_j p_j (x_ij - mu_j)^2.
	 */
	void (*maha_var)(const double *xt, size_t rows, size_t d,
	    const double *mu, const double *p, size_t pstride,
	    size_t cstride, const double *a, double b, double *out,
	    size_t nc);

	/*
	 * A factor model's component (covmodel.h: Sigma = Lambda Lambda^T +
	 * Psi) by the Woodbury identity: out[i] = a + b (sum_j p_j (x_ij -
	 * mu_j)^2 - |G (x_i - mu)|^2) with p = 1/psi (d) and G = L_M^-1
	 * Lambda^T Psi^-1 (q x d, row-major; L_M the factor of M = I +
	 * Lambda^T Psi^-1 Lambda), for `rows` rows (a multiple of
	 * GMM_ROW_GROUP): O(d q) a row, not O(d^2).  z: q * GMM_ROW_GROUP
	 * doubles of scratch.
	 */
	void (*maha_factor)(const double *xt, size_t rows, size_t d, size_t q,
	    const double *mu, const double *p, const double *g, double a,
	    double b, double *out, double *z);

	/*
	 * The log joint of a block (k components) into responsibilities in
	 * place, exp(logp - log p(x)) summing to 1 over the components (0
	 * where that is under 2^-1022), and log p(x_i) into log_density[i]
	 * for the `rows` rows.  A row no component explains (all -inf) gets
	 * -inf and uniform responsibilities, never NaN.  The padding rows up
	 * to a multiple of GMM_ROW_GROUP are computed too: they must be
	 * finite.
	 */
	void (*resp)(double *logp, size_t rows, size_t k,
	    double *log_density);

	/* v[i] = exp(v[i]) for v[i] <= 0 (-inf gives 0): within 2 ulp of
	 * the correctly rounded value where that is normal, within 2^-1074
	 * below.  Positive and NaN arguments are not allowed. */
	void (*exp_nonpos)(double *v, size_t n);

	/* v[i] = log(v[i]) for positive normal v[i] (fdlibm's method),
	 * within 2 ulp of libm's.  Other arguments are not allowed. */
	void (*log_normal)(double *v, size_t n);

	/* The sum of r[0..rows), and sr[i] = sqrt(r[i]) unless sr is
	 * NULL. */
	double (*weight_sum)(const double *r, size_t rows, double *sr);

	/*
	 * Diagonal statistics of one component over a block: per column j,
	 * sum r (x_j - shift_j) into the lanes vsx[j*VLEN ..] and
	 * sum r (x_j - shift_j)^2 into vsxx[j*VLEN ..].  `rows` is a
	 * multiple of VLEN, r zero on the padding.
	 */
	void (*var_sums)(const double *xt, size_t rows, size_t d,
	    const double *shift, const double *r, double *vsx, double *vsxx);

	/*
	 * The lower triangle of the scatter sum r (x-shift)(x-shift)^T of a
	 * block into the tiles' lane sums vt (GMM_STATS_TILE x
	 * GMM_STATS_TILE entries, (j0, l0) with l0 <= j0 in order,
	 * GMM_STATS_TILE_SUMS doubles each), and sum r (x-shift) into vsx;
	 * sr = sqrt(r), z: d*GMM_BLOCK_ROWS doubles of scratch (the centred,
	 * weighted columns), zero: `rows` zeros; `rows` a multiple of VLEN.
	 */
	void (*scatter)(const double *xt, size_t rows, size_t d,
	    const double *shift, const double *r, const double *sr,
	    double *z, const double *zero, double *vsx, double *vt);
};

/* The tables built into this program, best first, and their number. */
extern const struct gmm_kernels *const gmm_kernel_tables[];
extern const size_t gmm_n_kernel_tables;

/* Whether this processor runs table t. */
int gmm_kernels_runnable(const struct gmm_kernels *t);

/* The table in use: the forced one, else the best this processor runs. */
const struct gmm_kernels *gmm_kernels(void);

/* Tests: use t (one this processor runs) from now on; NULL: choose
 * again by the processor.  Not while another thread computes. */
void gmm_kernels_force(const struct gmm_kernels *t);

#endif
