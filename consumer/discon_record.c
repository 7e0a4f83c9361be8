/*
 * discon-record: run QEMU with the discon plugin and record its traps, like
 * `perf record`:
 *     discon-record -o DIR -- qemu-system-aarch64 ...
 * Checks everything it can before starting anything (options, the output
 * directory, QEMU arguments it cannot supervise), then starts discond on a
 * fresh segment and QEMU with -plugin added (launch.h: signals, and what
 * happens when either child ends first), prints the trace's traps by kind
 * (record_kinds.h) and exits with QEMU's status.
 */
#define _GNU_SOURCE
#include "discon_version.h"
#include "file_options.h"
#include "launch.h"
#include "number_option.h"
#include "snapshot_option.h"
#include "output_dir.h"
#include "tool_args.h"
#include "plugin_options.h"
#include "record_attach.h"
#include "record_kinds.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: discon-record [options] -- QEMU [QEMU ARGS...]\n"
    "       discon-record -p PID [-o DIR] [--duration S] [--stats-json FILE]\n"
    "                     [--flush-ms MS] [--no-sync] [--rotate-size SIZE] [--rotate-seconds N]\n"
    "                     [--max-files N] [--max-size SIZE]   (a QEMU already running: BPF\n"
    "                     uprobes, root or CAP_BPF+CAP_PERFMON; see discond --pid 1 --help)\n"
    "Run QEMU with the discon plugin and record every trap into DIR.\n"
    "\n"
    "  -o, --output DIR          trace directory (default: discon.data)\n"
    "      --mode block|drop     full ring: stall the vCPU (default) or drop and count\n"
    "      --ring N              records per vCPU ring, a power of two (default 65536)\n"
    "      --types LIST          interrupt, exception, hostcall, return, syscall joined by '+'\n"
    "                            (default all)\n"
    "      --cause on|off        record each trap's cause registers (default on)\n"
    "      --returns on|off      record returns from traps (default on); x86_64's\n"
    "                            syscall/sysenter are traps, recorded either way\n"
    DISCON_FILE_OPTIONS_HELP
    "      --snapshot SIZE|SECONDS  flight recorder: keep the newest SIZE bytes (64K or\n"
    "                            more) or SECONDS (\"30s\") of compressed frames in\n"
    "                            memory, write nothing until a trigger, then that\n"
    "                            window as a snapshot file in DIR (one line says where)\n"
    "      --snapshot-on LIST    triggers: usr1 (SIGUSR1 to discon-record or discond),\n"
    "                            exit (QEMU ended), fault-loop, double-trap; or all\n"
    "                            (default)\n"
    "      --symbols FILE        name the summary's x86_64 traps from this symbol file\n"
    "                            (ELF or System.map/kallsyms; repeatable), as\n"
    "                            discon-report --symbols does\n"
    "      --stats-json FILE     discond's totals as JSON\n"
    "  -h, --help                this help\n"
    "  -V, --version             the version\n"
    "DIR and its missing parents are created.\n"
    "The exit status is QEMU's (1 if QEMU succeeded but the recording failed).\n"
    "DISCON_PLUGIN overrides where libdiscon.so is found.\n";

/* Where the plugin and discond live: beside this binary in the build tree
 * (consumer/ and producer/) or in the install tree (bin/ and lib/discon/). */
static int find_plugin(const char *self_dir, char *out, size_t len)
{
    const char *env = getenv("DISCON_PLUGIN");
    if (env) {
        if ((size_t)snprintf(out, len, "%s", env) >= len)
            return -1;
        return access(out, R_OK);
    }
    const char *candidates[] = {"../producer/libdiscon.so", DISCON_PLUGIN_FROM_BINDIR};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        snprintf(out, len, "%s/%s", self_dir, candidates[i]);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}

