/* The one trace a tool reads from trace files: the one --trace selects,
 * or the only one there. discon-report and discon-dump read one trace at
 * a time (neither's output names the trace of a line), so a second trace
 * among the inputs ends the read with the one message below. */
#ifndef DISCON_TRACE_PICK_H
#define DISCON_TRACE_PICK_H

#include "discon.pb-c.h"

#include <stddef.h>

struct discon_trace_pick {
    const char *want;           /* --trace (an id or a prefix of it), or NULL: any */
    char first[33], other[33];  /* the trace picked; a second one found (hex) */
};

enum discon_trace_pick_is {
    DISCON_PICK_NEW,   /* the first header of the trace picked */
    DISCON_PICK_SAME,  /* another file of it */
    DISCON_PICK_SKIP,  /* a trace --trace does not select: skip the file */
    DISCON_PICK_OTHER, /* a second trace: stop reading, discon_trace_pick_error says so */
};

/* Start picking for --trace `want` (NULL: any). */
void discon_trace_pick_init(struct discon_trace_pick *p, const char *want);

/* Which trace the file of header h belongs to (every header, in order). */
enum discon_trace_pick_is discon_trace_pick(struct discon_trace_pick *p, const Discon__Header *h);

/* After the read: 1 with the message into err[0..errlen) if a second
 * trace was found, else 0. */
int discon_trace_pick_error(const struct discon_trace_pick *p, char *err, size_t errlen);

#endif
