/*
 * discon-report --format perfetto: the trace as a Perfetto trace
 * (tools/perfetto/perfetto_trace.proto, Perfetto's own field numbers),
 * for ui.perfetto.dev and trace_processor.
 *
 * Layout: one packet sequence. First the track descriptors: one track per
 * vCPU (uuid 1 + vCPU) and one counter track per trap kind (uuid
 * KIND_UUID(kind id)). Then, streamed by the second pass (timeline.c),
 * each trap: a slice (SLICE_BEGIN at entry, SLICE_END at its return, so
 * nested traps are nested slices) when the trace recorded returns, else an
 * instant; named "kind handler", with its type as category and from, to,
 * cause, fault address and system-call number as debug annotations. Last,
 * the counters: traps per bin (10 ms, wider for traces too long for
 * PERFETTO_MAX_BINS of them) of each kind, a value at the start of every
 * bin that has traps and a 0 after each run of them, so the values of a
 * track add up to the kind's count.
 *
 * Each packet is packed by protobuf-c as a Trace of one packet: protobuf
 * concatenates repeated fields, so the file is one Trace.
 */
#include "perfetto_trace.pb-c.h"
#include "printable.h"
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SEQUENCE_ID 1u             /* the one sequence this writer is */
#define VCPU_UUID(v) (1u + (uint64_t)(v))
#define KIND_UUID(id) (0x100000u + (uint64_t)(id))
#define PERFETTO_BIN_NS 10000000u  /* counter bins: 10 ms */
#define PERFETTO_MAX_BINS 1000000u /* bounds memory: kinds x bins x 8 bytes */
#define MAX_ANNOTATIONS 8

struct file_buffer {
    ProtobufCBuffer base;
    FILE *out;
};

struct writer {
    struct file_buffer fb;
    bool started; /* the first packet clears the sequence's state */
};

static void file_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    struct file_buffer *f = (struct file_buffer *)b;
    fwrite(data, 1, len, f->out); /* errors: ferror, checked at the end */
}

static void emit(struct writer *w, Perfetto__Protos__TracePacket *p)
{
    p->optional_trusted_packet_sequence_id_case =
        PERFETTO__PROTOS__TRACE_PACKET__OPTIONAL_TRUSTED_PACKET_SEQUENCE_ID_TRUSTED_PACKET_SEQUENCE_ID;
    p->trusted_packet_sequence_id = SEQUENCE_ID;
    if (!w->started) {
        p->has_sequence_flags = 1;
        p->sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED;
        w->started = true;
    }
    Perfetto__Protos__TracePacket *one[1] = {p};
    Perfetto__Protos__Trace t = PERFETTO__PROTOS__TRACE__INIT;
    t.n_packet = 1;
    t.packet = one;
    perfetto__protos__trace__pack_to_buffer(&t, &w->fb.base);
}

/* A track (counter: a counter track of unit_name). */
static void emit_track(struct writer *w, uint64_t uuid, const char *name, const char *unit_name,
                       int32_t rank)
{
    Perfetto__Protos__CounterDescriptor c = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;
    Perfetto__Protos__TrackDescriptor d = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
    d.has_uuid = 1;
    d.uuid = uuid;
    d.static_or_dynamic_name_case = PERFETTO__PROTOS__TRACK_DESCRIPTOR__STATIC_OR_DYNAMIC_NAME_NAME;
    d.name = (char *)name;
    d.has_sibling_order_rank = 1;
    d.sibling_order_rank = rank;
    if (unit_name) {
        c.unit_name = (char *)unit_name;
        d.counter = &c;
    }
    Perfetto__Protos__TracePacket p = PERFETTO__PROTOS__TRACE_PACKET__INIT;
    p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_DESCRIPTOR;
    p.track_descriptor = &d;
    emit(w, &p);
}

static void emit_event(struct writer *w, uint64_t ts, Perfetto__Protos__TrackEvent *e)
{
    Perfetto__Protos__TracePacket p = PERFETTO__PROTOS__TRACE_PACKET__INIT;
    p.has_timestamp = 1;
    p.timestamp = ts;
    p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_EVENT;
    p.track_event = e;
    emit(w, &p);
}

