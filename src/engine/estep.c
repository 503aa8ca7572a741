#include "engine/estep.h"

#include <stdlib.h>
#include <string.h>

#include "engine/covmodel.h"
#include "engine/family.h"
#include "engine/kernels.h"
#include "engine/stats.h"

static size_t
padded_rows(size_t rows)
{
	return (rows + GMM_ROW_GROUP - 1) / GMM_ROW_GROUP * GMM_ROW_GROUP;
}

/* A group of up to GMM_KERNEL_VAR_COMPS components at a time: matrix
 * forms one after another, diagonal and scalar ones together. */
void
gmm_estep_log_joint(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *scale, double *work)
{
	const struct gmm_kernels *kn = gmm_kernels();
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	const struct gmm_family *fam = m->family;
	size_t k = m->k, d = m->d, pad = padded_rows(rows);
	double a[GMM_KERNEL_VAR_COMPS], b = 1;
	int diag = cm->form == GMM_FORM_DIAGONAL;
	int woodbury = cm->factor && m->fg != NULL && m->psi[0] > 0;

	for (size_t q = 0; q < GMM_KERNEL_VAR_COMPS; q++)
		a[q] = 0;	/* a family that is not affine: distances,
				 * a = 0 and b = 1, then its log_joint */
	for (size_t c = 0; c < k; c += GMM_KERNEL_VAR_COMPS) {
		size_t nc = k - c < GMM_KERNEL_VAR_COMPS ? k - c
		    : GMM_KERNEL_VAR_COMPS;

		for (size_t q = 0; q < nc && fam->affine != NULL; q++)
			fam->affine(m, c + q, &a[q], &b);
		if (cm->form != GMM_FORM_MATRIX) {
			kn->maha_var(xt, pad, d, m->means + c * d,
			    m->prec + c * (diag ? d : 1), diag, diag ? d : 1,
			    a, b, logp + c * GMM_BLOCK_ROWS, nc);
			continue;
		}
		for (size_t q = 0; q < nc; q++) {
			size_t f = m->factors, cq = c + q;

			if (woodbury)	/* a factor model: O(d q) a row */
				kn->maha_factor(xt, pad, d, f, m->means +
				    cq * d, m->fprec + cq * d, m->fg + cq * f *
				    d, a[q], b, logp + cq * GMM_BLOCK_ROWS,
				    work);
			else
				kn->maha_chol(xt, pad, d, m->chol +
				    gmm_covmodel_offset(cm, cq, d), m->means +
				    cq * d, a[q], b, logp + cq *
				    GMM_BLOCK_ROWS, work);
		}
	}
	for (size_t c = 0; fam->affine == NULL && c < k; c++)
		fam->log_joint(m, c, logp + c * GMM_BLOCK_ROWS, scale != NULL ?
		    scale + c * GMM_BLOCK_ROWS : NULL, pad);
}

void
gmm_estep_block(const struct gmm_model *m, const double *xt, size_t rows,
    double *logp, double *log_density, double *scale, double *work)
{
	gmm_estep_log_joint(m, xt, rows, logp, scale, work);
	if (m->noise) {
		double *z = logp + m->k * GMM_BLOCK_ROWS;

		for (size_t i = 0, pad = padded_rows(rows); i < pad; i++)
			z[i] = m->noise_log_joint;
	}
	gmm_kernels()->resp(logp, rows, gmm_model_columns(m), log_density);
}

int
gmm_estep_buffers_alloc(struct gmm_estep_buffers *b, size_t d, size_t k)
{
	b->xt = gmm_doubles_new(GMM_DATA_BUF(d));
	b->resp = gmm_doubles_new((size_t)GMM_BLOCK_ROWS * k);
	b->scale = gmm_doubles_new((size_t)GMM_BLOCK_ROWS * k);
	b->logd = malloc(GMM_BLOCK_ROWS * sizeof(double));
	b->work = gmm_doubles_new(GMM_STATS_WORK(d));
	return b->xt && b->resp && b->scale && b->logd && b->work ? 0 : -1;
}

void
gmm_estep_buffers_release(struct gmm_estep_buffers *b)
{
	free(b->xt);
	free(b->resp);
	free(b->scale);
	free(b->logd);
	free(b->work);
	memset(b, 0, sizeof(*b));
}

size_t
gmm_estep_buffers_bytes(size_t d, size_t k)
{
	return 8 * ((size_t)GMM_BLOCK_ROWS * (2 * k + d + 1) +
	    GMM_STATS_WORK(d));
}

struct run {
	const struct gmm_estep_job *job;
	struct gmm_estep_buffers *buffers;
};

/* Task t's blocks (pool task). */
static void
run_task(void *arg, size_t t, size_t slot, int worker)
{
	const struct run *r = arg;
	const struct gmm_estep_job *job = r->job;
	struct gmm_estep_buffers *b = &r->buffers[worker];
	size_t first = t * job->task_blocks, last = first + job->task_blocks;

	if (last > job->src->nblocks)
		last = job->src->nblocks;
	if (job->task_begin != NULL)
		job->task_begin(job->arg, worker);
	for (size_t i = first; i < last; i++) {
		struct gmm_block blk;
		const struct gmm_model *m = job->m;

		gmm_source_get(job->src, i, b->xt, &blk);
		if (job->model != NULL &&
		    (m = job->model(job->arg, worker, &blk)) == NULL)
			continue;
		gmm_estep_block(m, blk.xt, blk.rows, b->resp, b->logd,
		    m->family->scaled ? b->scale : NULL, b->work);
		job->block(job->arg, worker, &blk, b->resp, b->logd);
	}
	if (job->task_end != NULL)
		job->task_end(job->arg, worker, t, slot);
}

static void
run_merge(void *arg, size_t t, size_t slot)
{
	const struct run *r = arg;

	r->job->merge(r->job->arg, t, slot);
}

void
gmm_estep_run(struct gmm_pool *pool, int threads,
    struct gmm_estep_buffers *buffers, const struct gmm_estep_job *job)
{
	size_t ntasks = (job->src->nblocks + job->task_blocks - 1) /
	    job->task_blocks;
	struct run r = { job, buffers };

	gmm_pool_run(pool, threads, ntasks, job->nslots, run_task,
	    job->merge != NULL ? run_merge : NULL, &r);
}
