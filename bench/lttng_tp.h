/* LTTng-UST tracepoint with the same payload as a discon record, for the
 * producer-cost comparison (bench/run --with-lttng). */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER discon_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./lttng_tp.h"

#if !defined(DISCON_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define DISCON_LTTNG_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(discon_bench, discon,
    LTTNG_UST_TP_ARGS(unsigned int, vcpu, int, type, uint64_t, from_pc, uint64_t, to_pc),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(unsigned int, vcpu, vcpu)
        lttng_ust_field_integer(int, type, type)
        lttng_ust_field_integer_hex(uint64_t, from_pc, from_pc)
        lttng_ust_field_integer_hex(uint64_t, to_pc, to_pc)))

#endif

#include <lttng/tracepoint-event.h>
