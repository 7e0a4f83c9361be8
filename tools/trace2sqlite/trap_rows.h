/* trace2sqlite: a derived trap into a row of the traps table, named
 * through tools/analysis/trap_kind.h, its pairing columns filled from
 * schema/discon_traps.h. */
#ifndef T2S_TRAP_ROWS_H
#define T2S_TRAP_ROWS_H

#include "loader.h"

/* Queue t's row into l->trap_rows. With rowid, the row is inserted now
 * and *rowid is its rowid (a provisional row, see pending.h). 0 or
 * DISCON_DB_E_SQLITE. */
int trap_row_add(struct loader *l, const struct discon_trap *t, int64_t *rowid);

#endif
