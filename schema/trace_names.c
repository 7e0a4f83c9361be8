#include "trace_names.h"

#include <stdio.h>
#include <string.h>

#define SUFFIX_LEN (sizeof DISCON_TRACE_SUFFIX - 1)

bool discon_trace_file_name_is(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n > SUFFIX_LEN && strcmp(name + n - SUFFIX_LEN, DISCON_TRACE_SUFFIX) == 0;
}

long discon_trace_file_index(const char *name, const char *prefix)
{
    if (name == NULL || prefix == NULL)
        return -1;
    size_t p = strlen(prefix);
    if (strncmp(name, prefix, p) != 0 || name[p] != '-')
        return -1;
    const char *d = name + p + 1;
    long index = 0;
    size_t digits = 0;
    for (; d[digits] >= '0' && d[digits] <= '9'; digits++) {
        if (digits == 9)
            return -1;
        index = index * 10 + (d[digits] - '0');
    }
    return digits > 0 && strcmp(d + digits, DISCON_TRACE_SUFFIX) == 0 ? index : -1;
}

int discon_trace_file_name(char *buf, size_t len, const char *prefix, unsigned index)
{
    if (buf == NULL || prefix == NULL)
        return -1;
    return snprintf(buf, len, "%s-%06u" DISCON_TRACE_SUFFIX, prefix, index);
}

int discon_snapshot_file_name(char *buf, size_t len, const char *prefix, unsigned number)
{
    if (buf == NULL || prefix == NULL)
        return -1;
    return snprintf(buf, len, "%s-snap%06u" DISCON_TRACE_SUFFIX, prefix, number);
}
