/*
 * discon_kinds.h: known cause values of each architecture decode to the
 * kind, class and level the manuals give; every kind's id and name is
 * pinned by tests/data/kinds.txt (argv[1]), so an id that changes, a name
 * that is spelled twice or a kind added without its line fails; system
 * calls are named from the generated tables.
 */
#include "check.h"
#include "discon_kinds.h"
#include "discon_types.h"

#include <stdlib.h>

#define IRQ (UINT64_C(1) << 63)

/* The kind's name, class and from-level, checked in one go. */
static void expect(enum discon_arch arch, unsigned type, uint64_t cause, unsigned to_level,
                   const char *name, enum discon_trap_class cls, enum discon_level from)
{
    enum discon_level got_from = (enum discon_level)99;
    const struct discon_kind *k = discon_trap_kind(arch, type, cause, to_level, &got_from);
    CHECK(k != NULL);
    if (!k)
        return;
    if (strcmp(k->name, name) != 0 || k->trap_class != cls || got_from != from) {
        fprintf(stderr, "%s cause 0x%llx to %u: got \"%s\" class %d from %d, want \"%s\" %d %d\n",
                discon_arch_name(arch), (unsigned long long)cause, to_level, k->name,
                k->trap_class, got_from, name, cls, from);
        check_failures++;
    }
    CHECK(k == discon_kind_by_id(k->id));
    CHECK(discon_trap_kind(arch, type, cause, to_level, NULL) == k);
}

static void test_aarch64(void)
{
    const enum discon_arch a = DISCON_ARCH_AARCH64;
    const unsigned E = DISCON_EXCEPTION;
    /* Measured on QEMU (QEMU-FACTS): svc #0, udf. */
    expect(a, E, 0x56000000, 1, "SVC64", DISCON_CLASS_SYSCALL, DISCON_LEVEL_UNKNOWN);
    expect(a, E, 0x02000000, 1, "unknown reason (undefined instruction)",
           DISCON_CLASS_UNDEFINED, DISCON_LEVEL_UNKNOWN);
    /* EC 0x24, IL, WnR, DFSC 0b000111: a write from EL0, translation fault level 3. */
    expect(a, E, 0x92000047, 1, "data abort from a lower EL, translation fault level 3",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_USER);
    expect(a, E, 0x9600000f, 1, "data abort (same EL), permission fault",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_KERNEL);
    expect(a, E, 0x96000021, 1, "data abort (same EL), alignment fault", DISCON_CLASS_ALIGNMENT,
           DISCON_LEVEL_KERNEL);
    expect(a, E, 0x9200000b, 1, "data abort from a lower EL, access flag fault",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_USER);
    expect(a, E, 0x82000006, 1, "instruction abort from a lower EL, translation fault level 2",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_USER);
    expect(a, E, 0x86000010, 2, "instruction abort (same EL), synchronous external abort",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_HYPERVISOR);
    /* DFSC 0x12-0x17: external abort on a table walk, levels -2 to 3;
     * 0x11 (tag check) and 0x18 (parity, not on a walk) are not. */
    for (uint64_t fsc = 0x12; fsc <= 0x17; fsc++)
        expect(a, E, 0x96000000 | fsc, 1, "data abort (same EL), synchronous external abort",
               DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_KERNEL);
    expect(a, E, 0x96000011, 1, "data abort (same EL), other fault status",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_KERNEL);
    /* From a lower EL into EL2 may be EL0 or EL1: the ESR does not say. */
    expect(a, E, 0x92000007, 2, "data abort from a lower EL, translation fault level 3",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_UNKNOWN);
    expect(a, E, 0x9200003f, 1, "data abort from a lower EL, other fault status",
           DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_USER);
    expect(a, E, 0xf2000000, 1, "BRK", DISCON_CLASS_BREAKPOINT, DISCON_LEVEL_UNKNOWN);
    expect(a, E, 0xbe000000, 1, "SError", DISCON_CLASS_OTHER, DISCON_LEVEL_UNKNOWN);
    expect(a, E, 0x5e000000, 3, "SMC64", DISCON_CLASS_FIRMWARE_CALL, DISCON_LEVEL_UNKNOWN);
    expect(a, E, (UINT64_C(0x3b) << 26), 1, "unknown exception class", DISCON_CLASS_OTHER,
           DISCON_LEVEL_UNKNOWN);
    /* An interrupt leaves ESR as the last exception set it: the type decides. */
    expect(a, DISCON_INTERRUPT, 0x56000000, 1, "IRQ or FIQ", DISCON_CLASS_EXTERNAL,
           DISCON_LEVEL_UNKNOWN);
    expect(a, DISCON_HOSTCALL, 0x56000000, 1, "host call", DISCON_CLASS_FIRMWARE_CALL,
           DISCON_LEVEL_UNKNOWN);
}

