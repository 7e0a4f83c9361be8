/*
 * aarch64 bare-metal guest for `-M virt -cpu cortex-a57 -semihosting`:
 * executes `svc #0` SVC_COUNT times (one instruction, in a loop), then one
 * semihosting SYS_WRITE0, then SYS_EXIT. Expected discontinuities, exactly:
 *   SVC_COUNT x EXCEPTION  from svc_insn + 4 (preferred return) to vectors + 0x200
 *   1 x HOSTCALL           from semihost_call to semihost_call + 4
 * SYS_EXIT ends QEMU without a callback. Any other exception lands in a
 * vector that exits with a failure status.
 */
    .ifndef SVC_COUNT       /* as --defsym SVC_COUNT=N overrides it */
    .equ SVC_COUNT, 1000
    .endif
    .equ SYS_WRITE0, 0x04

    .text
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    ldr     x19, =SVC_COUNT
1:
    .global svc_insn
svc_insn:
    svc     #0
    subs    x19, x19, #1
    b.ne    1b

    mov     x0, #SYS_WRITE0
    adr     x1, message
    .global semihost_call
semihost_call:
    hlt     #0xf000

    .include "semihost_exit.inc" /* falls through to `done` */

    .balign 0x800
    .global vectors
vectors:
    .rept 4                 /* current EL with SP0 */
    b       unexpected
    .balign 0x80
    .endr
    eret                    /* current EL with SPx, synchronous: our svc */
    .balign 0x80
    .rept 11                /* everything else */
    b       unexpected
    .balign 0x80
    .endr

message:
    .asciz  "discon: semihosting from the test guest\n"
