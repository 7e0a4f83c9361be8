#define _GNU_SOURCE
#include "stats.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

void discon_status_line(const struct discon_drain *d, uint64_t *last_events, double secs)
{
    struct discon_drain_totals t;
    discon_drain_totals(d, &t);
    fprintf(stderr, "\rdiscond: %llu events, %.0f/s, %llu lost, %.1f MiB in %u %s   ",
            (unsigned long long)t.events, (double)(t.events - *last_events) / secs,
            (unsigned long long)t.lost,
            (double)(t.recorder ? t.window_bytes : t.bytes) / (1 << 20),
            t.recorder ? t.snapshots : t.files,
            t.recorder ? "snapshot(s), window in memory" : "file(s)");
    *last_events = t.events;
}

/* User + system CPU time of this process. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The peak resident set (VmHWM of /proc/self/status), KiB; 0 if unknown.
 * With --snapshot it is what the window costs (README, Flight recorder). */
static uint64_t vm_hwm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* Events of each type, in the table's order, as members named by type. */
static void add_type_counts(json_object *o, const struct discon_drain_totals *t)
{
    for (int i = 0; i < DISCON_NTYPES; i++)
        json_object_object_add(o, discon_type_name(discon_type_at(i)),
                               json_object_new_uint64(t->by_type[i]));
}

/* Seconds as a JSON number with millisecond digits (json-c would print
 * every digit of the double). */
static json_object *milliseconds(double secs)
{
    char text[32];
    snprintf(text, sizeof text, "%.3f", secs);
    return json_object_new_double_s(secs, text);
}

void discon_write_stats(const char *path, const struct discon_drain_totals *t, double secs,
                        bool finished, const char *last_file)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "events", json_object_new_uint64(t->events));
    add_type_counts(o, t);
    json_object_object_add(o, "lost", json_object_new_uint64(t->lost));
    json_object_object_add(o, "unrecorded", json_object_new_uint64(t->unrecorded));
    json_object_object_add(o, "bytes", json_object_new_uint64(t->bytes));
    json_object_object_add(o, "files", json_object_new_uint64(t->files));
    json_object_object_add(o, "seconds", milliseconds(secs));
    json_object_object_add(o, "cpu_s", milliseconds(cpu_seconds()));
    json_object_object_add(o, "vm_hwm_kib", json_object_new_uint64(vm_hwm_kib()));
    json_object_object_add(o, "snapshots", json_object_new_uint64(t->snapshots));
    json_object_object_add(o, "producer_finished", json_object_new_boolean(finished));
    json_object_object_add(o, "last_file", json_object_new_string(last_file));
    FILE *f = fopen(path, "w");
    bool ok = f && fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "discond: cannot write %s: %s\n", path, strerror(errno));
    json_object_put(o);
}

void discon_print_summary(const struct discon_drain_totals *t, const char *dir,
                          enum discon_run_end end)
{
    /* Raw events and losses in one line: the traps they make are counted
     * by kind apart (discon-record reads the trace back, record_kinds.h). */
    fprintf(stderr, "discon: %llu events (", (unsigned long long)t->events);
    for (int i = 0; i < DISCON_NTYPES; i++)
        fprintf(stderr, "%s%s %llu", i ? ", " : "", discon_type_name(discon_type_at(i)),
                (unsigned long long)t->by_type[i]);
    fprintf(stderr, "), %llu lost%s", (unsigned long long)t->lost,
            t->lost ? " (counted in the trace)" : "");
    /* Only user mode can have threads beyond the rings: "0 of" says nothing. */
    if (t->unrecorded)
        fprintf(stderr, ", %llu of vCPUs beyond max_vcpus", (unsigned long long)t->unrecorded);
    if (t->recorder)
        fprintf(stderr, "\ndiscon: flight recorder: %u snapshot(s) in %s; the last window held "
                        "%llu bytes in memory\n", t->snapshots, dir,
                (unsigned long long)t->window_bytes);
    else
        fprintf(stderr, "\ndiscon: %u file(s) in %s, %llu bytes, %.2f bytes/event\n", t->files,
                dir, (unsigned long long)t->bytes,
                t->events ? (double)t->bytes / (double)t->events : 0.0);
    if (t->unwritten)
        fprintf(stderr, "discon: %llu more events were read but are in no file\n", (unsigned long long)t->unwritten);
    if (end == DISCON_RUN_PRODUCER_DIED)
        fprintf(stderr, "discon: the producer ended without finishing (QEMU killed or crashed)\n");
    else if (end == DISCON_RUN_STOPPED)
        fprintf(stderr, "discon: discond was stopped while QEMU still ran: the trace ends there\n");
    else if (end == DISCON_RUN_FAILED)
        fprintf(stderr, "discon: the recording stopped at an error (its own line: discond's, or "
                        "discon-record's below): the files hold the events counted here\n");
}
