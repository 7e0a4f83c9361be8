/*
 * discon-record's process supervision: discond and QEMU as its children,
 * the signals that reach the launcher, and what happens when one of them
 * ends before the other.
 *
 * Signals: main() blocks SIGTERM, SIGINT and SIGHUP before anything else
 * (discon_launch_block_signals) and they stay blocked until both child pids
 * are known and the handlers installed; a signal that came meanwhile is
 * pending then and acts at once. So an early SIGTERM neither kills the
 * launcher with discond left waiting nor is lost between fork and exec: it
 * ends the launch before QEMU starts (discond is told through the launcher
 * pipe and gives up), or it is forwarded to QEMU (SIGINT only when a
 * process sent it: the terminal's Ctrl-C reaches QEMU itself). The
 * launcher then exits 128 + the signal's number, like a shell's child
 * killed by it.
 *
 * The launcher pipe: discond reads it (--launcher-fd). QEMU's child writes
 * its own pid into it before exec, so discond learns QEMU's pid even if the
 * launcher dies right after the fork; end of file without a pid means the
 * launcher ended before starting QEMU, and discond stops waiting for a
 * segment that will never come. The error pipe (--error-fd): discond writes
 * its fatal error there, so the launcher can name it.
 */
#ifndef DISCON_LAUNCH_H
#define DISCON_LAUNCH_H

#include <sys/types.h>

/* Block SIGTERM, SIGINT and SIGHUP (first thing in main). */
void discon_launch_block_signals(void);

struct discon_launch {
    char **discond_argv; /* ends with "--" and QEMU's argv; the two fd
                            options are inserted after argv[0] */
    char **qemu_argv;    /* with the plugin option */
    const char *shm;     /* the segment's name, without '/' */
};

/*
 * Start discond, then QEMU (unless a signal came first), wait for both and
 * remove the segment if it is left. When discond ends while QEMU runs (an
 * error such as a full disk, or a signal sent to it), says so in one line
 * with discond's reason and the segment, and stops QEMU with SIGTERM (a
 * vCPU waiting for ring space in block mode holds QEMU's exit up to the
 * plugin's block_timeout). Returns the exit status: 128 + signal if the
 * launcher was signalled, else QEMU's status, 1 if QEMU succeeded but the
 * recording failed.
 */
int discon_launch_run(const struct discon_launch *l);

#endif
