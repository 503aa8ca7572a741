/*
 * emctx: the EM context that the drivers share (em.h: batch EM over rows
 * in memory or spilled; online.h: stepwise EM over a stream's batches).
 *
 * A context holds what an E-step pass and an M-step need for rows of d
 * columns and a model of k components of one covariance model: the
 * thread pool and each worker's buffers and statistics, the chunk slots
 * whose statistics are merged in chunk order (so results are bitwise the
 * same for any number of threads), the total, the M-step's scratch, the
 * prior's hyperparameters, a noise component's density and a scaled
 * family's rescaled statistics.  It reads its rows through the block
 * sources of data.h: the complete rows, then those with missing values
 * pattern by pattern under each pattern's marginal (marginal.h).
 *
 * gmm_emctx_estep() runs one pass: ctx->total gets the log-likelihood
 * (and ICL's term without statistics) and, when asked, the sufficient
 * statistics about the model's means.  gmm_emctx_mstep() turns
 * statistics into parameters by the covariance model's row of the table
 * (covmodel.h), then the means and weights, reseeding a collapsed
 * component on the worst explained row, and prepares the model.
 * gmm_emctx_bind() points a context at other rows of the same width
 * (online EM's next batch) without reallocating what it holds.
 *
 * Over a rank's share (data.h, comm.h) every pass ends with
 * gmm_emctx_share_total(): the total becomes the sum over all ranks, its
 * worst row the lowest of all (the first in file order on a tie, as one
 * process finds it), that row's values sent by the rank that holds it;
 * so the M-step that follows is the same on every rank.
 */
#ifndef GMM_EMCTX_H
#define GMM_EMCTX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "engine/data.h"
#include "engine/estep.h"
#include "engine/family.h"
#include "engine/marginal.h"
#include "engine/model.h"
#include "engine/mstep.h"
#include "engine/pool.h"
#include "engine/prior.h"
#include "engine/stats.h"

/* What one thread needs besides its E-step buffers; sized once per fit. */
struct thread_work {
	struct gmm_stats st;
	/* rows with missing values (data.h): the marginal of the block's
	 * pattern, built once per pattern and pass, and statistics on
	 * nobs columns, ost[nobs] for each nobs the patterns have */
	struct gmm_marginal marg;
	struct gmm_stats *ost;
	const struct gmm_pattern *cached;
	size_t cached_pass;
	int pending;		/* ost[cached->nobs] holds rows of cached
				 * not yet added into st */
	int failed;		/* a marginal could not be factorised */
	struct gmm_error err;
};

/*
 * Chunk statistics a thread may leave waiting for their merge: how far a
 * thread may run ahead of one that a busy neighbour slows (pool.h).
 */
#define SLOTS_PER_THREAD 2

struct gmm_emctx {
	const struct gmm_data *x;	/* the rows */
	const struct gmm_data *xs;	/* what the k-means starts read: x,
					 * its sample when x is spilled or
					 * a share (data.h), or the own one */
	struct gmm_data sample;		/* gmm_emctx_sample()'s */
	int own_sample;			/* xs is &sample */
	struct gmm_source src;		/* its complete rows, for the E-step */
	struct gmm_source psrc;		/* its other rows, by pattern */
	size_t pass;			/* E-step passes so far */
	size_t n, d, k;
	enum gmm_cov_type type;
	int threads;
	struct thread_work *tw;	/* one per worker of the pool */
	struct gmm_estep_buffers *buf;	/* the same */
	struct gmm_pool *pool;
	struct gmm_stats *slots;	/* nslots: chunk statistics waiting for
				 * their turn to be merged (pool.h) */
	size_t nslots;
	struct gmm_stats total;
	struct gmm_mstep_work *mw;	/* the M-step's scratch */
	int has_prior;			/* MAP EM under prior */
	struct gmm_prior prior;
	/* a noise component (noise.h): its density, and the start's two
	 * passes (noise_start()): NOISE_COLLECT keeps each row's log
	 * density in marks[row] (NaN for weight 0), NOISE_MARK gives the
	 * rows below noise_cut to the noise alone */
	int noise;
	double noise_vinv;
	enum { NOISE_OFF, NOISE_COLLECT, NOISE_MARK } noise_pass;
	double noise_cut;
	double *marks;			/* 2n with noise */
	/* a scaled family (family.h): the statistics rescaled for the
	 * covariance M-step (t_stats()), and no update of the family's own
	 * parameters at a start's M-step, which follows no E-step */
	const struct gmm_family *family;
	struct gmm_stats tst;
	int at_start;
	/* a share (data.h): the statistics flat for the sum over ranks,
	 * and the worst explained row of all ranks' (its d values, its
	 * weight), which reseed() takes, and its file row */
	double *packed;
	double *worst_x;
	size_t worst_file_row;
};

