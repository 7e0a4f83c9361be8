/*
 * Deterministic crash-resume tests of discond's drain engine. For each
 * crash point of consumer/drain.h a forked child drains a real segment and
 * dies (_exit) exactly there, as a kill would leave it: nothing finished,
 * nothing released after the point, and for the mid-frame case half a frame
 * on disk. A fresh drain then resumes in the same directory on the same
 * segment, the producer goes on (with drops, loss markers and drops after
 * the last marker), and the whole trace is read back with the one reader:
 * every record exactly once, in order, with the right sequence numbers,
 * the losses where they were, and one complete End record.
 */
#define _GNU_SOURCE
#include "check.h"
#include "drain.h"
#include "segment_fixture.h"
#include "trace_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAP 1024u
#define VCPUS 2u
#define CRASHED 42

struct producer {
    struct discon_producer p[VCPUS];
    uint64_t produced[VCPUS]; /* events offered, dropped ones included */
};

/* Event i of vCPU v is recognisable from its fields alone. */
static void produce(struct producer *pr, uint32_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        uint64_t i = pr->produced[v]++;
        struct discon_record r = {
            .time_ns = 1000 + i, .from_pc = (uint64_t)v << 32 | i, .to_pc = 0x1000 + i % 7,
            .type = i % 3 ? DISCON_EXCEPTION : DISCON_INTERRUPT,
        };
        discon_produce(&pr->p[v], &r);
    }
}

/* Take the rings over from wherever their head is (after the child). */
static void producer_sync(struct producer *pr, struct fixture *f)
{
    for (uint32_t v = 0; v < VCPUS; v++) {
        uint64_t dropped = pr->p[v].dropped;
        discon_producer_init(&pr->p[v], fixture_ctl(f, v), CAP, DISCON_MODE_DROP, 0, v);
        pr->produced[v] = pr->p[v].head + dropped;
    }
}

struct crash {
    enum discon_drain_point at;
    int nth;         /* die at the nth time the point is reached */
    int seen;
    bool tear;       /* leave half of the frame just written */
    off_t size_before;
};

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void crash_hook(void *ctx, enum discon_drain_point point, const struct discon_drain *d)
{
    struct crash *c = ctx;
    if (point == DISCON_DRAIN_BEFORE_WRITE)
        c->size_before = file_size(discon_drain_path(d));
    if (point != c->at || ++c->seen < c->nth)
        return;
    if (c->tear) {
        off_t after = file_size(discon_drain_path(d));
        if (after <= c->size_before + 1 ||
            truncate(discon_drain_path(d), c->size_before + (after - c->size_before) / 2) != 0)
            _exit(3); /* nothing to tear: the test is wrong */
    }
    _exit(CRASHED);
}

static struct discon_drain *open_drain(struct fixture *f, const char *dir, bool rotate,
                                       struct crash *c)
{
    struct discon_drain_config cfg = {
        .dir = dir, .flush_ns = 0 /* a frame every pass */, .rotate_size = rotate ? 1 : 0,
        .crash_hook = c ? crash_hook : NULL, .crash_ctx = c,
    };
    char err[512];
    struct discon_drain *d = discon_drain_open(&f->seg, &cfg, err, sizeof err);
    if (!d)
        fprintf(stderr, "drain open: %s\n", err);
    return d;
}

static void drain_all(struct discon_drain *d)
{
    char err[512];
    long n;
    do {
        n = discon_drain_pass(d, err, sizeof err);
        if (n < 0)
            fprintf(stderr, "drain pass: %s\n", err);
        CHECK(n >= 0);
    } while (n > 0);
}

/* The first discond: two frames' worth of passes, killed at the point. */
static void child_drain(struct fixture *f, struct producer *pr, const char *dir, bool rotate,
                        struct crash *c)
{
    struct discon_drain *d = open_drain(f, dir, rotate, c);
    char err[512];
    if (!d || discon_drain_pass(d, err, sizeof err) < 0)
        _exit(2);
    produce(pr, 0, 50);
    produce(pr, 1, 80);
    discon_drain_pass(d, err, sizeof err);
    _exit(1); /* the point was never reached */
}

struct readback {
    uint64_t next[VCPUS], lost[VCPUS];
    const Discon__End *end_seen;
    int ends, finished;
    uint64_t end_produced[VCPUS], end_dropped[VCPUS], end_written[VCPUS];
    unsigned bad, damaged, gaps;
};

static int rb_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct readback *rb = ctx;
    for (size_t i = 0; i < n; i++) {
        const struct discon_event *e = &ev[i];
        uint64_t want = rb->next[e->vcpu]++;
        if (e->vcpu >= VCPUS || e->seq != want || e->from_pc != ((uint64_t)e->vcpu << 32 | want) ||
            e->time_ns != 1000 + want || e->to_pc != 0x1000 + want % 7) {
            if (rb->bad++ < 3)
                fprintf(stderr, "  vCPU %u: event seq %llu (pc %llx), expected seq %llu\n",
                        e->vcpu, (unsigned long long)e->seq, (unsigned long long)e->from_pc,
                        (unsigned long long)want);
            rb->next[e->vcpu] = e->seq + 1;
        }
    }
    return 0;
}

static int rb_loss(void *ctx, const Discon__Loss *l)
{
    struct readback *rb = ctx;
    if (l->vcpu >= VCPUS || l->first_seq != rb->next[l->vcpu]) {
        rb->bad++;
        return 0;
    }
    rb->next[l->vcpu] += l->count;
    rb->lost[l->vcpu] += l->count;
    return 0;
}

