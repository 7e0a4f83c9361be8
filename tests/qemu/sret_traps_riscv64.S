/*
 * riscv64 bare-metal guest for `-M virt -bios none -m 128M` whose trap
 * returns trap instead of returning, for returns_that_trap.sh (RISC-V
 * privileged spec 20211203, 3.3.2 "Trap-Return Instructions" and 3.1.6.5
 * on TSR): SRET is an illegal instruction in U-mode, and in S-mode while
 * mstatus.TSR is set. Nothing is delegated: every trap goes to mtrap.
 *   user_mret   M: mret to U (mstatus.MPP = U)
 *   user_sret   U: sret, SRET_COUNT times   mcause 2; mtrap steps over it
 *                                           and mrets back (mtrap_mret)
 *   user_ecall  U: ecall                    mcause 8; mtrap sets TSR and
 *                                           enters S (super_mret)
 *   super_sret  S: sret under TSR           mcause 2; back through mtrap_mret
 *   super_ecall S: ecall                    mcause 9; mtrap ends QEMU
 * Any other trap ends QEMU with status 3 (virt's test finisher).
 */
    .ifndef SRET_COUNT          /* as --defsym SRET_COUNT=N overrides it */
    .equ SRET_COUNT, 3
    .endif
    .equ FINISHER, 0x100000     /* sifive_test: 0x5555 exit 0, code << 16 | 0x3333 fail */
    .equ MSTATUS_MPP, 0x1800
    .equ MPP_S, 0x800
    .equ MSTATUS_TSR, 1 << 22

    .text
    .global _start
_start:
    .include "riscv64_m_start.inc"
    mret_to_user

    .global user
user:
    li      s1, SRET_COUNT
1:
    .global user_sret
user_sret:
    sret                        /* in U: an illegal instruction */
    addi    s1, s1, -1
    bnez    s1, 1b
    li      a7, 93
    .global user_ecall
user_ecall:
    ecall

    .global super
super:
    .global super_sret
super_sret:
    sret                        /* in S under TSR: an illegal instruction */
    .global super_ecall
super_ecall:
    ecall
2:  j       2b

    .balign 4
mtrap:
    csrr    t0, mcause
    li      t1, 2               /* illegal instruction: step over it */
    beq     t0, t1, step
    li      t1, 8               /* ecall from U: on to S with TSR set */
    beq     t0, t1, to_super
    li      t1, 9               /* ecall from S: the end */
    beq     t0, t1, finish
    li      t1, (3 << 16) | 0x3333
    j       finisher
step:
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    .global mtrap_mret
mtrap_mret:
    mret                        /* MPP holds the level that trapped */
to_super:
    la      t0, super
    csrw    mepc, t0
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    li      t0, MPP_S | MSTATUS_TSR
    csrs    mstatus, t0
    .global super_mret
super_mret:
    mret
finish:
    li      t1, 0x5555
finisher:
    li      t0, FINISHER
    sw      t1, 0(t0)
3:  j       3b
