/*
 * Whether a trace is complete: the one meaning every tool gives the word
 * (discon-report on files or on a database, trace2sqlite's
 * traces.complete). Fed what was read (file indexes, events, losses, the
 * end record, damage, sequence gaps), or the same counts taken from a
 * database, it says one of:
 *  - complete: the files 0..N with no hole, nothing damaged, no sequence
 *    gap, an end record, and per vCPU produced == written + dropped and
 *    the events read == written;
 *  - complete since T: the same, except that the oldest files were
 *    removed by the writer (discond --max-files/--max-size), as the
 *    newest file's header says (Header.removed): the files read start
 *    right after the removed ones and every vCPU's events are there from
 *    its first one read to its end, so the trace is whole from T, the
 *    latest of the vCPUs' first times read. What was removed is said per
 *    vCPU (sequence numbers and times). Files missing without such a
 *    record are missing, not removed;
 *  - incomplete, with why: anything else (damage, a missing file, a gap,
 *    no end record, totals that disagree). Tools exit 3 for it.
 * Part of libdiscon-trace (node DISCON_TRACE_2.2). Memory grows with the
 * number of vCPUs only.
 */
#ifndef DISCON_COMPLETE_H
#define DISCON_COMPLETE_H

#include "discon.pb-c.h"
#include "event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISCON_COMPLETE_MAX_VCPUS 65536u /* beyond: counted in `beyond`, incomplete */

/* What was read of one vCPU. */
struct discon_vcpu_read {
    bool seen;           /* an event or a loss of it was read */
    uint64_t events;     /* events read */
    uint64_t lost;       /* events loss records say were dropped */
    uint64_t first_seq;  /* lowest sequence number read (event or loss) */
    uint64_t end_seq;    /* one past the highest */
    uint64_t first_ns;   /* time of its first event read; 0: none */
    bool has_totals;     /* from the end record: */
    uint64_t produced, dropped, written;
    bool removed;        /* from Header.removed: */
    uint64_t removed_first_seq, removed_end_seq, removed_first_ns, removed_last_ns;
};

/* Plain data: zero it (or discon_complete_init), feed it, then
 * discon_complete_verdict; discon_complete_free releases `vcpu`. */
struct discon_completeness {
    struct discon_vcpu_read *vcpu; /* malloc'ed, nvcpus entries */
    uint32_t nvcpus;
    uint64_t damaged;     /* damaged stretches skipped */
    uint64_t gaps;        /* sequence discontinuities not explained by losses */
    uint64_t beyond;      /* events of vCPUs >= DISCON_COMPLETE_MAX_VCPUS */
    bool any_file;
    uint32_t first_file, last_file; /* file indexes read (lowest, highest) */
    uint64_t missing_files;          /* indexes between them not read */
    bool any_removed;
    uint32_t removed_last_file;      /* files 0..this were removed by the writer */
    bool have_end, producer_finished;
    bool events_unknown;  /* counts only (an --aggregate-only database) */
    const char *unknown_why; /* why events cannot be compared (static); or NULL */
    bool nomem;           /* a feed ran out of memory: incomplete */
    uint64_t start_ns;    /* set by the caller: the trace's clock reference (Header.clock),
                             so the verdict's times read as seconds from the start */
    bool snapshot_mid_run; /* the end record is a flight-recorder snapshot's taken while
                              QEMU ran (End.snapshot set, not "exit"): that the producer
                              had not finished is then no news */
};

enum discon_complete_verdict {
    DISCON_INCOMPLETE = 0,
    DISCON_COMPLETE = 1,
    DISCON_COMPLETE_SINCE = 2,
};

void discon_complete_init(struct discon_completeness *c);
void discon_complete_free(struct discon_completeness *c);

/* Feeding, in the reader's order (files by index, discon_read_paths).
 * A header: its file index (files are read in index order: a jump is a
 * missing file) and what it says was removed (Header.removed; the newest
 * file's says all). discon_complete_file: the index alone. */
void discon_complete_header(struct discon_completeness *c, const Discon__Header *h);
void discon_complete_file(struct discon_completeness *c, uint32_t file_index);
/* Files 0..last_file were removed (Header.removed, or a database's record
 * of it); what they held of one vCPU. discon_complete_removed_vcpu: NULL
 * past DISCON_COMPLETE_MAX_VCPUS or out of memory. */
void discon_complete_removed(struct discon_completeness *c, uint32_t last_file);
void discon_complete_removed_vcpu(struct discon_completeness *c, uint32_t vcpu, uint64_t first_seq,
                                  uint64_t end_seq, uint64_t first_ns, uint64_t last_ns);
void discon_complete_events(struct discon_completeness *c, const struct discon_event *ev,
                            size_t n);
void discon_complete_loss(struct discon_completeness *c, uint32_t vcpu, uint64_t first_seq,
                          uint64_t count);
void discon_complete_end(struct discon_completeness *c, const Discon__End *e);

/* Whether End.snapshot (NULL or "" for a recording) names a snapshot
 * taken while QEMU still ran: any trigger but "exit" (discon.proto). */
bool discon_snapshot_mid_run(const char *snapshot);

/* The vCPU's entry, grown as needed; NULL past DISCON_COMPLETE_MAX_VCPUS
 * or out of memory (then c->nomem). For filling from counts (a database). */
struct discon_vcpu_read *discon_complete_vcpu(struct discon_completeness *c, uint32_t vcpu);

/* The verdict, with one line in why[0..len) (what made it incomplete, or
 * what was removed), and for DISCON_COMPLETE_SINCE the time T in
 * *since_ns (CLOCK_MONOTONIC ns of the producer, as event times).
 * since_ns may be NULL. */
enum discon_complete_verdict discon_complete_verdict(const struct discon_completeness *c,
                                                     uint64_t *since_ns, char *why, size_t len);

#endif
