/* Between trap derivation (traps.c) and pairing (trap_pairing.c): not
 * installed, not exported. */
#ifndef DISCON_TRAPS_INTERNAL_H
#define DISCON_TRAPS_INTERNAL_H

#include "discon_traps.h"

/* vCPU numbers come from files: per-vCPU state is kept for sane ones only. */
#define DISCON_TRAPS_MAX_VCPUS 65536u

/* Trap t was taken: with pairing, set its depth and parent, emit it, then
 * open it (host calls never open). Without, just emit it. Returns emit's
 * value, or -1 if out of memory. */
int discon_traps_take(struct discon_trap_deriver *d, struct discon_trap *t);
/* RETURN event e: close the innermost open trap of its vCPU, or report
 * an unmatched return. Nothing without pairing. 0, a callback's value,
 * or -1 if out of memory. */
int discon_traps_return(struct discon_trap_deriver *d, const struct discon_event *e);
/* End every trap open on vcpu, innermost first, as `end`. */
int discon_traps_end_all(struct discon_trap_deriver *d, uint32_t vcpu, enum discon_trap_end end);
void discon_traps_pairing_free(struct discon_trap_deriver *d);

#endif
