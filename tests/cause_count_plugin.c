/*
 * An independent count of trap kinds for the real-QEMU tests: a second
 * QEMU plugin, loaded beside libdiscon.so in the same run, that reads the
 * cause registers itself and names each trap with its own small decoding,
 * written from the architecture manuals and not from libdiscon-trace:
 *   -plugin libcause_count_plugin.so,out=FILE[,levels=FILE]
 * At exit it writes "kind|count" lines (sorted by kind) to out, and with
 * levels=FILE "level|count" lines: the level each trap was taken to as the
 * plugin read it ("-" for host calls, which change no level).
 *
 * The names are the contract being checked: they must equal
 * libdiscon-trace's (tests/data/kinds.txt). What this decoding does not
 * know is counted under a name starting with UNDECODED, UNREADABLE or
 * MISMATCH, which no kind has, so a comparison fails loudly instead of
 * losing it.
 *
 * The callback only reads registers and bumps a counter of the raw cause
 * (a slot); naming happens once, at exit.
 */
#include "plugin_registers.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = DISCON_QEMU_PLUGIN_API_VERSION;

#define MAX_VCPUS 64

/*
 * Slots. aarch64 exceptions: EC << 6 | the abort's fault status code (0
 * for other ECs). riscv64: interrupt bit << 6 | cause code below 64. Then
 * the slots no raw cause gives.
 */
enum {
    SLOT_RAW = 4096,
    SLOT_IRQ = SLOT_RAW,  /* aarch64: ESR is not written for interrupts */
    SLOT_HOSTCALL,        /* QEMU handled the call; no register to read */
    SLOT_UNREADABLE,      /* a register read failed or the CPU lacks it */
    SLOT_EL0,             /* aarch64: an exception "taken to EL0" */
    SLOT_PRIV_BASE,       /* riscv64: a trap to priv 0..3 that is not S or M */
    SLOT_CODE_RANGE = SLOT_PRIV_BASE + 4, /* riscv64: code >= 64 */
    SLOT_TYPE_MISMATCH,   /* riscv64: QEMU's type disagrees with bit 63 */
    /* Not kinds: the level each trap was taken to, 0-3, then "none". */
    SLOT_LEVEL,
    LEVEL_NONE = 4,
    N_SLOTS = SLOT_LEVEL + LEVEL_NONE + 1
};

enum arch { ARCH_AARCH64, ARCH_RISCV64 };
static enum arch arch;

static _Atomic unsigned long long counts[MAX_VCPUS][N_SLOTS];
static char out_path[4096], levels_path[4096];

/* Per vCPU, set on its own thread at init. aarch64: cpsr, ESR_EL1..3;
 * riscv64: priv, scause, mcause. */
enum { R_LEVEL, R_CAUSE1, R_CAUSE2, R_CAUSE3, N_REGS };
static struct {
    struct qemu_plugin_register *reg[N_REGS];
    GByteArray *buf;
} cpu[MAX_VCPUS];

static const char *const reg_names[2][N_REGS] = {
    [ARCH_AARCH64] = {"cpsr", "ESR_EL1", "ESR_EL2", "ESR_EL3"},
    [ARCH_RISCV64] = {"priv", "scause", NULL, "mcause"},
};
/* ESR_EL2/EL3 exist only with virtualization=on / secure=on. */
static const bool reg_optional[2][N_REGS] = {[ARCH_AARCH64] = {false, false, true, true},
                                             [ARCH_RISCV64] = {false, false, true, false}};

static void on_vcpu_init(unsigned int vcpu, void *udata)
{
    (void)udata;
    if (vcpu >= MAX_VCPUS)
        return;
    test_plugin_find_registers(reg_names[arch], cpu[vcpu].reg, N_REGS);
    for (int r = 0; r < N_REGS; r++)
        if (reg_names[arch][r] && !cpu[vcpu].reg[r] && !reg_optional[arch][r]) {
            fprintf(stderr, "cause_count_plugin: vCPU %u has no register %s\n", vcpu,
                    reg_names[arch][r]);
            exit(1);
        }
    cpu[vcpu].buf = g_byte_array_sized_new(16);
}

static void count(unsigned vcpu, int slot)
{
    atomic_fetch_add_explicit(&counts[vcpu][slot], 1, memory_order_relaxed);
}

