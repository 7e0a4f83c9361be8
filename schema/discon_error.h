/*
 * Error codes of libdiscon-trace.
 *
 * Convention: every library function that can fail returns 0 (or a count,
 * where documented) on success and the negated code, -DISCON_E_x, on
 * failure, so `rc < 0` is always "failed" and `-rc` is the code. Functions
 * that also take `char *err, size_t errlen` write a one-line message there
 * (naming the file and offset where it helps) for the person running the
 * tool; programs decide on the code, never on the message. No function of
 * the library returns a process exit status.
 */
#ifndef DISCON_ERROR_H
#define DISCON_ERROR_H

enum discon_err {
    DISCON_OK = 0,
    DISCON_E_IO,         /* open, stat, mmap, write, fsync or close failed (errno in err) */
    DISCON_E_NOMEM,      /* an allocation failed */
    DISCON_E_NOT_TRACE,  /* not a regular file, or it does not start with an LZ4 frame */
    DISCON_E_EMPTY,      /* an empty file, or a directory with no *.discon files */
    DISCON_E_DAMAGED,    /* a frame that does not decompress or decode */
    DISCON_E_STOPPED,    /* a reader callback asked to stop */
    DISCON_E_TOO_LARGE,  /* a frame or packet over DISCON_FRAME_MAX_CONTENT bytes */
    DISCON_E_BAD_BATCH,  /* an event batch whose columns disagree or hold unknown values */
    DISCON_E_INVALID,    /* a bad argument (e.g. a batch of no events) */
    DISCON_E_WRITER_FAILED, /* the writer failed before and refuses more (the file ends
                               with its last whole frame) */
    DISCON_E_CODEC,      /* the LZ4 library refused to compress */
    DISCON_E_COUNT       /* number of codes; not a code */
};

/* A static, one-line English description of `code` (either sign: 5 and -5
 * name the same error); "unknown error" for a value that is not a code.
 * Never NULL; the string lives as long as the process and is not freed. */
const char *discon_strerror(int code);

#endif
