/* The three output formats of discon-dump. Text: aligned columns after a
 * '#' header line; CSV: a header line, then the same columns for every
 * record, with loss, damage and gap rows in the same table; JSON: one
 * object per line, PCs as "0x..." strings (JSON numbers lose 64-bit
 * precision), built with json-c. */
#include "csv.h"
#include "dump.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

/* Seconds with nine exact decimals, from integer nanoseconds. */
static const char *seconds(int64_t ns, char buf[32])
{
    uint64_t mag = ns < 0 ? 0u - (uint64_t)ns : (uint64_t)ns;
    snprintf(buf, 32, "%s%" PRIu64 ".%09" PRIu64, ns < 0 ? "-" : "", mag / 1000000000u,
             mag % 1000000000u);
    return buf;
}

static const char *type_name(unsigned type)
{
    const char *n = discon_type_name(type);
    return n ? n : "unknown";
}

void dump_begin(enum dump_format f, bool traps)
{
    if (f == DUMP_TEXT)
        printf("# vcpu        seq          time_s              time_ns type      "
               "from_pc               to_pc              cause%s\n", traps ? " events" : "");
    else if (f == DUMP_CSV)
        printf("record,vcpu,seq,time_ns,time_s,type,from_pc,to_pc,cause,count,detail\n");
}

static void text_row(const struct dump_row *r)
{
    char s[32];
    if (!r->has_pcs) { /* a loss */
        printf("loss vcpu %" PRIu32 " seq %" PRIu64 " count %" PRIu64 " at %s\n", r->vcpu,
               r->seq, r->count, r->has_time ? seconds(r->rel_ns, s) : "unknown");
        return;
    }
    printf("%6" PRIu32 " %10" PRIu64 " %15s %20" PRIu64 " %-9s 0x%016" PRIx64 " -> 0x%016" PRIx64,
           r->vcpu, r->seq, seconds(r->rel_ns, s), r->time_ns, type_name(r->type), r->from_pc,
           r->to_pc);
    if (r->has_cause)
        printf(" %5" PRIu32 "\n", r->cause);
    else
        printf("     - %6" PRIu64 "\n", r->count);
}

static void csv_row(const struct dump_row *r)
{
    char s[32];
    printf("%s,%" PRIu32 ",%" PRIu64 ",", r->record, r->vcpu, r->seq);
    if (r->has_time)
        printf("%" PRIu64 ",%s", r->time_ns, seconds(r->rel_ns, s));
    else
        printf(",");
    if (r->has_pcs)
        printf(",%s,0x%" PRIx64 ",0x%" PRIx64 ",", type_name(r->type), r->from_pc, r->to_pc);
    else
        printf(",,,,");
    if (r->has_cause)
        printf("%" PRIu32, r->cause);
    printf(",%" PRIu64 ",\n", r->count);
}

/* Print and free one JSON object; -1 if it could not be built. */
static int json_line(json_object *o, int failed)
{
    if (!o)
        return -1;
    if (!failed)
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return failed ? -1 : 0;
}

/* Add a member; remembers a failure (out of memory) in *failed. */
static void add(json_object *o, const char *key, json_object *v, int *failed)
{
    if (!v || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        *failed = 1;
    }
}

/* A new object whose "record" member names what it is; NULL if out of memory. */
static json_object *json_record(const char *record)
{
    json_object *o = json_object_new_object();
    int failed = 0;
    if (o)
        add(o, "record", json_object_new_string(record), &failed);
    if (failed) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static json_object *hex(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return json_object_new_string(buf);
}

static int json_row(const struct dump_row *r)
{
    json_object *o = json_record(r->record);
    int failed = 0;
    char s[32];
    if (!o)
        return -1;
    add(o, "vcpu", json_object_new_uint64(r->vcpu), &failed);
    add(o, "seq", json_object_new_uint64(r->seq), &failed);
    if (r->has_time) {
        add(o, "time_ns", json_object_new_uint64(r->time_ns), &failed);
        seconds(r->rel_ns, s);
        add(o, "time_s", json_object_new_double_s((double)r->rel_ns / 1e9, s), &failed);
    }
    if (r->has_pcs) {
        add(o, "type", json_object_new_string(type_name(r->type)), &failed);
        add(o, "from_pc", hex(r->from_pc), &failed);
        add(o, "to_pc", hex(r->to_pc), &failed);
    }
    if (r->has_cause)
        add(o, "cause", json_object_new_uint64(r->cause), &failed);
    add(o, strcmp(r->record, "loss") == 0 ? "count" : "events", json_object_new_uint64(r->count),
        &failed);
    return json_line(o, failed);
}

int dump_row(enum dump_format f, const struct dump_row *r)
{
    if (f == DUMP_JSON)
        return json_row(r);
    if (f == DUMP_CSV)
        csv_row(r);
    else
        text_row(r);
    return 0;
}

int dump_damage(enum dump_format f, const struct discon_damage *d)
{
    if (f == DUMP_TEXT) {
        printf("damage %s offset %" PRIu64 " length %" PRIu64 ": %s\n", d->path, d->offset,
               d->length, d->what);
        return 0;
    }
    char detail[4400];
    snprintf(detail, sizeof detail, "%s offset %" PRIu64 " length %" PRIu64 ": %s", d->path,
             d->offset, d->length, d->what);
    if (f == DUMP_CSV) {
        printf("damage,,,,,,,,,,");
        discon_csv_field(stdout, detail);
        printf("\n");
        return 0;
    }
    json_object *o = json_record("damage");
    int failed = 0;
    if (!o)
        return -1;
    add(o, "path", json_object_new_string(d->path), &failed);
    add(o, "offset", json_object_new_uint64(d->offset), &failed);
    add(o, "length", json_object_new_uint64(d->length), &failed);
    add(o, "what", json_object_new_string(d->what), &failed);
    add(o, "error", json_object_new_string(discon_strerror(d->code)), &failed);
    return json_line(o, failed);
}

int dump_gap(enum dump_format f, uint32_t vcpu, uint64_t expected, uint64_t got)
{
    if (f == DUMP_TEXT) {
        printf("gap vcpu %" PRIu32 " expected seq %" PRIu64 " got %" PRIu64 "\n", vcpu,
               expected, got);
        return 0;
    }
    if (f == DUMP_CSV) {
        printf("gap,%" PRIu32 ",%" PRIu64 ",,,,,,,,expected %" PRIu64 "\n", vcpu, got, expected);
        return 0;
    }
    json_object *o = json_record("gap");
    int failed = 0;
    if (!o)
        return -1;
    add(o, "vcpu", json_object_new_uint64(vcpu), &failed);
    add(o, "expected", json_object_new_uint64(expected), &failed);
    add(o, "got", json_object_new_uint64(got), &failed);
    return json_line(o, failed);
}
