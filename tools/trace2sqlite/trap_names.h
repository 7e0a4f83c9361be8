/* trace2sqlite: x86_64 traps named once their trace's symbols are stored.
 *
 * discon_trap_why (tools/analysis/trap_kind.h) reads a symbol table for
 * one thing only: the vector of an x86_64 handler, its Linux entry symbol.
 * Those symbols are stored after every file is read (--kaslr-offset auto
 * finds the slide from the loaded traps' counts), so the loader names x86
 * traps without them and this pass names them again with the table the
 * database holds for the trace, slid as stored. An x86 trap's kind, origin
 * and interrupt number depend on its type and handler alone, so they are
 * computed once per distinct (type, to_pc), not per row. */
#ifndef T2S_TRAP_NAMES_H
#define T2S_TRAP_NAMES_H

#include "discon_db.h"

#include <stddef.h>
#include <stdint.h>

/* For each x86_64 trace row in traces[0..n) that has stored symbols, set
 * traps.kind, origin, interrupt and trap_agg.kind from them, one
 * transaction per trace. Other traces are left as loaded. Call outside a
 * transaction. 0, or -1 with a line in err. */
int trap_names_from_symbols(struct discon_db *db, const int64_t *traces, size_t n, char *err,
                            size_t errlen);

#endif
