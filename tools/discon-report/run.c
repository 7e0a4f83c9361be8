/* discon-report's work, from its parsed arguments (see report_options.h). */
#include "discon_db.h"
#include "report_options.h"
#include "timeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One database argument, or trace files and directories: the status of
 * report_read_db / report_read_files. */
int report_read_inputs(struct report *r, const struct report_args *a, char *err, size_t errlen)
{
    struct stat st;
    if (a->npaths == 1 && stat(a->paths[0], &st) == 0 && S_ISREG(st.st_mode) &&
        discon_db_looks_like(a->paths[0]))
        return report_read_db(r, a->paths[0], err, errlen);
    return report_read_files(r, a->paths, a->npaths, err, errlen);
}

/* The trace's symbol table from the --symbols files, built as
 * trace2sqlite builds the one it stores (discon_symbols_for_trace), and
 * the line that says how (the slide) into note. 0, or -1 (out of memory). */
static int place_symbols(const struct report_args *a, const struct discon_symbol_files *files,
                         const struct report *r, struct discon_symbols *syms, char *note,
                         size_t len)
{
    /* The whole trace's handlers, not the window's (report.h, kaslr). */
    size_t *idx = pc_counts_sorted(&r->kaslr, DISCON_EXCEPTION);
    uint64_t handlers[DISCON_KASLR_HANDLERS];
    size_t n = 0;
    for (; idx && idx[n] != SIZE_MAX && n < DISCON_KASLR_HANDLERS; n++)
        handlers[n] = r->kaslr.pc[idx[n]];
    free(idx);
    struct discon_symbol_placement p;
    if (discon_symbols_for_trace(syms, files, r->target, &a->kaslr, handlers, n, &p))
        return -1;
    size_t slid = 0;
    for (size_t i = 0; i < files->n; i++)
        slid += p.slid[i];
    snprintf(note, len, "%zu file(s), KASLR slide 0x%llx on %zu (%s)", files->n,
             (unsigned long long)p.slide, slid,
             a->kaslr.given && !a->kaslr.automatic ? "given" : p.found ? "found" : "none found");
    return 0;
}

/* Whether --vcpu names a vCPU the trace has (its header's vCPU count, the
 * rings: none beyond them records an event). 0, or 2 after one line: an
 * empty report for a vCPU that cannot exist would be a quiet wrong answer. */
static int check_vcpu(const struct report *r)
{
    if (r->opt.vcpu < 0 || !r->have_header || (uint64_t)r->opt.vcpu < r->vcpu_count)
        return 0;
    if (r->vcpu_count == 0)
        fprintf(stderr, "discon-report: --vcpu %ld: the trace has no vCPU\n", r->opt.vcpu);
    else
        fprintf(stderr, "discon-report: --vcpu %ld: the trace has %u vCPU(s), 0 to %u\n",
                r->opt.vcpu, r->vcpu_count, r->vcpu_count - 1);
    return 2;
}

/* The report r (read, symbols placed) on stdout or -o's file: the exit
 * status (3 when the trace is incomplete: data is missing, whatever the
 * cause). */
static int render(const struct report_args *a, const struct report *r, int status)
{
    char why[512];
    if (report_completeness(r, why, sizeof why) == DISCON_INCOMPLETE) {
        fprintf(stderr, "discon-report: the trace is incomplete: %s\n", why);
        status = 3;
    }
    /* Never a quiet wrong answer: what the report could not trust, on
     * stderr too (the report itself says it in every format). */
    if (r->beyond_vcpus)
        fprintf(stderr, "discon-report: warning: %llu events of vCPUs %u and above not analysed\n",
                (unsigned long long)r->beyond_vcpus, REPORT_MAX_VCPUS);
    if (r->time_backwards)
        fprintf(stderr, "discon-report: warning: %llu event(s) earlier than the one before on "
                        "their vCPU\n", (unsigned long long)r->time_backwards);
    FILE *out = stdout;
    if (!a->output && a->format == REPORT_PERFETTO && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "discon-report: a Perfetto trace is binary: give -o FILE\n");
        return 1;
    }
    if (a->output && !(out = fopen(a->output, "wb"))) {
        fprintf(stderr, "discon-report: %s: %s\n", a->output, strerror(errno));
        return 1;
    }
    char err[512] = "";
    int bad = 0;
    if (a->format == REPORT_JSON)
        bad = render_json(r, out) ? snprintf(err, sizeof err, "cannot build the JSON report") : 0;
    else if (a->format == REPORT_CSV)
        render_csv(r, out);
    else if (a->format == REPORT_HTML)
        bad = render_html(a, r, out, err, sizeof err);
    else if (a->format == REPORT_PERFETTO)
        bad = render_perfetto(a, r, out, err, sizeof err);
    else
        render_text(r, out);
    if (!bad && (fflush(out) != 0 || ferror(out)))
        bad = snprintf(err, sizeof err, "cannot write the report: %s", strerror(errno));
    if (out != stdout && fclose(out) != 0 && !bad)
        bad = snprintf(err, sizeof err, "cannot write the report: %s", strerror(errno));
    if (!bad)
        return status;
    fprintf(stderr, "discon-report: %s\n", err);
    if (a->output) /* no half-written report left behind */
        unlink(a->output);
    return 1;
}

int report_run(const struct report_args *a)
{
    char err[512], note[160];
    struct discon_symbol_files files;
    struct discon_symbols syms = {0};
    struct report_opts opt = a->opt;
    if (discon_symbol_files_load(&files, a->symbols.path, a->symbols.n, err, sizeof err) != 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        return 1;
    }
    if (files.n) /* filled once the trace is read; set now so a database's own are not read */
        opt.syms = &syms;
    struct report *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "discon-report: out of memory\n");
        discon_symbol_files_free(&files);
        return 1;
    }
    report_init(r, &opt);
    int rc = report_read_inputs(r, a, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        rc = 1;
    } else if (check_vcpu(r)) {
        rc = 2;
    } else if (files.n && place_symbols(a, &files, r, &syms, note, sizeof note)) {
        fprintf(stderr, "discon-report: out of memory\n");
        rc = 1;
    } else {
        if (files.n)
            r->opt.symbols_note = note;
        if (report_name_traps(r) != 0) {
            fprintf(stderr, "discon-report: out of memory\n");
            rc = 1;
        } else {
            rc = render(a, r, rc);
        }
    }
    report_free(r);
    free(r);
    discon_symbols_free(&syms);
    discon_symbol_files_free(&files);
    return rc;
}
