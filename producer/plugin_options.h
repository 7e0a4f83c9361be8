/* The plugin's options: QEMU's `-plugin libdiscon.so,key=value,...`. */
#ifndef DISCON_PLUGIN_OPTIONS_H
#define DISCON_PLUGIN_OPTIONS_H

#include "discon_ring.h"

#include <stdbool.h>
#include <stddef.h>

#define DISCON_SHM_NAME_MAX 200

struct discon_options {
    char shm_name[DISCON_SHM_NAME_MAX + 2]; /* "/NAME"; empty: pick one */
    enum discon_mode mode;
    uint32_t ring_capacity;    /* records per vCPU, power of two */
    uint32_t types;            /* mask of enum discon_type */
    uint32_t block_timeout_ms; /* block mode: consumer stall before dropping */
    uint32_t max_vcpus;        /* user mode: rings for guest threads */
    bool cause;                /* read the trap's cause registers (plugin_cause.h) */
    bool returns;              /* record returns and fast system calls (plugin_returns.h) */
};

#define DISCON_DEFAULT_RING 65536u
#define DISCON_DEFAULT_BLOCK_TIMEOUT_MS 10000u
#define DISCON_DEFAULT_USER_VCPUS 64u

/*
 * Why an option was refused. As in schema/discon_error.h, the parser
 * returns the negated code and writes a one-line message for people into
 * err; programs decide on the code. A bad value has the code of its key, so
 * the code alone says which option was at fault.
 */
enum discon_opt_err {
    DISCON_OPT_OK = 0,
    DISCON_OPT_E_SYNTAX,        /* an argument that is not key=value */
    DISCON_OPT_E_UNKNOWN_KEY,   /* a key that is none of those below */
    DISCON_OPT_E_SHM,           /* bad shm= name */
    DISCON_OPT_E_MODE,          /* mode= neither block nor drop */
    DISCON_OPT_E_RING,          /* ring= not a power of two in range */
    DISCON_OPT_E_TYPES,         /* types= not a list of known types */
    DISCON_OPT_E_BLOCK_TIMEOUT, /* block_timeout= not a number of ms in range */
    DISCON_OPT_E_MAX_VCPUS,     /* max_vcpus= not a number in range */
    DISCON_OPT_E_CAUSE,         /* cause= neither on nor off */
    DISCON_OPT_E_RETURNS,       /* returns= neither on nor off */
    DISCON_OPT_E_COUNT          /* number of codes; not a code */
};

/* A static, one-line English description of `code` (either sign); "unknown
 * error" for a value that is not a code. Never NULL; never freed. */
const char *discon_opt_strerror(int code);

/*
 * Parse argv (each "key=value") into o, starting from the defaults.
 * Returns 0, or -DISCON_OPT_E_x with a one-line message naming the option
 * and its value in err (the plugin shows that message to QEMU's user).
 * The first bad argument decides; a key given twice keeps its last value.
 *   shm=NAME            segment name (letters, digits, . _ -)
 *   mode=block|drop
 *   ring=N              records per vCPU, a power of two
 *   types=LIST          interrupt, exception, hostcall, return, syscall joined
 *                       by '+', or all
 *   block_timeout=MS    block mode: stall allowed before dropping
 *   max_vcpus=N         user mode: most guest threads traced at once
 *   cause=on|off        record each trap's cause registers (default on)
 *   returns=on|off      record returns from traps and x86_64 syscall/sysenter
 *                       (default on; off: no instruction is instrumented)
 */
int discon_options_parse(struct discon_options *o, int argc, char **argv, char *err,
                         size_t errlen);

#endif
