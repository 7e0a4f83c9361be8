/*
 * discond: attach to a discon segment, drain its rings into rotating,
 * crash-safe trace files, and finish the trace when the producer does.
 */
#define _GNU_SOURCE
#include "attach_main.h"
#include "discon_clock.h"
#include "discon_version.h"
#include "drain.h"
#include "file_options.h"
#include "launcher_watch.h"
#include "output_dir.h"
#include "number_option.h"
#include "producer_watch.h"
#include "recorder.h"
#include "snapshot_option.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char usage[] =
    "usage: discond --shm NAME [-o DIR] [options] [-- QEMU ARGV...]\n"
    "       discond --pid PID [-o DIR] [--duration S] [--bpf-ring SIZE] [--set-aside] ...\n"
    "                          (attach to a running QEMU with BPF uprobes: its options\n"
    "                          are listed by discond --pid PID --help)\n"
    "Drain the discon segment NAME into trace files in DIR (default: .).\n"
    "\n"
    "  -s, --shm NAME            segment the plugin writes (its shm= option)\n"
    "  -o, --output DIR          directory for trace files (created with its parents)\n"
    DISCON_FILE_OPTIONS_HELP
    "      --snapshot SIZE|SECONDS  flight recorder: keep the newest frames, SIZE\n"
    "                            bytes (64K or more) or SECONDS (\"30s\"), in memory and\n"
    "                            write nothing until a trigger, then the window as a\n"
    "                            new snapshot file (PREFIX-snapNNNNNN.discon)\n"
    "      --snapshot-on LIST    triggers: usr1 (SIGUSR1), exit (QEMU ended or discond\n"
    "                            stopped), fault-loop, double-trap, or all (default)\n"
    "      --wait SECONDS        give up if the segment has not appeared by then (default 0: wait)\n"
    "      --stats-json FILE     write totals as JSON at exit\n"
    "      --summary             print a summary on stderr at exit\n"
    "      --launcher-fd FD      (discon-record) QEMU's pid comes on FD; end of file\n"
    "                            before it: stop waiting for the segment\n"
    "      --status-fd FD        (discon-record) how QEMU ended comes on FD, for the\n"
    "                            end record\n"
    "      --error-fd FD         (discon-record) a fatal error, or a stop while the\n"
    "                            producer runs, is written to FD instead of stderr\n"
    "  -h, --help                this help\n"
    "  -V, --version             the version\n"
    "QEMU ARGV, when given, is recorded in the trace header.\n"
    "SIGINT/SIGTERM: drain what was published by then, write the end record, exit.\n"
    "SIGUSR1 (--snapshot): write a snapshot of the window up to the signal.\n";

struct discond_options {
    char shm[256]; /* "/NAME" */
    const char *dir, *stats_json;
    struct discon_file_options files; /* --flush-ms, --rotate-*, --max-*, --no-sync */
    uint64_t wait_s;
    uint64_t snap_bytes, snap_ns; /* --snapshot; both 0: record to files */
    unsigned snap_on;             /* --snapshot-on (snapshot_option.h) */
    bool summary;
    int launcher_fd; /* -1: not started by discon-record */
    int status_fd;   /* -1: none; discon-record writes "exit N" or "signal N" */
    char *const *qemu_argv;
    int qemu_argc;
};

/* Polling backoff (see next_backoff). */
#define BACKOFF_MIN_NS 50000u           /* 50 us, once records flow */
#define BACKOFF_BUSY_MAX_NS 10000000u   /* 10 ms, what every ring absorbs */
#define BACKOFF_IDLE_MAX_NS 100000000u  /* 100 ms, for rings large enough */
#define TCG_MAX_EVENTS_PER_S 100000u    /* per vCPU; TCG delivers no more */

static volatile sig_atomic_t stop, usr1;
static void on_signal(int sig) { (void)sig; stop = 1; }
static void on_usr1(int sig) { (void)sig; usr1 = 1; }

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

static int error_fd = -1; /* --error-fd: discon-record names our error */

/* One line per error, in one place: run by discon-record (--error-fd),
 * the error goes down the pipe only and discon-record prints it once, in
 * its line saying how discond ended; by hand, on stderr. */
static int die(const char *msg)
{
    if (error_fd >= 0)
        dprintf(error_fd, "discond: %s\n", msg);
    else
        fprintf(stderr, "discond: %s\n", msg);
    return 1;
}

