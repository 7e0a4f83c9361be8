/*
 * The discon shared-memory ABI: one POSIX shared-memory segment per QEMU
 * process, a header page, then one single-producer/single-consumer ring per
 * vCPU. The plugin (producer) and every reader share only this file.
 *
 *   +--------------------+ 0
 *   | discon_shm_header  |   one page; `magic` is written last
 *   +--------------------+ header_size
 *   | ring 0: ctl        |   head + drop counters (producer's cache line),
 *   |         records[]  |   tail (consumer's cache line), then capacity
 *   +--------------------+   fixed-size records
 *   | ring 1 ...         |   header_size + i * ring_stride
 *
 * Positions are free-running 64-bit counters: a record at position p lives
 * in slot p & (capacity - 1); the ring holds head - tail records. The
 * producer publishes records with a release store of head, the consumer
 * frees slots with a release store of tail (see ring_producer.h and
 * segment_reader.h). Everything here is host-endian: producer and consumer
 * run on one machine.
 *
 * A reader treats the whole segment as hostile input: any process of the
 * same user can scribble on it, so every field is checked before use.
 */
#ifndef DISCON_RING_H
#define DISCON_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "discon_types.h" /* record types: the one table */

#define DISCON_SHM_MAGIC UINT64_C(0x314d48534e4f4344) /* "DCONSHM1" */
#define DISCON_SHM_VERSION 1u
#define DISCON_HEADER_SIZE 4096u
#define DISCON_CACHELINE 64

#define DISCON_RING_MIN_RECORDS 16u
#define DISCON_RING_MAX_RECORDS (1u << 24) /* 512 MiB of records per vCPU */
#define DISCON_MAX_VCPUS 4096u

/*
 * In-band loss marker, written by the producer before the first record
 * that follows a run of dropped events, so a reader knows exactly where in
 * the sequence the loss happened: `from_pc` holds the number of events
 * lost, `time_ns` and `to_pc` the times of the first and last of them.
 */
#define DISCON_RECORD_LOSS 0x80u

struct discon_record {
    uint64_t time_ns; /* CLOCK_MONOTONIC */
    uint64_t from_pc;
    uint64_t to_pc;
    uint32_t cause;   /* architecture cause register; reserved, 0 for now */
    uint8_t type;     /* enum discon_type (discon_types.h) or DISCON_RECORD_LOSS */
    uint8_t reserved[3];
};

enum discon_state {
    DISCON_STATE_RUNNING = 1,
    DISCON_STATE_FINISHED = 2, /* the producer ran its exit hook */
};

enum discon_mode {
    DISCON_MODE_BLOCK = 1, /* a full ring stalls the vCPU: nothing is lost */
    DISCON_MODE_DROP = 2,  /* a full ring drops, and counts, the event */
};

#define DISCON_FLAG_SYSTEM 1u /* system emulation (else user mode) */

struct discon_shm_header {
    _Atomic uint64_t magic; /* DISCON_SHM_MAGIC once the rest is valid */
    uint32_t version;
    uint32_t header_size;
    uint64_t segment_size;
    uint64_t ring_stride;   /* bytes from one ring to the next */
    uint32_t record_size;
    uint32_t ring_capacity; /* records per ring, a power of two */
    uint32_t vcpu_capacity; /* number of rings */
    uint32_t smp_vcpus;     /* vCPUs at start (system mode), else 0 */
    uint32_t flags;         /* DISCON_FLAG_* */
    uint32_t mode;          /* enum discon_mode */
    uint32_t types;         /* mask of enum discon_type being recorded */
    uint32_t block_timeout_ms;
    int32_t producer_pid;
    _Atomic uint32_t state; /* enum discon_state */
    /* CLOCK_MONOTONIC and CLOCK_REALTIME read together at start. */
    uint64_t clock_monotonic_ns;
    uint64_t clock_realtime_ns;
    /* Events of vCPUs beyond vcpu_capacity (user mode): not recorded. */
    _Atomic uint64_t unrecorded;
    char target[32];        /* QEMU target name, NUL-terminated */
    char options[256];      /* plugin options as given, NUL-terminated */
};

struct discon_ring_ctl {
    /* Written by the producer only. */
    alignas(DISCON_CACHELINE) _Atomic uint64_t head; /* records published */
    _Atomic uint64_t dropped;   /* events dropped since the start */
    _Atomic uint32_t fallback;  /* 1 while block mode drops: consumer stalled */
    /* Written by the consumer only. */
    alignas(DISCON_CACHELINE) _Atomic uint64_t tail; /* records consumed */
};

_Static_assert(sizeof(struct discon_record) == 32, "record ABI");
_Static_assert(sizeof(struct discon_shm_header) <= DISCON_HEADER_SIZE, "header fits its page");
_Static_assert(sizeof(struct discon_ring_ctl) == 2 * DISCON_CACHELINE, "ctl ABI");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free in shared memory");

static inline uint64_t discon_ring_stride(uint32_t capacity)
{
    return sizeof(struct discon_ring_ctl) + (uint64_t)capacity * sizeof(struct discon_record);
}

static inline uint64_t discon_segment_size(uint32_t capacity, uint32_t vcpus)
{
    return DISCON_HEADER_SIZE + (uint64_t)vcpus * discon_ring_stride(capacity);
}

static inline struct discon_ring_ctl *discon_ring_ctl_at(void *base, uint64_t stride, uint32_t i)
{
    return (struct discon_ring_ctl *)((char *)base + DISCON_HEADER_SIZE + i * stride);
}

static inline struct discon_record *discon_ring_records(struct discon_ring_ctl *ctl)
{
    return (struct discon_record *)(ctl + 1);
}

#endif
