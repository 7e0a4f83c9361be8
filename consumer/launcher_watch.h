/*
 * discond started by discon-record waits for a segment that QEMU creates
 * when it loads the plugin. If the launcher dies before starting QEMU, or
 * QEMU dies before creating the segment, that segment never comes: this
 * says when to stop waiting.
 *
 * The launcher pipe (launch.h): QEMU's child process writes its pid and a
 * newline before exec; the pipe ends (end of file) when the launcher and
 * that child have both closed it. End of file without a pid: the launcher
 * ended (or gave up) before starting QEMU. With the pid, discond takes a
 * pidfd of QEMU and stops waiting once QEMU has exited.
 */
#ifndef DISCON_LAUNCHER_WATCH_H
#define DISCON_LAUNCHER_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct discon_launcher_watch {
    int fd;       /* the pipe's read end; -1: not launched, or done with */
    pid_t qemu;   /* 0 until read */
    int pidfd;    /* QEMU's, -1 if none */
    char buf[24]; /* the pid's digits so far */
    size_t len;
};

/* Watch the launcher pipe fd (-1: discond was not started by discon-record:
 * nothing to watch). Takes ownership of fd. */
void discon_launcher_open(struct discon_launcher_watch *w, int fd);

/* Whether the segment can no longer come; then why, in why (one line
 * without newline). Never true for fd -1. */
bool discon_launcher_gone(struct discon_launcher_watch *w, char *why, size_t whylen);

void discon_launcher_close(struct discon_launcher_watch *w);

#endif
