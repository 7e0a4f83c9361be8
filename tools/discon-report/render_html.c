/*
 * discon-report --format html: one self-contained page (inline CSS and
 * SVG, no script, no network: a Content-Security-Policy says so to the
 * browser): summary, trap rate per kind over time, a heat strip per vCPU,
 * the kind and handler tables, handler time (traces with returns), double
 * traps with their context, and the last events of each vCPU. Tables carry
 * the same numbers as the CSV report; rows have classes and counts in
 * data-count attributes so a test can read them back.
 */
#include "printable.h"
#include "render_html.h"

#include <stdlib.h>

static const char style[] =
    "body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}"
    "h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.4em 0}td,th{padding:2px 8px;text-align:left;"
    "border-bottom:1px solid #eee}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code,td.pc{font-family:monospace}.axis{font-size:11px;fill:#555}.frame{stroke:#999}"
    "ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1em}"
    ".swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}"
    "tr.double-first td,tr.double-second td{background:#fde0dd}.note{color:#555}"
    "tbody.double{border-top:2px solid #999}";

void html_text(FILE *o, const char *s)
{
    char buf[1024];
    if (!s)
        return;
    for (const char *p = discon_printable(buf, sizeof buf, s); *p; p++)
        switch (*p) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '"': fputs("&quot;", o); break;
        case '\'': fputs("&#39;", o); break;
        default: fputc(*p, o);
        }
}

static double secs(const struct report *r, uint64_t ns)
{
    return ((double)ns - (double)r->clock_mono) / 1e9;
}

static double share(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0;
}

/* A cell holding a PC: its symbol where known, else hex. */
static void pc_cell(FILE *o, const struct report *r, uint64_t pc)
{
    char buf[256];
    fprintf(o, "<td class=\"pc\">");
    html_text(o, report_symbol_or_hex(r, pc, buf, sizeof buf));
    fprintf(o, "</td>");
}

static void summary(FILE *o, const struct report *r)
{
    char why[256];
    bool complete = report_complete(r, why, sizeof why);
    const char *keys[] = {"target", "trace id", "host", "source", "lacks", "symbols"};
    const char *vals[] = {r->target, r->trace_id, r->host, r->source, r->lacks,
                          r->opt.symbols_note};
    fprintf(o, "<table id=\"summary\">\n");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (vals[i] && vals[i][0]) {
            fprintf(o, "<tr><th>%s</th><td>", keys[i]);
            html_text(o, vals[i]);
            fprintf(o, "</td></tr>\n");
        }
    fprintf(o, "<tr><th>duration</th><td>%.6f s</td></tr>\n"
               "<tr><th>events</th><td class=\"n\" id=\"events\">%llu</td></tr>\n"
               "<tr><th>traps</th><td class=\"n\" id=\"traps\">%llu</td></tr>\n"
               "<tr><th>lost events</th><td class=\"n\">%llu</td></tr>\n"
               "<tr><th>complete</th><td>%s: ",
            report_duration(r), (unsigned long long)r->events, (unsigned long long)r->traps,
            (unsigned long long)r->lost_events, complete ? "yes" : "NO");
    html_text(o, why);
    fprintf(o, "</td></tr>\n</table>\n");
}

/* The kinds, as the CSV's trap_kinds: kind, class, count, share, rate. */
static void kinds_table(FILE *o, const struct report *r)
{
    double d = report_duration(r);
    fprintf(o, "<h2>Trap kinds</h2>\n<table id=\"kinds-table\"><thead><tr><th>kind</th>"
               "<th>class</th><th>count</th><th>share</th><th>per s</th></tr></thead><tbody>\n");
    size_t *idx = pc_counts_sorted(&r->kinds, 0);
    for (size_t i = 0; idx && idx[i] != SIZE_MAX; i++) {
        const struct discon_kind *k = discon_kind_by_id((unsigned)r->kinds.pc[idx[i]]);
        uint64_t n = r->kinds.count[idx[i]];
        fprintf(o, "<tr class=\"kind-row\" data-count=\"%llu\"><td>", (unsigned long long)n);
        html_text(o, k ? k->name : "?");
        fprintf(o, "</td><td>");
        html_text(o, k ? discon_trap_class_name(k->trap_class) : "?");
        fprintf(o, "</td><td class=\"n\">%llu</td><td class=\"n\">%.2f%%</td>"
                   "<td class=\"n\">%.3f</td></tr>\n",
                (unsigned long long)n, 100 * share(n, r->traps), d > 0 ? (double)n / d : 0.0);
    }
    free(idx);
    fprintf(o, "</tbody></table>\n");
}

