/*
 * What the attach BPF program (discon_attach.bpf.c) and its loader
 * (attach_session.c) share: the ring-buffer record and the per-vCPU state.
 * Both sides compile this header: the BPF side with clang -target bpf,
 * the loader with the host compiler, so only fixed-size fields.
 *
 * Sequence numbers count every event the probe saw on a vCPU since attach,
 * lost ones included (as discon.proto's EventBatch.first_seq does): a
 * record's `lost` events are the sequence numbers [seq - lost, seq).
 */
#ifndef DISCON_ATTACH_EVENT_H
#define DISCON_ATTACH_EVENT_H

#ifdef __bpf__
#include <linux/types.h>
typedef __u64 discon_u64;
typedef __u32 discon_u32;
#else
#include <stdint.h>
typedef uint64_t discon_u64;
typedef uint32_t discon_u32;
#endif

/* vCPUs the state map holds; an event of a higher vCPU index is only counted. */
#define DISCON_ATTACH_MAX_VCPUS 1024u

/* One event, as the BPF program reserves it in the ring buffer. */
struct discon_attach_record {
    discon_u64 time_ns;       /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
    discon_u64 seq;           /* this event's per-vCPU sequence number */
    discon_u64 from_pc;
    discon_u64 to_pc;
    discon_u64 lost;          /* events lost on this vCPU right before this one */
    discon_u64 lost_first_ns; /* time of the first and last of them (0 if none) */
    discon_u64 lost_last_ns;
    discon_u32 vcpu;
    discon_u32 type;          /* QEMU's discon type: schema/discon_types.h values */
};

/* Per-vCPU state (array map `vcpus`), touched only by that vCPU's thread. */
struct discon_attach_vcpu {
    discon_u64 next_seq;      /* events seen: recorded + lost */
    discon_u64 lost_total;
    discon_u64 lost_run;      /* lost since the last recorded event */
    discon_u64 lost_first_ns;
    discon_u64 lost_last_ns;
};

/* Counters (array map `counters`, one slot each). */
enum discon_attach_counter {
    DISCON_ATTACH_UNRECORDED, /* events of vCPUs >= DISCON_ATTACH_MAX_VCPUS */
    DISCON_ATTACH_BAD_READ,   /* cpu_index unreadable: the CPU state moved? */
    DISCON_ATTACH_NCOUNTERS,
};

/* The register the loader's decoder found a value in at the probe, named
 * by its x86-64 number plus one (0: none), so the program can pick it
 * from pt_regs: rax 1, rcx 2, rdx 3, rbx 4, rsp 5, rbp 6, rsi 7, rdi 8,
 * r8..r15 9..16. */
enum discon_attach_reg {
    DISCON_REG_NONE = 0,
    DISCON_REG_RAX,
    DISCON_REG_RCX,
    DISCON_REG_RDX,
    DISCON_REG_RBX,
    DISCON_REG_RSP,
    DISCON_REG_RBP,
    DISCON_REG_RSI,
    DISCON_REG_RDI,
    DISCON_REG_R8,
    DISCON_REG_R9,
    DISCON_REG_R10,
    DISCON_REG_R11,
    DISCON_REG_R12,
    DISCON_REG_R13,
    DISCON_REG_R14,
    DISCON_REG_R15,
};

#endif
