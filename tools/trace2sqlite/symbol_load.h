/* trace2sqlite --symbols: one symbol file stored for each trace loaded,
 * slid by the trace's KASLR offset (given, or found from the trace's most
 * frequent exception handlers). */
#ifndef T2S_SYMBOL_LOAD_H
#define T2S_SYMBOL_LOAD_H

#include "discon_db.h"
#include "symbols.h"

#include <stddef.h>
#include <stdint.h>

/* Replace the symbols of each trace row in traces[0..n) with `syms` (as
 * loaded by discon_symbols_load, unslid; restored on return), slid by
 * each trace's offset, one transaction per trace; says on stderr which
 * offset was applied. Run after the traps are loaded (auto needs their
 * counts). 0, or -1 with a line in err. */
int symbols_store(struct discon_db *db, struct discon_symbols *syms,
                  const struct discon_kaslr_option *kaslr, const int64_t *traces, size_t n,
                  char *err, size_t errlen);

#endif
