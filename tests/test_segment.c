/*
 * The reader must reject malformed segments, never crash, and say why with
 * a code: each fault is asserted as its DISCON_SEG_E_x (never as message
 * text), with a one-line message beside it for people.
 */
#define _GNU_SOURCE
#include "check.h"
#include "segment_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#define CAP 16u
#define VCPUS 2u

static size_t seg_size;
static void *valid; /* a pristine copy of a real segment */

typedef void (*mutation)(struct discon_shm_header *h);

/* A refusal comes with a message of one line (it ends up in a log line). */
static void one_line(const char *err)
{
    CHECK(err[0] != '\0');
    CHECK(strchr(err, '\n') == NULL);
}

static void expect_rejected(const char *what, mutation m, enum discon_seg_err code)
{
    void *copy = aligned_alloc(DISCON_CACHELINE, seg_size);
    memcpy(copy, valid, seg_size);
    m(copy);
    struct discon_layout l;
    char err[256] = "";
    int rc = discon_segment_validate(copy, seg_size, &l, err, sizeof err);
    if (rc == 0)
        fprintf(stderr, "%s: accepted\n", what);
    if (rc != -(int)code)
        fprintf(stderr, "%s: code %d (%s), expected %d\n", what, -rc, discon_seg_strerror(rc),
                (int)code);
    CHECK_EQ(rc, -(int)code);
    one_line(err);
    free(copy);
}

static struct discon_ring_ctl *ring(struct discon_shm_header *h, uint32_t i)
{
    return discon_ring_ctl_at(h, discon_ring_stride(CAP), i);
}

static void bad_magic(struct discon_shm_header *h) { atomic_store(&h->magic, 0x1234); }
static void bad_version(struct discon_shm_header *h) { h->version = 99; }
/* Version 1 had 32-byte records: a reader of version 2 must not misread them. */
static void old_version(struct discon_shm_header *h) { h->version = 1; }
static void bad_header_size(struct discon_shm_header *h) { h->header_size = 64; }
static void bad_record_size(struct discon_shm_header *h) { h->record_size = 16; }
static void cap_not_pow2(struct discon_shm_header *h) { h->ring_capacity = 17; }
static void cap_huge(struct discon_shm_header *h) { h->ring_capacity = 1u << 31; }
static void vcpus_zero(struct discon_shm_header *h) { h->vcpu_capacity = 0; }
static void vcpus_more(struct discon_shm_header *h) { h->vcpu_capacity = 3; }
static void vcpus_huge(struct discon_shm_header *h) { h->vcpu_capacity = 0xffffffffu; }
static void bad_stride(struct discon_shm_header *h) { h->ring_stride += 64; }
static void bad_size(struct discon_shm_header *h) { h->segment_size *= 2; }
static void bad_smp(struct discon_shm_header *h) { h->smp_vcpus = 9; }
static void bad_flags(struct discon_shm_header *h) { h->flags = 0x80; }
static void bad_mode(struct discon_shm_header *h) { h->mode = 7; }
static void bad_types(struct discon_shm_header *h) { h->types = DISCON_TYPES_ALL + 1; } /* a bit of no type */
static void no_types(struct discon_shm_header *h) { h->types = 0; }
static void bad_state(struct discon_shm_header *h) { atomic_store(&h->state, 42); }
static void pid_zero(struct discon_shm_header *h) { h->producer_pid = 0; }
static void pid_negative(struct discon_shm_header *h) { h->producer_pid = -1; }
static void open_target(struct discon_shm_header *h) { memset(h->target, 'x', sizeof h->target); }
static void open_options(struct discon_shm_header *h) { memset(h->options, 'y', sizeof h->options); }
static void head_beyond(struct discon_shm_header *h) { atomic_store(&ring(h, 1)->head, CAP + 1); }
static void tail_beyond(struct discon_shm_header *h) { atomic_store(&ring(h, 0)->tail, 5); }
static void head_wild(struct discon_shm_header *h)
{
    atomic_store(&ring(h, 1)->head, UINT64_MAX / 3);
    atomic_store(&ring(h, 1)->tail, 12345);
}

