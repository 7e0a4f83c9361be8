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
 * Strings are interned, as Perfetto's own writers do: an event's name and
 * category, an annotation's name and a string annotation's value are iids
 * into InternedData tables (perfetto_intern.h), each string sent once, in
 * the packet that first uses it. The sequence's first packet says
 * SEQ_INCREMENTAL_STATE_CLEARED, every later one
 * SEQ_NEEDS_INCREMENTAL_STATE (a reader that lost the start must not
 * guess the names). A trap then costs its timestamp, iids and numbers
 * only: 57 bytes instead of 132 on the x86_64 boot of tests/data, most of
 * it the addresses (ten-byte varints for kernel addresses).
 *
 * Each packet is packed by protobuf-c as a Trace of one packet: protobuf
 * concatenates repeated fields, so the file is one Trace.
 */
#include "perfetto_intern.h"
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
#define MAX_NEW_STRINGS 16         /* per packet: a trap uses at most 11 strings */

struct file_buffer {
    ProtobufCBuffer base;
    FILE *out;
};

/* The InternedData tables the writer fills, one perfetto_intern each. */
enum intern_table { T_CATEGORY, T_EVENT_NAME, T_ANNOTATION_NAME, T_STRING_VALUE, NTABLES };

struct writer {
    struct file_buffer fb;
    bool started; /* the first packet clears the sequence's state */
    bool nomem;   /* a string could not be interned: the file is not written whole */
    struct perfetto_intern tables[NTABLES];
    /* Strings interned since the last packet, sent with the next one;
     * they point to the caller's strings, alive until that emit. */
    struct fresh_string { enum intern_table table; uint64_t iid; const char *s; } fresh[MAX_NEW_STRINGS];
    size_t nfresh;
};

static void file_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    struct file_buffer *f = (struct file_buffer *)b;
    fwrite(data, 1, len, f->out); /* errors: ferror, checked at the end */
}

/* The iid of s in table tb; a new string is queued for the next packet's
 * InternedData. 0 (an unset iid) when out of memory: w->nomem says so. */
static uint64_t iid_of(struct writer *w, enum intern_table tb, const char *s)
{
    bool added;
    uint64_t iid = perfetto_intern(&w->tables[tb], s, &added);
    if (!iid || (added && w->nfresh == MAX_NEW_STRINGS)) {
        w->nomem = true;
        return 0;
    }
    if (added)
        w->fresh[w->nfresh++] = (struct fresh_string){tb, iid, s};
    return iid;
}

/* Storage for one packet's InternedData while it is packed. */
struct interned_msgs {
    Perfetto__Protos__InternedData d;
    Perfetto__Protos__EventCategory cat[MAX_NEW_STRINGS], *catp[MAX_NEW_STRINGS];
    Perfetto__Protos__EventName name[MAX_NEW_STRINGS], *namep[MAX_NEW_STRINGS];
    Perfetto__Protos__DebugAnnotationName ann[MAX_NEW_STRINGS], *annp[MAX_NEW_STRINGS];
    Perfetto__Protos__InternedString str[MAX_NEW_STRINGS], *strp[MAX_NEW_STRINGS];
};

/* The queued strings as p's interned_data (in m); the queue is emptied. */
static void attach_fresh(struct writer *w, Perfetto__Protos__TracePacket *p, struct interned_msgs *m)
{
    perfetto__protos__interned_data__init(&m->d);
    m->d.event_categories = m->catp, m->d.event_names = m->namep;
    m->d.debug_annotation_names = m->annp, m->d.debug_annotation_string_values = m->strp;
    for (size_t i = 0; i < w->nfresh; i++) {
        uint64_t iid = w->fresh[i].iid;
        char *s = (char *)w->fresh[i].s;
        size_t k;
        switch (w->fresh[i].table) {
        case T_CATEGORY:
            k = m->d.n_event_categories++;
            perfetto__protos__event_category__init(&m->cat[k]);
            m->cat[k].has_iid = 1, m->cat[k].iid = iid, m->cat[k].name = s;
            m->catp[k] = &m->cat[k];
            break;
        case T_EVENT_NAME:
            k = m->d.n_event_names++;
            perfetto__protos__event_name__init(&m->name[k]);
            m->name[k].has_iid = 1, m->name[k].iid = iid, m->name[k].name = s;
            m->namep[k] = &m->name[k];
            break;
        case T_ANNOTATION_NAME:
            k = m->d.n_debug_annotation_names++;
            perfetto__protos__debug_annotation_name__init(&m->ann[k]);
            m->ann[k].has_iid = 1, m->ann[k].iid = iid, m->ann[k].name = s;
            m->annp[k] = &m->ann[k];
            break;
        default:
            k = m->d.n_debug_annotation_string_values++;
            perfetto__protos__interned_string__init(&m->str[k]);
            m->str[k].has_iid = 1, m->str[k].iid = iid, m->str[k].has_str = 1;
            m->str[k].str = (ProtobufCBinaryData){strlen(s), (uint8_t *)s};
            m->strp[k] = &m->str[k];
            break;
        }
    }
    p->interned_data = &m->d;
    w->nfresh = 0;
}

