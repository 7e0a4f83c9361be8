/*
 * riscv64 bare-metal guest for `-M virt -bios none -m 128M` that takes four
 * known traps, each once, in this order, for riscv64_causes.sh:
 *   load_insn    M: ld from ABORT_ADDR (no device)  mcause 5, mtval ABORT_ADDR
 *   illegal_insn M: an all-zero word                mcause 2
 *   mecall_insn  M: ecall                           mcause 11 (from M)
 *   uecall_insn  U: ecall with a7 = 64, delegated   scause 8 (from U), to S
 * The M handler (mtrap) returns past the trapping instruction with mret
 * (mtrap_mret: three RETURN events, M to M); _start enters U-mode with an
 * mret too (user_mret: M to U); the S handler (strap) ends QEMU through
 * virt's test finisher without returning.
 */
    .equ ABORT_ADDR, 0x90000000 /* past the 128 MiB of RAM at 0x80000000 */
    .equ FINISHER, 0x100000     /* sifive_test: 0x5555 = exit 0 */

    .text
    .global _start
_start:
    .include "riscv64_m_start.inc"
    la      t0, strap
    csrw    stvec, t0
    li      t1, ABORT_ADDR
    .global load_insn
load_insn:
    ld      t2, 0(t1)
    .global illegal_insn
illegal_insn:
    .word   0
    .global mecall_insn
mecall_insn:
    ecall
    li      t0, 1 << 8          /* delegate ecall from U to S */
    csrw    medeleg, t0
    mret_to_user
    .global user
user:
    li      a7, 64
    .global uecall_insn
uecall_insn:
    ecall
1:  j       1b

    .balign 4
mtrap:
    csrr    t3, mepc
    addi    t3, t3, 4
    csrw    mepc, t3
    .global mtrap_mret
mtrap_mret:
    mret

    .balign 4
    .global strap
strap:
    li      t0, FINISHER
    li      t1, 0x5555
    sw      t1, 0(t0)
2:  j       2b
