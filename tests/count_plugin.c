/*
 * An independent count for the real-QEMU tests: a second, deliberately
 * trivial QEMU plugin that counts discontinuities per vCPU and type with
 * atomics and writes the totals at exit, in drain_segment's format:
 *   -plugin libcount_plugin.so,out=FILE[,cr2=PREFIX or ,log=PREFIX]
 * It also counts, per vCPU, the return-from-trap instructions executed
 * (aarch64 eret/eretaa/eretab, riscv64 sret/mret, x86_64 iret/sysret/
 * sysexit) and x86_64's syscall/sysenter, each with an exec callback on
 * that instruction alone, found by its own byte matching: the "return" and
 * "syscall" columns, to compare with discon's returns=on (its default).
 * With cr2=PREFIX (x86_64) it also reads cr2 at every EXCEPTION, as
 * discon does, and writes "from_pc cr2" lines, in hex, to PREFIX.VCPU.
 * With log=PREFIX it also writes every event, on its vCPU's own thread, to
 * PREFIX.VCPU as "TIME_NS TYPE FROM_PC TO_PC" (CLOCK_MONOTONIC ns, type
 * name, PCs in hex): the per-vCPU sequence the attach test compares with.
 * It shares nothing with libdiscon.so but the ABI declarations.
 */
#define _POSIX_C_SOURCE 200809L
#include "plugin_registers.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_VCPUS 256

QEMU_PLUGIN_EXPORT int qemu_plugin_version = DISCON_QEMU_PLUGIN_API_VERSION;

/* interrupt, exception, hostcall, return, syscall: drain_segment's order */
enum { C_INTERRUPT, C_EXCEPTION, C_HOSTCALL, C_RETURN, C_SYSCALL, N_COUNTS };
static _Atomic unsigned long long counts[MAX_VCPUS][N_COUNTS];
static const char *target;
static char out_path[4096];
static char cr2_prefix[4096];
static char log_prefix[4096];
static FILE *event_log[MAX_VCPUS]; /* each opened and written by its vCPU's thread */

/* Each vCPU's cr2 handle, buffer and file: set on its own thread. */
static struct {
    struct qemu_plugin_register *cr2;
    GByteArray *buf;
    FILE *out;
} cr2[MAX_VCPUS];

static void on_vcpu_init(unsigned int vcpu, void *udata)
{
    (void)udata;
    if (vcpu >= MAX_VCPUS)
        return;
    static const char *const name[1] = {"cr2"};
    test_plugin_find_registers(name, &cr2[vcpu].cr2, 1);
    char path[4200];
    snprintf(path, sizeof path, "%s.%u", cr2_prefix, vcpu);
    cr2[vcpu].buf = g_byte_array_sized_new(16);
    cr2[vcpu].out = fopen(path, "w");
    if (!cr2[vcpu].cr2 || !cr2[vcpu].out) {
        fprintf(stderr, "count_plugin: no cr2 register or cannot write %s\n", path);
        exit(1);
    }
}

static void write_cr2(unsigned int vcpu, uint64_t from_pc)
{
    uint64_t v = 0;
    g_byte_array_set_size(cr2[vcpu].buf, 0);
    if (!qemu_plugin_read_register(cr2[vcpu].cr2, cr2[vcpu].buf) || cr2[vcpu].buf->len != 8) {
        fprintf(stderr, "count_plugin: reading cr2 failed\n");
        exit(1);
    }
    memcpy(&v, cr2[vcpu].buf->data, 8);
    fprintf(cr2[vcpu].out, "0x%llx 0x%llx\n", (unsigned long long)from_pc, (unsigned long long)v);
}

