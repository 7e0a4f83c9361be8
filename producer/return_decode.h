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
    DISCON_FLOW_ERET,    /* aarch64 ERET, ERETAA, ERETAB */
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

#endif