struct record_options {
    const char *dir, *mode, *ring, *types, *cause, *returns;
    const char *stats_json;
    struct discon_file_args files; /* --flush-ms, --rotate-*, --max-*, --no-sync: to discond */
    const char *snapshot, *snapshot_on; /* flight recorder (snapshot_option.h) */
    struct discon_symbol_paths symbols; /* --symbols, for the summary's kinds */
    char **qemu_argv;
    int qemu_argc;
    /* The plugin options, as QEMU will get them. */
    char mode_opt[64], ring_opt[64], types_opt[128], cause_opt[64], returns_opt[64];
};

/* Check the plugin options here, with the plugin's own parser, so a bad
 * value fails before anything starts. 0, or the exit status. */
static int check_options(struct record_options *o)
{
    char err[512];
    char *plugin_args[5];
    int nargs = 0;
    if (strlen(o->mode) > 32 || (o->ring && strlen(o->ring) > 32) ||
        (o->types && strlen(o->types) > 96) || (o->cause && strlen(o->cause) > 32) ||
        (o->returns && strlen(o->returns) > 32)) {
        fprintf(stderr, "discon-record: an option value is too long\n");
        return 2;
    }
    snprintf(o->mode_opt, sizeof o->mode_opt, "mode=%s", o->mode);
    plugin_args[nargs++] = o->mode_opt;
    if (o->ring) {
        snprintf(o->ring_opt, sizeof o->ring_opt, "ring=%s", o->ring);
        plugin_args[nargs++] = o->ring_opt;
    }
    if (o->types) {
        snprintf(o->types_opt, sizeof o->types_opt, "types=%s", o->types);
        plugin_args[nargs++] = o->types_opt;
    }
    if (o->cause) {
        snprintf(o->cause_opt, sizeof o->cause_opt, "cause=%s", o->cause);
        plugin_args[nargs++] = o->cause_opt;
    }
    if (o->returns) {
        snprintf(o->returns_opt, sizeof o->returns_opt, "returns=%s", o->returns);
        plugin_args[nargs++] = o->returns_opt;
    }
    struct discon_options opt;
    if (discon_options_parse(&opt, nargs, plugin_args, err, sizeof err) < 0) {
        fprintf(stderr, "discon-record: --%s\n", err);
        return 2;
    }
    uint64_t unused;
    char why[160];
    uint64_t ns;
    unsigned mask;
    if (o->snapshot && discon_parse_snapshot(o->snapshot, &unused, &ns, why, sizeof why)) {
        fprintf(stderr, "discon-record: --snapshot: %s\n", why);
        return 2;
    }
    if (o->snapshot_on && discon_parse_snapshot_on(o->snapshot_on, &mask, why, sizeof why)) {
        fprintf(stderr, "discon-record: --snapshot-on: %s\n", why);
        return 2;
    }
    if (o->snapshot_on && !o->snapshot) {
        fprintf(stderr, "discon-record: --snapshot-on needs --snapshot SIZE|TIME (the flight "
                        "recorder)\n");
        return 2;
    }
    if (o->snapshot && (o->files.parsed.max_files || o->files.parsed.max_size)) {
        fprintf(stderr, "discon-record: --snapshot keeps its window in memory: --max-files and "
                        "--max-size do not apply\n");
        return 2;
    }
    return 0;
}

