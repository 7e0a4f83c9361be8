/*
 * A static aarch64 Linux program that makes exactly GETPPID_CALLS getppid
 * system calls (x8 = __NR_getppid, svc #0) and nothing else but its last
 * call:
 *   default          reboot(LINUX_REBOOT_CMD_POWER_OFF): it runs as the
 *                    only file of an initramfs, as /init, which must never
 *                    exit (getppid_linux.sh);
 *   EXIT_WHEN_DONE   exit(0): one of several copies busybox's init starts
 *                    (bench/run's system-call loop on every vCPU).
 * Built by assemble_linux.sh, which runs the C preprocessor with the cross
 * Linux headers: the system-call numbers and reboot magic come from there.
 */
#include <asm/unistd.h>
#include <linux/reboot.h>

#ifndef GETPPID_CALLS
#error "GETPPID_CALLS (how many getppid calls) must be defined"
#endif

    .text
    .global _start
_start:
    ldr     x19, =GETPPID_CALLS
1:  mov     x8, #__NR_getppid
    svc     #0
    subs    x19, x19, #1
    b.ne    1b
#ifndef EXIT_WHEN_DONE
    ldr     w0, =LINUX_REBOOT_MAGIC1
    ldr     w1, =LINUX_REBOOT_MAGIC2
    ldr     w2, =LINUX_REBOOT_CMD_POWER_OFF
    mov     x3, #0
    mov     x8, #__NR_reboot
    svc     #0
    /* Only a failed reboot returns, x0 = -errno: exiting with it makes the
       kernel panic with that exit code, which the console shows. */
#else
    mov     x0, #0
#endif
    mov     x8, #__NR_exit
    svc     #0
