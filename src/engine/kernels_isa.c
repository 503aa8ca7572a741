/*
 * kernels_isa: the bodies of the kernels of engine/kernels.h, compiled
 * once per instruction set by the Makefile (KERNEL_ISAS), with
 * GMM_KERNELS_LEVEL 4 (x86-64-v4), 3 (x86-64-v3) or 1 (the baseline) and
 * the matching -march, into the table gmm_kernels_v<level>.  Everything
 * else is static: a kernel is reached through its table only.
 *
 * The kernels run on a group of GMM_ROW_GROUP rows at once, held in
 * vectors (engine/vec.h), or on half vectors where the processor has 16
 * vector registers (vec_narrow()).  A new kernel goes here, into the
 * table of kernels.h, and into tests/unit/test_kernels.c against a scalar
 * reference.
 */
#include "engine/kernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/consts.h"
#include "engine/stats.h"
#include "engine/vec.h"

#ifndef GMM_KERNELS_LEVEL
#define GMM_KERNELS_LEVEL 1
#endif
#if GMM_KERNELS_LEVEL == 4
#define TABLE gmm_kernels_v4
#define TABLE_NAME "x86-64-v4"
#elif GMM_KERNELS_LEVEL == 3
#define TABLE gmm_kernels_v3
#define TABLE_NAME "x86-64-v3"
#else
#define TABLE gmm_kernels_v1
#define TABLE_NAME "baseline"
#endif

static size_t
padded_rows(size_t rows)
{
	return (rows + GMM_ROW_GROUP - 1) / GMM_ROW_GROUP * GMM_ROW_GROUP;
}

/* The kernels below run on a group of GMM_ROW_GROUP rows at once, held in
 * vectors (vec.h). */

/* Eight rows of eight doubles turned into eight columns, in registers:
 * pairs, then pairs of pairs, then halves are interleaved. */
static inline void
transpose8(vec r[8])
{
	vec t[8], u[8];

#pragma GCC unroll 4
	for (int p = 0; p < 8; p += 2) {
		t[p] = __builtin_shufflevector(r[p], r[p + 1], 0, 8, 2, 10, 4,
		    12, 6, 14);
		t[p + 1] = __builtin_shufflevector(r[p], r[p + 1], 1, 9, 3, 11,
		    5, 13, 7, 15);
	}
#pragma GCC unroll 2
	for (int p = 0; p < 8; p += 4) {
#pragma GCC unroll 2
		for (int q = 0; q < 2; q++) {
			u[p + q] = __builtin_shufflevector(t[p + q],
			    t[p + q + 2], 0, 1, 8, 9, 4, 5, 12, 13);
			u[p + q + 2] = __builtin_shufflevector(t[p + q],
			    t[p + q + 2], 2, 3, 10, 11, 6, 7, 14, 15);
		}
	}
#pragma GCC unroll 4
	for (int q = 0; q < 4; q++) {
		r[q] = __builtin_shufflevector(u[q], u[q + 4], 0, 1, 2, 3, 8,
		    9, 10, 11);
		r[q + 4] = __builtin_shufflevector(u[q], u[q + 4], 4, 5, 6, 7,
		    12, 13, 14, 15);
	}
}

/* Rows by eight rows and eight columns through transpose8(), the rest
 * one by one. */
static void
transpose(const double *x, size_t rows, size_t d, double *xt)
{
	size_t pad = padded_rows(rows), i0 = 0;

	for (; i0 + VLEN <= rows; i0 += VLEN) {
		size_t j0 = 0;

		for (; j0 + VLEN <= d; j0 += VLEN) {
			vec r[VLEN];

#pragma GCC unroll 8
			for (size_t p = 0; p < VLEN; p++)
				vload(&r[p], x + (i0 + p) * d + j0);
			transpose8(r);
#pragma GCC unroll 8
			for (size_t q = 0; q < VLEN; q++)
				vstore(xt + (j0 + q) * GMM_BLOCK_ROWS + i0, &r[q]);
		}
		for (; j0 < d; j0++)
			for (size_t p = 0; p < VLEN; p++)
				xt[j0 * GMM_BLOCK_ROWS + i0 + p] =
				    x[(i0 + p) * d + j0];
	}
	for (; i0 < rows; i0++)
		for (size_t j = 0; j < d; j++)
			xt[j * GMM_BLOCK_ROWS + i0] = x[i0 * d + j];
	for (size_t j = 0; j < d; j++)
		for (size_t i = rows; i < pad; i++)
			xt[j * GMM_BLOCK_ROWS + i] = 0;
}

/*
 * Forward substitution y_j = (x_j - mu_j - sum_{t<j} L_jt y_t) / L_jj for
 * the dims j0 .. j0+nj-1 of one group of rows (xt at the group's first
 * row; y holds the group's y_t, GMM_ROW_GROUP apiece), adding y_j^2 to s.
 * Solving SOLVE_DIMS dims together makes each load of a y_t feed
 * 4 x GROUP_VECS multiply-adds in registers.
 */
#define SOLVE_DIMS 4


__attribute__((always_inline)) static inline void
solve_dims(const double *xt, size_t j0, size_t nj, size_t d, const double *l,
    const double *inv_diag, const double *mu, double *y,
    vec s[GROUP_VECS])
{
	vec a[SOLVE_DIMS][GROUP_VECS];

#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++) {
			vload(&a[q][v], xt + (j0 + q) * GMM_BLOCK_ROWS
			    + v * VLEN);
			a[q][v] -= mu[j0 + q];
		}
	for (size_t t = 0; t < j0; t++) {
		vec yt[GROUP_VECS];

#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++)
			vload(&yt[v], y + t * GMM_ROW_GROUP + v * VLEN);
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			double lqt = l[(j0 + q) * d + t];

#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				a[q][v] -= lqt * yt[v];
		}
	}
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++) {
		const double *lq = l + (j0 + q) * d;
		double inv = inv_diag[j0 + q];

#pragma GCC unroll 4
		for (size_t p = 0; p < q; p++)
#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				a[q][v] -= lq[j0 + p] * a[p][v];
#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++) {
			a[q][v] *= inv;
			s[v] += a[q][v] * a[q][v];
			vstore(y + (j0 + q) * GMM_ROW_GROUP + v * VLEN, &a[q][v]);
		}
	}
}

