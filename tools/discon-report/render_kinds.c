/*
 * The report's "why" sections, in every format, from the tables
 * report_name_traps built (kinds.c):
 *  - trap kinds: kind, class, count, share of all traps, rate per second
 *    over the trace's duration, and the most frequent source PC;
 *  - the hottest REPORT_KIND_SOURCES sources of each of the top --top kinds;
 *  - system calls by number and Linux name, like `strace -c`;
 *  - interrupts by number (x86 vector, riscv interrupt code) where known.
 * JSON keys: "trap_kinds": [{kind, class, count, share, rate_per_s,
 * top_source, top_source_pc}], "kind_sources": [{kind, source,
 * source_symbol, count}], "syscalls": [{nr, name, count, share}] (name null
 * if unknown), "interrupts": [{number, kind, count}]. CSV sections:
 * trap_kinds, kind_sources, syscalls, interrupts. Shares are fractions
 * 0..1 in JSON and CSV, percentages in text.
 */
#include "csv.h"
#include "report.h"
#include "text_cells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *report_symbol_or_hex(const struct report *r, uint64_t pc, char *buf, size_t len)
{
    if (!report_symbol(r, pc, buf, len)[0])
        snprintf(buf, len, "0x%llx", (unsigned long long)pc);
    return buf;
}

static double fraction(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0;
}

static const struct discon_kind *kind_at(const struct report *r, size_t i)
{
    const struct discon_kind *k = discon_kind_by_id((unsigned)r->kinds.pc[i]);
    return k ? k : discon_kind_at(0);
}

/* The most frequent source PC of kind k: its index in kind_sources, or
 * SIZE_MAX. */
static size_t top_source(const struct report *r, const struct discon_kind *k)
{
    size_t *idx = pc_counts_sorted(&r->kind_sources, k->id + 1);
    size_t top = idx ? idx[0] : SIZE_MAX;
    free(idx);
    return top;
}

/* Why the kinds are not shown, or NULL when they can be. An
 * aggregate-only database has the kinds trace2sqlite named at load
 * (r->stored_kinds), nothing finer. */
static const char *unavailable(const struct report *r)
{
    if (r->aggregate_only)
        return r->stored_kinds ? NULL : "not available: an aggregate-only database keeps no causes";
    return r->named ? NULL : "not available: the traps were not named";
}

static uint64_t syscall_total(const struct report *r)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->syscalls.cap; i++)
        n += r->syscalls.count[i];
    return n;
}

static const char *syscall_name(const struct report *r, uint64_t nr)
{
    return discon_syscall_name(discon_arch_from_target(r->target), nr);
}

/* ---- text ------------------------------------------------------------------ */

/* A copy of a kind's name for a text cell (text_cells.h takes its cells). */
static char *name_copy(const char *name)
{
    size_t n = strlen(name) + 1;
    char *s = malloc(n);
    return s ? memcpy(s, name, n) : NULL;
}

/* Two lines per kind: the numbers and the kind's name, then its class and
 * top source under the name; a name or source too long for the 53
 * columns left goes whole on a line of its own. */
static void text_kinds(const struct report *r, FILE *o, const size_t *idx)
{
    double d = report_duration(r);
    fprintf(o, "\nTrap kinds (rate over the %.3f s traced)\n", d);
    fprintf(o, "  %8s %6s %7s  %s\n%27s%s\n", "count", "share", "rate/s", "kind", "",
            "class, top source");
    struct text_cells c;
    text_cells_init(&c);
    for (size_t k = 0; idx[k] != SIZE_MAX; k++) {
        const struct discon_kind *kind = kind_at(r, idx[k]);
        uint64_t n = r->kinds.count[idx[k]];
        size_t top = top_source(r, kind);
        fprintf(o, "  %8llu %5.1f%% %7.0f  %s\n", (unsigned long long)n,
                100 * fraction(n, r->traps), d > 0 ? (double)n / d : 0.0,
                text_cell(&c, name_copy(kind->name), 53, 27));
        text_cells_end(&c, o);
        const char *class = discon_trap_class_name(kind->trap_class);
        int at = 27 + (int)strlen(class) + 2;
        fprintf(o, "%27s%s%s%s\n", "", class, top == SIZE_MAX ? "" : ", ",
                top == SIZE_MAX ? ""
                                : text_sym_cell(&c, r, r->kind_sources.pc[top], TEXT_WIDTH - at,
                                                at, "0x"));
        text_cells_end(&c, o);
    }
}

static void text_kind_sources(const struct report *r, FILE *o, const size_t *idx)
{
    fprintf(o, "\nHottest sources by kind (top %d of each of the top %u kinds)\n",
            REPORT_KIND_SOURCES, r->opt.top);
    struct text_cells c;
    text_cells_init(&c);
    for (size_t k = 0; idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        const struct discon_kind *kind = kind_at(r, idx[k]);
        fprintf(o, "  %s\n", kind->name);
        size_t *src = pc_counts_sorted(&r->kind_sources, kind->id + 1);
        for (size_t j = 0; src && src[j] != SIZE_MAX && j < REPORT_KIND_SOURCES; j++) {
            uint64_t n = r->kind_sources.count[src[j]];
            fprintf(o, "    0x%016llx %-36s %9llu %5.1f%%\n",
                    (unsigned long long)r->kind_sources.pc[src[j]],
                    text_sym_cell(&c, r, r->kind_sources.pc[src[j]], 36, 23, NULL),
                    (unsigned long long)n, 100 * fraction(n, r->kinds.count[idx[k]]));
            text_cells_end(&c, o);
        }
        free(src);
    }
}

