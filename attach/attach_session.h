/*
 * The BPF side of an attach, from the loader: checks what the machine
 * allows, loads discon_attach.bpf.c with the registers and offset the
 * decoder found, places the one uprobe in the running QEMU, hands ring
 * buffer records to a callback, and detaches leaving QEMU untouched.
 */
#ifndef DISCON_ATTACH_SESSION_H
#define DISCON_ATTACH_SESSION_H

#include "attach_event.h"
#include "dispatch_shape.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct discon_attach_session;

/* Called for each record, in ring-buffer order; non-zero stops consuming
 * and is returned by discon_attach_session_consume. */
typedef int discon_attach_record_fn(void *ctx, const struct discon_attach_record *r);

/* Whether this process may attach: root, or CAP_BPF and CAP_PERFMON in
 * its effective set. 0, or -1 with a one-line message in err. */
int discon_attach_permitted(char *err, size_t errlen);

/* Whether the kernel has uprobes and BPF ring buffers. 0, or -1 with err. */
int discon_attach_kernel_ready(char *err, size_t errlen);

/* Load the program for `shape`, with a ring buffer of ring_bytes (a power
 * of two, at least a page), and attach its uprobe to `binary` at file
 * offset probe_offset, for process `pid` only. NULL with err. */
struct discon_attach_session *discon_attach_session_start(const struct discon_dispatch_shape *shape,
                                                          const char *binary, uint64_t probe_offset,
                                                          pid_t pid, uint32_t ring_bytes,
                                                          discon_attach_record_fn *fn, void *ctx,
                                                          char *err, size_t errlen);

/* The fd to poll for records (readable when the program asks for a
 * wakeup: the ring buffer past a quarter full). */
int discon_attach_session_fd(const struct discon_attach_session *s);

/* Hand every record now in the ring buffer to fn. The number handed, or a
 * negative value (fn's, or -1 with err). */
long discon_attach_session_consume(struct discon_attach_session *s, char *err, size_t errlen);

/* Remove the uprobe: no event after this returns is seen. 0, or -1. */
int discon_attach_session_detach(struct discon_attach_session *s);

/* The BPF program's per-vCPU state (DISCON_ATTACH_MAX_VCPUS entries into
 * out) and its counters. 0, or -1 with err. */
int discon_attach_session_state(struct discon_attach_session *s, struct discon_attach_vcpu *out,
                                uint64_t counters[DISCON_ATTACH_NCOUNTERS], char *err,
                                size_t errlen);

void discon_attach_session_free(struct discon_attach_session *s);

#endif