static void test_riscv64(void)
{
    const enum discon_arch r = DISCON_ARCH_RISCV64;
    const unsigned E = DISCON_EXCEPTION, I = DISCON_INTERRUPT;
    expect(r, E, 8, 1, "environment call from U-mode", DISCON_CLASS_SYSCALL, DISCON_LEVEL_USER);
    expect(r, E, 9, 3, "environment call from S-mode", DISCON_CLASS_FIRMWARE_CALL,
           DISCON_LEVEL_KERNEL);
    expect(r, E, 11, 3, "environment call from M-mode", DISCON_CLASS_FIRMWARE_CALL,
           DISCON_LEVEL_FIRMWARE);
    expect(r, E, 12, 1, "instruction page fault", DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_UNKNOWN);
    expect(r, E, 13, 1, "load page fault", DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_UNKNOWN);
    expect(r, E, 15, 1, "store/AMO page fault", DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_UNKNOWN);
    expect(r, E, 2, 1, "illegal instruction", DISCON_CLASS_UNDEFINED, DISCON_LEVEL_UNKNOWN);
    expect(r, E, 14, 1, "unknown exception cause", DISCON_CLASS_OTHER, DISCON_LEVEL_UNKNOWN);
    expect(r, E, 1000, 1, "unknown exception cause", DISCON_CLASS_OTHER, DISCON_LEVEL_UNKNOWN);
    expect(r, I, 1 | IRQ, 1, "supervisor software interrupt", DISCON_CLASS_IPI,
           DISCON_LEVEL_UNKNOWN);
    expect(r, I, 5 | IRQ, 1, "supervisor timer interrupt", DISCON_CLASS_TIMER,
           DISCON_LEVEL_UNKNOWN);
    expect(r, I, 9 | IRQ, 1, "supervisor external interrupt", DISCON_CLASS_EXTERNAL,
           DISCON_LEVEL_UNKNOWN);
    expect(r, I, 7 | IRQ, 3, "machine timer interrupt", DISCON_CLASS_TIMER, DISCON_LEVEL_UNKNOWN);
    expect(r, I, 8 | IRQ, 1, "unknown interrupt cause", DISCON_CLASS_OTHER, DISCON_LEVEL_UNKNOWN);
    /* Bit 63 decides, whatever the type says. */
    expect(r, E, 5 | IRQ, 1, "supervisor timer interrupt", DISCON_CLASS_TIMER,
           DISCON_LEVEL_UNKNOWN);
}

