/*
 * The flight recorder's two options, read in this one place for discond
 * and discon-record (which checks them before starting anything):
 *   --snapshot SIZE|SECONDS   the window: a size (number_option.h units,
 *                             "64M") or a time with its unit ("30s", "2.5s", "500ms")
 *   --snapshot-on LIST        the triggers, comma-separated: usr1, exit,
 *                             fault-loop, double-trap, or all (default)
 */
#ifndef DISCON_SNAPSHOT_OPTION_H
#define DISCON_SNAPSHOT_OPTION_H

#include <stddef.h>
#include <stdint.h>

#define DISCON_SNAPSHOT_MIN_BYTES (64u << 10) /* a few frames at least */
/* A window by age is bounded by bytes too, so a busy guest cannot take
 * all memory: 1 GiB of compressed frames (some 500 M events). */
#define DISCON_SNAPSHOT_AGE_MAX_BYTES (1ull << 30)

enum discon_snapshot_trigger {
    DISCON_SNAP_USR1 = 1,        /* SIGUSR1 to discond (or discon-record) */
    DISCON_SNAP_EXIT = 2,        /* QEMU exited or vanished, or discond was stopped */
    DISCON_SNAP_FAULT_LOOP = 4,  /* a fault loop, by the report's rule */
    DISCON_SNAP_DOUBLE_TRAP = 8, /* a double trap, by the report's rule */
    DISCON_SNAP_ALL = 15,
};

/* The window of arg: *bytes (and *ns 0), or *ns and *bytes the cap above.
 * 0, or -1 with a one-line reason in why[0..len). */
int discon_parse_snapshot(const char *arg, uint64_t *bytes, uint64_t *ns, char *why, size_t len);

/* The trigger mask of LIST (at least one). 0, or -1 with a reason. */
int discon_parse_snapshot_on(const char *arg, unsigned *mask, char *why, size_t len);

/* The name of one trigger bit ("usr1", ...), as End.snapshot says it. */
const char *discon_snapshot_trigger_name(unsigned bit);

#endif
