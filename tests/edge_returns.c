/*
 * make_edge_traces: traces that recorded returns (types include RETURN),
 * one shape per pairing rule of schema/discon_traps.h. Times are ns after
 * the clock reference t0; the expected results are in
 * tests/tools/returns.sh.
 *
 * returns-a64.discon, aarch64 (levels recorded: EL1 handlers):
 *  vCPU 0  seq 0  1000 svc from EL0            -> el0 vector     depth 1
 *          seq 1  2000 IRQ inside the svc       (nested, NOT double) depth 2
 *          seq 2  2500 eret: closes the IRQ (500 ns)
 *          seq 3  3000 data abort at EL1 in the svc handler's entry: double, depth 2
 *          seq 4  3400 eret: closes the abort (400 ns)
 *          seq 5  5000 eret: closes the svc (4000 ns)
 *          seq 6  6000 eret with nothing open: unmatched
 *          seq 7  7000 svc, seq 8 7500 IRQ inside it: open at the end
 *  vCPU 1  seq 0  1000 svc, seq 1 1500 IRQ inside it
 *          loss of seq 2-4: both end as "events lost"
 *          seq 5  3000 eret: unmatched (its trap was before the loss)
 *          seq 6  3100 svc, seq 7 3300 eret: returned (200 ns)
 * returns-x86.discon, x86_64 (no levels on the exception):
 *          seq 0  1000 SYSCALL getppid (110)   -> entry_SYSCALL_64
 *          seq 1  1200 #PF report, seq 2 1201 its delivery: one trap, in the
 *                      syscall's entry: double (levels not recorded), depth 2
 *          seq 3  1500 iretq: closes the #PF (300 ns)
 *          seq 4  2000 sysretq: closes the SYSCALL (1000 ns)
 * retsplit/: aarch64, an svc in file 0 whose eret is in file 1.
 * retback.discon, aarch64: an svc at 1000 whose eret is stamped 800 (the
 *          clock went back): returned after -200 ns, said, never 2^64.
 * retwrap.discon, x86_64: PCs and seqs across 2^63 (see wrap() below).
 * retgap/: aarch64, file 0: svc (seq 0), IRQ in it (1); file 1: erets at
 *          seq 5 and 6, after events 2-4 went missing (no loss record):
 *          both traps end by lost events, both erets are unmatched.
 * retstart.discon, aarch64: vCPU 0's events start at seq 2 (svc, eret),
 *          the end record agreeing: incomplete all the same (a gap).
 * retgaps.discon, aarch64: vCPU 0 svc 0, eret 1, svc 3, eret 4, svc 7,
 *          eret 8 (2 and 5-6 missing, no loss record): two sequence gaps
 *          on one vCPU, counted as two (discon_complete.h) on files and
 *          database alike.
 */
#include "edge_traces.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { TL = DISCON_HAS_TO_LEVEL, FL = DISCON_HAS_FROM_LEVEL, C = DISCON_HAS_CAUSE };

#define EL0_VEC 0xffff800010000400u
#define EL1_SYNC 0xffff800010000200u
#define EL1_IRQ 0xffff800010000280u
#define K 0xffff800010001000u /* kernel text */

static void put(struct discon_writer *w, struct discon_event e)
{
    char err[256];
    if (discon_writer_events(w, &e, 1, 0, err, sizeof err) != 0) {
        fprintf(stderr, "make_edge_traces: %s\n", err);
        exit(1);
    }
}

static struct discon_event svc(uint32_t vcpu, uint64_t seq, uint64_t t, uint64_t pc)
{
    return (struct discon_event){.vcpu = vcpu, .seq = seq, .time_ns = t, .type = DISCON_EXCEPTION,
                                 .from_pc = pc, .to_pc = EL0_VEC, .cause = 0x56000000,
                                 .to_level = 1, .from_level = 0, .has = C | TL | FL};
}

static struct discon_event irq(uint32_t vcpu, uint64_t seq, uint64_t t, uint64_t pc)
{
    return (struct discon_event){.vcpu = vcpu, .seq = seq, .time_ns = t, .type = DISCON_INTERRUPT,
                                 .from_pc = pc, .to_pc = EL1_IRQ, .to_level = 1, .from_level = 1,
                                 .has = TL | FL};
}

