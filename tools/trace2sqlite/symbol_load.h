/* trace2sqlite --symbols: the --symbols files merged into one table for
 * each trace loaded (symbols.h, discon_symbols_for_trace: the same table
 * discon-report builds), slid by the trace's KASLR slide (given, or found
 * from the trace's most frequent exception handlers). */
#ifndef T2S_SYMBOL_LOAD_H
#define T2S_SYMBOL_LOAD_H

#include "discon_db.h"
#include "symbols.h"

#include <stddef.h>
#include <stdint.h>

/* Replace the symbols of each trace row in traces[0..n) with the table
 * built from `files` for it, and record in symbol_files which file was
 * slid by how much; one transaction per trace; one line on stderr per
 * trace saying the slide. kaslr not given: auto. Run after the traps are
 * loaded (the slide and the arm64 trampoline names need their counts).
 * 0, or -1 with a line in err. */
int symbols_store(struct discon_db *db, const struct discon_symbol_files *files,
                  const struct discon_kaslr_option *kaslr, const int64_t *traces, size_t n,
                  char *err, size_t errlen);

#endif
