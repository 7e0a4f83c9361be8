/* The options trace2sqlite and discon-report share, parsed and checked
 * once: --symbols, --kaslr-offset, --from/--to, and how they go together; and the
 * window --from/--to select, for every tool that takes them. */
#ifndef DISCON_TOOL_ARGS_H
#define DISCON_TOOL_ARGS_H

#include "discon.pb-c.h"
#include "symbols.h"

#include <stdbool.h>
#include <stdint.h>

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

/* A window of trace time [from_ns, to_ns), in ns from the trace's start
 * (its header's clock_mono): what --from/--to select. Integer ns, so that
 * a time a tool printed to the ns selects exactly the trap printed. */
struct discon_window {
    int64_t from_ns, to_ns;
};
/* No --from/--to: everything. */
#define DISCON_WINDOW_ALL ((struct discon_window){INT64_MIN, INT64_MAX})

/* --NAME ARG, a time >= 0 in seconds (or with a unit: 250ms, as
 * discon_parse_time_ns reads it: exactly) into *ns: 0, or -1 after one
 * line on stderr. --from, --to, --at. */
int discon_arg_time(const char *tool, const char *name, const char *arg, int64_t *ns);

/* What the options say together: NULL if they agree, else why not (a
 * static phrase): --from not before --to, --kaslr-offset without
 * --symbols (nsymbols 0). */
const char *discon_args_conflict(struct discon_window w, const struct discon_kaslr_option *kaslr,
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

/* ns from the trace's start to time_ns; negative before it. */
static inline int64_t discon_ns_from(uint64_t start_ns, uint64_t time_ns)
{
    return (int64_t)(time_ns - start_ns); /* two's complement: earlier is negative */
}

/* The whole second since the trace's start in which time_ns lies
 * (rounded down: -1 just before the start). */
static inline int64_t discon_second_from(uint64_t start_ns, uint64_t time_ns)
{
    int64_t ns = discon_ns_from(start_ns, time_ns);
    return ns >= 0 ? ns / 1000000000 : -((-(ns + 1)) / 1000000000) - 1;
}

/* Whether time_ns lies in the --from/--to window.
 * Every tool applies the window to traps, by the time of a trap's first
 * event (struct discon_trap.time_ns), after deriving them from all the
 * events: a trap is in or out whole, and an x86 exception whose report
 * and delivery straddle an edge is neither cut in two nor renamed. */
static inline bool discon_in_window(uint64_t start_ns, uint64_t time_ns, struct discon_window w)
{
    int64_t t = discon_ns_from(start_ns, time_ns);
    return t >= w.from_ns && t < w.to_ns;
}

#endif
