/*
 * aarch64 bare-metal guest stuck re-executing a faulting instruction: the
 * handler returns to the udf at stuck_insn LOOPS times, then exits.
 * Expected traps: LOOPS exceptions from stuck_insn to vectors + 0x200.
 */
    .equ LOOPS, 5000

    .text
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    ldr     x22, =LOOPS
    isb
    .global stuck_insn
stuck_insn:
    udf     #0

    .include "semihost_exit.inc"

    .balign 0x800
    .global vectors
vectors:
    .rept 4
    b       unexpected
    .balign 0x80
    .endr
    subs    x22, x22, #1        /* +0x200: synchronous from EL1 */
    b.eq    done
    eret                        /* back to the same udf: it faults again */
    .balign 0x80
    .rept 11
    b       unexpected
    .balign 0x80
    .endr
