/* discon-report's command line (see report_options.h). */
#define _GNU_SOURCE
#include "discon_version.h"
#include "number_option.h"
#include "report_options.h"
#include "tool_args.h"
#include "usage_error.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: discon-report [options] DB|FILE|DIR...\n"
    "Report on a discon trace: trace files, directories of them, or a trace2sqlite database.\n"
    "\n"
    "      --format FORMAT         text (the default), json, csv, html (one self-contained\n"
    "                              page) or perfetto (a Perfetto trace, for ui.perfetto.dev)\n"
    "  -o, --output FILE           write the report to FILE, not stdout\n"
    "      --symbols FILE          System.map, /proc/kallsyms text or ELF, to symbolize PCs;\n"
    "                              repeat it to merge several (kernel, modules, firmware)\n"
    "      --kaslr-offset OFF      slide the kernel's symbols by OFF (hex), or 'auto'\n"
    "                              (the default): found from the trace's handlers, 0 if\n"
    "                              none matches\n"
    "      --top N                 rows per frequency table (default 10)\n"
    "      --vcpu N                only this vCPU (one the trace has: else exit 2)\n"
    "      --from SEC, --to SEC    only this window, seconds from the trace's start\n"
    "      --window BYTES          double trap: an exception from this close after the\n"
    "                              handler of a trap that had not returned (traces\n"
    "                              with returns), else of the previous trap, taken to\n"
    "                              the level that trap went to (default 256)\n"
    "      --time-bound US         ... and, without returns, within this many\n"
    "                              microseconds (default 10000)\n"
    "      --loop N                fault loop: N exceptions of one kind in a row from one\n"
    "                              PC (and fault address) on a vCPU; interrupts between\n"
    "                              them do not end a run, system calls never make one\n"
    "                              (default 100: a kernel retries a fault once or twice)\n"
    "      --tail N                last events shown per vCPU (default 10, 0: none)\n"
    "      --last DURATION         post-mortem: the traps of the last DURATION (50ms, 2s,\n"
    "                              250us; no unit: seconds) of all vCPUs merged, ms from the end, full\n"
    "                              symbol names, and each vCPU's state at the end\n"
    "      --at SEC                ... looking back from SEC s after the start instead\n"
    "      --trace ID              the trace of this id (hex, or a prefix of 4+ digits)\n"
    "                              when the inputs hold several\n"
    "  -h, --help                  this help\n"
    "  -V, --version               the version\n"
    "Exit status: 0, 1 on errors, 2 on bad usage, 3 if the trace is incomplete\n"
    "(data damaged or missing; 'complete since T' is not).\n";

enum { FORMAT = 256, SYMBOLS, KASLR, TOP, VCPU, FROM, TO, WINDOW, BOUND, LOOP, TAIL, TRACE, LAST, AT };

/* A count option up to max: 0, or -1 after one line. */
static int number(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    if (discon_parse_count(s, 0, max, out) == 0)
        return 0;
    fprintf(stderr, "discon-report: --%s: expected a number up to %llu, got '%s'\n", opt,
            (unsigned long long)max, s);
    return -1;
}

static int parse_format(const char *arg, enum report_format *f)
{
    static const char *const names[] = {[REPORT_TEXT] = "text", [REPORT_JSON] = "json",
                                        [REPORT_CSV] = "csv", [REPORT_HTML] = "html",
                                        [REPORT_PERFETTO] = "perfetto"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(arg, names[i]) == 0) {
            *f = (enum report_format)i;
            return -1;
        }
    fprintf(stderr, "discon-report: --format: expected text, json, csv, html or perfetto, "
                    "got '%s'\n", arg);
    return 2;
}

