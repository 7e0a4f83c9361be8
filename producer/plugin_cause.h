/*
 * What the plugin reads from the guest's registers: the trap's cause,
 * inside the discontinuity callback (plugin option cause=on, the
 * default), and for returns (returns=on) the level now and the target a
 * return instruction is about to load (plugin_returns.h).
 *
 * Register handles are looked up once per vCPU, on its own thread, when
 * QEMU initialises it (discon_cause_vcpu_init); each vCPU also gets its
 * read buffer then. The callback (discon_cause_read) only reads: no
 * syscall, lock or allocation. Each read costs 60-130 ns
 * (shared/QEMU-FACTS), more than the rest of the record path, so each
 * trap reads only the registers its kind needs:
 *
 *   aarch64  EXCEPTION: ESR of the level it went to, then FAR for aborts,
 *            PC alignment and watchpoints, x8 for SVC64 (2-3 reads);
 *            INTERRUPT: the level only. The level is cpsr.EL, read only
 *            when the CPU has EL2 or EL3 (without them every trap goes to
 *            EL1). ESR is not written by interrupts or host calls, so they
 *            get no cause rather than a stale one; a HOSTCALL's cause is
 *            x0 instead (1 read): the PSCI/SMCCC function or semihosting
 *            operation QEMU handled, which tells a guest's power-off or
 *            reset (consumer/guest_end.h).
 *   riscv64  EXCEPTION and INTERRUPT: priv (the level it went to), then
 *            scause or mcause, then stval/mtval where it holds an address
 *            or a7 for an ecall from U-mode (2-3 reads).
 *   x86_64   EXCEPTION: cr2 (1 read). QEMU reports each exception first
 *            as an EXCEPTION before the vector is known, with cr2 already
 *            updated for a page fault; the analysis tools identify the
 *            vector from the handler (other vectors leave cr2 as the last
 *            page fault set it: the value means something for #PF only).
 *   others   nothing.
 *
 * The level a trap came from is recorded only where the cause says it
 * without another read: aarch64 ESR.EC's "lower EL" / "same EL" pairs
 * (aborts, breakpoints, steps, watchpoints) and riscv's ecall causes
 * (8 U, 9 S, 11 M). Reading SPSR_ELx or sstatus.SPP for the rest would
 * add a read (~100 ns) to every trap.
 *
 * A return whose target sits in registers costs 3 reads at the
 * instruction (discon_cause_return_target); that is cheaper than a check
 * on every translation block, the other way to learn where it went.
 */
#ifndef DISCON_PLUGIN_CAUSE_H
#define DISCON_PLUGIN_CAUSE_H

#include "discon_arch.h"
#include "discon_ring.h"
#include "qemu_plugin_api.h"
#include "return_decode.h"

#include <stdatomic.h>
#include <stdbool.h>

#define DISCON_CAUSE_MAX_REGS 19

/* One vCPU's handles (NULL: the CPU has no such register) and buffer.
 * Written on the vCPU's thread before it runs, read only there. */
struct discon_cause_vcpu {
    GByteArray *buf;
    struct qemu_plugin_register *reg[DISCON_CAUSE_MAX_REGS];
    bool has_el2_el3; /* aarch64: the level needs a read of cpsr */
};

struct discon_cause {
    enum discon_arch arch; /* DISCON_ARCH_UNKNOWN: nothing is read */
    bool causes;           /* cause=on: discon_cause_read reads */
    bool levels;           /* levels and return targets are read (returns=on) */
    uint32_t nvcpus;
    struct discon_cause_vcpu *vcpu; /* nvcpus entries; NULL: cause=off */
    atomic_flag warned;             /* one message about missing registers */
};

/* Set up for `target` (QEMU's target name) and nvcpus vCPUs. `on`: read
 * trap causes (discon_cause_read); `levels`: read what returns need
 * (discon_cause_level_now, discon_cause_return_target, and
 * discon_cause_syscall_nr). With neither, or a target without
 * cause registers, nothing is ever read. Returns -1 if out of memory. */
int discon_cause_init(struct discon_cause *c, const char *target, uint32_t nvcpus, bool on,
                      bool levels);

/* On vCPU `vcpu`'s thread, before it runs: look its registers up. A
 * register the CPU lacks turns off what it serves, with one message. */
void discon_cause_vcpu_init(struct discon_cause *c, unsigned vcpu);

/* In the callback of vCPU `vcpu` (< nvcpus): fill rec's cause fields. */
void discon_cause_read(struct discon_cause *c, unsigned vcpu, uint8_t type,
                       struct discon_record *rec);

/* On x86_64 vCPU `vcpu`'s thread, in a callback registered with R_REGS:
 * the CPL it runs at now, from cs (one read, 60-130 ns). False on other
 * targets, if levels are off, or if the read failed. */
bool discon_cause_level_now(struct discon_cause *c, unsigned vcpu, uint8_t *level);

/* x86_64, at a syscall/sysenter (R_REGS callback): the system-call number,
 * rax (Linux's register for it). False elsewhere or if the read failed. */
bool discon_cause_syscall_nr(struct discon_cause *c, unsigned vcpu, uint64_t *nr);

/* On vCPU `vcpu`'s thread, in an R_REGS callback at a return whose target
 * sits in registers (discon_flow_target_in_regs: aarch64 ERET, ERETAA,
 * ERETAB; riscv64 SRET, MRET), before it runs: fill rec's to_pc,
 * from_level and to_level (and their `has` bits) from what the
 * instruction is about to load: 3 reads (cpsr, ELR_ELx, SPSR_ELx; priv,
 * mstatus, sepc/mepc; ERETAA/ERETAB at EL1 a 4th, TCR_EL1), about 300 ns.
 * False if levels are off, a read failed, or the instruction traps
 * instead of returning at the level it runs at (ERET at EL0, or at EL1
 * when EL2 traps it: HCR_EL2.NV, HFGITR_EL2.ERET, read only on a CPU with
 * EL2; SRET in U, or in S under mstatus.TSR; MRET below M): then it
 * records nothing. */
bool discon_cause_return_target(struct discon_cause *c, unsigned vcpu, enum discon_flow_insn f,
                                struct discon_record *rec);

#endif
