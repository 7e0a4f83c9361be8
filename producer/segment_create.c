#define _GNU_SOURCE
#include "segment_create.h"
#include "discon_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* Reserve every page of the segment now. tmpfs allocates pages on first
 * touch, and a page it cannot back is a SIGBUS in the vCPU thread that
 * writes it: QEMU would die mid-run, with no message, when a ring first
 * reaches the end of /dev/shm's free space. posix_fallocate makes that a
 * refusal at load instead. A file system without fallocate (EOPNOTSUPP)
 * keeps the old lazy behaviour: there is nothing better to do. */
static int reserve(int fd, const char *name, uint64_t size, char *err, size_t errlen)
{
    int e = posix_fallocate(fd, 0, (off_t)size);
    if (e == 0 || e == EOPNOTSUPP || e == EINVAL)
        return 0;
    if (e == ENOSPC || e == EFBIG) {
        struct statvfs fs;
        unsigned long long avail =
            fstatvfs(fd, &fs) == 0 ? (unsigned long long)fs.f_bavail * fs.f_frsize : 0;
        snprintf(err, errlen,
                 "shared memory %s needs %llu MiB but /dev/shm has %llu MiB free: "
                 "make the rings smaller (ring=, discon-record --ring) or free /dev/shm",
                 name, (unsigned long long)(size >> 20), avail >> 20);
    } else {
        snprintf(err, errlen, "cannot reserve %llu bytes of shared memory %s: %s",
                 (unsigned long long)size, name, strerror(e));
    }
    errno = e;
    return -1;
}

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
    if (reserve(fd, cfg->name, size, err, errlen) != 0)
        goto fail;
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
