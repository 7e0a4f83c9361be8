/* discon-report's exact nesting (tools/discon-report/nesting.c) and its
 * handler-time histogram (handler_time.c), fed synthetic events of a
 * trace that recorded returns through the report's own entry points. */
#include "check.h"
#include "report.h"

#include <stdlib.h>

#define INT DISCON_INTERRUPT
#define EXC DISCON_EXCEPTION
#define RET DISCON_RETURN

static uint64_t seq, now;

static struct report *start(const char *target)
{
    seq = 0;
    struct report_opts o = report_default_opts();
    struct report *r = calloc(1, sizeof *r);
    report_init(r, &o);
    Discon__Header h = DISCON__HEADER__INIT;
    h.target = (char *)target;
    h.vcpu_count = 1;
    h.types = DISCON_TYPES_ALL;
    CHECK_EQ(report_header(r, &h), 0);
    CHECK(r->nest.paired);
    return r;
}

static void feed_from(struct report *r, uint8_t type, uint64_t from, uint64_t to,
                      uint8_t to_level)
{
    now += 1000;
    struct discon_event e = {.seq = seq, .time_ns = now, .from_pc = from,
                             .to_pc = to, .type = type, .to_level = to_level,
                             .has = DISCON_HAS_TO_LEVEL};
    seq++;
    CHECK_EQ(report_events(r, &e, 1), 0);
}

static void feed(struct report *r, uint8_t type, uint64_t to, uint8_t to_level)
{
    feed_from(r, type, 0x1000 + seq, to, to_level);
}

static void done(struct report *r)
{
    CHECK_EQ(report_finish(r), 0);
    CHECK_EQ(report_name_traps(r), 0);
}

/* riscv: an S handler open; an M interrupt inside it is nested, not
 * double; an M exception (more privileged than the open S handler) is not
 * double; an S exception from deep in the handler (a page fault in
 * copy_from_user) is nested, not double; one from the handler's entry is
 * double; host calls never open. */
static void riscv_levels(void)
{
    struct report *r = start("riscv64");
    feed(r, EXC, 0x80200000, 1); /* S: ecall from U */
    feed(r, INT, 0x80000000, 3); /* M: IPI in the firmware */
    feed(r, RET, 0x80200010, 1);
    feed(r, EXC, 0x80000000, 3); /* M: the firmware's own exception */
    feed(r, RET, 0x80200014, 1);
    CHECK_EQ(r->nest.doubles_total, 0);
    feed_from(r, EXC, 0x80234560, 0x80200000, 1); /* S: a fault deep in the handler */
    CHECK_EQ(r->nest.doubles_total, 0);
    feed(r, RET, 0x80234560, 1);
    feed_from(r, EXC, 0x80200008, 0x80200000, 1); /* S: a fault at the handler's entry */
    CHECK_EQ(r->nest.doubles_total, 1);
    CHECK_EQ(r->nest.doubles[0].nopen, 1);
    CHECK_EQ(r->nest.doubles[0].open[0].seq, 0);
    feed(r, DISCON_HOSTCALL, 0x80200100, 1);
    feed(r, RET, 0x80200020, 1);   /* closes the page fault, not the host call */
    feed(r, RET, 0x80200030, 0);   /* closes the ecall */
    feed(r, RET, 0x80200040, 0);   /* unmatched */
    done(r);
    CHECK_EQ(r->nest.nested, 5); /* the IRQ, the three exceptions, the host call */
    CHECK_EQ(r->nest.nested_interrupts, 1);
    CHECK_EQ(r->nest.max_depth, 3); /* the host call, inside the fault inside the ecall */
    CHECK_EQ(r->nest.returns, 5);
    CHECK_EQ(r->nest.unmatched, 1);
    CHECK_EQ(r->nest.open_total, 0);
    report_free(r);
    free(r);
}

/* x86: a CPL counts down. A handler open at CPL 3 (as a hand-made trace
 * may say) is less privileged than an exception to CPL 0: not double. */
static void x86_levels(void)
{
    struct report *r = start("x86_64");
    feed(r, INT, 0x401000, 3);
    feed(r, EXC, 0xffffffff81e01280u, 0);
    CHECK_EQ(r->nest.doubles_total, 0);
    feed_from(r, EXC, 0xffffffff81e01290u, 0xffffffff81e01280u, 0); /* in its entry */
    CHECK_EQ(r->nest.doubles_total, 1);
    CHECK_EQ(r->nest.doubles[0].nopen, 2);
    done(r);
    CHECK_EQ(r->nest.open_total, 1);
    CHECK_EQ(r->nest.nopen, 1);
    CHECK_EQ(r->nest.open_at_end[0].trap.seq, 2);
    CHECK_EQ(r->nest.open_at_end[0].nopen, 2);
    CHECK_EQ(r->nest.by_end[DISCON_TRAP_AT_END], 3);
    report_free(r);
    free(r);
}

/* The histogram: a bucket's lower bound is at most 1/32 below any value
 * in it; buckets grow with values; ranks at the ends are exact. */
static void histogram(void)
{
    unsigned last = 0;
    for (uint64_t v = 1; v < (UINT64_C(1) << 62); v += v / 7 + 1) {
        unsigned b = report_time_bucket(v);
        uint64_t low = report_time_bucket_low(b);
        CHECK(b < REPORT_TIME_BUCKETS);
        CHECK(b >= last);
        CHECK(low <= v && v - low <= v / 32);
        last = b;
    }
    CHECK_EQ(report_time_bucket(UINT64_MAX), REPORT_TIME_BUCKETS - 1);
    static uint32_t hist[REPORT_TIME_BUCKETS];
    for (uint64_t v = 1; v <= 1000; v++)
        hist[report_time_bucket(v)]++;
    uint64_t p50 = report_time_percentile(hist, 1000, 50, 1, 1000);
    CHECK(p50 <= 500 && p50 >= 500 - 500 / 32);
    CHECK_EQ(report_time_percentile(hist, 1000, 100, 1, 1000), 1000);
    CHECK_EQ(report_time_percentile(hist, 1000, 0, 1, 1000), 1);
}

int main(void)
{
    riscv_levels();
    x86_levels();
    histogram();
    CHECK_DONE();
}
