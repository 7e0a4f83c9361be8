/* discond's flight-recorder mode: when to write a snapshot (recorder.h). */
#define _GNU_SOURCE
#include "recorder.h"
#include "discon_clock.h"
#include "snapshot_option.h"

#include <stdio.h>
#include <stdlib.h>

#define TRAP_SNAPSHOT_GAP_NS 1000000000u /* a looping guest makes one a second at most */

static int snapshot(struct recorder *r, unsigned bit, const char *what, bool finished,
                    char *err, size_t errlen)
{
    char path[4400];
    uint64_t events;
    if (discon_drain_snapshot(r->d, discon_snapshot_trigger_name(bit), finished, path,
                              sizeof path, &events, err, errlen) != 0)
        return -1;
    size_t frames;
    uint64_t bytes;
    discon_drain_window(r->d, &frames, &bytes);
    r->written++;
    fprintf(stderr, "discond: snapshot %u (%s%s%s): %s, %llu events, %llu bytes\n", r->written,
            discon_snapshot_trigger_name(bit), what[0] ? ": " : "", what, path,
            (unsigned long long)events, (unsigned long long)bytes);
    return 0;
}

uint64_t *discon_ring_heads(const struct discon_segment *seg, char *err, size_t errlen)
{
    uint64_t *at = calloc(seg->layout.vcpu_capacity, sizeof *at);
    if (!at) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < seg->layout.vcpu_capacity; i++)
        if (discon_ring_head(&seg->rings[i], &at[i], err, errlen) < 0) {
            free(at);
            return NULL;
        }
    return at;
}

bool discon_rings_reached(const struct discon_segment *seg, const uint64_t *at)
{
    for (uint32_t i = 0; i < seg->layout.vcpu_capacity; i++)
        if (discon_pos_before(seg->rings[i].read, at[i]))
            return false;
    return true;
}

int recorder_after_pass(struct recorder *r, bool usr1, char *err, size_t errlen)
{
    if (usr1 && (r->mask & DISCON_SNAP_USR1) && !r->usr1_at &&
        !(r->usr1_at = discon_ring_heads(r->seg, err, errlen)))
        return -1;
    if (r->usr1_at && discon_rings_reached(r->seg, r->usr1_at)) {
        free(r->usr1_at);
        r->usr1_at = NULL;
        if (snapshot(r, DISCON_SNAP_USR1, "", false, err, errlen) != 0)
            return -1;
    }
    char why[160];
    unsigned fired = r->trig ? flight_triggers_take(r->trig, why, sizeof why) : 0;
    uint64_t now = discon_clock_ns(CLOCK_MONOTONIC);
    for (unsigned k = 0; k < 4; k++) {
        unsigned bit = 1u << k;
        if (!(fired & bit & r->mask))
            continue;
        if (r->last_ns[k] && now - r->last_ns[k] < TRAP_SNAPSHOT_GAP_NS)
            continue;
        r->last_ns[k] = now;
        if (snapshot(r, bit, why, false, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int recorder_at_exit(struct recorder *r, bool producer_finished, char *err, size_t errlen)
{
    if (!(r->mask & DISCON_SNAP_EXIT))
        return 0;
    return snapshot(r, DISCON_SNAP_EXIT, "", producer_finished, err, errlen);
}

void recorder_free(struct recorder *r)
{
    free(r->usr1_at);
    flight_triggers_free(r->trig);
    r->usr1_at = NULL;
    r->trig = NULL;
}
