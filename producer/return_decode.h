/*
 * Which guest instructions end a trap handler (return-from-trap) or enter
 * the kernel without a trap (x86_64's fast system calls), decoded from the
 * instruction's bytes at translation time (qemu_plugin_insn_data). Pure
 * functions of the bytes: no QEMU, no state, so the unit test feeds them
 * encodings directly (tests/test_return_decode.c).
 */
#ifndef DISCON_RETURN_DECODE_H
#define DISCON_RETURN_DECODE_H

#include "discon_arch.h"

#include <stddef.h>
#include <stdint.h>

enum discon_flow_insn {
    DISCON_FLOW_NONE = 0,
    /* returns from traps */
    DISCON_FLOW_ERET,    /* aarch64 ERET */
    DISCON_FLOW_ERETA,   /* aarch64 ERETAA, ERETAB: ELR holds a signed pointer */
    DISCON_FLOW_SRET,    /* riscv64 SRET: executes in S-mode */
    DISCON_FLOW_MRET,    /* riscv64 MRET: executes in M-mode */
    DISCON_FLOW_IRET,    /* x86_64 IRET, IRETD, IRETQ */
    DISCON_FLOW_SYSRET,  /* x86_64 SYSRET, SYSRETQ: CPL 0 only */
    DISCON_FLOW_SYSEXIT, /* x86_64 SYSEXIT (either operand size): CPL 0 only */
    /* fast system calls (x86_64) */
    DISCON_FLOW_SYSCALL,
    DISCON_FLOW_SYSENTER,
};

/* The flow instruction that bytes[0..len) encode on `arch` (len is QEMU's
 * size of exactly one instruction), or DISCON_FLOW_NONE: any other
 * instruction, a length that does not fit, or an unknown arch. */
enum discon_flow_insn discon_flow_decode(enum discon_arch arch, const uint8_t *bytes, size_t len);

/* True for the return instructions (ERET .. SYSEXIT). */
static inline int discon_flow_is_return(enum discon_flow_insn f)
{
    return f >= DISCON_FLOW_ERET && f <= DISCON_FLOW_SYSEXIT;
}

/* True for the returns whose target and level sit in registers when the
 * instruction starts (aarch64 ELR_ELx/SPSR_ELx, riscv sepc/mepc and
 * mstatus), so the plugin records them there; x86_64's IRET pops its
 * target from the stack and SYSCALL/SYSENTER jump through MSRs QEMU's gdb
 * registers do not show, so those are recorded at the next block. */
static inline int discon_flow_target_in_regs(enum discon_flow_insn f)
{
    return f >= DISCON_FLOW_ERET && f <= DISCON_FLOW_MRET;
}

/* The target of an aarch64 ERETAA/ERETAB whose authentication passes, in
 * the EL1&0 regime: ELR (`ptr`) without its pointer authentication code,
 * as the Arm ARM's Strip() pseudocode takes it off (DDI 0487 K.a, J1
 * shared/functions/pac): the code fills bits [54:64-TxSZ], and [63:56]
 * too unless top-byte-ignore applies to instruction addresses; Strip puts
 * copies of bit 55 there. Bit 55 picks the range's TCR_EL1 fields: T0SZ
 * [5:0], TBI0 [37], TBID0 [51] or T1SZ [21:16], TBI1 [38], TBID1 [52].
 * TxSZ is clamped to 12..48, the sizes QEMU's translation accepts. */
uint64_t discon_a64_pac_strip(uint64_t ptr, uint64_t tcr_el1);
#endif