/* --snapshot (window) or --snapshot-on arg into o. 0, or 1 after one line. */
static int snapshot_option(bool window, const char *arg, struct discond_options *o)
{
    char why[160];
    if (window ? discon_parse_snapshot(arg, &o->snap_bytes, &o->snap_ns, why, sizeof why)
               : discon_parse_snapshot_on(arg, &o->snap_on, why, sizeof why)) {
        fprintf(stderr, "discond: %s: %s\n", window ? "--snapshot" : "--snapshot-on", why);
        return 1;
    }
    return 0;
}

/* What the options say together, after each was read: 0, or -1 after
 * one line. Sets the rotation a size bound needs. */
static int check_together(struct discond_options *o, bool snap_on_given)
{
    if (snap_on_given && !(o->snap_bytes || o->snap_ns)) {
        fprintf(stderr, "discond: --snapshot-on needs --snapshot SIZE|TIME (the flight recorder)\n");
        return -1;
    }
    if ((o->snap_bytes || o->snap_ns) && (o->files.max_files || o->files.max_size)) {
        fprintf(stderr, "discond: --snapshot keeps its window in memory: --max-files and --max-size do not apply\n");
        return -1;
    }
    discon_file_options_settle(&o->files);
    return 0;
}

/* 0 with o filled; otherwise the exit status (0 after --help, 2 on bad usage). */
static int parse_options(int argc, char **argv, struct discond_options *o)
{
    const char *shm = NULL;
    bool snap_on_given = false;
    *o = (struct discond_options){.dir = ".", .files = DISCON_FILE_OPTIONS_DEFAULT,
                                  .launcher_fd = -1, .status_fd = -1,
                                  .snap_on = DISCON_SNAP_ALL};
    enum { WAIT = 256, STATS, SUMMARY, LAUNCHER, ERROR, STATUS, SNAPSHOT, SNAPSHOT_ON };
    uint64_t fd;
    static const struct option longopts[] = {
        {"shm", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        DISCON_FILE_LONGOPTS,
        {"wait", required_argument, NULL, WAIT},
        {"snapshot", required_argument, NULL, SNAPSHOT},
        {"snapshot-on", required_argument, NULL, SNAPSHOT_ON},
        {"stats-json", required_argument, NULL, STATS},
        {"summary", no_argument, NULL, SUMMARY},
        {"launcher-fd", required_argument, NULL, LAUNCHER},
        {"error-fd", required_argument, NULL, ERROR},
        {"status-fd", required_argument, NULL, STATUS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0; /* one line of our own instead of getopt's and the usage */
    for (int c; (c = getopt_long(argc, argv, "+s:o:hV", longopts, NULL)) != -1;) {
        const char *bad = NULL;
        switch (c) {
        case 's': shm = optarg; break;
        case 'o': o->dir = optarg; break;
        case WAIT: bad = discon_parse_count(optarg, 0, 1u << 30, &o->wait_s) ? "--wait" : NULL; break;
        case SNAPSHOT:
        case SNAPSHOT_ON: if (snapshot_option(c == SNAPSHOT, optarg, o)) return 2;
            snap_on_given |= c == SNAPSHOT_ON;
            break;
        case STATS: o->stats_json = optarg; break;
        case SUMMARY: o->summary = true; break;
        case LAUNCHER: bad = discon_parse_count(optarg, 0, 65535, &fd) ? "--launcher-fd" : NULL; o->launcher_fd = (int)fd; break;
        case STATUS: bad = discon_parse_count(optarg, 0, 65535, &fd) ? "--status-fd" : NULL; o->status_fd = (int)fd; break;
        case ERROR: bad = discon_parse_count(optarg, 0, 65535, &fd) ? "--error-fd" : NULL; error_fd = (int)fd; break;
        case 'h': fputs(usage, stdout); return 0;
        case 'V': discon_print_version("discond"); return 0;
        default:
            if (discon_file_option("discond", c, optarg, &o->files, argv, optind))
                return 2; /* said in one line */
            break;
        }
        if (bad) {
            fprintf(stderr, "discond: %s: bad value '%s'\n", bad, optarg);
            return 2;
        }
    }
    if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
        fprintf(stderr, "discond: unexpected argument '%s' (QEMU's argv goes after --)\n", argv[optind]);
        return 2;
    }
    if (!shm) {
        fprintf(stderr, "discond: --shm NAME is required\n%s", usage);
        return 2;
    }
    snprintf(o->shm, sizeof o->shm, "%s%s", shm[0] == '/' ? "" : "/", shm);
    if (check_together(o, snap_on_given) != 0)
        return 2;
    o->qemu_argv = argv + optind;
    o->qemu_argc = argc - optind;
    return -1;
}

static void install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction su = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigaction(SIGUSR1, &su, NULL); /* a snapshot (--snapshot); else nothing */
    signal(SIGPIPE, SIG_IGN);
    sigset_t unblock; /* discon-record starts us with them blocked */
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGTERM);
    sigaddset(&unblock, SIGINT);
    sigaddset(&unblock, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

/* Wait for the plugin to create and publish the segment. 0, or 1. */
static int attach(const struct discond_options *o, struct discon_segment *seg, uint64_t start)
{
    char err[512], why[256];
    struct discon_launcher_watch launcher;
    discon_launcher_open(&launcher, o->launcher_fd);
    for (;;) {
        /* Stopped, or the segment can no longer come: one last look. */
        bool last_try = stop, orphaned = discon_launcher_gone(&launcher, why, sizeof why);
        int a = discon_segment_attach(seg, o->shm, err, sizeof err);
        if (a == DISCON_ATTACH_OK || a < 0)
            discon_launcher_close(&launcher);
        if (a == DISCON_ATTACH_OK)
            return 0;
        if (a < 0)
            return die(err);
        if (orphaned) {
            discon_launcher_close(&launcher);
            snprintf(err, sizeof err, "%s", why);
            return die(err);
        }
        if (last_try ||
            (o->wait_s && discon_clock_ns(CLOCK_MONOTONIC) - start >= o->wait_s * 1000000000u)) {
            discon_launcher_close(&launcher);
            snprintf(err, sizeof err, "shared memory %s never appeared", o->shm);
            return die(err);
        }
        sleep_ns(5000000);
    }
}

/*
 * The longest sleep between passes for a ring of `capacity` records: at
 * the most TCG delivers per vCPU, a quarter of the ring fills meanwhile
 * (65536 records: 164 ms, so the 100 ms ceiling holds; 4096: 10 ms). Never
 * below the 10 ms that every ring size has always been polled at, where a
 * small ring relies on block mode (the vCPU waits) or counted drops.
 */
static uint64_t idle_max_ns(uint32_t capacity)
{
    uint64_t fill_quarter = (uint64_t)capacity / 4 * (1000000000u / TCG_MAX_EVENTS_PER_S);
    if (fill_quarter > BACKOFF_IDLE_MAX_NS)
        return BACKOFF_IDLE_MAX_NS;
    return fill_quarter < BACKOFF_BUSY_MAX_NS ? BACKOFF_BUSY_MAX_NS : fill_quarter;
}

/*
 * After a pass that read n records: a pass that found little (under 1/16 of
 * a ring, nothing included) doubles the backoff up to idle_max_ns, so an
 * idle guest costs a few wakeups a second and records arrive in batches; a
 * pass that found more collapses it at once to 50 us (the rings stay far
 * from full); over 1/4 of a ring, drain again without sleeping (returns 0).
 */
static uint64_t next_backoff(uint64_t *backoff, long n, uint32_t capacity)
{
    uint64_t sleep = *backoff;
    if (n > (long)capacity / 4) {
        *backoff = BACKOFF_MIN_NS;
        return 0;
    }
    if (n >= (long)capacity / 16) {
        *backoff = BACKOFF_MIN_NS;
        return BACKOFF_MIN_NS;
    }
    *backoff = *backoff * 2 > idle_max_ns(capacity) ? idle_max_ns(capacity) : *backoff * 2;
    return sleep;
}

struct loop {
    struct discon_drain *d;
    struct discon_segment *seg;
    struct discon_producer_watch *watch;
    uint64_t *stop_at; /* on SIGINT/SIGTERM: the ring heads published by then */
    int finished;      /* 1: the producer marked the segment finished */
    bool idle;         /* the last pass found nothing */
    struct recorder *rec; /* --snapshot; NULL when recording to files */
};

/* One pass. 1: the run is over; 0: go on; -1 with err. */
static int loop_pass(struct loop *l, long *n, char *err, size_t errlen)
{
    /* Read the producer's state before the pass: whatever it says, the
     * pass then drains everything published before it (ordering (a) of
     * discon_ring.h). */
    /* Whether the producer died, asked before the pass for the same
     * reason: a dead process publishes nothing more, so a pass after its
     * death that finds nothing has drained it all. Asked after an idle
     * pass only, which keeps the syscall off busy passes; and before the
     * state: a producer that finished and then exited between the two
     * reads would otherwise pass for one that died unfinished. */
    bool gone = l->idle && discon_watch_gone(l->watch);
    if ((l->finished = discon_segment_finished(l->seg, err, errlen)) < 0)
        return -1;
    if (stop && !l->stop_at && !(l->stop_at = discon_ring_heads(l->seg, err, errlen)))
        return -1;
    if ((*n = discon_drain_pass(l->d, err, errlen)) < 0)
        return -1;
    bool want = usr1;
    usr1 = 0;
    if (l->rec && recorder_after_pass(l->rec, want, err, errlen) != 0)
        return -1;
    /* Draining up to stop_at ends the run even while QEMU goes on; unless
     * QEMU finished meanwhile (a signal often ends both: discon-record's
     * SIGTERM once QEMU exited, a terminal's Ctrl-C): then the next passes
     * drain it to its end and the trace says finished, as it did. */
    if (l->stop_at && !l->finished && discon_rings_reached(l->seg, l->stop_at)) {
        int now = discon_segment_finished(l->seg, err, errlen);
        if (now <= 0)
            return now < 0 ? -1 : 1;
        return 0;
    }
    l->idle = *n == 0;
    return *n == 0 && (l->finished || l->stop_at || gone);
}

/* Drain until the producer is done (or a signal). 0, or 1 after an error. */
static int drain_loop(struct loop *l, uint64_t start)
{
    bool tty = isatty(2);
    uint64_t backoff = BACKOFF_MIN_NS, last_status = start, last_events = 0;
    char err[512];
    for (;;) {
        long n;
        int over = loop_pass(l, &n, err, sizeof err);
        if (over < 0) {
            if (tty)
                fputc('\n', stderr);
            return die(err);
        }
        if (over)
            break;
        uint64_t sleep = next_backoff(&backoff, n, l->seg->layout.ring_capacity);
        uint64_t now = discon_clock_ns(CLOCK_MONOTONIC), due = discon_drain_flush_due(l->d);
        if (due != UINT64_MAX) { /* wake for a frame that is due first */
            uint64_t left = now < due ? due - now : 0; /* monotonic ns: no wrap */
            sleep = left < sleep ? left : sleep;
        }
        if (sleep)
            discon_watch_wait(l->watch, sleep); /* the producer's exit wakes us */
        if (tty && now - last_status >= 1000000000u) {
            discon_status_line(l->d, &last_events, (double)(now - last_status) / 1e9);
            last_status = now;
        }
    }
    if (tty)
        fputc('\n', stderr);
    return 0;
}

/* One line "exit N" or "signal N" from discon-record on fd, waited for at
 * most 3 s (it writes it as soon as it has reaped QEMU). true with how. */
static bool read_status(int fd, char *how, size_t len)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 3000) <= 0)
        return false;
    ssize_t n = read(fd, how, len - 1);
    if (n <= 0)
        return false;
    how[n] = '\0';
    how[strcspn(how, "\n")] = '\0';
    return strncmp(how, "exit ", 5) == 0 || strncmp(how, "signal ", 7) == 0;
}

