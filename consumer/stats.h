/* What discond reports about a run: the status line on a terminal, the
 * summary on stderr and --stats-json. */
#ifndef DISCON_STATS_H
#define DISCON_STATS_H

#include "drain.h"

#include <stdbool.h>
#include <stdint.h>

/* One \r-refreshed line: events so far, rate since the last line, losses, size. */
void discon_status_line(const struct discon_drain *d, uint64_t *last_events, double secs);

/* Totals as one JSON object in path (with this process's CPU time). */
void discon_write_stats(const char *path, const struct discon_drain_totals *t, double secs,
                        bool finished, const char *last_file);

/* How a recording ended, for the summary's last line. */
enum discon_run_end {
    DISCON_RUN_FINISHED,      /* the producer finished; everything drained */
    DISCON_RUN_PRODUCER_DIED, /* QEMU ended without finishing (killed, crashed) */
    DISCON_RUN_STOPPED,       /* discond was signalled while QEMU still ran */
    DISCON_RUN_FAILED,        /* discond stopped at an error (printed before) */
};

/* Totals on stderr: raw events by type and losses in one line, then the
 * files. Events are those in frames written to the files, never more;
 * events read but not written (after an error) are counted apart. */
void discon_print_summary(const struct discon_drain_totals *t, const char *dir,
                          enum discon_run_end end);

#endif
