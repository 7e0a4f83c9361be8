/* A real shared-memory segment for ring tests: created by the producer code,
 * attached by the reader code, unlinked when the test is done with it. */
#ifndef DISCON_TEST_SEGMENT_FIXTURE_H
#define DISCON_TEST_SEGMENT_FIXTURE_H

#include "ring_producer.h"
#include "segment_create.h"
#include "segment_reader.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct fixture {
    char name[64];
    struct discon_shm_header *hdr; /* the producer's mapping */
    struct discon_segment seg;     /* the reader's */
};

static inline void fixture_open(struct fixture *f, const char *tag, uint32_t capacity,
                                uint32_t vcpus, enum discon_mode mode, uint32_t timeout_ms)
{
    char err[256];
    snprintf(f->name, sizeof f->name, "/discon-test-%s-%d", tag, (int)getpid());
    shm_unlink(f->name);
    struct discon_segment_config cfg = {
        .name = f->name, .ring_capacity = capacity, .vcpu_capacity = vcpus,
        .smp_vcpus = vcpus, .flags = DISCON_FLAG_SYSTEM, .mode = mode,
        .types = DISCON_TYPES_ALL, .block_timeout_ms = timeout_ms,
        .target = "test", .options = "",
    };
    f->hdr = discon_segment_create(&cfg, err, sizeof err);
    if (!f->hdr) {
        fprintf(stderr, "fixture: %s\n", err);
        exit(2);
    }
    if (discon_segment_attach(&f->seg, f->name, err, sizeof err) != DISCON_ATTACH_OK) {
        fprintf(stderr, "fixture: attach: %s\n", err);
        exit(2);
    }
}

/* The ring as the reader maps it: producer and consumer must touch the
 * same addresses for ThreadSanitizer to see their interplay. */
static inline struct discon_ring_ctl *fixture_ctl(struct fixture *f, uint32_t i)
{
    return f->seg.rings[i].ctl;
}

static inline void fixture_close(struct fixture *f)
{
    discon_segment_detach(&f->seg);
    munmap(f->hdr, f->hdr->segment_size);
    shm_unlink(f->name);
}

#endif
