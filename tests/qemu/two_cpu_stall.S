/*
 * aarch64 bare-metal guest for `-M virt -cpu cortex-a57 -smp 2`. CPU 0
 * starts CPU 1 (PSCI CPU_ON through hvc, the virt board's conduit at EL1:
 * one HOSTCALL), then executes `svc #0`
 * forever (one EXCEPTION each, as fast as TCG goes: its ring fills at once
 * when nobody drains it); CPU 1 counts in `counter` forever and takes no
 * trap at all, so a test can see from guest RAM whether it still runs
 * while CPU 0 waits for ring space.
 */
    .text
    .global _start
_start:
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbnz    x0, count
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    ldr     x0, =0xc4000003     /* PSCI CPU_ON (SMC64) */
    mov     x1, #1              /* target MPIDR: CPU 1 */
    adr     x2, count           /* its entry point (MMU off: physical) */
    mov     x3, #0
    hvc     #0
    cbnz    x0, unexpected      /* PSCI_SUCCESS is 0 */
1:
    svc     #0
    b       1b

count:
    adr     x1, counter
2:
    ldr     x2, [x1]
    add     x2, x2, #1
    str     x2, [x1]
    b       2b

    .include "semihost_exit.inc"

    .balign 0x800
vectors:
    .rept 4                 /* current EL with SP0 */
    b       unexpected
    .balign 0x80
    .endr
    eret                    /* current EL with SPx, synchronous: CPU 0's svc */
    .balign 0x80
    .rept 11                /* everything else */
    b       unexpected
    .balign 0x80
    .endr

    .balign 64
    .global counter
counter:
    .quad   0
