/* discon-report's fault-loop and double-trap rules (tools/discon-report/
 * collect.c), fed synthetic events with causes through the report's own
 * entry points, and its kind and system-call tables (kinds.c). */
#include "check.h"
#include "report.h"

#include <stdlib.h>

#define INT DISCON_INTERRUPT
#define EXC DISCON_EXCEPTION

/* aarch64 ESR_EL1 values (Arm ARM D24.2.41): EC in [31:26], IL at 25. */
#define ESR_UDF (UINT64_C(0x00) << 26 | 1u << 25)
#define ESR_SVC64 (UINT64_C(0x15) << 26 | 1u << 25)
#define ESR_DABT_SAME_EL (UINT64_C(0x25) << 26 | 1u << 25 | 0x07) /* level 3 translation */
/* riscv scause/mcause: bit 63 for interrupts. */
#define RV_LOAD_PAGE_FAULT 13
#define RV_M_SOFTWARE_IRQ (UINT64_C(1) << 63 | 3)
#define RV_S_TIMER_IRQ (UINT64_C(1) << 63 | 5)

static struct report *start(const char *target)
{
    struct report_opts o = report_default_opts();
    struct report *r = calloc(1, sizeof *r);
    report_init(r, &o);
    Discon__Header h = DISCON__HEADER__INIT;
    h.target = (char *)target;
    h.vcpu_count = 2;
    CHECK_EQ(report_header(r, &h), 0);
    return r;
}

static uint64_t seq[2], now = 1000;

/* One event on vcpu; causes as the plugin records them. */
static void feed(struct report *r, uint32_t vcpu, uint8_t type, uint64_t from, uint64_t to,
                 uint64_t cause, uint8_t has, uint8_t to_level, uint64_t far)
{
    struct discon_event e = {.seq = seq[vcpu]++, .time_ns = now += 1000, .from_pc = from,
                             .to_pc = to, .cause = cause, .fault_addr = far, .vcpu = vcpu,
                             .type = type, .to_level = to_level, .has = has | DISCON_HAS_TO_LEVEL};
    if (type == EXC && cause == ESR_SVC64 && (has & DISCON_HAS_CAUSE)) {
        e.syscall = 173; /* getppid on arm64 */
        e.has |= DISCON_HAS_SYSCALL;
    }
    CHECK_EQ(report_events(r, &e, 1), 0);
}

static void finish(struct report *r)
{
    CHECK_EQ(report_finish(r), 0);
    CHECK_EQ(report_name_traps(r), 0);
}

static void stop(struct report *r)
{
    report_free(r);
    free(r);
}

enum { PC = 0x40080054, VEC = 0x40080800, C = DISCON_HAS_CAUSE, F = DISCON_HAS_FAULT_ADDR };

/* A udf faulting 3000 times under a timer every 7th trap, then a
 * different exception, then 99 more (below the threshold): one loop of
 * exactly 3000, of the undefined-instruction class. */
static void loop_with_timer(void)
{
    struct report *r = start("aarch64");
    for (int i = 0; i < 3000; i++) {
        if (i % 7 == 3)
            feed(r, 0, INT, PC, VEC + 0x280, 0, 0, 1, 0); /* the tick, at the same udf */
        feed(r, 0, EXC, PC, VEC + 0x200, ESR_UDF, C, 1, 0);
    }
    feed(r, 1, EXC, PC, VEC + 0x200, ESR_UDF, C, 1, 0); /* another vCPU: its own run */
    feed(r, 0, EXC, PC + 8, VEC + 0x200, ESR_DABT_SAME_EL, C | F, 1, 0x1000);
    for (int i = 0; i < 99; i++)
        feed(r, 0, EXC, PC, VEC + 0x200, ESR_UDF, C, 1, 0);
    finish(r);
    CHECK_EQ(r->loops_total, 1);
    CHECK_EQ(r->loops[0].count, 3000);
    CHECK_EQ(r->loops[0].from_pc, PC);
    CHECK_EQ(r->loops[0].to_pc, VEC + 0x200);
    CHECK(r->loops[0].kind && r->loops[0].kind->trap_class == DISCON_CLASS_UNDEFINED);
    CHECK_EQ(r->doubles_total, 0);
    stop(r);
}

