/*
 * Traps of a recorded trace counted by kind, as discon-report's "Trap
 * kinds" table counts them: the trace is read back with the library's
 * reader, traps derived by schema/discon_traps.h (the rule of the first
 * header's target; a loss or a sequence gap breaks a pending x86 pair, as
 * in the report) and each named by tools/analysis/trap_kind.h. x86_64
 * exceptions and interrupts are named from their handler's symbol: without
 * symbol files they are of kind "unknown", exactly as in a report run
 * without --symbols; with them, the files are placed as the report places
 * them (symbols.h discon_symbols_for_trace, the KASLR slide found from the
 * most frequent exception handlers), which takes a second read of the
 * trace.
 *
 * Used by discon-record for its summary, right after the recording ends.
 * Memory: one counter per kind, the deriver's per-vCPU state and, with
 * symbols, a count per distinct handler and the placed symbol table.
 */
#ifndef DISCON_KIND_TALLY_H
#define DISCON_KIND_TALLY_H

#include "symbols.h"

#include <stddef.h>
#include <stdint.h>

struct discon_kind_tally {
    uint64_t events;     /* raw events read */
    uint64_t traps;      /* traps derived: the sum of count[] */
    uint64_t *count;     /* by kind id (discon_kinds.h), ncount entries; owned */
    size_t ncount;
    int read_result;     /* DISCON_READ_INTACT or DISCON_READ_DAMAGED */
    char symbols_note[96]; /* with symbols on x86_64: how they were placed,
                            * "KASLR slide 0x... (found)"; else "" */
};

/* Read the trace files and directories paths[0..n) (discon_read_paths:
 * one trace, in written order) and fill *t (zeroed first; free it with
 * discon_kind_tally_free, also after an error). files: loaded symbol
 * files (discon_symbol_files_load; borrowed) to name x86_64 traps with,
 * or NULL. Returns 0, or a negative -DISCON_E_x of discon_read_paths
 * (-DISCON_E_NOMEM when out of memory) with a one-line message in
 * err[0..errlen). Damaged stretches are skipped silently; t->read_result
 * says whether there were any. */
int discon_kind_tally(char *const *paths, int n, const struct discon_symbol_files *files,
                      struct discon_kind_tally *t, char *err, size_t errlen);

void discon_kind_tally_free(struct discon_kind_tally *t);

#endif
