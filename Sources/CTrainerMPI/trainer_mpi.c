#include "trainer_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open MPI's handles are pointers to exported objects; `void *` is all this file needs. */
typedef void *handle_t;
#define IN_PLACE ((void *)1) /* Open MPI's MPI_IN_PLACE */
#define THREAD_FUNNELED 1    /* Open MPI's MPI_THREAD_FUNNELED */
#define MAX_PROCESSOR_NAME 256

static struct {
    int (*init_thread)(int *, char ***, int, int *);
    int (*comm_rank)(handle_t, int *);
    int (*comm_size)(handle_t, int *);
    int (*allreduce)(const void *, void *, int, handle_t, handle_t, handle_t);
    int (*bcast)(void *, int, handle_t, int, handle_t);
    int (*allgather)(const void *, int, handle_t, void *, int, handle_t, handle_t);
    int (*get_processor_name)(char *, int *);
    int (*finalize)(void);
    int (*abort)(handle_t, int);
    handle_t world, type_float, type_double, type_byte, op_sum;
    int rank, size;
} mpi;

int trainer_mpi_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL || getenv("PMI_RANK") != NULL;
}

int trainer_mpi_init(char *error, size_t error_size) {
    /* RTLD_GLOBAL: Open MPI's own components, which it dlopens, resolve against libmpi. */
    const char *names[] = {"libmpi.so.40", "libmpi.so"};
    void *library = NULL;
    for (size_t i = 0; i < 2 && library == NULL; i++) library = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
    if (library == NULL) {
        snprintf(error, error_size, "started by mpirun, but Open MPI's libmpi.so.40 cannot be loaded (%s); install openmpi-bin and libopenmpi-dev", dlerror());
        return 1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init_thread", (void **)&mpi.init_thread}, {"MPI_Comm_rank", (void **)&mpi.comm_rank},
        {"MPI_Comm_size", (void **)&mpi.comm_size}, {"MPI_Allreduce", (void **)&mpi.allreduce},
        {"MPI_Bcast", (void **)&mpi.bcast}, {"MPI_Allgather", (void **)&mpi.allgather},
        {"MPI_Get_processor_name", (void **)&mpi.get_processor_name},
        {"MPI_Finalize", (void **)&mpi.finalize}, {"MPI_Abort", (void **)&mpi.abort},
        {"ompi_mpi_comm_world", &mpi.world}, {"ompi_mpi_float", &mpi.type_float},
        {"ompi_mpi_double", &mpi.type_double}, {"ompi_mpi_byte", &mpi.type_byte},
        {"ompi_mpi_op_sum", &mpi.op_sum},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(library, symbols[i].name);
        if (*symbols[i].slot == NULL) {
            snprintf(error, error_size, "libmpi has no %s: trainer runs on Open MPI 4 (libmpi.so.40)", symbols[i].name);
            return 1;
        }
    }
    int provided = 0;
    if (mpi.init_thread(NULL, NULL, THREAD_FUNNELED, &provided) != 0) {
        snprintf(error, error_size, "MPI_Init_thread failed");
        return 1;
    }
    mpi.comm_rank(mpi.world, &mpi.rank);
    mpi.comm_size(mpi.world, &mpi.size);
    return 0;
}

int trainer_mpi_rank(void) { return mpi.rank; }
int trainer_mpi_size(void) { return mpi.size; }

void trainer_mpi_processor_name(char *name, size_t size) {
    char buffer[MAX_PROCESSOR_NAME + 1] = {0};
    int length = 0;
    if (mpi.get_processor_name == NULL || mpi.get_processor_name(buffer, &length) != 0) buffer[0] = 0;
    snprintf(name, size, "%s", buffer);
}

/* MPI counts are int: larger buffers go in pieces. */
static int in_pieces(char *buffer, int64_t count, size_t element, int (*call)(char *, int)) {
    while (count > 0) {
        int piece = count > INT_MAX / 2 ? INT_MAX / 2 : (int)count;
        if (call(buffer, piece) != 0) return 1;
        buffer += (size_t)piece * element;
        count -= piece;
    }
    return 0;
}

static int sum_floats(char *buffer, int count) {
    return mpi.allreduce(IN_PLACE, buffer, count, mpi.type_float, mpi.op_sum, mpi.world);
}
static int sum_doubles(char *buffer, int count) {
    return mpi.allreduce(IN_PLACE, buffer, count, mpi.type_double, mpi.op_sum, mpi.world);
}
static int broadcast_bytes(char *buffer, int count) { return mpi.bcast(buffer, count, mpi.type_byte, 0, mpi.world); }

int trainer_mpi_allreduce_sum_float(float *buffer, int64_t count) {
    return in_pieces((char *)buffer, count, sizeof(float), sum_floats);
}
int trainer_mpi_allreduce_sum_double(double *buffer, int64_t count) {
    return in_pieces((char *)buffer, count, sizeof(double), sum_doubles);
}
int trainer_mpi_broadcast(void *buffer, int64_t bytes) { return in_pieces(buffer, bytes, 1, broadcast_bytes); }

int trainer_mpi_allgather(const void *send, void *receive, int64_t bytes) {
    if (bytes > INT_MAX) return 1;
    return mpi.allgather(send, (int)bytes, mpi.type_byte, receive, (int)bytes, mpi.type_byte, mpi.world);
}

void trainer_mpi_finalize(void) {
    if (mpi.finalize != NULL) mpi.finalize();
}

void trainer_mpi_abort(int code) {
    if (mpi.abort != NULL) mpi.abort(mpi.world, code);
    exit(code);
}
