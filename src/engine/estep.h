/*
 * estep: the E-step of one block of rows under a prepared model, the one
 * loop body that the fit (engine/em.c, which then adds the block's
 * statistics) and score (engine/score.c) share.
 *
 * Per block (the layout of engine/kernels.h): the covariance model
 * (engine/covmodel.h) picks the distance kernel (a Cholesky solve, or
 * diagonal or spherical precisions, several components per pass), the
 * family (engine/family.h) turns distances into log joints, and the
 * kernels turn those into responsibilities and log densities.  Nothing
 * here allocates, fails or prints; buffers are the caller's, from
 * gmm_doubles_new() (model.h) where they are read as vectors.
 */
#ifndef GMM_ESTEP_H
#define GMM_ESTEP_H

#include <stddef.h>

#include "base/consts.h"
#include "engine/model.h"

/*
 * The log joint of a block held by columns (xt, `rows` rows), by
 * components:
 *	logp[c*GMM_BLOCK_ROWS + i] = log w_c + log f_c(x_i)
 * for the rows and their padding up to a multiple of GMM_ROW_GROUP.  logp
 * holds GMM_BLOCK_ROWS*k doubles and work (GMM_ROW_GROUP + 1) * d.
 */
void gmm_estep_log_joint(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *work);

/*
 * The same, then responsibilities in place of the log joint and log p(x_i)
 * in log_density[i] (kernels.h's resp()).
 */
void gmm_estep_block(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *log_density, double *work);

/*
 * Both for `rows` rows of x (row-major, any number): resp[i*k + c] and
 * log_density[i].  `work` holds GMM_ESTEP_WORK(d, k) doubles from
 * gmm_doubles_new().
 */
#define GMM_ESTEP_WORK(d, k) ((size_t)GMM_BLOCK_ROWS * ((d) + (k)) \
    + (size_t)(GMM_ROW_GROUP + 1) * (d))
void gmm_estep_rows(const struct gmm_model *m, const double *x, size_t rows,
    double *resp, double *log_density, double *work);

#endif
