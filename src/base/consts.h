/*
 * consts: every numerical tolerance, floor and size of the engine, each with
 * the reason it has the value it has.  Nothing here is user-visible except
 * through the defaults that the man pages document.
 */
#ifndef GMM_CONSTS_H
#define GMM_CONSTS_H

/*
 * --init smallem (Biernacki, Celeux and Govaert 2003, Rmixmod's default):
 * each start is the best of GMM_SMALLEM_STARTS runs of GMM_SMALLEM_ITER EM
 * iterations from k-means++ seeds, then continued to convergence.  With
 * --n-init 10 --smem, the cells of ../shared/ref/optima left more than
 * 1e-3 per row short of the references (of 95) were 7 with 10 x 10, 3
 * with 10 x 20 and 10 x 40, 2 with 20 x 20 and 40 x 20, 1 with 20 x 40
 * (scripts/optima; 60 s for all cells against 27 s with 10 x 10).
 */
#define GMM_SMALLEM_STARTS 20
#define GMM_SMALLEM_ITER 40

/*
 * --smem: each round tries up to GMM_SMEM_CANDIDATES split-and-merge moves
 * (smem.h) in order and keeps the first whose EM run gains more than
 * GMM_SMEM_GAIN per row (or 10 tol); at most GMM_SMEM_ROUNDS rounds.
 */
#define GMM_SMEM_CANDIDATES 5
#define GMM_SMEM_GAIN 1e-8
#define GMM_SMEM_ROUNDS 50

/* Two runs' final mean log-likelihoods closer than this (or than 10 tol)
 * are one optimum (fit -v counts the distinct ones). */
#define GMM_SAME_OPTIMUM 1e-8

/* Default of --reg-covar, as scikit-learn's GaussianMixture. */
#define GMM_DEFAULT_REG_COVAR 1e-6

/*
 * Defaults of --tol (the change of the mean log-likelihood per row that
 * stops EM) and --max-iter, the same for fit and select-k so that a model
 * fitted either way is the same model.  scikit-learn's 1e-3 and 100 stop
 * far from the optimum: measured with k-means starts on faithful, iris and
 * the synthetic 5-D set, k = 2, 3, 5 and the four types, 1e-3 ended below
 * 1e-6's log-likelihood in 31 of 36 cells: by 7.1 on faithful full k = 3
 * (-1126.28 against -1119.22, after 6 iterations against 94), by 14.4 on
 * faithful tied k = 3 (which flipped select-k's choice), by 115.9 on the
 * synthetic full k = 2; 1e-6 took 3 to 445 iterations (mclust iterates to
 * a relative change of 1e-5).  The cap is there for cycles, not for
 * speed: 1000 was reached in none of the 36.
 */
#define GMM_DEFAULT_TOL 1e-6
#define GMM_DEFAULT_MAX_ITER 1000

/*
 * scikit-learn adds 10 machine epsilons to every n_k so that an empty
 * component divides by a tiny number instead of zero; we do the same so that
 * trajectories from given starts agree with it to the last digits.
 */
#define GMM_NK_EPS_FACTOR 10.0

/*
 * A component whose responsibilities add up to less than this many rows has
 * collapsed: its mean and covariance are round-off (sklearn would park it at
 * the origin with covariance reg_covar).  It is reseeded on the worst
 * explained row.  A component holding a row or two is not collapsed; it is a
 * degenerate spike, which select-k flags instead.
 */
#define GMM_COLLAPSE_NK 1e-3

/*
 * Rows per block of the E-step: a block held by columns (rows x d) and its
 * log joints, then responsibilities (rows x k), stay in L2 for the usual d
 * and k.
 */
#define GMM_BLOCK_ROWS 256

/*
 * Rows the vectorised kernels hold in registers at once (four vectors of
 * eight doubles); a block held by columns is padded up to a multiple.
 */
#define GMM_ROW_GROUP 32

/*
 * Rows per chunk: the unit of work of a thread and of the reduction.  Chunks
 * are cut by row count, never by thread count, and their statistics are
 * added in chunk order, so --threads cannot change a single bit.
 */
#define GMM_CHUNK_ROWS 4096

/*
 * Memory that per-thread work may take, so that it does not grow with the
 * number of cores: every E-step thread keeps statistics of its own (k d^2
 * scatter and its lane partial sums for full covariances: 165 MB for
 * k = 100, d = 200 by the sizes thread_bytes() adds up; issue 11 measured
 * 1.45 GB peak with 8 threads on 64 MB of data).  A fit uses
 * no more threads than fit in the larger of this and the data's own size,
 * nor more than it has chunks of rows; results do not depend on it.
 */
#define GMM_THREAD_BUDGET ((size_t)256 << 20)

/* What one batch of score's rows may take (x, responsibilities, log
 * densities): threads x GMM_CHUNK_ROWS rows, fewer when rows are wide,
 * never fewer than one block. */
