/*
 * For power loss: each frame of a trace file on the device before the next
 * is due (fdatasync), unless --no-sync; used by discond's drain (drain.c)
 * and the attach trace (attach/attach_trace.c) alike. The trace writer
 * keeps its descriptor to itself, so a second one of the same file is
 * synced (any descriptor of a file syncs its data).
 */
#ifndef DISCON_FRAME_SYNC_H
#define DISCON_FRAME_SYNC_H

#include <stddef.h>

/* Open *fd on the new file `path` and fsync its directory `dir` once, so
 * that the new name survives too. 0, or -1 with err (*fd may then be open:
 * discon_frame_sync_close it). */
int discon_frame_sync_open(int *fd, const char *path, const char *dir, char *err, size_t errlen);

/* After a frame: the file's data on the device; fd < 0 (--no-sync):
 * nothing. 0, or -1 with err naming path. */
int discon_frame_sync(int fd, const char *path, char *err, size_t errlen);

/* Close *fd if open; *fd = -1. */
void discon_frame_sync_close(int *fd);

#endif