static void test_x86_64(void)
{
    static const char *const vectors[22] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
        "coprocessor segment overrun", "#TS", "#NP", "#SS", "#GP", "#PF",
        "reserved exception vector", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
    for (unsigned v = 0; v < 22; v++) {
        const struct discon_kind *k = discon_trap_kind(DISCON_ARCH_X86_64, DISCON_EXCEPTION, v,
                                                       0, NULL);
        CHECK(strcmp(k->name, vectors[v]) == 0);
    }
    const enum discon_arch x = DISCON_ARCH_X86_64;
    expect(x, DISCON_EXCEPTION, 14, 0, "#PF", DISCON_CLASS_MEMORY_FAULT, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_EXCEPTION, 0, 0, "#DE", DISCON_CLASS_ARITHMETIC, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_EXCEPTION, 17, 0, "#AC", DISCON_CLASS_ALIGNMENT, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_EXCEPTION, 25, 0, "reserved exception vector", DISCON_CLASS_OTHER,
           DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, 0xec, 0, "local APIC timer", DISCON_CLASS_TIMER,
           DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, 0xfd, 0, "reschedule IPI", DISCON_CLASS_IPI, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, 0x31, 0, "external interrupt", DISCON_CLASS_EXTERNAL,
           DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, DISCON_X86_VECTOR_EXTERNAL, 0, "external interrupt",
           DISCON_CLASS_EXTERNAL, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, 0x101, 0, "unknown vector", DISCON_CLASS_OTHER,
           DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, UINT64_MAX, 0, "unknown vector", DISCON_CLASS_OTHER,
           DISCON_LEVEL_UNKNOWN);
    /* Fast system calls: SYSCALL-type events, named by their instruction
     * (cause 0 syscall, 1 sysenter), never by a vector; no vector (0x102,
     * 0x103 are past them) decodes to them. */
    expect(x, DISCON_SYSCALL, 0, 0, "SYSCALL", DISCON_CLASS_SYSCALL, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_SYSCALL, 1, 0, "SYSENTER", DISCON_CLASS_SYSCALL, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_SYSCALL, 2, 0, "unknown vector", DISCON_CLASS_OTHER, DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_EXCEPTION, 0x102, 0, "unknown vector", DISCON_CLASS_OTHER,
           DISCON_LEVEL_UNKNOWN);
    expect(x, DISCON_INTERRUPT, 0x103, 0, "unknown vector", DISCON_CLASS_OTHER,
           DISCON_LEVEL_UNKNOWN);

    static const struct { const char *sym; int vector; } handlers[] = {
        {"asm_exc_page_fault", 14}, {"asm_exc_general_protection", 13},
        {"asm_exc_invalid_op", 6}, {"asm_exc_int3", 3}, {"asm_exc_debug", 1},
        {"asm_exc_divide_error", 0}, {"asm_exc_double_fault", 8},
        {"asm_exc_alignment_check", 17}, {"asm_exc_machine_check", 18}, {"asm_exc_nmi", 2},
        {"asm_sysvec_apic_timer_interrupt", 0xec}, {"asm_sysvec_reschedule_ipi", 0xfd},
        {"asm_sysvec_call_function", 0xfc}, {"asm_sysvec_call_function_single", 0xfb},
        {"asm_common_interrupt", DISCON_X86_VECTOR_EXTERNAL},
        {"xen_asm_exc_page_fault", 14}, {"asm_exc_page_fault+0x0", -1},
        {"page_fault", -1}, {"", -1}, {NULL, -1}};
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        CHECK_EQ(discon_x86_vector_by_handler_symbol(handlers[i].sym) + 1, handlers[i].vector + 1);
    const struct discon_kind *ipi = discon_trap_kind(
        x, DISCON_INTERRUPT,
        (uint64_t)discon_x86_vector_by_handler_symbol("asm_sysvec_call_function_single"), 0, NULL);
    CHECK_EQ(ipi->trap_class, DISCON_CLASS_IPI);
}

static void test_arch_and_names(void)
{
    CHECK_EQ(discon_arch_from_target("aarch64"), DISCON_ARCH_AARCH64);
    CHECK_EQ(discon_arch_from_target("riscv64"), DISCON_ARCH_RISCV64);
    CHECK_EQ(discon_arch_from_target("x86_64"), DISCON_ARCH_X86_64);
    CHECK_EQ(discon_arch_from_target("i386"), DISCON_ARCH_UNKNOWN);
    CHECK_EQ(discon_arch_from_target("aarch64 "), DISCON_ARCH_UNKNOWN);
    CHECK_EQ(discon_arch_from_target(NULL), DISCON_ARCH_UNKNOWN);
    CHECK(strcmp(discon_arch_name((enum discon_arch)42), "unknown") == 0);
    CHECK(strcmp(discon_trap_class_name(DISCON_CLASS_SYSCALL), "system call") == 0);
    CHECK(strcmp(discon_trap_class_name((enum discon_trap_class)-1), "other") == 0);
    CHECK(strcmp(discon_level_name(DISCON_LEVEL_FIRMWARE), "firmware") == 0);
    CHECK(strcmp(discon_level_name(DISCON_LEVEL_COUNT), "unknown") == 0);
    for (int c = 0; c < DISCON_CLASS_COUNT; c++)
        for (int d = 0; d < c; d++)
            CHECK(strcmp(discon_trap_class_name(c), discon_trap_class_name(d)) != 0);
    const struct discon_kind *u = discon_trap_kind(DISCON_ARCH_UNKNOWN, DISCON_EXCEPTION, 8, 1, NULL);
    CHECK(u && u->id == 0 && strcmp(u->name, "unknown") == 0);
    CHECK(discon_trap_kind((enum discon_arch)42, DISCON_EXCEPTION, 8, 1, NULL) == u);
}

