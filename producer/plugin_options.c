#include "plugin_options.h"
#include "code_message.h"
#include "number_option.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the message, return the negated code (see plugin_options.h). */
#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))

/* Indexed by code, so a new code without a message fails to compile. */
static const char *const opt_messages[] = {
    [DISCON_OPT_OK] = "success",
    [DISCON_OPT_E_SYNTAX] = "option is not key=value",
    [DISCON_OPT_E_UNKNOWN_KEY] = "unknown option",
    [DISCON_OPT_E_SHM] = "bad shared memory name (shm=)",
    [DISCON_OPT_E_MODE] = "bad ring mode (mode=)",
    [DISCON_OPT_E_RING] = "bad ring size (ring=)",
    [DISCON_OPT_E_TYPES] = "bad discontinuity types (types=)",
    [DISCON_OPT_E_BLOCK_TIMEOUT] = "bad block timeout (block_timeout=)",
    [DISCON_OPT_E_MAX_VCPUS] = "bad vCPU count (max_vcpus=)",
    [DISCON_OPT_E_CAUSE] = "bad cause switch (cause=)",
    [DISCON_OPT_E_RETURNS] = "bad returns switch (returns=)",
};
_Static_assert(sizeof opt_messages / sizeof *opt_messages == DISCON_OPT_E_COUNT,
               "every discon_opt_err code needs a message");

const char *discon_opt_strerror(int code)
{
    return discon_code_message(opt_messages, DISCON_OPT_E_COUNT, code);
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (discon_parse_count(s, min, max, &v))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* "on" or "off" into *out; -1 for anything else. */
static int on_off(const char *v, bool *out)
{
    if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
        return -1;
    *out = v[1] == 'n';
    return 0;
}

static int valid_shm_name(const char *s)
{
    if (*s == '/')
        s++;
    size_t n = strlen(s);
    if (n == 0 || n > DISCON_SHM_NAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int discon_options_parse(struct discon_options *o, int argc, char **argv, char *err,
                         size_t errlen)
{
    *o = (struct discon_options){
        .mode = DISCON_MODE_BLOCK,
        .ring_capacity = DISCON_DEFAULT_RING,
        .types = DISCON_TYPES_ALL,
        .block_timeout_ms = DISCON_DEFAULT_BLOCK_TIMEOUT_MS,
        .max_vcpus = DISCON_DEFAULT_USER_VCPUS,
        .cause = true,
        .returns = true,
    };
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        if (!eq)
            return FAIL(DISCON_OPT_E_SYNTAX, "option '%s' is not key=value", arg);
        size_t klen = (size_t)(eq - arg);
        const char *v = eq + 1;
#define KEY(k) (klen == sizeof(k) - 1 && strncmp(arg, k, klen) == 0)
        if (KEY("shm")) {
            if (!valid_shm_name(v))
                return FAIL(DISCON_OPT_E_SHM,
                            "shm=%s: a name of 1 to %d letters, digits, '.', '_' or '-' "
                            "(one optional leading '/')", v, DISCON_SHM_NAME_MAX);
            snprintf(o->shm_name, sizeof o->shm_name, "/%s", v + (*v == '/'));
        } else if (KEY("mode")) {
            if (strcmp(v, "block") == 0)
                o->mode = DISCON_MODE_BLOCK;
            else if (strcmp(v, "drop") == 0)
                o->mode = DISCON_MODE_DROP;
            else
                return FAIL(DISCON_OPT_E_MODE, "mode=%s: expected block or drop", v);
        } else if (KEY("ring")) {
            uint32_t n;
            if (parse_u32(v, DISCON_RING_MIN_RECORDS, DISCON_RING_MAX_RECORDS, &n) ||
                (n & (n - 1)))
                return FAIL(DISCON_OPT_E_RING,
                            "ring=%s: records per vCPU, a power of two from %u to %u", v,
                            DISCON_RING_MIN_RECORDS, DISCON_RING_MAX_RECORDS);
            o->ring_capacity = n;
        } else if (KEY("types")) {
            if (!(o->types = discon_types_parse_list(v)))
                return FAIL(DISCON_OPT_E_TYPES,
                            "types=%s: expected interrupt, exception, hostcall, return, syscall "
                            "joined by '+', "
                            "or all", v);
        } else if (KEY("block_timeout")) {
            if (parse_u32(v, 1, 24u * 3600 * 1000, &o->block_timeout_ms))
                return FAIL(DISCON_OPT_E_BLOCK_TIMEOUT,
                            "block_timeout=%s: milliseconds, from 1 to 86400000", v);
        } else if (KEY("max_vcpus")) {
            if (parse_u32(v, 1, DISCON_MAX_VCPUS, &o->max_vcpus))
                return FAIL(DISCON_OPT_E_MAX_VCPUS, "max_vcpus=%s: a number from 1 to %u", v,
                            DISCON_MAX_VCPUS);
        } else if (KEY("cause")) {
            if (on_off(v, &o->cause))
                return FAIL(DISCON_OPT_E_CAUSE, "cause=%s: expected on or off", v);
        } else if (KEY("returns")) {
            if (on_off(v, &o->returns))
                return FAIL(DISCON_OPT_E_RETURNS, "returns=%s: expected on or off", v);
        } else {
            return FAIL(DISCON_OPT_E_UNKNOWN_KEY,
                        "unknown option '%.*s' (known: shm, mode, ring, types, "
                        "block_timeout, max_vcpus, cause, returns)", (int)klen, arg);
        }
#undef KEY
    }
    return 0;
}