static int rb_end(void *ctx, const Discon__End *e)
{
    struct readback *rb = ctx;
    rb->ends++;
    rb->finished = e->producer_finished;
    for (size_t i = 0; i < e->n_vcpu; i++) {
        uint32_t v = e->vcpu[i]->vcpu;
        if (v < VCPUS) {
            rb->end_produced[v] = e->vcpu[i]->produced;
            rb->end_dropped[v] = e->vcpu[i]->dropped;
            rb->end_written[v] = e->vcpu[i]->written;
        }
    }
    return 0;
}

static void rb_damage(void *ctx, const struct discon_damage *d)
{
    ((struct readback *)ctx)->damaged++;
    fprintf(stderr, "  damage: %s at %llu: %s\n", d->path, (unsigned long long)d->offset, d->what);
}

static void rb_gap(void *ctx, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    ((struct readback *)ctx)->gaps++;
    fprintf(stderr, "  gap: vCPU %u expected %llu got %llu\n", vcpu,
            (unsigned long long)expected, (unsigned long long)got);
}

static void check_trace(const char *dir, const struct producer *pr)
{
    struct readback rb = {0};
    struct discon_reader_ops ops = {
        .ctx = &rb, .events = rb_events, .loss = rb_loss, .end = rb_end,
        .damage = rb_damage, .gap = rb_gap,
    };
    struct discon_read_stats st = {0};
    char err[512], *paths[] = {(char *)dir};
    CHECK_EQ(discon_read_paths(paths, 1, &ops, &st, err, sizeof err), DISCON_READ_INTACT);
    CHECK_EQ(rb.bad, 0);
    CHECK_EQ(rb.damaged, 0);
    CHECK_EQ(rb.gaps, 0);
    CHECK_EQ(rb.ends, 1);
    CHECK(rb.finished);
    for (uint32_t v = 0; v < VCPUS; v++) {
        CHECK_EQ(rb.next[v], pr->produced[v]);
        CHECK_EQ(rb.lost[v], pr->p[v].dropped);
        CHECK_EQ(rb.end_produced[v], pr->produced[v]);
        CHECK_EQ(rb.end_dropped[v], pr->p[v].dropped);
        CHECK_EQ(rb.end_written[v], pr->produced[v] - pr->p[v].dropped);
    }
}

/* After the crash: the producer goes on (drops, a loss marker, drops after
 * the last marker), a fresh drain resumes and finishes the trace. */
static void resume_and_finish(struct fixture *f, struct producer *pr, const char *dir)
{
    char err[512];
    discon_segment_detach(&f->seg); /* the next discond attaches anew */
    CHECK_EQ(discon_segment_attach(&f->seg, f->name, err, sizeof err), DISCON_ATTACH_OK);
    producer_sync(pr, f);
    produce(pr, 0, CAP + 100); /* the ring fills: drops, counted */
    produce(pr, 1, 10);
    struct discon_drain *d = open_drain(f, dir, false, NULL);
    CHECK(d != NULL);
    if (!d)
        return;
    drain_all(d);
    produce(pr, 0, 20); /* after a loss marker */
    produce(pr, 1, CAP + 5); /* drops no marker will report */
    drain_all(d);
    atomic_store_explicit(&f->hdr->state, DISCON_STATE_FINISHED, memory_order_release);
    drain_all(d);
    if (discon_drain_finish(d, true, err, sizeof err) != 0) {
        fprintf(stderr, "finish: %s\n", err);
        CHECK(0);
    }
    discon_drain_free(d);
    CHECK(pr->p[0].dropped > 0 && pr->p[1].dropped == 5);
}

/* Stray copies of every file beside the trace ("X.discon.orig", as an
 * editor or a careful user leaves them): resume must neither continue nor
 * count them (one name rule, trace_names.h), and readers skip them. */
static void leave_stray_copies(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "for f in %s/*.discon; do cp \"$f\" \"$f.orig\"; done", dir);
    CHECK(system(cmd) == 0);
}

static void crash_case(const char *tag, enum discon_drain_point at, bool tear, bool rotate,
                       bool stray)
{
    fprintf(stderr, "case %s\n", tag);
    struct fixture f;
    fixture_open(&f, tag, CAP, VCPUS, DISCON_MODE_DROP, 0);
    char dir[] = "/tmp/discon-resume.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    struct producer pr = {0};
    producer_sync(&pr, &f);
    produce(&pr, 0, 100);
    produce(&pr, 1, 37);
    struct crash c = {.at = at, .nth = 2, .tear = tear};
    fflush(NULL);
    pid_t child = fork();
    if (child == 0)
        child_drain(&f, &pr, dir, rotate, &c);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == CRASHED);
    if (stray)
        leave_stray_copies(dir);
    resume_and_finish(&f, &pr, dir);
    check_trace(dir, &pr);
    fixture_close(&f);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    crash_case("before-write", DISCON_DRAIN_BEFORE_WRITE, false, false, false);
    crash_case("after-write", DISCON_DRAIN_AFTER_WRITE, false, false, false);
    crash_case("mid-frame", DISCON_DRAIN_AFTER_WRITE, true, false, false);
    crash_case("after-release", DISCON_DRAIN_AFTER_RELEASE, false, false, false);
    crash_case("stray-copy", DISCON_DRAIN_AFTER_RELEASE, false, false, true);
    crash_case("after-rotate", DISCON_DRAIN_AFTER_ROTATE, false, true, false);
    CHECK_DONE();
}