static void text_syscalls(const struct report *r, FILE *o)
{
    uint64_t total = syscall_total(r);
    fprintf(o, "\nSystem calls (%llu with a number, names from the Linux headers)\n",
            (unsigned long long)total);
    if (!total) {
        fprintf(o, "  none\n");
        return;
    }
    fprintf(o, "  %9s %6s %6s  %s\n", "count", "share", "nr", "name");
    size_t *idx = pc_counts_sorted(&r->syscalls, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        uint64_t nr = r->syscalls.pc[idx[k]], n = r->syscalls.count[idx[k]];
        const char *name = syscall_name(r, nr);
        fprintf(o, "  %9llu %5.1f%% %6llu  %s\n", (unsigned long long)n,
                100 * fraction(n, total), (unsigned long long)nr, name ? name : "?");
    }
    free(idx);
}

static void text_interrupts(const struct report *r, FILE *o)
{
    fprintf(o, "\nInterrupts by number (x86 vector, riscv interrupt code)\n");
    size_t *idx = pc_counts_sorted(&r->interrupts, 0);
    if (idx && idx[0] == SIZE_MAX)
        fprintf(o, "  none known (aarch64 records no interrupt number; x86_64 needs --symbols)\n");
    else if (idx)
        fprintf(o, "  %9s %6s  %s\n", "count", "number", "kind");
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        const struct discon_kind *kind = discon_kind_by_id(r->interrupts.type[idx[k]] - 1);
        fprintf(o, "  %9llu %6llu  %s\n", (unsigned long long)r->interrupts.count[idx[k]],
                (unsigned long long)r->interrupts.pc[idx[k]], kind ? kind->name : "?");
    }
    free(idx);
}

void render_kinds_text(const struct report *r, FILE *o)
{
    const char *why = unavailable(r);
    size_t *idx = why ? NULL : pc_counts_sorted(&r->kinds, 0);
    if (!idx) {
        fprintf(o, "\nTrap kinds\n  %s\n", why ? why : "out of memory");
        return;
    }
    text_kinds(r, o, idx);
    if (r->aggregate_only) {
        fprintf(o, "  (as trace2sqlite named them at load: x86_64 kinds need its --symbols)\n"
                   "\nSources, system calls, interrupts\n"
                   "  not available: an aggregate-only database keeps counts by handler and"
                   " kind only\n");
        free(idx);
        return;
    }
    text_kind_sources(r, o, idx);
    free(idx);
    text_syscalls(r, o);
    text_interrupts(r, o);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_object *json_kinds(const struct report *r, const size_t *idx)
{
    double d = report_duration(r);
    json_object *a = json_object_new_array();
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        const struct discon_kind *kind = kind_at(r, idx[k]);
        uint64_t n = r->kinds.count[idx[k]];
        size_t top = top_source(r, kind);
        uint64_t top_pc = top == SIZE_MAX ? 0 : r->kind_sources.pc[top];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "kind", report_json_text(kind->name));
        json_object_object_add(o, "class", report_json_text(discon_trap_class_name(kind->trap_class)));
        json_object_object_add(o, "count", json_object_new_uint64(n));
        json_object_object_add(o, "share", report_json_fixed(fraction(n, r->traps), 6));
        json_object_object_add(o, "rate_per_s", report_json_fixed(d > 0 ? (double)n / d : 0.0, 3));
        /* The top source's whole symbol, else its hex, else "" (no source). */
        char *sym = top == SIZE_MAX ? NULL : report_symbol_new(r, top_pc);
        char hex[24];
        snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)top_pc);
        json_object_object_add(o, "top_source", report_json_text(top == SIZE_MAX ? ""
                                                                 : sym && sym[0] ? sym : hex));
        free(sym);
        json_object_object_add(o, "top_source_pc", json_object_new_string(hex));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_kind_sources(const struct report *r, const size_t *idx)
{
    json_object *a = json_object_new_array();
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        const struct discon_kind *kind = kind_at(r, idx[k]);
        size_t *src = pc_counts_sorted(&r->kind_sources, kind->id + 1);
        for (size_t j = 0; src && src[j] != SIZE_MAX && j < REPORT_KIND_SOURCES; j++) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "kind", report_json_text(kind->name));
            report_json_add_pc(r, o, "source", r->kind_sources.pc[src[j]]);
            json_object_object_add(o, "count", json_object_new_uint64(r->kind_sources.count[src[j]]));
            json_object_array_add(a, o);
        }
        free(src);
    }
    return a;
}

