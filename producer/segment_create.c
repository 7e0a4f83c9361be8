#define _GNU_SOURCE
#include "segment_create.h"
#include "discon_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct discon_shm_header *discon_segment_create(const struct discon_segment_config *cfg,
                                                char *err, size_t errlen)
{
    uint64_t size = discon_segment_size(cfg->ring_capacity, cfg->vcpu_capacity);

    /* glibc's shm_open adds O_NOFOLLOW; O_EXCL also refuses an existing link. */
    int fd = shm_open(cfg->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create shared memory %s: %s%s", cfg->name,
                 strerror(errno), errno == EEXIST ? " (choose another shm= name)" : "");
        return NULL;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        snprintf(err, errlen, "cannot size shared memory %s to %llu bytes: %s", cfg->name,
                 (unsigned long long)size, strerror(errno));
        goto fail;
    }
    struct discon_shm_header *hdr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (hdr == MAP_FAILED) {
        snprintf(err, errlen, "cannot map shared memory %s (%llu bytes): %s", cfg->name,
                 (unsigned long long)size, strerror(errno));
        goto fail;
    }
    close(fd); /* the mapping keeps the segment */

    hdr->version = DISCON_SHM_VERSION;
    hdr->header_size = DISCON_HEADER_SIZE;
    hdr->segment_size = size;
    hdr->ring_stride = discon_ring_stride(cfg->ring_capacity);
    hdr->record_size = sizeof(struct discon_record);
    hdr->ring_capacity = cfg->ring_capacity;
    hdr->vcpu_capacity = cfg->vcpu_capacity;
    hdr->smp_vcpus = cfg->smp_vcpus;
    hdr->flags = cfg->flags;
    hdr->mode = cfg->mode;
    hdr->types = cfg->types;
    hdr->block_timeout_ms = cfg->block_timeout_ms;
    hdr->producer_pid = (int32_t)getpid();
    /* Relaxed: published by the release store of magic below. */
    atomic_store_explicit(&hdr->state, DISCON_STATE_RUNNING, memory_order_relaxed);
    hdr->clock_monotonic_ns = discon_clock_ns(CLOCK_MONOTONIC);
    hdr->clock_realtime_ns = discon_clock_ns(CLOCK_REALTIME);
    snprintf(hdr->target, sizeof hdr->target, "%s", cfg->target ? cfg->target : "");
    snprintf(hdr->options, sizeof hdr->options, "%s", cfg->options ? cfg->options : "");
    /* ftruncate zero-filled the rings: every head, tail and counter is 0.
     * Pairs with the acquire of magic in discon_segment_attach/_validate. */
    atomic_store_explicit(&hdr->magic, DISCON_SHM_MAGIC, memory_order_release);
    return hdr;

fail: {
    int e = errno; /* the caller decides on errno: keep the failing call's */
    close(fd);
    shm_unlink(cfg->name);
    errno = e;
    return NULL;
}
}
