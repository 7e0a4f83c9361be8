#define _GNU_SOURCE
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t qemu_pid, got_signal, discond_pid;

/* SIGUSR1 asks discond --snapshot for a snapshot: passed on, never ours. */
static void on_usr1(int sig)
{
    if (discond_pid > 0)
        kill(discond_pid, sig);
}

/* SIGTERM/SIGHUP end the recording: QEMU gets them (and discond is told to
 * finish once QEMU has ended). SIGINT before QEMU runs ends the launch; once
 * it runs, the terminal's Ctrl-C (sent by the kernel, SI_KERNEL) reaches
 * QEMU directly (same process group), so it is not sent twice; a SIGINT a
 * process sent to discon-record alone (kill -INT: SI_USER, SI_QUEUE) would
 * otherwise be swallowed while the recording went on, so QEMU gets it. */
static void on_signal(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    if (sig == SIGINT && qemu_pid > 0 && info->si_code == SI_KERNEL)
        return;
    if (!got_signal)
        got_signal = sig;
    if (qemu_pid > 0)
        kill(qemu_pid, sig);
}

static void signal_set(sigset_t *s)
{
    sigemptyset(s);
    sigaddset(s, SIGTERM);
    sigaddset(s, SIGINT);
    sigaddset(s, SIGHUP);
}

/* In a child before exec: the launcher's handlers would swallow a signal
 * meant for the child (exec resets them, but only at exec). */
