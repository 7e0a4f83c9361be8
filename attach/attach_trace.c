/* The trace file of an attach: see attach_trace.h. */
#define _GNU_SOURCE
#include "attach_trace.h"
#include "discon_clock.h"
#include "frame_sync.h"
#include "trace_names.h"
#include "trace_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)
#define BATCH_MAX 8192 /* events per EventBatch, as discond's drain */

/* What an attach cannot see: QEMU's registers (the cause columns). */
static char *const lacks[] = {"cause", "fault_addr", "syscall", "to_level", "from_level"};

struct vcpu {
    uint64_t next_seq, written, lost;
    uint64_t by_type[DISCON_NTYPES];
    struct discon_event *pending;
    size_t npending;
};

struct discon_attach_trace {
    struct discon_writer *w;
    int sync_fd; /* the file being written, for fdatasync; -1 with --no-sync */
    char dir[4096], path[4096 + 256], prefix[64], probe_desc[256];
    struct discon_attach_info info; /* probe_desc pointing at ours */
    uint64_t realtime;              /* at open: in the trace id and every header */
    uint64_t opened_ns;             /* CLOCK_MONOTONIC when this file was opened */
    uint64_t bytes_closed, bytes;   /* of the closed files; of all, once finished */
    uint32_t file_index, files;
    struct discon_disk_bound bound; /* --max-files, --max-size */
    struct vcpu v[DISCON_ATTACH_MAX_VCPUS];
};

static int write_header(struct discon_attach_trace *t, char *err, size_t errlen)
{
    const struct discon_attach_info *info = &t->info;
    const struct discon_qemu_process *q = info->qemu;
    uint64_t realtime = t->realtime;
    uint8_t id[16];
    uint32_t pid = (uint32_t)q->pid;
    memcpy(id, &realtime, 8);
    memcpy(id + 8, &pid, 4);
    memcpy(id + 12, &info->attach_ns, 4);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    Discon__ClockReference clock = DISCON__CLOCK_REFERENCE__INIT;
    clock.monotonic_ns = info->attach_ns;
    clock.realtime_ns = realtime;
    Discon__Header h = DISCON__HEADER__INIT;
    h.format_version = DISCON_FORMAT_VERSION;
    h.trace_id = (ProtobufCBinaryData){sizeof id, id};
    h.file_index = t->file_index;
    h.target = (char *)q->target;
    h.vcpu_count = q->vcpus;
    h.system_mode = true; /* only qemu-system-* is attached to */
    h.host_name = host;
    h.n_qemu_argv = (size_t)q->argc;
    h.qemu_argv = q->argv;
    h.plugin_options = (char *)info->probe_desc;
    h.clock = &clock;
    h.ring_capacity = info->ring_bytes / sizeof(struct discon_attach_record);
    h.mode = (char *)"drop"; /* a full BPF ring buffer loses and counts */
    h.types = DISCON_TYPES_ALL;
    h.producer_pid = q->pid;
    h.source = (char *)"attach";
    h.n_lacks = sizeof lacks / sizeof lacks[0];
    h.lacks = (char **)lacks;
    h.removed = discon_bound_header(&t->bound);
    return discon_writer_header(t->w, &h, err, errlen);
}

/* Create file t->file_index and write its header. 0, or -1 with err. */
static int open_file(struct discon_attach_trace *t, char *err, size_t errlen)
{
    char name[256];
    discon_trace_file_name(name, sizeof name, t->prefix, t->file_index);
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    t->opened_ns = discon_clock_ns(CLOCK_MONOTONIC);
    if (!(t->w = discon_writer_create(t->path, err, errlen)))
        return -1;
    t->files++;
    if (write_header(t, err, errlen) != 0 ||
        (!t->info.files->no_sync &&
         discon_frame_sync_open(&t->sync_fd, t->path, t->dir, err, errlen) != 0))
        return -1;
    return discon_bound_opened(&t->bound, t->file_index, t->path, err, errlen);
}

struct discon_attach_trace *discon_attach_trace_open(const char *dir,
                                                     const struct discon_attach_info *info,
                                                     char *err, size_t errlen)
{
    struct discon_attach_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if ((size_t)snprintf(t->dir, sizeof t->dir, "%s", dir) >= sizeof t->dir) {
        snprintf(err, errlen, "%s: path too long", dir);
        free(t);
        return NULL;
    }
    t->info = *info;
    t->sync_fd = -1;
    discon_bound_init(&t->bound, DISCON_ATTACH_MAX_VCPUS, (uint32_t)info->files->max_files,
                      info->files->max_size, info->files->rotate_size);
    snprintf(t->probe_desc, sizeof t->probe_desc, "%s", info->probe_desc);
    t->info.probe_desc = t->probe_desc;
    t->realtime = discon_clock_ns(CLOCK_REALTIME);
    snprintf(t->prefix, sizeof t->prefix, "trace-%016llx-%d", (unsigned long long)t->realtime,
             (int)info->qemu->pid);
    if (open_file(t, err, errlen) != 0) {
        discon_attach_trace_free(t);
        return NULL;
    }
    return t;
}

