/*
 * A static aarch64 Linux program that does nothing but system calls:
 * getppid LOOPS times, then exit(0). The guest workload of the "syscalls
 * only" benchmark trace.
 */
    .ifndef LOOPS
    .equ LOOPS, 300000
    .endif
    .equ SYS_getppid, 173
    .equ SYS_exit, 93

    .text
    .global _start
_start:
    ldr     x19, =LOOPS
1:  mov     x8, #SYS_getppid
    svc     #0
    subs    x19, x19, #1
    b.ne    1b
    mov     x0, #0
    mov     x8, #SYS_exit
    svc     #0
