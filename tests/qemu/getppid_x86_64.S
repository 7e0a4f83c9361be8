/*
 * A static x86_64 Linux program that makes exactly GETPPID_CALLS getppid
 * system calls through the `syscall` instruction (rax = __NR_getppid) and
 * nothing else but its last call:
 *   default          reboot(LINUX_REBOOT_CMD_POWER_OFF): it runs as the
 *                    only file of an initramfs, as /init, which must never
 *                    exit (getppid_x86_64.sh);
 *   EXIT_WHEN_DONE   exit(0): one of several copies busybox's init starts
 *                    (bench/run's system-call loop on every vCPU). The x86_64 sibling of getppid_aarch64.S; built by
 * linux_program.sh's assemble_linux, so the numbers come from the host's
 * Linux UAPI headers (x86_64 system-call ABI: number in rax, arguments in
 * rdi, rsi, rdx, r10; rcx and r11 are clobbered).
 */
#include <asm/unistd.h>
#include <linux/reboot.h>

#ifndef GETPPID_CALLS
#error "GETPPID_CALLS (how many getppid calls) must be defined"
#endif

    .text
    .global _start
_start:
    mov     $GETPPID_CALLS, %rbx
1:  mov     $__NR_getppid, %eax
    .global getppid_insn
getppid_insn:
    syscall
    dec     %rbx
    jnz     1b
#ifndef EXIT_WHEN_DONE
    mov     $LINUX_REBOOT_MAGIC1, %edi
    mov     $LINUX_REBOOT_MAGIC2, %esi
    mov     $LINUX_REBOOT_CMD_POWER_OFF, %edx
    xor     %r10d, %r10d
    mov     $__NR_reboot, %eax
    syscall
    /* Only a failed reboot returns, rax = -errno: exiting with it makes the
       kernel panic with that exit code, which the console shows. */
    mov     %eax, %edi
#else
    xor     %edi, %edi
#endif
    mov     $__NR_exit, %eax
    syscall
