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

void discon_print_summary(const struct discon_drain_totals *t, const char *dir, bool finished);

#endif