static int encode(struct discon_attach_trace *t, struct vcpu *v, char *err, size_t errlen)
{
    if (v->npending == 0)
        return 0;
    /* No ring position: the BPF ring buffer has none a reader could use. */
    if (discon_writer_events(t->w, v->pending, v->npending, 0, err, errlen) != 0)
        return -1;
    discon_bound_note(&t->bound, v->pending[0].vcpu, v->pending[0].seq, v->npending,
                      v->pending[0].time_ns, v->pending[v->npending - 1].time_ns);
    v->written += v->npending;
    v->npending = 0;
    return 0;
}

static int loss(struct discon_attach_trace *t, uint32_t vcpu, uint64_t count, uint64_t first_ns,
                uint64_t last_ns, char *err, size_t errlen)
{
    struct vcpu *v = &t->v[vcpu];
    if (encode(t, v, err, errlen) != 0)
        return -1;
    Discon__Loss l = DISCON__LOSS__INIT;
    l.vcpu = vcpu;
    l.first_seq = v->next_seq;
    l.count = count;
    l.first_time_ns = first_ns;
    l.last_time_ns = last_ns;
    v->next_seq += count;
    v->lost += count;
    if (discon_writer_loss(t->w, &l, err, errlen) != 0)
        return -1;
    discon_bound_note(&t->bound, vcpu, l.first_seq, count, first_ns, last_ns);
    return 0;
}

int discon_attach_trace_record(struct discon_attach_trace *t,
                               const struct discon_attach_record *r, char *err, size_t errlen)
{
    if (r->vcpu >= DISCON_ATTACH_MAX_VCPUS)
        return FAIL("record of vCPU %u beyond %u", r->vcpu, DISCON_ATTACH_MAX_VCPUS);
    struct vcpu *v = &t->v[r->vcpu];
    int type = discon_type_index(r->type);
    if (type < 0)
        return FAIL("vCPU %u: event %llu has unknown type %u", r->vcpu,
                    (unsigned long long)r->seq, r->type);
    /* The BPF program numbers each vCPU's events with no gap but its
     * counted losses: anything else means records were mixed up. */
    if (r->seq != v->next_seq + r->lost)
        return FAIL("vCPU %u: event %llu after %llu with %llu lost between", r->vcpu,
                    (unsigned long long)r->seq, (unsigned long long)v->next_seq,
                    (unsigned long long)r->lost);
    if (r->lost && loss(t, r->vcpu, r->lost, r->lost_first_ns, r->lost_last_ns, err, errlen))
        return -1;
    if (!v->pending && !(v->pending = malloc(BATCH_MAX * sizeof *v->pending)))
        return FAIL("out of memory");
    v->pending[v->npending++] = (struct discon_event){
        .seq = v->next_seq++, .time_ns = r->time_ns, .from_pc = r->from_pc,
        .to_pc = r->to_pc, .vcpu = r->vcpu, .type = (uint8_t)r->type};
    v->by_type[type]++;
    return v->npending == BATCH_MAX ? encode(t, v, err, errlen) : 0;
}

uint64_t discon_attach_trace_seen(const struct discon_attach_trace *t, uint32_t v)
{
    return v < DISCON_ATTACH_MAX_VCPUS ? t->v[v].next_seq : 0;
}

/* The next file, then the full one closed (fsynced); on failure the full
 * one stays the file being written. */
static int rotate(struct discon_attach_trace *t, char *err, size_t errlen)
{
    struct discon_writer *full = t->w;
    char full_path[sizeof t->path];
    memcpy(full_path, t->path, sizeof full_path);
    uint64_t full_opened = t->opened_ns;
    int full_sync = t->sync_fd;
    /* The oldest files beyond the bound go before the next one comes. */
    if (discon_bound_rotate(&t->bound, discon_writer_bytes(full), err, errlen) != 0)
        return -1;
    t->file_index++;
    t->w = NULL;
    t->sync_fd = -1;
    if (open_file(t, err, errlen) != 0) {
        discon_frame_sync_close(&t->sync_fd);
        t->sync_fd = full_sync;
        if (t->w) {
            char ignore[16];
            discon_writer_close(t->w, false, ignore, sizeof ignore);
            unlink(t->path);
            t->files--;
        }
        t->w = full;
        memcpy(t->path, full_path, sizeof t->path);
        t->opened_ns = full_opened;
        t->file_index--;
        return -1;
    }
    t->bytes_closed += discon_writer_bytes(full);
    discon_frame_sync_close(&full_sync);
    return discon_writer_close(full, true, err, errlen);
}

int discon_attach_trace_flush(struct discon_attach_trace *t, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < DISCON_ATTACH_MAX_VCPUS; i++)
        if (encode(t, &t->v[i], err, errlen) != 0)
            return -1;
    if (discon_writer_flush(t->w, err, errlen) != 0 ||
        discon_frame_sync(t->sync_fd, t->path, err, errlen) != 0)
        return -1;
    const struct discon_file_options *f = t->info.files;
    bool by_size = f->rotate_size && discon_writer_bytes(t->w) >= f->rotate_size;
    bool by_age = f->rotate_s &&
                  discon_clock_ns(CLOCK_MONOTONIC) - t->opened_ns >= f->rotate_s * 1000000000u;
    return by_size || by_age ? rotate(t, err, errlen) : 0;
}

/* The End record's per-vCPU totals. */
static int write_end(struct discon_attach_trace *t, uint64_t unrecorded, bool finished,
                     char *err, size_t errlen)
{
    static Discon__VcpuTotals totals[DISCON_ATTACH_MAX_VCPUS];
    static Discon__VcpuTotals *ptrs[DISCON_ATTACH_MAX_VCPUS];
    size_t used = 0;
    for (uint32_t i = 0; i < DISCON_ATTACH_MAX_VCPUS; i++) {
        const struct vcpu *v = &t->v[i];
        if (v->next_seq == 0)
            continue;
        discon__vcpu_totals__init(&totals[used]);
        totals[used].vcpu = i;
        totals[used].produced = v->next_seq;
        totals[used].dropped = v->lost;
        totals[used].written = v->written;
        ptrs[used] = &totals[used];
        used++;
    }
    Discon__End e = DISCON__END__INIT;
    e.n_vcpu = used;
    e.vcpu = ptrs;
    e.producer_finished = finished;
    e.unrecorded = unrecorded;
    e.end_monotonic_ns = discon_clock_ns(CLOCK_MONOTONIC);
    return discon_writer_end(t->w, &e, err, errlen);
}

int discon_attach_trace_finish(struct discon_attach_trace *t,
                               const struct discon_attach_vcpu *final, uint64_t unrecorded,
                               bool producer_finished, char *err, size_t errlen)
{
    int rc = 0;
    for (uint32_t i = 0; i < DISCON_ATTACH_MAX_VCPUS && rc == 0; i++) {
        rc = encode(t, &t->v[i], err, errlen);
        /* Lost after the vCPU's last record: only the BPF state knows. */
        if (rc == 0 && final && final[i].next_seq > t->v[i].next_seq)
            rc = loss(t, i, final[i].next_seq - t->v[i].next_seq, final[i].lost_first_ns,
                      final[i].lost_last_ns, err, errlen);
    }
    if (rc == 0)
        rc = write_end(t, unrecorded, producer_finished, err, errlen);
    t->bytes = t->bytes_closed + discon_writer_bytes(t->w);
    int crc = discon_writer_close(t->w, true, err, rc == 0 ? errlen : 0);
    t->w = NULL;
    discon_frame_sync_close(&t->sync_fd);
    if (crc == 0)
        return rc;
    return -1;
}

void discon_attach_trace_totals(const struct discon_attach_trace *t,
                                struct discon_drain_totals *totals)
{
    *totals = (struct discon_drain_totals){
        .bytes = t->w ? t->bytes_closed + discon_writer_bytes(t->w) : t->bytes,
        .files = t->files};
    for (uint32_t i = 0; i < DISCON_ATTACH_MAX_VCPUS; i++) {
        const struct vcpu *v = &t->v[i];
        totals->events += v->written + v->npending;
        totals->lost += v->lost;
        for (int k = 0; k < DISCON_NTYPES; k++)
            totals->by_type[k] += v->by_type[k];
    }
}

const char *discon_attach_trace_path(const struct discon_attach_trace *t) { return t->path; }

void discon_attach_trace_free(struct discon_attach_trace *t)
{
    if (!t)
        return;
    if (t->w) {
        char ignore[16];
        discon_writer_close(t->w, false, ignore, sizeof ignore);
    }
    discon_frame_sync_close(&t->sync_fd);
    for (uint32_t i = 0; i < DISCON_ATTACH_MAX_VCPUS; i++)
        free(t->v[i].pending);
    discon_bound_free(&t->bound);
    free(t);
}