static struct discon_event eret(uint32_t vcpu, uint64_t seq, uint64_t t, uint64_t to, uint8_t lv)
{
    return (struct discon_event){.vcpu = vcpu, .seq = seq, .time_ns = t, .type = DISCON_RETURN,
                                 .from_pc = K + 0x800, .to_pc = to, .to_level = lv,
                                 .from_level = 1, .has = TL | FL};
}

/* The end record of two vCPUs: written per vCPU, lost on vCPU 1. */
static void end2(struct discon_writer *w, uint64_t n0, uint64_t n1, uint64_t lost1)
{
    char err[256];
    Discon__VcpuTotals a = DISCON__VCPU_TOTALS__INIT, b = DISCON__VCPU_TOTALS__INIT;
    Discon__VcpuTotals *v[2] = {&a, &b};
    a.vcpu = 0, a.produced = n0, a.written = n0;
    b.vcpu = 1, b.produced = n1 + lost1, b.dropped = lost1, b.written = n1;
    Discon__End e = DISCON__END__INIT;
    e.n_vcpu = 2;
    e.vcpu = v;
    e.producer_finished = 1;
    discon_writer_end(w, &e, err, sizeof err);
    discon_writer_close(w, true, err, sizeof err);
}

static void a64(const char *path, uint64_t t0)
{
    struct discon_writer *w = edge_start_as(path, 0, t0, "aarch64", DISCON_TYPES_ALL,
                                            "edge-returns-a64");
    put(w, svc(0, 0, t0 + 1000, 0x400000));
    put(w, irq(0, 1, t0 + 2000, K));
    put(w, eret(0, 2, t0 + 2500, K, 1));
    struct discon_event abort = {.vcpu = 0, .seq = 3, .time_ns = t0 + 3000,
                                 .type = DISCON_EXCEPTION, .from_pc = EL0_VEC + 0x10, .to_pc = EL1_SYNC,
                                 .cause = 0x96000045, .fault_addr = 0xffff000012345000u,
                                 .to_level = 1, .from_level = 1,
                                 .has = C | TL | FL | DISCON_HAS_FAULT_ADDR};
    put(w, abort);
    put(w, eret(0, 4, t0 + 3400, EL0_VEC + 0x10, 1));
    put(w, eret(0, 5, t0 + 5000, 0x400004, 0));
    put(w, eret(0, 6, t0 + 6000, 0x400008, 0));
    put(w, svc(0, 7, t0 + 7000, 0x400010));
    put(w, irq(0, 8, t0 + 7500, K + 8));
    put(w, svc(1, 0, t0 + 1000, 0x500000));
    put(w, irq(1, 1, t0 + 1500, K + 12));
    char err[256];
    Discon__Loss l = DISCON__LOSS__INIT;
    l.vcpu = 1, l.first_seq = 2, l.count = 3, l.first_time_ns = t0 + 2000, l.last_time_ns = t0 + 2900;
    discon_writer_loss(w, &l, err, sizeof err);
    put(w, eret(1, 5, t0 + 3000, 0x500004, 0));
    put(w, svc(1, 6, t0 + 3100, 0x500010));
    put(w, eret(1, 7, t0 + 3300, 0x500014, 0));
    end2(w, 9, 5, 3);
}

static void x86(const char *path, uint64_t t0)
{
    struct discon_writer *w = edge_start_as(path, 0, t0, "x86_64", DISCON_TYPES_ALL,
                                            "edge-returns-x86");
    const uint64_t ENTRY = 0xffffffff81000000u, PF = 0xffffffff81e01280u;
    put(w, (struct discon_event){.seq = 0, .time_ns = t0 + 1000, .type = DISCON_SYSCALL,
                                 .from_pc = 0x401000, .to_pc = ENTRY, .cause = 0, .syscall = 110,
                                 .to_level = 0, .from_level = 3,
                                 .has = C | DISCON_HAS_SYSCALL | TL | FL});
    put(w, (struct discon_event){.seq = 1, .time_ns = t0 + 1200, .type = DISCON_EXCEPTION,
                                 .from_pc = ENTRY + 0x10, .to_pc = ENTRY + 0x10,
                                 .fault_addr = 0x7ffd000, .has = DISCON_HAS_FAULT_ADDR});
    put(w, (struct discon_event){.seq = 2, .time_ns = t0 + 1201, .type = DISCON_INTERRUPT,
                                 .from_pc = ENTRY + 0x14, .to_pc = PF});
    put(w, (struct discon_event){.seq = 3, .time_ns = t0 + 1500, .type = DISCON_RETURN,
                                 .from_pc = PF + 0x80, .to_pc = ENTRY + 0x14, .to_level = 0,
                                 .has = TL});
    put(w, (struct discon_event){.seq = 4, .time_ns = t0 + 2000, .type = DISCON_RETURN,
                                 .from_pc = ENTRY + 0x200, .to_pc = 0x401002, .to_level = 3,
                                 .has = TL});
    edge_finish_lost(w, 0, 5, 0);
}

