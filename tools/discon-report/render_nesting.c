/*
 * The report's handler-time and nesting sections (see nesting.c and
 * handler_time.c), text within 80 columns, JSON members and CSV tables.
 * Kinds are named here through tools/analysis/trap_kind.h, with the
 * trace's placed symbols.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "csv.h"
#include "report.h"
#include "text_cells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double secs(const struct report *r, uint64_t ns)
{
    return ((double)ns - (double)r->clock_mono) / 1e9;
}

const char *report_kind_name(const struct report *r, const struct discon_trap *t)
{
    struct discon_trap_namer n;
    struct discon_trap_why why;
    discon_trap_namer_init(&n, r->target, r->opt.syms);
    discon_trap_why(&n, t, &why);
    return why.kind->name;
}

/* A copy of a kind's name for a text cell (text_cells.h takes its cells). */
static char *name_copy(const char *name)
{
    size_t n = strlen(name) + 1;
    char *s = malloc(n);
    return s ? memcpy(s, name, n) : NULL;
}

/* One trap of a chain: mark, time, kind, source and handler, each whole
 * (a long one on a line of its own). */
static void chain_line(const struct report *r, FILE *o, const char *mark,
                       const struct discon_trap *t)
{
    struct text_cells c;
    text_cells_init(&c);
    const char *kind = text_cell(&c, name_copy(report_kind_name(r, t)), 24, 17);
    text_cells_arrow(&c);
    const char *from = text_sym_cell(&c, r, t->from_pc, 16, 42, "");
    fprintf(o, "  %2s %11.6f %-24s %-16s -> %s\n", mark, secs(r, t->time_ns), kind, from,
            text_sym_cell(&c, r, t->to_pc, TEXT_WIDTH - 62, 62, ""));
    text_cells_end(&c, o);
}

static void handler_time_text(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    fprintf(o, "\nTime in handlers (a return closes the innermost open trap of its vCPU)\n");
    fprintf(o, "  returns     %llu matched, %llu unmatched (recording started inside\n"
               "              a handler, or its trap was among lost events)\n",
            (unsigned long long)n->returns, (unsigned long long)n->unmatched);
    if (r->deriver.returns_to_self)
        fprintf(o, "              %llu x86 IRET(s) to the next instruction (sync_core's\n"
                   "              serializing IRET-to-self): no trap's return\n",
                (unsigned long long)r->deriver.returns_to_self);
    if (!n->nkinds) {
        fprintf(o, "  no trap returned\n");
        return;
    }
    fprintf(o, "  %-26s %8s %10s %9s %9s %9s\n", "kind", "count", "total ms", "p50 us", "p99 us",
            "max us");
    struct text_cells c;
    text_cells_init(&c);
    for (size_t i = 0; i < n->nkinds; i++) {
        const struct kind_time *k = &n->kinds[i];
        fprintf(o, "  %-26s %8llu %10.3f %9.3f %9.3f %9.3f\n",
                text_cell(&c, name_copy(k->kind->name), 26, 2),
                (unsigned long long)k->count, (double)k->total_ns / 1e6, (double)k->p50_ns / 1e3,
                (double)k->p99_ns / 1e3, (double)k->max_ns / 1e3);
        text_cells_end(&c, o);
    }
    fprintf(o, "  (p50, p99: nearest rank, up to 3.1%% low; exact in the database)\n");
}

static void doubles_text(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    fprintf(o, "\nDouble traps (an exception taken while a handler of its level or a more\n"
               "privileged one had not returned; levels not recorded: any open handler)\n");
    if (!n->doubles_total)
        fprintf(o, "  none\n");
    for (size_t i = 0; i < n->ndoubles; i++) {
        const struct trap_chain *c = &n->doubles[i];
        fprintf(o, "  vCPU %u, depth %u: the trap, then the handlers open around it\n",
                c->trap.vcpu, c->trap.depth);
        chain_line(r, o, "=>", &c->trap);
        for (unsigned k = c->nopen; k-- > 0;)
            chain_line(r, o, "", &c->open[k]);
    }
    if (n->doubles_total > n->ndoubles)
        fprintf(o, "  ... %zu in all\n", n->doubles_total);
}

