/*
 * vec: the vector type of the kernels (engine/kernels_isa.c), eight
 * doubles (GCC vector extensions; each instruction set the kernels are
 * built for maps it to its registers and fuses a*b + c where it has
 * FMA).  Loads and stores go through memcpy, which compiles to one vector
 * move and makes no alignment or aliasing promise.  No function takes or
 * returns a vector by value: that ABI differs between instruction sets.
 * Header only; nothing allocates, fails or prints.
 */
#ifndef GMM_VEC_H
#define GMM_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/consts.h"

typedef double vec __attribute__((vector_size(64)));
typedef int64_t ivec __attribute__((vector_size(64)));
/* Right shifts by uvec: AVX2 has no arithmetic shift of 64-bit lanes, and
 * GCC emulates one lane by lane through general registers. */
typedef uint64_t uvec __attribute__((vector_size(64)));
#define VLEN 8
#define GROUP_VECS (GMM_ROW_GROUP / VLEN)

static inline void
vload(vec *v, const double *p)
{
	memcpy(v, p, sizeof(*v));
}

static inline void
vstore(double *p, const vec *v)
{
	memcpy(p, v, sizeof(*v));
}

#define SPLAT(a) ((vec){ 0 } + (a))

/*
 * Half a vector, four doubles: one AVX2 register.  Kernels that keep many
 * accumulators use it where the processor has 16 vector registers, since
 * GCC lowers `vec` there as register pairs and builds each broadcast of a
 * scalar from general registers (vec_narrow()).
 */
typedef double vec4 __attribute__((vector_size(32)));

/*
 * Whether the kernels are built for 16 vector registers (no AVX-512),
 * where kernels with 16 or more `vec` accumulators spill: they then work
 * on half vectors (vec4), the same operations on every row in the same
 * order, so the same bits.  The solve of the full-covariance E-step took
 * 1.04 s per iteration of (200k, 16, 16) on one AVX2 thread, 0.42 s by
 * halves.  Decided when kernels_isa.c is compiled for an instruction set
 * (engine/kernels.h).
 */
extern int gmm_vec_force;	/* tests: 0 wide, 1 narrow, -1 as built */

static inline int
vec_narrow(void)
{
	if (gmm_vec_force >= 0)
		return gmm_vec_force;
#if defined(__AVX512F__)
	return 0;
#else
	return 1;
#endif
}

typedef int64_t ivec4 __attribute__((vector_size(32)));

/*
 * *r = a > b (gt) or a >= b lane by lane, as two compares of half vectors:
 * GCC lowers a compare of whole `vec`s on AVX2 to one scalar compare and
 * move per lane.  For the narrow paths only.
 */
__attribute__((always_inline)) static inline void
vcmp_halves(ivec *r, const vec *a, const vec *b, int gt)
{
	vec4 ah[2], bh[2];
	ivec4 m[2];

	memcpy(ah, a, sizeof(*a));
	memcpy(bh, b, sizeof(*b));
	m[0] = gt ? ah[0] > bh[0] : ah[0] >= bh[0];
	m[1] = gt ? ah[1] > bh[1] : ah[1] >= bh[1];
	memcpy(r, m, sizeof(*r));
}

static inline void
vload4(vec4 *v, const double *p)
{
	memcpy(v, p, sizeof(*v));
}

static inline void
vstore4(double *p, const vec4 *v)
{
	memcpy(p, v, sizeof(*v));
}

/* n rounded up to whole vectors */
static inline size_t
vrows(size_t n)
{
	return (n + VLEN - 1) / VLEN * VLEN;
}

#endif
