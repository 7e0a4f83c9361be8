/* The options both tools share (see tool_args.h). */
#include "tool_args.h"
#include "number_option.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int discon_arg_symbols(const char *tool, const char *arg, struct discon_symbol_paths *p)
{
    if (p->n < DISCON_SYMBOL_FILES_MAX) {
        p->path[p->n++] = arg;
        return 0;
    }
    fprintf(stderr, "%s: --symbols: at most %d files\n", tool, DISCON_SYMBOL_FILES_MAX);
    return -1;
}

int discon_arg_kaslr(const char *tool, const char *arg, struct discon_kaslr_option *out)
{
    if (discon_kaslr_option_parse(arg, out) == 0)
        return 0;
    fprintf(stderr, "%s: --kaslr-offset: expected hex or 'auto', got '%s'\n", tool, arg);
    return -1;
}

int discon_arg_time(const char *tool, const char *name, const char *arg, int64_t *ns)
{
    if (discon_parse_time_ns(arg, 1000000000u, ns) == 0)
        return 0;
    fprintf(stderr, "%s: --%s: expected seconds >= 0 (to the ns, or with a unit: 250ms), got '%s'\n",
            tool, name, arg);
    return -1;
}

const char *discon_args_conflict(struct discon_window w, const struct discon_kaslr_option *kaslr,
                                 size_t nsymbols)
{
    if (w.from_ns >= w.to_ns)
        return "--from must be before --to";
    if (kaslr->given && nsymbols == 0)
        return "--kaslr-offset needs --symbols";
    return NULL;
}

int discon_arg_trace(const char *tool, const char *arg, const char **out)
{
    size_t n = strlen(arg), hex = strspn(arg, "0123456789abcdefABCDEF");
    if (hex == n && n >= 4 && n <= 32) {
        *out = arg;
        return 0;
    }
    fprintf(stderr, "%s: --trace: expected a trace id in hex (4 to 32 digits), got '%s'\n", tool,
            arg);
    return -1;
}

void discon_trace_id_hex(const Discon__Header *h, char hex[33])
{
    hex[0] = '\0';
    for (size_t i = 0; i < h->trace_id.len && i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", h->trace_id.data[i]);
}

bool discon_trace_selected(const char *want, const char *hex)
{
    return !want || strncasecmp(want, hex, strlen(want)) == 0;
}
