/*
 * aarch64 bare-metal guest for `-M virt -cpu cortex-a57 -m 128M
 * -semihosting` that takes four known synchronous exceptions at EL1, each
 * once, in this order, for the cause test (aarch64_causes.sh):
 *   svc_insn    svc #0x123 with x8 = SYSCALL_NR   from svc_insn + 4
 *   udf_insn    udf #0                             from udf_insn
 *   abort_insn  ldr x1, [x2], x2 = ABORT_ADDR      from abort_insn
 *   brk_insn    brk #0x42                          from brk_insn
 * all to vectors + 0x200 (current EL, SPx, synchronous). The handler
 * returns past the faulting instruction (the svc's preferred return
 * address is already past it). SYS_EXIT ends QEMU without a callback.
 */
    .equ SYSCALL_NR, 221
    .ifndef ABORT_ADDR
    .equ ABORT_ADDR, 0x50000000 /* past the 128 MiB of RAM at 0x40000000: no device */
    .endif

    .text
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    mov     x8, #SYSCALL_NR
    .global svc_insn
svc_insn:
    svc     #0x123
    .global udf_insn
udf_insn:
    udf     #0
    ldr     x2, =ABORT_ADDR
    .global abort_insn
abort_insn:
    ldr     x1, [x2]
    .global brk_insn
brk_insn:
    brk     #0x42
    b       done

    .include "semihost_exit.inc"

    .balign 0x800
    .global vectors
vectors:
    .rept 4
    b       unexpected
    .balign 0x80
    .endr
    mrs     x9, esr_el1         /* +0x200: synchronous from EL1 */
    lsr     x9, x9, #26
    cmp     x9, #0x15           /* SVC64: ELR is already past the svc */
    b.eq    1f
    mrs     x10, elr_el1
    add     x10, x10, #4
    msr     elr_el1, x10
1:
    .global handler_eret        /* returns=on: one RETURN per trap, from here */
handler_eret:
    eret
    .balign 0x80
    .rept 11
    b       unexpected
    .balign 0x80
    .endr
