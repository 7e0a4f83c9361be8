/*
 * The trace file format: randomized round trip (bit-exact, PCs at and above
 * 2^63), then truncation and flipped bytes: every intact frame is recovered,
 * damage is reported at the damaged frame's offset, and the result says so.
 *   usage: test_trace_format [KEEP_FILE]   (KEEP_FILE: leave a sample trace)
 */
#define _GNU_SOURCE
#include "check.h"
#include "trace_reader.h"
#include "trace_writer.h"

#include <lz4frame.h>
#include <stdlib.h>
#include <unistd.h>

#define VCPUS 3
#define FRAMES 24

static uint64_t rng = 0x243f6a8885a308d3u;
static uint64_t next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

static const uint64_t interesting_pcs[] = {
    0, 1, 0x7fffffffffffffffu, 0x8000000000000000u, 0xffffffff81000000u,
    0xffffffff81e00e40u, 0xfffffffffffffffeu, UINT64_MAX,
};

/* Field by field: the struct has padding. */
static int same_events(const struct discon_event *a, const struct discon_event *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].seq != b[i].seq || a[i].time_ns != b[i].time_ns ||
            a[i].from_pc != b[i].from_pc || a[i].to_pc != b[i].to_pc ||
            a[i].vcpu != b[i].vcpu || a[i].type != b[i].type || a[i].has != b[i].has ||
            a[i].cause != b[i].cause || a[i].fault_addr != b[i].fault_addr ||
            a[i].syscall != b[i].syscall || a[i].to_level != b[i].to_level ||
            a[i].from_level != b[i].from_level)
            return 0;
    return 1;
}

static struct discon_event *events; /* everything written, in write order */
static size_t nevents;
static size_t frame_end_event[FRAMES + 1]; /* events written before frame k ends */
static uint64_t frame_offset[FRAMES + 1];  /* byte offset where frame k starts */

/* Cause fields: none at all in some stretches (empty columns), any subset
 * elsewhere, with the values 0 and UINT64_MAX that "none" must not be
 * confused with. Fields without their bit stay 0, as event.h says. */
static void random_causes(struct discon_event *e, uint64_t r)
{
    if (r % 3 == 0)
        return;
    uint64_t v = next_random();
    e->has = (uint8_t)(v & DISCON_HAS_ALL);
    if (e->has & DISCON_HAS_CAUSE)
        e->cause = v % 5 == 0 ? 0 : v % 5 == 1 ? UINT64_MAX : next_random() >> (v % 40);
    if (e->has & DISCON_HAS_FAULT_ADDR)
        e->fault_addr = interesting_pcs[(v >> 8) % 8] + ((v >> 16) & 0xfff);
    if (e->has & DISCON_HAS_SYSCALL)
        e->syscall = v % 4 == 0 ? 0 : (v >> 24) % 500;
    if (e->has & DISCON_HAS_TO_LEVEL)
        e->to_level = (uint8_t)((v >> 32) % 4);
    if (e->has & DISCON_HAS_FROM_LEVEL)
        e->from_level = (uint8_t)((v >> 40) % 4);
}

/* Times are either irregular (not even always monotonic) or those of a
 * regular loop with jitter, so both time encodings are exercised. */
static struct discon_event random_event(uint32_t vcpu, uint64_t seq, uint64_t *time, int regular)
{
    uint64_t r = next_random();
    if (regular)
        *time += 20000 + r % 300;
    else
        *time += r % 4 == 0 ? (uint64_t)-(int64_t)(r % 1000) : r % 100000;
    uint64_t from = r % 3 ? interesting_pcs[r % 8] + (r >> 40) : next_random();
    uint64_t to = r % 5 == 0 ? from : r % 5 == 1 ? next_random() : interesting_pcs[(r >> 8) % 8];
    struct discon_event e = {
        .seq = seq, .time_ns = *time, .from_pc = from, .to_pc = to, .vcpu = vcpu,
        .type = (uint8_t)discon_type_at((int)(r % DISCON_NTYPES)),
    };
    random_causes(&e, r);
    return e;
}

