/*
 * The options of the trace files a recording writes (how often a frame is
 * written and synced, when files rotate, how much disk they may take): the
 * same for the plugin path (discond --shm), an attach (discond --pid) and
 * discon-record, which passes them on to discond unchanged either way.
 * Parsed, checked and described here once; each tool adds
 * DISCON_FILE_LONGOPTS to its getopt_long table and hands the codes it
 * does not know to discon_file_option.
 */
#ifndef DISCON_FILE_OPTIONS_H
#define DISCON_FILE_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

/* Bytes per trace file unless --rotate-size says otherwise. */
#define DISCON_DEFAULT_ROTATE_SIZE (256u << 20)

/* getopt_long codes, above any a tool uses for its own options. */
enum discon_file_opt {
    DISCON_OPT_FLUSH_MS = 0x1000,
    DISCON_OPT_NO_SYNC,
    DISCON_OPT_ROTATE_SIZE,
    DISCON_OPT_ROTATE_SECONDS,
    DISCON_OPT_MAX_FILES,
    DISCON_OPT_MAX_SIZE,
};
#define DISCON_FILE_NOPTS 6

/* The entries of a getopt_long table (struct option[]) for them. */
#define DISCON_FILE_LONGOPTS                                                  \
    {"flush-ms", required_argument, NULL, DISCON_OPT_FLUSH_MS},               \
    {"no-sync", no_argument, NULL, DISCON_OPT_NO_SYNC},                       \
    {"rotate-size", required_argument, NULL, DISCON_OPT_ROTATE_SIZE},         \
    {"rotate-seconds", required_argument, NULL, DISCON_OPT_ROTATE_SECONDS},   \
    {"max-files", required_argument, NULL, DISCON_OPT_MAX_FILES},             \
    {"max-size", required_argument, NULL, DISCON_OPT_MAX_SIZE}

/* Their lines of --help, in every tool's usage text. */
#define DISCON_FILE_OPTIONS_HELP                                                        \
    "      --flush-ms MS         write and sync a frame at least this often (default 1000)\n" \
    "      --no-sync             no fdatasync after each frame: faster, but a power\n"   \
    "                            loss may cost up to the kernel's writeback delay (~30 s)\n" \
    "      --rotate-size SIZE    start a new file after SIZE bytes (K/KiB, M/MiB, G/GiB:\n" \
    "                            powers of 1024; KB, MB, GB: of 1000; 1.5G; default 256M,\n" \
    "                            0: never)\n"                                            \
    "      --rotate-seconds N    start a new file every N seconds (default 0: never)\n"  \
    "      --max-files N         keep at most N files (>= 2): the oldest are removed as\n" \
    "                            new ones start, and the newest file says what went\n"   \
    "      --max-size SIZE       keep the trace's files near SIZE bytes the same way\n"  \
    "                            (rotation then at most SIZE/4 a file)\n"

struct discon_file_options {
    uint64_t flush_ms;    /* 1..3600000 */
    bool no_sync;
    uint64_t rotate_size; /* bytes per file; 0: no size rotation */
    uint64_t rotate_s;    /* seconds per file; 0: no time rotation */
    uint64_t max_files;   /* 0: no bound; else >= 2 */
    uint64_t max_size;    /* bytes; 0: no bound; else >= 4096 */
};
#define DISCON_FILE_OPTIONS_DEFAULT \
    ((struct discon_file_options){.flush_ms = 1000, .rotate_size = DISCON_DEFAULT_ROTATE_SIZE})

/* Option code c (getopt_long's return) with its argument arg into *o:
 * every code a tool's own options do not take comes here, so here the
 * command line ends when c is none of these either. argv and optind are
 * getopt_long's, for that one line (common/usage_error.h). 0: taken; 2
 * (the exit status of bad usage) after one line on stderr: "TOOL: --NAME:
 * bad value 'ARG' (...)", or discon_usage_error's for an unknown option
 * or a missing value. */
int discon_file_option(const char *tool, int c, const char *arg, struct discon_file_options *o,
                       char *const *argv, int optind_now);

/* After every option: a size bound needs files several times smaller than
 * it, so --max-size lowers the rotation size to a quarter of it. */
void discon_file_options_settle(struct discon_file_options *o);

/* The options as given, checked, for a tool that passes them on to
 * discond unchanged (discon-record, with or without -p). */
struct discon_file_args {
    struct discon_file_options parsed; /* what they say */
    bool given[DISCON_FILE_NOPTS];
    char *value[DISCON_FILE_NOPTS];    /* argv's string (the last given); NULL: a flag */
    char name[DISCON_FILE_NOPTS][24];  /* "--NAME" */
};

/* Nothing given yet; parsed holds the defaults. */
void discon_file_args_init(struct discon_file_args *a);

/* As discon_file_option, keeping the option in *a. */
int discon_file_arg(const char *tool, int c, char *arg, struct discon_file_args *a,
                    char *const *argv, int optind_now);

/* Append the options given ("--NAME" [VALUE]) to argv at argv[*k], *k
 * advanced: at most 2 * DISCON_FILE_NOPTS entries. The strings are a's
 * and argv's: a must outlive argv. */
void discon_file_args_pass(struct discon_file_args *a, char **argv, int *k);

#endif
