/*
 * The BPF half of bench/uprobe_floor: the least a uprobe's program can do,
 * so the tool measures the kernel's own cost of a hit (`empty`), what a
 * BPF ring-buffer record adds on top (`ringbuf`: reserve, fill 64 bytes as
 * discon's record does, submit without waking the consumer), and the
 * helpers discon's program calls besides (`work`: bpf_ktime_get_ns and a
 * 4-byte bpf_probe_read_user, as it reads cpu_index).
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 << 20);
} floor_events SEC(".maps");

SEC("uprobe")
int floor_empty(struct pt_regs *regs)
{
    return 0;
}

/* The size of struct discon_attach_record (attach/attach_event.h). */
struct floor_record {
    __u64 words[8];
};

SEC("uprobe")
int floor_ringbuf(struct pt_regs *regs)
{
    struct floor_record *r = bpf_ringbuf_reserve(&floor_events, sizeof *r, 0);
    if (!r)
        return 0;
    for (int k = 0; k < 8; k++)
        r->words[k] = regs->rax + k;
    bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
    return 0;
}

SEC("uprobe")
int floor_work(struct pt_regs *regs)
{
    __u32 word = 0;
    bpf_probe_read_user(&word, sizeof word, (const void *)regs->rsp);
    struct floor_record *r = bpf_ringbuf_reserve(&floor_events, sizeof *r, 0);
    if (!r)
        return 0;
    r->words[0] = bpf_ktime_get_ns();
    for (int k = 1; k < 8; k++)
        r->words[k] = word + k;
    bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
    return 0;
}