static void log_event(unsigned int vcpu, int t, uint64_t from_pc, uint64_t to_pc)
{
    static const char *const names[3] = {"interrupt", "exception", "hostcall"};
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (!event_log[vcpu]) {
        char path[4200];
        snprintf(path, sizeof path, "%s.%u", log_prefix, vcpu);
        if (!(event_log[vcpu] = fopen(path, "w"))) {
            fprintf(stderr, "count_plugin: cannot write %s\n", path);
            exit(1);
        }
    }
    fprintf(event_log[vcpu], "%llu %s 0x%llx 0x%llx\n",
            (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec,
            names[t], (unsigned long long)from_pc, (unsigned long long)to_pc);
}

static void on_discon(unsigned int vcpu, enum qemu_plugin_discon_type type, uint64_t from_pc,
                      uint64_t to_pc, void *udata)
{
    (void)udata;
    int t = type == QEMU_PLUGIN_DISCON_INTERRUPT   ? C_INTERRUPT
            : type == QEMU_PLUGIN_DISCON_EXCEPTION ? C_EXCEPTION
                                                   : C_HOSTCALL;
    if (log_prefix[0] && vcpu < MAX_VCPUS)
        log_event(vcpu, t, from_pc, to_pc);
    if (cr2_prefix[0] && t == C_EXCEPTION && vcpu < MAX_VCPUS)
        write_cr2(vcpu, from_pc);
    if (vcpu < MAX_VCPUS)
        atomic_fetch_add_explicit(&counts[vcpu][t], 1, memory_order_relaxed);
}

static void at_exit(void *udata)
{
    (void)udata;
    for (int v = 0; v < MAX_VCPUS; v++) {
        if (cr2[v].out)
            fclose(cr2[v].out);
        if (event_log[v])
            fclose(event_log[v]);
    }
    FILE *f = fopen(out_path, "w");
    if (!f)
        return;
    for (int v = 0; v < MAX_VCPUS; v++) {
        unsigned long long i = counts[v][C_INTERRUPT], e = counts[v][C_EXCEPTION],
                           h = counts[v][C_HOSTCALL], r = counts[v][C_RETURN],
                           s = counts[v][C_SYSCALL];
        if (i + e + h + r + s)
            fprintf(f, "vcpu %d interrupt %llu exception %llu hostcall %llu return %llu "
                       "syscall %llu\n", v, i, e, h, r, s);
    }
    fclose(f);
}

static void on_counted_insn(unsigned int vcpu, void *udata)
{
    if (vcpu < MAX_VCPUS)
        atomic_fetch_add_explicit(&counts[vcpu][(uintptr_t)udata], 1, memory_order_relaxed);
}

/* C_RETURN, C_SYSCALL or -1 for an instruction's bytes: whole-instruction
 * comparisons against the encodings (Arm ARM ERET/ERETAA/ERETAB; RISC-V
 * privileged spec SRET/MRET; Intel SDM IRET CF, SYSRET 0F 07, SYSEXIT
 * 0F 35, SYSCALL 0F 05, SYSENTER 0F 34, after optional 66/REX.W). */
static int classify(const uint8_t *b, size_t n)
{
    if (strcmp(target, "aarch64") == 0 || strcmp(target, "riscv64") == 0) {
        static const uint32_t rets[] = {0xd69f03e0, 0xd69f0bff, 0xd69f0fff, /* aarch64 */
                                        0x10200073, 0x30200073};            /* riscv64 */
        uint32_t w;
        if (n != 4)
            return -1;
        memcpy(&w, b, 4); /* little-endian host and guests */
        for (size_t i = 0; i < sizeof rets / sizeof rets[0]; i++)
            if (w == rets[i] && (target[0] == 'a') == (i < 3))
                return C_RETURN;
        return -1;
    }
    if (strcmp(target, "x86_64") != 0)
        return -1;
    size_t i = 0;
    if (i < n && b[i] == 0x66)
        i++;
    if (i < n && (b[i] == 0x48 || b[i] == 0x40))
        i++;
    if (n - i == 1 && b[i] == 0xcf)
        return C_RETURN;
    if (n - i != 2 || b[i] != 0x0f)
        return -1;
    return b[i + 1] == 0x07 || b[i + 1] == 0x35   ? C_RETURN
           : b[i + 1] == 0x05 || b[i + 1] == 0x34 ? C_SYSCALL
                                                  : -1;
}

static void on_tb_trans(struct qemu_plugin_tb *tb, void *udata)
{
    (void)udata;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint8_t b[16];
        int c = classify(b, qemu_plugin_insn_data(insn, b, sizeof b));
        if (c >= 0)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_counted_insn, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)c);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    target = info->target_name;
    bool cr2_opt = argc == 2 && strncmp(argv[1], "cr2=", 4) == 0;
    bool log_opt = argc == 2 && strncmp(argv[1], "log=", 4) == 0;
    if (argc < 1 || argc > 2 || strncmp(argv[0], "out=", 4) != 0 || (argc == 2 && !cr2_opt && !log_opt)) {
        fprintf(stderr, "count_plugin: usage: -plugin libcount_plugin.so,out=FILE[,cr2=PREFIX|,log=PREFIX]\n");
        return -1;
    }
    snprintf(out_path, sizeof out_path, "%s", argv[0] + 4);
    if (log_opt)
        snprintf(log_prefix, sizeof log_prefix, "%s", argv[1] + 4);
    if (cr2_opt) {
        snprintf(cr2_prefix, sizeof cr2_prefix, "%s", argv[1] + 4);
        qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init, NULL);
    }
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_ALL, on_discon, NULL);
    if (info->system_emulation)
        qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans, NULL);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
