/*
 * vec: the vector type of the kernels in model.c and em.c, eight doubles
 * (GCC vector extensions; each clone of GMM_CLONES maps it to its
 * registers and fuses a*b + c where it has FMA).  Loads and stores go
 * through memcpy, which compiles to one vector move and makes no alignment
 * or aliasing promise.  No function takes or returns a vector by value:
 * that ABI differs between the clones.  Header only; nothing allocates,
 * fails or prints.
 */
#ifndef GMM_VEC_H
#define GMM_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "consts.h"

typedef double vec __attribute__((vector_size(64)));
typedef int64_t ivec __attribute__((vector_size(64)));
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

/* n rounded up to whole vectors */
static inline size_t
vrows(size_t n)
{
	return (n + VLEN - 1) / VLEN * VLEN;
}

#endif
