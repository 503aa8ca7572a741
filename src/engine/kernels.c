/*
 * kernels: the choice among the kernel tables that kernels_isa.c was
 * compiled into (engine/kernels.h).
 */
#include "engine/kernels.h"

#include <stddef.h>

#include "engine/vec.h"

int gmm_vec_force = -1;

/* Built by the Makefile from kernels_isa.c, one per instruction set;
 * GMM_KERNELS_BASELINE_ONLY for builds of the baseline alone. */
extern const struct gmm_kernels gmm_kernels_v1;
#if defined(__x86_64__) && !defined(GMM_KERNELS_BASELINE_ONLY)
extern const struct gmm_kernels gmm_kernels_v4, gmm_kernels_v3;
#endif

const struct gmm_kernels *const gmm_kernel_tables[] = {
#if defined(__x86_64__) && !defined(GMM_KERNELS_BASELINE_ONLY)
	&gmm_kernels_v4,
	&gmm_kernels_v3,
#endif
	&gmm_kernels_v1,
};
const size_t gmm_n_kernel_tables =
    sizeof(gmm_kernel_tables) / sizeof(gmm_kernel_tables[0]);

static const struct gmm_kernels *forced;

int
gmm_kernels_runnable(const struct gmm_kernels *t)
{
#if defined(__x86_64__) && !defined(GMM_KERNELS_BASELINE_ONLY)
	if (t == &gmm_kernels_v4)
		return __builtin_cpu_supports("x86-64-v4") != 0;
	if (t == &gmm_kernels_v3)
		return __builtin_cpu_supports("x86-64-v3") != 0;
#endif
	return t == &gmm_kernels_v1;
}

const struct gmm_kernels *
gmm_kernels(void)
{
	if (forced != NULL)
		return forced;
	for (size_t i = 0; i + 1 < gmm_n_kernel_tables; i++)
		if (gmm_kernels_runnable(gmm_kernel_tables[i]))
			return gmm_kernel_tables[i];
	return gmm_kernel_tables[gmm_n_kernel_tables - 1];
}

void
gmm_kernels_force(const struct gmm_kernels *t)
{
	forced = t;
}
