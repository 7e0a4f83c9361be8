/*
 * discond: attach to a discon segment, drain its rings into rotating,
 * crash-safe trace files, and finish the trace when the producer does.
 */
#define _GNU_SOURCE
#include "discon_clock.h"
#include "drain.h"
#include "number_option.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: discond --shm NAME [-o DIR] [options] [-- QEMU ARGV...]\n"
    "Drain the discon segment NAME into trace files in DIR (default: .).\n"
    "\n"
    "  -s, --shm NAME            segment the plugin writes (its shm= option)\n"
    "  -o, --output DIR          directory for trace files (created if missing)\n"
    "      --flush-ms MS         write a frame at least this often (default 1000)\n"
    "      --rotate-size SIZE    start a new file after SIZE bytes (K, M, G; default 256M, 0: never)\n"
    "      --rotate-seconds N    start a new file every N seconds (default 0: never)\n"
    "      --wait SECONDS        give up if the segment has not appeared by then (default 0: wait)\n"
    "      --stats-json FILE     write totals as JSON at exit\n"
    "      --summary             print a summary on stderr at exit\n"
    "  -h, --help                this help\n"
    "QEMU ARGV, when given, is recorded in the trace header.\n"
    "SIGINT/SIGTERM: drain what was published by then, write the end record, exit.\n";

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

static int die(const char *msg)
{
    fprintf(stderr, "discond: %s\n", msg);
    return 1;
}

static void status_line(const struct discon_drain *d, uint64_t *last_events, double secs)
{
    struct discon_drain_totals t;
    discon_drain_totals(d, &t);
    fprintf(stderr, "\rdiscond: %llu events, %.0f/s, %llu lost, %.1f MiB in %u file(s)   ",
            (unsigned long long)t.events, (double)(t.events - *last_events) / secs,
            (unsigned long long)t.lost, (double)t.bytes / (1 << 20), t.files);
    *last_events = t.events;
}

/* A JSON string body: quotes, backslashes and control bytes escaped. */
static void json_string(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
}

/* User + system CPU time of this process. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void write_stats(const char *path, const struct discon_drain_totals *t, double secs,
                        bool finished, const char *last_file)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "discond: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    fprintf(f,
            "{\"events\": %llu, \"interrupt\": %llu, \"exception\": %llu, \"hostcall\": %llu, "
            "\"lost\": %llu, \"unrecorded\": %llu, \"bytes\": %llu, \"files\": %u, "
            "\"seconds\": %.3f, \"cpu_s\": %.3f, \"producer_finished\": %s, \"last_file\": \"",
            (unsigned long long)t->events, (unsigned long long)t->by_type[0],
            (unsigned long long)t->by_type[1], (unsigned long long)t->by_type[2],
            (unsigned long long)t->lost, (unsigned long long)t->unrecorded,
            (unsigned long long)t->bytes, t->files, secs, cpu_seconds(), finished ? "true" : "false");
    json_string(f, last_file);
    fputs("\"}\n", f);
    fclose(f);
}

static void print_summary(const struct discon_drain_totals *t, const char *dir, bool finished)
{
    fprintf(stderr,
            "discon: %llu events (interrupt %llu, exception %llu, hostcall %llu)\n"
            "discon: %llu lost%s, %llu of vCPUs beyond max_vcpus\n"
            "discon: %u file(s) in %s, %llu bytes, %.2f bytes/event\n",
            (unsigned long long)t->events, (unsigned long long)t->by_type[0],
            (unsigned long long)t->by_type[1], (unsigned long long)t->by_type[2],
            (unsigned long long)t->lost, t->lost ? " (counted in the trace)" : "",
            (unsigned long long)t->unrecorded, t->files, dir, (unsigned long long)t->bytes,
            t->events ? (double)t->bytes / (double)t->events : 0.0);
    if (!finished)
        fprintf(stderr, "discon: the producer ended without finishing (QEMU killed?)\n");
}

/* Each ring's published position now, or NULL with err. */
static uint64_t *stop_positions(const struct discon_segment *seg, char *err, size_t errlen)
{
    uint64_t *at = calloc(seg->layout.vcpu_capacity, sizeof *at);
    if (!at) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < seg->layout.vcpu_capacity; i++)
        if (discon_ring_head(&seg->rings[i], &at[i], err, errlen) != 0) {
            free(at);
            return NULL;
        }
    return at;
}

/* Whether every ring has been read up to `at`. */
static bool reached(const struct discon_segment *seg, const uint64_t *at)
{
    for (uint32_t i = 0; i < seg->layout.vcpu_capacity; i++)
        if (discon_pos_before(seg->rings[i].read, at[i]))
            return false;
    return true;
}

