/*
 * aarch64 bare-metal guest (-M virt, no firmware: QEMU's own PSCI over
 * HVC) whose one trap asks QEMU to power off (PSCI SYSTEM_OFF) or,
 * assembled with --defsym RESET=1, to reset (SYSTEM_RESET; with
 * -no-reboot QEMU then exits). End.guest_ended must say which
 * (guest_end.sh).
 */
    .equ PSCI_SYSTEM_OFF, 0x84000008
    .equ PSCI_SYSTEM_RESET, 0x84000009

    .text
    .global _start
_start:
    .ifdef RESET
    ldr     x0, =PSCI_SYSTEM_RESET
    .else
    ldr     x0, =PSCI_SYSTEM_OFF
    .endif
    hvc     #0
1:  b       1b                      /* QEMU does not come back */
    .ltorg
