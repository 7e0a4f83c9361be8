/* The options trace2sqlite and discon-report share, parsed and checked
 * once: --symbols, --kaslr-offset, --from/--to, and how they go together; and the
 * window --from/--to select, for every tool that takes them. */
#ifndef DISCON_TOOL_ARGS_H
#define DISCON_TOOL_ARGS_H

#include "discon.pb-c.h"
#include "symbols.h"

#include <stdbool.h>

/* --symbols FILE, which may be given several times (the files merge:
 * symbols.h, discon_symbols_for_trace). */
struct discon_symbol_paths {
    const char *path[DISCON_SYMBOL_FILES_MAX]; /* argv's strings */
    size_t n;
};
/* One more --symbols FILE into *p: 0, or -1 after one line on stderr
 * (more than DISCON_SYMBOL_FILES_MAX files). */
int discon_arg_symbols(const char *tool, const char *arg, struct discon_symbol_paths *p);

/* --kaslr-offset ARG (hex or "auto") into *out: 0, or -1 after one line
 * "TOOL: --kaslr-offset: ..." on stderr. */
int discon_arg_kaslr(const char *tool, const char *arg, struct discon_kaslr_option *out);

/* --NAME ARG, seconds >= 0 (--from, --to), into *out: 0, or -1 after one
 * line on stderr. */
int discon_arg_seconds(const char *tool, const char *name, const char *arg, double *out);

/* What the options say together: NULL if they agree, else why not (a
 * static phrase): --from not before --to, --kaslr-offset without
 * --symbols (nsymbols 0). */
const char *discon_args_conflict(double from_s, double to_s, const struct discon_kaslr_option *kaslr,
                                 size_t nsymbols);

/* --trace ID: one trace of several in a directory or a database, by its
 * id in hex (as every tool prints it) or a prefix of it of at least 4
 * digits. *out = arg: 0, or -1 after one line on stderr (not hex, too
 * short, longer than an id). */
int discon_arg_trace(const char *tool, const char *arg, const char **out);

/* The hex of a header's trace id (up to 16 bytes) into hex[33]. */
void discon_trace_id_hex(const Discon__Header *h, char hex[33]);

/* Whether the trace of id `hex` is the one --trace selects (want NULL:
 * any). Case-insensitive prefix match. */
bool discon_trace_selected(const char *want, const char *hex);

/* Seconds from start_ns (the trace's clock reference) to time_ns: what
 * --from and --to are measured in. */
static inline double discon_seconds_from(uint64_t start_ns, uint64_t time_ns)
{
    return ((double)time_ns - (double)start_ns) / 1e9;
}

/* Whether time_ns lies in the --from/--to window [from_s, to_s).
 * Every tool applies the window to traps, by the time of a trap's first
 * event (struct discon_trap.time_ns), after deriving them from all the
 * events: a trap is in or out whole, and an x86 exception whose report
 * and delivery straddle an edge is neither cut in two nor renamed. */
static inline bool discon_in_window(uint64_t start_ns, uint64_t time_ns, double from_s,
                                    double to_s)
{
    double s = discon_seconds_from(start_ns, time_ns);
    return s >= from_s && s < to_s;
}

#endif