/* The --top handlers, as the CSV's handlers. */
static void handlers_table(FILE *o, const struct report *r)
{
    double d = report_duration(r);
    fprintf(o, "<h2>Handlers</h2>\n<table id=\"handlers-table\"><thead><tr><th>type</th>"
               "<th>handler</th><th>count</th><th>share</th><th>per s</th></tr></thead><tbody>\n");
    size_t *idx = pc_counts_sorted(&r->handlers, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        size_t i = idx[k];
        fprintf(o, "<tr class=\"handler-row\" data-count=\"%llu\"><td>%s</td>",
                (unsigned long long)r->handlers.count[i], report_type_name(r->handlers.type[i]));
        pc_cell(o, r, r->handlers.pc[i]);
        fprintf(o, "<td class=\"n\">%llu</td><td class=\"n\">%.2f%%</td><td class=\"n\">%.3f</td>"
                   "</tr>\n", (unsigned long long)r->handlers.count[i],
                100 * share(r->handlers.count[i], r->traps),
                d > 0 ? (double)r->handlers.count[i] / d : 0.0);
    }
    free(idx);
    fprintf(o, "</tbody></table>\n");
}

static void times_table(FILE *o, const struct report *r)
{
    const struct nesting *n = &r->nest;
    fprintf(o, "<h2>Handler time</h2>\n<p class=\"note\">From each trap to its return; "
               "%llu returns, %llu unmatched.</p>\n",
            (unsigned long long)n->returns, (unsigned long long)n->unmatched);
    html_handler_times(o, r);
    fprintf(o, "<table id=\"handler-time-table\"><thead><tr><th>kind</th><th>returned</th>"
               "<th>total ns</th><th>min</th><th>median</th><th>p99</th><th>max</th></tr></thead>"
               "<tbody>\n");
    for (size_t i = 0; i < n->nkinds; i++) {
        const struct kind_time *k = &n->kinds[i];
        fprintf(o, "<tr class=\"time-row\" data-count=\"%llu\"><td>", (unsigned long long)k->count);
        html_text(o, k->kind->name);
        fprintf(o, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
                   "<td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n",
                (unsigned long long)k->count, (unsigned long long)k->total_ns,
                (unsigned long long)k->min_ns, (unsigned long long)k->p50_ns,
                (unsigned long long)k->p99_ns, (unsigned long long)k->max_ns);
    }
    fprintf(o, "</tbody></table>\n");
}

/* One trap as a row: when, vCPU, type, kind, from, to. */
static void trap_row(FILE *o, const struct report *r, struct discon_trap_namer *namer,
                     const char *cls, const struct discon_trap *t)
{
    struct discon_trap_why why;
    discon_trap_why(namer, t, &why);
    fprintf(o, "<tr class=\"%s\"><td class=\"n\">%.6f</td><td class=\"n\">%u</td><td>%s</td><td>",
            cls, secs(r, t->time_ns), t->vcpu, report_type_name(t->type));
    html_text(o, why.kind->name);
    fprintf(o, "</td>");
    pc_cell(o, r, t->from_pc);
    pc_cell(o, r, t->to_pc);
    fprintf(o, "</tr>\n");
}

