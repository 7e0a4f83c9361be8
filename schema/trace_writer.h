/*
 * The one writer of discon trace files. Packets accumulate in memory and
 * go to disk as one self-contained LZ4 frame per flush, so a crash loses at
 * most the packets since the last flush, and a damaged frame loses only
 * itself. Frames never exceed DISCON_FRAME_MAX_CONTENT decompressed bytes.
 *
 * Errors (discon_error.h): functions returning int give 0 or -DISCON_E_x,
 * with a one-line message in err[0..errlen) (errlen may be 0). A writer is
 * used by one thread at a time.
 */
#ifndef DISCON_TRACE_WRITER_H
#define DISCON_TRACE_WRITER_H

#include "batch_codec.h"
#include "discon_error.h"

#include <stdbool.h>
#include <stddef.h>

/* 2: cause columns (discon.proto, EventBatch 12-17); 3: RETURN and SYSCALL
 * events (discon_types.h) and time_order 3. Readers read every version. */
#define DISCON_FORMAT_VERSION 3
#define DISCON_FRAME_MAX_CONTENT (64u << 20) /* bytes; readers refuse larger frames */
#define DISCON_FRAME_TARGET (4u << 20)       /* bytes; the writer flushes at this size */

/* Opaque; owned by the caller from create until close. */
struct discon_writer;

/* Create `path` exclusively (mode 0644). NULL on failure, with errno set
 * (EEXIST if it exists, ENOMEM, or open's errno) and a message in err. */
struct discon_writer *discon_writer_create(const char *path, char *err, size_t errlen);

/* A writer that keeps no file: each compressed frame, whole, goes to
 * sink(ctx, frame, len) instead (discond's flight recorder keeps them in
 * memory). frame is the writer's buffer, valid during the call only; the
 * sink returns 0, or -DISCON_E_NOMEM/-DISCON_E_IO with a message in err,
 * which fails the writer as a failed write would. Close it with
 * discon_writer_close (sync is ignored). NULL if out of memory. */
typedef int discon_frame_sink(void *ctx, const uint8_t *frame, size_t len, char *err,
                              size_t errlen);
struct discon_writer *discon_writer_create_sink(discon_frame_sink *sink, void *ctx, char *err,
                                                size_t errlen);

/* Append one frame as made by a writer (a sink's frame: a whole LZ4 frame
 * of whole packets), after flushing what is pending: the flight recorder
 * copies its window into a snapshot file this way. Codes as
 * discon_writer_flush. */
int discon_writer_frame(struct discon_writer *w, const uint8_t *frame, size_t len, char *err,
                        size_t errlen);

/* Append one packet (not retained: copied into the pending frame); flushes
 * the pending frame first if the packet would take it past
 * DISCON_FRAME_TARGET. -DISCON_E_TOO_LARGE for a packet over the frame
 * limit, -DISCON_E_NOMEM, or a flush's error. */
int discon_writer_packet(struct discon_writer *w, const Discon__Packet *p, char *err,
                         size_t errlen);
/* The file's header, in a frame of its own (flushed before and after). */
int discon_writer_header(struct discon_writer *w, const Discon__Header *h, char *err,
                         size_t errlen);
/* n >= 1 events of one vCPU, consecutive sequence numbers from ev[0].seq,
 * as one batch (-DISCON_E_INVALID for n == 0). ev is not retained. */
int discon_writer_events(struct discon_writer *w, const struct discon_event *ev, size_t n,
                         uint64_t ring_position, char *err, size_t errlen);
/* A loss record (events the producer dropped), and the end record (per-vCPU
 * totals; the last packet of a complete trace). Neither is retained; codes
 * as discon_writer_packet. */
int discon_writer_loss(struct discon_writer *w, const Discon__Loss *l, char *err,
                       size_t errlen);
int discon_writer_end(struct discon_writer *w, const Discon__End *e, char *err, size_t errlen);

/* Compress what is pending into one frame and write it (nothing pending:
 * nothing written). If the write fails (-DISCON_E_IO, e.g. disk full), the
 * partial frame is cut off again and the writer refuses everything after
 * with -DISCON_E_WRITER_FAILED: the file ends with its last whole frame.
 * -DISCON_E_CODEC if LZ4 refuses, -DISCON_E_NOMEM. */
int discon_writer_flush(struct discon_writer *w, char *err, size_t errlen);
/* Flush, fsync if `sync`, close and free w (always freed, even on error).
 * 0, or the first error (-DISCON_E_IO for fsync/close). */
int discon_writer_close(struct discon_writer *w, bool sync, char *err, size_t errlen);

/* Bytes waiting for the next flush (serialized, not yet compressed). */
size_t discon_writer_pending(const struct discon_writer *w);
/* Bytes written to the file so far (compressed frames). */
uint64_t discon_writer_bytes(const struct discon_writer *w);

#endif
