#include "io/mpi.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef GMM_MPI
#include <mpi.h>

static struct gmm_comm world;
static int started, local_ranks = 1, saved_stderr = -1;

static void
mpi_sum(const struct gmm_comm *c, double *v, size_t n)
{
	double *all = NULL;

	if (n > (size_t)INT_MAX)
		MPI_Abort(MPI_COMM_WORLD, 1);
	if (c->rank == 0) {
		all = malloc((size_t)c->size * n * sizeof(double));
		if (all == NULL)
			MPI_Abort(MPI_COMM_WORLD, 1);
	}
	MPI_Gather(v, (int)n, MPI_DOUBLE, all, (int)n, MPI_DOUBLE, 0,
	    MPI_COMM_WORLD);
	if (c->rank == 0) {
		/* rank 0's first, then each rank's in turn: one order */
		memcpy(v, all, n * sizeof(double));
		for (int r = 1; r < c->size; r++)
			for (size_t i = 0; i < n; i++)
				v[i] += all[(size_t)r * n + i];
		free(all);
	}
	MPI_Bcast(v, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

static void
mpi_min(const struct gmm_comm *c, double *v, size_t n)
{
	(void)c;
	if (n > (size_t)INT_MAX)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_MIN,
	    MPI_COMM_WORLD);
}

static void
mpi_bcast(const struct gmm_comm *c, void *buf, size_t bytes, int root)
{
	(void)c;
	if (bytes > (size_t)INT_MAX)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
}

static int
mpi_gather(const struct gmm_comm *c, const double *mine, size_t n,
    double **all, size_t *total)
{
	int *cnt = malloc((size_t)c->size * sizeof(int));
	int *at = malloc((size_t)c->size * sizeof(int));
	int me = (int)n, failed;
	size_t sum = 0;

	failed = cnt == NULL || at == NULL || n > (size_t)INT_MAX;
	MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX,
	    MPI_COMM_WORLD);
	if (failed)
		goto fail;
	MPI_Allgather(&me, 1, MPI_INT, cnt, 1, MPI_INT, MPI_COMM_WORLD);
	for (int r = 0; r < c->size; r++) {
		at[r] = (int)sum;
		sum += (size_t)cnt[r];
	}
	*all = sum <= (size_t)INT_MAX ? malloc((sum > 0 ? sum : 1) *
	    sizeof(double)) : NULL;
	failed = *all == NULL;
	MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX,
	    MPI_COMM_WORLD);
	if (failed) {
		free(*all);
		goto fail;
	}
	MPI_Allgatherv(mine, me, MPI_DOUBLE, *all, cnt, at, MPI_DOUBLE,
	    MPI_COMM_WORLD);
	*total = sum;
	free(cnt);
	free(at);
	return 0;
fail:
	*all = NULL;
	free(cnt);
	free(at);
	return -1;
}

int
gmm_mpi_built(void)
{
	return 1;
}

int
gmm_mpi_start(struct gmm_comm **comm, struct gmm_error *err)
{
	int provided, null;
	MPI_Comm node;

	(void)err;
	if (!started) {
		MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
		started = 1;
		MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
		MPI_Comm_size(MPI_COMM_WORLD, &world.size);
		world.sum = mpi_sum;
		world.min = mpi_min;
		world.bcast = mpi_bcast;
		world.gather = mpi_gather;
		MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED,
		    world.rank, MPI_INFO_NULL, &node);
		MPI_Comm_size(node, &local_ranks);
		MPI_Comm_free(&node);
		null = world.rank > 0 ? open("/dev/null", O_WRONLY) : -1;
		if (null >= 0) {
			fflush(stdout);
			fflush(stderr);
			saved_stderr = dup(STDERR_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
	}
	*comm = &world;
	return 0;
}

int
gmm_mpi_local_ranks(void)
{
	return local_ranks;
}

void
gmm_mpi_own_stderr(void)
{
	if (saved_stderr >= 0) {
		fflush(stderr);
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

void
gmm_mpi_finish(void)
{
	if (started) {
		fflush(stderr);
		MPI_Finalize();
		started = 0;
	}
}

#else

int
gmm_mpi_built(void)
{
	return 0;
}

int
gmm_mpi_start(struct gmm_comm **comm, struct gmm_error *err)
{
	*comm = NULL;
	return gmm_error_set(err, NULL, 0, "this gmm was built without MPI; "
	    "build it with `make MPI=1` (Open MPI: libopenmpi-dev) and run "
	    "build/mpi/gmm under mpirun");
}

int
gmm_mpi_local_ranks(void)
{
	return 1;
}

void
gmm_mpi_own_stderr(void)
{
}

void
gmm_mpi_finish(void)
{
}

#endif
