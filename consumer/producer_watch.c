#define _GNU_SOURCE
#include "producer_watch.h"
#include "discon_clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

/* The start time of process pid in CLOCK_BOOTTIME nanoseconds (field 22 of
 * /proc/PID/stat, in clock ticks, rounded down); 0 if it cannot be read. */
static uint64_t start_boot_ns(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and ')': skip past the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    unsigned long long ticks = 0;
    /* Fields 3 to 21 precede starttime. */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
                      "%*d %llu", &ticks) != 1)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? ticks * (1000000000ull / (uint64_t)hz) : 0;
}

/* Whether the process now holding pid started after the segment was made,
 * and so is not its producer. Unknown start time: assume it is. */
static bool started_later(const struct discon_producer_watch *w)
{
    uint64_t start = start_boot_ns(w->pid);
    return start != 0 && start > w->created_boot_ns;
}

int discon_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool discon_pidfd_exited(int pidfd)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

void discon_watch_open(struct discon_producer_watch *w, const struct discon_segment *seg)
{
    *w = (struct discon_producer_watch){.pid = seg->layout.producer_pid, .pidfd = -1};
    /* The segment's clock was read by the producer, after it started. The
     * boottime - monotonic offset only grows (suspend), so this estimate is
     * never earlier than the truth: the producer is never taken for a
     * stranger. Start times have clock-tick resolution (10 ms): a pid reused
     * within one tick of the segment's creation is not caught. */
    w->created_boot_ns = seg->layout.clock_monotonic_ns + discon_clock_ns(CLOCK_BOOTTIME) -
                         discon_clock_ns(CLOCK_MONOTONIC);
    w->pidfd = discon_pidfd_open(w->pid);
    if (w->pidfd < 0) {
        if (errno == ESRCH) {
            w->gone = true;
            return;
        }
        fprintf(stderr, "discond: cannot watch producer %d with a pidfd (%s); polling it with "
                        "kill(2) instead\n", (int)w->pid, strerror(errno));
        return;
    }
    /* Is the pidfd's process the producer? Read its start time, then make
     * sure it was alive throughout, so the pid still named it. */
    bool later = started_later(w);
    if (discon_pidfd_exited(w->pidfd) || later)
        w->gone = true;
}

bool discon_watch_gone(struct discon_producer_watch *w)
{
    if (w->gone)
        return true;
    if (w->pidfd >= 0)
        w->gone = discon_pidfd_exited(w->pidfd);
    else
        w->gone = (kill(w->pid, 0) != 0 && errno == ESRCH) || started_later(w);
    return w->gone;
}

void discon_watch_wait(struct discon_producer_watch *w, uint64_t timeout_ns)
{
    struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
    if (w->pidfd >= 0 && !w->gone) {
        struct pollfd p = {.fd = w->pidfd, .events = POLLIN};
        ppoll(&p, 1, &ts, NULL);
    } else {
        nanosleep(&ts, NULL);
    }
}

void discon_watch_close(struct discon_producer_watch *w)
{
    if (w->pidfd >= 0)
        close(w->pidfd);
    w->pidfd = -1;
}
