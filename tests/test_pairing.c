/* Pairing traps with their returns (schema/discon_traps.h), rule by rule:
 * nesting, unmatched returns, traps never returned, losses inside a
 * handler, x86 exception pairs and SYSCALL traps closed by their returns,
 * host calls that never open. */
#include "check.h"
#include "discon_traps.h"
#include "discon_types.h"

#include <string.h>

#define INT DISCON_INTERRUPT
#define EXC DISCON_EXCEPTION
#define RET DISCON_RETURN
#define SYS DISCON_SYSCALL
#define HOST DISCON_HOSTCALL

static struct discon_trap taken[32], ended[32];
static struct discon_event unmatched[8];
static size_t ntaken, nended, nunmatched, chain_at_take[32];

static int on_take(void *ctx, const struct discon_trap *t)
{
    size_t n;
    discon_traps_open(ctx, t->vcpu, &n);
    chain_at_take[ntaken] = n;
    taken[ntaken++] = *t;
    return 0;
}

static int on_end(void *ctx, const struct discon_trap *t)
{
    (void)ctx;
    ended[nended++] = *t;
    return 0;
}

static int on_unmatched(void *ctx, const struct discon_event *e)
{
    (void)ctx;
    unmatched[nunmatched++] = *e;
    return 0;
}

static struct discon_event ev(uint32_t vcpu, uint64_t seq, uint8_t type, uint64_t from, uint64_t to)
{
    return (struct discon_event){.vcpu = vcpu, .seq = seq, .type = type, .from_pc = from,
                                 .to_pc = to, .time_ns = 1000 * seq};
}

static void start(struct discon_trap_deriver *d, const char *target)
{
    ntaken = nended = nunmatched = 0;
    discon_traps_init(d, discon_trap_rule_for(target), on_take, d);
    discon_traps_pair(d, on_end, on_unmatched);
}

static void feed(struct discon_trap_deriver *d, const struct discon_event *e, size_t n)
{
    for (size_t i = 0; i < n; i++) /* one at a time: what the report does */
        CHECK_EQ(discon_traps_feed(d, &e[i], 1), 0);
}

/* svc; inside it an IRQ, returned; a data abort, returned; the svc returns. */
static void nesting(void)
{
    struct discon_trap_deriver d;
    start(&d, "aarch64");
    const struct discon_event e[] = {
        ev(0, 0, EXC, 0x400, 0x800), ev(0, 1, INT, 0x810, 0xa80), ev(0, 2, RET, 0xa90, 0x814),
        ev(0, 3, EXC, 0x820, 0x800), ev(0, 4, RET, 0x8f0, 0x820), ev(0, 5, RET, 0x8f0, 0x404),
    };
    feed(&d, e, 6);
    CHECK_EQ(ntaken, 3);
    CHECK_EQ(taken[0].depth, 1);
    CHECK_EQ(taken[0].pairing, DISCON_TRAP_PAIRED);
    CHECK_EQ(taken[1].depth, 2);
    CHECK_EQ(taken[1].pairing, DISCON_TRAP_PAIRED | DISCON_TRAP_HAS_PARENT);
    CHECK_EQ(taken[1].parent_seq, 0);
    CHECK_EQ(chain_at_take[1], 1);
    CHECK_EQ(taken[2].depth, 2);
    CHECK_EQ(taken[2].parent_seq, 0);
    CHECK_EQ(nended, 3);
    CHECK_EQ(ended[0].seq, 1); /* innermost first */
    CHECK_EQ(ended[0].end, DISCON_TRAP_RETURNED);
    CHECK_EQ(ended[0].return_ns, 2000);
    CHECK_EQ(ended[0].return_seq, 2);
    CHECK_EQ(ended[0].return_pc, 0xa90);
    CHECK_EQ(ended[0].return_to_pc, 0x814);
    CHECK_EQ(ended[1].seq, 3);
    CHECK_EQ(ended[2].seq, 0);
    CHECK_EQ(ended[2].return_ns, 5000);
    CHECK_EQ(discon_traps_finish(&d), 0);
    CHECK_EQ(nended, 3);
    CHECK_EQ(nunmatched, 0);
    discon_traps_free(&d);
}

/* A return with nothing open; a trap still open at the end; vCPUs apart. */
static void unmatched_and_open(void)
{
    struct discon_trap_deriver d;
    start(&d, "riscv64");
    const struct discon_event e[] = {
        ev(0, 0, RET, 0x10, 0x20), ev(1, 0, EXC, 0x30, 0x40), ev(0, 1, EXC, 0x50, 0x60),
        ev(0, 2, RET, 0x70, 0x54),
    };
    feed(&d, e, 4);
    CHECK_EQ(nunmatched, 1);
    CHECK_EQ(unmatched[0].seq, 0);
    CHECK_EQ(taken[1].depth, 1); /* vCPU 1's trap does not nest vCPU 0's */
    CHECK_EQ(nended, 1);
    CHECK_EQ(ended[0].vcpu, 0);
    size_t n;
    const struct discon_trap *open = discon_traps_open(&d, 1, &n);
    CHECK_EQ(n, 1);
    CHECK(open && open[0].seq == 0);
    CHECK_EQ(discon_traps_finish(&d), 0);
    CHECK_EQ(nended, 2);
    CHECK_EQ(ended[1].vcpu, 1);
    CHECK_EQ(ended[1].end, DISCON_TRAP_AT_END);
    CHECK_EQ(ended[1].return_ns, 0);
    discon_traps_free(&d);
}

