/*
 * A program outside the discon tree, built only with
 *   cc count_events.c $(pkg-config --cflags --libs discon-trace)
 * against an installed libdiscon-trace: reads traces (files or
 * directories) and prints the events and the events of each type.
 *
 *   events N
 *   TYPE N          (one line per type of discon_types.h, in its order)
 * Exit status: 0, 1 on errors, 3 if damaged input was read.
 */
#include <discon/trace_reader.h>

#include <stdio.h>

struct counts {
    unsigned long long events, by_type[DISCON_NTYPES], unknown;
};

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct counts *c = ctx;
    for (size_t i = 0; i < n; i++) {
        int t = discon_type_index(ev[i].type);
        if (t < 0)
            c->unknown++;
        else
            c->by_type[t]++;
    }
    c->events += n;
    return DISCON_READ_CONTINUE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: count_events FILE|DIR...\n");
        return 2;
    }
    struct counts c = {0};
    struct discon_reader_ops ops = {.ctx = &c, .events = on_events};
    struct discon_read_stats st = {0};
    char err[512] = "";
    int rc = discon_read_paths(argv + 1, argc - 1, &ops, &st, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "count_events: %s (%s)\n", err, discon_strerror(rc));
        return 1;
    }
    printf("events %llu\n", c.events);
    for (int t = 0; t < DISCON_NTYPES; t++)
        printf("%s %llu\n", discon_type_name(discon_type_at(t)), c.by_type[t]);
    return rc == DISCON_READ_DAMAGED ? 3 : 0;
}
