/* The three output formats of discon-dump, over one list of fields.
 * Text: aligned columns after a '#' header line, loss, damage and gap as
 * sentences; CSV: a header line, then every field for every record, with
 * loss, damage and gap rows in the same table; JSON: one object per line,
 * the fields a record has, PCs as "0x..." strings (JSON numbers lose
 * 64-bit precision), built with json-c. An event's cause fields are those
 * the plugin recorded (schema/event.h): cause and fault address in hex,
 * system call and levels in decimal; "-" in text, empty in CSV and absent
 * in JSON where there is none. A trap also has its kind and the level it
 * came from (tools/analysis/trap_kind.h): the last text columns, as the
 * kind's name is long. */
#include "csv.h"
#include "dump.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

/*
 * The fields of every format, in their one order (--help lists them so):
 * CSV's header, JSON's keys and the text header are these names. `width`
 * is the text column's (negative: left-aligned; 0: not a text column, a
 * text line's shape saying what record it is).
 */
enum dump_field {
    F_RECORD, F_VCPU, F_SEQ, F_TIME_NS, F_TIME_S, F_TYPE, F_FROM_PC, F_TO_PC, F_CAUSE,
    F_FAULT_ADDR, F_SYSCALL, F_TO_LEVEL, F_FROM_LEVEL, F_EVENTS, F_ORIGIN, F_KIND, F_DETAIL,
    NFIELDS
};
static const struct {
    const char *name;
    int width;
} fields[NFIELDS] = {
    [F_RECORD] = {"record", 0},    [F_VCPU] = {"vcpu", 6},      [F_SEQ] = {"seq", 10},
    [F_TIME_NS] = {"time_ns", 20}, [F_TIME_S] = {"time_s", 15}, [F_TYPE] = {"type", -9},
    [F_FROM_PC] = {"from_pc", 18}, [F_TO_PC] = {"to_pc", 21},   [F_CAUSE] = {"cause", 18},
    [F_FAULT_ADDR] = {"fault_addr", 18}, [F_SYSCALL] = {"syscall", 7},
    [F_TO_LEVEL] = {"to_level", 8}, [F_FROM_LEVEL] = {"from_level", 10},
    [F_EVENTS] = {"events", 6},    [F_ORIGIN] = {"origin", -10}, [F_KIND] = {"kind", -1},
    [F_DETAIL] = {"detail", 0},
};

/* The cause fields: which bit of dump_row.has each shows, and how. */
static const struct {
    int field;
    unsigned bit;
    bool hex;
} cause_fields[] = {
    {F_CAUSE, DISCON_HAS_CAUSE, true},         {F_FAULT_ADDR, DISCON_HAS_FAULT_ADDR, true},
    {F_SYSCALL, DISCON_HAS_SYSCALL, false},    {F_TO_LEVEL, DISCON_HAS_TO_LEVEL, false},
    {F_FROM_LEVEL, DISCON_HAS_FROM_LEVEL, false},
};
#define NCAUSE_FIELDS (sizeof cause_fields / sizeof *cause_fields)

static uint64_t cause_value(const struct dump_row *r, int field)
{
    switch (field) {
    case F_CAUSE: return r->cause;
    case F_FAULT_ADDR: return r->fault_addr;
    case F_SYSCALL: return r->syscall;
    case F_TO_LEVEL: return r->to_level;
    default: return r->from_level;
    }
}

/* A row's fields as text, "" where it has none (text and CSV rows). */
typedef char dump_cells[NFIELDS][80]; /* a kind's name is up to ~64 */

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

/* PCs: zero-padded in text columns, as short as they go in CSV. */
static void row_cells(const struct dump_row *r, bool padded, dump_cells c)
{
    memset(c, 0, sizeof(dump_cells));
    snprintf(c[F_RECORD], sizeof c[0], "%s", r->record);
    snprintf(c[F_VCPU], sizeof c[0], "%" PRIu32, r->vcpu);
    snprintf(c[F_SEQ], sizeof c[0], "%" PRIu64, r->seq);
    if (r->has_time) {
        snprintf(c[F_TIME_NS], sizeof c[0], "%" PRIu64, r->time_ns);
        seconds(r->rel_ns, c[F_TIME_S]);
    }
    if (r->has_pcs) {
        snprintf(c[F_TYPE], sizeof c[0], "%s", type_name(r->type));
        snprintf(c[F_FROM_PC], sizeof c[0], padded ? "0x%016" PRIx64 : "0x%" PRIx64, r->from_pc);
        snprintf(c[F_TO_PC], sizeof c[0], padded ? "-> 0x%016" PRIx64 : "0x%" PRIx64, r->to_pc);
    }
    for (size_t i = 0; i < NCAUSE_FIELDS; i++) {
        int f = cause_fields[i].field;
        if (r->has_causes && (r->has & cause_fields[i].bit))
            snprintf(c[f], sizeof c[0], cause_fields[i].hex ? "0x%" PRIx64 : "%" PRIu64,
                     cause_value(r, f));
        else if (padded)
            snprintf(c[f], sizeof c[0], "-"); /* none recorded; traps carry none */
    }
    snprintf(c[F_EVENTS], sizeof c[0], "%" PRIu64, r->count);
    if (r->kind) {
        snprintf(c[F_ORIGIN], sizeof c[0], "%s", r->origin);
        snprintf(c[F_KIND], sizeof c[0], "%s", r->kind);
    }
}