static void test_malformed(void)
{
    expect_rejected("magic", bad_magic, DISCON_SEG_E_MAGIC);
    expect_rejected("version", bad_version, DISCON_SEG_E_VERSION);
    expect_rejected("version 1", old_version, DISCON_SEG_E_VERSION);
    expect_rejected("header size", bad_header_size, DISCON_SEG_E_HEADER_SIZE);
    expect_rejected("record size", bad_record_size, DISCON_SEG_E_RECORD_SIZE);
    expect_rejected("capacity", cap_not_pow2, DISCON_SEG_E_CAPACITY);
    expect_rejected("capacity", cap_huge, DISCON_SEG_E_CAPACITY);
    expect_rejected("vcpus", vcpus_zero, DISCON_SEG_E_VCPUS);
    expect_rejected("vcpus", vcpus_more, DISCON_SEG_E_SIZE); /* in range, but not this size */
    expect_rejected("vcpus", vcpus_huge, DISCON_SEG_E_VCPUS);
    expect_rejected("stride", bad_stride, DISCON_SEG_E_STRIDE);
    expect_rejected("size", bad_size, DISCON_SEG_E_SIZE);
    expect_rejected("smp", bad_smp, DISCON_SEG_E_SMP);
    expect_rejected("flags", bad_flags, DISCON_SEG_E_FLAGS);
    expect_rejected("mode", bad_mode, DISCON_SEG_E_MODE);
    expect_rejected("types", bad_types, DISCON_SEG_E_TYPES);
    expect_rejected("types", no_types, DISCON_SEG_E_TYPES);
    expect_rejected("state", bad_state, DISCON_SEG_E_STATE);
    expect_rejected("pid", pid_zero, DISCON_SEG_E_PID);
    expect_rejected("pid", pid_negative, DISCON_SEG_E_PID);
    expect_rejected("target", open_target, DISCON_SEG_E_STRINGS);
    expect_rejected("options", open_options, DISCON_SEG_E_STRINGS);
    expect_rejected("head", head_beyond, DISCON_SEG_E_RING);
    expect_rejected("tail", tail_beyond, DISCON_SEG_E_RING);
    expect_rejected("head", head_wild, DISCON_SEG_E_RING);

    /* Truncated: every size below the real one is refused, as too short
     * for a header or as not the size its layout needs. */
    struct discon_layout l;
    char err[256];
    for (size_t size = 0; size < seg_size; size += 509) {
        int want = size < DISCON_HEADER_SIZE ? -DISCON_SEG_E_SHORT : -DISCON_SEG_E_SIZE;
        CHECK_EQ(discon_segment_validate(valid, size, &l, err, sizeof err), want);
    }
    CHECK(discon_segment_validate(valid, seg_size, &l, err, sizeof err) == 0);
    CHECK_EQ(l.ring_capacity, CAP);
    CHECK_EQ(l.vcpu_capacity, VCPUS);
}

/* Head scribbled while attached: consume refuses, copies nothing. */
static void test_consume_scribbled(void)
{
    struct fixture f;
    fixture_open(&f, "scribble", CAP, VCPUS, DISCON_MODE_DROP, 100);
    atomic_store(&fixture_ctl(&f, 1)->head, 1000);
    struct discon_record out[CAP];
    char err[256] = "";
    CHECK_EQ(discon_ring_consume(&f.seg.rings[1], out, CAP, err, sizeof err),
             -DISCON_SEG_E_RING);
    one_line(err);
    CHECK_EQ(f.seg.rings[1].tail, 0);
    uint64_t head = 7;
    CHECK_EQ(discon_ring_head(&f.seg.rings[1], &head, err, sizeof err), -DISCON_SEG_E_RING);
    CHECK_EQ(head, 7); /* untouched */
    CHECK_EQ(discon_ring_head(&f.seg.rings[0], &head, err, sizeof err), 0);
    CHECK_EQ(head, 0);

    /* The producer's state scribbled after attach: garbage, not "running". */
    CHECK_EQ(discon_segment_finished(&f.seg, err, sizeof err), 0);
    atomic_store(&f.hdr->state, DISCON_STATE_FINISHED);
    CHECK_EQ(discon_segment_finished(&f.seg, err, sizeof err), 1);
    err[0] = '\0';
    atomic_store(&f.hdr->state, 42);
    CHECK_EQ(discon_segment_finished(&f.seg, err, sizeof err), -DISCON_SEG_E_STATE);
    one_line(err);
    fixture_close(&f);
}

