/*
 * mpi: the engine's communicator (engine/comm.h) over MPI, for `fit
 * --mpi` and `select-k --mpi` (issue 17 section 3).
 *
 * Built with MPI only by `make MPI=1` (mpicc, -DGMM_MPI: build/mpi/gmm);
 * otherwise gmm_mpi_start() fails saying so, and nothing else here is
 * called.  MPI is started only when --mpi is given (MPI_Init_thread with
 * MPI_THREAD_FUNNELED: the E-step's threads never call MPI).
 *
 * Messages: after gmm_mpi_start() standard output and error of every
 * rank but 0 go to /dev/null, so that what every rank finds alike (a usage
 * error, a fit that fails, the summary, progress) is said once, by rank
 * 0; a rank that fails alone (its share of the input is bad) says so on
 * its own standard error again through gmm_mpi_own_stderr().
 *
 * Collectives (engine/comm.h): the sum is MPI_Gatherv to rank 0, added
 * there in rank order, then MPI_Bcast, so that its result does not
 * depend on how an MPI library orders a reduction; the least is
 * MPI_Allreduce(MPI_MIN), which is exact in any order.  Per iteration a
 * rank sends and receives the statistics once: O(k d^2) doubles.
 * Transport errors end every rank (MPI_ERRORS_ARE_FATAL).
 */
#ifndef GMM_MPI_H
#define GMM_MPI_H

#include "base/error.h"
#include "engine/comm.h"

/* 1 when this gmm was built with MPI. */
int gmm_mpi_built(void);
/*
 * Start MPI and give the communicator over every rank in *comm (owned
 * here); rank > 0's standard error is put aside (above).  0, or -1 with
 * err set (built without MPI).
 */
int gmm_mpi_start(struct gmm_comm **comm, struct gmm_error *err);
/* Ranks on this machine (MPI_COMM_TYPE_SHARED), for the default threads
 * of each; 1 before gmm_mpi_start(). */
int gmm_mpi_local_ranks(void);
/* This rank's own standard error back, to report what only it found. */
void gmm_mpi_own_stderr(void);
/* End MPI (MPI_Finalize), if started. */
void gmm_mpi_finish(void);

#endif
