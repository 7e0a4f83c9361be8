/*
 * Returns from traps (plugin option returns=on, the default) and x86_64
 * fast system calls (recorded when the SYSCALL type is): QEMU's discontinuity API reports trap entries
 * only, so the plugin instruments, at translation time, just the
 * instructions that leave a handler (return_decode.h) and x86_64's
 * syscall/sysenter, and records RETURN and SYSCALL events
 * (schema/discon_types.h) into the same per-vCPU ring as the traps.
 *
 * How, with no callback on ordinary code (the translation callback
 * decodes only a block's last instruction: each of these ends its block):
 *  - aarch64 and riscv64: a return loads its target and level from
 *    registers (ELR_ELx and SPSR_ELx; sepc or mepc and mstatus), so an
 *    exec callback at the instruction reads them (3 reads, ~300 ns, only
 *    there) and records the RETURN before it runs; one that will trap
 *    instead (ERET at EL0, SRET in U-mode...) records nothing
 *    (discon_cause_return_target). An interrupt taken right after it
 *    comes after its RETURN, from_pc = the target.
 *  - x86_64: IRET pops its target from the stack and SYSCALL/SYSENTER
 *    jump through MSRs gdb does not show, so these are recorded at the
 *    next block. At a return instruction, inline per-vCPU stores (no
 *    call) mark it pending: its kind, its address and its translation
 *    block's start. A syscall/sysenter gets an exec callback instead, the
 *    event itself, that reads rax (the system-call number) and cs and
 *    marks it pending.
 *  - Then (x86_64) every translation block gets a conditional callback
 *    that QEMU calls only when the vCPU's pending word is not 0: the
 *    first block run after the instruction. It records the event with
 *    to_pc = that block's first PC (known at translation, passed as user
 *    data) and the level now running (one register read; none after
 *    sysret/sysexit, which always return to CPL 3), and clears pending.
 *    Every block, chained or not, runs its callbacks, so a pending event
 *    is recorded once. That check on every block is what the register
 *    path saves: on an aarch64 Linux boot it cost 8% of QEMU's CPU time.
 *  - A trap taken before any block ran (an interrupt pending at the
 *    return, a fault fetching its target) reaches the discontinuity
 *    callback with pending set: discon_returns_before_trap() gives the
 *    RETURN to record first, with to_pc = the trap's from_pc (the PC the
 *    vCPU was about to run) and no to_level (the registers already show
 *    the handler). If instead the trap's from_pc is the pending
 *    instruction itself (or, on x86_64, which may report an exception at
 *    its block's start, that block's start), the instruction faulted: no
 *    event.
 * Hot path: a callback at each aarch64/riscv64 return; on x86_64 inline
 * stores and one conditional branch per block. The callbacks do one to
 * four register reads and no syscall, lock or allocation. System emulation only: in user mode QEMU runs no kernel.
 */
#ifndef DISCON_PLUGIN_RETURNS_H
#define DISCON_PLUGIN_RETURNS_H

#include "discon_ring.h"
#include "plugin_cause.h"
#include "qemu_plugin_api.h"

#include <stdbool.h>

/* Records one event of vCPU `vcpu` (sets its time): the plugin's path into
 * the ring. */
typedef void (*discon_emit_fn)(unsigned vcpu, struct discon_record *rec);

struct discon_returns {
    enum discon_arch arch;
    bool returns;  /* instrument return instructions (types has RETURN) */
    bool syscalls; /* instrument syscall/sysenter (x86_64, types has SYSCALL) */
    bool active;   /* returns or syscalls, on a target with known returns */
    struct qemu_plugin_scoreboard *sb; /* x86_64: struct discon_pending per vCPU */
    qemu_plugin_u64 pending, from_pc, tb_pc;
    struct discon_cause *levels; /* the level register reads */
    discon_emit_fn emit;
};

/* Set up for `target`, recording the event types in `types` (a mask).
 * Nothing is instrumented when the target has no known return
 * instructions or types asks for neither RETURN nor SYSCALL; r->sb (the
 * pending words) is allocated for x86_64 only. Returns -1 if QEMU could not
 * allocate the scoreboard. */
int discon_returns_init(struct discon_returns *r, const char *target, uint32_t types,
                        struct discon_cause *levels, discon_emit_fn emit);

/* True if there is something to instrument (register the translation
 * callback with discon_returns_on_tb_trans and r as user data). */
static inline bool discon_returns_active(const struct discon_returns *r)
{
    return r->active;
}

/* True if events wait for the next block (x86_64): then every trap must
 * reach the discontinuity callback, which records a waiting one first
 * (discon_returns_before_trap), whatever types were asked for. */
static inline bool discon_returns_wait_for_block(const struct discon_returns *r)
{
    return r->sb != NULL;
}

/* QEMU's translation callback; userdata is the struct discon_returns. */
void discon_returns_on_tb_trans(struct qemu_plugin_tb *tb, void *userdata);

/* In the discontinuity callback of vCPU `vcpu`, before its trap's record:
 * if an instruction is pending, clear it; return true with *rec filled
 * (time not set) if it completed, so the caller records that event first. */
bool discon_returns_before_trap(struct discon_returns *r, unsigned vcpu, uint64_t from_pc,
                                struct discon_record *rec);

#endif
