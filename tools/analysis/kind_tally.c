/* Traps counted by kind from trace files (kind_tally.h): the reader's
 * callbacks feed the deriver, the deriver's traps go to the namer. */
#include "kind_tally.h"
#include "discon_error.h"
#include "trace_reader.h"
#include "trap_kind.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally_ctx {
    struct discon_kind_tally *t;
    bool have_header;
    struct discon_trap_deriver d;
    struct discon_trap_namer namer; /* no symbols: as a report without --symbols */
};

static int on_trap(void *ctx, const struct discon_trap *trap)
{
    struct tally_ctx *c = ctx;
    struct discon_trap_why why;
    discon_trap_why(&c->namer, trap, &why);
    if (why.kind->id < c->t->ncount) /* always: ncount covers the library's table */
        c->t->count[why.kind->id]++;
    c->t->traps++;
    return 0;
}

/* The first header sets the rule (the report reads one trace too). */
static int on_header(void *ctx, const char *path, const Discon__Header *h)
{
    (void)path;
    struct tally_ctx *c = ctx;
    if (c->have_header)
        return DISCON_READ_CONTINUE;
    c->have_header = true;
    discon_traps_free(&c->d);
    discon_traps_init(&c->d, discon_trap_rule_for(h->target), on_trap, c);
    discon_trap_namer_init(&c->namer, h->target, NULL);
    return DISCON_READ_CONTINUE;
}

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct tally_ctx *c = ctx;
    c->t->events += n;
    return discon_traps_feed(&c->d, ev, n) ? DISCON_READ_STOP : DISCON_READ_CONTINUE;
}

static int on_loss(void *ctx, const Discon__Loss *l)
{
    struct tally_ctx *c = ctx;
    return discon_traps_break(&c->d, l->vcpu) ? DISCON_READ_STOP : DISCON_READ_CONTINUE;
}

/* A gap is missing data: nothing is paired across it (as a loss). Void:
 * out of memory shows at the next feed. */
static void on_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    (void)expected, (void)got;
    discon_traps_break(&((struct tally_ctx *)ctx)->d, vcpu);
}

/* One counter per kind id: the table's largest id + 1. */
static int alloc_counts(struct discon_kind_tally *t)
{
    size_t max = 0;
    for (size_t i = 0; i < discon_kind_count(); i++)
        if (discon_kind_at(i)->id > max)
            max = discon_kind_at(i)->id;
    t->ncount = max + 1;
    t->count = calloc(t->ncount, sizeof *t->count);
    return t->count ? 0 : -1;
}

int discon_kind_tally(char *const *paths, int n, struct discon_kind_tally *t, char *err,
                      size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (alloc_counts(t) != 0) {
        snprintf(err, errlen, "out of memory");
        return -DISCON_E_NOMEM;
    }
    struct tally_ctx c = {.t = t};
    discon_trap_namer_init(&c.namer, NULL, NULL);
    discon_traps_init(&c.d, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_trap, &c);
    struct discon_reader_ops ops = {
        .ctx = &c, .header = on_header, .events = on_events, .loss = on_loss, .gap = on_gap,
    };
    struct discon_read_stats st = {0};
    int rc = discon_read_paths(paths, n, &ops, &st, err, errlen);
    if (rc >= 0) {
        t->read_result = rc;
        rc = discon_traps_finish(&c.d) ? -DISCON_E_NOMEM : 0;
    } else if (rc == -DISCON_E_STOPPED) { /* only a failed feed stops the read */
        rc = -DISCON_E_NOMEM;
    }
    if (rc == -DISCON_E_NOMEM)
        snprintf(err, errlen, "out of memory");
    discon_traps_free(&c.d);
    return rc;
}

void discon_kind_tally_free(struct discon_kind_tally *t)
{
    free(t->count);
    *t = (struct discon_kind_tally){0};
}
