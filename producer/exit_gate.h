/*
 * The exit gate: ordering (a) of discon_ring.h. QEMU's exit hook must store
 * FINISHED only after every vCPU's last head store; but a vCPU can still be
 * in its callback when the hook runs (one vCPU exits QEMU, e.g. by
 * semihosting SYS_EXIT, while the others run). Each vCPU marks itself
 * inside the callback; the hook closes the gate, then waits until no vCPU
 * is inside. Callbacks that find the gate closed record nothing: they come
 * after the exit began.
 *
 * This is Dekker's pattern (store my flag, full barrier, load yours) made
 * asymmetric: the vCPU side, run per event, has only a compiler barrier,
 * and the hook's membarrier(2) (MEMBARRIER_CMD_PRIVATE_EXPEDITED) puts a
 * full barrier into every running thread of the process, as userspace RCU
 * does. Where membarrier is missing, the vCPU side uses a real fence.
 */
#ifndef DISCON_EXIT_GATE_H
#define DISCON_EXIT_GATE_H

#include "discon_ring.h"

#include <stdbool.h>

struct discon_gate_slot {
    alignas(DISCON_CACHELINE) _Atomic uint32_t inside; /* callbacks inside now */
};

struct discon_exit_gate {
    _Atomic bool closed;
    bool membarrier; /* registered: the vCPU side needs no fence */
    uint32_t nslots;
    struct discon_gate_slot *slots;
};

/* nslots slots, one per vCPU thread that has its own. 0, or -1 (no memory). */
int discon_exit_gate_init(struct discon_exit_gate *g, uint32_t nslots);

/* Close the gate; returns once no callback is inside. A vCPU blocked on a
 * full ring holds this up to block_timeout, until the consumer drains. */
void discon_exit_gate_close(struct discon_exit_gate *g);

static inline void discon_gate_fence(const struct discon_exit_gate *g)
{
    if (g->membarrier)
        atomic_signal_fence(memory_order_seq_cst); /* discon_exit_gate_close's membarrier */
    else
        atomic_thread_fence(memory_order_seq_cst); /* pairs with the fence in _close */
}

/* Enter slot s, owned by the calling thread. False: the gate is closed. */
static inline bool discon_gate_enter(struct discon_exit_gate *g, uint32_t s)
{
    _Atomic uint32_t *inside = &g->slots[s].inside;
    atomic_store_explicit(inside, 1, memory_order_relaxed); /* ordered by the fence */
    discon_gate_fence(g);
    if (__builtin_expect(!atomic_load_explicit(&g->closed, memory_order_relaxed), 1))
        return true;
    atomic_store_explicit(inside, 0, memory_order_relaxed); /* nothing done to publish */
    return false;
}

static inline void discon_gate_leave(struct discon_exit_gate *g, uint32_t s)
{
    /* Pairs with the acquire of inside in discon_exit_gate_close(): the
     * callback's head store happens before the hook's FINISHED store. */
    atomic_store_explicit(&g->slots[s].inside, 0, memory_order_release);
}

/* The same for a slot that several threads share (vCPUs beyond the rings):
 * a counter, whose read-modify-write is itself a full barrier. */
static inline bool discon_gate_enter_shared(struct discon_exit_gate *g, uint32_t s)
{
    atomic_fetch_add_explicit(&g->slots[s].inside, 1, memory_order_seq_cst);
    if (!atomic_load_explicit(&g->closed, memory_order_seq_cst))
        return true;
    /* Relaxed undo, no pair: nothing was published inside, so close()
     * need not see anything before it (like the undo in discon_gate_enter()). */
    atomic_fetch_sub_explicit(&g->slots[s].inside, 1, memory_order_relaxed);
    return false;
}

static inline void discon_gate_leave_shared(struct discon_exit_gate *g, uint32_t s)
{
    /* Pairs with the acquire of inside in discon_exit_gate_close(). */
    atomic_fetch_sub_explicit(&g->slots[s].inside, 1, memory_order_release);
}

#endif