static void doubles(FILE *o, const struct report *r)
{
    struct discon_trap_namer namer;
    discon_trap_namer_init(&namer, r->target, r->opt.syms);
    const struct nesting *n = &r->nest;
    size_t shown = n->paired ? n->ndoubles : r->ndoubles;
    fprintf(o, "<h2>Double traps</h2>\n<p class=\"note\" id=\"doubles-total\" data-count=\"%zu\">"
               "%zu found (%s), %zu shown with their context.</p>\n",
            n->paired ? n->doubles_total : r->doubles_total,
            n->paired ? n->doubles_total : r->doubles_total,
            n->paired ? "exact: the first had not returned" : "by distance and time", shown);
    fprintf(o, "<table id=\"doubles-table\"><thead><tr><th>time s</th><th>vCPU</th><th>type</th>"
               "<th>kind</th><th>from</th><th>to</th></tr></thead>\n");
    for (size_t i = 0; i < shown; i++) {
        fprintf(o, "<tbody class=\"double\">\n");
        if (n->paired) {
            const struct trap_chain *c = &n->doubles[i];
            for (unsigned k = 0; k < c->nopen; k++)
                trap_row(o, r, &namer, k + 1 == c->nopen ? "double-first" : "context", &c->open[k]);
            trap_row(o, r, &namer, "double-second", &c->trap);
        } else {
            const struct double_trap *d = &r->doubles[i];
            for (unsigned k = 0; k < d->nbefore; k++)
                trap_row(o, r, &namer, "context", &d->before[k]);
            trap_row(o, r, &namer, "double-first", &d->first);
            trap_row(o, r, &namer, "double-second", &d->second);
            for (unsigned k = 0; k < d->nafter; k++)
                trap_row(o, r, &namer, "context", &d->after[k]);
        }
        fprintf(o, "</tbody>\n");
    }
    fprintf(o, "</table>\n");
}

/* The last --tail events of each vCPU: what it did before the end. */
static void tail(FILE *o, const struct report *r)
{
    fprintf(o, "<h2>Last events per vCPU</h2>\n<table id=\"tail-table\"><thead><tr><th>vCPU</th>"
               "<th>time s</th><th>type</th><th>from</th><th>to</th></tr></thead><tbody>\n");
    for (uint32_t v = 0; r->opt.tail && v < r->nvcpus; v++) {
        const struct vcpu_state *s = &r->vcpu[v];
        unsigned n = s->ntail < r->opt.tail ? s->ntail : r->opt.tail;
        for (unsigned k = 0; k < n; k++) {
            const struct discon_event *e = &s->tail[(s->ntail - n + k) % r->opt.tail];
            fprintf(o, "<tr class=\"tail-row\"><td class=\"n\">%u</td><td class=\"n\">%.6f</td>"
                       "<td>%s</td>", v, secs(r, e->time_ns), report_type_name(e->type));
            pc_cell(o, r, e->from_pc);
            pc_cell(o, r, e->to_pc);
            fprintf(o, "</tr>\n");
        }
    }
    fprintf(o, "</tbody></table>\n");
}

int render_html(const struct report_args *a, const struct report *r, FILE *out, char *err,
                size_t errlen)
{
    struct timeline tl;
    err[0] = '\0';
    if (timeline_run(a, r, 1000000u, HTML_BINS, NULL, &tl, err, errlen))
        return -1;
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src 'unsafe-inline'\">\n<title>discon report: ");
    html_text(out, r->target);
    fprintf(out, " ");
    html_text(out, r->trace_id);
    fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>discon report: ", style);
    html_text(out, r->target);
    fprintf(out, "</h1>\n");
    summary(out, r);
    fprintf(out, "<h2>Trap rate per kind</h2>\n");
    html_rate_chart(out, &tl);
    fprintf(out, "<h2>Traps per vCPU over time</h2>\n");
    html_heat_strip(out, &tl);
    kinds_table(out, r);
    handlers_table(out, r);
    if (r->nest.paired)
        times_table(out, r);
    doubles(out, r);
    tail(out, r);
    fprintf(out, "</body></html>\n");
    timeline_free(&tl);
    return 0;
}
