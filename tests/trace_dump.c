/*
 * Test helper: read trace files or directories with the library and print
 * their totals and the checks the tests make that are not a dump of the
 * events (discon-dump prints those), so tests can diff them against exact
 * expectations.
 *
 *   trace_dump PATH...
 *     loss VCPU FIRST_SEQ COUNT
 *     damage PATH OFFSET LENGTH WHAT
 *     gap VCPU EXPECTED GOT
 *     vcpu V interrupt N exception N hostcall N
 *     pause vcpu V longest NS     (the longest time between two of its events)
 *     end vcpu V produced N dropped N written N
 *     end finished 0|1 unrecorded N
 *     total events N lost N files N damaged N gaps N ends N
 * Exit status: 0 intact, 1 damaged, 2 error.
 */
#include "trace_reader.h"

#include <stdio.h>

#define MAX_VCPUS 4096

static uint64_t counts[MAX_VCPUS][DISCON_NTYPES], lost, ends;
static uint64_t last_time[MAX_VCPUS], longest_pause[MAX_VCPUS];

static uint64_t vcpu_events(uint32_t v)
{
    uint64_t n = 0;
    for (int t = 0; t < DISCON_NTYPES; t++)
        n += counts[v][t];
    return n;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].vcpu >= MAX_VCPUS)
            continue;
        uint32_t v = ev[i].vcpu;
        if (vcpu_events(v) && ev[i].time_ns > last_time[v] && ev[i].time_ns - last_time[v] > longest_pause[v])
            longest_pause[v] = ev[i].time_ns - last_time[v];
        last_time[v] = ev[i].time_ns;
        counts[v][discon_type_index(ev[i].type)]++;
    }
    return 0;
}

static int on_loss(void *ctx, const Discon__Loss *l)
{
    (void)ctx;
    printf("loss %u %llu %llu\n", l->vcpu, (unsigned long long)l->first_seq,
           (unsigned long long)l->count);
    lost += l->count;
    return 0;
}

static int on_end(void *ctx, const Discon__End *e)
{
    (void)ctx;
    for (size_t i = 0; i < e->n_vcpu; i++)
        printf("end vcpu %u produced %llu dropped %llu written %llu\n", e->vcpu[i]->vcpu,
               (unsigned long long)e->vcpu[i]->produced, (unsigned long long)e->vcpu[i]->dropped,
               (unsigned long long)e->vcpu[i]->written);
    printf("end finished %d unrecorded %llu\n", e->producer_finished,
           (unsigned long long)e->unrecorded);
    ends++;
    return 0;
}

static void on_damage(void *ctx, const struct discon_damage *d)
{
    (void)ctx;
    printf("damage %s %llu %llu %s\n", d->path, (unsigned long long)d->offset,
           (unsigned long long)d->length, d->what);
}

static void on_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    (void)ctx;
    printf("gap %u %llu %llu\n", vcpu, (unsigned long long)expected, (unsigned long long)got);
}

int main(int argc, char **argv)
{
    int first = 1;
    if (first >= argc || argv[1][0] == '-') {
        fprintf(stderr, "usage: trace_dump PATH...  (events: discon-dump)\n");
        return 2;
    }
    struct discon_reader_ops ops = {
        .events = on_events, .loss = on_loss, .end = on_end, .damage = on_damage, .gap = on_gap,
    };
    struct discon_read_stats st = {0};
    char err[512];
    int rc = discon_read_paths(argv + first, argc - first, &ops, &st, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "trace_dump: %s\n", err);
        return 2;
    }
    for (uint32_t v = 0; v < MAX_VCPUS; v++) {
        if (!vcpu_events(v))
            continue;
        printf("vcpu %u", v);
        for (int t = 0; t < DISCON_NTYPES; t++)
            printf(" %s %llu", discon_type_name(discon_type_at(t)), (unsigned long long)counts[v][t]);
        printf("\n");
    }
    for (uint32_t v = 0; v < MAX_VCPUS; v++)
        if (vcpu_events(v))
            printf("pause vcpu %u longest %llu\n", v, (unsigned long long)longest_pause[v]);
    printf("total events %llu lost %llu files %llu damaged %llu gaps %llu ends %llu\n",
           (unsigned long long)st.events, (unsigned long long)lost, (unsigned long long)st.files,
           (unsigned long long)st.damaged_frames, (unsigned long long)st.gaps,
           (unsigned long long)ends);
    return rc == DISCON_READ_DAMAGED ? 1 : 0;
}