/* 0 with o filled; otherwise the exit status (0 after --help, 2 on bad usage). */
static int parse_options(int argc, char **argv, struct record_options *o)
{
    *o = (struct record_options){.dir = "discon.data", .mode = "block"};
    discon_file_args_init(&o->files);
    enum { MODE = 256, RING, TYPES, CAUSE, RETURNS, STATS, SNAPSHOT, SNAPSHOT_ON, SYMBOLS };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"mode", required_argument, NULL, MODE},
        {"ring", required_argument, NULL, RING},
        {"types", required_argument, NULL, TYPES},
        {"cause", required_argument, NULL, CAUSE},
        {"returns", required_argument, NULL, RETURNS},
        DISCON_FILE_LONGOPTS,
        {"snapshot", required_argument, NULL, SNAPSHOT},
        {"snapshot-on", required_argument, NULL, SNAPSHOT_ON},
        {"symbols", required_argument, NULL, SYMBOLS},
        {"stats-json", required_argument, NULL, STATS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0; /* one line of our own instead of getopt's and the usage */
    for (int c; (c = getopt_long(argc, argv, "+o:hV", longopts, NULL)) != -1;) {
        switch (c) {
        case 'o': o->dir = optarg; break;
        case MODE: o->mode = optarg; break;
        case RING: o->ring = optarg; break;
        case TYPES: o->types = optarg; break;
        case CAUSE: o->cause = optarg; break;
        case RETURNS: o->returns = optarg; break;
        case SNAPSHOT: o->snapshot = optarg; break;
        case SNAPSHOT_ON: o->snapshot_on = optarg; break;
        case SYMBOLS:
            if (discon_arg_symbols("discon-record", optarg, &o->symbols))
                return 2;
            break;
        case STATS: o->stats_json = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case 'V': discon_print_version("discon-record"); return 0;
        default:
            if (discon_file_arg("discon-record", c, optarg, &o->files, argv, optind))
                return 2; /* said in one line */
            break;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "discon-record: no QEMU command given\n%s", usage);
        return 2;
    }
    o->qemu_argv = argv + optind;
    o->qemu_argc = argc - optind;
    int rc = check_options(o);
    return rc ? rc : -1;
}

/* The plugin and discond, found from this binary's own path. 0, or 1. */
static int locate(char *plugin, size_t plugin_len, char *discond, size_t discond_len)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) {
        fprintf(stderr, "discon-record: cannot find myself: %s\n", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    char *self_dir = dirname(self);
    if (find_plugin(self_dir, plugin, plugin_len) != 0) {
        fprintf(stderr, "discon-record: cannot find libdiscon.so near %s (set DISCON_PLUGIN)\n",
                self_dir);
        return 1;
    }
    snprintf(discond, discond_len, "%s/discond", self_dir);
    return 0;
}

/* Whether QEMU is a user-mode emulator (qemu-ARCH, not qemu-system-ARCH):
 * everything after the guest program then belongs to the guest. */
static bool user_mode(const char *qemu)
{
    const char *base = strrchr(qemu, '/');
    base = base ? base + 1 : qemu;
    return strncmp(base, "qemu-", 5) == 0 && strncmp(base, "qemu-system-", 12) != 0;
}

/* QEMU options the launcher cannot supervise. -daemonize: QEMU's parent
 * would exit at once (and the recording end with it) while the daemon runs
 * on with nobody draining its rings. System emulation only: in user mode
 * everything after the program belongs to the guest. 0, or 1. */
static int check_qemu_args(const struct record_options *o)
{
    if (user_mode(o->qemu_argv[0]))
        return 0;
    for (int i = 1; i < o->qemu_argc; i++)
        if (strcmp(o->qemu_argv[i], "-daemonize") == 0 ||
            strcmp(o->qemu_argv[i], "--daemonize") == 0) {
            fprintf(stderr, "discon-record: QEMU's %s cannot be recorded (the launcher would "
                            "lose QEMU and the trace end at once): run without it\n",
                    o->qemu_argv[i]);
            return 1;
        }
    return 0;
}

/* discond's command line: its options, then QEMU's argv for the header. */
static char **discond_argv(struct record_options *o, char *discond, char *shm)
{
    char **dargv = calloc((size_t)o->qemu_argc + 32, sizeof *dargv);
    if (!dargv)
        return NULL;
    int k = 0;
    dargv[k++] = discond;
    dargv[k++] = "--shm";
    dargv[k++] = shm;
    dargv[k++] = "-o";
    dargv[k++] = (char *)o->dir;
    dargv[k++] = "--summary";
    discon_file_args_pass(&o->files, dargv, &k);
    const char *pass[][2] = {{"--snapshot", o->snapshot},
                             {"--snapshot-on", o->snapshot_on},
                             {"--stats-json", o->stats_json}};
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++)
        if (pass[i][1]) {
            dargv[k++] = (char *)pass[i][0];
            dargv[k++] = (char *)pass[i][1];
        }
    dargv[k++] = "--";
    for (int i = 0; i < o->qemu_argc; i++)
        dargv[k++] = o->qemu_argv[i];
    return dargv;
}

