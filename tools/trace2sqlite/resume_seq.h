/* trace2sqlite: where each vCPU's stored events and losses of a trace end,
 * for a run that loads more of it. The reader finds sequence gaps between
 * the files of one run (schema/trace_paths.c) but a run's first file
 * after file 0 sets it no baseline: a file missing between two runs'
 * (files 0 then 2) would let a RETURN after the gap close a trap before
 * it, which the same files read in one run never do (a gap breaks the
 * pairing, as a loss does). So the first record of each such vCPU is
 * checked against where the stored ones end. */
#ifndef T2S_RESUME_SEQ_H
#define T2S_RESUME_SEQ_H

#include "discon_db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct resume_seq {
    uint32_t *vcpu;  /* vCPUs not yet met by this run, unordered */
    uint64_t *next;  /* the sequence number each one's next record has */
    size_t n;
};

/* Where trace row `trace`'s stored events and losses end, per vCPU, into
 * r (what it held is freed first). Only for a load that keeps every event
 * (files.kept 'all'): a window or counts store fewer than were read, so
 * there r is left empty. 0, DISCON_DB_E_SQLITE or DISCON_DB_E_NOMEM. */
int resume_seq_load(struct resume_seq *r, struct discon_db *db, int64_t trace);

/* Whether the record of `vcpu` at sequence number `seq` is its first in
 * this run and does not follow the stored ones (events are missing
 * between). Either way the vCPU is checked only once. */
bool resume_seq_jumps(struct resume_seq *r, uint32_t vcpu, uint64_t seq);

/* Free what r holds; r is then empty. */
void resume_seq_free(struct resume_seq *r);

#endif
