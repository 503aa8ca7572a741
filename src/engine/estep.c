#include "engine/estep.h"

#include "engine/covmodel.h"
#include "engine/family.h"
#include "engine/kernels.h"

static size_t
padded_rows(size_t rows)
{
	return (rows + GMM_ROW_GROUP - 1) / GMM_ROW_GROUP * GMM_ROW_GROUP;
}

/* A group of up to GMM_KERNEL_VAR_COMPS components at a time: matrix
 * forms one after another, diagonal and scalar ones together. */
void
gmm_estep_log_joint(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *work)
{
	const struct gmm_kernels *kn = gmm_kernels();
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t k = m->k, d = m->d, pad = padded_rows(rows);
	double a[GMM_KERNEL_VAR_COMPS], b = 0;
	int diag = cm->form == GMM_FORM_DIAGONAL;

	for (size_t c = 0; c < k; c += GMM_KERNEL_VAR_COMPS) {
		size_t nc = k - c < GMM_KERNEL_VAR_COMPS ? k - c
		    : GMM_KERNEL_VAR_COMPS;

		for (size_t q = 0; q < nc; q++)
			m->family->affine(m, c + q, &a[q], &b);
		if (cm->form != GMM_FORM_MATRIX) {
			kn->maha_var(xt, pad, d, m->means + c * d,
			    m->prec + c * (diag ? d : 1), diag, diag ? d : 1,
			    a, b, logp + c * GMM_BLOCK_ROWS, nc);
			continue;
		}
		for (size_t q = 0; q < nc; q++)
			kn->maha_chol(xt, pad, d,
			    m->chol + gmm_covmodel_offset(cm, c + q, d),
			    m->means + (c + q) * d, a[q], b,
			    logp + (c + q) * GMM_BLOCK_ROWS, work);
	}
}

void
gmm_estep_block(const struct gmm_model *m, const double *xt, size_t rows,
    double *logp, double *log_density, double *work)
{
	gmm_estep_log_joint(m, xt, rows, logp, work);
	gmm_kernels()->resp(logp, rows, m->k, log_density);
}

void
gmm_estep_rows(const struct gmm_model *m, const double *x, size_t rows,
    double *resp, double *log_density, double *work)
{
	size_t d = m->d, k = m->k;
	double *xt = work, *logp = xt + (size_t)GMM_BLOCK_ROWS * d;
	double *y = logp + (size_t)GMM_BLOCK_ROWS * k;

	for (size_t i0 = 0; i0 < rows; i0 += GMM_BLOCK_ROWS) {
		size_t r = rows - i0 < GMM_BLOCK_ROWS ? rows - i0
		    : GMM_BLOCK_ROWS;

		gmm_kernels()->transpose(x + i0 * d, r, d, xt);
		gmm_estep_block(m, xt, r, logp, log_density + i0, y);
		for (size_t i = 0; i < r; i++)
			for (size_t c = 0; c < k; c++)
				resp[(i0 + i) * k + c] =
				    logp[c * GMM_BLOCK_ROWS + i];
	}
}