static void open_text(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    fprintf(o, "\nTraps open at the end of the trace (post-mortem, innermost first)\n");
    if (!n->open_total)
        fprintf(o, "  none\n");
    struct text_cells cells;
    text_cells_init(&cells);
    for (size_t i = 0; i < n->nopen; i++) {
        const struct trap_chain *c = &n->open_at_end[i];
        /* "  vCPU N inside " is at most 22 columns, " since S.SSSSSS s, nested in:" 30 */
        fprintf(o, "  vCPU %u inside %s since %.6f s%s\n", c->trap.vcpu,
                text_sym_cell(&cells, r, c->trap.to_pc, 28, 6, ""), secs(r, c->trap.time_ns),
                c->nopen ? ", nested in:" : "");
        text_cells_end(&cells, o);
        chain_line(r, o, "=>", &c->trap);
        for (unsigned k = c->nopen; k-- > 0;)
            chain_line(r, o, "", &c->open[k]);
        if (c->trap.depth - 1 > c->nopen)
            fprintf(o, "    ... %u open in all\n", c->trap.depth);
    }
}

void render_nesting_text(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    handler_time_text(r, o);
    fprintf(o, "\nNesting (exact: the trace recorded returns)\n");
    fprintf(o, "  deepest     %llu trap(s) nested (depth 1: taken with none open)\n",
            (unsigned long long)n->max_depth);
    fprintf(o, "  nested      %llu trap(s) taken inside a handler, %llu of them interrupts\n",
            (unsigned long long)n->nested, (unsigned long long)n->nested_interrupts);
    fprintf(o, "  never       %llu open at the end, %llu ended by lost events, %llu too deep\n",
            (unsigned long long)n->by_end[DISCON_TRAP_AT_END],
            (unsigned long long)n->by_end[DISCON_TRAP_LOST],
            (unsigned long long)n->by_end[DISCON_TRAP_TOO_DEEP]);
    doubles_text(r, o);
    open_text(r, o);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_object *json_chains(const struct report *r, const struct trap_chain *c, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object(), *open = json_object_new_array();
        json_object_object_add(o, "vcpu", json_object_new_uint64(c[i].trap.vcpu));
        json_object_object_add(o, "seq", json_object_new_uint64(c[i].trap.seq));
        json_object_object_add(o, "kind", report_json_text(report_kind_name(r, &c[i].trap)));
        json_object_object_add(o, "depth", json_object_new_uint64(c[i].trap.depth));
        json_object_object_add(o, "trap", report_json_trap(r, &c[i].trap));
        for (unsigned k = 0; k < c[i].nopen; k++)
            json_object_array_add(open, report_json_trap(r, &c[i].open[k]));
        json_object_object_add(o, "open", open);
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_handler_time(const struct report *r)
{
    const struct nesting *n = &r->nest;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "paired", json_object_new_boolean(n->paired));
    if (!n->paired)
        return o;
    json_object_object_add(o, "returns", json_object_new_uint64(n->returns));
    json_object_object_add(o, "unmatched_returns", json_object_new_uint64(n->unmatched));
    json_object_object_add(o, "returns_to_self",
                           json_object_new_uint64(r->deriver.returns_to_self));
    json_object *by_kind = json_object_new_array();
    for (size_t i = 0; i < n->nkinds; i++) {
        const struct kind_time *k = &n->kinds[i];
        json_object *e = json_object_new_object();
        json_object_object_add(e, "kind", report_json_text(k->kind->name));
        json_object_object_add(e, "class", report_json_text(discon_trap_class_name(k->kind->trap_class)));
        json_object_object_add(e, "count", json_object_new_uint64(k->count));
        json_object_object_add(e, "total_ns", json_object_new_uint64(k->total_ns));
        json_object_object_add(e, "p50_ns", json_object_new_uint64(k->p50_ns));
        json_object_object_add(e, "p99_ns", json_object_new_uint64(k->p99_ns));
        json_object_object_add(e, "max_ns", json_object_new_uint64(k->max_ns));
        json_object_array_add(by_kind, e);
    }
    json_object_object_add(o, "by_kind", by_kind);
    return o;
}

void render_nesting_json(const struct report *r, json_object *root)
{
    const struct nesting *n = &r->nest;
    json_object_object_add(root, "handler_time", json_handler_time(r));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "rule", json_object_new_string(n->paired ? "exact" : "distance"));
    if (n->paired) {
        json_object_object_add(o, "max_depth", json_object_new_uint64(n->max_depth));
        json_object_object_add(o, "nested", json_object_new_uint64(n->nested));
        json_object_object_add(o, "nested_interrupts", json_object_new_uint64(n->nested_interrupts));
        json_object_object_add(o, "open_at_end", json_object_new_uint64(n->by_end[DISCON_TRAP_AT_END]));
        json_object_object_add(o, "ended_by_loss", json_object_new_uint64(n->by_end[DISCON_TRAP_LOST]));
        json_object_object_add(o, "too_deep", json_object_new_uint64(n->by_end[DISCON_TRAP_TOO_DEEP]));
        json_object_object_add(o, "double_traps_total", json_object_new_uint64(n->doubles_total));
        json_object_object_add(o, "double_traps", json_chains(r, n->doubles, n->ndoubles));
        json_object_object_add(o, "open_at_end_by_vcpu", json_chains(r, n->open_at_end, n->nopen));
    }
    json_object_object_add(root, "nesting", o);
}