/* Columns only a trap has in text. */
static bool trap_only(int f)
{
    return f == F_EVENTS || f == F_ORIGIN || f == F_KIND;
}

/* The text columns of c, aligned, into line; the events, origin and kind
 * columns only with --traps (an event is one event, and is not named). */
static void text_line(dump_cells c, bool traps, char *line, size_t len)
{
    size_t n = 0;
    line[0] = '\0';
    for (int f = 0; f < NFIELDS && n < len; f++)
        if (fields[f].width != 0 && (!trap_only(f) || traps))
            n += (size_t)snprintf(line + n, len - n, "%s%*s", n ? " " : "", fields[f].width, c[f]);
}

/* One CSV line: every field, quoted if need be; the detail field from
 * `detail` when not NULL (free text of any length). */
static void csv_line(dump_cells c, const char *detail)
{
    for (int f = 0; f < NFIELDS; f++) {
        if (f)
            putchar(',');
        discon_csv_field(stdout, f == F_DETAIL && detail ? detail : c[f]);
    }
    putchar('\n');
}

void dump_begin(enum dump_format f, bool traps)
{
    dump_cells c;
    char line[512];
    for (int i = 0; i < NFIELDS; i++)
        snprintf(c[i], sizeof c[i], "%s", fields[i].name);
    if (f == DUMP_CSV) {
        csv_line(c, NULL);
    } else if (f == DUMP_TEXT) {
        text_line(c, traps, line, sizeof line);
        line[0] = '#'; /* the first name is right-aligned: its padding */
        puts(line);
    }
}

static void text_row(const struct dump_row *r)
{
    char s[32], line[512];
    if (!r->has_pcs) { /* a loss */
        printf("loss %s %" PRIu32 " %s %" PRIu64 " %s %" PRIu64 " at %s\n", fields[F_VCPU].name,
               r->vcpu, fields[F_SEQ].name, r->seq, fields[F_EVENTS].name, r->count,
               r->has_time ? seconds(r->rel_ns, s) : "unknown");
        return;
    }
    dump_cells c;
    row_cells(r, true, c);
    text_line(c, r->kind != NULL, line, sizeof line);
    puts(line);
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
        add(o, fields[F_RECORD].name, json_object_new_string(record), &failed);
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

/* The fields a row has, in the table's order, numbers as JSON numbers. */
static int json_row(const struct dump_row *r)
{
    json_object *o = json_record(r->record);
    int failed = 0;
    char s[32];
    if (!o)
        return -1;
    add(o, fields[F_VCPU].name, json_object_new_uint64(r->vcpu), &failed);
    add(o, fields[F_SEQ].name, json_object_new_uint64(r->seq), &failed);
    if (r->has_time) {
        add(o, fields[F_TIME_NS].name, json_object_new_uint64(r->time_ns), &failed);
        seconds(r->rel_ns, s);
        add(o, fields[F_TIME_S].name, json_object_new_double_s((double)r->rel_ns / 1e9, s),
            &failed);
    }
    if (r->has_pcs) {
        add(o, fields[F_TYPE].name, json_object_new_string(type_name(r->type)), &failed);
        add(o, fields[F_FROM_PC].name, hex(r->from_pc), &failed);
        add(o, fields[F_TO_PC].name, hex(r->to_pc), &failed);
    }
    for (size_t i = 0; r->has_causes && i < NCAUSE_FIELDS; i++) {
        int f = cause_fields[i].field;
        if (r->has & cause_fields[i].bit)
            add(o, fields[f].name, cause_fields[i].hex ? hex(cause_value(r, f))
                                                        : json_object_new_uint64(cause_value(r, f)),
                &failed);
    }
    add(o, fields[F_EVENTS].name, json_object_new_uint64(r->count), &failed);
    if (r->kind) {
        add(o, fields[F_ORIGIN].name, json_object_new_string(r->origin), &failed);
        add(o, fields[F_KIND].name, json_object_new_string(r->kind), &failed);
    }
    return json_line(o, failed);
}

int dump_row(enum dump_format f, const struct dump_row *r)
{
    if (f == DUMP_JSON)
        return json_row(r);
    if (f == DUMP_CSV) {
        dump_cells c;
        row_cells(r, false, c);
        csv_line(c, NULL);
    } else {
        text_row(r);
    }
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
        dump_cells c = {"damage"};
        csv_line(c, detail);
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
    if (f == DUMP_CSV) { /* seq: the sequence number found */
        dump_cells c = {"gap"};
        char detail[48];
        snprintf(c[F_VCPU], sizeof c[0], "%" PRIu32, vcpu);
        snprintf(c[F_SEQ], sizeof c[0], "%" PRIu64, got);
        snprintf(detail, sizeof detail, "expected %" PRIu64, expected);
        csv_line(c, detail);
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
