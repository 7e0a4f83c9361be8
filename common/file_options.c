/* The trace-file options of every recording tool: see file_options.h. */
#include "file_options.h"
#include "number_option.h"
#include "usage_error.h"

#include <stdio.h>
#include <string.h>

static const struct option file_longopts[] = {DISCON_FILE_LONGOPTS};

/* Why a value of option c is refused, after its name; "" when none is added. */
static const char *range_note(int c)
{
    return c == DISCON_OPT_MAX_FILES ? " (2 or more)" : c == DISCON_OPT_MAX_SIZE ? " (4K or more)" : "";
}

static const struct option *find(int c)
{
    for (size_t i = 0; i < DISCON_FILE_NOPTS; i++)
        if (file_longopts[i].val == c)
            return &file_longopts[i];
    return NULL;
}

int discon_file_option(const char *tool, int c, const char *arg, struct discon_file_options *o,
                       char *const *argv, int optind_now)
{
    const struct option *opt = find(c);
    if (!opt)
        return discon_usage_error(tool, argv, optind_now);
    int bad = 0;
    switch (c) {
    case DISCON_OPT_FLUSH_MS: bad = discon_parse_count(arg, 1, 3600000, &o->flush_ms); break;
    case DISCON_OPT_NO_SYNC: o->no_sync = true; break;
    case DISCON_OPT_ROTATE_SIZE: bad = discon_parse_size(arg, &o->rotate_size); break;
    case DISCON_OPT_ROTATE_SECONDS: bad = discon_parse_count(arg, 0, 1u << 30, &o->rotate_s); break;
    case DISCON_OPT_MAX_FILES: bad = discon_parse_count(arg, 2, 1u << 30, &o->max_files); break;
    case DISCON_OPT_MAX_SIZE: bad = discon_parse_size(arg, &o->max_size) || o->max_size < 4096; break;
    }
    if (!bad)
        return 0;
    fprintf(stderr, "%s: --%s: bad value '%s'%s\n", tool, opt->name, arg, range_note(c));
    return 2;
}

void discon_file_options_settle(struct discon_file_options *o)
{
    if (o->max_size && (!o->rotate_size || o->rotate_size > o->max_size / 4))
        o->rotate_size = o->max_size / 4;
}

void discon_file_args_init(struct discon_file_args *a)
{
    *a = (struct discon_file_args){.parsed = DISCON_FILE_OPTIONS_DEFAULT};
    for (size_t i = 0; i < DISCON_FILE_NOPTS; i++)
        snprintf(a->name[i], sizeof a->name[i], "--%s", file_longopts[i].name);
}

int discon_file_arg(const char *tool, int c, char *arg, struct discon_file_args *a,
                    char *const *argv, int optind_now)
{
    int rc = discon_file_option(tool, c, arg, &a->parsed, argv, optind_now);
    if (rc != 0)
        return rc;
    size_t i = (size_t)(find(c) - file_longopts);
    a->given[i] = true;
    a->value[i] = file_longopts[i].has_arg ? arg : NULL;
    return 0;
}

void discon_file_args_pass(struct discon_file_args *a, char **argv, int *k)
{
    for (size_t i = 0; i < DISCON_FILE_NOPTS; i++) {
        if (!a->given[i])
            continue;
        argv[(*k)++] = a->name[i];
        if (a->value[i])
            argv[(*k)++] = a->value[i];
    }
}
