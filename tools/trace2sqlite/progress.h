/* trace2sqlite: a progress bar on stderr when it is a terminal, by bytes
 * of the inputs read, redrawn each percent. */
#ifndef T2S_PROGRESS_H
#define T2S_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    bool tty;               /* stderr is a terminal */
    bool on;                /* ... and there is input to measure by */
    uint64_t total_bytes;   /* of every trace file named or in a named directory */
    uint64_t done_bytes;    /* of the files finished */
    uint64_t file_bytes;    /* into the current file */
    int last_percent;
};

/* Measure the inputs (paths[0..n): files, or directories of *.discon). */
void progress_init(struct progress *p, char *const *paths, int n);

/* Reading is at `offset` of a file of `size` bytes (offset == size: the
 * file is done); `events` read so far. */
void progress_update(struct progress *p, uint64_t offset, uint64_t size, uint64_t events);

/* End the bar's line. */
void progress_end(const struct progress *p);

#endif