/*
 * solve_dims() for eight rows (one vec) as two halves of four (vec4), for
 * processors with 16 vector registers: the same operations on every row
 * in the same order, so the same bits, in registers that do not spill.
 */
__attribute__((always_inline)) static inline void
solve_dims8(const double *xt, size_t j0, size_t nj, size_t d,
    const double *l, const double *inv_diag, const double *mu, double *y,
    vec4 s[2])
{
	vec4 a[SOLVE_DIMS][2];

#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++) {
			vload4(&a[q][h], xt + (j0 + q) * GMM_BLOCK_ROWS + 4 * h);
			a[q][h] -= mu[j0 + q];
		}
	for (size_t t = 0; t < j0; t++) {
		vec4 yt[2];

#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++)
			vload4(&yt[h], y + t * GMM_ROW_GROUP + 4 * h);
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			double lqt = l[(j0 + q) * d + t];

#pragma GCC unroll 2
			for (size_t h = 0; h < 2; h++)
				a[q][h] -= lqt * yt[h];
		}
	}
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++) {
		const double *lq = l + (j0 + q) * d;
		double inv = inv_diag[j0 + q];

#pragma GCC unroll 4
		for (size_t p = 0; p < q; p++)
#pragma GCC unroll 2
			for (size_t h = 0; h < 2; h++)
				a[q][h] -= lq[j0 + p] * a[p][h];
#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++) {
			a[q][h] *= inv;
			s[h] += a[q][h] * a[q][h];
			vstore4(y + (j0 + q) * GMM_ROW_GROUP + 4 * h, &a[q][h]);
		}
	}
}

/*
 * out[i] = a + b |L^-1 (x_i - mu)|^2 for the `rows` rows (a multiple
 * of GMM_ROW_GROUP) of a block held by columns; y: (GMM_ROW_GROUP + 1) * d
 * doubles.  The reciprocals of L's diagonal are worked out once, not for
 * every group of rows.  The narrow path solves each span of SOLVE_DIMS
 * dims for the group's four vectors in turn, not each vector to the end:
 * the short dependent chain within a span of one vector then overlaps the
 * independent multiply-adds of the next (d = 16 in L1: 10.5 ns per row
 * and component before, 8.7 after; d = 4: 3.1 and 1.7).
 */
static void
maha_chol(const double *xt, size_t rows, size_t d, const double *l,
    const double *mu, double a, double b, double *out, double *y)
{
	double *inv_diag = y + GMM_ROW_GROUP * d;

	for (size_t j = 0; j < d; j++)
		inv_diag[j] = 1 / l[j * d + j];
	for (size_t i0 = 0; i0 < rows; i0 += GMM_ROW_GROUP) {
		size_t j0 = 0;

		if (vec_narrow()) {
			/* a vector of rows at a time: the same arithmetic
			 * for every row, in fewer registers (and no
			 * zeroing of whole vectors in memory, which GCC
			 * does with rep stos: 5% of the time) */
			vec4 s4[GROUP_VECS][2];

#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				s4[v][0] = s4[v][1] = (vec4){ 0 };
			for (j0 = 0; j0 + SOLVE_DIMS <= d; j0 += SOLVE_DIMS)
#pragma GCC unroll 4
				for (size_t v = 0; v < GROUP_VECS; v++)
					solve_dims8(xt + i0 + v * VLEN, j0,
					    SOLVE_DIMS, d, l, inv_diag, mu,
					    y + v * VLEN, s4[v]);
			for (; j0 < d; j0++)
#pragma GCC unroll 4
				for (size_t v = 0; v < GROUP_VECS; v++)
					solve_dims8(xt + i0 + v * VLEN, j0, 1,
					    d, l, inv_diag, mu, y + v * VLEN,
					    s4[v]);
#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
#pragma GCC unroll 2
				for (size_t h = 0; h < 2; h++) {
					s4[v][h] = a + b * s4[v][h];
					vstore4(out + i0 + v * VLEN + 4 * h,
					    &s4[v][h]);
				}
			continue;
		}
		vec s[GROUP_VECS];

#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++)
			s[v] = SPLAT(0.0);
		for (; j0 + SOLVE_DIMS <= d; j0 += SOLVE_DIMS)
			solve_dims(xt + i0, j0, SOLVE_DIMS, d, l, inv_diag,
			    mu, y, s);
		for (; j0 < d; j0++)
			solve_dims(xt + i0, j0, 1, d, l, inv_diag, mu, y, s);
		for (size_t v = 0; v < GROUP_VECS; v++) {
			s[v] = a + b * s[v];
			vstore(out + i0 + v * VLEN, &s[v]);
		}
	}
}

/*
 * A factor model's component (kernels.h), one vector of rows at a time
 * (V, of W doubles: vec, or vec4 where vec_narrow(), the same operations
 * on every row): the diagonal sum over the columns, then for each factor
 * a pass over the columns for its projection z = sum_j G_aj (x_j - mu_j),
 * and s -= z^2; the columns even and odd into two sums each, added at the
 * end.  A few registers live, the block's columns from L1: at (200k, 64,
 * 16), q = 4, ... s an E-step against the Cholesky solve's ... s.
 * (Every projection in one pass with z in memory, or whole `vec`s on
 * x86-64-v3, spilled and ran slower than that solve.)
 */
