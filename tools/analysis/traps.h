/*
 * From raw events to traps: the one place that knows how QEMU reports a
 * trap on each architecture. A trace keeps exactly what QEMU said; every
 * analysis counts traps.
 *
 * Rules, by the trace header's target:
 *  - x86_64, i386: QEMU reports each exception twice: first an EXCEPTION
 *    with to_pc == from_pc (the handler is not known yet), then, for the
 *    delivery, an INTERRUPT on the same vCPU whose to_pc is the handler.
 *    Such a pair, with consecutive sequence numbers, is one exception trap
 *    from the delivery's from_pc to the handler. (The first report's PC is
 *    not always the faulting instruction: in a Debian boot about 40% of
 *    page faults name the start of the translation block instead, while
 *    the delivery names the instruction itself.) An EXCEPTION with
 *    to_pc == from_pc that is not followed by its delivery (the trace ends,
 *    or events were lost) stays a trap of its own with the handler unknown
 *    (to_pc == from_pc).
 *  - every other target, and unknown ones: one event is one trap.
 */
#ifndef DISCON_TRAPS_H
#define DISCON_TRAPS_H

#include "event.h"

#include <stddef.h>
#include <stdint.h>

struct discon_trap {
    uint32_t vcpu;
    uint8_t type;     /* enum discon_type (discon_types.h) */
    uint8_t events;   /* raw events it was derived from: 1 or 2 */
    uint64_t seq;     /* sequence number of its first event */
    uint64_t time_ns; /* time of its first event */
    uint64_t from_pc;
    uint64_t to_pc;   /* the handler */
    /* Why: the cause fields of the event that carries them (x86_64: the
     * EXCEPTION report, where the plugin read cr2), as struct discon_event
     * defines them; only those named in `has` (enum discon_has) are set. */
    uint64_t cause, fault_addr, syscall;
    uint8_t to_level, from_level, has;
};

typedef int (*discon_trap_fn)(void *ctx, const struct discon_trap *t);

enum discon_trap_rule {
    DISCON_RULE_ONE_EVENT_ONE_TRAP,
    DISCON_RULE_X86_EXCEPTION_PAIRS,
};

struct discon_trap_deriver {
    enum discon_trap_rule rule;
    discon_trap_fn emit;
    void *ctx;
    struct discon_event *pending; /* per vCPU: an x86 exception awaiting delivery */
    uint8_t *has_pending;
    uint32_t nvcpus;
};

/* The rule for a target name (the trace header's `target`). */
enum discon_trap_rule discon_trap_rule_for(const char *target);
const char *discon_trap_rule_name(enum discon_trap_rule rule);

void discon_traps_init(struct discon_trap_deriver *d, enum discon_trap_rule rule,
                       discon_trap_fn emit, void *ctx);
/* Events of one vCPU, in sequence order (a reader's batch). Returns the
 * first non-zero value of emit, or -1 if out of memory. */
int discon_traps_feed(struct discon_trap_deriver *d, const struct discon_event *ev, size_t n);
/* Events of `vcpu` were lost: a pending exception will get no delivery. */
int discon_traps_break(struct discon_trap_deriver *d, uint32_t vcpu);
/* End of the trace: emit what is pending. */
int discon_traps_finish(struct discon_trap_deriver *d);
void discon_traps_free(struct discon_trap_deriver *d);

#endif