/* An svc and an IRQ in it in file 0 of dir/NAME (trace-TAG-00000N),
 * id ID; in file 1 the erets of both after `missing` events that went
 * missing (no loss record: the end record counts them dropped). */
static void split(const char *dir, const char *name, const char *tag, const char *id,
                  uint64_t missing, uint64_t t0)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/trace-%s-000000.discon", dir, name, tag);
    struct discon_writer *w = edge_start_as(path, 0, t0, "aarch64", DISCON_TYPES_ALL, id);
    put(w, svc(0, 0, t0 + 1000, 0x400000));
    put(w, irq(0, 1, t0 + 1100, K));
    char err[256];
    discon_writer_close(w, true, err, sizeof err);
    snprintf(path, sizeof path, "%s/%s/trace-%s-000001.discon", dir, name, tag);
    w = edge_start_as(path, 1, t0, "aarch64", DISCON_TYPES_ALL, id);
    put(w, eret(0, 2 + missing, t0 + 1300, K, 1));
    put(w, eret(0, 3 + missing, t0 + 2000, 0x400004, 0));
    edge_finish_lost(w, 0, 4, missing);
}

/* One svc at 1000 ns with sequence number seq, its eret at ret_ns. */
static void one_svc(const char *path, const char *id, uint64_t seq, uint64_t ret_ns, uint64_t t0)
{
    struct discon_writer *w = edge_start_as(path, 0, t0, "aarch64", DISCON_TYPES_ALL, id);
    put(w, svc(0, seq, t0 + 1000, 0x400000));
    put(w, eret(0, seq + 1, t0 + ret_ns, 0x400004, 0));
    edge_finish_lost(w, 0, 2, 0);
}

/* Three svc/eret pairs on vCPU 0 from sequence numbers 0, 3 and 7: two
 * runs of events missing, no loss record; the end record counts them. */
static void two_gaps(const char *path, uint64_t t0)
{
    struct discon_writer *w = edge_start_as(path, 0, t0, "aarch64", DISCON_TYPES_ALL,
                                            "edge-returns-gps");
    const uint64_t first[] = {0, 3, 7};
    for (size_t i = 0; i < 3; i++) {
        put(w, svc(0, first[i], t0 + 1000 * (i + 1), 0x400000));
        put(w, eret(0, first[i] + 1, t0 + 1000 * (i + 1) + 500, 0x400004, 0));
    }
    edge_finish_lost(w, 0, 6, 3);
}

/* x86_64, values straddling 2^63, where a PC or seq stored as its signed
 * twin wraps (a sum in SQL would turn into a float: tools/db/schema.c):
 *  vCPU 0  seq 0 SYSCALL from 2^63-8, seq 1 sysret to 2^63+4 (closes it),
 *          seq 2 iret closing nothing, seq 3 iret from 2^63-4 to 2^63+2
 *  vCPU 1  seq 2^63-1 #PF report, seq 2^63 its delivery, 2^63+1 iret
 *  vCPU 2  seq 2^63-1 SYSCALL, 2^63 timer interrupt in it (parent
 *          2^63-1), 2^63+1 iret, 2^63+2 sysret */
