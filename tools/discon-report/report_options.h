/* discon-report: its command line, parsed into one struct, and the run
 * that does the work from it. */
#ifndef REPORT_OPTIONS_H
#define REPORT_OPTIONS_H

#include "report.h"
#include "tool_args.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CSV, REPORT_HTML, REPORT_PERFETTO };

struct report_args {
    enum report_format format;         /* --format */
    const char *output;                /* -o FILE, or NULL: stdout (perfetto: never a terminal) */
    struct discon_symbol_paths symbols; /* --symbols FILE..., merged */
    struct discon_kaslr_option kaslr;  /* --kaslr-offset (only with --symbols); not given = auto */
    struct report_opts opt;            /* the report's filters and bounds (opt.syms unset) */
    char *const *paths;                /* a database, or trace files and directories */
    int npaths;                        /* at least 1 */
};

/* Parse argv (getopt_long; argv's strings are referenced, not copied).
 * Returns -1 when a is ready to run, or the exit status to end with at
 * once: 0 after --help (usage on stdout), 2 on bad usage (one line on
 * stderr, and the usage where the arguments are missing or unknown). */
int report_args_parse(int argc, char **argv, struct report_args *a);

/* Read the inputs and print the report on stdout. Returns the exit
 * status: 0; 1 on errors (one line on stderr; a database that is not a
 * discon database of this schema version is refused); 3 if trace files
 * were damaged (the report covers what was intact). */
int report_run(const struct report_args *a);

/* Feed r from a's inputs (one database, or trace files and directories):
 * the status of report_read_db / report_read_files. run.c */
int report_read_inputs(struct report *r, const struct report_args *a, char *err, size_t errlen);

#endif
