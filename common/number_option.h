/* Numeric option values, for the plugin and every tool. */
#ifndef DISCON_NUMBER_OPTION_H
#define DISCON_NUMBER_OPTION_H

#include <stdint.h>

/* A decimal count in [min, max]. 0, or -1 if malformed or out of range. */
int discon_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A byte size: digits, an optional fraction (".5", up to 6 digits) and an
 * optional unit: K, KiB, M, MiB, G, GiB, T, TiB in powers of 1024 (k too);
 * KB, MB, GB, TB in powers of 1000 (as coreutils reads them). "1.5G" is
 * 1610612736; a fraction of a byte is dropped ("0.3K" is 307). 0, or -1
 * if malformed or over 64 bits. */
int discon_parse_size(const char *s, uint64_t *out);

/* A hexadecimal number, with or without 0x. */
int discon_parse_hex(const char *s, uint64_t *out);

/* A number of seconds >= 0, with a fraction if need be, as a double: for
 * durations that are waited for (--duration), never for comparing times
 * (discon_parse_time_ns). */
int discon_parse_seconds(const char *s, double *out);

/* A time or duration read exactly into ns: digits, an optional fraction
 * and an optional unit "s", "ms", "us" or "ns" (`unit_ns` ns when none is
 * given: 1000000000 for seconds, at most that). Exact, not through a double, so that a
 * time printed to the ns by a tool ("0.127182999") reads back as that ns
 * (a double gives 127182998.99999999 and so the ns before). A fraction
 * finer than 1 ns is refused, not rounded. 0, or -1 if malformed or over
 * INT64_MAX ns. */
int discon_parse_time_ns(const char *s, uint64_t unit_ns, int64_t *out);

#endif
