/* The plugin's options: QEMU's `-plugin libdiscon.so,key=value,...`. */
#ifndef DISCON_PLUGIN_OPTIONS_H
#define DISCON_PLUGIN_OPTIONS_H

#include "discon_ring.h"

#include <stddef.h>

#define DISCON_SHM_NAME_MAX 200

struct discon_options {
    char shm_name[DISCON_SHM_NAME_MAX + 2]; /* "/NAME"; empty: pick one */
    enum discon_mode mode;
    uint32_t ring_capacity;    /* records per vCPU, power of two */
    uint32_t types;            /* mask of enum discon_type */
    uint32_t block_timeout_ms; /* block mode: consumer stall before dropping */
    uint32_t max_vcpus;        /* user mode: rings for guest threads */
};

#define DISCON_DEFAULT_RING 65536u
#define DISCON_DEFAULT_BLOCK_TIMEOUT_MS 10000u
#define DISCON_DEFAULT_USER_VCPUS 64u

/*
 * Parse argv (each "key=value") into o, starting from the defaults.
 * Returns 0, or -1 with a one-line message naming the option in err.
 *   shm=NAME            segment name (letters, digits, . _ -)
 *   mode=block|drop
 *   ring=N              records per vCPU, a power of two
 *   types=LIST          interrupt, exception, hostcall joined by '+', or all
 *   block_timeout=MS    block mode: stall allowed before dropping
 *   max_vcpus=N         user mode: most guest threads traced at once
 */
int discon_options_parse(struct discon_options *o, int argc, char **argv, char *err,
                         size_t errlen);

/* Parse a type list ("exception+hostcall", "all") into a mask; 0 if bad. */
uint32_t discon_types_parse(const char *list);

#endif