static void write_trace(const char *path)
{
    char err[256];
    unlink(path);
    struct discon_writer *w = discon_writer_create(path, err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        exit(1);
    uint8_t id[16] = "0123456789abcdef";
    Discon__Header h = DISCON__HEADER__INIT;
    h.format_version = DISCON_FORMAT_VERSION;
    h.trace_id = (ProtobufCBinaryData){sizeof id, id};
    h.target = "x86_64";
    h.vcpu_count = VCPUS;
    CHECK(discon_writer_header(w, &h, err, sizeof err) == 0);

    events = malloc(sizeof *events * 200000);
    uint64_t seq[VCPUS] = {0}, time[VCPUS] = {1, 2, 3};
    for (int f = 0; f < FRAMES; f++) {
        frame_offset[f] = discon_writer_bytes(w);
        for (int b = 0; b < 6; b++) {
            uint32_t v = (uint32_t)(next_random() % VCPUS);
            size_t n = 1 + next_random() % 1000;
            if (next_random() % 4 == 0) { /* a loss before this batch */
                Discon__Loss l = DISCON__LOSS__INIT;
                l.vcpu = v;
                l.first_seq = seq[v];
                l.count = 1 + next_random() % 50;
                seq[v] += l.count;
                CHECK(discon_writer_loss(w, &l, err, sizeof err) == 0);
            }
            struct discon_event *batch = events + nevents;
            int regular = b % 2;
            for (size_t i = 0; i < n; i++)
                batch[i] = random_event(v, seq[v]++, &time[v], regular);
            CHECK(discon_writer_events(w, batch, n, 0, err, sizeof err) == 0);
            nevents += n;
        }
        frame_end_event[f] = nevents;
        CHECK(discon_writer_flush(w, err, sizeof err) == 0);
    }
    frame_offset[FRAMES] = discon_writer_bytes(w);
    Discon__End e = DISCON__END__INIT;
    e.producer_finished = 1;
    CHECK(discon_writer_end(w, &e, err, sizeof err) == 0);
    CHECK(discon_writer_close(w, true, err, sizeof err) == 0);
}

struct collected {
    struct discon_event *ev;
    size_t n;
    int ends, headers;
    uint64_t damage_offset[FRAMES + 2];
    int damage_code[FRAMES + 2]; /* what the reader said each damage was */
    int damages;
};

static int on_events(void *ctx, const struct discon_event *ev, size_t n)
{
    struct collected *c = ctx;
    memcpy(c->ev + c->n, ev, n * sizeof *ev);
    c->n += n;
    return 0;
}
static int on_end(void *ctx, const Discon__End *e) { (void)e; ((struct collected *)ctx)->ends++; return 0; }
static int on_header(void *ctx, const char *p, const Discon__Header *h)
{
    (void)p, (void)h;
    ((struct collected *)ctx)->headers++;
    return 0;
}
static void on_damage(void *ctx, const struct discon_damage *d)
{
    struct collected *c = ctx;
    if (c->damages < FRAMES + 2)
        c->damage_offset[c->damages] = d->offset, c->damage_code[c->damages] = d->code;
    c->damages++;
}

static int read_back(const char *path, struct collected *c, struct discon_read_stats *st)
{
    *c = (struct collected){.ev = malloc(sizeof *c->ev * (nevents + 1))};
    *st = (struct discon_read_stats){0};
    struct discon_reader_ops ops = {
        .ctx = c, .header = on_header, .events = on_events, .end = on_end, .damage = on_damage,
    };
    char err[256];
    char *paths[] = {(char *)path};
    return discon_read_paths(paths, 1, &ops, st, err, sizeof err);
}

static void test_round_trip(const char *path)
{
    struct collected c;
    struct discon_read_stats st;
    CHECK_EQ(read_back(path, &c, &st), DISCON_READ_INTACT);
    CHECK_EQ(c.n, nevents);
    CHECK(same_events(c.ev, events, nevents));
    CHECK_EQ(c.headers, 1);
    CHECK_EQ(c.ends, 1);
    CHECK_EQ(st.gaps, 0);
    CHECK_EQ(st.damaged_frames, 0);
    CHECK_EQ(st.frames, FRAMES + 2); /* header, events, end */
    free(c.ev);
}

/* Copy `path` to a damaged variant and check what is recovered. */
static void damaged_copy(const char *path, const char *out, size_t truncate_at, long flip_at)
{
    FILE *in = fopen(path, "rb");
    FILE *o = fopen(out, "wb");
    for (size_t i = 0; i < truncate_at; i++) {
        int ch = fgetc(in);
        if (ch == EOF)
            break;
        fputc((long)i == flip_at ? ch ^ 0x20 : ch, o);
    }
    fclose(in);
    fclose(o);
}

static int frame_of(uint64_t offset)
{
    for (int f = 0; f < FRAMES; f++)
        if (offset >= frame_offset[f] && offset < frame_offset[f + 1])
            return f;
    return -1;
}

static size_t events_in_frame(int f)
{
    return frame_end_event[f] - (f ? frame_end_event[f - 1] : 0);
}

static void test_damage(const char *path)
{
    char out[4200];
    snprintf(out, sizeof out, "%s.damaged", path);
    struct collected c;
    struct discon_read_stats st;

    for (int k = 0; k < 6; k++) { /* truncated inside frame f */
        int f = 3 + k * 3;
        size_t at = frame_offset[f] + (frame_offset[f + 1] - frame_offset[f]) * (k + 1) / 8;
        damaged_copy(path, out, at, -1);
        CHECK_EQ(read_back(out, &c, &st), DISCON_READ_DAMAGED);
        CHECK_EQ(c.n, frame_end_event[f - 1]);
        CHECK(same_events(c.ev, events, c.n));
        CHECK_EQ(c.damages, 1);
        CHECK_EQ(c.damage_offset[0], frame_offset[f]);
        CHECK_EQ(c.damage_code[0], DISCON_E_DAMAGED);
        CHECK_EQ(c.ends, 0);
        free(c.ev);
    }
    for (int k = 0; k < 8; k++) { /* one flipped byte */
        long flip = (long)(frame_offset[0] + next_random() % (frame_offset[FRAMES] - frame_offset[0]));
        int f = frame_of((uint64_t)flip);
        damaged_copy(path, out, SIZE_MAX, flip);
        CHECK_EQ(read_back(out, &c, &st), DISCON_READ_DAMAGED);
        CHECK_EQ(c.n, nevents - events_in_frame(f));
        CHECK_EQ(c.damages, 1);
        CHECK_EQ(c.damage_offset[0], frame_offset[f]);
        CHECK_EQ(c.damage_code[0], DISCON_E_DAMAGED); /* LZ4 checksums catch a flip */
        CHECK_EQ(c.ends, 1); /* the frames after the damage are read */
        /* Events before and after the damaged frame are intact. */
        size_t before = f ? frame_end_event[f - 1] : 0;
        CHECK(same_events(c.ev, events, before));
        CHECK(same_events(c.ev + before, events + frame_end_event[f],
                          nevents - frame_end_event[f]));
        /* A vCPU with events in the lost frame and after it shows the hole. */
        int visible = 0;
        for (size_t i = before; i < frame_end_event[f]; i++)
            for (size_t j = frame_end_event[f]; j < nevents && !visible; j++)
                visible = events[j].vcpu == events[i].vcpu;
        CHECK(!visible || st.gaps >= 1);
        free(c.ev);
    }
    unlink(out);
}

/* Append one LZ4 frame holding `len` raw bytes as its content. */
static void append_frame(const char *path, const uint8_t *content, size_t len)
{
    LZ4F_preferences_t prefs = {.frameInfo = {.contentChecksumFlag = LZ4F_contentChecksumEnabled}};
    size_t cap = LZ4F_compressFrameBound(len, &prefs);
    uint8_t *frame = malloc(cap);
    size_t n = LZ4F_compressFrame(frame, cap, content, len, &prefs);
    FILE *f = fopen(path, "ab");
    fwrite(frame, 1, n, f);
    fclose(f);
    free(frame);
}

/* One EventBatch packet from a hand-made batch, as Trace.packet bytes. */
static size_t batch_packet(Discon__EventBatch *b, uint8_t *out)
{
    Discon__Packet p = DISCON__PACKET__INIT;
    p.kind_case = DISCON__PACKET__KIND_EVENTS;
    p.events = b;
    size_t n = discon__packet__get_packed_size(&p);
    out[0] = 0x0a;
    out[1] = (uint8_t)n; /* small packets only */
    discon__packet__pack(&p, out + 2);
    return n + 2;
}

/* Hostile frames between good ones: each is reported and skipped, the good
 * frames are read, and memory stays bounded. */
static void test_hostile_packets(const char *dir)
{
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/hostile.discon", dir);
    unlink(path);
    struct discon_writer *w = discon_writer_create(path, err, sizeof err);
    uint8_t id[16] = {1};
    Discon__Header h = DISCON__HEADER__INIT;
    h.trace_id = (ProtobufCBinaryData){16, id};
    CHECK(discon_writer_header(w, &h, err, sizeof err) == 0);
    CHECK(discon_writer_close(w, false, err, sizeof err) == 0);

    int64_t td[2] = {1, 2}, fd[2] = {3, 4};
    uint32_t ty[2] = {DISCON_INTERRUPT, DISCON_EXCEPTION}, ref[2] = {0, 5}; /* handler 5 of none */
    Discon__EventBatch b = DISCON__EVENT_BATCH__INIT;
    b.n_time_delta = 2, b.time_delta = td, b.n_from_delta = 2, b.from_delta = fd;
    b.n_type = 2, b.type = ty, b.n_to_ref = 2, b.to_ref = ref;
    uint8_t buf[256];
    append_frame(path, buf, batch_packet(&b, buf));  /* bad handler reference */
    b.n_type = 1;
    append_frame(path, buf, batch_packet(&b, buf));  /* columns of unequal length */
    b.n_type = 2, ref[1] = 0;
    append_frame(path, buf, batch_packet(&b, buf));  /* a good batch */
    /* A bomb: 8 MiB of empty packets, each costing protobuf-c ~100 bytes. */
    size_t bomb_len = 8u << 20;
    uint8_t *bomb = malloc(bomb_len);
    for (size_t i = 0; i < bomb_len; i += 4)
        memcpy(bomb + i, "\x0a\x02\x12\x00", 4);
    append_frame(path, bomb, bomb_len);
    free(bomb);
    append_frame(path, buf, batch_packet(&b, buf));  /* another good batch */

    struct collected c;
    struct discon_read_stats st;
    nevents = 4; /* read_back sizes its buffer from this */
    CHECK_EQ(read_back(path, &c, &st), DISCON_READ_DAMAGED);
    CHECK_EQ(c.n, 4);        /* the two good batches */
    /* Bad reference, unequal columns, and the bomb: refused by the unpack
     * budget rather than decoded into ~200 MiB. */
    CHECK_EQ(c.damages, 3);
    CHECK_EQ(c.damage_code[0], DISCON_E_BAD_BATCH);
    CHECK_EQ(c.damage_code[1], DISCON_E_BAD_BATCH);
    CHECK_EQ(c.damage_code[2], DISCON_E_DAMAGED);
    CHECK_EQ(st.frames, 3);  /* header and the good batches */
    free(c.ev);
    unlink(path);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/discon-format-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/trace.discon", dir);
    const char *file = argc > 1 ? argv[1] : path;
    write_trace(file);
    test_round_trip(file);
    test_damage(file);
    size_t written = nevents;
    test_hostile_packets(dir);
    nevents = written;
    if (argc > 1)
        printf("events %zu\n", nevents);
    if (argc == 1)
        unlink(path);
    rmdir(dir);
    free(events);
    CHECK_DONE();
}