/* A loss inside a handler ends it as LOST; the return after it is unmatched. */
static void loss_in_handler(void)
{
    struct discon_trap_deriver d;
    start(&d, "aarch64");
    const struct discon_event a[] = {ev(0, 0, EXC, 0x10, 0x800), ev(0, 1, INT, 0x810, 0xa80)};
    feed(&d, a, 2);
    CHECK_EQ(discon_traps_break(&d, 0), 0);
    CHECK_EQ(nended, 2);
    CHECK_EQ(ended[0].seq, 1);
    CHECK_EQ(ended[0].end, DISCON_TRAP_LOST);
    CHECK_EQ(ended[1].end, DISCON_TRAP_LOST);
    const struct discon_event b[] = {ev(0, 9, RET, 0x8f0, 0x14), ev(0, 10, EXC, 0x20, 0x800)};
    feed(&d, b, 2);
    CHECK_EQ(nunmatched, 1);
    CHECK_EQ(taken[2].depth, 1); /* depths count from the loss */
    discon_traps_free(&d);
}

/* x86: an exception pair is one trap, closed by iretq; a SYSCALL is one
 * trap, closed by sysret; an IRET to its next instruction (sync_core) inside
 * the system call closes nothing; an exception whose delivery never came is
 * flushed before the return that closes it. */
static void x86(void)
{
    struct discon_trap_deriver d;
    start(&d, "x86_64");
    const struct discon_event e[] = {
        ev(0, 0, SYS, 0x401000, 0xffffffff81000000u), ev(0, 1, EXC, 0xffffffff81000100u, 0xffffffff81000100u),
        ev(0, 2, INT, 0xffffffff81000104u, 0xffffffff81e00e40u), ev(0, 3, RET, 0xffffffff81e00f00u, 0xffffffff81000104u),
        ev(0, 4, RET, 0xffffffff81000180u, 0xffffffff81000182u), /* iretq to itself */
        ev(0, 5, RET, 0xffffffff81000200u, 0x401002), ev(0, 6, EXC, 0x401010, 0x401010),
        ev(0, 7, RET, 0xffffffff81e00f00u, 0x401010),
    };
    feed(&d, e, 8);
    CHECK_EQ(d.returns_to_self, 1);
    CHECK_EQ(ntaken, 3);
    CHECK_EQ(taken[0].type, SYS);
    CHECK_EQ(taken[1].events, 2);
    CHECK_EQ(taken[1].depth, 2);
    CHECK_EQ(taken[1].parent_seq, 0);
    CHECK_EQ(nended, 3);
    CHECK_EQ(ended[0].seq, 1);
    CHECK_EQ(ended[0].return_seq, 3);
    CHECK_EQ(ended[1].seq, 0);
    CHECK_EQ(ended[1].return_seq, 5);
    CHECK_EQ(taken[2].seq, 6); /* flushed by the return, then closed by it */
    CHECK_EQ(ended[2].seq, 6);
    CHECK_EQ(ended[2].end, DISCON_TRAP_RETURNED);
    CHECK_EQ(nunmatched, 0);
    discon_traps_free(&d);
}

/* Host calls never open; without pairing nothing is paired and returns
 * are no traps; the stack is bounded. */
static void hostcall_unpaired_bound(void)
{
    struct discon_trap_deriver d;
    start(&d, "aarch64");
    const struct discon_event e[] = {ev(0, 0, EXC, 0x10, 0x800), ev(0, 1, HOST, 0x820, 0x820),
                                     ev(0, 2, RET, 0x8f0, 0x14)};
    feed(&d, e, 3);
    CHECK_EQ(taken[1].depth, 2);
    CHECK_EQ(nended, 1);
    CHECK_EQ(ended[0].seq, 0);
    discon_traps_free(&d);

    ntaken = nended = 0;
    discon_traps_init(&d, DISCON_RULE_ONE_EVENT_ONE_TRAP, on_take, &d);
    feed(&d, e, 3);
    CHECK_EQ(ntaken, 2);
    CHECK_EQ(taken[1].pairing, 0);
    CHECK_EQ(nended, 0);
    discon_traps_free(&d);

    start(&d, "aarch64");
    size_t n = 0;
    for (uint64_t s = 0; s <= DISCON_TRAPS_MAX_DEPTH; s++) {
        struct discon_event x = ev(0, s, EXC, 0x10, 0x800);
        ntaken = 0;
        CHECK_EQ(discon_traps_feed(&d, &x, 1), 0);
    }
    discon_traps_open(&d, 0, &n);
    CHECK_EQ(n, DISCON_TRAPS_MAX_DEPTH);
    CHECK_EQ(nended, 1);
    CHECK_EQ(ended[0].seq, 0);
    CHECK_EQ(ended[0].end, DISCON_TRAP_TOO_DEEP);
    discon_traps_free(&d);
}

static void header_rule(void)
{
    Discon__Header h = DISCON__HEADER__INIT;
    CHECK(!discon_trace_has_returns(&h));
    h.types = DISCON_TYPES_ALL;
    CHECK(discon_trace_has_returns(&h));
    h.plugin_options = "types=all,returns=off";
    CHECK(!discon_trace_has_returns(&h));
    h.plugin_options = "";
    h.types = DISCON_EXCEPTION | DISCON_INTERRUPT;
    CHECK(!discon_trace_has_returns(&h));
    CHECK(strcmp(discon_trap_end_name(DISCON_TRAP_AT_END), "open at the end") == 0);
    CHECK(discon_trap_end_name(99) == NULL);
}

int main(void)
{
    nesting();
    unmatched_and_open();
    loss_in_handler();
    x86();
    hostcall_unpaired_bound();
    header_rule();
    CHECK_DONE();
}
