/*
 * kernels: the choice among the kernel tables that kernels_isa.c was
 * compiled into (engine/kernels.h).
 */
#include "engine/kernels.h"

#include <pthread.h>
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

/* The best table this processor runs, found once: gmm_kernels() is
 * called several times per block of rows. */
static const struct gmm_kernels *best;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

static void
find_best(void)
{
	best = gmm_kernel_tables[gmm_n_kernel_tables - 1];
	for (size_t i = 0; i + 1 < gmm_n_kernel_tables; i++)
		if (gmm_kernels_runnable(gmm_kernel_tables[i])) {
			best = gmm_kernel_tables[i];
			break;
		}
}

const struct gmm_kernels *
gmm_kernels(void)
{
	if (forced != NULL)
		return forced;
	pthread_once(&best_once, find_best);
	return best;
}

void
gmm_kernels_force(const struct gmm_kernels *t)
{
	forced = t;
}
