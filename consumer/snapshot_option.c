/* The flight recorder's options (snapshot_option.h). */
#include "snapshot_option.h"
#include "number_option.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} triggers[] = {
    {"usr1", DISCON_SNAP_USR1},
    {"exit", DISCON_SNAP_EXIT},
    {"fault-loop", DISCON_SNAP_FAULT_LOOP},
    {"double-trap", DISCON_SNAP_DOUBLE_TRAP},
};
#define NTRIGGERS (sizeof triggers / sizeof triggers[0])

int discon_parse_snapshot(const char *arg, uint64_t *bytes, uint64_t *ns, char *why, size_t len)
{
    size_t n = strlen(arg);
    *bytes = *ns = 0;
    if (n > 1 && arg[n - 1] == 's') { /* a time (30s, 500ms): no size unit ends in s */
        int64_t t;
        if (discon_parse_time_ns(arg, 1000000000u, &t) != 0 || t <= 0 ||
            t > INT64_C(86400) * 365 * 1000000000) {
            snprintf(why, len, "'%s' is no time above 0 (30s, 500ms; at most a year)", arg);
            return -1;
        }
        *ns = (uint64_t)t;
        *bytes = DISCON_SNAPSHOT_AGE_MAX_BYTES;
        return 0;
    }
    if (discon_parse_size(arg, bytes) != 0 || *bytes < DISCON_SNAPSHOT_MIN_BYTES) {
        snprintf(why, len, "'%s' is neither a size of 64K or more (64M) nor seconds (30s)", arg);
        return -1;
    }
    return 0;
}

int discon_parse_snapshot_on(const char *arg, unsigned *mask, char *why, size_t len)
{
    *mask = 0;
    for (const char *p = arg;;) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        if (n == 3 && strncmp(p, "all", 3) == 0)
            bit = DISCON_SNAP_ALL;
        for (size_t i = 0; i < NTRIGGERS && !bit; i++)
            if (strlen(triggers[i].name) == n && strncmp(p, triggers[i].name, n) == 0)
                bit = triggers[i].bit;
        if (!bit) {
            snprintf(why, len, "unknown trigger '%.*s' (usr1, exit, fault-loop, double-trap, all)",
                     (int)n, p);
            return -1;
        }
        *mask |= bit;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

const char *discon_snapshot_trigger_name(unsigned bit)
{
    for (size_t i = 0; i < NTRIGGERS; i++)
        if (triggers[i].bit == bit)
            return triggers[i].name;
    return "?";
}
