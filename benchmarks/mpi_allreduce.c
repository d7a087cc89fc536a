/* The bare cost of the gradient allreduce, without trainer: MPI_Allreduce in place of 1 float
 * (latency), of the CNN example's 34,835 gradients plus trainer's 3 control values, and of
 * the MLP example's 101,773. Built and run by scripts/mpi-scaling (mpicc, mpirun -np 2). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank; MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int counts[] = {1, 34835, 101773};
    for (int c = 0; c < 3; c++) {
        int n = counts[c], reps = 2000;
        float *b = calloc(n, sizeof *b);
        for (int i = 0; i < 50; i++) MPI_Allreduce(MPI_IN_PLACE, b, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double t = MPI_Wtime();
        for (int i = 0; i < reps; i++) MPI_Allreduce(MPI_IN_PLACE, b, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        t = (MPI_Wtime() - t) / reps;
        if (rank == 0) printf("%d floats (%d bytes): %.1f us\n", n, n * 4, t * 1e6);
        free(b);
    }
    MPI_Finalize();
}