/* The annotations of a trap, in a[] (its strings in sym[][]): their number. */
static size_t annotate(const struct report *r, const struct discon_trap *t,
                       Perfetto__Protos__DebugAnnotation *a, char sym[2][256])
{
    static const Perfetto__Protos__DebugAnnotation init = PERFETTO__PROTOS__DEBUG_ANNOTATION__INIT;
    struct { const char *name; bool has; uint64_t v; int value_case; } f[] = {
        {"from", true, t->from_pc, PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_POINTER_VALUE},
        {"to", true, t->to_pc, PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_POINTER_VALUE},
        {"cause", t->has & DISCON_HAS_CAUSE, t->cause,
         PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_POINTER_VALUE},
        {"fault_addr", t->has & DISCON_HAS_FAULT_ADDR, t->fault_addr,
         PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_POINTER_VALUE},
        {"syscall", discon_trap_syscall(t) >= 0, (uint64_t)discon_trap_syscall(t),
         PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_UINT_VALUE},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!f[i].has)
            continue;
        a[n] = init;
        a[n].name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME;
        a[n].name = (char *)f[i].name;
        a[n].value_case = (Perfetto__Protos__DebugAnnotation__ValueCase)f[i].value_case;
        a[n++].uint_value = f[i].v; /* pointer_value and uint_value: one uint64 */
    }
    /* The symbols of from and to, where known. */
    const char *names[2] = {"from_symbol", "to_symbol"};
    uint64_t pcs[2] = {t->from_pc, t->to_pc};
    for (int i = 0; i < 2; i++) {
        char raw[256];
        if (!report_symbol(r, pcs[i], raw, sizeof raw)[0])
            continue;
        a[n] = init;
        a[n].name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME;
        a[n].name = (char *)names[i];
        a[n].value_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE;
        a[n++].string_value = discon_printable(sym[i], sizeof sym[i], raw);
    }
    return n;
}

struct perfetto_sink {
    struct writer *w;
    const struct report *r; /* the first pass: its symbols */
};

static int trap_taken(void *ctx, const struct timeline_trap *tt)
{
    struct perfetto_sink *s = ctx;
    const struct discon_trap *t = tt->trap;
    Perfetto__Protos__DebugAnnotation a[MAX_ANNOTATIONS], *ap[MAX_ANNOTATIONS];
    char sym[2][256], name[320];
    size_t n = annotate(s->r, t, a, sym);
    for (size_t i = 0; i < n; i++)
        ap[i] = &a[i];
    char *category = (char *)report_type_name(t->type);
    Perfetto__Protos__TrackEvent e = PERFETTO__PROTOS__TRACK_EVENT__INIT;
    e.n_categories = 1;
    e.categories = &category;
    e.name_field_case = PERFETTO__PROTOS__TRACK_EVENT__NAME_FIELD_NAME;
    e.name = discon_printable(name, sizeof name, tt->name);
    e.has_type = 1;
    e.type = tt->opens ? PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN
                       : PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT;
    e.has_track_uuid = 1;
    e.track_uuid = VCPU_UUID(t->vcpu);
    e.n_debug_annotations = n;
    e.debug_annotations = ap;
    emit_event(s->w, t->time_ns, &e);
    return ferror(s->w->fb.out) ? -1 : 0;
}

/* The end of a slice; one that did not return says how it ended. */
static int trap_ended(void *ctx, const struct discon_trap *t, uint64_t end_ns)
{
    struct perfetto_sink *s = ctx;
    Perfetto__Protos__DebugAnnotation a = PERFETTO__PROTOS__DEBUG_ANNOTATION__INIT, *ap = &a;
    a.name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME;
    a.name = "end";
    a.value_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE;
    a.string_value = (char *)discon_trap_end_name(t->end);
    Perfetto__Protos__TrackEvent e = PERFETTO__PROTOS__TRACK_EVENT__INIT;
    e.has_type = 1;
    e.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END;
    e.has_track_uuid = 1;
    e.track_uuid = VCPU_UUID(t->vcpu);
    if (t->end != DISCON_TRAP_RETURNED && a.string_value) {
        e.n_debug_annotations = 1;
        e.debug_annotations = &ap;
    }
    emit_event(s->w, end_ns, &e);
    return ferror(s->w->fb.out) ? -1 : 0;
}

