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

/* A decimal number: digits, then optionally '.' and at most max_frac
 * digits, read by hand rather than by strtod: exact, and no locale's
 * decimal comma. *p is left after it (a unit may follow). */
struct decimal {
    uint64_t whole, frac, frac_scale; /* whole + frac / frac_scale */
};

static int parse_decimal(const char **p, int max_frac, struct decimal *d)
{
    const char *c = *p;
    *d = (struct decimal){0, 0, 1};
    if (*c < '0' || *c > '9')
        return -1;
    for (; *c >= '0' && *c <= '9'; c++) {
        if (d->whole > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
            return -1;
        d->whole = d->whole * 10 + (uint64_t)(*c - '0');
    }
    if (*c == '.') {
        if (c[1] < '0' || c[1] > '9')
            return -1;
        for (int digits = 0; *++c >= '0' && *c <= '9'; digits++) {
            if (digits == max_frac)
                return -1;
            d->frac = d->frac * 10 + (uint64_t)(*c - '0');
            d->frac_scale *= 10;
        }
    }
    *p = c;
    return 0;
}

static const struct {
    const char *suffix;
    uint64_t ns;
} time_units[] = {{"s", 1000000000ull}, {"ms", 1000000ull}, {"us", 1000ull}, {"ns", 1ull}};

int discon_parse_time_ns(const char *s, uint64_t unit_ns, int64_t *out)
{
    struct decimal d;
    const char *p = s;
    if (unit_ns == 0 || unit_ns > 1000000000ull || parse_decimal(&p, 9, &d))
        return -1; /* more than 9 fraction digits: finer than any unit's ns */
    uint64_t whole = d.whole, frac = d.frac, frac_scale = d.frac_scale;
    uint64_t unit = *p ? 0 : unit_ns;
    for (size_t i = 0; !unit && i < sizeof time_units / sizeof time_units[0]; i++)
        if (strcmp(p, time_units[i].suffix) == 0)
            unit = time_units[i].ns;
    /* frac < frac_scale <= 10^9 and unit <= 10^9: frac * unit fits. */
    if (!unit || whole > (uint64_t)INT64_MAX / unit || (frac * unit) % frac_scale)
        return -1;
    uint64_t ns = whole * unit + frac * unit / frac_scale;
    if (ns > (uint64_t)INT64_MAX)
        return -1;
    *out = (int64_t)ns;
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
    struct decimal d;
    const char *p = s;
    if (parse_decimal(&p, SIZE_FRACTION_DIGITS, &d))
        return -1; /* more fraction digits than any size needs */
    uint64_t whole = d.whole, frac = d.frac, frac_scale = d.frac_scale;
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
