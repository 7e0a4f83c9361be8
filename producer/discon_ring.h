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
 * Everything here is host-endian: producer and consumer run on one machine.
 *
 * PROTOCOL
 *
 * P is the producer (the plugin: one vCPU thread per ring, plus QEMU's exit
 * hook), C the one consumer (discond; a flock on the segment keeps out a
 * second one). A release store pairs with the acquire load that reads its
 * value: what the storing side wrote before the store is visible to the
 * loading side after the load. Each atomic operation in the code names its
 * pair in a comment. Shared fields, who writes them, and when:
 *
 * Header
 *   version .. options  P, plain stores, once, before `magic`; never again.
 *       C copies and checks them once (discon_segment_validate) and uses
 *       only its copy, so later scribbles change nothing.
 *   magic  P: release store, the last store of segment creation, after
 *       ftruncate zero-filled every ring (segment_create.c). C: acquire load
 *       in discon_segment_attach/_validate; a C that reads DISCON_SHM_MAGIC
 *       sees the whole header and zeroed rings; 0 means "still being made".
 *   producer_pid  P, with the header (ordered by magic). C refuses pid <= 0
 *       and watches the process through a pidfd (consumer/producer_watch.h).
 *   state  P: RUNNING with the header (ordered by magic); FINISHED by the
 *       exit hook, release, see (a). C: acquire load in
 *       discon_segment_finished.
 *   unrecorded  P: relaxed fetch_add by vCPUs beyond vcpu_capacity; a
 *       counter nothing else hangs on. C: relaxed load; complete once C
 *       has loaded FINISHED, by (a).
 *
 * Per ring (struct discon_ring_ctl; P's and C's fields on separate lines)
 *   head  P (its vCPU thread) only: release store after the records it
 *       publishes are in their slots (discon_produce, discon_produce_slow).
 *       C: acquire load in discon_ring_head, then reads slots below head.
 *   dropped  P only: release store in drop(), see (b). C: acquire load in
 *       discon_ring_dropped.
 *   fallback  P only, relaxed: 1 while block mode drops. A diagnostic that
 *       orders nothing.
 *   tail  C only: release store in discon_ring_release, once the records
 *       below it are copied out (and, in discond, written to a trace file:
 *       consumer/drain.c). P: acquire load in has_room and
 *       discon_producer_init: C's reads of a slot happen before P reuses it;
 *       and in the exit hook's all_drained (plugin.c), which unlinks the
 *       segment only once C has released every record.
 *   record slots  position p lives in slot p & (capacity - 1). P writes only
 *       positions in [head, tail + capacity), C reads only [tail, head): a
 *       slot belongs to one side at a time, handed to C by head and back to
 *       P by tail. Positions are free-running 64-bit counters (head - tail
 *       records are in the ring); compare them with discon_pos_before().
 *
 * The two orderings discond relies on:
 *
 * (a) FINISHED follows every record. The exit hook (plugin.c) first closes
 *     the vCPUs' gate and waits until no vCPU is inside its callback (an
 *     acquire load of each vCPU's `inside`, pairing with the release store
 *     that leaves the callback, which follows the vCPU's head store); only
 *     then does it store FINISHED (release). So every head store of the run
 *     happens before FINISHED, and a C that loads FINISHED (acquire) and
 *     then drains every ring to its head has read every record: discond
 *     loads the state before each pass, and ends after a pass that found
 *     nothing once the state was FINISHED.
 * (b) A loss count is visible with its marker. P stores `dropped` when it
 *     drops an event; the DISCON_RECORD_LOSS marker that reports those drops
 *     is written later by the same thread and published by the release
 *     store of head. Program order plus that release/acquire pair: a C that
 *     reads the marker also reads a `dropped` that counts its drops. Drops
 *     with no marker yet (at the end) are dropped minus the markers' counts.
 *
 * Record contents (version 2): every field of a slot is written by P
 *   before the head store that publishes it and read by C only below head,
 *   so they need no ordering of their own. The cause fields (cause,
 *   fault_addr, syscall, to_level, from_level) are valid only where their
 *   DISCON_HAS_* bit in `has` is set; a field without its bit is 0 and
 *   means "not recorded" (the target has no such register, the trap does
 *   not set it, or cause=off), never "value 0". C copies them as they are;
 *   it checks only that `has` has no unknown bit.
 *
 * Crash safety rests on tail: C moves it only past records already on disk,
 * so a C killed anywhere leaves them in the ring for the next C (which
 * resumes at the stored tail and skips what the files already hold).
 *
 * A reader treats the whole segment as hostile input: any process of the
 * same user can scribble on it. C loads each head and tail once, checks
 * that value (head - tail <= capacity, head not behind what was read) and
 * uses only the checked value.
 */
#ifndef DISCON_RING_H
#define DISCON_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discon_types.h" /* record types: the one table */
#include "event.h"        /* DISCON_HAS_*: which cause fields a record has */

#define DISCON_SHM_MAGIC UINT64_C(0x314d48534e4f4344) /* "DCONSHM1" */
/* 2: 64-byte records with cause fields (1: 32 bytes, a reserved cause). */
#define DISCON_SHM_VERSION 2u
#define DISCON_HEADER_SIZE 4096u
#define DISCON_CACHELINE 64

#define DISCON_RING_MIN_RECORDS 16u
#define DISCON_RING_MAX_RECORDS (1u << 24) /* 1 GiB of records per vCPU */
#define DISCON_MAX_VCPUS 4096u

/*
 * In-band loss marker, written by the producer before the first record
 * that follows a run of dropped events, so a reader knows exactly where in
 * the sequence the loss happened: `from_pc` holds the number of events
 * lost, `time_ns` and `to_pc` the times of the first and last of them.
 */
#define DISCON_RECORD_LOSS 0x80u

/*
 * One record, one cache line. The cause fields are what the plugin read
 * from the guest's registers inside the callback (plugin_cause.c); `has`
 * says which hold a value, since 0 is a valid value of each. A field
 * without its bit is 0. A loss marker has has == 0.
 */
struct discon_record {
    uint64_t time_ns; /* CLOCK_MONOTONIC */
    uint64_t from_pc;
    uint64_t to_pc;
    uint64_t cause;      /* DISCON_HAS_CAUSE: aarch64 ESR_ELx, riscv xcause */
    uint64_t fault_addr; /* DISCON_HAS_FAULT_ADDR: FAR_ELx, xtval, cr2 */
    uint64_t syscall;    /* DISCON_HAS_SYSCALL: the system-call number */
    uint8_t type;        /* enum discon_type (discon_types.h) or DISCON_RECORD_LOSS */
    uint8_t to_level;    /* DISCON_HAS_TO_LEVEL: aarch64 EL, riscv privilege */
    uint8_t from_level;  /* DISCON_HAS_FROM_LEVEL */
    uint8_t has;         /* enum discon_has (schema/event.h) */
    uint8_t reserved[12];
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

_Static_assert(sizeof(struct discon_record) == 64, "record ABI");
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

/*
 * Whether ring position a comes before b. Positions are free-running
 * uint64_t and may wrap: compare their distance, read as signed, which is
 * right whenever the two are less than 2^63 apart (a ring holds at most
 * 2^24 records, so any two positions worth comparing are).
 */
static inline bool discon_pos_before(uint64_t a, uint64_t b)
{
    return (int64_t)(a - b) < 0;
}

#endif
