/*
 * aarch64 bare-metal guest with exactly one double trap: EL0 code makes
 * system calls; after NORMAL_SVCS of them the EL1 handler switches to a
 * vector table whose EL0 entry faults on its first instruction (udf), so
 * that trap is taken in the entry path of the previous one. Then exit.
 * Expected traps: NORMAL_SVCS + 1 svc exceptions from el0_svc + 4, and one
 * exception from faulting_entry to vectors_b + 0x200.
 */
    .equ NORMAL_SVCS, 10

    .text
    .global _start
_start:
    adr     x0, vectors_a
    msr     vbar_el1, x0
    mov     x21, #NORMAL_SVCS
    adr     x0, el0_svc
    msr     elr_el1, x0
    msr     spsr_el1, xzr       /* EL0t */
    adr     x0, stack_top
    msr     sp_el0, x0
    isb
    eret

    .global el0_svc
el0_svc:
    svc     #0
    b       el0_svc

    .include "semihost_exit.inc"

    .balign 0x800
vectors_a:                      /* normal system calls */
    .rept 8
    b       unexpected
    .balign 0x80
    .endr
    subs    x21, x21, #1        /* +0x400: synchronous from EL0 */
    b.ne    1f
    adr     x0, vectors_b       /* the next one goes to the faulty table */
    msr     vbar_el1, x0
    isb
1:  eret
    .balign 0x80
    .rept 7
    b       unexpected
    .balign 0x80
    .endr

    .balign 0x800
    .global vectors_b
vectors_b:
    .rept 4
    b       unexpected
    .balign 0x80
    .endr
    b       done                /* +0x200: synchronous from EL1: the fault below */
    .balign 0x80
    .rept 3
    b       unexpected
    .balign 0x80
    .endr
    .global faulting_entry
faulting_entry:                 /* +0x400: its first instruction faults */
    udf     #0
    .balign 0x80
    .rept 7
    b       unexpected
    .balign 0x80
    .endr

    .balign 16
    .skip   1024
stack_top:
