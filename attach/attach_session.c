/* Loading and attaching the BPF program: see attach_session.h. */
#define _GNU_SOURCE
#include "attach_session.h"
#include "discon_attach.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct discon_attach_session {
    struct discon_attach_bpf *skel;
    struct bpf_link *link;
    struct ring_buffer *rb;
    discon_attach_record_fn *fn;
    void *ctx;
    int fn_rc;
};

/* libbpf's own messages: only its last warning, kept for our one line. */
static char libbpf_last[256];
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (getenv("DISCON_ATTACH_DEBUG")) /* everything, the verifier's log included */
        return vfprintf(stderr, fmt, ap);
    if (level == LIBBPF_WARN) {
        vsnprintf(libbpf_last, sizeof libbpf_last, fmt, ap);
        libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
    }
    return 0;
}

int discon_attach_permitted(char *err, size_t errlen)
{
    if (geteuid() == 0)
        return 0;
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2] = {{0}};
    if (syscall(SYS_capget, &hdr, data) == 0) {
        uint64_t eff = data[0].effective | (uint64_t)data[1].effective << 32;
        if ((eff >> CAP_BPF & 1) && (eff >> CAP_PERFMON & 1))
            return 0;
    }
    return FAIL("no permission: attaching needs root or CAP_BPF and CAP_PERFMON");
}

int discon_attach_kernel_ready(char *err, size_t errlen)
{
    if (access("/sys/bus/event_source/devices/uprobe/type", R_OK) != 0)
        return FAIL("this kernel has no uprobes (no /sys/bus/event_source/devices/uprobe)");
    if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1)
        return FAIL("this kernel has no BPF ring buffers (BPF_MAP_TYPE_RINGBUF)");
    return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
    struct discon_attach_session *s = ctx;
    if (size < sizeof(struct discon_attach_record))
        return s->fn_rc = -EINVAL;
    struct discon_attach_record r;
    memcpy(&r, data, sizeof r);
    return s->fn_rc = s->fn(s->ctx, &r);
}

static int load(struct discon_attach_session *s, const struct discon_dispatch_shape *shape,
                uint32_t ring_bytes, char *err, size_t errlen)
{
    if (!(s->skel = discon_attach_bpf__open()))
        return FAIL("cannot open the BPF program: %s", libbpf_last);
    s->skel->rodata->cpu_reg = shape->cpu_reg;
    s->skel->rodata->type_reg = shape->type_reg;
    s->skel->rodata->from_reg = shape->from_reg;
    s->skel->rodata->to_reg = shape->to_reg;
    s->skel->rodata->cpu_index_offset = shape->cpu_index_offset;
    s->skel->rodata->wakeup_bytes = ring_bytes / 4;
    if (bpf_map__set_max_entries(s->skel->maps.events, ring_bytes) != 0)
        return FAIL("bad BPF ring buffer size %u", ring_bytes);
    if (discon_attach_bpf__load(s->skel) != 0)
        return FAIL("cannot load the BPF program: %s", libbpf_last);
    return 0;
}

struct discon_attach_session *discon_attach_session_start(const struct discon_dispatch_shape *shape,
                                                          const char *binary, uint64_t probe_offset,
                                                          pid_t pid, uint32_t ring_bytes,
                                                          discon_attach_record_fn *fn, void *ctx,
                                                          char *err, size_t errlen)
{
    libbpf_set_print(libbpf_print);
    struct discon_attach_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->fn = fn;
    s->ctx = ctx;
    if (load(s, shape, ring_bytes, err, errlen) != 0)
        goto fail;
    s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_sample, s, NULL);
    if (!s->rb) {
        snprintf(err, errlen, "cannot map the BPF ring buffer: %s", strerror(errno));
        goto fail;
    }
    s->link = bpf_program__attach_uprobe(s->skel->progs.discon_after_get_pc, false, pid, binary,
                                         (size_t)probe_offset);
    if (!s->link) {
        snprintf(err, errlen, "cannot place the uprobe in %s at 0x%llx: %s", binary,
                 (unsigned long long)probe_offset, strerror(errno));
        goto fail;
    }
    return s;
fail:
    discon_attach_session_free(s);
    return NULL;
}

int discon_attach_session_fd(const struct discon_attach_session *s)
{
    return ring_buffer__epoll_fd(s->rb);
}

long discon_attach_session_consume(struct discon_attach_session *s, char *err, size_t errlen)
{
    s->fn_rc = 0;
    int n = ring_buffer__consume(s->rb);
    if (s->fn_rc != 0)
        return s->fn_rc < 0 ? s->fn_rc : -s->fn_rc;
    if (n < 0)
        return FAIL("reading the BPF ring buffer: %s", strerror(-n));
    return n;
}

int discon_attach_session_detach(struct discon_attach_session *s)
{
    int rc = s->link ? bpf_link__destroy(s->link) : 0;
    s->link = NULL;
    return rc;
}

int discon_attach_session_state(struct discon_attach_session *s, struct discon_attach_vcpu *out,
                                uint64_t counters[DISCON_ATTACH_NCOUNTERS], char *err,
                                size_t errlen)
{
    int vfd = bpf_map__fd(s->skel->maps.vcpus), cfd = bpf_map__fd(s->skel->maps.counters);
    for (uint32_t k = 0; k < DISCON_ATTACH_MAX_VCPUS; k++)
        if (bpf_map_lookup_elem(vfd, &k, &out[k]) != 0)
            return FAIL("reading the BPF vCPU state: %s", strerror(errno));
    for (uint32_t k = 0; k < DISCON_ATTACH_NCOUNTERS; k++)
        if (bpf_map_lookup_elem(cfd, &k, &counters[k]) != 0)
            return FAIL("reading the BPF counters: %s", strerror(errno));
    return 0;
}

void discon_attach_session_free(struct discon_attach_session *s)
{
    if (!s)
        return;
    discon_attach_session_detach(s);
    ring_buffer__free(s->rb);
    discon_attach_bpf__destroy(s->skel);
    free(s);
}
