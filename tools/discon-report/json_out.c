/*
 * The JSON values every JSON section is made of, through json-c (see
 * report.h): strings that are always valid UTF-8, PCs with their whole
 * symbols, fixed-point numbers, traps.
 */
#include "printable.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

char *report_symbol_new(const struct report *r, uint64_t pc)
{
    uint64_t off;
    const struct discon_symbol *s = r->opt.syms ? discon_symbols_find(r->opt.syms, pc, &off) : NULL;
    if (!s)
        return calloc(1, 1);
    /* A symbol file is anyone's: its names are made printable (valid
     * UTF-8, no control bytes), which takes at most 4 bytes per byte. */
    size_t len = strlen(s->name) * 4 + sizeof "+0x" + 16;
    char *out = malloc(len);
    if (!out)
        return NULL;
    discon_printable(out, len, s->name);
    size_t used = strlen(out);
    snprintf(out + used, len - used, "+0x%llx", (unsigned long long)off);
    return out;
}

json_object *report_json_text(const char *s)
{
    /* discon_printable keeps valid UTF-8 and writes each other byte as a
     * 4-byte "\xNN": 4 bytes of output per input byte are always enough. */
    size_t len = strlen(s ? s : "") * 4 + 1;
    char *clean = malloc(len);
    if (!clean)
        return NULL;
    json_object *o = json_object_new_string(discon_printable(clean, len, s));
    free(clean);
    return o;
}

json_object *report_json_fixed(double v, int digits)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", digits, v);
    return json_object_new_double_s(v, text);
}

void report_json_add_pc(const struct report *r, json_object *o, const char *key, uint64_t pc)
{
    char hex[24], sym_key[64];
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)pc);
    json_object_object_add(o, key, json_object_new_string(hex));
    char *sym = report_symbol_new(r, pc);
    snprintf(sym_key, sizeof sym_key, "%s_symbol", key); /* keys are ours and short */
    json_object_object_add(o, sym_key, sym ? report_json_text(sym) : NULL);
    free(sym);
}

json_object *report_json_seconds(const struct report *r, uint64_t ns)
{
    return report_json_fixed(((double)ns - (double)r->clock_mono) / 1e9, 9);
}

json_object *report_json_trap(const struct report *r, const struct discon_trap *t)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "time_s", report_json_seconds(r, t->time_ns));
    json_object_object_add(o, "type", json_object_new_string(report_type_name(t->type)));
    report_json_add_pc(r, o, "from", t->from_pc);
    report_json_add_pc(r, o, "to", t->to_pc);
    json_object_object_add(o, "events", json_object_new_int(t->events));
    return o;
}

int report_json_write(json_object *root, FILE *out)
{
    const char *text = root ? json_object_to_json_string_ext(
                                  root, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
                            : NULL;
    if (!text)
        return -1;
    return fputs(text, out) == EOF || fputc('\n', out) == EOF ? -1 : 0;
}
