/*
 * plugin_cause.c against a fake QEMU register API: for each target, which
 * registers each kind of trap reads (and only those: each read costs ~100
 * ns in QEMU), what lands in the record, and a missing register reported
 * once without a crash.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "plugin_cause.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fake CPU: registers by name, with values; a handle is index + 1. */
struct fake_reg {
    const char *name;
    uint64_t value;
    unsigned size;
};
static struct fake_reg cpu[20];
static int ncpu_regs, reads;

static void set_regs(const struct fake_reg *regs, int n)
{
    memcpy(cpu, regs, (size_t)n * sizeof *regs);
    ncpu_regs = n;
}

GArray *qemu_plugin_get_registers(void)
{
    GArray *a = malloc(sizeof *a);
    qemu_plugin_reg_descriptor *d = calloc((size_t)ncpu_regs + 1, sizeof *d);
    for (int i = 0; i < ncpu_regs; i++)
        d[i] = (qemu_plugin_reg_descriptor){
            .handle = (struct qemu_plugin_register *)(uintptr_t)(i + 1), .name = cpu[i].name};
    a->data = (char *)d;
    a->len = (unsigned)ncpu_regs;
    return a;
}

char *g_array_free(GArray *a, int free_segment)
{
    CHECK(free_segment);
    free(a->data);
    free(a);
    return NULL;
}

GByteArray *g_byte_array_sized_new(unsigned int n)
{
    GByteArray *b = malloc(sizeof *b);
    b->data = malloc(n);
    b->len = 0;
    return b;
}

GByteArray *g_byte_array_set_size(GByteArray *b, unsigned int n)
{
    CHECK(n == 0); /* the plugin only empties it */
    b->len = n;
    return b;
}

/* Appends, as QEMU's gdbstub does: a buffer not emptied first shows. */
bool qemu_plugin_read_register(struct qemu_plugin_register *h, GByteArray *b)
{
    struct fake_reg *r = &cpu[(uintptr_t)h - 1];
    reads++;
    memcpy(b->data + b->len, &r->value, r->size);
    b->len += r->size;
    return true;
}

static struct discon_cause c;

/* One trap on vCPU 0: its record, and the number of reads it took. */
static struct discon_record trap(uint8_t type, int *nreads)
{
    struct discon_record rec = {.type = type};
    reads = 0;
    discon_cause_read(&c, 0, type, &rec);
    *nreads = reads;
    return rec;
}

/* The plugin keeps its buffers until QEMU exits; the test frees them. */
static void release(void)
{
    for (uint32_t i = 0; i < c.nvcpus; i++)
        if (c.vcpu[i].buf) {
            free(c.vcpu[i].buf->data);
            free(c.vcpu[i].buf);
        }
    free(c.vcpu);
    c = (struct discon_cause){0};
}

static void setup(const char *target, const struct fake_reg *regs, int n)
{
    release();
    set_regs(regs, n);
    CHECK_EQ(discon_cause_init(&c, target, 2, true, false), 0);
    discon_cause_vcpu_init(&c, 0);
}

/* A return instruction f on vCPU 0 (returns=on): whether it records, its
 * record, the reads it took. */
static bool ret(enum discon_flow_insn f, struct discon_record *rec, int *nreads)
{
    *rec = (struct discon_record){.type = DISCON_RETURN};
    reads = 0;
    bool ok = discon_cause_return_target(&c, 0, f, rec);
    *nreads = reads;
    return ok;
}

#define EX DISCON_EXCEPTION
#define IRQ DISCON_INTERRUPT
enum { C = DISCON_HAS_CAUSE, F = DISCON_HAS_FAULT_ADDR, S = DISCON_HAS_SYSCALL,
       TL = DISCON_HAS_TO_LEVEL, FL = DISCON_HAS_FROM_LEVEL };