/*
 * The threads a fit of n rows runs with when asked for `threads`: at most
 * one per chunk of GMM_CHUNK_ROWS rows, and no more than keep their own
 * statistics within GMM_THREAD_BUDGET or the data's size (consts.h).
 * Results are bitwise the same for any count.
 */
int gmm_em_threads(size_t n, size_t d, size_t k, enum gmm_cov_type t,
    int threads);
/* Bytes one E-step thread holds: statistics, scratch, slots. */
size_t gmm_emctx_thread_bytes(enum gmm_cov_type t, size_t k, size_t d);

/*
 * A context for the rows x (borrowed) and k components of model t, on up
 * to `threads` threads (gmm_em_threads() of x's rows), with the prior's
 * default hyperparameters when prior, room for a noise column when noise
 * and the family's extra statistics.  0, or -1 when out of memory
 * (release it either way).
 */
int gmm_emctx_init(struct gmm_emctx *ctx, const struct gmm_data *x,
    size_t k, enum gmm_cov_type t, int threads, int prior, int noise,
    const struct gmm_family *family);
void gmm_emctx_release(struct gmm_emctx *ctx);
/*
 * Point ctx at the rows x (borrowed, x->d columns as before), whatever
 * their number; no prior nor noise (their per-row state is sized by the
 * first rows).  0, or -1 when out of memory.
 */
int gmm_emctx_bind(struct gmm_emctx *ctx, const struct gmm_data *x);

/*
 * The k-means starts read a sample of x (data.h: gmm_data_pick_sample(),
 * from seed) when x holds more than GMM_SPILL_SAMPLE rows in memory and
 * the sample has at least GMM_KMEANS_SAMPLE_PER_K rows of weight > 0 a
 * component; else what they read stays.  0, or -1 when out of memory.
 */
int gmm_emctx_sample(struct gmm_emctx *ctx, uint64_t seed);

/* Responsibilities 0 on the rows that pad a block to a multiple of VLEN. */
void gmm_emctx_zero_padding(double *resp, size_t rows, size_t k);

/*
 * One pass over the rows under m: ctx->total gets log-likelihood and, with
 * want_stats, the statistics about m's means.  Fails only when a
 * pattern's marginal cannot be factorised.
 */
int gmm_emctx_estep(struct gmm_emctx *ctx, const struct gmm_model *m,
    int want_stats, struct gmm_error *err);
/*
 * Over a share, ctx->total (as a pass or a start left it, this rank's)
 * summed over every rank, and the worst row found (collective); a no-op
 * otherwise.
 */
void gmm_emctx_share_total(struct gmm_emctx *ctx);
/* The file row (0-based, among all ranks' rows) of the total's worst. */
size_t gmm_emctx_worst_file_row(const struct gmm_emctx *ctx);

/*
 * m's parameters from the statistics st (about m's means) with reg added
 * to the covariance diagonals; *reseeded is the component put on the
 * worst explained row, or (size_t)-1.  Fails when a covariance cannot be
 * factorised.
 */
int gmm_emctx_mstep(struct gmm_emctx *ctx, struct gmm_model *m,
    const struct gmm_stats *st, double reg, size_t *reseeded,
    struct gmm_error *err);

#endif