#define MAHA_FACTOR(V, H, LOAD, STORE) do {				\
	for (size_t i0 = 0; i0 < rows; i0 += VLEN) {			\
		V s[H] = { 0 }, s2[H] = { 0 }, t, t2;			\
		size_t j;						\
									\
		for (j = 0; j + 1 < d; j += 2)				\
			for (size_t h = 0; h < (H); h++) {		\
				const double *x = xt + j *		\
				    GMM_BLOCK_ROWS + i0 + h * VLEN / (H);	\
									\
				LOAD(&t, x);				\
				LOAD(&t2, x + GMM_BLOCK_ROWS);		\
				t = t - mu[j];				\
				t2 = t2 - mu[j + 1];			\
				s[h] += t * t * p[j];			\
				s2[h] += t2 * t2 * p[j + 1];		\
			}						\
		for (; j < d; j++)					\
			for (size_t h = 0; h < (H); h++) {		\
				LOAD(&t, xt + j * GMM_BLOCK_ROWS + i0 +	\
				    h * VLEN / (H));			\
				t = t - mu[j];				\
				s[h] += t * t * p[j];			\
			}						\
		for (size_t h = 0; h < (H); h++)			\
			s[h] += s2[h];					\
		for (size_t c = 0; c < q; c++) {			\
			const double *gc = g + c * d;			\
			V u[H] = { 0 }, u2[H] = { 0 };			\
									\
			for (j = 0; j + 1 < d; j += 2)			\
				for (size_t h = 0; h < (H); h++) {	\
					const double *x = xt + j *	\
					    GMM_BLOCK_ROWS + i0 + h *	\
					    VLEN / (H);			\
									\
					LOAD(&t, x);			\
					LOAD(&t2, x + GMM_BLOCK_ROWS);	\
					u[h] += (t - mu[j]) * gc[j];	\
					u2[h] += (t2 - mu[j + 1]) *	\
					    gc[j + 1];			\
				}					\
			for (; j < d; j++)				\
				for (size_t h = 0; h < (H); h++) {	\
					LOAD(&t, xt + j *		\
					    GMM_BLOCK_ROWS + i0 + h *	\
					    VLEN / (H));		\
					u[h] += (t - mu[j]) * gc[j];	\
				}					\
			for (size_t h = 0; h < (H); h++) {		\
				u[h] += u2[h];				\
				s[h] -= u[h] * u[h];			\
			}						\
		}							\
		for (size_t h = 0; h < (H); h++) {			\
			s[h] = a + b * s[h];				\
			STORE(out + i0 + h * VLEN / (H), &s[h]);	\
		}							\
	}								\
} while (0)

static void
maha_factor(const double *xt, size_t rows, size_t d, size_t q,
    const double *mu, const double *p, const double *g, double a, double b,
    double *out, double *z)
{
	(void)z;
	if (vec_narrow())
		MAHA_FACTOR(vec4, 2, vload4, vstore4);
	else
		MAHA_FACTOR(vec, 1, vload, vstore);
}

/*
 * The same for nc <= VAR_COMPS components with diagonal precisions at once
 * (spherical: pstride 0): for component c, with mean mu + c*d, precision
 * p_j = p[c*cstride + j*pstride], out[c*GMM_BLOCK_ROWS + i] = a[c] + b
 * sum_j p_j (x_ij - mu_j)^2.  Each load of x feeds all
 * of them: with four, d = k = 16 in L1, 0.60 ns per row and component
 * against 0.64 one at a time.
 */
#define VAR_COMPS GMM_KERNEL_VAR_COMPS

__attribute__((always_inline)) static inline void
maha_var_n(const double *xt, size_t rows, size_t d, const double *mu,
    const double *p, size_t pstride, size_t cstride, const double *a,
    double b, double *out, size_t nc)
{
	for (size_t i0 = 0; i0 < rows; i0 += GMM_ROW_GROUP) {
		vec s[VAR_COMPS][GROUP_VECS];

		memset(s, 0, sizeof(s));
		for (size_t j = 0; j < d; j++) {
			const double *xj = xt + j * GMM_BLOCK_ROWS + i0;
			vec x[GROUP_VECS];

#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				vload(&x[v], xj + v * VLEN);
#pragma GCC unroll 4
			for (size_t c = 0; c < nc; c++) {
				double mj = mu[c * d + j];
				double pj = p[c * cstride + j * pstride];

#pragma GCC unroll 4
				for (size_t v = 0; v < GROUP_VECS; v++) {
					vec t = x[v] - mj;

					s[c][v] += t * t * pj;
				}
			}
		}
#pragma GCC unroll 4
		for (size_t c = 0; c < nc; c++)
#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++) {
				s[c][v] = a[c] + b * s[c][v];
				vstore(out + c * GMM_BLOCK_ROWS + i0 + v * VLEN,
				    &s[c][v]);
			}
	}
}

/*
 * maha_var_n() by half vectors (vec_narrow()): eight rows at a time,
 * VAR_COMPS x 2 accumulators; every row the same operations in the same
 * order.
 */
__attribute__((always_inline)) static inline void
maha_var_n4(const double *xt, size_t rows, size_t d, const double *mu,
    const double *p, size_t pstride, size_t cstride, const double *a,
    double b, double *out, size_t nc)
{
	for (size_t i0 = 0; i0 < rows; i0 += VLEN) {
		vec4 s[VAR_COMPS][2];

		memset(s, 0, sizeof(s));
		for (size_t j = 0; j < d; j++) {
			const double *xj = xt + j * GMM_BLOCK_ROWS + i0;
			vec4 x[2];

			vload4(&x[0], xj);
			vload4(&x[1], xj + 4);
#pragma GCC unroll 4
			for (size_t c = 0; c < nc; c++) {
				double mj = mu[c * d + j];
				double pj = p[c * cstride + j * pstride];

#pragma GCC unroll 2
				for (size_t h = 0; h < 2; h++) {
					vec4 t = x[h] - mj;

					s[c][h] += t * t * pj;
				}
			}
		}
#pragma GCC unroll 4
		for (size_t c = 0; c < nc; c++)
#pragma GCC unroll 2
			for (size_t h = 0; h < 2; h++) {
				s[c][h] = a[c] + b * s[c][h];
				vstore4(out + c * GMM_BLOCK_ROWS + i0 + 4 * h,
				    &s[c][h]);
			}
	}
}

