/* Nanosecond clock reads; CLOCK_MONOTONIC goes through the vDSO, no syscall. */
#ifndef DISCON_CLOCK_H
#define DISCON_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t discon_clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
