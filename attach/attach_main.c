/* `discond --pid PID`: see attach_main.h. The order of the checks is the
 * order of the refusals a user can meet: the pid, the permission, whether
 * it is a QEMU, its dispatchers, then the kernel. */
#define _GNU_SOURCE
#include "attach_main.h"
#include "attach_session.h"
#include "attach_trace.h"
#include "discon_clock.h"
#include "discon_version.h"
#include "file_options.h"
#include "make_dirs.h"
#include "number_option.h"
#include "output_dir.h"
#include "qemu_binary.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char usage[] =
    "usage: discond --pid PID [-o DIR] [options]\n"
    "Attach to a running QEMU (no -plugin needed) with BPF uprobes and record its\n"
    "discontinuities into DIR (default: .) until SIGINT/SIGTERM, --duration or QEMU's\n"
    "exit; then detach, leaving QEMU running. Needs root or CAP_BPF+CAP_PERFMON.\n"
    "\n"
    "  -p, --pid PID             the QEMU process (qemu-system-*)\n"
    "  -o, --output DIR          directory for the trace file (created if missing)\n"
    "      --duration SECONDS    detach after this long (default: until a signal)\n"
    "      --bpf-ring SIZE       BPF ring buffer bytes, a power of two (K, M; default 16M)\n"
    DISCON_FILE_OPTIONS_HELP
    "      --stats-json FILE     write totals as JSON at exit\n"
    "      --summary             print a summary on stderr at exit\n"
    "      --set-aside           first move an earlier trace in DIR into DIR.old, after\n"
    "                            every check (discon-record -p passes it)\n"
    "  -h, --help                this help\n"
    "  -V, --version             the version\n"
    "Lossy by design: a full ring buffer loses events, counted exactly (Loss records).\n"
    "An attach trace has no cause registers (cause, fault_addr, syscall, levels).\n";

#define POLL_MS 20            /* records below the wakeup mark wait at most this */
#define FINAL_DRAIN_TRIES 200 /* x 5 ms: records of the last events to arrive */

struct attach_options {
    pid_t pid;
    const char *dir, *stats_json;
    double duration_s;
    uint64_t ring_bytes;
    struct discon_file_options files; /* as the plugin path's (file_options.h) */
    bool summary, set_aside;
};

struct attach_run {
    struct attach_options o;
    struct discon_qemu_process qemu;
    struct discon_dispatch_shape shape;
    uint64_t probe_offset;
    struct discon_attach_trace *trace;
    struct discon_attach_session *session;
    char err[512];
};

bool discon_attach_requested(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--pid") == 0 || strncmp(argv[i], "--pid=", 6) == 0 ||
            strcmp(argv[i], "-p") == 0)
            return true;
    return false;
}

static int refuse(const char *msg)
{
    fprintf(stderr, "discond: %s\n", msg);
    return 1;
}

