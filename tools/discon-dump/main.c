/*
 * discon-dump: print what discon trace files hold, one line per event (or
 * per trap with --traps), as text, CSV or JSON lines; what `perf script`
 * is to perf. Built on libdiscon-trace alone (and the trap rules).
 *
 * Exit status: 0, 1 on errors, 2 on bad usage, 3 if damaged input was read
 * (everything intact was still printed, the damage too).
 */
#include "discon_version.h"
#include "dump.h"
#include "number_option.h"
#include "tool_args.h"
#include "usage_error.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: discon-dump [--traps] [--format text|csv|json] [--vcpu N] [--type LIST]\n"
    "                   [--from SEC] [--to SEC] FILE|DIR...\n"
    "Print the events of discon trace files (a directory: its *.discon files),\n"
    "one line each; loss, damage and sequence gap lines show where events are\n"
    "missing. Lines come in recorded order: file by file, each vCPU's batches\n"
    "as they were written, not merged by time (sort on time_ns for that).\n"
    "Fields, in this order in every format: record, vcpu, seq, time_ns, time_s,\n"
    "type, from_pc, to_pc, cause, fault_addr, syscall, to_level, from_level,\n"
    "events, origin, kind, detail.\n"
    "(cause: the trap's cause register, aarch64 ESR_ELx, riscv scause/mcause;\n"
    "fault_addr: FAR_ELx, stval/mtval, x86 cr2; syscall: the system-call number;\n"
    "levels: aarch64 EL, riscv privilege; each only where the plugin recorded it:\n"
    "'-' in text, empty in CSV, absent in JSON otherwise)\n"
    "(time_s: seconds from the trace start; events: how many events the line\n"
    "stands for, 1 per event, 1 or 2 per trap, the number lost for a loss;\n"
    "origin, kind: a trap's level it came from and its kind, from the cause\n"
    "(x86_64 kinds need the handlers' symbols: use discon-report or trace2sqlite);\n"
    "text leaves out record and detail, and events, origin, kind unless --traps)\n"
    "  --traps          one line per trap instead (x86: an exception's two reports\n"
    "                   are one trap; the 'events' field says how many)\n"
    "  --format F       text (default), csv (with a header line) or json (one\n"
    "                   object per line; PCs as \"0x...\" strings)\n"
    "  --vcpu N         only vCPU N\n"
    "  --type LIST      only these types: interrupt, exception, hostcall, return,\n"
    "                   syscall joined by '+', or all\n"
    "  --from SEC       only from SEC seconds after the trace start\n"
    "  --to SEC         only before SEC seconds after the trace start\n"
    "  --trace ID       only the trace of this id (hex, or a prefix of 4+ digits)\n"
    "  -h, --help, -V, --version\n"
    "Exit status: 0, 1 on errors, 2 on bad usage, 3 if damaged input was read.\n";

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "discon-dump: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (discon-dump --help)\n");
    return 2;
}

enum { OPT_FORMAT = 256, OPT_VCPU, OPT_TYPE, OPT_FROM, OPT_TO, OPT_TRAPS, OPT_HELP, OPT_VERSION,
       OPT_TRACE };

/* One option into o; 0, or an exit status. */
static int parse_option(int c, const char *arg, struct dump_options *o)
{
    uint64_t v;
    switch (c) {
    case OPT_TRAPS:
        o->traps = true;
        return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "text") == 0)
            o->format = DUMP_TEXT;
        else if (strcmp(arg, "csv") == 0)
            o->format = DUMP_CSV;
        else if (strcmp(arg, "json") == 0)
            o->format = DUMP_JSON;
        else
            return bad_usage("--format %s: expected text, csv or json", arg);
        return 0;
    case OPT_VCPU:
        if (discon_parse_count(arg, 0, UINT32_MAX, &v))
            return bad_usage("--vcpu %s: expected a vCPU number", arg);
        o->any_vcpu = false;
        o->vcpu = (uint32_t)v;
        return 0;
    case OPT_TYPE:
        if (!(o->types = discon_types_parse_list(arg)))
            return bad_usage("--type %s: expected interrupt, exception, hostcall, return, "
                             "syscall joined by '+', or all", arg);
        return 0;
    case OPT_FROM:
    case OPT_TO:
        return discon_arg_time("discon-dump", c == OPT_FROM ? "from" : "to", arg,
                               c == OPT_FROM ? &o->span.from_ns : &o->span.to_ns) ? 2 : 0;
    case OPT_TRACE:
        return discon_arg_trace("discon-dump", arg, &o->trace) ? 2 : 0;
    case 'h': /* -h and -V as the other tools take them */
    case OPT_HELP:
        fputs(usage_text, stdout);
        return -1;
    case 'V':
    case OPT_VERSION:
        discon_print_version("discon-dump");
        return -1;
    default: /* '?': main says which argument getopt_long stopped at */
        return 2;
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, OPT_FORMAT}, {"vcpu", required_argument, NULL, OPT_VCPU},
        {"type", required_argument, NULL, OPT_TYPE},     {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},         {"traps", no_argument, NULL, OPT_TRAPS},
        {"help", no_argument, NULL, OPT_HELP},           {"version", no_argument, NULL, OPT_VERSION},
        {"trace", required_argument, NULL, OPT_TRACE},
        {NULL, 0, NULL, 0},
    };
    struct dump_options o = {
        .format = DUMP_TEXT, .any_vcpu = true, .types = DISCON_TYPES_ALL,
        .span = DISCON_WINDOW_ALL,
    };
    int c;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        int rc = c == '?' ? discon_usage_error("discon-dump", argv, optind)
                          : parse_option(c, optarg, &o);
        if (rc)
            return rc < 0 ? 0 : rc;
    }
    if (optind >= argc)
        return bad_usage("%s", "no trace file or directory given");
    if (o.span.from_ns >= o.span.to_ns)
        return bad_usage("%s", "--from must be before --to");

    static char buf[1 << 16]; /* a large buffer: millions of lines */
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    char err[512] = "";
    int rc = dump_paths(&o, argv + optind, argc - optind, err, sizeof err);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "discon-dump: cannot write the output: %s\n", strerror(errno));
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "discon-dump: %s\n", err);
        return 1;
    }
    if (rc == DISCON_READ_DAMAGED) {
        fprintf(stderr, "discon-dump: some input was damaged (see the damage lines)\n");
        return 3;
    }
    return 0;
}
