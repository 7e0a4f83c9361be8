/* Traps counted by kind from trace files (kind_tally.h): the reader's
 * callbacks feed the deriver, the deriver's traps go to the namer. */
#include "kind_tally.h"
#include "discon_error.h"
#include "pc_counts.h"
#include "trace_reader.h"
#include "trap_kind.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally_ctx {
    struct discon_kind_tally *t;
    bool have_header;
    char target[32];                 /* the first header's */
    struct discon_trap_deriver d;
    struct discon_trap_namer namer;  /* with syms */
    const struct discon_symbols *syms; /* NULL: as a report without --symbols */
    struct pc_counts *handlers;      /* NULL, or exception handlers counted */
    bool failed;                     /* out of memory counting handlers */
};

static int on_trap(void *ctx, const struct discon_trap *trap)
{
    struct tally_ctx *c = ctx;
    if (c->handlers && trap->type == DISCON_EXCEPTION &&
        pc_counts_add(c->handlers, trap->to_pc, DISCON_EXCEPTION, 1))
        c->failed = true;
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
    snprintf(c->target, sizeof c->target, "%s", h->target ? h->target : "");
    discon_traps_free(&c->d);
    discon_traps_init(&c->d, discon_trap_rule_for(h->target), on_trap, c);
    discon_trap_namer_init(&c->namer, h->target, c->syms);
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

/* One read of the trace into c's tally: 0, or a negative -DISCON_E_x
 * with err set. */
static int tally_pass(char *const *paths, int n, struct tally_ctx *c, char *err, size_t errlen)
{
    struct discon_kind_tally *t = c->t;
    memset(t->count, 0, t->ncount * sizeof *t->count);
    t->events = t->traps = 0;
    c->have_header = false;
    discon_trap_namer_init(&c->namer, NULL, NULL);
    discon_traps_init(&c->d, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_trap, c);
    struct discon_reader_ops ops = {
        .ctx = c, .header = on_header, .events = on_events, .loss = on_loss, .gap = on_gap,
    };
    struct discon_read_stats st = {0};
    int rc = discon_read_paths(paths, n, &ops, &st, err, errlen);
    if (rc >= 0) {
        t->read_result = rc;
        rc = discon_traps_finish(&c->d) || c->failed ? -DISCON_E_NOMEM : 0;
    } else if (rc == -DISCON_E_STOPPED) { /* only a failed feed stops the read */
        rc = -DISCON_E_NOMEM;
    }
    discon_traps_free(&c->d);
    return rc;
}

/* The symbol files placed for the trace as discon-report places them:
 * its most frequent exception handlers find the KASLR slide. 0, or -1
 * when out of memory. */
static int place(const struct discon_symbol_files *files, const char *target,
                 const struct pc_counts *handlers, struct discon_symbols *syms, char *note,
                 size_t len)
{
    size_t *idx = pc_counts_sorted(handlers, DISCON_EXCEPTION);
    if (!idx)
        return -1;
    uint64_t top[DISCON_KASLR_HANDLERS];
    size_t k = 0;
    for (; idx[k] != SIZE_MAX && k < DISCON_KASLR_HANDLERS; k++)
        top[k] = handlers->pc[idx[k]];
    free(idx);
    struct discon_kaslr_option automatic = {0}; /* not given: found from the handlers */
    struct discon_symbol_placement p;
    if (discon_symbols_for_trace(syms, files, target, &automatic, top, k, &p))
        return -1;
    snprintf(note, len, "KASLR slide 0x%llx (%s)", (unsigned long long)p.slide,
             p.found ? "found" : "none found");
    return 0;
}

int discon_kind_tally(char *const *paths, int n, const struct discon_symbol_files *files,
                      struct discon_kind_tally *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (alloc_counts(t) != 0) {
        snprintf(err, errlen, "out of memory");
        return -DISCON_E_NOMEM;
    }
    bool with_symbols = files && files->n > 0;
    struct pc_counts handlers = {0};
    struct tally_ctx c = {.t = t, .handlers = with_symbols ? &handlers : NULL};
    int rc = tally_pass(paths, n, &c, err, errlen);
    /* Only x86_64 kinds depend on symbols (the vector from the handler's
     * name): elsewhere the first read's names stand. */
    struct discon_symbols syms = {0};
    if (rc == 0 && with_symbols && strcmp(c.target, "x86_64") == 0) {
        if (place(files, c.target, &handlers, &syms, t->symbols_note, sizeof t->symbols_note))
            rc = -DISCON_E_NOMEM;
        c = (struct tally_ctx){.t = t, .syms = &syms};
        if (rc == 0)
            rc = tally_pass(paths, n, &c, err, errlen);
    }
    if (rc == -DISCON_E_NOMEM)
        snprintf(err, errlen, "out of memory");
    discon_symbols_free(&syms);
    pc_counts_free(&handlers);
    return rc;
}

void discon_kind_tally_free(struct discon_kind_tally *t)
{
    free(t->count);
    *t = (struct discon_kind_tally){0};
}
