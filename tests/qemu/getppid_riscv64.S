/*
 * A static riscv64 Linux program that makes exactly GETPPID_CALLS getppid
 * system calls (a7 = __NR_getppid, ecall), then powers the machine off with
 * reboot(LINUX_REBOOT_CMD_POWER_OFF): it runs as the only file of an
 * initramfs, as /init, which must never exit (getppid_linux.sh). Built by
 * assemble_linux.sh, which runs the C preprocessor with the cross Linux
 * headers: the system-call numbers and reboot magic come from there.
 */
#include <asm/unistd.h>
#include <linux/reboot.h>

#ifndef GETPPID_CALLS
#error "GETPPID_CALLS (how many getppid calls) must be defined"
#endif

    .text
    .global _start
_start:
    li      s1, GETPPID_CALLS
1:  li      a7, __NR_getppid
    ecall
    addi    s1, s1, -1
    bnez    s1, 1b
    li      a0, LINUX_REBOOT_MAGIC1
    li      a1, LINUX_REBOOT_MAGIC2
    li      a2, LINUX_REBOOT_CMD_POWER_OFF
    li      a3, 0
    li      a7, __NR_reboot
    ecall
    /* Only a failed reboot returns, a0 = -errno: exiting with it makes the
       kernel panic with that exit code, which the console shows. */
    li      a7, __NR_exit
    ecall
