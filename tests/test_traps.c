/* The trap derivation rules, event pattern by event pattern. */
#include "check.h"
#include "discon_traps.h"

#define INT DISCON_INTERRUPT
#define EXC DISCON_EXCEPTION
#define HOST DISCON_HOSTCALL

static struct discon_trap got[64];
static int ngot;

static int collect(void *ctx, const struct discon_trap *t)
{
    (void)ctx;
    got[ngot++] = *t;
    return 0;
}

static struct discon_event ev(uint32_t vcpu, uint64_t seq, uint8_t type, uint64_t from, uint64_t to)
{
    return (struct discon_event){.vcpu = vcpu, .seq = seq, .type = type, .from_pc = from,
                                 .to_pc = to, .time_ns = 1000 * seq};
}

static void expect(int i, uint32_t vcpu, uint64_t seq, uint8_t type, uint64_t from, uint64_t to,
                   uint8_t events)
{
    CHECK(i < ngot);
    CHECK_EQ(got[i].vcpu, vcpu);
    CHECK_EQ(got[i].seq, seq);
    CHECK_EQ(got[i].type, type);
    CHECK_EQ(got[i].from_pc, from);
    CHECK_EQ(got[i].to_pc, to);
    CHECK_EQ(got[i].events, events);
    CHECK_EQ(got[i].time_ns, 1000 * seq);
}

static struct discon_trap_deriver start(const char *target)
{
    struct discon_trap_deriver d;
    ngot = 0;
    discon_traps_init(&d, discon_trap_rule_for(target), collect, NULL);
    return d;
}

int main(void)
{
    const uint64_t A = 0xffffffff81000010u, B = 0x401000, C = 0x402000;
    const uint64_t PF = 0xffffffff81e00e40u, TIMER = 0xffffffff81e01000u;

    CHECK_EQ(discon_trap_rule_for("x86_64"), DISCON_RULE_X86_EXCEPTION_PAIRS);
    CHECK_EQ(discon_trap_rule_for("i386"), DISCON_RULE_X86_EXCEPTION_PAIRS);
    CHECK_EQ(discon_trap_rule_for("aarch64"), DISCON_RULE_ONE_EVENT_ONE_TRAP);
    CHECK_EQ(discon_trap_rule_for("no-such-arch"), DISCON_RULE_ONE_EVENT_ONE_TRAP);
    CHECK_EQ(discon_trap_rule_for(NULL), DISCON_RULE_ONE_EVENT_ONE_TRAP);

    /* x86: exception + its delivery = one exception trap to the handler;
     * a real interrupt stays an interrupt. */
    struct discon_trap_deriver d = start("x86_64");
    struct discon_event a[] = {
        ev(0, 0, EXC, A, A), ev(0, 1, INT, A, PF), ev(0, 2, INT, B, TIMER),
        ev(0, 3, EXC, B, B), ev(0, 4, INT, B, PF),
    };
    CHECK_EQ(discon_traps_feed(&d, a, 5), 0);
    CHECK_EQ(discon_traps_finish(&d), 0);
    CHECK_EQ(ngot, 3);
    expect(0, 0, 0, EXC, A, PF, 2);
    expect(1, 0, 2, INT, B, TIMER, 1);
    expect(2, 0, 3, EXC, B, PF, 2);
    discon_traps_free(&d);

    /* A pair split across two reader batches still pairs. */
    d = start("x86_64");
    CHECK_EQ(discon_traps_feed(&d, a, 1), 0);
    CHECK_EQ(ngot, 0);
    CHECK_EQ(discon_traps_feed(&d, a + 1, 1), 0);
    CHECK_EQ(ngot, 1);
    expect(0, 0, 0, EXC, A, PF, 2);
    discon_traps_free(&d);

    /* The delivery names the precise PC where the first report named the
     * start of the translation block: the trap takes the delivery's. */
    d = start("x86_64");
    struct discon_event tb[] = {ev(0, 0, EXC, B, B), ev(0, 1, INT, B + 0x1d, PF)};
    CHECK_EQ(discon_traps_feed(&d, tb, 2), 0);
    CHECK_EQ(ngot, 1);
    expect(0, 0, 0, EXC, B + 0x1d, PF, 2);
    discon_traps_free(&d);

    /* Not a delivery: another exception, a gap in sequence numbers, or the
     * end of the trace. The exception stays alone. */
    d = start("x86_64");
    struct discon_event b[] = {
        ev(0, 2, EXC, A, A), ev(0, 3, EXC, C, C),       /* another exception */
        ev(0, 5, INT, C, PF),                           /* seq gap: events lost */
        ev(0, 6, EXC, B, B),                            /* trace ends */
    };
    CHECK_EQ(discon_traps_feed(&d, b, 4), 0);
    CHECK_EQ(discon_traps_finish(&d), 0);
    CHECK_EQ(ngot, 4);
    expect(0, 0, 2, EXC, A, A, 1);
    expect(1, 0, 3, EXC, C, C, 1);
    expect(2, 0, 5, INT, C, PF, 1);
    expect(3, 0, 6, EXC, B, B, 1);
    discon_traps_free(&d);

    /* A loss between the two reports breaks the pair. */
    d = start("x86_64");
    CHECK_EQ(discon_traps_feed(&d, a, 1), 0);
    CHECK_EQ(discon_traps_break(&d, 0), 0);
    CHECK_EQ(ngot, 1);
    expect(0, 0, 0, EXC, A, A, 1);
    discon_traps_free(&d);

    /* vCPUs pair independently, interleaved. */
    d = start("x86_64");
    struct discon_event c[] = {ev(0, 0, EXC, A, A), ev(1, 0, EXC, B, B), ev(1, 1, INT, B, PF),
                               ev(0, 1, INT, A, PF)};
    for (int i = 0; i < 4; i++)
        CHECK_EQ(discon_traps_feed(&d, &c[i], 1), 0);
    CHECK_EQ(discon_traps_finish(&d), 0);
    CHECK_EQ(ngot, 2);
    expect(0, 1, 0, EXC, B, PF, 2);
    expect(1, 0, 0, EXC, A, PF, 2);
    discon_traps_free(&d);

    /* Other architectures: every event is a trap, whatever its PCs. */
    d = start("aarch64");
    CHECK_EQ(discon_traps_feed(&d, a, 5), 0);
    struct discon_event h = ev(0, 5, HOST, C, C + 4);
    CHECK_EQ(discon_traps_feed(&d, &h, 1), 0);
    CHECK_EQ(discon_traps_finish(&d), 0);
    CHECK_EQ(ngot, 6);
    expect(0, 0, 0, EXC, A, A, 1);
    expect(1, 0, 1, INT, A, PF, 1);
    expect(5, 0, 5, HOST, C, C + 4, 1);
    discon_traps_free(&d);
    CHECK_DONE();
}
