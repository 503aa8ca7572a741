/*
 * smem: split-and-merge moves on a fitted mixture (Ueda, Nakano,
 * Ghahramani and Hinton 2000, "SMEM algorithm for mixture models"), for
 * `fit --smem`: when EM has converged to a local optimum, two components
 * that overlap are merged into one and the freed slot takes half of a
 * wide component, split along its principal axis; EM from there may find
 * a better optimum.  em.c runs the EM and keeps a move only when it gains.
 *
 * select-k's warm starts across k use the same two halves of a move:
 * gmm_smem_grow() splits alone (k to k + 1) and gmm_smem_shrink() merges
 * alone (k to k - 1).
 *
 * Candidates are ranked without the data: merge pairs by the overlap of
 * their components (the Mahalanobis distance between their means under
 * their average covariance, smallest first), and for each pair the
 * component to split by its weight times its largest variance.  A move is
 * applied to a copy: the merge keeps the pair's weight, mean and second
 * moment; the split puts two halves at the mean +- sqrt(3 lambda)/2 along
 * the principal axis v (lambda its variance) with covariance
 * Sigma - 3/4 lambda v v^T, which keeps the component's mean and
 * covariance.  Diagonal and spherical models keep the diagonal or its
 * mean; tied models move means and weights only.
 *
 * Nothing here prints; functions return 0, or -1 with err set.
 */
#ifndef GMM_SMEM_H
#define GMM_SMEM_H

#include <stddef.h>

#include "base/error.h"
#include "engine/model.h"

struct gmm_smem_move {
	size_t merge_a, merge_b;	/* merged into merge_a */
	size_t split;			/* split into split and merge_b */
};

/*
 * Up to max moves for m (k >= 3; none for a smaller k), best first, into
 * moves; *count how many.
 */
int gmm_smem_candidates(const struct gmm_model *m,
    struct gmm_smem_move *moves, size_t max, size_t *count,
    struct gmm_error *err);

/*
 * A new prepared model: m with the move applied (the caller frees it);
 * NULL and 0 when the moved covariances cannot be factorised (the move is
 * skipped), -1 when out of memory.
 */
int gmm_smem_apply(const struct gmm_model *m, const struct gmm_smem_move *mv,
    struct gmm_model **out, struct gmm_error *err);

/*
 * select-k's warm start at k + 1 from a fit at k: a new prepared model
 * (the caller frees it) with m's components and the widest of them (by
 * weight times largest variance, as a split is chosen above) split along
 * its principal axis into itself and a new component k.  NULL and 0 when
 * the split covariance cannot be factorised, -1 when out of memory.
 */
int gmm_smem_grow(const struct gmm_model *m, struct gmm_model **out,
    struct gmm_error *err);

/*
 * select-k's warm start at k - 1 from a fit at k (k >= 2): a new prepared
 * model (the caller frees it) with m's components but the two that
 * overlap most (the first merge pair above) merged into one, keeping their
 * weight, mean and second moment; the components keep their order, the
 * merged one in the first one's place.  NULL and 0 when k < 2 or the
 * merged covariance cannot be factorised, -1 when out of memory.
 */
int gmm_smem_shrink(const struct gmm_model *m, struct gmm_model **out,
    struct gmm_error *err);

#endif