/* A slot's count over all vCPUs (at exit: the vCPUs have stopped). */
static unsigned long long total(int slot)
{
    unsigned long long c = 0;
    for (int v = 0; v < MAX_VCPUS; v++)
        c += atomic_load_explicit(&counts[v][slot], memory_order_relaxed);
    return c;
}

/* A register of 1 to 8 bytes, little-endian (both targets here). */
static bool read_reg(unsigned vcpu, int r, uint64_t *out)
{
    GByteArray *b = cpu[vcpu].buf;
    if (!cpu[vcpu].reg[r])
        return false;
    g_byte_array_set_size(b, 0);
    if (!qemu_plugin_read_register(cpu[vcpu].reg[r], b) || b->len == 0 || b->len > 8)
        return false;
    *out = 0;
    memcpy(out, b->data, b->len);
    return true;
}

/* Arm ARM (DDI 0487), ESR_ELx: EC is bits [31:26]; for the instruction
 * and data aborts (EC 0x20, 0x21, 0x24, 0x25) ISS[5:0] is the fault status
 * code. cpsr bits [3:2] are PSTATE.EL, the level the trap went to. */
static int aarch64_slot(unsigned vcpu, enum qemu_plugin_discon_type type)
{
    uint64_t cpsr, esr;
    if (!read_reg(vcpu, R_LEVEL, &cpsr))
        return SLOT_UNREADABLE;
    unsigned el = (unsigned)(cpsr >> 2) & 3;
    count(vcpu, SLOT_LEVEL + (int)el);
    if (type == QEMU_PLUGIN_DISCON_INTERRUPT)
        return SLOT_IRQ;
    if (el == 0)
        return SLOT_EL0;
    if (!read_reg(vcpu, R_CAUSE1 + (int)el - 1, &esr))
        return SLOT_UNREADABLE;
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    bool abort = ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
    return (int)(ec << 6 | (abort ? (unsigned)esr & 0x3f : 0));
}

/* RISC-V privileged spec: priv 1 is S (scause), 3 is M (mcause); bit 63
 * of the cause register says interrupt, the rest is the code. */
static int riscv64_slot(unsigned vcpu, enum qemu_plugin_discon_type type)
{
    uint64_t priv, cause;
    if (!read_reg(vcpu, R_LEVEL, &priv))
        return SLOT_UNREADABLE;
    if (priv > 3)
        return SLOT_UNREADABLE; /* not a privilege level */
    count(vcpu, SLOT_LEVEL + (int)priv);
    if (priv != 1 && priv != 3)
        return SLOT_PRIV_BASE + (int)priv;
    if (!read_reg(vcpu, priv == 1 ? R_CAUSE1 : R_CAUSE3, &cause))
        return SLOT_UNREADABLE;
    unsigned irq = (unsigned)(cause >> 63);
    uint64_t code = cause & ~(UINT64_C(1) << 63);
    if (code >= 64)
        return SLOT_CODE_RANGE;
    if (irq != (type == QEMU_PLUGIN_DISCON_INTERRUPT))
        return SLOT_TYPE_MISMATCH;
    return (int)(irq << 6 | code);
}

static void on_discon(unsigned int vcpu, enum qemu_plugin_discon_type type, uint64_t from_pc,
                      uint64_t to_pc, void *udata)
{
    (void)from_pc, (void)to_pc, (void)udata;
    if (vcpu >= MAX_VCPUS || !cpu[vcpu].buf)
        return; /* install refused more vCPUs; init runs before any trap */
    int slot;
    if (type == QEMU_PLUGIN_DISCON_HOSTCALL) {
        count(vcpu, SLOT_LEVEL + LEVEL_NONE);
        slot = SLOT_HOSTCALL;
    } else {
        slot = arch == ARCH_AARCH64 ? aarch64_slot(vcpu, type) : riscv64_slot(vcpu, type);
    }
    count(vcpu, slot);
}

/* The ESR exception classes of the Arm ARM's EC table, by EC; NULL: none
 * this plugin knows. */