/* maha_var_n() or its half-vector form with nc a constant in each
 * case, so that it unrolls */
#define VAR_BY_NC(f) do { \
	switch (nc) { \
	case 1: \
		f(xt, rows, d, mu, p, pstride, cstride, a, b, out, 1); \
		break; \
	case 2: \
		f(xt, rows, d, mu, p, pstride, cstride, a, b, out, 2); \
		break; \
	case 3: \
		f(xt, rows, d, mu, p, pstride, cstride, a, b, out, 3); \
		break; \
	default: \
		f(xt, rows, d, mu, p, pstride, cstride, a, b, out, \
		    VAR_COMPS); \
		break; \
	} \
} while (0)

static void
maha_var(const double *xt, size_t rows, size_t d, const double *mu,
    const double *p, size_t pstride, size_t cstride, const double *a,
    double b, double *out, size_t nc)
{
	if (vec_narrow())
		VAR_BY_NC(maha_var_n4);
	else
		VAR_BY_NC(maha_var_n);
}

/*
 * exp(x) for x <= 0: x = n ln2 + r with |r| <= ln2/2 (n rounded to nearest
 * by the 1.5 * 2^52 trick, r exact by FMA or by the two-part ln2), exp(r)
 * by a polynomial of degree 11 (the Taylor series to degree 13 with its
 * two last terms economised by Chebyshev polynomials, computed exactly in
 * rational arithmetic: truncation below 1e-17 relative), times 2^(n+64)
 * and 2^-64, so that results down to the smallest subnormal come out with
 * one rounding.  Below `least` the result is 0: ln(2^-1075) for every
 * result, or EXP_NORMAL for normal results only.  Subnormal numbers are
 * slow to compute with: resp() took 1.76 ns per element on
 * differences that gave subnormals, 0.87 once they give 0.
 */
#define EXP_ALL -0x1.74910d52d3052p9	/* ln(2^-1075) */
#define EXP_NORMAL -708.39		/* above ln(2^-1022) */

static const double exp_coef[] = {
	0x1.af780c76ef867p-26, 0x1.28b3c3f13e5ffp-22,
	0x1.71dde78ad96e1p-19, 0x1.a01991db6d211p-16,
	0x1.a01a01b7f7ce0p-13, 0x1.6c16c187eeda8p-10,
	0x1.111111110db8ep-7, 0x1.555555554f100p-5,
	0x1.5555555555562p-3, 0x1.0000000000011p-1, 1, 1,
};
#define EXP_COEFS (sizeof(exp_coef) / sizeof(exp_coef[0]))

/* halves: compare by half vectors (vcmp_halves(), the narrow paths) */
__attribute__((always_inline)) static inline void
vexp_nonpos(vec *px, double least, int halves)
{
	vec x = *px;
	const double shifter = 0x1.8p52;
	const double ln2_hi = 0x1.62e42feep-1, ln2_lo = 0x1.a39ef35793c76p-33;
	const double *coef = exp_coef;
	vec lv = SPLAT(least);
	ivec live;

	if (halves)
		vcmp_halves(&live, &x, &lv, 0);
	else
		live = x >= lv;
	vec xc = (vec)((ivec)x & live);	/* 0 where the result is 0: no
					 * subnormal on the way */
	vec t = xc * 0x1.71547652b82fep0 + shifter;	/* 1/ln2 */
	vec nf = t - shifter;
	ivec n = (ivec)t - (ivec)SPLAT(shifter);
	vec r = (xc - nf * ln2_hi) - nf * ln2_lo, p = SPLAT(coef[0]);

#pragma GCC unroll 11
	for (size_t i = 1; i < EXP_COEFS; i++)
		p = p * r + coef[i];
	p = p * (vec)((n + 1023 + 64) << 52) * 0x1p-64;
	*px = (vec)((ivec)p & live);
}

/*
 * vexp_nonpos() on half a vector, the same operations lane by lane, so
 * the same bits: the narrow paths' form, since GCC builds the ivec steps
 * of a whole `vec` on AVX2 through the stack and general registers
 * (resp() of 256 rows and 16 components in L1 took 5.7 ns per element
 * by `vec`, 2.6 by vec4, on this project's AVX2 machine).
 */
__attribute__((always_inline)) static inline void
vexp_nonpos4(vec4 *px, double least)
{
	vec4 x = *px;
	const double shifter = 0x1.8p52;
	const double ln2_hi = 0x1.62e42feep-1, ln2_lo = 0x1.a39ef35793c76p-33;
	const vec4 sh = (vec4){ 0 } + shifter;
	ivec4 live = x >= ((vec4){ 0 } + least);
	vec4 xc = (vec4)((ivec4)x & live);
	vec4 t = xc * 0x1.71547652b82fep0 + shifter;
	vec4 nf = t - shifter;
	ivec4 n = (ivec4)t - (ivec4)sh;
	vec4 r = (xc - nf * ln2_hi) - nf * ln2_lo, p = (vec4){ 0 } + exp_coef[0];

#pragma GCC unroll 11
	for (size_t i = 1; i < EXP_COEFS; i++)
		p = p * r + exp_coef[i];
	p = p * (vec4)((n + 1023 + 64) << 52) * 0x1p-64;
	*px = (vec4)((ivec4)p & live);
}

/*
 * v[i] = f(v[i]) for the n doubles of v, a vector at a time; the lanes
 * past n of the last vector hold `fill`, an argument f takes.
 */