/* The options that take a count: -1 to go on, or 2. */
static int parse_count(int c, const char *arg, struct report_opts *o)
{
    uint64_t v;
    switch (c) {
    case TOP: if (number("top", arg, 100000, &v)) return 2; o->top = (unsigned)v; return -1;
    case VCPU: if (number("vcpu", arg, REPORT_MAX_VCPUS - 1, &v)) return 2; o->vcpu = (long)v; return -1;
    case WINDOW: if (number("window", arg, UINT32_MAX, &v)) return 2; o->window = v; return -1;
    case BOUND: if (number("time-bound", arg, 3600000000u, &v)) return 2; o->time_bound_ns = v * 1000; return -1;
    case TAIL: if (number("tail", arg, 100000, &v)) return 2; o->tail = (unsigned)v; return -1;
    default: /* LOOP */
        if (number("loop", arg, UINT32_MAX, &v))
            return 2;
        if (v < 2) {
            fprintf(stderr, "discon-report: --loop: at least 2\n");
            return 2;
        }
        o->loop = v;
        return -1;
    }
}

/* One option into a: -1 to go on, or the exit status. */
static int parse_one(int c, const char *arg, struct report_args *a)
{
    switch (c) {
    case FORMAT: return parse_format(arg, &a->format);
    case SYMBOLS: return discon_arg_symbols("discon-report", arg, &a->symbols) ? 2 : -1;
    case KASLR: return discon_arg_kaslr("discon-report", arg, &a->kaslr) ? 2 : -1;
    case TOP: case VCPU: case WINDOW: case BOUND: case LOOP: case TAIL:
        return parse_count(c, arg, &a->opt);
    case FROM: return discon_arg_time("discon-report", "from", arg, &a->opt.span.from_ns) ? 2 : -1;
    case TO: return discon_arg_time("discon-report", "to", arg, &a->opt.span.to_ns) ? 2 : -1;
    case 'o': a->output = arg; return -1;
    case TRACE: return discon_arg_trace("discon-report", arg, &a->opt.trace) ? 2 : -1;
    case LAST: {
        int64_t ns;
        if (discon_parse_time_ns(arg, 1000000000u, &ns) == 0 && ns > 0) {
            a->opt.last_ns = (uint64_t)ns;
            return -1;
        }
        fprintf(stderr, "discon-report: --last: expected a duration (50ms, 2s, 250us; no unit: seconds), got '%s'\n",
                arg);
        return 2;
    }
    case AT: return discon_arg_time("discon-report", "at", arg, &a->opt.at_ns) ? 2 : -1;
    case 'h': fputs(usage, stdout); return 0;
    case 'V': discon_print_version("discon-report"); return 0;
    default: return 2; /* '?': said by report_args_parse */
    }
}

int report_args_parse(int argc, char **argv, struct report_args *a)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, FORMAT}, {"symbols", required_argument, NULL, SYMBOLS},
        {"kaslr-offset", required_argument, NULL, KASLR}, {"top", required_argument, NULL, TOP},
        {"vcpu", required_argument, NULL, VCPU}, {"from", required_argument, NULL, FROM},
        {"to", required_argument, NULL, TO}, {"window", required_argument, NULL, WINDOW},
        {"time-bound", required_argument, NULL, BOUND}, {"loop", required_argument, NULL, LOOP},
        {"tail", required_argument, NULL, TAIL}, {"output", required_argument, NULL, 'o'},
        {"trace", required_argument, NULL, TRACE}, {"last", required_argument, NULL, LAST},
        {"at", required_argument, NULL, AT}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *a = (struct report_args){.format = REPORT_TEXT, .opt = report_default_opts()};
    opterr = 0; /* one line of our own instead of getopt's and the usage */
    for (int c; (c = getopt_long(argc, argv, "hVo:", longopts, NULL)) != -1;) {
        int rc = c == '?' ? discon_usage_error("discon-report", argv, optind) : parse_one(c, optarg, a);
        if (rc >= 0)
            return rc;
    }
    a->paths = argv + optind;
    a->npaths = argc - optind;
    const char *why = a->npaths < 1 ? "nothing to report on"
                      : a->opt.at_ns >= 0 && !a->opt.last_ns
                          ? "--at is the instant --last looks back from: give --last too"
                          : discon_args_conflict(a->opt.span, &a->kaslr, a->symbols.n);
    if (!why)
        return -1;
    fprintf(stderr, "discon-report: %s\n%s", why, a->npaths < 1 ? usage : "");
    return 2;
}
