/*
 * `discon-record -p PID [-o DIR] [--duration S] [--stats-json FILE]`: record
 * a QEMU that is already running, like `perf record -p`. discon-record
 * runs `discond --pid` (found beside itself) and returns its status.
 */
#ifndef DISCON_RECORD_ATTACH_H
#define DISCON_RECORD_ATTACH_H

#include <stdbool.h>

/* Whether discon-record's command line asks for an attach (-p/--pid
 * before any --). */
bool discon_record_attach_requested(int argc, char **argv);

/* Exec discond --pid with the options translated. Returns only on error:
 * 2 for bad usage, 1 if discond cannot be run (one line on stderr). */
int discon_record_attach(int argc, char **argv);

#endif