void render_kinds_json(const struct report *r, json_object *root)
{
    size_t *idx = unavailable(r) ? NULL : pc_counts_sorted(&r->kinds, 0);
    json_object_object_add(root, "trap_kinds", json_kinds(r, idx));
    json_object_object_add(root, "kind_sources", json_kind_sources(r, idx));
    free(idx);
    uint64_t total = syscall_total(r);
    json_object *syscalls = json_object_new_array();
    idx = pc_counts_sorted(&r->syscalls, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        uint64_t nr = r->syscalls.pc[idx[k]], n = r->syscalls.count[idx[k]];
        const char *name = syscall_name(r, nr);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "nr", json_object_new_uint64(nr));
        json_object_object_add(o, "name", name ? report_json_text(name) : NULL);
        json_object_object_add(o, "count", json_object_new_uint64(n));
        json_object_object_add(o, "share", report_json_fixed(fraction(n, total), 6));
        json_object_array_add(syscalls, o);
    }
    free(idx);
    json_object_object_add(root, "syscalls", syscalls);
    json_object *interrupts = json_object_new_array();
    idx = unavailable(r) ? NULL : pc_counts_sorted(&r->interrupts, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        const struct discon_kind *kind = discon_kind_by_id(r->interrupts.type[idx[k]] - 1);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "number", json_object_new_uint64(r->interrupts.pc[idx[k]]));
        json_object_object_add(o, "kind", report_json_text(kind ? kind->name : "?"));
        json_object_object_add(o, "count", json_object_new_uint64(r->interrupts.count[idx[k]]));
        json_object_array_add(interrupts, o);
    }
    free(idx);
    json_object_object_add(root, "interrupts", interrupts);
}

/* ---- CSV ------------------------------------------------------------------- */

static void csv_kinds(const struct report *r, FILE *o, const size_t *idx)
{
    double d = report_duration(r);
    fprintf(o, "# trap_kinds\nkind,class,count,share,rate_per_s,top_source\n");
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        const struct discon_kind *kind = kind_at(r, idx[k]);
        uint64_t n = r->kinds.count[idx[k]];
        size_t top = top_source(r, kind);
        discon_csv_field(o, kind->name);
        fputc(',', o);
        discon_csv_field(o, discon_trap_class_name(kind->trap_class));
        fprintf(o, ",%llu,%.6f,%.3f,", (unsigned long long)n, fraction(n, r->traps),
                d > 0 ? (double)n / d : 0.0);
        char *sym = top == SIZE_MAX ? NULL : report_symbol_new(r, r->kind_sources.pc[top]);
        if (sym && sym[0])
            discon_csv_field(o, sym);
        else if (top != SIZE_MAX)
            fprintf(o, "0x%llx", (unsigned long long)r->kind_sources.pc[top]);
        free(sym);
        fputc('\n', o);
    }
    fprintf(o, "\n# kind_sources\nkind,source,symbol,count\n");
    for (size_t k = 0; idx && idx[k] != SIZE_MAX && k < r->opt.top; k++) {
        const struct discon_kind *kind = kind_at(r, idx[k]);
        size_t *src = pc_counts_sorted(&r->kind_sources, kind->id + 1);
        for (size_t j = 0; src && src[j] != SIZE_MAX && j < REPORT_KIND_SOURCES; j++) {
            char *sym = report_symbol_new(r, r->kind_sources.pc[src[j]]);
            discon_csv_field(o, kind->name);
            fprintf(o, ",0x%llx,", (unsigned long long)r->kind_sources.pc[src[j]]);
            discon_csv_field(o, sym ? sym : "?");
            free(sym);
            fprintf(o, ",%llu\n", (unsigned long long)r->kind_sources.count[src[j]]);
        }
        free(src);
    }
}

void render_kinds_csv(const struct report *r, FILE *o)
{
    size_t *idx = unavailable(r) ? NULL : pc_counts_sorted(&r->kinds, 0);
    csv_kinds(r, o, idx);
    free(idx);
    uint64_t total = syscall_total(r);
    fprintf(o, "\n# syscalls\nnr,name,count,share\n");
    idx = pc_counts_sorted(&r->syscalls, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        uint64_t nr = r->syscalls.pc[idx[k]], n = r->syscalls.count[idx[k]];
        const char *name = syscall_name(r, nr);
        fprintf(o, "%llu,", (unsigned long long)nr);
        discon_csv_field(o, name ? name : "");
        fprintf(o, ",%llu,%.6f\n", (unsigned long long)n, fraction(n, total));
    }
    free(idx);
    fprintf(o, "\n# interrupts\nnumber,kind,count\n");
    idx = unavailable(r) ? NULL : pc_counts_sorted(&r->interrupts, 0);
    for (size_t k = 0; idx && idx[k] != SIZE_MAX; k++) {
        const struct discon_kind *kind = discon_kind_by_id(r->interrupts.type[idx[k]] - 1);
        fprintf(o, "%llu,", (unsigned long long)r->interrupts.pc[idx[k]]);
        discon_csv_field(o, kind ? kind->name : "?");
        fprintf(o, ",%llu\n", (unsigned long long)r->interrupts.count[idx[k]]);
    }
    free(idx);
    fputc('\n', o);
}