/* One line for a discond run by hand that failed while QEMU runs on. */
static void warn_left_running(const struct discond_options *o, const struct discon_layout *lay)
{
    char wait[64] = "";
    if (lay->mode == DISCON_MODE_BLOCK)
        snprintf(wait, sizeof wait, "wait up to %u ms for a consumer, then ", lay->block_timeout_ms);
    fprintf(stderr, "discond: QEMU (pid %d) still runs; segment /dev/shm/%s keeps what was not "
            "written; its vCPUs %sdrop (counted): run discond --shm %s -o %s again to continue\n",
            (int)lay->producer_pid, o->shm + (o->shm[0] == '/'), wait, o->shm, o->dir);
}

/* Finish the trace (even after an error: what was read is written), report. */
static int finish(const struct discond_options *o, struct loop *l, uint64_t start, int rc)
{
    char err[512];
    bool finished = l->finished == 1;
    /* QEMU is done (or gone): its parent says how, right after reaping it. */
    if (o->status_fd >= 0 && (finished || discon_watch_gone(l->watch))) {
        char how[32];
        if (read_status(o->status_fd, how, sizeof how))
            discon_drain_set_qemu_ended(l->d, how);
    }
    /* After an error (reported) the end may fail again for the same cause
     * (a writer that failed stays failed: "... (earlier)"): the first
     * error is the one the run stopped at, so only a new one is told. */
    if (discon_drain_finish(l->d, finished, err, sizeof err) != 0)
        rc = rc ? rc : die(err);
    else if (l->rec && recorder_at_exit(l->rec, finished, err, sizeof err) != 0)
        rc = rc ? rc : die(err);
    struct discon_drain_totals t;
    discon_drain_totals(l->d, &t);
    double secs = (double)(discon_clock_ns(CLOCK_MONOTONIC) - start) / 1e9;
    if (o->stats_json)
        discon_write_stats(o->stats_json, &t, secs, finished, discon_drain_path(l->d));
    enum discon_run_end end = rc ? DISCON_RUN_FAILED
                              : finished ? DISCON_RUN_FINISHED
                              : discon_watch_gone(l->watch) ? DISCON_RUN_PRODUCER_DIED
                              : DISCON_RUN_STOPPED;
    if (o->summary)
        discon_print_summary(&t, o->dir, end);
    /* discon-record must stop a QEMU that nobody drains any more; a clean
     * exit after its producer ended needs nothing. */
    if (end == DISCON_RUN_STOPPED && error_fd >= 0)
        dprintf(error_fd, "discond: stopped by a signal while QEMU still ran\n");
    /* Run by hand, failed, QEMU still running: nobody will stop it, so say
     * what the guest is in for and how to go on (discon-record stops QEMU
     * itself, error_fd). */
    if (rc && error_fd < 0 && !finished && !discon_watch_gone(l->watch))
        warn_left_running(o, &l->seg->layout);
    /* Drained and its producer done: nobody needs the segment any more. */
    if (rc == 0 && (finished || discon_watch_gone(l->watch)))
        shm_unlink(o->shm);
    return rc;
}