/* QEMU with the plugin option added: at the end for system emulation
 * (any order works, and wrappers such as scripts/qemu keep their own
 * first arguments), right after the binary for user mode (qemu-ARCH),
 * where everything after the guest program belongs to the guest. */
static char **qemu_argv_with_plugin(const struct record_options *o, char *plugin_opt)
{
    int at = user_mode(o->qemu_argv[0]) ? 1 : o->qemu_argc;
    char **qargv = calloc((size_t)o->qemu_argc + 3, sizeof *qargv);
    if (!qargv)
        return NULL;
    for (int i = 0, k = 0; i <= o->qemu_argc; i++) {
        if (i == at) {
            qargv[k++] = "-plugin";
            qargv[k++] = plugin_opt;
        }
        if (i < o->qemu_argc)
            qargv[k++] = o->qemu_argv[i];
    }
    return qargv;
}

static int run(struct record_options *o, const struct discon_symbol_files *files)
{
    char plugin[4200], discond[4200];
    if (check_qemu_args(o) != 0 || discon_output_check("discon-record", o->dir) != 0 ||
        discon_output_set_aside("discon-record", o->dir) != 0)
        return 1;
    if (locate(plugin, sizeof plugin, discond, sizeof discond) != 0)
        return 1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char shm[64];
    snprintf(shm, sizeof shm, "discon-rec-%d-%08lx", (int)getpid(), (unsigned long)now.tv_nsec);
    char plugin_opt[8192];
    snprintf(plugin_opt, sizeof plugin_opt, "%s,shm=%s,%s%s%s%s%s%s%s%s%s", plugin, shm,
             o->mode_opt, o->ring ? "," : "", o->ring ? o->ring_opt : "", o->types ? "," : "",
             o->types ? o->types_opt : "", o->cause ? "," : "", o->cause ? o->cause_opt : "",
             o->returns ? "," : "", o->returns ? o->returns_opt : "");
    char **dargv = discond_argv(o, discond, shm);
    char **qargv = qemu_argv_with_plugin(o, plugin_opt);
    int rc = 1;
    if (!dargv || !qargv) {
        fprintf(stderr, "discon-record: out of memory\n");
    } else {
        struct discon_launch l = {.discond_argv = dargv, .qemu_argv = qargv, .shm = shm};
        rc = discon_launch_run(&l);
        /* What the report will say the trace holds: traps by kind, not
         * raw events (discond's summary, before, has those in one line). */
        if (discon_record_print_kinds(o->dir, files) != 0 && rc == 0)
            rc = 1;
    }
    free(dargv);
    free(qargv);
    return rc;
}

int main(int argc, char **argv)
{
    /* -p PID: a running QEMU, through discond --pid (attach/). */
    if (discon_record_attach_requested(argc, argv))
        return discon_record_attach(argc, argv, usage);
    /* Before anything else: a signal from now on waits until the children
     * are known and the handlers are in place (launch.h). */
    discon_launch_block_signals();
    struct record_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    /* --symbols files are read before anything starts: a missing or bad
     * one refuses the recording (not a recording without names), with
     * exit 1 as every tool gives for a named input it cannot use (2 is a
     * malformed command line: discon-record(1), EXIT STATUS). */
    struct discon_symbol_files files = {0};
    char err[512];
    if (o.symbols.n &&
        discon_symbol_files_load(&files, o.symbols.path, o.symbols.n, err, sizeof err) != 0) {
        fprintf(stderr, "discon-record: --symbols: %s\n", err);
        return 1;
    }
    rc = run(&o, o.symbols.n ? &files : NULL);
    discon_symbol_files_free(&files);
    return rc;
}