int main(int argc, char **argv)
{
    const char *shm = NULL, *dir = ".", *stats_json = NULL;
    uint64_t flush_ms = 1000, rotate_size = 256u << 20, rotate_s = 0, wait_s = 0;
    bool summary = false;
    enum { FLUSH = 256, ROTATE_SIZE, ROTATE_SECONDS, WAIT, STATS, SUMMARY };
    static const struct option longopts[] = {
        {"shm", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"flush-ms", required_argument, NULL, FLUSH},
        {"rotate-size", required_argument, NULL, ROTATE_SIZE},
        {"rotate-seconds", required_argument, NULL, ROTATE_SECONDS},
        {"wait", required_argument, NULL, WAIT},
        {"stats-json", required_argument, NULL, STATS},
        {"summary", no_argument, NULL, SUMMARY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char err[512];
    for (int c; (c = getopt_long(argc, argv, "+s:o:h", longopts, NULL)) != -1;) {
        const char *bad = NULL;
        switch (c) {
        case 's': shm = optarg; break;
        case 'o': dir = optarg; break;
        case FLUSH: bad = discon_parse_count(optarg, 1, 3600000, &flush_ms) ? "--flush-ms" : NULL; break;
        case ROTATE_SIZE: bad = discon_parse_size(optarg, &rotate_size) ? "--rotate-size" : NULL; break;
        case ROTATE_SECONDS: bad = discon_parse_count(optarg, 0, 1u << 30, &rotate_s) ? "--rotate-seconds" : NULL; break;
        case WAIT: bad = discon_parse_count(optarg, 0, 1u << 30, &wait_s) ? "--wait" : NULL; break;
        case STATS: stats_json = optarg; break;
        case SUMMARY: summary = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
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
    char shm_name[256];
    snprintf(shm_name, sizeof shm_name, "%s%s", shm[0] == '/' ? "" : "/", shm);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "discond: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t unblock; /* discon-record starts us with them blocked */
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGTERM);
    sigaddset(&unblock, SIGINT);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);

    /* Wait for the plugin to create and publish the segment. */
    struct discon_segment seg;
    uint64_t start = discon_clock_ns(CLOCK_MONOTONIC);
    for (;;) {
        bool last_try = stop;
        enum discon_attach_result a = discon_segment_attach(&seg, shm_name, err, sizeof err);
        if (a == DISCON_ATTACH_OK)
            break;
        if (a == DISCON_ATTACH_ERROR)
            return die(err);
        if (last_try || (wait_s && discon_clock_ns(CLOCK_MONOTONIC) - start >= wait_s * 1000000000u)) {
            fprintf(stderr, "discond: shared memory %s never appeared\n", shm_name);
            return 1;
        }
        sleep_ns(5000000);
    }

    struct discon_drain_config cfg = {
        .dir = dir,
        .flush_ns = flush_ms * 1000000u,
        .rotate_size = rotate_size,
        .rotate_ns = rotate_s * 1000000000u,
        .qemu_argv = argv + optind,
        .qemu_argc = argc - optind,
    };
    struct discon_drain *d = discon_drain_open(&seg, &cfg, err, sizeof err);
    if (!d)
        return die(err);

    /* Poll with adaptive backoff, between 50 us and 10 ms: a pass that found
     * little makes the next sleep longer (records then arrive in batches,
     * so draining costs little CPU); a pass that found much shortens it
     * (the rings stay far from full). "Little" and "much" are 1/16 and 1/4
     * of a ring: at 10 ms a 65536-record ring fills only past 6 M events/s
     * per vCPU. */
    bool tty = isatty(2);
    uint64_t backoff = 50000, last_status = start, last_events = 0;
    int finished = 0, rc = 0;
    /* On SIGINT/SIGTERM: the ring positions published by then. Draining up
     * to them ends the run even while QEMU goes on producing. */
    uint64_t *stop_at = NULL;
    for (;;) {
        /* Read the producer's state before the pass: whatever it says, the
         * pass then drains everything published before it. */
        finished = discon_segment_finished(&seg, err, sizeof err);
        if (finished < 0) {
            rc = die(err);
            break;
        }
        if (stop && !stop_at && !(stop_at = stop_positions(&seg, err, sizeof err))) {
            rc = die(err);
            break;
        }
        long n = discon_drain_pass(d, err, sizeof err);
        if (n < 0) {
            rc = die(err);
            break;
        }
        /* A dead producer is asked after only a pass that found nothing. */
        bool gone = n == 0 && !finished && kill(seg.layout.producer_pid, 0) != 0 && errno == ESRCH;
        if ((n == 0 && (finished || gone || stop_at)) || (stop_at && reached(&seg, stop_at)))
            break;
        long ring = (long)seg.layout.ring_capacity;
        if (n < ring / 16) {
            sleep_ns(backoff);
            backoff = backoff * 2 > 10000000 ? 10000000 : backoff * 2;
        } else if (n > ring / 4) {
            backoff = 50000; /* plenty arriving: drain again at once */
        } else {
            sleep_ns(backoff);
            backoff = backoff / 2 < 50000 ? 50000 : backoff / 2;
        }
        uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
        if (tty && now - last_status >= 1000000000u) {
            status_line(d, &last_events, (double)(now - last_status) / 1e9);
            last_status = now;
        }
    }
    if (tty)
        fputc('\n', stderr);
    /* Finish even after an error: what was read is written, the trace ends. */
    char ferr[512];
    if (discon_drain_finish(d, finished == 1, ferr, sizeof ferr) != 0)
        rc = die(ferr);
    struct discon_drain_totals t;
    discon_drain_totals(d, &t);
    double secs = (double)(discon_clock_ns(CLOCK_MONOTONIC) - start) / 1e9;
    if (stats_json)
        write_stats(stats_json, &t, secs, finished == 1, discon_drain_path(d));
    if (summary)
        print_summary(&t, dir, finished == 1);
    /* Drained and its producer done: nobody needs the segment any more. */
    if (rc == 0 && (finished == 1 || kill(seg.layout.producer_pid, 0) != 0))
        shm_unlink(shm_name);
    free(stop_at);
    discon_drain_free(d);
    discon_segment_detach(&seg);
    return rc;
}
