#include "number_option.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int discon_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int discon_parse_hex(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 16);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int discon_parse_seconds(const char *s, double *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* A size suffix and what it multiplies by: K, KiB (and k) in powers of
 * 1024, KB in powers of 1000, as coreutils (dd, df, sort -S) read them. */
static const struct {
    const char *suffix;
    uint64_t scale;
} size_units[] = {
    {"", 1},
    {"K", 1ull << 10}, {"k", 1ull << 10}, {"KiB", 1ull << 10}, {"KB", 1000ull}, {"kB", 1000ull},
    {"M", 1ull << 20}, {"MiB", 1ull << 20}, {"MB", 1000000ull},
    {"G", 1ull << 30}, {"GiB", 1ull << 30}, {"GB", 1000000000ull},
    {"T", 1ull << 40}, {"TiB", 1ull << 40}, {"TB", 1000000000000ull},
};

/* Fraction digits taken at most: 10^6 times the largest scale (2^40)
 * still fits in 64 bits. */
#define SIZE_FRACTION_DIGITS 6

int discon_parse_size(const char *s, uint64_t *out)
{
    /* Digits by hand, not strtod: exact, and no locale's decimal comma. */
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return -1;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        if (p[1] < '0' || p[1] > '9')
            return -1;
        for (int digits = 0; *++p >= '0' && *p <= '9'; digits++) {
            if (digits == SIZE_FRACTION_DIGITS)
                return -1; /* more digits than any size needs */
            frac = frac * 10 + (uint64_t)(*p - '0');
            frac_scale *= 10;
        }
    }
    for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++) {
        uint64_t scale = size_units[i].scale;
        if (strcmp(p, size_units[i].suffix) != 0)
            continue;
        if (whole > UINT64_MAX / scale)
            return -1;
        uint64_t bytes = whole * scale, part = frac * scale / frac_scale; /* rounded down */
        if (bytes > UINT64_MAX - part)
            return -1;
        *out = bytes + part;
        return 0;
    }
    return -1;
}
