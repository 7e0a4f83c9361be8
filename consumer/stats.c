#define _GNU_SOURCE
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

void discon_status_line(const struct discon_drain *d, uint64_t *last_events, double secs)
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

void discon_write_stats(const char *path, const struct discon_drain_totals *t, double secs,
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

void discon_print_summary(const struct discon_drain_totals *t, const char *dir, bool finished)
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
