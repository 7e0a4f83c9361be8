/* Feeding a report from trace files (streamed through the one reader) or
 * from a trace2sqlite database (input_db.c). */
#include "report.h"
#include "printable.h"
#include "trace_pick.h"
#include "trace_reader.h"

#include <stdio.h>
#include <string.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

struct file_ctx {
    struct report *r;
    struct discon_trace_pick pick; /* the trace reported on */
};

/* One trace: the one --trace selects (files of others are skipped), or
 * the only one. */
static int f_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    struct file_ctx *c = ctx;
    enum discon_trace_pick_is is = discon_trace_pick(&c->pick, h);
    if (is == DISCON_PICK_SKIP)
        return DISCON_READ_SKIP_FILE;
    if (is == DISCON_PICK_OTHER)
        return DISCON_READ_STOP;
    discon_complete_header(&c->r->complete, h);
    c->r->complete.start_ns = h->clock ? h->clock->monotonic_ns : 0;
    return report_header(c->r, h);
}

static int f_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct report *r = ((struct file_ctx *)ctx)->r;
    discon_complete_events(&r->complete, ev, n); /* every event: the trace's completeness */
    return report_events(r, ev, n);
}

static int f_loss(void *ctx, const Discon__Loss *l)
{
    discon_complete_loss(&((struct file_ctx *)ctx)->r->complete, l->vcpu, l->first_seq, l->count);
    return report_loss(((struct file_ctx *)ctx)->r, l->vcpu, l->first_seq, l->count,
                       l->first_time_ns, l->last_time_ns);
}

static int f_end(void *ctx, const Discon__End *e)
{
    struct report *r = ((struct file_ctx *)ctx)->r;
    discon_complete_end(&r->complete, e);
    r->have_end = true;
    discon_printable(r->qemu_ended, sizeof r->qemu_ended, e->qemu_ended);
    discon_printable(r->snapshot, sizeof r->snapshot, e->snapshot);
    discon_printable(r->guest_ended, sizeof r->guest_ended, e->guest_ended);
    r->producer_finished = e->producer_finished;
    r->unrecorded = e->unrecorded;
    for (size_t i = 0; i < e->n_vcpu; i++)
        report_vcpu_totals(r, e->vcpu[i]->vcpu, e->vcpu[i]->produced, e->vcpu[i]->dropped,
                           e->vcpu[i]->written);
    return 0;
}

static void f_damage(void *ctx, const struct discon_damage *d)
{
    ((struct file_ctx *)ctx)->r->complete.damaged++;
    fprintf(stderr, "discon-report: %s: damaged data at offset %llu (%llu bytes skipped): %s\n",
            d->path, (unsigned long long)d->offset, (unsigned long long)d->length, d->what);
}

static void f_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    struct report *r = ((struct file_ctx *)ctx)->r;
    r->complete.gaps++;
    /* As a loss: nothing open on the vCPU is matched across the missing
     * events (a void callback: out of memory shows at the next feed). */
    if (vcpu < REPORT_MAX_VCPUS)
        report_break(r, vcpu);
    fprintf(stderr, "discon-report: vCPU %u: sequence jumps from %llu to %llu (data missing)\n",
            vcpu, (unsigned long long)expected, (unsigned long long)got);
}

int report_read_files(struct report *r, char *const *paths, int n, char *err, size_t errlen)
{
    struct file_ctx c = {.r = r};
    discon_trace_pick_init(&c.pick, r->opt.trace);
    struct discon_reader_ops ops = {
        .ctx = &c, .header = f_header, .events = f_events, .loss = f_loss, .end = f_end,
        .damage = f_damage, .gap = f_gap,
    };
    struct discon_read_stats st = {0};
    int rc = discon_read_paths(paths, n, &ops, &st, err, errlen);
    if (discon_trace_pick_error(&c.pick, err, errlen))
        return -1;
    if (rc < 0)
        return -1;
    if (!r->have_header && r->opt.trace)
        return FAIL("no trace %s in the input", r->opt.trace);
    if (!r->have_header)
        return FAIL("no trace header found in the input");
    return report_finish(r) ? FAIL("out of memory") : rc == DISCON_READ_DAMAGED ? 3 : 0;
}