static void emit_count(struct writer *w, uint64_t uuid, uint64_t ts, uint64_t v)
{
    Perfetto__Protos__TrackEvent e = PERFETTO__PROTOS__TRACK_EVENT__INIT;
    e.has_type = 1;
    e.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER;
    e.has_track_uuid = 1;
    e.track_uuid = uuid;
    e.counter_value_field_case = PERFETTO__PROTOS__TRACK_EVENT__COUNTER_VALUE_FIELD_COUNTER_VALUE;
    e.counter_value = (int64_t)v;
    emit_event(w, ts, &e);
}

/* Each kind's counter values (see the header comment). */
static void emit_counters(struct writer *w, const struct timeline *tl)
{
    for (size_t k = 0; k < tl->nkinds; k++) {
        const uint64_t *bins = tl->kind_bins[k];
        for (size_t b = 0; b < tl->nbins; b++)
            if (bins[b] || (b && bins[b - 1]))
                emit_count(w, KIND_UUID(tl->kinds[k]->id), tl->start_ns + b * tl->bin_ns, bins[b]);
        if (bins[tl->nbins - 1])
            emit_count(w, KIND_UUID(tl->kinds[k]->id), tl->start_ns + tl->nbins * tl->bin_ns, 0);
    }
}

/* The tracks, from the first pass: its vCPUs and its kinds. */
static void emit_tracks(struct writer *w, const struct report *r, uint64_t bin_ns)
{
    char name[160], unit[48];
    for (uint32_t v = 0; v < r->nvcpus; v++)
        if (r->vcpu[v].traps) {
            snprintf(name, sizeof name, "vCPU %u", v);
            emit_track(w, VCPU_UUID(v), name, NULL, (int32_t)v);
        }
    snprintf(unit, sizeof unit, "traps per %g ms", (double)bin_ns / 1e6);
    size_t *idx = pc_counts_sorted(&r->kinds, 0);
    for (size_t i = 0; idx && idx[i] != SIZE_MAX; i++) {
        const struct discon_kind *k = discon_kind_by_id((unsigned)r->kinds.pc[idx[i]]);
        if (!k)
            continue;
        snprintf(name, sizeof name, "%s (%s)", k->name, unit);
        emit_track(w, KIND_UUID(k->id), name, unit, (int32_t)(REPORT_MAX_VCPUS + i));
    }
    free(idx);
}

int render_perfetto(const struct report_args *a, const struct report *r, FILE *out, char *err,
                    size_t errlen)
{
    struct writer w = {.fb = {.base = {.append = file_append}, .out = out}};
    struct perfetto_sink s = {.w = &w, .r = r};
    struct timeline_sink sink = {.ctx = &s, .taken = trap_taken, .ended = trap_ended};
    struct timeline tl;
    /* The bin width is known before the pass: the first pass's window. */
    uint64_t bin_ns = timeline_bin_ns(r, PERFETTO_BIN_NS, PERFETTO_MAX_BINS);
    emit_tracks(&w, r, bin_ns);
    err[0] = '\0';
    if (timeline_run(a, r, bin_ns, PERFETTO_MAX_BINS, &sink, &tl, err, errlen)) {
        if (ferror(out))
            snprintf(err, errlen, "cannot write the trace: %s", strerror(errno));
        return -1;
    }
    emit_counters(&w, &tl);
    timeline_free(&tl);
    if (ferror(out)) {
        snprintf(err, errlen, "cannot write the trace: %s", strerror(errno));
        return -1;
    }
    return 0;
}
