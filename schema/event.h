/* One discontinuity event as every discon tool sees it after decoding. */
#ifndef DISCON_EVENT_H
#define DISCON_EVENT_H

#include <stdint.h>

#include "discon_types.h"

struct discon_event {
    uint64_t seq;     /* per-vCPU sequence number, counting lost events */
    uint64_t time_ns; /* ns, CLOCK_MONOTONIC of the producer's host */
    uint64_t from_pc; /* guest virtual address the vCPU left */
    uint64_t to_pc;   /* where it went (the handler); == from_pc if unknown */
    uint32_t vcpu;    /* vCPU index */
    uint32_t cause;   /* reserved for architecture cause registers; 0 so far */
    uint8_t type;     /* enum discon_type (discon_types.h) */
};

#endif
