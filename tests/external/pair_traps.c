/* An outside program pairing traps with their returns through the
 * installed library (discon_traps.h): prints each trap's vCPU, sequence
 * number, depth and duration (ns; "open" or the end's name if it did not
 * return), then the number of unmatched returns.
 *   pair_traps FILE|DIR... */
#include <discon/discon_traps.h>
#include <discon/trace_reader.h>

#include <stdio.h>

struct state {
    struct discon_trap_deriver d;
    int started; /* one trace: its first file's header sets the rules */
    unsigned long long unmatched;
};

static int taken(void *ctx, const struct discon_trap *t)
{
    (void)ctx, (void)t;
    return 0;
}

static int ended(void *ctx, const struct discon_trap *t)
{
    (void)ctx;
    if (t->end == DISCON_TRAP_RETURNED)
        printf("%u %llu %u %llu\n", t->vcpu, (unsigned long long)t->seq, t->depth,
               (unsigned long long)(t->return_ns - t->time_ns));
    else
        printf("%u %llu %u %s\n", t->vcpu, (unsigned long long)t->seq, t->depth,
               discon_trap_end_name(t->end));
    return 0;
}

static int unmatched(void *ctx, const struct discon_event *e)
{
    (void)e;
    ((struct state *)ctx)->unmatched++;
    return 0;
}

static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    struct state *s = ctx;
    if (s->started++)
        return 0;
    discon_traps_init(&s->d, discon_trap_rule_for(h->target), taken, s);
    if (discon_trace_has_returns(h))
        discon_traps_pair(&s->d, ended, unmatched);
    return 0;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    return discon_traps_feed(&((struct state *)ctx)->d, ev, n) ? DISCON_READ_STOP : 0;
}

static int on_loss(void *ctx, const Discon__Loss *l)
{
    return discon_traps_break(&((struct state *)ctx)->d, l->vcpu) ? DISCON_READ_STOP : 0;
}

int main(int argc, char **argv)
{
    struct state s = {0};
    struct discon_reader_ops ops = {.ctx = &s, .header = on_header, .events = on_events,
                                    .loss = on_loss};
    char err[512];
    struct discon_read_stats st;
    int rc = discon_read_paths(argv + 1, argc - 1, &ops, &st, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "pair_traps: %s\n", err);
        return 1;
    }
    discon_traps_finish(&s.d);
    printf("unmatched %llu\n", s.unmatched);
    discon_traps_free(&s.d);
    return 0;
}
