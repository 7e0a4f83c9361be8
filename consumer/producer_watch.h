/*
 * Is the producer of a segment still alive? discond must notice a QEMU that
 * died without finishing (its trace then ends "not finished"), and must not
 * be fooled by the pid in shared memory: a pid <= 0 is refused when the
 * segment is validated, and a pid reused by another process after the
 * producer died must not keep discond waiting.
 *
 * At attach, discond takes a pidfd of the producer (pidfd_open, Linux 5.3)
 * and then checks that the process it names is the producer: the process
 * holding the pid must have started no later than the segment was created
 * (a process that reused the pid started after the producer died, which is
 * after the producer created the segment). The start time comes from
 * /proc/PID/stat, read after the pidfd was taken and trusted only if the
 * pidfd's process is still alive afterwards (a live process keeps its pid,
 * so /proc then spoke of the pidfd's process). From then on the pidfd
 * cannot be fooled: it names that process, whatever reuses its pid later,
 * and it becomes readable when it exits, so discond sleeps in poll() on it
 * and wakes at once.
 *
 * Without pidfd_open (older kernel, seccomp), discond says so once and falls
 * back to kill(pid, 0) plus the same start-time check at every look.
 */
#ifndef DISCON_PRODUCER_WATCH_H
#define DISCON_PRODUCER_WATCH_H

#include "segment_reader.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct discon_producer_watch {
    pid_t pid;
    int pidfd;             /* -1: fall back to kill(pid, 0) */
    uint64_t created_boot_ns; /* segment creation, CLOCK_BOOTTIME estimate */
    bool gone;             /* seen gone: stays gone */
};

/* Start watching the producer of seg (never fails: at worst the fallback). */
void discon_watch_open(struct discon_producer_watch *w, const struct discon_segment *seg);

/* Whether the producer has exited (or its pid now names another process). */
bool discon_watch_gone(struct discon_producer_watch *w);

/* Sleep up to timeout_ns; return early when the producer exits (pidfd) or
 * a signal arrives. */
void discon_watch_wait(struct discon_producer_watch *w, uint64_t timeout_ns);

void discon_watch_close(struct discon_producer_watch *w);

/* A pidfd of pid (pidfd_open(2), Linux 5.3), or -1 with errno. */
int discon_pidfd_open(pid_t pid);
/* Whether the pidfd's process has exited (the pidfd is readable then). */
bool discon_pidfd_exited(int pidfd);

#endif
