/*
 * Traps of a recorded trace counted by kind, as discon-report's "Trap
 * kinds" table counts them: the trace is read back with the library's
 * reader, traps derived by schema/discon_traps.h (the rule of the first
 * header's target; a loss or a sequence gap breaks a pending x86 pair, as
 * in the report) and each named by tools/analysis/trap_kind.h. No symbols
 * are given, so x86_64 exceptions and interrupts are of kind "unknown",
 * exactly as in a report run without --symbols.
 *
 * Used by discon-record for its summary, right after the recording ends.
 * Memory: one counter per kind, plus the deriver's per-vCPU state.
 */
#ifndef DISCON_KIND_TALLY_H
#define DISCON_KIND_TALLY_H

#include <stddef.h>
#include <stdint.h>

struct discon_kind_tally {
    uint64_t events;     /* raw events read */
    uint64_t traps;      /* traps derived: the sum of count[] */
    uint64_t *count;     /* by kind id (discon_kinds.h), ncount entries; owned */
    size_t ncount;
    int read_result;     /* DISCON_READ_INTACT or DISCON_READ_DAMAGED */
};

/* Read the trace files and directories paths[0..n) (discon_read_paths:
 * one trace, in written order) and fill *t (zeroed first; free it with
 * discon_kind_tally_free, also after an error). Returns 0, or a negative
 * -DISCON_E_x of discon_read_paths (-DISCON_E_NOMEM when out of memory)
 * with a one-line message in err[0..errlen). Damaged stretches are skipped
 * silently; t->read_result says whether there were any. */
int discon_kind_tally(char *const *paths, int n, struct discon_kind_tally *t, char *err,
                      size_t errlen);

void discon_kind_tally_free(struct discon_kind_tally *t);

#endif
