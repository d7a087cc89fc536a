/*
 * trainer_mpi.h: the few MPI calls data-parallel training makes, on Open MPI's libmpi loaded
 * with dlopen at run time.
 *
 * A `trainer` started without `mpirun` never loads libmpi: trainer_mpi_launched() reads the
 * launcher's environment only, and nothing else here runs. Under `mpirun`, trainer_mpi_init()
 * opens libmpi.so.40 (Open MPI 4, Debian's openmpi-bin), finds the functions and the
 * predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM... are exported objects in Open MPI)
 * and initialises MPI. Building needs no MPI headers or libraries.
 *
 * Every call is on MPI_COMM_WORLD and returns 0 on success. Errors inside MPI end the job
 * (MPI_ERRORS_ARE_FATAL, Open MPI's default), as does the death of any rank.
 */
#ifndef TRAINER_MPI_H
#define TRAINER_MPI_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the process was started by an MPI launcher (OMPI_COMM_WORLD_SIZE, PMIX_RANK or
 * PMI_RANK is set), else 0. Reads the environment only. */
int trainer_mpi_launched(void);

/* Loads libmpi and calls MPI_Init_thread (MPI_THREAD_FUNNELED). On failure writes a message
 * of at most error_size bytes to `error` and returns non-zero. Call once. */
int trainer_mpi_init(char *error, size_t error_size);

int trainer_mpi_rank(void);
int trainer_mpi_size(void);
/* The processor name (host) of this rank, NUL-terminated, at most size bytes. */
void trainer_mpi_processor_name(char *name, size_t size);

/* In-place sums across all ranks. */
int trainer_mpi_allreduce_sum_float(float *buffer, int64_t count);
int trainer_mpi_allreduce_sum_double(double *buffer, int64_t count);
/* Rank 0's `bytes` bytes into every rank's buffer. */
int trainer_mpi_broadcast(void *buffer, int64_t bytes);
/* Every rank's `bytes` bytes from `send`, in rank order, into `receive` (size * bytes). */
int trainer_mpi_allgather(const void *send, void *receive, int64_t bytes);

/* MPI_Finalize: every rank calls it once, at the end of a run that succeeded. */
void trainer_mpi_finalize(void);
/* MPI_Abort: ends every rank of the job with `code`. */
void trainer_mpi_abort(int code);

#endif /* TRAINER_MPI_H */
