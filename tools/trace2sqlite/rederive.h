/* trace2sqlite: a trace's traps derived again from its stored events,
 * after a file of it was loaded behind a later one (loaded_files.h). The
 * deriver then sees every event in sequence order per vCPU, with the
 * losses and sequence gaps where a load of the whole directory sees them,
 * so the traps rows are those of one load in order, whatever order the
 * files came in. Only for traces whose every file kept every row. */
#ifndef T2S_REDERIVE_H
#define T2S_REDERIVE_H

#include "loader.h"

/* Every trace row in l->rederive, each in a transaction of its own: its
 * traps, pending halves, open traps and unmatched returns replaced. 0, or
 * -1 with l->err. */
int rederive_traces(struct loader *l);

#endif