static int run(const struct discond_options *o)
{
    /* Before the segment: a discond that attached and then failed on its
     * output would leave the guest waiting out the block timeout. */
    if (discon_output_check("discond", o->dir) != 0)
        return 1;
    install_signals();
    struct discon_segment seg;
    uint64_t start = discon_clock_ns(CLOCK_MONOTONIC);
    if (attach(o, &seg, start) != 0)
        return 1;
    struct discon_drain_config cfg = {
        .dir = o->dir,
        .flush_ns = o->files.flush_ms * 1000000u,
        .no_sync = o->files.no_sync,
        .rotate_size = o->files.rotate_size,
        .rotate_ns = o->files.rotate_s * 1000000000u,
        .max_files = (uint32_t)o->files.max_files,
        .max_size = o->files.max_size,
        .qemu_argv = o->qemu_argv,
        .qemu_argc = o->qemu_argc,
        .snapshot_bytes = o->snap_bytes,
        .snapshot_ns = o->snap_ns,
    };
    struct recorder rec = {.seg = &seg, .mask = o->snap_on};
    if ((o->snap_bytes || o->snap_ns) &&
        (o->snap_on & (DISCON_SNAP_FAULT_LOOP | DISCON_SNAP_DOUBLE_TRAP))) {
        if (!(rec.trig = flight_triggers_new(&seg.layout, o->snap_on))) {
            discon_segment_detach(&seg);
            return die("out of memory");
        }
        cfg.on_events = flight_triggers_events;
        cfg.on_loss = flight_triggers_loss;
        cfg.events_ctx = rec.trig;
    }
    char err[512];
    struct discon_drain *d = discon_drain_open(&seg, &cfg, err, sizeof err);
    if (!d) {
        recorder_free(&rec);
        discon_segment_detach(&seg);
        return die(err);
    }
    rec.d = d;
    struct discon_producer_watch watch;
    discon_watch_open(&watch, &seg);
    struct loop l = {.d = d, .seg = &seg, .watch = &watch,
                     .rec = o->snap_bytes || o->snap_ns ? &rec : NULL};
    int rc = finish(o, &l, start, drain_loop(&l, start));
    free(l.stop_at);
    recorder_free(&rec);
    discon_watch_close(&watch);
    discon_drain_free(d);
    discon_segment_detach(&seg);
    return rc;
}

int main(int argc, char **argv)
{
    /* discon-record runs discond in a process group of its own (Ctrl-C
     * must reach QEMU, not cut the drain short), so on a terminal with
     * `stty tostop` its first write to stderr would stop it: the rings
     * fill, the guest waits out the block timeout and events are dropped.
     * With SIGTTOU ignored the write goes through (POSIX, "Terminal
     * Access Control"). Before anything is written. */
    signal(SIGTTOU, SIG_IGN);
    /* --pid PID: a running QEMU through BPF, not a segment (attach/). */
    if (discon_attach_requested(argc, argv))
        return discon_attach_main(argc, argv);
    struct discond_options o;
    int rc = parse_options(argc, argv, &o);
    return rc >= 0 ? rc : run(&o);
}