static void emit(struct writer *w, Perfetto__Protos__TracePacket *p)
{
    p->optional_trusted_packet_sequence_id_case =
        PERFETTO__PROTOS__TRACE_PACKET__OPTIONAL_TRUSTED_PACKET_SEQUENCE_ID_TRUSTED_PACKET_SEQUENCE_ID;
    p->trusted_packet_sequence_id = SEQUENCE_ID;
    p->has_sequence_flags = 1;
    p->sequence_flags = w->started
        ? PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_NEEDS_INCREMENTAL_STATE
        : PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED;
    w->started = true;
    struct interned_msgs m;
    if (w->nfresh)
        attach_fresh(w, p, &m);
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

/* The annotations of a trap, in a[] (its strings in sym[][], which must
 * live until the trap's packet is emitted): their number. */
static size_t annotate(struct writer *w, const struct report *r, const struct discon_trap *t,
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
        a[n].name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME_IID;
        a[n].name_iid = iid_of(w, T_ANNOTATION_NAME, f[i].name);
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
        a[n].name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME_IID;
        a[n].name_iid = iid_of(w, T_ANNOTATION_NAME, names[i]);
        a[n].value_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE_IID;
        a[n++].string_value_iid =
            iid_of(w, T_STRING_VALUE, discon_printable(sym[i], sizeof sym[i], raw));
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
    size_t n = annotate(s->w, s->r, t, a, sym);
    for (size_t i = 0; i < n; i++)
        ap[i] = &a[i];
    uint64_t category = iid_of(s->w, T_CATEGORY, report_type_name(t->type));
    Perfetto__Protos__TrackEvent e = PERFETTO__PROTOS__TRACK_EVENT__INIT;
    e.n_category_iids = 1;
    e.category_iids = &category;
    e.name_field_case = PERFETTO__PROTOS__TRACK_EVENT__NAME_FIELD_NAME_IID;
    e.name_iid = iid_of(s->w, T_EVENT_NAME, discon_printable(name, sizeof name, tt->name));
    e.has_type = 1;
    e.type = tt->opens ? PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN
                       : PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT;
    e.has_track_uuid = 1;
    e.track_uuid = VCPU_UUID(t->vcpu);
    e.n_debug_annotations = n;
    e.debug_annotations = ap;
    emit_event(s->w, t->time_ns, &e);
    return ferror(s->w->fb.out) || s->w->nomem ? -1 : 0;
}

/* The end of a slice; one that did not return says how it ended. */
static int trap_ended(void *ctx, const struct discon_trap *t, uint64_t end_ns)
{
    struct perfetto_sink *s = ctx;
    Perfetto__Protos__DebugAnnotation a = PERFETTO__PROTOS__DEBUG_ANNOTATION__INIT, *ap = &a;
    const char *end = discon_trap_end_name(t->end);
    Perfetto__Protos__TrackEvent e = PERFETTO__PROTOS__TRACK_EVENT__INIT;
    e.has_type = 1;
    e.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END;
    e.has_track_uuid = 1;
    e.track_uuid = VCPU_UUID(t->vcpu);
    if (t->end != DISCON_TRAP_RETURNED && end) {
        a.name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME_IID;
        a.name_iid = iid_of(s->w, T_ANNOTATION_NAME, "end");
        a.value_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE_IID;
        a.string_value_iid = iid_of(s->w, T_STRING_VALUE, end);
        e.n_debug_annotations = 1;
        e.debug_annotations = &ap;
    }
    emit_event(s->w, end_ns, &e);
    return ferror(s->w->fb.out) || s->w->nomem ? -1 : 0;
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

static int render_stream(const struct report_args *a, const struct report *r, struct writer *w,
                         char *err, size_t errlen);

int render_perfetto(const struct report_args *a, const struct report *r, FILE *out, char *err,
                    size_t errlen)
{
    struct writer w = {.fb = {.base = {.append = file_append}, .out = out}};
    int rc = render_stream(a, r, &w, err, errlen);
    for (int t = 0; t < NTABLES; t++)
        perfetto_intern_free(&w.tables[t]);
    return rc;
}

/* The packets into w (see the header comment). 0, or -1 with err set. */
static int render_stream(const struct report_args *a, const struct report *r, struct writer *w,
                         char *err, size_t errlen)
{
    FILE *out = w->fb.out;
    struct perfetto_sink s = {.w = w, .r = r};
    struct timeline_sink sink = {.ctx = &s, .taken = trap_taken, .ended = trap_ended};
    struct timeline tl;
    /* The bin width is known before the pass: the first pass's window. */
    uint64_t bin_ns = timeline_bin_ns(r, PERFETTO_BIN_NS, PERFETTO_MAX_BINS);
    emit_tracks(w, r, bin_ns);
    err[0] = '\0';
    int rc = timeline_run(a, r, bin_ns, PERFETTO_MAX_BINS, &sink, &tl, err, errlen);
    if (rc == 0) {
        emit_counters(w, &tl);
        timeline_free(&tl);
    }
    if (w->nomem)
        snprintf(err, errlen, "out of memory for the interned strings");
    else if (ferror(out))
        snprintf(err, errlen, "cannot write the trace: %s", strerror(errno));
    return rc || w->nomem || ferror(out) ? -1 : 0;
}
