/*
 * init: where EM starts.  k-means++ seeding (scikit-learn's greedy variant,
 * 2 + ln k candidates per centre; the best of several seedings by
 * potential), optionally followed by Lloyd iterations.  Distances are the
 * E-step's diagonal kernel (kernels.h: maha_var with unit precisions, four
 * centres a pass over a block), so they run at the E-step's speed.  The
 * EM driver (em.c) runs them on the rows, or on a sample of many rows
 * (data.h), and labels every row by its nearest centre after.
 *
 * The caller owns x (the rows, data.h), labels (n) and centers (k x d);
 * nothing is kept.  Randomness comes only from the gsl_rng passed in, so a
 * seed fixes the result; threads split the seeding's passes and the
 * assignment step (blocks of rows taken from an engine/pool.h pool as
 * each thread becomes free), the seeding's sums added in a fixed order of
 * blocks, so the result does not depend on them either.  Weighted data
 * (data.h): seeding draws rows in proportion to weight times squared
 * distance and Lloyd's centres are weighted means, so a row of weight 0
 * never places a centre.  Returns 0, or -1 with err set when out of
 * memory.
 */
#ifndef GMM_INIT_H
#define GMM_INIT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "engine/data.h"

/*
 * k-means++ seeding: k rows of x copied to centers, the best by potential
 * (the sum over rows of weight times squared distance from the nearest
 * centre) of `seedings` (>= 1) greedy seedings.  Each seeding's passes over the
 * rows run on `threads` threads, their sums added in a fixed order.
 */
int gmm_init_kmeanspp(const struct gmm_data *x, size_t k, size_t seedings,
    int threads, gsl_rng *rng, double *centers, struct gmm_error *err);

/*
 * Label each row with its nearest centre; with lloyd > 0, then run up to
 * that many Lloyd iterations (stopping when no label changes, or when the
 * centres moved by less than GMM_KMEANS_TOL of the mean column variance,
 * as scikit-learn's KMeans; the labels are then the nearest centres'),
 * moving an emptied centre to the row farthest from its own centre.
 */
int gmm_init_assign(const struct gmm_data *x, size_t k, size_t lloyd,
    int threads, double *centers, uint32_t *labels, struct gmm_error *err);

/*
 * The nearest of k centres (k x d) to each of `rows` rows of a block xt of
 * complete rows (data.h layout, its padding rows finite), the first of
 * equals, into lab: the label gmm_init_assign() gives a complete row, by
 * the same distances; for rows that a start reads block by block (the
 * rows a k-means sample stood for).
 */
void gmm_init_nearest(const double *xt, size_t rows, size_t d,
    const double *centers, size_t k, uint32_t *lab);

/*
 * Constrained k-means (Basu, Banerjee and Mooney 2002) over labelled data
 * (data.h: label, nclasses <= k): centres 0 .. nclasses-1 start at the
 * classes' (weighted) means, the others are k-means++ draws (in
 * proportion to weight times squared distance) among the unlabelled rows;
 * then up to `lloyd` Lloyd iterations in which a labelled row stays in
 * its class and an unlabelled one goes to its nearest centre (stopping
 * when no label changes), an emptied new centre moving to the unlabelled
 * row farthest from its centre.  Fails when k > nclasses and no
 * unlabelled row has weight > 0 (nothing to find a new class in).
 */
int gmm_init_constrained(const struct gmm_data *x, size_t k, size_t lloyd,
    int threads, gsl_rng *rng, double *centers, uint32_t *labels,
    struct gmm_error *err);

#endif
