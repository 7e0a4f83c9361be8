/* libFuzzer: validating and draining a shared-memory segment image. */
#include "segment_reader.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (16u << 20))
        return 0;
    void *base = aligned_alloc(64, (size + 63) / 64 * 64 + 64);
    memcpy(base, data, size);
    struct discon_layout l;
    char err[256];
    int rc = discon_segment_validate(base, size, &l, err, sizeof err);
    /* A refusal is one of validate's own codes (documented in the header),
     * never -1 or a stray value a caller could not decide on. */
    if (rc < 0 && (-rc < DISCON_SEG_E_SHORT || -rc > DISCON_SEG_E_RING))
        abort();
    if (rc == 0) {
        /* Drain every ring the way a consumer would. */
        struct discon_record out[64];
        for (uint32_t i = 0; i < l.vcpu_capacity; i++) {
            struct discon_ring_ctl *ctl = discon_ring_ctl_at(base, l.ring_stride, i);
            struct discon_ring_reader r = {
                .ctl = ctl, .slots = discon_ring_records(ctl),
                .tail = atomic_load(&ctl->tail), .read = atomic_load(&ctl->tail),
                .capacity = l.ring_capacity, .vcpu = i,
            };
            long n;
            while ((n = discon_ring_consume(&r, out, 64, err, sizeof err)) > 0)
                ;
            if (n < 0 && n != -DISCON_SEG_E_RING)
                abort();
        }
    }
    free(base);
    return 0;
}