static void default_handlers(void)
{
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

void discon_launch_block_signals(void)
{
    sigset_t s;
    signal_set(&s);
    sigaddset(&s, SIGUSR1); /* until discond runs to take it (discon_launch_run) */
    sigprocmask(SIG_BLOCK, &s, NULL);
}

static int exit_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void wait_for(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

struct children {
    pid_t discond, qemu;
    int launcher_w; /* the launcher pipe's write end (QEMU's child writes) */
    int error_r;    /* discond's error pipe, read end */
    int status_w;   /* discond's status pipe, write end: how QEMU ended */
};

/* discond in its own process group (the terminal's Ctrl-C must reach QEMU,
 * not cut the drain short), with SIGTERM and SIGINT still blocked: it
 * unblocks them once its handlers are in place, so an early SIGTERM means
 * "finish", not death. SIGHUP and the handlers are reset by exec. */
static int start_discond(const struct discon_launch *l, struct children *c)
{
    int lp[2], ep[2], sp[2];
    if (pipe2(lp, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0 || pipe2(sp, O_CLOEXEC) != 0) {
        fprintf(stderr, "discon-record: cannot make a pipe: %s\n", strerror(errno));
        return -1;
    }
    char lfd[16], efd[16], sfd[16];
    snprintf(lfd, sizeof lfd, "%d", lp[0]);
    snprintf(efd, sizeof efd, "%d", ep[1]);
    snprintf(sfd, sizeof sfd, "%d", sp[0]);
    size_t n = 0;
    while (l->discond_argv[n])
        n++;
    char **argv = calloc(n + 7, sizeof *argv);
    if (!argv) {
        fprintf(stderr, "discon-record: out of memory\n");
        return -1;
    }
    argv[0] = l->discond_argv[0];
    argv[1] = "--launcher-fd";
    argv[2] = lfd;
    argv[3] = "--error-fd";
    argv[4] = efd;
    argv[5] = "--status-fd";
    argv[6] = sfd;
    memcpy(argv + 7, l->discond_argv + 1, n * sizeof *argv); /* with the NULL */
    c->discond = fork();
    if (c->discond == 0) {
        sigset_t keep;
        sigemptyset(&keep);
        sigaddset(&keep, SIGTERM);
        sigaddset(&keep, SIGINT);
        sigaddset(&keep, SIGUSR1); /* discond takes it once its handler is in */
        default_handlers();
        signal(SIGUSR1, SIG_DFL);
        sigprocmask(SIG_SETMASK, &keep, NULL);
        setpgid(0, 0);
        fcntl(lp[0], F_SETFD, 0); /* discond's ends survive exec */
        fcntl(ep[1], F_SETFD, 0);
        fcntl(sp[0], F_SETFD, 0);
        execv(argv[0], argv);
        fprintf(stderr, "discon-record: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int fork_errno = errno;
    free(argv);
    close(lp[0]);
    close(ep[1]);
    close(sp[0]);
    c->launcher_w = lp[1];
    c->status_w = sp[1];
    c->error_r = ep[0];
    if (c->discond < 0) {
        fprintf(stderr, "discon-record: cannot start discond: %s\n", strerror(fork_errno));
        return -1;
    }
    return 0;
}

/* QEMU: it tells discond its pid itself, before exec, so discond knows it
 * even if the launcher dies right after this fork. */
static void start_qemu(char **qargv, struct children *c)
{
    c->qemu = fork();
    if (c->qemu < 0) {
        fprintf(stderr, "discon-record: cannot start QEMU: %s\n", strerror(errno));
        return;
    }
    if (c->qemu == 0) {
        char pid[24];
        int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
        if (write(c->launcher_w, pid, (size_t)len) != len)
            _exit(127); /* discond would wait for nothing */
        sigset_t none;
        sigemptyset(&none);
        default_handlers();
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(qargv[0], qargv);
        fprintf(stderr, "discon-record: cannot run %s: %s\n", qargv[0], strerror(errno));
        _exit(127);
    }
}

/* discond's fatal error from the error pipe (once it has exited), without
 * its "discond: " and newline; "" if it wrote none. */
static void discond_reason(int fd, char *out, size_t len)
{
    ssize_t n = read(fd, out, len - 1);
    out[n > 0 ? n : 0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    if (strncmp(out, "discond: ", 9) == 0)
        memmove(out, out + 9, strlen(out + 9) + 1);
}

/* discond ended before QEMU was reaped. Exit 0 with nothing on the error
 * pipe: its producer had finished (or died) and the trace is complete;
 * false. Otherwise nobody drains the rings any more: say so at once, stop
 * QEMU rather than let its guest stall into loss; true. */
static bool discond_ended_early(const struct children *c, int dstatus, const char *shm)
{
    char reason[512], status[64];
    discond_reason(c->error_r, reason, sizeof reason);
    if (WIFEXITED(dstatus) && WEXITSTATUS(dstatus) == 0 && !reason[0])
        return false;
    if (WIFSIGNALED(dstatus))
        snprintf(status, sizeof status, "killed by signal %d", WTERMSIG(dstatus));
    else
        snprintf(status, sizeof status, "exit %d", WEXITSTATUS(dstatus));
    fprintf(stderr, "discon-record: discond ended while QEMU ran (%s%s%s): stopping QEMU; "
                    "segment /dev/shm/%s removed\n",
            reason[0] ? reason : status, reason[0] ? ", " : "", reason[0] ? status : "", shm);
    kill(c->qemu, SIGTERM);
    return true;
}

/* How QEMU ended, to discond for the trace's end record (a discond
 * already gone reads nothing: the write just fails). */
static void tell_status(struct children *c, int qstatus)
{
    if (c->status_w < 0)
        return;
    /* Both children are started (QEMU even reaped): nothing inherits this. */
    signal(SIGPIPE, SIG_IGN);
    char line[32];
    int n = WIFSIGNALED(qstatus) ? snprintf(line, sizeof line, "signal %d\n", WTERMSIG(qstatus))
                                 : snprintf(line, sizeof line, "exit %d\n", WEXITSTATUS(qstatus));
    if (write(c->status_w, line, (size_t)n) != n) {
        /* discond ended first: its end record says the producer's state */
    }
    close(c->status_w);
    c->status_w = -1;
}

/* Wait for whichever child ends first; then for the other. */
static int supervise(const struct discon_launch *l, struct children *c)
{
    int qstatus = 0, dstatus = 0;
    bool discond_done = false, discond_early = false;
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid == c->qemu || pid < 0) {
            qstatus = status;
            break;
        }
        if (pid == c->discond) {
            dstatus = status;
            discond_done = true;
            if (discond_ended_early(c, status, l->shm)) {
                discond_early = true;
                qemu_pid = 0; /* QEMU is being stopped here */
            }
            wait_for(c->qemu, &qstatus);
            break;
        }
    }
    qemu_pid = 0;
    if (!discond_done)
        tell_status(c, qstatus);
    if (!discond_done) {
        kill(c->discond, SIGTERM); /* QEMU is gone: drain what is left and finish */
        wait_for(c->discond, &dstatus);
    }
    int qrc = exit_status(qstatus);
    if (!discond_early && exit_status(dstatus) != 0) {
        /* discond's error comes down its pipe only (it prints nothing
         * itself under discon-record): said here, once. */
        char reason[512];
        discond_reason(c->error_r, reason, sizeof reason);
        fprintf(stderr, "discon-record: recording failed (%s%sdiscond exited with %d)\n", reason,
                reason[0] ? "; " : "", exit_status(dstatus));
    }
    if (discond_early || exit_status(dstatus) != 0)
        return qrc ? qrc : 1;
    return qrc;
}

int discon_launch_run(const struct discon_launch *l)
{
    struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    struct sigaction su = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &su, NULL);
    struct children c = {.discond = -1, .qemu = -1, .launcher_w = -1, .error_r = -1,
                         .status_w = -1};
    int rc = 1;
    if (start_discond(l, &c) == 0) {
        discond_pid = c.discond;
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_UNBLOCK, &usr1, NULL);
        sigset_t pending, ours;
        sigpending(&pending);
        signal_set(&ours);
        bool signalled = false;
        for (int s = 1; s < NSIG; s++)
            signalled |= sigismember(&ours, s) && sigismember(&pending, s);
        if (!signalled) /* a signal already here: QEMU is not started at all */
            start_qemu(l->qemu_argv, &c);
        close(c.launcher_w); /* without QEMU's pid, discond now gives up */
        if (c.qemu > 0) {
            qemu_pid = c.qemu;
            sigprocmask(SIG_UNBLOCK, &ours, NULL); /* pending signals act now */
            rc = supervise(l, &c);
        } else {
            sigprocmask(SIG_UNBLOCK, &ours, NULL);
            kill(c.discond, SIGTERM);
            wait_for(c.discond, NULL);
        }
    }
    if (c.error_r >= 0)
        close(c.error_r);
    if (c.status_w >= 0)
        close(c.status_w);
    /* discond unlinks a segment it drained to the end; one it could not
     * (it failed, or QEMU never finished creating it) is nobody's now. */
    char name[300];
    snprintf(name, sizeof name, "/%s", l->shm);
    shm_unlink(name);
    return got_signal ? 128 + got_signal : rc;
}
