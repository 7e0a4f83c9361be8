/*
 * discon-report: the report a person reads, from trace files or a
 * trace2sqlite database: summary, trap frequencies, hottest sources, rate
 * over time, double traps, fault loops and the last events of each vCPU.
 */
#define _GNU_SOURCE
#include "number_option.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: discon-report [options] DB|FILE|DIR...\n"
    "Report on a discon trace: trace files, directories of them, or a trace2sqlite database.\n"
    "\n"
    "      --format text|json|csv  output format (default text)\n"
    "      --symbols FILE          System.map, /proc/kallsyms text or ELF, to symbolize PCs\n"
    "      --kaslr-offset OFF      slide the symbols by OFF (hex), or 'auto' (default\n"
    "                              with --symbols: found from the trace's handlers)\n"
    "      --top N                 rows per frequency table (default 10)\n"
    "      --vcpu N                only this vCPU\n"
    "      --from SEC, --to SEC    only this window, seconds from the trace's start\n"
    "      --window BYTES          double trap: a trap this close after the previous\n"
    "                              trap's handler (default 256)\n"
    "      --time-bound US         ... and within this many microseconds (default 10000)\n"
    "      --loop N                fault loop: N exceptions in a row from one PC (default 1000)\n"
    "      --tail N                last events shown per vCPU (default 10, 0: none)\n"
    "  -h, --help                  this help\n"
    "Exit status: 0, 1 on errors, 2 on bad usage, 3 if the trace files were damaged.\n";

static int number(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    if (discon_parse_count(s, 0, max, out) == 0)
        return 0;
    fprintf(stderr, "discon-report: --%s: expected a number up to %llu, got '%s'\n", opt,
            (unsigned long long)max, s);
    return -1;
}

static int is_sqlite(const char *path)
{
    char magic[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == sizeof magic && memcmp(magic, "SQLite format 3", 16) == 0;
}

int main(int argc, char **argv)
{
    const char *format = "text", *symbols = NULL;
    struct discon_kaslr_option kaslr = {0};
    struct report_opts opt = {
        .top = 10, .vcpu = -1, .from_s = -INFINITY, .to_s = INFINITY, .window = 256,
        .time_bound_ns = 10000000, .loop = 1000, .tail = 10,
    };
    enum { FORMAT = 256, SYMBOLS, KASLR, TOP, VCPU, FROM, TO, WINDOW, BOUND, LOOP, TAIL };
    static const struct option longopts[] = {
        {"format", required_argument, NULL, FORMAT}, {"symbols", required_argument, NULL, SYMBOLS},
        {"kaslr-offset", required_argument, NULL, KASLR}, {"top", required_argument, NULL, TOP},
        {"vcpu", required_argument, NULL, VCPU}, {"from", required_argument, NULL, FROM},
        {"to", required_argument, NULL, TO}, {"window", required_argument, NULL, WINDOW},
        {"time-bound", required_argument, NULL, BOUND}, {"loop", required_argument, NULL, LOOP},
        {"tail", required_argument, NULL, TAIL}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint64_t v;
    for (int c; (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1;) {
        switch (c) {
        case FORMAT:
            if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "csv")) {
                fprintf(stderr, "discon-report: --format: expected text, json or csv, got '%s'\n",
                        optarg);
                return 2;
            }
            format = optarg;
            break;
        case SYMBOLS: symbols = optarg; break;
        case KASLR:
            if (discon_kaslr_option_parse(optarg, &kaslr)) {
                fprintf(stderr, "discon-report: --kaslr-offset: expected hex or 'auto', got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case TOP: if (number("top", optarg, 100000, &v)) return 2; opt.top = (unsigned)v; break;
        case VCPU: if (number("vcpu", optarg, REPORT_MAX_VCPUS - 1, &v)) return 2; opt.vcpu = (long)v; break;
        case WINDOW: if (number("window", optarg, UINT32_MAX, &v)) return 2; opt.window = v; break;
        case BOUND: if (number("time-bound", optarg, 3600000000u, &v)) return 2; opt.time_bound_ns = v * 1000; break;
        case LOOP:
            if (number("loop", optarg, UINT32_MAX, &v))
                return 2;
            if (v < 2) {
                fprintf(stderr, "discon-report: --loop: at least 2\n");
                return 2;
            }
            opt.loop = v;
            break;
        case TAIL: if (number("tail", optarg, 100000, &v)) return 2; opt.tail = (unsigned)v; break;
        case FROM:
        case TO:
            if (discon_parse_seconds(optarg, c == FROM ? &opt.from_s : &opt.to_s)) {
                fprintf(stderr, "discon-report: --%s: expected seconds >= 0, got '%s'\n",
                        c == FROM ? "from" : "to", optarg);
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "discon-report: nothing to report on\n%s", usage);
        return 2;
    }
    if (opt.from_s >= opt.to_s) {
        fprintf(stderr, "discon-report: --from must be before --to\n");
        return 2;
    }
    if (kaslr.given && !symbols) {
        fprintf(stderr, "discon-report: --kaslr-offset needs --symbols\n");
        return 2;
    }
    char err[512];
    struct discon_symbols syms = {0};
    if (symbols && discon_symbols_load(&syms, symbols, err, sizeof err) != 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        return 1;
    }
    if (symbols)
        opt.syms = &syms;

    struct report *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "discon-report: out of memory\n");
        return 1;
    }
    report_init(r, &opt);
    int rc;
    struct stat st;
    if (argc - optind == 1 && stat(argv[optind], &st) == 0 && S_ISREG(st.st_mode) &&
        is_sqlite(argv[optind]))
        rc = report_read_db(r, argv[optind], err, sizeof err);
    else
        rc = report_read_files(r, argv + optind, argc - optind, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "discon-report: %s\n", err);
        report_free(r);
        free(r);
        discon_symbols_free(&syms);
        return 1;
    }
    if (symbols && (!kaslr.given || kaslr.automatic)) {
        /* Slide the symbols onto the trace's kernel, if it was randomized. */
        size_t *idx = pc_counts_sorted(&r->handlers, DISCON_EXCEPTION);
        uint64_t handlers[16];
        size_t n = 0;
        for (; idx && idx[n] != SIZE_MAX && n < 16; n++)
            handlers[n] = r->handlers.pc[idx[n]];
        free(idx);
        int64_t off = 0;
        if (discon_kaslr_find(&syms, r->target, handlers, n, &off) == 0)
            discon_symbols_relocate(&syms, off);
        else if (kaslr.given)
            fprintf(stderr, "discon-report: cannot find the KASLR offset; symbols unslid\n");
    } else if (kaslr.given) {
        discon_symbols_relocate(&syms, kaslr.offset);
    }
    if (strcmp(format, "json") == 0)
        render_json(r, stdout);
    else if (strcmp(format, "csv") == 0)
        render_csv(r, stdout);
    else
        render_text(r, stdout);
    report_free(r);
    free(r);
    discon_symbols_free(&syms);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "discon-report: cannot write the report: %s\n", strerror(errno));
        return 1;
    }
    return rc;
}
