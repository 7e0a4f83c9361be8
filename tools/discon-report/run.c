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

/* Slide the symbols onto the trace's kernel, if it was randomized: the
 * given offset, or the one that makes a frequent handler a known entry. */
static void place_symbols(const struct report_args *a, const struct report *r,
                          struct discon_symbols *syms)
{
    if (a->kaslr.given && !a->kaslr.automatic) {
        discon_symbols_relocate(syms, a->kaslr.offset);
        return;
    }
    size_t *idx = pc_counts_sorted(&r->handlers, DISCON_EXCEPTION);
    uint64_t handlers[DISCON_KASLR_HANDLERS];
    size_t n = 0;
    for (; idx && idx[n] != SIZE_MAX && n < DISCON_KASLR_HANDLERS; n++)
        handlers[n] = r->handlers.pc[idx[n]];
    free(idx);
    int64_t off = 0;
    if (discon_kaslr_find(syms, r->target, handlers, n, &off) == 0)
        discon_symbols_relocate(syms, off);
    else if (a->kaslr.given)
        fprintf(stderr, "discon-report: cannot find the KASLR offset; symbols unslid\n");
}

/* The report r (read, symbols placed) on stdout: the exit status. */
static int render(const struct report_args *a, const struct report *r, int status)
{
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
    char err[512];
    struct discon_symbols syms = {0};
    struct report_opts opt = a->opt;
    if (a->symbols && discon_symbols_load(&syms, a->symbols, err, sizeof err) != 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        return 1;
    }
    if (a->symbols)
        opt.syms = &syms;
    struct report *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "discon-report: out of memory\n");
        discon_symbols_free(&syms);
        return 1;
    }
    report_init(r, &opt);
    int rc = read_inputs(r, a, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        rc = 1;
    } else {
        if (a->symbols)
            place_symbols(a, r, &syms);
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
    return rc;
}
