/* discon-report's work, from its parsed arguments (see report_options.h). */
#include "discon_db.h"
#include "report_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One database argument, or trace files and directories: the status of
 * report_read_db / report_read_files. */
static int read_inputs(struct report *r, const struct report_args *a, char *err, size_t errlen)
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
    size_t *idx = pc_counts_sorted(&r->handlers, DISCON_EXCEPTION);
    uint64_t handlers[DISCON_KASLR_HANDLERS];
    size_t n = 0;
    for (; idx && idx[n] != SIZE_MAX && n < DISCON_KASLR_HANDLERS; n++)
        handlers[n] = r->handlers.pc[idx[n]];
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

/* The report r (read, symbols placed) on stdout: the exit status (3 when
 * the trace is incomplete: data is missing, whatever the cause). */
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
    if (a->format == REPORT_JSON)
        render_json(r, stdout);
    else if (a->format == REPORT_CSV)
        render_csv(r, stdout);
    else
        render_text(r, stdout);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "discon-report: cannot write the report: %s\n", strerror(errno));
        return 1;
    }
    return status;
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
    int rc = read_inputs(r, a, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        rc = 1;
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
