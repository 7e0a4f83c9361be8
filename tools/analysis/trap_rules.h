/*
 * The rules that say a guest's traps went wrong, shared by discon-report
 * (its fault-loop and double-trap sections) and discond's flight recorder
 * (its fault-loop and double-trap triggers), so both see the same events
 * the same way. Fed the traps of schema/discon_traps.h, per vCPU in
 * sequence order; plain data, no allocation.
 */
#ifndef DISCON_TRAP_RULES_H
#define DISCON_TRAP_RULES_H

#include "discon_traps.h"
#include "trap_kind.h"

#include <stdbool.h>
#include <stdint.h>

/* Default fault-loop threshold: a kernel resolves a fault in one or two
 * retries (map the page, then break copy-on-write), so 100 exceptions of
 * one kind in a row from one PC is far beyond any recovery. Measured on the
 * Linux boots the suite records (aarch64, x86_64, riscv64, -smp 2): no run
 * is longer than 5 (an x86 #BP), once calls are no loops. */
#define DISCON_LOOP_DEFAULT 100
/* Default double-trap rule: bytes after the first handler's entry that
 * count as its entry, and (without returns) the time the second may
 * follow within. */
#define DISCON_DOUBLE_WINDOW 256
#define DISCON_DOUBLE_TIME_BOUND_NS 10000000u

/* A run of exceptions of one kind from one PC to one handler (and one
 * fault address where recorded) on one vCPU; interrupts in between do not
 * end it (they are asynchronous: the instruction did not move on), any
 * other trap does, and so does a system or firmware call (a call returns
 * past its instruction: a tight loop of them is a program's choice). */
struct discon_fault_loop {
    uint32_t vcpu;
    uint8_t type;
    uint64_t from_pc, to_pc, count, first_ns, last_ns;
    struct discon_trap first;       /* its first exception */
    unsigned stream_kind;           /* kind id by the namer it was fed with */
    const struct discon_kind *kind; /* set by whoever names it again (symbols); or NULL */
};

/* Feed trap t of run's vCPU (run zeroed before its first trap). The kind
 * comes from n (without symbols x86_64 kinds read "unknown", but an equal
 * handler means an equal vector). true when t ended the run in progress
 * (count >= 1): it is copied to *ended first. run->count is the length
 * of the run t is now part of (0: none). */
bool discon_fault_loop_feed(struct discon_fault_loop *run, struct discon_trap_namer *n,
                            const struct discon_trap *t, struct discon_fault_loop *ended);

/* Without returns (the distance rule): t was taken inside the handler of
 * prev, the vCPU's trap before it, before that handler could have
 * returned: t an exception (an interrupt is asynchronous, never caused by
 * the handler), taken to the level prev went to (where both recorded it:
 * riscv's M-level IPI during a kernel handler is the firmware's), from
 * within `window` bytes after prev's handler and `time_bound_ns` after
 * it. A host call is handled by QEMU, and an x86 exception without its
 * delivery has no known handler: neither is a first. */
bool discon_double_after(const struct discon_trap *prev, const struct discon_trap *t,
                         uint64_t window, uint64_t time_bound_ns);

/* With returns (exact nesting): t is an exception taken while a handler
 * of its level or a more privileged one had not returned, from inside
 * that handler's entry (its first `window` bytes). open: the nopen traps
 * open when t was taken (discon_traps_open during the emit of t). Levels
 * count up (aarch64 ELs, riscv modes) unless x86 (a CPL counts down).
 * Why the entry: a kernel takes exceptions inside its handlers on purpose
 * once it has saved what the first trap needs (a page fault in
 * copy_from_user during a system call); a trap taken before the handler
 * got that far is the one that loses state (x86 #DF, RISC-V's Ssdbltrp). */
bool discon_double_nested(bool x86, const struct discon_trap *open, size_t nopen,
                          const struct discon_trap *t, uint64_t window);

#endif