/* attach's result, checked to come with a one-line message when it fails. */
static int attach(struct discon_segment *seg, const char *name)
{
    char err[256] = "";
    int rc = discon_segment_attach(seg, name, err, sizeof err);
    if (rc < 0)
        one_line(err);
    else
        CHECK(err[0] == '\0'); /* not ready is no error: nothing to say */
    return rc;
}

/* Not-yet-ready segments are not errors; a bad one gives validate's code. */
static void test_attach_early(const char *name)
{
    struct discon_segment seg;
    CHECK_EQ(attach(&seg, name), DISCON_ATTACH_NOT_READY);

    /* Created but not yet sized: not ready, not an error. */
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(attach(&seg, name), DISCON_ATTACH_NOT_READY);
    /* Sized but the header not yet published: not ready either. */
    CHECK(ftruncate(fd, (off_t)seg_size) == 0);
    CHECK_EQ(attach(&seg, name), DISCON_ATTACH_NOT_READY);
    /* Garbage of the right size: an error. */
    CHECK(pwrite(fd, "garbage!", 8, 0) == 8);
    CHECK_EQ(attach(&seg, name), -DISCON_SEG_E_MAGIC);
    /* Too small to hold a header. */
    CHECK(ftruncate(fd, 100) == 0);
    CHECK_EQ(attach(&seg, name), -DISCON_SEG_E_SHORT);
    /* Owned by another user (needs root to arrange). */
    if (geteuid() == 0) {
        CHECK(fchown(fd, 65534, 65534) == 0);
        CHECK_EQ(attach(&seg, name), -DISCON_SEG_E_OWNER);
    }
    close(fd);
    shm_unlink(name);
}

/* Names that are not a segment object: a FIFO opens, but is no regular
 * object; a directory does not open at all. */
static void test_attach_odd_objects(const char *name)
{
    struct discon_segment seg;
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_EQ(attach(&seg, name), -DISCON_SEG_E_NOT_REGULAR);
    unlink(path);
    CHECK(mkdir(path, 0700) == 0);
    CHECK_EQ(attach(&seg, name), -DISCON_SEG_E_OPEN);
    rmdir(path);
}

static void test_attach(void)
{
    struct discon_segment seg;
    char err[256] = "";
    char name[64];
    snprintf(name, sizeof name, "/discon-test-absent-%d", (int)getpid());
    test_attach_early(name);
    test_attach_odd_objects(name);

    /* A symlink in place of the segment is never followed. */
    struct fixture f;
    fixture_open(&f, "target", CAP, VCPUS, DISCON_MODE_DROP, 100);
    char link_path[128], target_path[128];
    snprintf(link_path, sizeof link_path, "/dev/shm%s", name);
    snprintf(target_path, sizeof target_path, "/dev/shm%s", f.name);
    CHECK(symlink(target_path, link_path) == 0);
    CHECK_EQ(attach(&seg, name), -DISCON_SEG_E_SYMLINK);
    unlink(link_path);

    /* Creating over an existing name fails: never reuse another's segment. */
    struct discon_segment_config cfg = {
        .name = f.name, .ring_capacity = CAP, .vcpu_capacity = 1, .mode = DISCON_MODE_DROP,
        .types = DISCON_TYPES_ALL, .block_timeout_ms = 1,
    };
    errno = 0;
    CHECK(discon_segment_create(&cfg, err, sizeof err) == NULL);
    CHECK_EQ(errno, EEXIST);
    CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);

    /* One consumer at a time: a second attach is refused. */
    CHECK_EQ(attach(&seg, f.name), -DISCON_SEG_E_BUSY);
    fixture_close(&f);
}

int main(void)
{
    struct fixture f;
    fixture_open(&f, "valid", CAP, VCPUS, DISCON_MODE_BLOCK, 100);
    seg_size = f.hdr->segment_size;
    valid = malloc(seg_size);
    memcpy(valid, f.hdr, seg_size);
    fixture_close(&f);

    check_strerror(discon_seg_strerror, DISCON_SEG_E_COUNT);
    test_malformed();
    test_consume_scribbled();
    test_attach();
    free(valid);
    CHECK_DONE();
}
