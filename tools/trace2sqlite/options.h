/* trace2sqlite: its command line, parsed into one struct, and the run
 * that does the work from it. */
#ifndef T2S_OPTIONS_H
#define T2S_OPTIONS_H

#include "tool_args.h"

#include <stdbool.h>

struct t2s_options {
    const char *db_path;               /* -o: database to create or append to */
    struct discon_symbol_paths symbols; /* --symbols FILE..., merged */
    struct discon_kaslr_option kaslr;  /* --kaslr-offset; not given = auto */
    bool aggregate;                    /* --aggregate-only */
    bool row_indexes;                  /* --index */
    const char *trace;                 /* --trace ID: load only this trace's files; or NULL */
    struct discon_window span;         /* --from/--to; DISCON_WINDOW_ALL if not given */
    char *const *paths;                /* trace files and directories (argv's) */
    int npaths;                        /* at least 1 */
};

/* Parse argv (getopt_long; argv's strings are referenced, not copied).
 * Returns -1 when o is ready to run, or the exit status to end with at
 * once: 0 after --help (usage on stdout), 2 on bad usage (one line and
 * the usage on stderr). */
int t2s_options_parse(int argc, char **argv, struct t2s_options *o);

/* Load o->paths into o->db_path. Returns the exit status: 0; 1 on errors
 * (one line on stderr; inputs that cannot be opened or are not traces, a
 * bad --symbols file, and a database that is not a discon database of
 * this version are all refused before anything is written to it); 3 if trace files
 * were damaged (what was intact is loaded). */
int t2s_run(const struct t2s_options *o);

#endif
