/*
 * The one writer of discon trace files. Packets accumulate in memory and
 * go to disk as one self-contained LZ4 frame per flush, so a crash loses at
 * most the packets since the last flush, and a damaged frame loses only
 * itself. Frames never exceed DISCON_FRAME_MAX_CONTENT decompressed bytes.
 */
#ifndef DISCON_TRACE_WRITER_H
#define DISCON_TRACE_WRITER_H

#include "batch_codec.h"

#include <stdbool.h>
#include <stddef.h>

#define DISCON_FORMAT_VERSION 1
#define DISCON_FRAME_MAX_CONTENT (64u << 20) /* readers refuse larger frames */
#define DISCON_FRAME_TARGET (4u << 20)       /* writer flushes at this size */

struct discon_writer;

/* Create `path` exclusively. NULL with err on failure. */
struct discon_writer *discon_writer_create(const char *path, char *err, size_t errlen);

/* Append one packet; flushes a frame first if the pending one is full. */
int discon_writer_packet(struct discon_writer *w, const Discon__Packet *p, char *err,
                         size_t errlen);
int discon_writer_header(struct discon_writer *w, const Discon__Header *h, char *err,
                         size_t errlen);
int discon_writer_events(struct discon_writer *w, const struct discon_event *ev, size_t n,
                         uint64_t ring_position, char *err, size_t errlen);
int discon_writer_loss(struct discon_writer *w, const Discon__Loss *l, char *err,
                       size_t errlen);
int discon_writer_end(struct discon_writer *w, const Discon__End *e, char *err, size_t errlen);

/* Compress what is pending into one frame and write it. If the write
 * fails (disk full), the partial frame is cut off again and the writer
 * refuses everything after: the file ends with its last whole frame. */
int discon_writer_flush(struct discon_writer *w, char *err, size_t errlen);
/* Flush, optionally fsync, close and free. 0, or -1 with err. */
int discon_writer_close(struct discon_writer *w, bool sync, char *err, size_t errlen);

size_t discon_writer_pending(const struct discon_writer *w);
uint64_t discon_writer_bytes(const struct discon_writer *w); /* written to disk */

#endif
