/*
 * pool: every task runs once, on a worker below the thread count, into
 * slot task % nslots; merges come in task order, one at a time, never
 * more than nslots tasks ahead of the merged ones; a sum merged in task
 * order is bitwise the same for any number of threads and slots, however
 * unevenly the tasks take (some sleep); a pool reused for passes of other
 * sizes, and passes without a merge, do the same; idle helpers sleep.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "engine/pool.h"

#define MAX_TASKS 200
#define MAX_SLOTS 16

struct job {
	int threads;
	size_t nslots;
	atomic_int runs[MAX_TASKS];	/* work() calls per task */
	atomic_int bad_slot, bad_worker, in_merge, overlap;
	atomic_size_t taken;		/* work() calls begun */
	size_t merged;			/* merge() calls, in order */
	int out_of_order, ahead;
	double value[MAX_SLOTS];
	double sum;
};

/* A value whose sum depends on the order of the additions. */
static double
task_value(size_t t)
{
	return (t % 3 == 0 ? 1e16 : 1) * (1 + (double)(t % 7) / 3);
}

static void
work(void *arg, size_t task, size_t slot, int worker)
{
	struct job *j = arg;
	size_t taken = atomic_fetch_add(&j->taken, 1) + 1;

	atomic_fetch_add(&j->runs[task], 1);
	if (slot != task % j->nslots)
		atomic_store(&j->bad_slot, 1);
	if (worker < 0 || worker >= j->threads)
		atomic_store(&j->bad_worker, 1);
	(void)taken;
	if (task % 5 == 1) {	/* uneven: some tasks take 0.2 ms */
		struct timespec ts = { 0, 200000 };

		nanosleep(&ts, NULL);
	}
	j->value[slot] = task_value(task);
}

static void
merge(void *arg, size_t task, size_t slot)
{
	struct job *j = arg;

	if (atomic_fetch_add(&j->in_merge, 1) != 0)
		atomic_store(&j->overlap, 1);
	if (task != j->merged)
		j->out_of_order = 1;
	/* work() of task t + nslots cannot have begun before t is merged */
	if (atomic_load(&j->taken) > task + j->nslots)
		j->ahead = 1;
	j->sum += j->value[slot];
	j->merged++;
	atomic_fetch_sub(&j->in_merge, 1);
}

static double
run(struct gmm_pool *p, int threads, size_t ntasks, size_t nslots)
{
	struct job *j = calloc(1, sizeof(*j));
	double sum;
	int once = 1;

	j->threads = threads;
	j->nslots = nslots;
	gmm_pool_run(p, threads, ntasks, nslots, work, merge, j);
	for (size_t t = 0; t < ntasks; t++)
		once &= atomic_load(&j->runs[t]) == 1;
	CHECK(once, "%d threads, %zu tasks, %zu slots: each task once",
	    threads, ntasks, nslots);
	CHECK(j->merged == ntasks, "merged %zu of %zu", j->merged, ntasks);
	CHECK(!j->out_of_order, "merges in task order");
	CHECK(!j->overlap, "one merge at a time");
	CHECK(!j->ahead, "at most nslots = %zu tasks ahead", nslots);
	CHECK(!atomic_load(&j->bad_slot), "slot = task %% nslots");
	CHECK(!atomic_load(&j->bad_worker), "worker below %d", threads);
	sum = j->sum;
	free(j);
	return sum;
}

struct plain {
	atomic_int runs[MAX_TASKS];
};

static void
plain_work(void *arg, size_t task, size_t slot, int worker)
{
	struct plain *pl = arg;

	(void)slot;
	(void)worker;
	atomic_fetch_add(&pl->runs[task], 1);
}

/* CPU time of this process so far, in seconds. */
static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(void)
{
	double want = 0;
	struct gmm_pool *p;
	struct plain *pl;
	double cpu0;
	struct timespec idle = { 0, 200000000 };
	int once = 1;

	for (size_t t = 0; t < 150; t++)
		want += task_value(t);
	for (int threads = 1; threads <= 4; threads++) {
		p = gmm_pool_new(threads);
		CHECK(p != NULL, "gmm_pool_new(%d)", threads);
		for (size_t nslots = 1; nslots <= 9; nslots += 2) {
			double got = run(p, threads, 150, nslots);

			CHECK(memcmp(&got, &want, sizeof(got)) == 0,
			    "%d threads, %zu slots: the in-order sum %.17g, "
			    "want %.17g", threads, nslots, got, want);
		}
		/* the same pool for passes of other sizes */
		run(p, threads, 0, 4);
		run(p, threads, 1, 4);
		run(p, threads, 3, 2);
		CHECK(gmm_pool_started(p) <= threads, "%d started of %d",
		    gmm_pool_started(p), threads);
		gmm_pool_free(p);
	}

	/* a pool of 4 asked for 2: at most 2 workers */
	p = gmm_pool_new(4);
	run(p, 2, 40, 4);
	CHECK(gmm_pool_started(p) == 2, "asked for 2 of 4: %d started",
	    gmm_pool_started(p));
	/* without a merge: every task once */
	pl = calloc(1, sizeof(*pl));
	gmm_pool_run(p, 4, MAX_TASKS, 1, plain_work, NULL, pl);
	for (size_t t = 0; t < MAX_TASKS; t++)
		once &= atomic_load(&pl->runs[t]) == 1;
	CHECK(once, "no merge: each task once");
	free(pl);
	/* idle helpers sleep: 0.2 s of waiting costs next to no CPU */
	cpu0 = cpu_seconds();
	nanosleep(&idle, NULL);
	CHECK(cpu_seconds() - cpu0 < 0.05, "idle pool used %.3f s of CPU",
	    cpu_seconds() - cpu0);
	gmm_pool_free(p);
	gmm_pool_free(NULL);
	return check_done("test_pool");
}