__attribute__((always_inline)) static inline void
map_vec(double *v, size_t n, double fill, void (*f)(vec *))
{
	size_t i = 0;

	for (; i + VLEN <= n; i += VLEN) {
		vec e;

		vload(&e, v + i);
		f(&e);
		vstore(v + i, &e);
	}
	if (i < n) {
		double part[VLEN];
		vec e;

		for (size_t j = 0; j < VLEN; j++)
			part[j] = fill;
		memcpy(part, v + i, (n - i) * sizeof(double));
		vload(&e, part);
		f(&e);
		memcpy(v + i, &e, (n - i) * sizeof(double));
	}
}

__attribute__((always_inline)) static inline void
vexp_all(vec *px)
{
	vexp_nonpos(px, EXP_ALL, 0);
}

static void
exp_nonpos(double *v, size_t n)
{
	map_vec(v, n, 0, vexp_all);
}

/*
 * log(x) for x positive and normal (fdlibm's method, the same
 * coefficients): x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)), then
 * log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), s = f / (2 + f), and k
 * ln2 in two parts.  Other arguments are not allowed.
 */
__attribute__((always_inline)) static inline void
vlog_normal(vec *px)
{
	const double ln2_hi = 6.93147180369123816490e-01;
	const double ln2_lo = 1.90821492927058770002e-10;
	const double lg1 = 6.666666666666735130e-01,
	    lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01,
	    lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01,
	    lg6 = 1.531383769920937332e-01, lg7 = 1.479819860511658591e-01;
	const double shifter = 0x1.8p52;
	/* positive arguments: logical shifts, as arithmetic ones would
	 * give, but native on AVX2 */
	ivec ix = (ivec)*px, hx = (ivec)((uvec)ix >> 32), lo = ix & 0xffffffff;
	ivec k = (ivec)((uvec)hx >> 20) - 1023, i;
	vec f, s, z, w, r, hfsq, dk;

	hx &= 0x000fffff;
	i = (hx + 0x95f64) & 0x100000;	/* the mantissa is above sqrt(2) */
	k += (ivec)((uvec)i >> 20);
	f = (vec)(((hx | (i ^ 0x3ff00000)) << 32) | lo) - 1;
	dk = (vec)((ivec)SPLAT(shifter) + k) - shifter;
	s = f / (2 + f);
	z = s * s;
	w = z * z;
	r = w * (lg2 + w * (lg4 + w * lg6))
	    + z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
	hfsq = 0.5 * f * f;
	*px = dk * ln2_hi - ((hfsq - (s * (hfsq + r) + dk * ln2_lo)) - f);
}

static void
log_normal(double *v, size_t n)
{
	map_vec(v, n, 1, vlog_normal);
}

/*
 * gmm_resp_cols() on nvec vectors of rows from col (GMM_BLOCK_ROWS apart
 * by components): the responsibilities in place, the row maxima into mx
 * and log p(x) into ld.  A group of four vectors keeps four independent
 * chains of max and sum, so that their latencies overlap; one vector at a
 * time where the processor has 16 vector registers (vec_narrow()), the
 * same operations on every row in the same order.
 */
__attribute__((always_inline)) static inline void
resp_vecs(double *col, size_t k, size_t nvec, double *mx, double *ld)
{
	vec max[GROUP_VECS], s[GROUP_VECS];

#pragma GCC unroll 4
	for (size_t v = 0; v < nvec; v++) {
		vload(&max[v], col + v * VLEN);
		s[v] = SPLAT(0.0);
	}
	for (size_t c = 1; c < k; c++) {
#pragma GCC unroll 4
		for (size_t v = 0; v < nvec; v++) {
			vec x;

			vload(&x, col + c * GMM_BLOCK_ROWS + v * VLEN);
			ivec gt;

			if (nvec == 1)
				vcmp_halves(&gt, &x, &max[v], 1);
			else
				gt = x > max[v];

			max[v] = (vec)(((ivec)x & gt) | ((ivec)max[v] & ~gt));
		}
	}
	for (size_t c = 0; c < k; c++) {
#pragma GCC unroll 4
		for (size_t v = 0; v < nvec; v++) {
			double *p = col + c * GMM_BLOCK_ROWS + v * VLEN;
			vec e;

			vload(&e, p);
			e -= max[v];
			vexp_nonpos(&e, EXP_NORMAL, nvec == 1);
			s[v] += e;
			vstore(p, &e);
		}
	}
#pragma GCC unroll 4
	for (size_t v = 0; v < nvec; v++) {
		vec inv = 1 / s[v];

		for (size_t c = 0; c < k; c++) {
			double *p = col + c * GMM_BLOCK_ROWS + v * VLEN;
			vec r;

			vload(&r, p);
			r *= inv;
			vstore(p, &r);
		}
		vstore(mx + v * VLEN, &max[v]);
		vlog_normal(&s[v]);	/* s in [1, k] */
		s[v] += max[v];
		vstore(ld + v * VLEN, &s[v]);
	}
}

/*
 * resp_vecs() for one vector of rows as two halves (vec4), the narrow
 * paths' form: the same operations on every row in the same order.
 */
__attribute__((always_inline)) static inline void
resp_halves(double *col, size_t k, double *mx, double *ld)
{
	vec4 max[2], s[2];
	vec sl, mxl;

#pragma GCC unroll 2
	for (size_t h = 0; h < 2; h++) {
		vload4(&max[h], col + 4 * h);
		s[h] = (vec4){ 0 };
	}
	for (size_t c = 1; c < k; c++) {
#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++) {
			vec4 x;
			ivec4 gt;

			vload4(&x, col + c * GMM_BLOCK_ROWS + 4 * h);
			gt = x > max[h];
			max[h] = (vec4)(((ivec4)x & gt) | ((ivec4)max[h] & ~gt));
		}
	}
	for (size_t c = 0; c < k; c++) {
#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++) {
			double *p = col + c * GMM_BLOCK_ROWS + 4 * h;
			vec4 e;

			vload4(&e, p);
			e -= max[h];
			vexp_nonpos4(&e, EXP_NORMAL);
			s[h] += e;
			vstore4(p, &e);
		}
	}
