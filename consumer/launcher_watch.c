#define _GNU_SOURCE
#include "launcher_watch.h"
#include "producer_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void discon_launcher_open(struct discon_launcher_watch *w, int fd)
{
    *w = (struct discon_launcher_watch){.fd = fd, .pidfd = -1};
    if (fd >= 0) {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
}

/* Read what the pipe holds. 1 at end of file, 0 otherwise. */
static int read_pid(struct discon_launcher_watch *w)
{
    for (;;) {
        char c;
        ssize_t n = read(w->fd, &c, 1);
        if (n < 0)
            return errno == EINTR ? read_pid(w) : 0; /* EAGAIN: nothing yet */
        if (n == 0)
            return 1;
        if (c == '\n' && w->len > 0) {
            w->buf[w->len] = '\0';
            long pid = strtol(w->buf, NULL, 10);
            if (pid > 0) {
                w->qemu = (pid_t)pid;
                w->pidfd = discon_pidfd_open(w->qemu);
            }
            return 0;
        }
        if (c < '0' || c > '9' || w->len + 1 >= sizeof w->buf)
            return 1; /* not the launcher's: treat as gone */
        w->buf[w->len++] = c;
    }
}

bool discon_launcher_gone(struct discon_launcher_watch *w, char *why, size_t whylen)
{
    if (w->fd < 0 && w->qemu == 0)
        return false;
    if (w->qemu == 0 && read_pid(w) && w->qemu == 0) {
        snprintf(why, whylen, "discon-record ended before starting QEMU: no segment will come");
        return true;
    }
    if (w->qemu == 0)
        return false;
    /* Without a pidfd (old kernel, or QEMU already reaped): kill(pid, 0). */
    bool exited = w->pidfd >= 0 ? discon_pidfd_exited(w->pidfd)
                                : kill(w->qemu, 0) != 0 && errno == ESRCH;
    if (exited)
        snprintf(why, whylen, "QEMU (pid %d) ended before creating the segment", (int)w->qemu);
    return exited;
}

void discon_launcher_close(struct discon_launcher_watch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    if (w->pidfd >= 0)
        close(w->pidfd);
    w->fd = w->pidfd = -1;
}
