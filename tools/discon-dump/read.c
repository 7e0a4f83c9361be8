/* discon-dump's side of the reader: filters, the trace's start, and trap
 * derivation, between the library's callbacks and the printers. */
#include "dump.h"
#include "tool_args.h"
#include "trace_pick.h"

#include <string.h>

struct dumper {
    const struct dump_options *o;
    bool have_start;
    uint64_t start_ns;     /* the trace's clock reference: time 0 of time_s */
    struct discon_trace_pick pick; /* the one trace dumped */
    bool deriving;         /* traps: d holds state of the current trace */
    struct discon_trap_deriver d;
    struct discon_trap_namer namer; /* no symbols: x86_64 kinds are unknown */
    bool nomem;
};

/* type 0: a record without a type (a loss); timed false: without a time
 * (drops after the last record), which no window can place, so shown. */
static bool wanted(const struct dumper *u, uint32_t vcpu, unsigned type, bool timed,
                   uint64_t time_ns)
{
    const struct dump_options *o = u->o;
    if (!o->any_vcpu && vcpu != o->vcpu)
        return false;
    if (type && !(type & o->types))
        return false;
    return !timed || discon_in_window(u->start_ns, time_ns, o->span);
}

static int print(struct dumper *u, const struct dump_row *r)
{
    if (dump_row(u->o->format, r) == 0)
        return DISCON_READ_CONTINUE;
    u->nomem = true;
    return DISCON_READ_STOP;
}

static int on_trap(void *ctx, const struct discon_trap *t)
{
    struct dumper *u = ctx;
    if (!wanted(u, t->vcpu, t->type, true, t->time_ns))
        return 0;
    struct discon_trap_why why;
    discon_trap_why(&u->namer, t, &why);
    return print(u, &(struct dump_row){
        .record = "trap", .vcpu = t->vcpu, .seq = t->seq, .has_time = true,
        .time_ns = t->time_ns, .rel_ns = (int64_t)(t->time_ns - u->start_ns), .type = t->type,
        .has_pcs = true, .from_pc = t->from_pc, .to_pc = t->to_pc, .has_causes = true,
        .has = t->has, .cause = t->cause, .fault_addr = t->fault_addr, .syscall = t->syscall,
        .to_level = t->to_level, .from_level = t->from_level, .count = t->events,
        .kind = why.kind->name, .origin = discon_level_name(why.origin),
    });
}

/* Traps still pending in the deriver are emitted before a new trace's. */
static int finish_traps(struct dumper *u)
{
    if (!u->deriving)
        return 0;
    int rc = discon_traps_finish(&u->d);
    discon_traps_free(&u->d);
    u->deriving = false;
    return rc;
}

static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    struct dumper *u = ctx;
    /* Lines carry no trace id: two traces would read as one. The reader
     * gives the files trace by trace, so a second comes after the first
     * trace's lines: they stand, and the dump ends with an error. */
    switch (discon_trace_pick(&u->pick, h)) {
    case DISCON_PICK_SKIP:
        return DISCON_READ_SKIP_FILE;
    case DISCON_PICK_OTHER:
        return DISCON_READ_STOP;
    case DISCON_PICK_SAME:
        return 0;
    case DISCON_PICK_NEW:
        break;
    }
    /* The trace: its start and, for traps, its rule. Events read before
     * (a first header damaged) are derived under the default rule. */
    if (finish_traps(u) != 0)
        return DISCON_READ_STOP;
    u->have_start = h->clock && h->clock->monotonic_ns;
    u->start_ns = u->have_start ? h->clock->monotonic_ns : 0;
    if (u->o->traps) {
        discon_trap_namer_init(&u->namer, h->target, NULL);
        discon_traps_init(&u->d, discon_trap_rule_for(h->target), on_trap, u);
        u->deriving = true;
    }
    return 0;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct dumper *u = ctx;
    if (!u->have_start) { /* no header read yet (damaged): time from the first event */
        u->have_start = true;
        u->start_ns = ev[0].time_ns;
    }
    if (u->o->traps) {
        if (!u->deriving) {
            discon_trap_namer_init(&u->namer, NULL, NULL);
            discon_traps_init(&u->d, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_trap, u);
            u->deriving = true;
        }
        return discon_traps_feed(&u->d, ev, n) ? DISCON_READ_STOP : 0;
    }
    for (size_t i = 0; i < n; i++) {
        const struct discon_event *e = &ev[i];
        if (!wanted(u, e->vcpu, e->type, true, e->time_ns))
            continue;
        int rc = print(u, &(struct dump_row){
            .record = "event", .vcpu = e->vcpu, .seq = e->seq, .has_time = true,
            .time_ns = e->time_ns, .rel_ns = (int64_t)(e->time_ns - u->start_ns),
            .type = e->type, .has_pcs = true, .from_pc = e->from_pc, .to_pc = e->to_pc,
            .has_causes = true, .has = e->has, .cause = e->cause,
            .fault_addr = e->fault_addr, .syscall = e->syscall, .to_level = e->to_level,
            .from_level = e->from_level, .count = 1,
        });
        if (rc)
            return rc;
    }
    return 0;
}

static int on_loss(void *ctx, const Discon__Loss *l)
{
    struct dumper *u = ctx;
    if (u->deriving && discon_traps_break(&u->d, l->vcpu) != 0)
        return DISCON_READ_STOP;
    bool timed = l->first_time_ns != 0;
    if (!wanted(u, l->vcpu, 0, timed, l->first_time_ns))
        return 0;
    return print(u, &(struct dump_row){
        .record = "loss", .vcpu = l->vcpu, .seq = l->first_seq, .has_time = timed,
        .time_ns = l->first_time_ns, .rel_ns = (int64_t)(l->first_time_ns - u->start_ns),
        .count = l->count,
    });
}

static void on_damage(void *ctx, const struct discon_damage *d)
{
    struct dumper *u = ctx;
    if (dump_damage(u->o->format, d) != 0)
        u->nomem = true;
}

static void on_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    struct dumper *u = ctx;
    if ((u->o->any_vcpu || vcpu == u->o->vcpu) && dump_gap(u->o->format, vcpu, expected, got))
        u->nomem = true;
}

int dump_paths(const struct dump_options *o, char *const *paths, int n, char *err,
               size_t errlen)
{
    struct dumper u = {.o = o};
    discon_trace_pick_init(&u.pick, o->trace);
    struct discon_reader_ops ops = {
        .ctx = &u, .header = on_header, .events = on_events, .loss = on_loss,
        .damage = on_damage, .gap = on_gap,
    };
    struct discon_read_stats st = {0};
    dump_begin(o->format, o->traps);
    int rc = discon_read_paths(paths, n, &ops, &st, err, errlen);
    if (rc >= 0 && finish_traps(&u) != 0)
        u.nomem = true;
    discon_traps_free(&u.d);
    if (discon_trace_pick_error(&u.pick, err, errlen))
        return -DISCON_E_STOPPED;
    if (u.nomem) {
        snprintf(err, errlen, "out of memory");
        return -DISCON_E_NOMEM;
    }
    return rc;
}
