/* The reader must reject malformed segments with a clear error, never crash. */
#define _GNU_SOURCE
#include "check.h"
#include "segment_fixture.h"

#include <fcntl.h>
#include <stdlib.h>

#define CAP 16u
#define VCPUS 2u

static size_t seg_size;
static void *valid; /* a pristine copy of a real segment */

typedef void (*mutation)(struct discon_shm_header *h);

static void expect_rejected(const char *what, mutation m, const char *msg)
{
    void *copy = aligned_alloc(DISCON_CACHELINE, seg_size);
    memcpy(copy, valid, seg_size);
    m(copy);
    struct discon_layout l;
    char err[256] = "";
    int rc = discon_segment_validate(copy, seg_size, &l, err, sizeof err);
    if (rc == 0)
        fprintf(stderr, "%s: accepted\n", what);
    CHECK(rc == -1);
    CHECK_CONTAINS(err, msg);
    free(copy);
}

static struct discon_ring_ctl *ring(struct discon_shm_header *h, uint32_t i)
{
    return discon_ring_ctl_at(h, discon_ring_stride(CAP), i);
}

static void bad_magic(struct discon_shm_header *h) { atomic_store(&h->magic, 0x1234); }
static void bad_version(struct discon_shm_header *h) { h->version = 99; }
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
static void bad_types(struct discon_shm_header *h) { h->types = 8; }
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
    expect_rejected("magic", bad_magic, "bad magic");
    expect_rejected("version", bad_version, "format version 99");
    expect_rejected("header size", bad_header_size, "header size 64");
    expect_rejected("record size", bad_record_size, "record size 16");
    expect_rejected("capacity", cap_not_pow2, "ring capacity 17");
    expect_rejected("capacity", cap_huge, "ring capacity 2147483648");
    expect_rejected("vcpus", vcpus_zero, "vCPU capacity 0");
    expect_rejected("vcpus", vcpus_more, "does not match its layout");
    expect_rejected("vcpus", vcpus_huge, "vCPU capacity 4294967295");
    expect_rejected("stride", bad_stride, "ring stride");
    expect_rejected("size", bad_size, "does not match its layout");
    expect_rejected("smp", bad_smp, "9 vCPUs exceed");
    expect_rejected("flags", bad_flags, "unknown segment flags");
    expect_rejected("mode", bad_mode, "unknown ring mode 7");
    expect_rejected("types", bad_types, "type mask 0x8");
    expect_rejected("types", no_types, "type mask 0x0");
    expect_rejected("state", bad_state, "unknown producer state 42");
    expect_rejected("pid", pid_zero, "bad producer pid 0");
    expect_rejected("pid", pid_negative, "bad producer pid -1");
    expect_rejected("target", open_target, "not terminated");
    expect_rejected("options", open_options, "not terminated");
    expect_rejected("head", head_beyond, "vCPU 1 ring is corrupt: head 17 is beyond tail 0");
    expect_rejected("tail", tail_beyond, "vCPU 0 ring is corrupt: head 0 is beyond tail 5");
    expect_rejected("head", head_wild, "vCPU 1 ring is corrupt");

    /* Truncated: every size below the real one is refused. */
    struct discon_layout l;
    char err[256];
    for (size_t size = 0; size < seg_size; size += 509) {
        CHECK(discon_segment_validate(valid, size, &l, err, sizeof err) == -1);
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
    CHECK_EQ(discon_ring_consume(&f.seg.rings[1], out, CAP, err, sizeof err), -1);
    CHECK_CONTAINS(err, "head 1000 is beyond tail 0 + capacity 16");
    CHECK_EQ(f.seg.rings[1].tail, 0);
    fixture_close(&f);
}

static void test_attach(void)
{
    struct discon_segment seg;
    char err[256] = "";
    char name[64];
    snprintf(name, sizeof name, "/discon-test-absent-%d", (int)getpid());
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_NOT_READY);

    /* Created but not yet sized: not ready, not an error. */
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_NOT_READY);
    /* Sized but the header not yet published: not ready either. */
    CHECK(ftruncate(fd, (off_t)seg_size) == 0);
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_NOT_READY);
    /* Garbage of the right size: an error. */
    CHECK(pwrite(fd, "garbage!", 8, 0) == 8);
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_ERROR);
    CHECK_CONTAINS(err, "not a discon segment");
    /* Too small to hold a header. */
    CHECK(ftruncate(fd, 100) == 0);
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_ERROR);
    CHECK_CONTAINS(err, "smaller than its 4096-byte header");
    /* Owned by another user (needs root to arrange). */
    if (geteuid() == 0) {
        CHECK(fchown(fd, 65534, 65534) == 0);
        CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err),
                 DISCON_ATTACH_ERROR);
        CHECK_CONTAINS(err, "belongs to uid 65534");
    }
    close(fd);
    shm_unlink(name);

    /* A symlink in place of the segment is never followed. */
    struct fixture f;
    fixture_open(&f, "target", CAP, VCPUS, DISCON_MODE_DROP, 100);
    char link_path[128], target_path[128];
    snprintf(link_path, sizeof link_path, "/dev/shm%s", name);
    snprintf(target_path, sizeof target_path, "/dev/shm%s", f.name);
    CHECK(symlink(target_path, link_path) == 0);
    CHECK_EQ(discon_segment_attach(&seg, name, err, sizeof err), DISCON_ATTACH_ERROR);
    CHECK_CONTAINS(err, "symlink");
    unlink(link_path);

    /* Creating over an existing name fails: never reuse another's segment. */
    struct discon_segment_config cfg = {
        .name = f.name, .ring_capacity = CAP, .vcpu_capacity = 1, .mode = DISCON_MODE_DROP,
        .types = DISCON_TYPES_ALL, .block_timeout_ms = 1,
    };
    CHECK(discon_segment_create(&cfg, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "File exists");

    /* One consumer at a time: a second attach is refused. */
    CHECK_EQ(discon_segment_attach(&seg, f.name, err, sizeof err), DISCON_ATTACH_ERROR);
    CHECK_CONTAINS(err, "already has a consumer");
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

    test_malformed();
    test_consume_scribbled();
    test_attach();
    free(valid);
    CHECK_DONE();
}
