/*
 * Test helper: small traces with the shapes real recordings rarely have.
 *   make_edge_traces DIR
 * DIR/pair/       an x86 exception in file 0 whose delivery is in file 1
 * DIR/edge.discon a vCPU numbered 0xffffffff, and an event timed before the
 *                 trace's clock reference
 * DIR/loss.discon vCPU 0: events 0-1, a loss of 5 (seq 2-6), events 7-8
 * DIR/causes.discon one batch of aarch64 events with cause fields: none,
 *                 each alone, all of them, the values 0 and 2^64 - 1, and
 *                 fault addresses that go down as well as up
 * DIR/returns-a64.discon, DIR/returns-x86.discon, DIR/retsplit/: traces
 *                 with returns, every pairing rule (edge_returns.c)
 * DIR/hostile.discon escape sequences in the target and host names, a
 *                 vCPU's clock going back, and events of vCPU 5000
 */
#include "edge_traces.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct discon_writer *edge_start_as(const char *path, uint32_t index, uint64_t clock_ns,
                                    const char *target, uint32_t types, const char *id16)
{
    uint8_t id[16];
    memcpy(id, id16, sizeof id);
    char err[256];
    struct discon_writer *w = discon_writer_create(path, err, sizeof err);
    if (!w) {
        fprintf(stderr, "make_edge_traces: %s\n", err);
        exit(1);
    }
    Discon__ClockReference clock = DISCON__CLOCK_REFERENCE__INIT;
    clock.monotonic_ns = clock_ns;
    clock.realtime_ns = 1700000000000000000u;
    Discon__Header h = DISCON__HEADER__INIT;
    h.format_version = DISCON_FORMAT_VERSION;
    h.trace_id = (ProtobufCBinaryData){16, id};
    h.file_index = index;
    h.target = (char *)target;
    h.types = types;
    h.vcpu_count = 2;
    h.clock = &clock;
    discon_writer_header(w, &h, err, sizeof err);
    return w;
}

static struct discon_writer *start(const char *path, uint32_t index, uint64_t clock_ns)
{
    return edge_start_as(path, index, clock_ns, "x86_64", 0, "edge-trace-0001");
}

static void events(struct discon_writer *w, uint32_t vcpu, uint64_t seq, uint64_t time,
                   uint8_t type, uint64_t from, uint64_t to)
{
    char err[256];
    struct discon_event e = {.seq = seq, .time_ns = time, .from_pc = from, .to_pc = to,
                             .vcpu = vcpu, .type = type};
    discon_writer_events(w, &e, 1, 0, err, sizeof err);
}

void edge_finish_lost(struct discon_writer *w, uint32_t vcpu, uint64_t n, uint64_t lost)
{
    char err[256];
    Discon__VcpuTotals t = DISCON__VCPU_TOTALS__INIT, *tp = &t;
    t.vcpu = vcpu;
    t.produced = n + lost;
    t.dropped = lost;
    t.written = n;
    Discon__End e = DISCON__END__INIT;
    e.n_vcpu = 1;
    e.vcpu = &tp;
    e.producer_finished = 1;
    discon_writer_end(w, &e, err, sizeof err);
    discon_writer_close(w, true, err, sizeof err);
}

static void finish(struct discon_writer *w, uint32_t vcpu, uint64_t n)
{
    edge_finish_lost(w, vcpu, n, 0);
}

/* Two events, a loss record for the 5 dropped after them, two more: what
 * drop mode writes (the loss precedes the first event after the drops). */
static void loss_trace(const char *path, uint64_t t0, uint64_t pc, uint64_t handler)
{
    struct discon_writer *w = start(path, 0, t0);
    char err[256];
    Discon__Loss l = DISCON__LOSS__INIT;
    l.first_seq = 2;
    l.count = 5;
    l.first_time_ns = t0 + 250;
    l.last_time_ns = t0 + 650;
    for (uint64_t seq = 0; seq < 9; seq = seq == 1 ? 7 : seq + 1) {
        if (seq == 7)
            discon_writer_loss(w, &l, err, sizeof err);
        events(w, 0, seq, t0 + 100 * (seq + 1), DISCON_INTERRUPT, pc, handler);
    }
    edge_finish_lost(w, 0, 4, 5);
}