static const char *const aarch64_ec_names[64] = {
    [0x00] = "unknown reason (undefined instruction)",
    [0x01] = "trapped WFI/WFE",
    [0x03] = "trapped AArch32 MCR/MRC (coproc 15)",
    [0x04] = "trapped AArch32 MCRR/MRRC (coproc 15)",
    [0x05] = "trapped AArch32 MCR/MRC (coproc 14)",
    [0x06] = "trapped AArch32 LDC/STC",
    [0x07] = "trapped SVE/SIMD/FP access",
    [0x0a] = "trapped LD64B/ST64B",
    [0x0c] = "trapped AArch32 MRRC (coproc 14)",
    [0x0d] = "branch target exception",
    [0x0e] = "illegal execution state",
    [0x11] = "SVC32", [0x12] = "HVC32", [0x13] = "SMC32",
    [0x15] = "SVC64", [0x16] = "HVC64", [0x17] = "SMC64",
    [0x18] = "trapped MSR/MRS/system instruction",
    [0x19] = "trapped SVE access",
    [0x1a] = "trapped ERET",
    [0x1c] = "pointer authentication failure",
    [0x1d] = "trapped SME access",
    [0x1f] = "implementation defined exception to EL3",
    [0x20] = "instruction abort from a lower EL",
    [0x21] = "instruction abort (same EL)",
    [0x22] = "PC alignment fault",
    [0x24] = "data abort from a lower EL",
    [0x25] = "data abort (same EL)",
    [0x26] = "SP alignment fault",
    [0x27] = "memory operation exception",
    [0x28] = "trapped AArch32 floating-point exception",
    [0x2c] = "trapped floating-point exception",
    [0x2f] = "SError",
    [0x30] = "breakpoint from a lower EL", [0x31] = "breakpoint (same EL)",
    [0x32] = "software step from a lower EL", [0x33] = "software step (same EL)",
    [0x34] = "watchpoint from a lower EL", [0x35] = "watchpoint (same EL)",
    [0x38] = "BKPT (AArch32)",
    [0x3a] = "vector catch (AArch32)",
    [0x3c] = "BRK",
};

/* An abort's fault status code, in the groups of the Arm ARM's IFSC/DFSC
 * encoding: 0b0000LL address size, 0b0001LL translation at level LL,
 * 0b0010LL access flag, 0b0011LL permission; 0b010000 external abort, and
 * 0b0100LL (LL > 0) / 0b0101LL external abort on a table walk; 0b100001
 * alignment. Every other code is one of the rarer statuses. */
static void fault_status(unsigned fsc, char *buf, size_t len)
{
    static const char *const group[4] = {"address size fault", NULL, "access flag fault",
                                         "permission fault"};
    if (fsc < 16 && group[fsc >> 2])
        snprintf(buf, len, "%s", group[fsc >> 2]);
    else if (fsc < 16)
        snprintf(buf, len, "translation fault level %u", fsc & 3);
    else if (fsc < 0x18 && fsc != 0x11) /* 0x11: tag check fault */
        snprintf(buf, len, "synchronous external abort");
    else
        snprintf(buf, len, fsc == 0x21 ? "alignment fault" : "other fault status");
}

static void aarch64_name(int slot, char *buf, size_t len)
{
    unsigned ec = (unsigned)slot >> 6, fsc = (unsigned)slot & 0x3f;
    const char *name = aarch64_ec_names[ec];
    if (!name) {
        snprintf(buf, len, "UNDECODED aarch64 EC 0x%02x", ec);
    } else if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
        char status[64];
        fault_status(fsc, status, sizeof status);
        snprintf(buf, len, "%s, %s", name, status);
    } else {
        snprintf(buf, len, "%s", name);
    }
}

/* The RISC-V privileged spec's mcause/scause table (with the hypervisor,
 * Sscofpmf, Ssdbltrp and Zicfiss/hardware-error codes): exceptions, then
 * interrupts, by code. */
static const char *const riscv64_names[2][24] = {
    {
        [0] = "instruction address misaligned", [1] = "instruction access fault",
        [2] = "illegal instruction", [3] = "breakpoint",
        [4] = "load address misaligned", [5] = "load access fault",
        [6] = "store/AMO address misaligned", [7] = "store/AMO access fault",
        [8] = "environment call from U-mode", [9] = "environment call from S-mode",
        [10] = "environment call from VS-mode", [11] = "environment call from M-mode",
        [12] = "instruction page fault", [13] = "load page fault",
        [15] = "store/AMO page fault", [16] = "double trap",
        [18] = "software check", [19] = "hardware error",
        [20] = "instruction guest-page fault", [21] = "load guest-page fault",
        [22] = "virtual instruction", [23] = "store/AMO guest-page fault",
    },
    {
        [1] = "supervisor software interrupt", [2] = "virtual supervisor software interrupt",
        [3] = "machine software interrupt", [5] = "supervisor timer interrupt",
        [6] = "virtual supervisor timer interrupt", [7] = "machine timer interrupt",
        [9] = "supervisor external interrupt", [10] = "virtual supervisor external interrupt",
        [11] = "machine external interrupt", [12] = "supervisor guest external interrupt",
        [13] = "counter-overflow interrupt",
    },
};

