#define _GNU_SOURCE
#include "exit_gate.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0, 0); }

int discon_exit_gate_init(struct discon_exit_gate *g, uint32_t nslots)
{
    *g = (struct discon_exit_gate){.nslots = nslots};
    g->slots = aligned_alloc(DISCON_CACHELINE, (size_t)nslots * sizeof *g->slots);
    if (!g->slots)
        return -1;
    for (uint32_t i = 0; i < nslots; i++)
        atomic_init(&g->slots[i].inside, 0);
    atomic_init(&g->closed, false);
    /* Linux 4.14+. Without it every callback pays a full fence instead. */
    g->membarrier = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    return 0;
}

void discon_exit_gate_close(struct discon_exit_gate *g)
{
    if (!g->slots)
        return;
    /* Relaxed, then a full barrier in every thread: pairs with the fence
     * between a vCPU's store of inside and its load of closed. */
    atomic_store_explicit(&g->closed, true, memory_order_relaxed);
    if (g->membarrier && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
        membarrier(MEMBARRIER_CMD_GLOBAL) != 0)
        fprintf(stderr, "discon: membarrier failed at exit: the last records of a running "
                        "vCPU may follow the finished mark\n");
    atomic_thread_fence(memory_order_seq_cst); /* pairs with discon_gate_fence() */
    for (uint32_t i = 0; i < g->nslots; i++)
        /* Pairs with the release in discon_gate_leave*(). */
        while (atomic_load_explicit(&g->slots[i].inside, memory_order_acquire) != 0)
            sched_yield();
}
