/*
 * The floor of attaching: what one uprobe hit costs this kernel, measured
 * in this process on tiny functions whose first instruction is the probe
 * site, with the least BPF work (uprobe_floor.bpf.c):
 *   uprobe_floor [CALLS [CHUNKS]]     (root; defaults 200000 and 15)
 * Sites: a 5-byte nop (6.18 may turn it into a call to its uprobe
 * trampoline: "optimized"), a 1-byte nop, push, a conditional jump (x86
 * uprobes emulate these) and a register mov (which the kernel must
 * single-step out of line: a second trap). Programs: `empty` (the kernel's
 * cost), `ringbuf` (plus a 64-byte BPF ring-buffer reserve/submit without
 * wakeup, discon's record size) and `work` (plus the clock and a 4-byte
 * user read, the helpers discon's program calls). Each row is the median over
 * CHUNKS timed chunks of CALLS calls, minus the same site unprobed, with
 * the chunks' range; the ring buffer is drained between chunks, outside
 * the timing. The first byte of the site while probed says what the
 * kernel wrote there (cc: int3; e8: a call into the uprobe trampoline).
 * It measures and asserts nothing.
 */
#define _GNU_SOURCE
#include "uprobe_floor.skel.h"

#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The sites: each function's first instruction is the probed one. */
__asm__(".text\n"
        ".globl floor_nop5\n.type floor_nop5,@function\n"
        "floor_nop5: .byte 0x0f,0x1f,0x44,0x00,0x00\n ret\n.size floor_nop5,.-floor_nop5\n"
        ".globl floor_nop1\n.type floor_nop1,@function\n"
        "floor_nop1: nop\n ret\n.size floor_nop1,.-floor_nop1\n"
        ".globl floor_push\n.type floor_push,@function\n"
        "floor_push: push %rbp\n pop %rbp\n ret\n.size floor_push,.-floor_push\n"
        ".globl floor_jcc\n.type floor_jcc,@function\n"
        "floor_jcc: jl 1f\n1: ret\n.size floor_jcc,.-floor_jcc\n"
        ".globl floor_mov\n.type floor_mov,@function\n"
        "floor_mov: mov %rdi,%rax\n ret\n.size floor_mov,.-floor_mov\n");
void floor_nop5(void), floor_nop1(void), floor_push(void), floor_jcc(void), floor_mov(void);

static const struct site {
    const char *name, *what;
    void (*fn)(void);
} sites[] = {
    {"floor_nop5", "nopl 0x0(%rax,%rax,1)", floor_nop5},
    {"floor_nop1", "nop", floor_nop1},
    {"floor_push", "push %rbp", floor_push},
    {"floor_jcc", "jl (short)", floor_jcc},
    {"floor_mov", "mov %rdi,%rax", floor_mov},
};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int drop_sample(void *ctx, void *data, size_t size)
{
    (void)ctx, (void)data, (void)size;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ns per call of fn over `chunks` chunks of `calls`: median, min, max.
 * rb (if any) is drained between chunks. */
static void time_calls(void (*volatile fn)(void), long calls, int chunks, struct ring_buffer *rb,
                       double out[3])
{
    double per[chunks];
    for (long k = 0; k < calls / 10; k++) /* warm up: the first hit may optimize */
        fn();
    for (int c = 0; c < chunks; c++) {
        if (rb)
            ring_buffer__consume(rb);
        double t0 = now_ns();
        for (long k = 0; k < calls; k++)
            fn();
        per[c] = (now_ns() - t0) / (double)calls;
    }
    qsort(per, (size_t)chunks, sizeof per[0], cmp_double);
    out[0] = per[chunks / 2], out[1] = per[0], out[2] = per[chunks - 1];
}

static int measure_site(struct uprobe_floor_bpf *skel, struct ring_buffer *rb, const char *exe,
                        const struct site *s, long calls, int chunks)
{
    double base[3];
    time_calls(s->fn, calls, chunks, NULL, base);
    struct bpf_program *progs[] = {skel->progs.floor_empty, skel->progs.floor_ringbuf,
                                   skel->progs.floor_work};
    for (size_t p = 0; p < sizeof progs / sizeof progs[0]; p++) {
        LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = s->name);
        struct bpf_link *link = bpf_program__attach_uprobe_opts(progs[p], 0, exe, 0, &opts);
        if (!link) {
            fprintf(stderr, "uprobe_floor: cannot attach to %s in %s\n", s->name, exe);
            return -1;
        }
        double t[3];
        time_calls(s->fn, calls, chunks, p ? rb : NULL, t);
        unsigned byte = *(const volatile unsigned char *)(const void *)s->fn;
        bpf_link__destroy(link);
        printf("%-24s %-8s %9.1f %8.1f-%-8.1f %02x\n", s->what, bpf_program__name(progs[p]) + 6,
               t[0] - base[0], t[1] - base[0], t[2] - base[0], byte);
    }
    return 0;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long calls = argc > 1 ? strtol(argv[1], &end, 10) : 200000;
    int chunks = argc > 2 ? atoi(argv[2]) : 15;
    if (argc > 3 || (end && *end) || calls < 1000 || calls > 100000000 || chunks < 1 ||
        chunks > 1000) {
        fprintf(stderr, "usage: uprobe_floor [CALLS (1000..1e8) [CHUNKS (1..1000)]]\n");
        return 2;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        perror("uprobe_floor: /proc/self/exe");
        return 1;
    }
    exe[n] = '\0';
    struct uprobe_floor_bpf *skel = uprobe_floor_bpf__open_and_load();
    if (!skel) {
        fprintf(stderr, "uprobe_floor: cannot load the BPF program (root needed)\n");
        return 1;
    }
    struct ring_buffer *rb =
        ring_buffer__new(bpf_map__fd(skel->maps.floor_events), drop_sample, NULL, NULL);
    if (!rb) {
        fprintf(stderr, "uprobe_floor: cannot map the BPF ring buffer\n");
        uprobe_floor_bpf__destroy(skel);
        return 1;
    }
    printf("ns per uprobe hit over the unprobed call, median of %d chunks of %ld calls (range)\n",
           chunks, calls);
    printf("%-24s %-8s %9s %17s %s\n", "probed instruction", "program", "ns/hit", "range", "site");
    int rc = 0;
    for (size_t k = 0; k < sizeof sites / sizeof sites[0] && rc == 0; k++)
        rc = measure_site(skel, rb, exe, &sites[k], calls, chunks);
    ring_buffer__free(rb);
    uprobe_floor_bpf__destroy(skel);
    return rc ? 1 : 0;
}
