/*
 * The flight recorder's trap triggers: discond derives traps from the
 * events it encodes (schema/discon_traps.h, paired when the plugin
 * records returns) and applies the report's own rules to them
 * (tools/analysis/trap_rules.h, with discon-report's defaults): a fault
 * loop of DISCON_LOOP_DEFAULT exceptions, a double trap. Each fires once
 * per loop (when its run reaches the threshold) and per double trap; the
 * caller writes at most one snapshot per trigger a second.
 */
#ifndef DISCON_FLIGHT_TRIGGERS_H
#define DISCON_FLIGHT_TRIGGERS_H

#include "event.h"
#include "segment_reader.h"

#include <stddef.h>
#include <stdint.h>

struct flight_triggers;

/* For the segment's target and recorded types; `mask` the triggers
 * wanted (snapshot_option.h: only the fault-loop and double-trap bits
 * matter here). NULL if out of memory. */
struct flight_triggers *flight_triggers_new(const struct discon_layout *l, unsigned mask);
/* discon_drain_config's on_events and on_loss, ctx the flight_triggers. */
void flight_triggers_events(void *ctx, const struct discon_event *ev, size_t n);
void flight_triggers_loss(void *ctx, uint32_t vcpu);
/* The triggers that fired since the last call (snapshot_option.h bits),
 * and what fired them in why[0..len) ("vCPU 0: 100 exceptions at 0x..."). */
unsigned flight_triggers_take(struct flight_triggers *f, char *why, size_t len);
void flight_triggers_free(struct flight_triggers *f);

#endif
