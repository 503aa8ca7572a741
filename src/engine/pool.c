#include "engine/pool.h"

#include <pthread.h>
#include <stdlib.h>

struct worker {
	struct gmm_pool *p;
	int index;
	unsigned long seen;	/* the last pass it has seen */
	pthread_t tid;
};

struct gmm_pool {
	int size;		/* workers at most, the caller included */
	int started;		/* workers running, the caller included */
	struct worker *w;	/* size; w[0] is the caller */
	pthread_mutex_t mu;
	pthread_cond_t wake;	/* a new pass, or quit */
	pthread_cond_t slot;	/* a merge freed slots */
	pthread_cond_t done;	/* the last helper left the pass */
	unsigned long gen;	/* passes started */
	int quit;
	int active;		/* workers of this pass */
	int running;		/* helpers (not the caller) still in it */

	/* the pass */
	size_t ntasks, next_task, next_merge, nslots;
	unsigned char *ready;	/* nslots: the slot's task is done */
	size_t ready_cap;
	gmm_pool_work_fn work;
	gmm_pool_merge_fn merge;
	void *ctx;
};

/* Take tasks until none is left; called and returning with mu held. */
static void
take_tasks(struct gmm_pool *p, int index)
{
	for (;;) {
		size_t t;
		int merged = 0;

		while (p->merge != NULL && p->next_task < p->ntasks &&
		    p->next_task >= p->next_merge + p->nslots)
			pthread_cond_wait(&p->slot, &p->mu);
		if (p->next_task >= p->ntasks)
			return;
		t = p->next_task++;
		pthread_mutex_unlock(&p->mu);
		p->work(p->ctx, t, t % p->nslots, index);
		pthread_mutex_lock(&p->mu);
		if (p->merge == NULL)
			continue;
		p->ready[t % p->nslots] = 1;
		while (p->next_merge < p->ntasks &&
		    p->ready[p->next_merge % p->nslots]) {
			p->ready[p->next_merge % p->nslots] = 0;
			p->merge(p->ctx, p->next_merge,
			    p->next_merge % p->nslots);
			p->next_merge++;
			merged = 1;
		}
		if (merged)
			pthread_cond_broadcast(&p->slot);
	}
}

static void *
helper(void *arg)
{
	struct worker *w = arg;
	struct gmm_pool *p = w->p;
	unsigned long seen = w->seen;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		if (w->index >= p->active)
			continue;
		take_tasks(p, w->index);
		if (--p->running == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct gmm_pool *
gmm_pool_new(int threads)
{
	struct gmm_pool *p = calloc(1, sizeof(*p));

	if (threads < 1)
		threads = 1;
	if (threads > 1024)
		threads = 1024;
	if (p == NULL)
		return NULL;
	p->w = calloc((size_t)threads, sizeof(*p->w));
	if (p->w == NULL) {
		free(p);
		return NULL;
	}
	p->size = threads;
	p->started = 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->slot, NULL);
	pthread_cond_init(&p->done, NULL);
	return p;
}

void
gmm_pool_free(struct gmm_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	for (int i = 1; i < p->started; i++)
		pthread_join(p->w[i].tid, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->slot);
	pthread_cond_destroy(&p->done);
	free(p->ready);
	free(p->w);
	free(p);
}

int
gmm_pool_started(const struct gmm_pool *p)
{
	return p->started;
}

/* Start helpers up to `want` workers; fewer when the system says no. */
static void
start_helpers(struct gmm_pool *p, int want)
{
	while (p->started < want) {
		struct worker *w = &p->w[p->started];

		w->p = p;
		w->index = p->started;
		w->seen = p->gen;	/* only the caller changes gen */
		if (pthread_create(&w->tid, NULL, helper, w) != 0)
			break;
		p->started++;
	}
}

void
gmm_pool_run(struct gmm_pool *p, int threads, size_t ntasks, size_t nslots,
    gmm_pool_work_fn work, gmm_pool_merge_fn merge, void *ctx)
{
	if (nslots < 1)
		nslots = 1;
	if (threads > p->size)
		threads = p->size;
	if ((size_t)threads > ntasks)
		threads = ntasks > 0 ? (int)ntasks : 1;
	if (threads < 1)
		threads = 1;
	if (merge != NULL && nslots > p->ready_cap) {
		unsigned char *r = calloc(nslots, 1);

		if (r != NULL) {
			free(p->ready);
			p->ready = r;
			p->ready_cap = nslots;
		}
	}
	if (merge != NULL && nslots > p->ready_cap) {
		/* no memory for the flags: the caller alone, in order */
		for (size_t t = 0; t < ntasks; t++) {
			work(ctx, t, t % nslots, 0);
			merge(ctx, t, t % nslots);
		}
		return;
	}
	if (threads > p->started)
		start_helpers(p, threads);
	if (threads > p->started)
		threads = p->started;

	pthread_mutex_lock(&p->mu);
	p->ntasks = ntasks;
	p->next_task = 0;
	p->next_merge = 0;
	p->nslots = nslots;
	p->work = work;
	p->merge = merge;
	p->ctx = ctx;
	p->active = threads;
	p->running = threads - 1;
	if (threads > 1) {
		p->gen++;
		pthread_cond_broadcast(&p->wake);
	}
	take_tasks(p, 0);
	while (p->running > 0)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
