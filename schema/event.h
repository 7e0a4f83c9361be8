/* One discontinuity event as every discon tool sees it after decoding. */
#ifndef DISCON_EVENT_H
#define DISCON_EVENT_H

#include <stdint.h>

#include "discon_types.h"

/*
 * Which of an event's cause fields hold a value (`has`). The same bits are
 * used by the ring record (producer/discon_ring.h) and by the trace's `has`
 * column (discon.proto): 0 is a valid value of every field (system call 0,
 * riscv cause 0, level 0), so "none" needs a bit of its own. What each field
 * means depends on the target; README's target table says which are
 * recorded where.
 */
enum discon_has {
    DISCON_HAS_CAUSE = 1u << 0,      /* cause: aarch64 ESR_ELx (a HOSTCALL: x0, the PSCI or
                                        semihosting function), riscv scause/mcause */
    DISCON_HAS_FAULT_ADDR = 1u << 1, /* fault_addr: aarch64 FAR_ELx, riscv stval/mtval, x86 cr2 */
    DISCON_HAS_SYSCALL = 1u << 2,    /* syscall: aarch64 x8 at SVC64, riscv a7 at U-mode ecall */
    DISCON_HAS_TO_LEVEL = 1u << 3,   /* to_level: the privilege level the trap went to */
    DISCON_HAS_FROM_LEVEL = 1u << 4, /* from_level: the level it came from */
    DISCON_HAS_ALL = (1u << 5) - 1,
};

struct discon_event {
    uint64_t seq;        /* per-vCPU sequence number, counting lost events */
    uint64_t time_ns;    /* ns, CLOCK_MONOTONIC of the producer's host */
    uint64_t from_pc;    /* guest virtual address the vCPU left */
    uint64_t to_pc;      /* where it went (the handler); == from_pc if unknown */
    uint64_t cause;      /* architecture cause register; 0 unless DISCON_HAS_CAUSE */
    uint64_t fault_addr; /* faulting address; 0 unless DISCON_HAS_FAULT_ADDR */
    uint64_t syscall;    /* system-call number; 0 unless DISCON_HAS_SYSCALL */
    uint32_t vcpu;       /* vCPU index */
    uint8_t type;        /* enum discon_type (discon_types.h) */
    uint8_t to_level;    /* aarch64 EL, riscv privilege (0 U, 1 S, 3 M) */
    uint8_t from_level;  /* as to_level */
    uint8_t has;         /* enum discon_has: which of the fields above are set */
};

#endif
