/*
 * The inputs of discon_read_paths in the order a trace was written,
 * whatever order they were named in: directories expanded to their trace
 * files (trace_names.h), then every file's header read (its first frame
 * only) and the files sorted by trace, then by file index. Internal to
 * libdiscon-trace (not exported).
 *
 * Why by header and not by name: a file's index is what its writer said
 * (Header.file_index), and a name may have been changed (copied, renamed,
 * given as `ls -t` lists them); sequence continuity is only checkable in
 * the order the writer wrote.
 */
#ifndef DISCON_TRACE_ORDER_H
#define DISCON_TRACE_ORDER_H

#include <stddef.h>
#include <stdint.h>

/* One input file. A file whose header could not be read (not a trace,
 * unreadable, empty) has has_header 0: it sorts before every trace file,
 * in the order given, so the read reports it first. */
struct discon_input_file {
    char *path;           /* malloc'ed */
    int has_header;
    int empty;            /* 0 bytes: the state a crash before the first frame leaves */
    uint8_t trace_id[16];
    size_t trace_id_len;
    uint64_t realtime_ns; /* the trace's clock reference: traces sort by start */
    uint32_t file_index;
    size_t given;         /* position among the inputs, for a stable order */
};

struct discon_input_list {
    struct discon_input_file *file;
    size_t n, cap;
};

/* Expand and sort paths[0..n) into *out (zeroed by the caller). Returns 0,
 * or -DISCON_E_IO (a path that cannot be stat'ed or listed, or is too
 * long), -DISCON_E_EMPTY (a directory without trace files) or
 * -DISCON_E_NOMEM, with a message in err[0..errlen). *out must be freed
 * with discon_inputs_free whatever the result. */
int discon_inputs_order(char *const *paths, int n, struct discon_input_list *out, char *err,
                        size_t errlen);

void discon_inputs_free(struct discon_input_list *l);

#endif