static void riscv64_name(int slot, char *buf, size_t len)
{
    unsigned irq = (unsigned)slot >> 6, code = (unsigned)slot & 0x3f;
    const char *name = code < 24 ? riscv64_names[irq][code] : NULL;
    if (name)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "UNDECODED riscv64 %s code %u", irq ? "interrupt" : "exception", code);
}

static void slot_name(int slot, char *buf, size_t len)
{
    if (slot < SLOT_RAW)
        (arch == ARCH_AARCH64 ? aarch64_name : riscv64_name)(slot, buf, len);
    else if (slot == SLOT_IRQ)
        snprintf(buf, len, arch == ARCH_AARCH64 ? "IRQ or FIQ" : "UNDECODED riscv64 slot");
    else if (slot == SLOT_HOSTCALL)
        snprintf(buf, len, "host call");
    else if (slot == SLOT_UNREADABLE)
        snprintf(buf, len, "UNREADABLE cause register");
    else if (slot == SLOT_EL0)
        snprintf(buf, len, "UNDECODED aarch64 exception taken to EL0");
    else if (slot < SLOT_CODE_RANGE)
        snprintf(buf, len, "UNDECODED riscv64 trap taken to priv %d", slot - SLOT_PRIV_BASE);
    else if (slot == SLOT_CODE_RANGE)
        snprintf(buf, len, "UNDECODED riscv64 cause code >= 64");
    else
        snprintf(buf, len, "MISMATCH riscv64 QEMU's trap type against cause bit 63");
}

struct named { char name[96]; unsigned long long n; };

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* "kind|count", several slots summed under one name, sorted by name. */
static void write_kinds(FILE *f)
{
    static struct named out[N_SLOTS];
    size_t n = 0;
    for (int s = 0; s < SLOT_LEVEL; s++) {
        unsigned long long c = total(s);
        if (c == 0)
            continue;
        char name[96];
        slot_name(s, name, sizeof name);
        size_t i = 0;
        while (i < n && strcmp(out[i].name, name) != 0)
            i++;
        if (i == n)
            snprintf(out[n++].name, sizeof out[0].name, "%s", name);
        out[i].n += c;
    }
    qsort(out, n, sizeof out[0], by_name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s|%llu\n", out[i].name, out[i].n);
}

static void write_levels(FILE *f)
{
    for (int l = 0; l <= LEVEL_NONE; l++) {
        unsigned long long c = total(SLOT_LEVEL + l);
        if (c == 0)
            continue;
        if (l == LEVEL_NONE)
            fprintf(f, "-|%llu\n", c);
        else
            fprintf(f, "%d|%llu\n", l, c);
    }
}

static void write_file(const char *path, void (*write)(FILE *))
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cause_count_plugin: cannot write %s\n", path);
        return;
    }
    write(f);
    if (fclose(f) != 0)
        fprintf(stderr, "cause_count_plugin: writing %s failed\n", path);
}

static void at_exit(void *udata)
{
    (void)udata;
    write_file(out_path, write_kinds);
    if (levels_path[0])
        write_file(levels_path, write_levels);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0)
            snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
        else if (strncmp(argv[i], "levels=", 7) == 0)
            snprintf(levels_path, sizeof levels_path, "%s", argv[i] + 7);
        else
            out_path[0] = '\0', i = argc; /* unknown argument: refuse below */
    }
    if (!out_path[0]) {
        fprintf(stderr, "cause_count_plugin: usage: -plugin "
                        "libcause_count_plugin.so,out=FILE[,levels=FILE]\n");
        return -1;
    }
    if (!info->system_emulation || info->system.max_vcpus > MAX_VCPUS) {
        fprintf(stderr, "cause_count_plugin: system emulation with at most %d vCPUs only\n",
                MAX_VCPUS);
        return -1;
    }
    if (strcmp(info->target_name, "aarch64") == 0)
        arch = ARCH_AARCH64;
    else if (strcmp(info->target_name, "riscv64") == 0)
        arch = ARCH_RISCV64;
    else {
        fprintf(stderr, "cause_count_plugin: no cause decoding for target %s\n",
                info->target_name);
        return -1;
    }
    qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init, NULL);
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_ALL, on_discon, NULL);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
