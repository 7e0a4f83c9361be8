/* trace2sqlite's command line (see options.h). */
#define _GNU_SOURCE
#include "discon_version.h"
#include "options.h"
#include "tool_args.h"
#include "usage_error.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] =
    "usage: trace2sqlite -o DB [options] FILE|DIR...\n"
    "Load discon trace files (or directories of them) into the SQLite database DB.\n"
    "\n"
    "  -o, --output DB          database to create or append to\n"
    "      --symbols FILE       System.map, /proc/kallsyms text, or an ELF file;\n"
    "                           repeat it to merge several (kernel, modules, firmware)\n"
    "      --kaslr-offset OFF   slide the kernel's symbols by OFF (hex), or 'auto'\n"
    "                           (the default): find it from the trace's handlers,\n"
    "                           0 if none matches\n"
    "      --aggregate-only     store counts per second, vCPU, type and handler\n"
    "                           instead of raw events and traps\n"
    "      --from SEC, --to SEC keep raw events (and traps) in this window,\n"
    "                           in seconds from the start of the trace\n"
    "      --index              also index events by vCPU, sequence and time\n"
    "                           (slower to load and bigger, faster to look up)\n"
    "      --trace ID           load only the trace of this id (hex, or a prefix of\n"
    "                           4+ digits) when the inputs hold several\n"
    "  -h, --help               this help\n"
    "  -V, --version            the version\n";

enum { SYMBOLS = 256, KASLR, AGGREGATE, FROM, TO, INDEX, TRACE };

/* One option into o: -1 to go on, or the exit status. */
static int parse_one(int c, const char *arg, struct t2s_options *o)
{
    switch (c) {
    case 'o': o->db_path = arg; return -1;
    case SYMBOLS: return discon_arg_symbols("trace2sqlite", arg, &o->symbols) ? 2 : -1;
    case AGGREGATE: o->aggregate = true; return -1;
    case INDEX: o->row_indexes = true; return -1;
    case KASLR: return discon_arg_kaslr("trace2sqlite", arg, &o->kaslr) ? 2 : -1;
    case FROM: return discon_arg_time("trace2sqlite", "from", arg, &o->span.from_ns) ? 2 : -1;
    case TO: return discon_arg_time("trace2sqlite", "to", arg, &o->span.to_ns) ? 2 : -1;
    case TRACE: return discon_arg_trace("trace2sqlite", arg, &o->trace) ? 2 : -1;
    case 'h': fputs(usage, stdout); return 0;
    case 'V': discon_print_version("trace2sqlite"); return 0;
    default: return 2; /* '?': said by t2s_options_parse */
    }
}

/* What no single option shows: -1, or 2 after one line. */
static int check(const struct t2s_options *o)
{
    const char *why = !o->db_path ? "-o DB is required"
                      : o->npaths < 1 ? "no trace files given"
                      : discon_args_conflict(o->span, &o->kaslr, o->symbols.n);
    if (!why)
        return -1;
    fprintf(stderr, "trace2sqlite: %s\n", why);
    if (!o->db_path || o->npaths < 1)
        fputs(usage, stderr);
    return 2;
}

int t2s_options_parse(int argc, char **argv, struct t2s_options *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"symbols", required_argument, NULL, SYMBOLS},
        {"kaslr-offset", required_argument, NULL, KASLR},
        {"aggregate-only", no_argument, NULL, AGGREGATE},
        {"from", required_argument, NULL, FROM},
        {"to", required_argument, NULL, TO},
        {"index", no_argument, NULL, INDEX},
        {"trace", required_argument, NULL, TRACE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct t2s_options){.span = DISCON_WINDOW_ALL};
    opterr = 0; /* one line of our own instead of getopt's and the usage */
    for (int c; (c = getopt_long(argc, argv, "o:hV", longopts, NULL)) != -1;) {
        int rc = c == '?' ? discon_usage_error("trace2sqlite", argv, optind) : parse_one(c, optarg, o);
        if (rc >= 0)
            return rc;
    }
    o->paths = argv + optind;
    o->npaths = argc - optind;
    return check(o);
}
