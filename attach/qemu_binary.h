/*
 * QEMU's binary on disk, read with libelf: the dispatcher symbols, the
 * code around them, and the file offsets a uprobe needs. Checks the
 * dispatchers' shape (dispatch_shape.h) before anything is trusted.
 */
#ifndef DISCON_QEMU_BINARY_H
#define DISCON_QEMU_BINARY_H

#include "dispatch_shape.h"

#include <stddef.h>
#include <stdint.h>

/* Why a binary was refused (the message in err says the details). */
enum discon_binary_result {
    DISCON_BINARY_OK = 0,
    DISCON_BINARY_IO = -1,        /* unreadable, not ELF */
    DISCON_BINARY_NO_PLUGINS = -2, /* a dispatcher symbol is missing */
    DISCON_BINARY_SHAPE = -3,     /* not the shape dispatch_shape.h knows */
};

/* Decode `path`'s dispatchers: fills *s and *probe_offset (the file offset
 * of s->probe, what a uprobe is attached at). DISCON_BINARY_OK, or a
 * negative result with a one-line message in err. */
int discon_binary_inspect(const char *path, struct discon_dispatch_shape *s,
                          uint64_t *probe_offset, char *err, size_t errlen);

#endif