static void aarch64(void)
{
    struct fake_reg regs[] = {{"x8", 221, 8}, {"cpsr", 0x3c5, 4}, {"ESR_EL1", 0x56000123, 8},
                              {"FAR_EL1", 0xdead0000, 8}, {"ELR_EL1", 1, 8}};
    int n;
    setup("aarch64", regs, 5);
    struct discon_record r = trap(EX, &n); /* svc: ESR and x8; no cpsr without EL2/EL3 */
    CHECK(r.has == (C | S | TL) && r.cause == 0x56000123 && r.syscall == 221 && r.to_level == 1);
    CHECK_EQ(n, 2);
    cpu[2].value = 0x92000007; /* data abort from EL0: FAR, from level 0 */
    r = trap(EX, &n);
    CHECK(r.has == (C | F | TL | FL) && r.fault_addr == 0xdead0000 && r.from_level == 0);
    CHECK_EQ(n, 2);
    cpu[2].value = 0x96000400 | 0x10; /* same EL, FnV set: FAR not valid */
    r = trap(EX, &n);
    CHECK(r.has == (C | TL | FL) && r.fault_addr == 0 && r.from_level == 1);
    CHECK_EQ(n, 1);
    cpu[2].value = 0x9a000000; /* EC 0x26, SP alignment: FAR UNKNOWN */
    r = trap(EX, &n);
    CHECK(r.has == (C | TL) && n == 1);
    r = trap(IRQ, &n); /* ESR is stale for interrupts: the level only */
    CHECK(r.has == TL && r.to_level == 1 && n == 0);
    r = trap(DISCON_HOSTCALL, &n);
    CHECK(r.has == 0 && n == 0);

    /* With EL2: the level from cpsr, then that level's ESR and FAR. */
    struct fake_reg el2[] = {{"cpsr", 0x9, 4},        {"ESR_EL1", 1, 8}, {"ESR_EL2", 0x96000021, 8},
                             {"FAR_EL2", 0x40000001, 8}, {"FAR_EL1", 2, 8}, {"x8", 3, 8}};
    setup("aarch64", el2, 6);
    r = trap(EX, &n);
    CHECK(r.has == (C | F | TL | FL) && r.to_level == 2 && r.cause == 0x96000021 &&
          r.fault_addr == 0x40000001 && r.from_level == 2);
    CHECK_EQ(n, 3);
}

static void riscv64(void)
{
    struct fake_reg regs[] = {{"priv", 1, 8},  {"scause", 8, 8},  {"stval", 0, 8},
                              {"mcause", 5, 8}, {"mtval", 0x90000000, 8}, {"a7", 64, 8}};
    int n;
    setup("riscv64", regs, 6);
    struct discon_record r = trap(EX, &n); /* ecall from U to S: a7 */
    CHECK(r.has == (C | S | TL | FL) && r.cause == 8 && r.syscall == 64 && r.to_level == 1 &&
          r.from_level == 0);
    CHECK_EQ(n, 3);
    cpu[0].value = 3; /* to M: mcause 5 (load access fault), mtval */
    r = trap(EX, &n);
    CHECK(r.has == (C | F | TL) && r.cause == 5 && r.fault_addr == 0x90000000 && r.to_level == 3);
    CHECK_EQ(n, 3);
    cpu[3].value = (1ull << 63) | 7; /* machine timer interrupt: no tval */
    r = trap(IRQ, &n);
    CHECK(r.has == (C | TL) && r.cause == cpu[3].value && n == 2);
    cpu[3].value = 2; /* illegal instruction: mtval holds no address */
    r = trap(EX, &n);
    CHECK(r.has == (C | TL) && n == 2);
}

static void x86_64(void)
{
    struct fake_reg regs[] = {{"rax", 1, 8}, {"cr2", 0x7ffd1000, 8}};
    int n;
    setup("x86_64", regs, 2);
    struct discon_record r = trap(EX, &n);
    CHECK(r.has == F && r.fault_addr == 0x7ffd1000 && n == 1);
    r = trap(IRQ, &n);
    CHECK(r.has == 0 && n == 0);
}

/* Returns whose target sits in registers: what the instruction loads, and
 * nothing where it would trap instead. */