static void causes_trace(const char *path, uint64_t t0)
{
    struct discon_writer *w = start(path, 0, t0);
    enum { C = DISCON_HAS_CAUSE, F = DISCON_HAS_FAULT_ADDR, S = DISCON_HAS_SYSCALL,
           TL = DISCON_HAS_TO_LEVEL, FL = DISCON_HAS_FROM_LEVEL };
    static const struct discon_event shapes[] = {
        {.type = DISCON_EXCEPTION, .has = C | S | TL, .cause = 0x56000000, .syscall = 0, .to_level = 1},
        {.type = DISCON_INTERRUPT, .has = TL, .to_level = 1},
        {.type = DISCON_EXCEPTION, .has = C | F | TL | FL, .cause = 0x96000045,
         .fault_addr = 0xffff800012345678u, .to_level = 1, .from_level = 1},
        {.type = DISCON_HOSTCALL},
        {.type = DISCON_EXCEPTION, .has = C | F | TL | FL, .cause = 0x92000007,
         .fault_addr = 0x400000, .to_level = 1, .from_level = 0},
        {.type = DISCON_EXCEPTION, .has = C | S | TL, .cause = 0x56000000, .syscall = 172,
         .to_level = 1},
        {.type = DISCON_EXCEPTION, .has = C, .cause = UINT64_MAX},
        {.type = DISCON_EXCEPTION, .has = F, .fault_addr = 0},
        {.type = DISCON_EXCEPTION, .has = S, .syscall = UINT64_MAX},
        {.type = DISCON_EXCEPTION, .has = FL, .from_level = 3},
    };
    enum { N = sizeof shapes / sizeof *shapes };
    struct discon_event ev[N];
    for (size_t i = 0; i < N; i++) {
        ev[i] = shapes[i];
        ev[i].seq = i;
        ev[i].time_ns = t0 + 100 * (i + 1);
        ev[i].from_pc = 0x40080000 + 4 * i;
        ev[i].to_pc = 0x40080a00;
    }
    char err[256];
    discon_writer_events(w, ev, N, 0, err, sizeof err);
    finish(w, 0, N);
}

/* What a reader must not trust quietly: control bytes in the header's
 * names (ESC ] 0 retitles a terminal, ESC [ 2 J clears it), an event
 * earlier than the one before it on vCPU 0, and a vCPU beyond the
 * report's 4096. */
static void hostile_trace(const char *path, uint64_t t0)
{
    char err[256];
    struct discon_writer *w = discon_writer_create(path, err, sizeof err);
    if (!w) {
        fprintf(stderr, "make_edge_traces: %s\n", err);
        exit(1);
    }
    uint8_t id[16] = "hostile-trace-01";
    Discon__ClockReference clock = DISCON__CLOCK_REFERENCE__INIT;
    clock.monotonic_ns = t0;
    Discon__Header h = DISCON__HEADER__INIT;
    h.format_version = DISCON_FORMAT_VERSION;
    h.trace_id = (ProtobufCBinaryData){16, id};
    h.target = "aarch64\x1b]0;pwned\x07";
    h.host_name = "h\x1b[2Jost\xc2\x9b";
    h.vcpu_count = 1;
    h.clock = &clock;
    discon_writer_header(w, &h, err, sizeof err);
    events(w, 0, 0, t0 + 300, DISCON_EXCEPTION, 0x1000, 0x2000);
    events(w, 0, 1, t0 + 100, DISCON_EXCEPTION, 0x1004, 0x2000); /* back in time */
    events(w, 5000, 0, t0 + 400, DISCON_EXCEPTION, 0x1008, 0x2000);
    discon_writer_close(w, true, err, sizeof err);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_edge_traces DIR\n");
        return 2;
    }
    char path[4096];
    const uint64_t A = 0x401000, PF = 0xffffffff81e01280u, T0 = 1000000000u;
    snprintf(path, sizeof path, "%s/pair", argv[1]);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/pair/trace-edge-000000.discon", argv[1]);
    struct discon_writer *w = start(path, 0, T0);
    events(w, 0, 0, T0 + 100, DISCON_EXCEPTION, A, A);
    char err[256];
    discon_writer_close(w, true, err, sizeof err);
    snprintf(path, sizeof path, "%s/pair/trace-edge-000001.discon", argv[1]);
    w = start(path, 1, T0);
    events(w, 0, 1, T0 + 200, DISCON_INTERRUPT, A + 4, PF);
    finish(w, 0, 2);

    snprintf(path, sizeof path, "%s/edge.discon", argv[1]);
    w = start(path, 0, 5 * T0);
    events(w, 0xffffffffu, 0, 5 * T0 + 10, DISCON_EXCEPTION, A, A);
    events(w, 0xffffffffu, 1, 5 * T0 + 20, DISCON_INTERRUPT, A, PF);
    events(w, 1, 0, 4 * T0, DISCON_INTERRUPT, A, PF); /* before the clock reference */
    finish(w, 1, 1);

    snprintf(path, sizeof path, "%s/loss.discon", argv[1]);
    loss_trace(path, T0, A, PF);

    snprintf(path, sizeof path, "%s/hostile.discon", argv[1]);
    hostile_trace(path, T0);

    snprintf(path, sizeof path, "%s/causes.discon", argv[1]);
    causes_trace(path, T0);
    edge_returns(argv[1], T0);
    return 0;
}