#define GMM_BATCH_BUDGET ((size_t)64 << 20)

/*
 * Out of core (engine/data.h): the reservoir sample that spilled data keep
 * in memory for the k-means starts holds this many rows, or as many as a
 * quarter of --memory holds (d + 1 doubles a row) when that is fewer, but
 * never fewer than GMM_SPILL_SAMPLE_MIN.
 */
#define GMM_SPILL_SAMPLE 65536
/*
 * fit --online (engine/online.h): rows a step (--batch), the step's
 * exponent (--alpha), and the start: a batch fit to this many batches.
 */
#define GMM_ONLINE_BATCH 1000
#define GMM_ONLINE_ALPHA 0.6
#define GMM_ONLINE_START_BATCHES 10

/* fit --memory's default: this percentage of physical memory. */
#define GMM_MEMORY_PERCENT 50
#define GMM_SPILL_SAMPLE_MIN 4096

/*
 * The k-means start of rows in memory reads a sample (engine/emctx.h)
 * when it has at least this many rows of weight > 0 a component; else
 * every row.
 */
#define GMM_KMEANS_SAMPLE_PER_K 16

/*
 * k-means++ seedings of the k-means start, the least potential kept
 * (issue 18 section 5: one greedy seeding missed one of the 16 clusters
 * of the bench data on 4 of 16 seeds, as scikit-learn's does on 3 of 8;
 * the best of 3 found all on 32 of 32).
 */
#define GMM_KMEANS_SEEDINGS 3

/*
 * Lloyd iterations of the k-means start stop when the centres move less
 * than this times the mean column variance (the sum of their squared
 * shifts), as scikit-learn's KMeans(tol = 1e-4) (issue 18 section 5: on
 * k past the clusters, exact convergence took a tenth of select-k).
 */
#define GMM_KMEANS_TOL 1e-4

/* Lloyd iterations of the k-means start, at most (sklearn: 300). */
#define GMM_KMEANS_MAX_ITER 300

/* --init hc agglomerates at most this many rows (more are subsampled), as
 * mclust's hc() does by default: quadratic time and 16 MB at this size. */
#define GMM_HC_MAX_ROWS 2000

/* Relative tolerance on the sum of the weights of a loaded model. */
#define GMM_WEIGHT_SUM_TOL 1e-6

/*
 * select-k: a fit is degenerate when a component holds fewer than d+1 rows
 * or has a covariance eigenvalue below this fraction of the smallest
 * variance among the non-constant data columns.
 */
#define GMM_DEGENERATE_EIG_FRAC 1e-3
/* A direction whose data variance is below this fraction of the largest
 * is one the data do not vary in (gmm_data_shape_init()). */
#define GMM_DATA_RANK_TOL 1e-10
/*
 * Wider data are judged without the eigenvectors, every direction counting
 * as if none were constant: the eigen-decomposition is O(d^3) work in
 * every fit.  At 1000 it was: fit -k 2 --covariance diag on 40 rows of
 * 1000 columns took 4.25 s (0.023 s at 256, the same model file), and
 * t1100 took 869 s under valgrind.  300 rows of 256 columns: 0.10 s.
 */
#define GMM_SHAPE_MAX_D 256

/*
 * The inner iterations of the M-steps that have no closed form (VEI, VEV,
 * VEE, EVE, VVE; mstep.h) stop when their criterion changes by less than
 * GMM_MSTEP_INNER_TOL relative, the tolerance of the mclust references
 * (tests/ref/mclust), or after GMM_MSTEP_INNER_MAX of them; the next
 * M-step of the run goes on from there.  mclust's default is sqrt(eps)
 * and no cap.
 */
#define GMM_MSTEP_INNER_TOL 1e-12
#define GMM_MSTEP_INNER_MAX 10000
/*
 * To those M-steps a component's scatter W_c is singular when its smallest
 * eigenvalue is below GMM_MSTEP_SINGULAR times its largest (VEE, EVE, VVE
 * need W_c^-1 or A_c^-1), and its volume lambda_c is zero when below
 * GMM_MSTEP_SINGULAR times the pooled variance (VEI, VEV divide by it):
 * far above the round-off of a scatter that is exactly singular (about
 * 1e-16 of its trace: one row, or d rows), far below any component that
 * is not a spike.  mclust refuses the same fits (exact zeros, a failed
 * Cholesky factorisation, an eigenvalue below sqrt(eps)).
 */
#define GMM_MSTEP_SINGULAR 1e-10

/* Largest k and d a model file or a command accepts. */
/*
 * fit --noise: the start marks as noise this fraction of the rows of
 * weight > 0 (at least one), those the start's Gaussian mixture explains
 * worst (lowest log density); the rule of the mclust references
 * (../shared/ref/mclust/noise), which mark the 5% of rows farthest from
 * their k-means centre.
 */
#define GMM_NOISE_START_FRAC 0.05
#define GMM_MAX_K 100000
#define GMM_MAX_D 100000

#endif