/* ---- CSV ------------------------------------------------------------------- */

static void csv_chains(const struct report *r, FILE *o, const char *what,
                       const struct trap_chain *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "%s,%u,%llu,%.9f,", what, c[i].trap.vcpu, (unsigned long long)c[i].trap.seq,
                secs(r, c[i].trap.time_ns));
        discon_csv_field(o, report_kind_name(r, &c[i].trap));
        fprintf(o, ",%u,0x%llx,", c[i].trap.depth, (unsigned long long)c[i].trap.to_pc);
        char *sym = report_symbol_new(r, c[i].trap.to_pc);
        discon_csv_field(o, sym ? sym : "?");
        free(sym);
        fputc(',', o);
        /* The chain whole, however deep and long its symbols. */
        char *chain = NULL;
        size_t chain_len = 0;
        FILE *m = open_memstream(&chain, &chain_len);
        for (unsigned k = 0; m && k < c[i].nopen; k++) {
            char *sym = report_symbol_new(r, c[i].open[k].to_pc);
            fprintf(m, "%s%llu:", k ? ";" : "", (unsigned long long)c[i].open[k].seq);
            if (sym && sym[0])
                fputs(sym, m);
            else
                fprintf(m, "0x%llx", (unsigned long long)c[i].open[k].to_pc);
            free(sym);
        }
        if (m && fclose(m) == 0)
            discon_csv_field(o, chain);
        else
            fputs("?", o); /* out of memory */
        free(chain);
        fputc('\n', o);
    }
}

void render_nesting_csv(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    fprintf(o, "\n# handler_time\nkind,class,count,total_ns,p50_ns,p99_ns,max_ns\n");
    for (size_t i = 0; i < n->nkinds; i++) {
        const struct kind_time *k = &n->kinds[i];
        discon_csv_field(o, k->kind->name);
        fputc(',', o);
        discon_csv_field(o, discon_trap_class_name(k->kind->trap_class));
        fprintf(o, ",%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)k->count,
                (unsigned long long)k->total_ns, (unsigned long long)k->p50_ns,
                (unsigned long long)k->p99_ns, (unsigned long long)k->max_ns);
    }
    fprintf(o, "\n# nesting\nrule,returns,unmatched_returns,max_depth,nested,nested_interrupts,"
               "open_at_end,ended_by_loss,too_deep,double_traps\n");
    fprintf(o, "%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%zu\n", n->paired ? "exact" : "distance",
            (unsigned long long)n->returns, (unsigned long long)n->unmatched,
            (unsigned long long)n->max_depth, (unsigned long long)n->nested,
            (unsigned long long)n->nested_interrupts,
            (unsigned long long)n->by_end[DISCON_TRAP_AT_END],
            (unsigned long long)n->by_end[DISCON_TRAP_LOST],
            (unsigned long long)n->by_end[DISCON_TRAP_TOO_DEEP],
            n->paired ? n->doubles_total : r->doubles_total);
    fprintf(o, "\n# nesting_chains\nsection,vcpu,seq,time_s,kind,depth,handler,handler_symbol,"
               "open\n");
    csv_chains(r, o, "double_trap", n->doubles, n->ndoubles);
    csv_chains(r, o, "open_at_end", n->open_at_end, n->nopen);
}
