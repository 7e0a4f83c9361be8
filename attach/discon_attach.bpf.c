/*
 * The BPF half of `discond --pid`: one uprobe inside QEMU's shared
 * discontinuity routine (plugins/core.c, plugin_vcpu_cb__discon), after
 * its call of the CPU class's get-PC method: on the first conditional
 * jump after it (which the kernel emulates) or else on the instruction
 * right after the call (dispatch_shape.h). There to_pc (the call's return
 * value) and the routine's arguments (the CPUState pointer, the discon
 * type and from_pc) sit in registers that the loader found by decoding
 * the routine (dispatch_shape.c): it sets the rodata below before loading. The vCPU index is read from the CPUState at the
 * offset the decoder found in the routine's own load of cpu_index.
 *
 * Never stalls the guest: a full ring buffer loses the event and counts it
 * in the vCPU's state, exactly, with the time range of the run of losses.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "attach_event.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load (const: the verifier prunes the switch). */
const volatile __u32 cpu_reg = 0, type_reg = 0, from_reg = 0, to_reg = 0;
const volatile __u32 cpu_index_offset = 0;
/* Ring-buffer fill (bytes) above which a record wakes the consumer; below
 * it the consumer's own poll interval picks records up, so the common
 * event costs no wakeup. */
const volatile __u64 wakeup_bytes = 0;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 << 20); /* the loader may change it */
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, DISCON_ATTACH_MAX_VCPUS);
    __type(key, __u32);
    __type(value, struct discon_attach_vcpu);
} vcpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, DISCON_ATTACH_NCOUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

/* The verifier refuses a load through a moved context pointer (which a
 * switch compiles to), so every register is read once at its fixed
 * pt_regs offset into `all`, then picked by its discon_attach_reg number
 * (attach_event.h; the loader never passes 0). */
struct regs16 {
    __u64 r[16];
};

static __always_inline void read_regs(const struct pt_regs *regs, struct regs16 *all)
{
    *all = (struct regs16){{regs->rax, regs->rcx, regs->rdx, regs->rbx, regs->rsp, regs->rbp,
                            regs->rsi, regs->rdi, regs->r8, regs->r9, regs->r10, regs->r11,
                            regs->r12, regs->r13, regs->r14, regs->r15}};
}

static __always_inline __u64 reg_value(const struct regs16 *all, __u32 reg)
{
    return all->r[(reg - 1) & 15];
}

static __always_inline void count(__u32 which)
{
    __u64 *c = bpf_map_lookup_elem(&counters, &which);
    if (c)
        __sync_fetch_and_add(c, 1);
}

SEC("uprobe")
int discon_after_get_pc(struct pt_regs *regs)
{
    struct regs16 all;
    read_regs(regs, &all);
    __u64 cpu = reg_value(&all, cpu_reg);
    __u32 index;
    if (bpf_probe_read_user(&index, sizeof index, (const void *)(cpu + cpu_index_offset))) {
        count(DISCON_ATTACH_BAD_READ);
        return 0;
    }
    struct discon_attach_vcpu *v = bpf_map_lookup_elem(&vcpus, &index);
    if (!v) {
        count(DISCON_ATTACH_UNRECORDED);
        return 0;
    }
    __u64 now = bpf_ktime_get_ns();
    __u64 seq = v->next_seq++;
    struct discon_attach_record *r = bpf_ringbuf_reserve(&events, sizeof *r, 0);
    if (!r) {
        /* Full: count it, exactly, and go on; the guest never waits. */
        if (v->lost_run++ == 0)
            v->lost_first_ns = now;
        v->lost_last_ns = now;
        v->lost_total++;
        return 0;
    }
    r->time_ns = now;
    r->seq = seq;
    r->from_pc = reg_value(&all, from_reg);
    r->to_pc = reg_value(&all, to_reg); /* the get-PC method's return value */
    r->lost = v->lost_run;
    r->lost_first_ns = v->lost_first_ns;
    r->lost_last_ns = v->lost_last_ns;
    r->vcpu = index;
    r->type = (__u32)reg_value(&all, type_reg);
    v->lost_run = 0;
    v->lost_first_ns = 0;
    v->lost_last_ns = 0;
    __u64 wake = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes
                     ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
    bpf_ringbuf_submit(r, wake);
    return 0;
}
