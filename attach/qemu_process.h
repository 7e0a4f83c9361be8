/*
 * A running QEMU, seen from /proc: which binary it runs (QEMU may run
 * through a loader, as scripts/qemu does with the sysroot's ld.so, so
 * /proc/PID/exe can be the loader: the binary is the mapped executable file
 * named qemu-system-TARGET), its command line, target and vCPU count.
 */
#ifndef DISCON_QEMU_PROCESS_H
#define DISCON_QEMU_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

enum discon_process_result {
    DISCON_PROCESS_OK = 0,
    DISCON_PROCESS_NO_PID = -1,   /* no such process */
    DISCON_PROCESS_NOT_QEMU = -2, /* no qemu-system-* binary mapped */
    DISCON_PROCESS_IO = -3,       /* /proc unreadable (permission) */
};

struct discon_qemu_process {
    pid_t pid;
    char binary[4096];  /* path of the mapped qemu-system-* file, through /proc/PID/root */
    char target[64];    /* "aarch64", from the binary's name */
    char **argv;        /* /proc/PID/cmdline, NULL-terminated; owned */
    int argc;
    unsigned vcpus;     /* from -smp: max(cpus, maxcpus); 1 without -smp */
};

/* Fill q for pid. DISCON_PROCESS_OK, or a negative result with a one-line
 * message in err. Free with discon_qemu_process_free (also after errors). */
int discon_qemu_process_find(pid_t pid, struct discon_qemu_process *q, char *err, size_t errlen);
void discon_qemu_process_free(struct discon_qemu_process *q);

/* The vCPU count a QEMU command line asks for (-smp N, cpus=, maxcpus=,
 * or the topology product); 1 without -smp. */
unsigned discon_qemu_smp_vcpus(int argc, char *const *argv);

#endif
