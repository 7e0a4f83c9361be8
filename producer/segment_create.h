/* Producer side of the segment: create, size and initialise it. */
#ifndef DISCON_SEGMENT_CREATE_H
#define DISCON_SEGMENT_CREATE_H

#include "discon_ring.h"

#include <stddef.h>

struct discon_segment_config {
    const char *name; /* POSIX shm name, "/..." */
    uint32_t ring_capacity;
    uint32_t vcpu_capacity;
    uint32_t smp_vcpus;
    uint32_t flags;
    enum discon_mode mode;
    uint32_t types;
    uint32_t block_timeout_ms;
    const char *target;
    const char *options;
};

/*
 * Create the segment exclusively (O_CREAT|O_EXCL, mode 0600, never through
 * a symlink), size it, map it and fill in the header; `magic` is stored
 * last (why: PROTOCOL in discon_ring.h).
 * Returns the mapping, or NULL with errno from the call that failed
 * (EEXIST: the name is taken; ENOSPC, ENOMEM, EACCES...) and a one-line
 * message in err.
 */
struct discon_shm_header *discon_segment_create(const struct discon_segment_config *cfg,
                                                char *err, size_t errlen);

#endif
