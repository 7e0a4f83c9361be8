/*
 * `discon-record -p PID [-o DIR] [--duration S] [--stats-json FILE]
 * [FILE OPTIONS]`: record a QEMU that is already running, like `perf
 * record -p`. The file options (--flush-ms, --no-sync, --rotate-size,
 * --rotate-seconds, --max-files, --max-size: file_options.h) are those of
 * the launch path, checked the same way. discon-record runs `discond
 * --pid --set-aside` (found beside itself), which checks every value and
 * then, as without -p, moves an earlier trace in DIR into DIR.old
 * (output_dir.h) before attaching.
 */
#ifndef DISCON_RECORD_ATTACH_H
#define DISCON_RECORD_ATTACH_H

#include <stdbool.h>

/* Whether discon-record's command line asks for an attach (-p/--pid
 * before any --). */
bool discon_record_attach_requested(int argc, char **argv);

/* Exec discond --pid with the options translated. Returns only without
 * an attach: 0 after --help (`usage`, discon-record's one help text, on
 * stdout) or --version, 2 for bad usage, 1 if discond cannot be run (one
 * line on stderr). */
int discon_record_attach(int argc, char **argv, const char *usage);

#endif
