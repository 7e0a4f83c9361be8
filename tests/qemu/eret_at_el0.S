/*
 * aarch64 bare-metal guest for `-M virt -cpu cortex-a57 -semihosting`
 * whose EL0 code executes `eret`, which is UNDEFINED at EL0 (Arm ARM DDI
 * 0487, C6.2 "ERET"): it traps instead of returning, for
 * returns_that_trap.sh. EL1 enters EL0 with an eret (entry_eret); EL0
 * executes el0_eret ERET_COUNT times; each is an Undefined Instruction
 * exception (ESR_EL1.EC 0, ELR_EL1 = the eret) taken to vectors + 0x400,
 * whose handler steps over it and erets back (handler_eret). Then EL0
 * makes one svc, whose handler exits through semihosting. Any other
 * exception ends QEMU with status 3.
 */
    .ifndef ERET_COUNT          /* as --defsym ERET_COUNT=N overrides it */
    .equ ERET_COUNT, 5
    .endif
    .equ EC_UNKNOWN, 0x00
    .equ EC_SVC64, 0x15

    .text
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    adr     x0, el0_entry
    msr     elr_el1, x0
    msr     spsr_el1, xzr       /* EL0t, interrupts unmasked: none is enabled */
    isb
    .global entry_eret
entry_eret:
    eret

    .global el0_entry
el0_entry:
    mov     x19, #ERET_COUNT
1:
    .global el0_eret
el0_eret:
    eret                        /* at EL0: an Undefined Instruction exception */
    subs    x19, x19, #1
    b.ne    1b
    mov     x8, #93             /* the svc's "system call number", recorded */
    .global el0_svc
el0_svc:
    svc     #0
    b       unexpected          /* the svc handler never returns */

    .include "semihost_exit.inc"

    .balign 0x800
    .global vectors
vectors:
    .rept 8                     /* current EL: nothing may trap at EL1 */
    b       unexpected
    .balign 0x80
    .endr
    mrs     x0, esr_el1         /* +0x400: synchronous from EL0 */
    lsr     x0, x0, #26         /* EC */
    cmp     x0, #EC_SVC64
    b.eq    done
    cmp     x0, #EC_UNKNOWN
    b.ne    unexpected
    mrs     x0, elr_el1         /* the eret itself: step over it */
    add     x0, x0, #4
    msr     elr_el1, x0
    .global handler_eret
handler_eret:
    eret
    .balign 0x80
    .rept 7
    b       unexpected
    .balign 0x80
    .endr