#pragma GCC unroll 2
	for (size_t h = 0; h < 2; h++) {
		vec4 inv = 1 / s[h];

		for (size_t c = 0; c < k; c++) {
			double *p = col + c * GMM_BLOCK_ROWS + 4 * h;
			vec4 r;

			vload4(&r, p);
			r *= inv;
			vstore4(p, &r);
		}
		vstore4(mx + 4 * h, &max[h]);
	}
	memcpy(&sl, s, sizeof(sl));
	memcpy(&mxl, max, sizeof(mxl));
	vlog_normal(&sl);	/* s in [1, k] */
	sl += mxl;
	vstore(ld, &sl);
}

/*
 * Per row: max over the components, exp of the differences, their sum s,
 * responsibilities = exp(...) / s and log p = max + log s.  The log joint
 * must be there for the rows padded up to a multiple of GMM_ROW_GROUP.
 * Differences below EXP_NORMAL give 0: the responsibility would be under
 * 2^-1022, too small to change any sum, and subnormal, which is slow to
 * compute with.
 */
static void
resp(double *logp, size_t rows, size_t k, double *log_density)
{
	for (size_t i0 = 0; i0 < rows; i0 += GMM_ROW_GROUP) {
		double *col = logp + i0, mx[GMM_ROW_GROUP], ld[GMM_ROW_GROUP];

		if (vec_narrow())
			for (size_t v = 0; v < GROUP_VECS; v++)
				resp_halves(col + v * VLEN, k, mx + v * VLEN,
				    ld + v * VLEN);
		else
			resp_vecs(col, k, GROUP_VECS, mx, ld);
		for (size_t i = 0; i < GMM_ROW_GROUP && i0 + i < rows; i++) {
			if (mx[i] > -INFINITY) {
				log_density[i0 + i] = ld[i];
				continue;
			}
			for (size_t c = 0; c < k; c++)	/* no component */
				col[c * GMM_BLOCK_ROWS + i] = 1.0 / (double)k;
			log_density[i0 + i] = -INFINITY;
		}
	}
}

/*
 * Diagonal and spherical statistics of one component over a block held by
 * columns (xt), with its responsibilities r: per column j, the weighted
 * sum and sum of squares of x_j - shift_j added to the lane partial sums
 * vsx[j*VLEN ..] and vsxx[j*VLEN ..], which stay vectors from block to
 * block (no horizontal sum per block).  `rows` is a multiple of VLEN, r
 * zero on the padding.  Four columns per pass: eight sums in flight, one
 * load of r for four columns.
 */
__attribute__((always_inline)) static inline void
var_sums(const double *xt, size_t rows, size_t j0, size_t nj,
    const double *shift, const double *r, double *vsx, double *vsxx)
{
	vec a[4], b[4];

	memset(a, 0, sizeof(a));	/* the lanes past nj stay unused */
	memset(b, 0, sizeof(b));

#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++) {
		vload(&a[q], vsx + (j0 + q) * VLEN);
		vload(&b[q], vsxx + (j0 + q) * VLEN);
	}
	for (size_t i = 0; i < rows; i += VLEN) {
		vec rv;

		vload(&rv, r + i);
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			vec t, rt;

			vload(&t, xt + (j0 + q) * GMM_BLOCK_ROWS + i);
			t -= shift[j0 + q];
			rt = rv * t;
			a[q] += rt;
			b[q] += rt * t;
		}
	}
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++) {
		vstore(vsx + (j0 + q) * VLEN, &a[q]);
		vstore(vsxx + (j0 + q) * VLEN, &b[q]);
	}
}

/* var_sums() by half vectors (vec_narrow()): each half of the lanes in a
 * pass of its own, the same operations in the same order. */
__attribute__((always_inline)) static inline void
var_sums4(const double *xt, size_t rows, size_t j0, size_t nj,
    const double *shift, const double *r, double *vsx, double *vsxx)
{
	for (size_t h = 0; h < 2; h++) {
		vec4 a[4], b[4];

		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			vload4(&a[q], vsx + (j0 + q) * VLEN + 4 * h);
			vload4(&b[q], vsxx + (j0 + q) * VLEN + 4 * h);
		}
		for (size_t i = 4 * h; i < rows; i += VLEN) {
			vec4 rv;

			vload4(&rv, r + i);
#pragma GCC unroll 4
			for (size_t q = 0; q < nj; q++) {
				vec4 t, rt;

				vload4(&t, xt + (j0 + q) * GMM_BLOCK_ROWS + i);
				t -= shift[j0 + q];
				rt = rv * t;
				a[q] += rt;
				b[q] += rt * t;
			}
		}
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			vstore4(vsx + (j0 + q) * VLEN + 4 * h, &a[q]);
			vstore4(vsxx + (j0 + q) * VLEN + 4 * h, &b[q]);
		}
	}
}

static void
var_sums_cols(const double *xt, size_t rows, size_t d, const double *shift,
    const double *r, double *vsx, double *vsxx)
{
	size_t j = 0;

	if (vec_narrow()) {
		for (; j + 4 <= d; j += 4)
			var_sums4(xt, rows, j, 4, shift, r, vsx, vsxx);
		for (; j < d; j++)
			var_sums4(xt, rows, j, 1, shift, r, vsx, vsxx);
		return;
	}
	for (; j + 4 <= d; j += 4)
		var_sums(xt, rows, j, 4, shift, r, vsx, vsxx);
	for (; j < d; j++)
		var_sums(xt, rows, j, 1, shift, r, vsx, vsxx);
}

/* The sum of r[0..rows), and sr = sqrt(r) unless sr is NULL. */
static double
weight_sum(const double *r, size_t rows, double *sr)
{
	double s = 0;

	if (sr == NULL) {
#pragma omp simd reduction(+:s)
		for (size_t i = 0; i < rows; i++)
			s += r[i];
		return s;
	}
#pragma omp simd reduction(+:s)
	for (size_t i = 0; i < rows; i++) {
		s += r[i];
		sr[i] = sqrt(r[i]);
	}
	return s;
}

/*
 * acc[p*4 + q] += a[p] * b[q], vector by vector over r rows (a multiple of
 * VLEN): the sixteen dot products of a tile of the scatter, kept as lane
 * partial sums from block to block (stats_fold() adds the lanes), so that
 * no block pays for horizontal sums.  Each load of a row of a or b feeds
 * four multiply-adds in registers.
 */
static void
tile(const double *const *a, const double *const *b, size_t r, double *acc)
{
	vec s[16];

#pragma GCC unroll 16
	for (size_t t = 0; t < 16; t++)
		vload(&s[t], acc + t * VLEN);
	for (size_t i = 0; i < r; i += VLEN) {
		vec av[4], bv[4];

#pragma GCC unroll 4
		for (size_t t = 0; t < 4; t++) {
			vload(&av[t], a[t] + i);
			vload(&bv[t], b[t] + i);
		}
#pragma GCC unroll 4
		for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
			for (size_t q = 0; q < 4; q++)
				s[p * 4 + q] += av[p] * bv[q];
	}
#pragma GCC unroll 16
	for (size_t t = 0; t < 16; t++)
		vstore(acc + t * VLEN, &s[t]);
}

/*
 * tile() by half vectors (vec_narrow()): for each half of the lanes and
 * each pair of a's columns, eight accumulators in registers; every lane
 * adds the same products in the same order as tile().
 */
/*
 * VREG4(v): keep v in a register.  GCC otherwise folds each load of b into
 * both multiply-adds that use it, ten loads for eight multiply-adds where
 * six do (the scatter of d = 16 in L1: 16.5 ns per row and component
 * before, 14.8 after).  An empty asm: no instruction, the same bits.
 */
#ifdef __AVX__
#define VREG4(v) __asm__("" : "+x"(v))
#else
#define VREG4(v) ((void)0)
#endif

static void
tile_narrow(const double *const *a, const double *const *b, size_t r,
    double *acc)
{
	for (size_t h = 0; h < 2; h++) {
		for (size_t p0 = 0; p0 < 4; p0 += 2) {
			vec4 s[8];

#pragma GCC unroll 8
			for (size_t t = 0; t < 8; t++)
				vload4(&s[t], acc + (p0 * 4 + t) * VLEN + 4 * h);
			for (size_t i = 4 * h; i < r; i += VLEN) {
				vec4 av[2], bv[4];

#pragma GCC unroll 2
				for (size_t p = 0; p < 2; p++)
					vload4(&av[p], a[p0 + p] + i);
#pragma GCC unroll 4
				for (size_t q = 0; q < 4; q++) {
					vload4(&bv[q], b[q] + i);
					VREG4(bv[q]);
				}
#pragma GCC unroll 2
				for (size_t p = 0; p < 2; p++)
#pragma GCC unroll 4
					for (size_t q = 0; q < 4; q++)
						s[p * 4 + q] += av[p] * bv[q];
			}
#pragma GCC unroll 8
			for (size_t t = 0; t < 8; t++)
				vstore4(acc + (p0 * 4 + t) * VLEN + 4 * h, &s[t]);
		}
	}
}

/*
 * A tile on the diagonal, columns j0 .. j0+nj-1 (nj <= 4) of a block held
 * by columns (xt, `rows` rows): it centres them as it goes, t = x -
 * shift, adds r t to the lane partial sums vsx[j*VLEN ..], stores the
 * columns of the scatter, z_j = t sqrt(r) (z[j*GMM_BLOCK_ROWS ..], sr =
 * sqrt(r)), for the tiles left of it to read, and adds up the lower
 * triangle of their products: ten sums where tile() would spend sixteen.
 * Columns past nj count as zeros.  Centring here, not in a pass of its
 * own, saves a pass over the block and its z per component.
 */
__attribute__((always_inline)) static inline void
tile_diag_center(const double *xt, size_t rows, size_t j0, size_t nj,
    const double *shift, const double *r, const double *sr, double *z,
    double *vsx, double *acc)
{
	vec s[16], a[4], sh[4];

	memset(a, 0, sizeof(a));
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
		sh[q] = SPLAT(shift[j0 + q]);
#pragma GCC unroll 4
	for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
		for (size_t q = 0; q <= p; q++)
			vload(&s[p * 4 + q], acc + (p * 4 + q) * VLEN);
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
		vload(&a[q], vsx + (j0 + q) * VLEN);
	for (size_t i = 0; i < rows; i += VLEN) {
		vec rv, srv, zv[4];

		vload(&rv, r + i);
		vload(&srv, sr + i);
#pragma GCC unroll 4
		for (size_t q = 0; q < 4; q++) {
			vec t;

			if (q >= nj) {
				zv[q] = SPLAT(0.0);
				continue;
			}
			vload(&t, xt + (j0 + q) * GMM_BLOCK_ROWS + i);
			t -= sh[q];
			a[q] += rv * t;
			zv[q] = t * srv;
			vstore(z + (j0 + q) * GMM_BLOCK_ROWS + i, &zv[q]);
		}
#pragma GCC unroll 4
		for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
			for (size_t q = 0; q <= p; q++)
				s[p * 4 + q] += zv[p] * zv[q];
	}
#pragma GCC unroll 4
	for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
		for (size_t q = 0; q <= p; q++)
			vstore(acc + (p * 4 + q) * VLEN, &s[p * 4 + q]);
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
		vstore(vsx + (j0 + q) * VLEN, &a[q]);
}

/*
 * tile_diag_center() by half vectors (vec_narrow()), in two passes per
 * half: the centred, weighted columns z and their sums first, then the ten
 * products from z as stored; every lane does the same operations in the
 * same order, so the same bits.
 */
