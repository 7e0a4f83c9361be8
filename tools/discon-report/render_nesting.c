/*
 * The report's handler-time and nesting sections (see nesting.c and
 * handler_time.c), text within 80 columns, JSON members and CSV tables.
 * Kinds are named here through tools/analysis/trap_kind.h, with the
 * trace's placed symbols.
 */
#include "csv.h"
#include "report.h"

#include <stdio.h>
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

/* pc as its symbol, cut to width with a '~', or as hex without 0x. */
static const char *pc_col(const struct report *r, uint64_t pc, char *buf, size_t len, int width)
{
    if (!report_symbol(r, pc, buf, len)[0])
        snprintf(buf, len, "%llx", (unsigned long long)pc);
    else if (strlen(buf) > (size_t)width)
        memcpy(buf + width - 1, "~", 2);
    return buf;
}

/* One trap of a chain: mark, time, kind, source and handler. */
static void chain_line(const struct report *r, FILE *o, const char *mark,
                       const struct discon_trap *t)
{
    char a[256], b[256];
    fprintf(o, "  %2s %11.6f %-24.24s %-16s -> %s\n", mark, secs(r, t->time_ns), report_kind_name(r, t),
            pc_col(r, t->from_pc, a, sizeof a, 16), pc_col(r, t->to_pc, b, sizeof b, 16));
}

static void handler_time_text(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    fprintf(o, "\nTime in handlers (a return closes the innermost open trap of its vCPU)\n");
    fprintf(o, "  returns     %llu matched, %llu unmatched (recording started inside\n"
               "              a handler, or its trap was among lost events)\n",
            (unsigned long long)n->returns, (unsigned long long)n->unmatched);
    if (!n->nkinds) {
        fprintf(o, "  no trap returned\n");
        return;
    }
    fprintf(o, "  %-26s %8s %10s %9s %9s %9s\n", "kind", "count", "total ms", "p50 us", "p99 us",
            "max us");
    for (size_t i = 0; i < n->nkinds; i++) {
        const struct kind_time *k = &n->kinds[i];
        fprintf(o, "  %-26.26s %8llu %10.3f %9.3f %9.3f %9.3f\n", k->kind->name,
                (unsigned long long)k->count, (double)k->total_ns / 1e6, (double)k->p50_ns / 1e3,
                (double)k->p99_ns / 1e3, (double)k->max_ns / 1e3);
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
    char a[256];
    for (size_t i = 0; i < n->nopen; i++) {
        const struct trap_chain *c = &n->open_at_end[i];
        fprintf(o, "  vCPU %u inside %s since %.6f s%s\n", c->trap.vcpu,
                pc_col(r, c->trap.to_pc, a, sizeof a, 28), secs(r, c->trap.time_ns),
                c->nopen ? ", nested in:" : "");
        chain_line(r, o, "=>", &c->trap);
        for (unsigned k = c->nopen; k-- > 0;)
            chain_line(r, o, "", &c->open[k]);
        if (c->trap.depth > c->nopen)
            fprintf(o, "    ... %u open in all\n", c->trap.depth + 1);
    }
}

void render_nesting_text(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    handler_time_text(r, o);
    fprintf(o, "\nNesting (exact: the trace recorded returns)\n");
    fprintf(o, "  deepest     %llu trap(s) open when one was taken\n",
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

static void json_chains(const struct report *r, FILE *o, const char *name,
                        const struct trap_chain *c, size_t n)
{
    fprintf(o, ", \"%s\": [", name);
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "%s{\"vcpu\": %u, \"seq\": %llu, \"kind\": ", i ? ", " : "", c[i].trap.vcpu,
                (unsigned long long)c[i].trap.seq);
        report_json_string(o, report_kind_name(r, &c[i].trap));
        fprintf(o, ", \"depth\": %u, \"trap\": ", c[i].trap.depth);
        report_json_trap(r, o, &c[i].trap);
        fprintf(o, ", \"open\": [");
        for (unsigned k = 0; k < c[i].nopen; k++) {
            fprintf(o, "%s", k ? ", " : "");
            report_json_trap(r, o, &c[i].open[k]);
        }
        fprintf(o, "]}");
    }
    fprintf(o, "]");
}

void render_nesting_json(const struct report *r, FILE *o)
{
    const struct nesting *n = &r->nest;
    fprintf(o, ",\n \"handler_time\": {\"paired\": %s", n->paired ? "true" : "false");
    if (n->paired) {
        fprintf(o, ", \"returns\": %llu, \"unmatched_returns\": %llu, \"by_kind\": [",
                (unsigned long long)n->returns, (unsigned long long)n->unmatched);
        for (size_t i = 0; i < n->nkinds; i++) {
            const struct kind_time *k = &n->kinds[i];
            fprintf(o, "%s{\"kind\": ", i ? ", " : "");
            report_json_string(o, k->kind->name);
            fprintf(o, ", \"class\": ");
            report_json_string(o, discon_trap_class_name(k->kind->trap_class));
            fprintf(o, ", \"count\": %llu, \"total_ns\": %llu, \"p50_ns\": %llu, \"p99_ns\": %llu,"
                       " \"max_ns\": %llu}", (unsigned long long)k->count,
                    (unsigned long long)k->total_ns, (unsigned long long)k->p50_ns,
                    (unsigned long long)k->p99_ns, (unsigned long long)k->max_ns);
        }
        fprintf(o, "]");
    }
    fprintf(o, "},\n \"nesting\": {\"rule\": \"%s\"", n->paired ? "exact" : "distance");
    if (n->paired) {
        fprintf(o, ", \"max_depth\": %llu, \"nested\": %llu, \"nested_interrupts\": %llu,"
                   " \"open_at_end\": %llu, \"ended_by_loss\": %llu, \"too_deep\": %llu,"
                   " \"double_traps_total\": %zu",
                (unsigned long long)n->max_depth, (unsigned long long)n->nested,
                (unsigned long long)n->nested_interrupts,
                (unsigned long long)n->by_end[DISCON_TRAP_AT_END],
                (unsigned long long)n->by_end[DISCON_TRAP_LOST],
                (unsigned long long)n->by_end[DISCON_TRAP_TOO_DEEP], n->doubles_total);
        json_chains(r, o, "double_traps", n->doubles, n->ndoubles);
        json_chains(r, o, "open_at_end_by_vcpu", n->open_at_end, n->nopen);
    }
    fprintf(o, "}");
}

/* ---- CSV ------------------------------------------------------------------- */

static void csv_chains(const struct report *r, FILE *o, const char *what,
                       const struct trap_chain *c, size_t n)
{
    char a[256];
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "%s,%u,%llu,%.9f,", what, c[i].trap.vcpu, (unsigned long long)c[i].trap.seq,
                secs(r, c[i].trap.time_ns));
        discon_csv_field(o, report_kind_name(r, &c[i].trap));
        fprintf(o, ",%u,0x%llx,", c[i].trap.depth, (unsigned long long)c[i].trap.to_pc);
        discon_csv_field(o, report_symbol(r, c[i].trap.to_pc, a, sizeof a));
        fputc(',', o);
        char chain[1024] = "";
        for (unsigned k = 0, used = 0; k < c[i].nopen && used < sizeof chain; k++)
            used += (unsigned)snprintf(chain + used, sizeof chain - used, "%s%llu:%s", k ? ";" : "",
                                       (unsigned long long)c[i].open[k].seq,
                                       report_symbol_or_hex(r, c[i].open[k].to_pc, a, sizeof a));
        discon_csv_field(o, chain);
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
