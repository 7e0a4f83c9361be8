/*
 * `discond --pid PID`: attach to a QEMU that is already running (no
 * -plugin needed), record its discontinuities through BPF until SIGINT,
 * SIGTERM, --duration or QEMU's exit, then detach leaving QEMU running.
 */
#ifndef DISCON_ATTACH_MAIN_H
#define DISCON_ATTACH_MAIN_H

#include <stdbool.h>

/* Whether discond's command line asks for an attach (--pid before any --). */
bool discon_attach_requested(int argc, char **argv);

/* discond's main for an attach: parses its own options (see --help).
 * Returns the exit status: 0; 1 for a refusal or a failed recording (one
 * line on stderr); 2 for bad usage. */
int discon_attach_main(int argc, char **argv);

#endif