__attribute__((always_inline)) static inline void
tile_diag_center4(const double *xt, size_t rows, size_t j0, size_t nj,
    const double *shift, const double *r, const double *sr, double *z,
    double *vsx, double *acc)
{
	vec4 sh[4];

	/* in registers: the stores to z could alias shift, so GCC would
	 * load and broadcast it again for every row */
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
		sh[q] = (vec4){ 0 } + shift[j0 + q];
	for (size_t h = 0; h < 2; h++) {
		vec4 s[16], a[4];

		memset(a, 0, sizeof(a));
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++)
			vload4(&a[q], vsx + (j0 + q) * VLEN + 4 * h);
		for (size_t i = 4 * h; i < rows; i += VLEN) {
			vec4 rv, srv;

			vload4(&rv, r + i);
			vload4(&srv, sr + i);
#pragma GCC unroll 4
			for (size_t q = 0; q < nj; q++) {
				vec4 t, zq;

				vload4(&t, xt + (j0 + q) * GMM_BLOCK_ROWS + i);
				t -= sh[q];
				a[q] += rv * t;
				zq = t * srv;
				vstore4(z + (j0 + q) * GMM_BLOCK_ROWS + i, &zq);
			}
		}
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++)
			vstore4(vsx + (j0 + q) * VLEN + 4 * h, &a[q]);
#pragma GCC unroll 4
		for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
			for (size_t q = 0; q <= p; q++)
				vload4(&s[p * 4 + q], acc + (p * 4 + q) * VLEN
				    + 4 * h);
		for (size_t i = 4 * h; i < rows; i += VLEN) {
			vec4 zv[4];

#pragma GCC unroll 4
			for (size_t q = 0; q < 4; q++) {
				if (q >= nj) {
					zv[q] = (vec4){ 0 };
					continue;
				}
				vload4(&zv[q], z + (j0 + q) * GMM_BLOCK_ROWS + i);
			}
#pragma GCC unroll 4
			for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
				for (size_t q = 0; q <= p; q++)
					s[p * 4 + q] += zv[p] * zv[q];
		}
#pragma GCC unroll 4
		for (size_t p = 0; p < 4; p++)
#pragma GCC unroll 4
			for (size_t q = 0; q <= p; q++)
				vstore4(acc + (p * 4 + q) * VLEN + 4 * h,
				    &s[p * 4 + q]);
	}
}

/* tile_diag_center() or its half-vector form with nj a constant in each
 * case, so that it unrolls */
#define DIAG_BY_NJ(f) do { \
	switch (nj) { \
	case 1: \
		f(xt, rows, j0, 1, shift, r, sr, z, vsx, acc); \
		break; \
	case 2: \
		f(xt, rows, j0, 2, shift, r, sr, z, vsx, acc); \
		break; \
	case 3: \
		f(xt, rows, j0, 3, shift, r, sr, z, vsx, acc); \
		break; \
	default: \
		f(xt, rows, j0, 4, shift, r, sr, z, vsx, acc); \
		break; \
	} \
} while (0)

static void
tile_diag(const double *xt, size_t rows, size_t j0, size_t nj,
    const double *shift, const double *r, const double *sr, double *z,
    double *vsx, double *acc)
{
	if (vec_narrow())
		DIAG_BY_NJ(tile_diag_center4);
	else
		DIAG_BY_NJ(tile_diag_center);
}

/*
 * The lower triangle of the weighted scatter sum r (x-shift)(x-shift)^T of
 * a block held by columns (xt, `rows` rows, a multiple of VLEN; weights r,
 * their square roots sr), added to the tiles' lane partial sums vt: tiles
 * of 4 x 4 entries, (j0, l0) with l0 <= j0 in order, 16 * VLEN doubles
 * each (GMM_STATS_TILE_SUMS, the layout of engine/stats.h); the weighted
 * sums sum r (x-shift) into vsx.  In each row of tiles the diagonal one
 * goes first: it writes the columns z_j that the others read
 * (tile_diag_center()).  Columns past d read `zero` (`rows` zeros).
 */

static void
scatter_cols(const double *xt, size_t rows, size_t d, const double *shift,
    const double *r, const double *sr, double *z, const double *zero,
    double *vsx, double *vt)
{
	for (size_t j0 = 0; j0 < d; j0 += GMM_STATS_TILE) {
		size_t nj = d - j0 < GMM_STATS_TILE ? d - j0 : GMM_STATS_TILE;
		double *diag = vt + j0 / GMM_STATS_TILE * GMM_STATS_TILE_SUMS;

		tile_diag(xt, rows, j0, nj, shift, r, sr, z, vsx, diag);
		for (size_t l0 = 0; l0 < j0; l0 += GMM_STATS_TILE) {
			const double *a[GMM_STATS_TILE], *b[GMM_STATS_TILE];

			for (size_t t = 0; t < GMM_STATS_TILE; t++) {
				a[t] = j0 + t < d ? z + (j0 + t) * GMM_BLOCK_ROWS
				    : zero;
				b[t] = z + (l0 + t) * GMM_BLOCK_ROWS;
			}
			if (vec_narrow())
				tile_narrow(a, b, rows, vt);
			else
				tile(a, b, rows, vt);
			vt += GMM_STATS_TILE_SUMS;
		}
		vt += GMM_STATS_TILE_SUMS;
	}
}

extern const struct gmm_kernels TABLE;
const struct gmm_kernels TABLE = {
	.name = TABLE_NAME,
	.transpose = transpose,
	.maha_chol = maha_chol,
	.maha_factor = maha_factor,
	.maha_var = maha_var,
	.resp = resp,
	.exp_nonpos = exp_nonpos,
	.log_normal = log_normal,
	.weight_sum = weight_sum,
	.var_sums = var_sums_cols,
	.scatter = scatter_cols,
};
