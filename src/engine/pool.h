/*
 * pool: the threads of the EM passes, and the ordered reduction that keeps
 * their result bitwise the same for any number of threads.
 *
 * A pass is `ntasks` tasks (chunks of rows).  Threads take tasks in order,
 * as each becomes free, so a thread slowed by a busy neighbour on its core
 * simply takes fewer of them; each task's result goes to a slot, and the
 * results are merged in task order, one at a time, as soon as the next one
 * is ready.  At most `nslots` tasks are between being taken and being
 * merged: task t uses slot t % nslots, so a fast thread runs at most that
 * far ahead of a slow one, and memory stays nslots results.
 *
 * Waiting threads sleep on condition variables: an idle pool takes no
 * processor time, and a thread never spins while a neighbour could run.
 * (OpenMP's `ordered` loop, which this replaces, kept every thread in
 * lockstep with the slowest and spun while waiting.)
 *
 * The calling thread is worker 0 and works too.  The other threads are
 * started at the first pass that wants them and kept until
 * gmm_pool_free(); when one cannot be started the pass runs on those that
 * are (at worst on the caller alone), with the same result.
 *
 * Nothing prints; only gmm_pool_new() allocates.
 */
#ifndef GMM_POOL_H
#define GMM_POOL_H

#include <stddef.h>

struct gmm_pool;

/*
 * work(ctx, task, slot, worker): the task's result into slot `slot`, with
 * worker `worker`'s own scratch (0 <= worker < threads); runs in parallel
 * with other tasks.  merge(ctx, task, slot): called for task 0, 1, ... in
 * order, one call at a time; may be NULL (then nslots may be anything and
 * only `work` runs).
 */
typedef void (*gmm_pool_work_fn)(void *ctx, size_t task, size_t slot,
    int worker);
typedef void (*gmm_pool_merge_fn)(void *ctx, size_t task, size_t slot);

/* A pool of at most `threads` workers (1 to 1024); NULL when out of
 * memory. */
struct gmm_pool *gmm_pool_new(int threads);
/* Stops and joins the threads; NULL is fine. */
void gmm_pool_free(struct gmm_pool *p);

/*
 * Run one pass of ntasks tasks on at most `threads` workers (clamped to the
 * pool's size and to ntasks); nslots >= 1.  Returns when every task has
 * run and been merged.
 */
void gmm_pool_run(struct gmm_pool *p, int threads, size_t ntasks,
    size_t nslots, gmm_pool_work_fn work, gmm_pool_merge_fn merge,
    void *ctx);

/* Workers the pool has started so far, the caller included (for tests). */
int gmm_pool_started(const struct gmm_pool *p);

#endif
