/* One discontinuity event as every discon tool sees it after decoding. */
#ifndef DISCON_EVENT_H
#define DISCON_EVENT_H

#include <stdint.h>

#include "discon_types.h"

struct discon_event {
    uint64_t seq;     /* per-vCPU sequence number, counting lost events */
    uint64_t time_ns; /* CLOCK_MONOTONIC of the producer */
    uint64_t from_pc;
    uint64_t to_pc;
    uint32_t vcpu;
    uint32_t cause;
    uint8_t type;     /* enum discon_type (discon_types.h) */
};

#endif