static void returns(void)
{
    struct fake_reg a64[] = {{"cpsr", 0x3c5, 4},  {"ELR_EL1", 0x400100, 8}, {"SPSR_EL1", 0x0, 8},
                             {"ESR_EL1", 0, 8},   {"FAR_EL1", 0, 8},        {"x8", 0, 8},
                             {"x0", 0, 8},        {"TCR_EL1", 16 | 16 << 16, 8}};
    struct discon_record r;
    int n;
    release();
    set_regs(a64, 8);
    CHECK_EQ(discon_cause_init(&c, "aarch64", 2, false, true), 0);
    discon_cause_vcpu_init(&c, 0);
    /* EL1 to EL0t: ELR, SPSR.M[3:2] */
    CHECK(ret(DISCON_FLOW_ERET, &r, &n) && r.to_pc == 0x400100 && r.from_level == 1 &&
          r.to_level == 0 && r.has == (TL | FL) && n == 3);
    cpu[2].value = 0x3c5; /* EL1h */
    CHECK(ret(DISCON_FLOW_ERET, &r, &n) && r.to_level == 1);
    cpu[2].value = 0x10; /* AArch32 User, then Supervisor */
    CHECK(ret(DISCON_FLOW_ERET, &r, &n) && r.to_level == 0);
    cpu[2].value = 0x13;
    CHECK(ret(DISCON_FLOW_ERET, &r, &n) && r.to_level == 1);
    cpu[1].value = 0x12b4800010001000ull; /* ERETAA: the code stripped (TCR_EL1) */
    CHECK(ret(DISCON_FLOW_ERETA, &r, &n) && r.to_pc == 0xffff800010001000ull && n == 4);
    cpu[0].value = 0x0; /* at EL0 ERET is UNDEFINED: no return */
    CHECK(!ret(DISCON_FLOW_ERET, &r, &n) && n == 1);

    struct fake_reg rv[] = {{"priv", 1, 8}, {"mstatus", 1u << 8, 8}, {"sepc", 0x80200000, 8},
                            {"mepc", 0x80000000, 8}, {"scause", 0, 8}, {"stval", 0, 8},
                            {"mcause", 0, 8}, {"mtval", 0, 8}, {"a7", 0, 8}};
    release();
    set_regs(rv, 9);
    CHECK_EQ(discon_cause_init(&c, "riscv64", 2, true, true), 0);
    discon_cause_vcpu_init(&c, 0);
    /* SRET in S: sepc, SPP (bit 8) */
    CHECK(ret(DISCON_FLOW_SRET, &r, &n) && r.to_pc == 0x80200000 && r.from_level == 1 &&
          r.to_level == 1 && n == 3);
    cpu[1].value = 1u << 22; /* TSR: SRET in S traps to M */
    CHECK(!ret(DISCON_FLOW_SRET, &r, &n));
    CHECK(!ret(DISCON_FLOW_MRET, &r, &n)); /* MRET below M */
    cpu[0].value = 3;
    cpu[1].value = 1u << 11; /* MPP = S */
    CHECK(ret(DISCON_FLOW_MRET, &r, &n) && r.to_pc == 0x80000000 && r.from_level == 3 &&
          r.to_level == 1);
    CHECK(ret(DISCON_FLOW_SRET, &r, &n) && r.from_level == 3 && r.to_level == 0); /* in M */
    cpu[0].value = 0;
    CHECK(!ret(DISCON_FLOW_SRET, &r, &n)); /* in U */
    CHECK(!ret(DISCON_FLOW_IRET, &r, &n)); /* not a register target */
}

/* A register the CPU lacks: one message for all vCPUs, nothing recorded
 * that needs it, no crash. */
static void missing(void)
{
    struct fake_reg regs[] = {{"cpsr", 0x5, 4}, {"ESR_EL1", 0x56000000, 8}, {"FAR_EL1", 0, 8}};
    char path[] = "/tmp/discon-cause-XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    dup2(fd, 2);
    setup("aarch64", regs, 3);
    discon_cause_vcpu_init(&c, 1);
    fflush(stderr);
    dup2(saved, 2);
    char out[1024] = "";
    ssize_t len = pread(fd, out, sizeof out - 1, 0);
    close(fd);
    unlink(path);
    CHECK(len > 0 && strstr(out, "no register x8") && strchr(out, '\n') == out + len - 1);
    int n;
    struct discon_record r = trap(EX, &n);
    CHECK(r.has == (C | TL) && r.syscall == 0 && n == 1);
}

int main(void)
{
    aarch64();
    riscv64();
    x86_64();
    missing();
    returns();
    int n;
    /* cause=off and targets without causes read nothing. */
    release();
    CHECK_EQ(discon_cause_init(&c, "aarch64", 2, false, false), 0);
    discon_cause_vcpu_init(&c, 0);
    CHECK(trap(EX, &n).has == 0 && n == 0);
    CHECK_EQ(discon_cause_init(&c, "s390x", 2, true, false), 0);
    discon_cause_vcpu_init(&c, 0);
    CHECK(trap(EX, &n).has == 0 && n == 0);
    release();
    CHECK_DONE();
}
