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
    if (n > 1 && arg[n - 1] == 's' && n < 32) { /* seconds: no size unit ends in s */
        char num[32];
        memcpy(num, arg, n - 1);
        num[n - 1] = '\0';
        double s;
        if (discon_parse_seconds(num, &s) != 0 || s <= 0 || s > 86400.0 * 365) {
            snprintf(why, len, "'%s' is no number of seconds above 0 (at most a year)", arg);
            return -1;
        }
        *ns = (uint64_t)(s * 1e9);
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