/* 500 system calls from one PC: never a loop, all counted by number. */
static void syscall_loop(void)
{
    struct report *r = start("aarch64");
    for (int i = 0; i < 500; i++)
        feed(r, 0, EXC, 0x400100, VEC + 0x400, ESR_SVC64, C, 1, 0);
    finish(r);
    CHECK_EQ(r->loops_total, 0);
    size_t *idx = pc_counts_sorted(&r->syscalls, 0);
    CHECK(idx && idx[0] != SIZE_MAX && idx[1] == SIZE_MAX);
    if (idx && idx[0] != SIZE_MAX) {
        CHECK_EQ(r->syscalls.pc[idx[0]], 173);
        CHECK_EQ(r->syscalls.count[idx[0]], 500);
    }
    free(idx);
    idx = pc_counts_sorted(&r->kinds, 0);
    CHECK(idx && idx[0] != SIZE_MAX && idx[1] == SIZE_MAX);
    if (idx && idx[0] != SIZE_MAX) {
        const struct discon_kind *k = discon_kind_by_id((unsigned)r->kinds.pc[idx[0]]);
        CHECK(k && k->trap_class == DISCON_CLASS_SYSCALL);
        CHECK_EQ(r->kinds.count[idx[0]], 500);
    }
    free(idx);
    stop(r);
}

/* Data aborts from one PC: a new fault address each time is progress (a
 * memcpy touching page after page), the same one is a loop. */
static void fault_addresses(void)
{
    struct report *r = start("aarch64");
    for (int i = 0; i < 300; i++)
        feed(r, 0, EXC, PC, VEC + 0x200, ESR_DABT_SAME_EL, C | F, 1, 0x1000 * (uint64_t)i);
    finish(r);
    CHECK_EQ(r->loops_total, 0);
    stop(r);
    r = start("aarch64");
    for (int i = 0; i < 300; i++)
        feed(r, 0, EXC, PC, VEC + 0x200, ESR_DABT_SAME_EL, C | F, 1, 0xdead000);
    finish(r);
    CHECK_EQ(r->loops_total, 1);
    CHECK_EQ(r->loops[0].count, 300);
    stop(r);
}

/* riscv64: a load page fault taken to S; inside its handler, an IPI taken
 * by the firmware at M and a timer interrupt at S are no double traps; an
 * exception at S is; an exception at M (the firmware's own) is not. */
static void riscv_doubles(void)
{
    enum { USER = 0x10000, HANDLER = 0xffffffff80001000ull, MTVEC = 0x80000400 };
    struct report *r = start("riscv64");
    feed(r, 0, EXC, USER, HANDLER, RV_LOAD_PAGE_FAULT, C | F, 1, 0x2000);
    feed(r, 0, INT, HANDLER + 4, MTVEC, RV_M_SOFTWARE_IRQ, C, 3, 0);
    feed(r, 0, EXC, USER, HANDLER, RV_LOAD_PAGE_FAULT, C | F, 1, 0x3000);
    feed(r, 0, INT, HANDLER + 4, HANDLER, RV_S_TIMER_IRQ, C, 1, 0);
    feed(r, 0, EXC, USER, HANDLER, RV_LOAD_PAGE_FAULT, C | F, 1, 0x4000);
    feed(r, 0, EXC, HANDLER + 8, MTVEC, RV_LOAD_PAGE_FAULT, C | F, 3, 0x5000);
    finish(r);
    CHECK_EQ(r->doubles_total, 0);
    feed(r, 0, EXC, USER, HANDLER, RV_LOAD_PAGE_FAULT, C | F, 1, 0x6000);
    feed(r, 0, EXC, HANDLER + 12, HANDLER, RV_LOAD_PAGE_FAULT, C | F, 1, 0x7000);
    CHECK_EQ(r->doubles_total, 1);
    CHECK_EQ(r->doubles[0].second.from_pc, HANDLER + 12);
    stop(r);
    /* The interrupt numbers: riscv's interrupt codes, by kind. */
    r = start("riscv64");
    feed(r, 0, INT, USER, HANDLER, RV_S_TIMER_IRQ, C, 1, 0);
    feed(r, 1, INT, USER, MTVEC, RV_M_SOFTWARE_IRQ, C, 3, 0);
    feed(r, 1, INT, USER, MTVEC, RV_M_SOFTWARE_IRQ, C, 3, 0);
    finish(r);
    size_t *idx = pc_counts_sorted(&r->interrupts, 0);
    CHECK(idx && idx[0] != SIZE_MAX && idx[1] != SIZE_MAX && idx[2] == SIZE_MAX);
    if (idx && idx[0] != SIZE_MAX && idx[1] != SIZE_MAX) {
        CHECK_EQ(r->interrupts.pc[idx[0]], 3);
        CHECK_EQ(r->interrupts.count[idx[0]], 2);
        CHECK_EQ(r->interrupts.pc[idx[1]], 5);
        const struct discon_kind *k = discon_kind_by_id(r->interrupts.type[idx[1]] - 1);
        CHECK(k && k->trap_class == DISCON_CLASS_TIMER);
    }
    free(idx);
    stop(r);
}

int main(void)
{
    loop_with_timer();
    syscall_loop();
    fault_addresses();
    riscv_doubles();
    if (check_failures)
        fprintf(stderr, "%d check(s) failed\n", check_failures);
    else
        printf("ok: fault-loop and double-trap rules, kinds, system calls, interrupts\n");
    return check_failures ? 1 : 0;
}
