/*
 * discond's flight-recorder mode (--snapshot): when to write a snapshot.
 * SIGUSR1 takes each ring's published position at the signal and writes
 * once the drain has read up to it (the window ends at the signal); a
 * fault loop or double trap (flight_triggers.h) writes right after the
 * pass that saw it (the window ends within one pass of it); the end of
 * the recording (QEMU ended or vanished, discond stopped) writes the last
 * window after the end's losses. Each snapshot is one line on stderr:
 *   discond: snapshot N (TRIGGER[: what]): PATH, E events, B bytes
 * which discon-record passes on (discond shares its stderr).
 */
#ifndef DISCON_RECORDER_H
#define DISCON_RECORDER_H

#include "drain.h"
#include "flight_triggers.h"

#include <stdbool.h>
#include <stdint.h>

struct recorder {
    struct discon_drain *d;
    struct discon_segment *seg;
    struct flight_triggers *trig; /* NULL without trap triggers */
    unsigned mask;                /* snapshot_option.h's bits */
    uint64_t *usr1_at;            /* ring heads at a SIGUSR1 being served */
    uint64_t last_ns[4];          /* per trap trigger bit: its last snapshot */
    unsigned written;
};

/* Each ring's published position now (calloc'ed, vcpu_capacity
 * entries), or NULL with err; and whether every ring has been read up
 * to such positions. Also discond's stop on SIGINT/SIGTERM. */
uint64_t *discon_ring_heads(const struct discon_segment *seg, char *err, size_t errlen);
bool discon_rings_reached(const struct discon_segment *seg, const uint64_t *at);

/* After each drain pass. usr1: a SIGUSR1 came (the caller clears its
 * flag). 0, or -1 with err. */
int recorder_after_pass(struct recorder *r, bool usr1, char *err, size_t errlen);
/* At the end of the recording, after discon_drain_finish: the last
 * window, if `exit` is among the triggers. */
int recorder_at_exit(struct recorder *r, bool producer_finished, char *err, size_t errlen);
void recorder_free(struct recorder *r);

#endif
