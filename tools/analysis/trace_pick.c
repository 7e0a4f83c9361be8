/* The one trace read from files (see trace_pick.h). */
#include "trace_pick.h"
#include "tool_args.h"

#include <stdio.h>
#include <string.h>

void discon_trace_pick_init(struct discon_trace_pick *p, const char *want)
{
    memset(p, 0, sizeof *p);
    p->want = want;
}

enum discon_trace_pick_is discon_trace_pick(struct discon_trace_pick *p, const Discon__Header *h)
{
    char id[33];
    discon_trace_id_hex(h, id);
    if (!discon_trace_selected(p->want, id))
        return DISCON_PICK_SKIP;
    if (!p->first[0]) {
        memcpy(p->first, id, sizeof id);
        /* An id-less header (an old or hostile file) picks no id: the
         * next header with one is then a second trace. */
        if (!p->first[0])
            snprintf(p->first, sizeof p->first, "(no id)");
        return DISCON_PICK_NEW;
    }
    if (strcmp(id[0] ? id : "(no id)", p->first) == 0)
        return DISCON_PICK_SAME;
    snprintf(p->other, sizeof p->other, "%s", id[0] ? id : "(no id)");
    return DISCON_PICK_OTHER;
}

int discon_trace_pick_error(const struct discon_trace_pick *p, char *err, size_t errlen)
{
    if (!p->other[0])
        return 0;
    snprintf(err, errlen, "the inputs hold more than one trace%s (%s, %s, ...): pick one "
             "with --trace ID", p->want ? " of that id" : "", p->first, p->other);
    return 1;
}
