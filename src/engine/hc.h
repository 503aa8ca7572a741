/*
 * hc: a start from hierarchical agglomeration, as mclust starts EM (its
 * hc(), here with EII merging: Ward's criterion, each merge the one that
 * least increases the within-cluster sum of squares), cut at k.
 *
 * The rows agglomerated are at most GMM_HC_MAX_ROWS (or k, if larger),
 * drawn without replacement by the rng when there are more (mclust's
 * subset), each column divided by its standard deviation over them (a
 * constant column by 1), so that no column's units decide the merges.
 * Merging is Ward's by the nearest-neighbour chain with Lance-Williams
 * updates of a condensed distance matrix: time and memory quadratic in the
 * subset (16 MB at 2000 rows), never in n.  The merges are then taken in
 * order of their cost (ties by the order they were found) until k
 * clusters are left, numbered by their first row.
 *
 * Returns 0, or -1 with err set when out of memory; prints nothing.
 */
#ifndef GMM_HC_H
#define GMM_HC_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "engine/data.h"

/*
 * labels[i] (n of them) the cluster 0..k-1 of row i, or GMM_HC_UNUSED for
 * a row outside the subset; 1 <= k <= x->n.
 */
#define GMM_HC_UNUSED UINT32_MAX
int gmm_hc_labels(const struct gmm_data *x, size_t k, gsl_rng *rng,
    uint32_t *labels, struct gmm_error *err);

/*
 * Ward's agglomeration of m points (row-major, m x d): merge t joins
 * clusters a[t] < b[t] (each named by its smallest point) at cost h[t]
 * (the Lance-Williams distance, twice the increase in the sum of
 * squares), m - 1 merges in the order found.  For tests and
 * gmm_hc_labels(); 0 or -1 when out of memory.
 */
int gmm_hc_ward(const double *pts, size_t m, size_t d, size_t *a, size_t *b,
    double *h);

#endif
