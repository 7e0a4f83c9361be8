/* Numeric option values, for the plugin and every tool. */
#ifndef DISCON_NUMBER_OPTION_H
#define DISCON_NUMBER_OPTION_H

#include <stdint.h>

/* A decimal count in [min, max]. 0, or -1 if malformed or out of range. */
int discon_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A byte size with an optional K, M or G suffix (powers of 1024). */
int discon_parse_size(const char *s, uint64_t *out);

/* A hexadecimal number, with or without 0x. */
int discon_parse_hex(const char *s, uint64_t *out);

/* A number of seconds >= 0, with a fraction if need be. */
int discon_parse_seconds(const char *s, double *out);

#endif
