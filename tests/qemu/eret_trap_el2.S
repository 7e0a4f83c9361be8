/*
 * aarch64 bare-metal guest for `-M virt,virtualization=on -cpu max
 * -semihosting`, started at EL2, whose EL1 executes an `eret` that traps
 * to EL2 instead of returning (Arm ARM DDI 0487, C6.2 "ERET"): under
 * HCR_EL2.NV (FEAT_NV), or with --defsym FGT=1 under the fine-grained
 * trap HFGITR_EL2.ERET (FEAT_FGT), for returns_that_trap.sh. EL2 enters
 * EL1 with an eret (entry_eret); EL1's eret (el1_eret, ELR_EL1 a bogus
 * 0xdead1000) is an exception with ESR_EL2.EC 0x1a taken to vec2 + 0x400,
 * whose handler exits through semihosting. Anything else exits with 3.
 */
    .arch armv8.4-a
    .ifndef FGT
    .equ FGT, 0
    .endif
    .text
    .global _start
_start:
    mrs     x0, CurrentEL
    cmp     x0, #8
    b.ne    unexpected
    adr     x0, vec2
    msr     vbar_el2, x0
    mov     x0, #(1 << 31)
    .if FGT
    msr     hcr_el2, x0              /* RW */
    mov     x0, #(1 << 51)           /* HFGITR_EL2.ERET */
    msr     S3_4_C1_C1_6, x0         /* HFGITR_EL2 */
    .else
    orr     x0, x0, #(1 << 42)       /* RW, NV: ERET at EL1 traps to EL2 */
    msr     hcr_el2, x0
    .endif
    adr     x0, el1_entry
    msr     elr_el2, x0
    mov     x0, #0x3c5
    msr     spsr_el2, x0
    ldr     x0, =0xdead1000
    msr     elr_el1, x0
    msr     spsr_el1, xzr
    isb
    .global entry_eret
entry_eret:
    eret
el1_entry:
    .global el1_eret
el1_eret:
    eret
    b       unexpected
    .include "semihost_exit.inc"
    .balign 0x800
vec2:
    .rept 8
    b       unexpected
    .balign 0x80
    .endr
    mrs     x0, esr_el2
    lsr     x0, x0, #26
    cmp     x0, #0x1a               /* EC: ERET trapped */
    b.ne    unexpected
    b       done
    .balign 0x80
    .rept 7
    b       unexpected
    .balign 0x80
    .endr
    .ltorg