static void wrap(const char *path, uint64_t t0)
{
    const uint64_t TOP = UINT64_C(1) << 63, ENTRY = 0xffffffff81000000u,
                   PF = 0xffffffff81e01280u, TIMER = 0xffffffff81e015f0u;
    struct discon_writer *w = edge_start_as(path, 0, t0, "x86_64", DISCON_TYPES_ALL,
                                            "edge-returns-wrp");
    struct discon_event sys = {.time_ns = t0 + 1000, .type = DISCON_SYSCALL, .from_pc = TOP - 8,
                               .to_pc = ENTRY, .syscall = 110, .to_level = 0, .from_level = 3,
                               .has = DISCON_HAS_SYSCALL | TL | FL};
    struct discon_event ret = {.type = DISCON_RETURN, .from_pc = ENTRY + 0x200, .to_level = 3,
                               .has = TL};
    put(w, sys);
    ret.seq = 1, ret.time_ns = t0 + 1100, ret.to_pc = TOP + 4;
    put(w, ret);
    ret.seq = 2, ret.time_ns = t0 + 1200, ret.to_pc = 0x400000;
    put(w, ret);
    ret.seq = 3, ret.time_ns = t0 + 1300, ret.from_pc = TOP - 4, ret.to_pc = TOP + 2;
    put(w, ret);
    put(w, (struct discon_event){.vcpu = 1, .seq = TOP - 1, .time_ns = t0 + 1000,
                                 .type = DISCON_EXCEPTION, .from_pc = 0x500000, .to_pc = 0x500000,
                                 .fault_addr = 0x7ffd000, .has = DISCON_HAS_FAULT_ADDR});
    put(w, (struct discon_event){.vcpu = 1, .seq = TOP, .time_ns = t0 + 1001,
                                 .type = DISCON_INTERRUPT, .from_pc = 0x500000, .to_pc = PF});
    ret = (struct discon_event){.vcpu = 1, .seq = TOP + 1, .time_ns = t0 + 1100,
                                .type = DISCON_RETURN, .from_pc = PF + 0x80, .to_pc = 0x500000};
    put(w, ret);
    sys.vcpu = 2, sys.seq = TOP - 1, sys.from_pc = 0x600000;
    put(w, sys);
    put(w, (struct discon_event){.vcpu = 2, .seq = TOP, .time_ns = t0 + 1050,
                                 .type = DISCON_INTERRUPT, .from_pc = ENTRY + 4, .to_pc = TIMER});
    ret = (struct discon_event){.vcpu = 2, .seq = TOP + 1, .time_ns = t0 + 1060,
                                .type = DISCON_RETURN, .from_pc = TIMER + 0x80, .to_pc = ENTRY + 4};
    put(w, ret);
    ret.seq = TOP + 2, ret.time_ns = t0 + 1100, ret.from_pc = ENTRY + 0x200, ret.to_pc = 0x600002;
    put(w, ret);
    char err[256];
    Discon__VcpuTotals a = DISCON__VCPU_TOTALS__INIT, b = DISCON__VCPU_TOTALS__INIT,
                       c = DISCON__VCPU_TOTALS__INIT;
    Discon__VcpuTotals *v[3] = {&a, &b, &c};
    a.vcpu = 0, a.produced = a.written = 4;
    b.vcpu = 1, b.produced = b.written = 3;
    c.vcpu = 2, c.produced = c.written = 4;
    Discon__End e = DISCON__END__INIT;
    e.n_vcpu = 3, e.vcpu = v, e.producer_finished = 1;
    discon_writer_end(w, &e, err, sizeof err);
    discon_writer_close(w, true, err, sizeof err);
}

void edge_returns(const char *dir, uint64_t t0)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/returns-a64.discon", dir);
    a64(path, t0);
    snprintf(path, sizeof path, "%s/returns-x86.discon", dir);
    x86(path, t0);
    split(dir, "retsplit", "ret", "edge-returns-spl", 0, t0);
    snprintf(path, sizeof path, "%s/retback.discon", dir);
    one_svc(path, "edge-returns-bck", 0, 800, t0);
    snprintf(path, sizeof path, "%s/retwrap.discon", dir);
    wrap(path, t0);
    split(dir, "retgap", "gap", "edge-returns-gap", 3, t0);
    snprintf(path, sizeof path, "%s/retstart.discon", dir);
    one_svc(path, "edge-returns-sta", 2, 1100, t0);
    snprintf(path, sizeof path, "%s/retgaps.discon", dir);
    two_gaps(path, t0);
}
