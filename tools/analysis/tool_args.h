/* The options trace2sqlite and discon-report share, parsed and checked
 * once: --kaslr-offset, --from/--to, and how they go together. */
#ifndef DISCON_TOOL_ARGS_H
#define DISCON_TOOL_ARGS_H

#include "symbols.h"

/* --kaslr-offset ARG (hex or "auto") into *out: 0, or -1 after one line
 * "TOOL: --kaslr-offset: ..." on stderr. */
int discon_arg_kaslr(const char *tool, const char *arg, struct discon_kaslr_option *out);

/* --NAME ARG, seconds >= 0 (--from, --to), into *out: 0, or -1 after one
 * line on stderr. */
int discon_arg_seconds(const char *tool, const char *name, const char *arg, double *out);

/* What the options say together: NULL if they agree, else why not (a
 * static phrase): --from not before --to, --kaslr-offset without
 * --symbols (symbols NULL). */
const char *discon_args_conflict(double from_s, double to_s, const struct discon_kaslr_option *kaslr,
                                 const char *symbols);

#endif