static void test_syscalls(void)
{
    static const struct { enum discon_arch arch; uint64_t nr; const char *name; } calls[] = {
        {DISCON_ARCH_AARCH64, 172, "getpid"}, {DISCON_ARCH_AARCH64, 173, "getppid"},
        {DISCON_ARCH_AARCH64, 63, "read"}, {DISCON_ARCH_AARCH64, 64, "write"},
        {DISCON_ARCH_AARCH64, 93, "exit"}, {DISCON_ARCH_RISCV64, 172, "getpid"},
        {DISCON_ARCH_RISCV64, 173, "getppid"}, {DISCON_ARCH_RISCV64, 63, "read"},
        {DISCON_ARCH_RISCV64, 64, "write"}, {DISCON_ARCH_RISCV64, 93, "exit"},
        {DISCON_ARCH_X86_64, 39, "getpid"}, {DISCON_ARCH_X86_64, 110, "getppid"},
        {DISCON_ARCH_X86_64, 0, "read"}, {DISCON_ARCH_X86_64, 1, "write"},
        /* The __ARCH_WANT_* and __BITS_PER_LONG choices of each asm/unistd.h:
         * arm64 wants renameat, riscv64 does not; both are 64-bit
         * (newfstatat, not fstatat64); riscv64 adds its own call. */
        {DISCON_ARCH_AARCH64, 38, "renameat"}, {DISCON_ARCH_RISCV64, 38, NULL},
        {DISCON_ARCH_AARCH64, 79, "newfstatat"}, {DISCON_ARCH_RISCV64, 79, "newfstatat"},
        {DISCON_ARCH_RISCV64, 259, "riscv_flush_icache"}, {DISCON_ARCH_AARCH64, 259, NULL},
        {DISCON_ARCH_AARCH64, 5000, NULL}, {DISCON_ARCH_RISCV64, UINT64_MAX, NULL},
        {DISCON_ARCH_X86_64, 100000, NULL}, {DISCON_ARCH_UNKNOWN, 39, NULL},
        {(enum discon_arch)42, 39, NULL}};
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const char *got = discon_syscall_name(calls[i].arch, calls[i].nr);
        if (calls[i].name ? !got || strcmp(got, calls[i].name) != 0 : got != NULL) {
            fprintf(stderr, "%s syscall %llu: got %s, want %s\n", discon_arch_name(calls[i].arch),
                    (unsigned long long)calls[i].nr, got ? got : "NULL",
                    calls[i].name ? calls[i].name : "NULL");
            check_failures++;
        }
    }
}

/* Every kind is a line "id|arch|class|name" of the golden file, and every
 * line a kind; ids and names are each unique. */
static void test_golden(const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[256], want[256];
    size_t lines = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        unsigned id = (unsigned)strtoul(line, NULL, 10);
        const struct discon_kind *k = discon_kind_by_id(id);
        snprintf(want, sizeof want, "%u|%s|%s|%s", id, k ? discon_arch_name(k->arch) : "-",
                 k ? discon_trap_class_name(k->trap_class) : "-", k ? k->name : "-");
        if (strcmp(line, want) != 0) {
            fprintf(stderr, "%s: line \"%s\", library \"%s\"\n", path, line, want);
            check_failures++;
        }
        lines++;
    }
    fclose(f);
    size_t n = discon_kind_count();
    CHECK_EQ(lines, n);
    CHECK(discon_kind_at(n) == NULL);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            CHECK(discon_kind_at(i)->id != discon_kind_at(j)->id);
            CHECK(strcmp(discon_kind_at(i)->name, discon_kind_at(j)->name) != 0);
        }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_kinds tests/data/kinds.txt\n");
        return 2;
    }
    test_aarch64();
    test_riscv64();
    test_x86_64();
    test_arch_and_names();
    test_syscalls();
    test_golden(argv[1]);
    CHECK_DONE();
}