/* -1 with o filled; otherwise the exit status (0 after --help, 2). */
static int parse_options(int argc, char **argv, struct attach_options *o)
{
    *o = (struct attach_options){.dir = ".", .ring_bytes = 16u << 20,
                                 .files = DISCON_FILE_OPTIONS_DEFAULT};
    enum { DURATION = 256, RING, STATS, SUMMARY, SET_ASIDE };
    static const struct option longopts[] = {
        {"pid", required_argument, NULL, 'p'},       {"output", required_argument, NULL, 'o'},
        {"duration", required_argument, NULL, DURATION}, DISCON_FILE_LONGOPTS,
        {"bpf-ring", required_argument, NULL, RING}, {"stats-json", required_argument, NULL, STATS},
        {"summary", no_argument, NULL, SUMMARY},     {"help", no_argument, NULL, 'h'},
        {"set-aside", no_argument, NULL, SET_ASIDE}, {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    uint64_t pid = 0;
    optind = 1;
    opterr = 0; /* one line of our own instead of getopt's and the usage */
    for (int c; (c = getopt_long(argc, argv, "p:o:hV", longopts, NULL)) != -1;) {
        const char *bad = NULL;
        switch (c) {
        case 'p': bad = discon_parse_count(optarg, 1, 1u << 30, &pid) ? "--pid" : NULL; break;
        case 'o': o->dir = optarg; break;
        case DURATION: bad = discon_parse_seconds(optarg, &o->duration_s) || o->duration_s <= 0 ? "--duration" : NULL; break;
        case RING:
            bad = discon_parse_size(optarg, &o->ring_bytes) || o->ring_bytes < 4096 ||
                  o->ring_bytes > (1u << 30) || (o->ring_bytes & (o->ring_bytes - 1)) ? "--bpf-ring" : NULL;
            break;
        case STATS: o->stats_json = optarg; break;
        case SUMMARY: o->summary = true; break;
        case SET_ASIDE: o->set_aside = true; break;
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
    if (optind < argc) {
        fprintf(stderr, "discond: unexpected argument '%s' with --pid\n", argv[optind]);
        return 2;
    }
    discon_file_options_settle(&o->files);
    o->pid = (pid_t)pid;
    return -1;
}

/* Every refusal before anything is loaded. 0, or 1 after the message. */
static int check(struct attach_run *r)
{
    char *err = r->err;
    size_t len = sizeof r->err;
    if (kill(r->o.pid, 0) != 0 && errno == ESRCH) {
        snprintf(err, len, "no such process: %d", (int)r->o.pid);
        return refuse(err);
    }
    if (discon_attach_permitted(err, len) != 0 ||
        discon_qemu_process_find(r->o.pid, &r->qemu, err, len) != DISCON_PROCESS_OK ||
        discon_binary_inspect(r->qemu.binary, &r->shape, &r->probe_offset, err, len) !=
            DISCON_BINARY_OK ||
        discon_attach_kernel_ready(err, len) != 0)
        return refuse(err);
    return 0;
}

static int on_record(void *ctx, const struct discon_attach_record *rec)
{
    struct attach_run *r = ctx;
    return discon_attach_trace_record(r->trace, rec, r->err, sizeof r->err) ? 1 : 0;
}

/* Open the trace, then make the probe live; says when on stderr. 0 or 1. */
static int start(struct attach_run *r)
{
    char failed[256];
    /* One trace per place (output_dir.h), once nothing can refuse but I/O. */
    if (r->o.set_aside && discon_output_set_aside("discon-record", r->o.dir) != 0)
        return 1;
    if (discon_make_dirs(r->o.dir, failed, sizeof failed) != 0) {
        snprintf(r->err, sizeof r->err, "cannot create %s: %s", failed, strerror(errno));
        return refuse(r->err);
    }
    char desc[256];
    snprintf(desc, sizeof desc,
             "attach: uprobe at 0x%llx (routine 0x%llx, %s), cpu_index at CPUState+0x%x",
             (unsigned long long)r->shape.probe, (unsigned long long)r->shape.routine,
             r->shape.probe_emulated ? "emulated jcc" : "single-stepped",
             r->shape.cpu_index_offset);
    uint64_t t0 = discon_clock_ns(CLOCK_MONOTONIC);
    struct discon_attach_info info = {.qemu = &r->qemu, .probe_desc = desc, .attach_ns = t0,
                                      .ring_bytes = (uint32_t)r->o.ring_bytes,
                                      .files = &r->o.files};
    if (!(r->trace = discon_attach_trace_open(r->o.dir, &info, r->err, sizeof r->err)))
        return refuse(r->err);
    r->session = discon_attach_session_start(&r->shape, r->qemu.binary, r->probe_offset,
                                             r->o.pid, (uint32_t)r->o.ring_bytes, on_record, r,
                                             r->err, sizeof r->err);
    if (!r->session) {
        unlink(discon_attach_trace_path(r->trace));
        return refuse(r->err);
    }
    uint64_t t1 = discon_clock_ns(CLOCK_MONOTONIC);
    fprintf(stderr, "discond: attached to QEMU pid %d (%s, %u vCPUs): probe live between %llu and %llu ns\n",
            (int)r->o.pid, r->qemu.target, r->qemu.vcpus, (unsigned long long)t0,
            (unsigned long long)t1);
    return 0;
}

/* The signal fd (SIGINT, SIGTERM) and QEMU's pidfd, for poll. */
static int watch_fds(pid_t pid, int *sigfd, int *pidfd)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* Blocked before anything is loaded (discon-record starts discond with
     * them blocked already): a signal now means "detach", never death. */
    sigprocmask(SIG_BLOCK, &set, NULL);
    *sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    *pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    return *sigfd < 0 || *pidfd < 0 ? -1 : 0;
}

/* Record until a signal, the duration or QEMU's exit. 0, or 1. */
static int record(struct attach_run *r, int sigfd, int pidfd, bool *qemu_exited)
{
    uint64_t start_ns = discon_clock_ns(CLOCK_MONOTONIC), flushed = start_ns;
    uint64_t end_ns = r->o.duration_s > 0 ? start_ns + (uint64_t)(r->o.duration_s * 1e9) : UINT64_MAX;
    struct pollfd fds[3] = {{.fd = discon_attach_session_fd(r->session), .events = POLLIN},
                            {.fd = sigfd, .events = POLLIN},
                            {.fd = pidfd, .events = POLLIN}};
    for (;;) {
        if (poll(fds, 3, POLL_MS) < 0 && errno != EINTR)
            return refuse(strerror(errno));
        if (discon_attach_session_consume(r->session, r->err, sizeof r->err) < 0)
            return refuse(r->err);
        uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
        if (now - flushed >= r->o.files.flush_ms * 1000000u) {
            if (discon_attach_trace_flush(r->trace, r->err, sizeof r->err) != 0)
                return refuse(r->err);
            flushed = now;
        }
        *qemu_exited = fds[2].revents != 0;
        if (fds[1].revents || *qemu_exited || now >= end_ns)
            return 0;
    }
}

/* After the detach: every record the program submitted, up to its final
 * state (read twice, equal: no program still running). 0, or 1. */
static int final_drain(struct attach_run *r, struct discon_attach_vcpu *state,
                       uint64_t counters[DISCON_ATTACH_NCOUNTERS])
{
    static struct discon_attach_vcpu again[DISCON_ATTACH_MAX_VCPUS];
    uint64_t c2[DISCON_ATTACH_NCOUNTERS];
    for (int tries = 0; tries < FINAL_DRAIN_TRIES; tries++) {
        if (discon_attach_session_state(r->session, state, counters, r->err, sizeof r->err) ||
            discon_attach_session_consume(r->session, r->err, sizeof r->err) < 0 ||
            discon_attach_session_state(r->session, again, c2, r->err, sizeof r->err))
            return refuse(r->err);
        bool done = true;
        for (uint32_t v = 0; v < DISCON_ATTACH_MAX_VCPUS && done; v++)
            done = state[v].next_seq == again[v].next_seq &&
                   discon_attach_trace_seen(r->trace, v) + state[v].lost_run == state[v].next_seq;
        if (done)
            return 0;
        usleep(5000);
    }
    return refuse("records of the last events never arrived from the BPF ring buffer");
}

static int finish(struct attach_run *r, bool qemu_exited, uint64_t start_ns, int rc)
{
    static struct discon_attach_vcpu state[DISCON_ATTACH_MAX_VCPUS];
    uint64_t counters[DISCON_ATTACH_NCOUNTERS] = {0};
    uint64_t t2 = discon_clock_ns(CLOCK_MONOTONIC);
    discon_attach_session_detach(r->session);
    uint64_t t3 = discon_clock_ns(CLOCK_MONOTONIC);
    fprintf(stderr, "discond: detached from QEMU pid %d between %llu and %llu ns%s\n",
            (int)r->o.pid, (unsigned long long)t2, (unsigned long long)t3,
            qemu_exited ? " (QEMU exited)" : "");
    if (final_drain(r, state, counters) != 0)
        rc = 1;
    if (counters[DISCON_ATTACH_BAD_READ])
        fprintf(stderr, "discond: %llu events whose vCPU index could not be read\n",
                (unsigned long long)counters[DISCON_ATTACH_BAD_READ]);
    uint64_t unrecorded = counters[DISCON_ATTACH_UNRECORDED] + counters[DISCON_ATTACH_BAD_READ];
    if (discon_attach_trace_finish(r->trace, rc == 0 ? state : NULL, unrecorded, true, r->err,
                                   sizeof r->err) != 0)
        rc = refuse(r->err);
    struct discon_drain_totals t;
    discon_attach_trace_totals(r->trace, &t);
    t.unrecorded = unrecorded;
    double secs = (double)(discon_clock_ns(CLOCK_MONOTONIC) - start_ns) / 1e9;
    if (r->o.stats_json)
        discon_write_stats(r->o.stats_json, &t, secs, true, discon_attach_trace_path(r->trace));
    if (r->o.summary)
        discon_print_summary(&t, r->o.dir, true);
    return rc;
}

int discon_attach_main(int argc, char **argv)
{
    static struct attach_run r;
    int rc = parse_options(argc, argv, &r.o);
    if (rc >= 0)
        return rc;
    int sigfd = -1, pidfd = -1;
    uint64_t start_ns = discon_clock_ns(CLOCK_MONOTONIC);
    if ((rc = check(&r)) == 0 && watch_fds(r.o.pid, &sigfd, &pidfd) != 0)
        rc = refuse(kill(r.o.pid, 0) ? "QEMU exited before the attach" : "cannot watch QEMU or signals");
    if (rc == 0 && (rc = start(&r)) == 0) {
        bool qemu_exited = false;
        rc = record(&r, sigfd, pidfd, &qemu_exited);
        rc = finish(&r, qemu_exited, start_ns, rc);
    }
    discon_attach_session_free(r.session);
    discon_attach_trace_free(r.trace);
    discon_qemu_process_free(&r.qemu);
    if (sigfd >= 0)
        close(sigfd);
    if (pidfd >= 0)
        close(pidfd);
    return rc;
}
