/* trace2sqlite: the traces row of a trace (tools/db/schema.c) from its
 * header, and the end record into it and into vcpus. */
#ifndef T2S_TRACE_ROWS_H
#define T2S_TRACE_ROWS_H

#include "discon_db.h"
#include "discon_traps.h"
#include "trace_reader.h"

#include <stdint.h>

/* The traces row of the header's trace id (id_hex: its 32 hex digits),
 * inserted if new: *row. 0 or DISCON_DB_E_SQLITE (detail set). */
int trace_row(struct discon_db *db, const Discon__Header *h, const char *id_hex, int64_t *row);

/* The end record e of trace row `trace`: per-vCPU totals into vcpus, and
 * traces.ended, producer_finished, unrecorded, qemu_ended, guest_ended and
 * snapshot (each NULL when the record has none). 0 or DISCON_DB_E_SQLITE. */
int trace_row_end(struct discon_db *db, int64_t trace, const Discon__End *e);

#endif
