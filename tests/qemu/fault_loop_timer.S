/*
 * aarch64 bare-metal guest (-M virt,gic-version=2 -cpu cortex-a57
 * -semihosting, run with -icount shift=0 for a deterministic interleaving):
 * the udf at stuck_insn faults LOOPS times in a row - its handler returns
 * to it unchanged - while the EL1 virtual timer (PPI 27 through the GICv2)
 * interrupts every 1/TICK_HZ s of virtual time, as a kernel's tick would.
 * Expected: one fault loop of exactly LOOPS exceptions from stuck_insn to
 * vectors + 0x200; the timer interrupts between them, taken at the same
 * udf, are asynchronous and do not end it.
 * With --defsym WARMUP=N it first makes N system calls (svc, from one PC:
 * a call, never a fault loop) through the same handler, so the loop
 * starts after a stretch of ordinary traps (the flight recorder's
 * fault-loop trigger test, snapshot_fault_loop.sh).
 */
    .ifndef LOOPS                   /* as --defsym LOOPS=N overrides it */
    .equ LOOPS, 20000
    .endif
    .equ TICK_HZ, 500000            /* 2 us of virtual time between ticks */
    .equ GICD_BASE, 0x08000000      /* -M virt's GICv2 distributor */
    .equ GICC_BASE, 0x08010000      /* and CPU interface */
    .equ GICD_CTLR, 0x000
    .equ GICD_ISENABLER0, 0x100
    .equ GICC_CTLR, 0x000
    .equ GICC_PMR, 0x004
    .equ GICC_IAR, 0x00c
    .equ GICC_EOIR, 0x010
    .equ VTIMER_PPI, 27

    .text
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    ldr     x0, =GICD_BASE
    mov     w1, #1
    str     w1, [x0, #GICD_CTLR]
    mov     w1, #(1 << VTIMER_PPI)
    str     w1, [x0, #GICD_ISENABLER0]
    ldr     x0, =GICC_BASE
    mov     w1, #0xff               /* let every priority through */
    str     w1, [x0, #GICC_PMR]
    mov     w1, #1
    str     w1, [x0, #GICC_CTLR]
    mrs     x0, cntfrq_el0
    ldr     x1, =TICK_HZ
    udiv    x9, x0, x1              /* x9: timer ticks per period, for the handler */
    msr     cntv_tval_el0, x9
    mov     x0, #1                  /* CNTV_CTL: enabled, not masked */
    msr     cntv_ctl_el0, x0
    ldr     x22, =LOOPS             /* x22: faults still to take */
    ldr     x23, =GICC_BASE
    isb
    msr     daifclr, #2             /* IRQs on */
    .ifdef WARMUP
    ldr     x24, =WARMUP
    add     x22, x22, x24           /* the handler counts the svcs down too */
    .global warmup_svc
warmup_svc:
    svc     #0
    subs    x24, x24, #1
    b.ne    warmup_svc
    .endif
    .global stuck_insn
stuck_insn:
    udf     #0

    .include "semihost_exit.inc"

    .balign 0x800
    .global vectors
vectors:
    .rept 4                         /* current EL with SP_EL0: not used */
    b       unexpected
    .balign 0x80
    .endr
    /* +0x200: synchronous, current EL with SP_ELx: the udf */
    subs    x22, x22, #1
    b.eq    done
    eret                            /* ELR still points at the udf */
    .balign 0x80
    /* +0x280: IRQ, current EL with SP_ELx: the timer tick */
    ldr     w10, [x23, #GICC_IAR]
    msr     cntv_tval_el0, x9       /* the next tick */
    str     w10, [x23, #GICC_EOIR]
    eret                            /* back to the udf, which faults again */
    .balign 0x80
    .rept 10                        /* FIQ, SError, and the lower ELs: not used */
    b       unexpected
    .balign 0x80
    .endr
    .ltorg
