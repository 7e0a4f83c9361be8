/*
 * The part of QEMU's TCG plugin ABI that discon uses, declared by the
 * project itself because Debian ships no qemu-plugin.h.
 *
 * Facts of QEMU 11.1 (plugin API version 7), measured on that QEMU:
 *  - a plugin exports `int qemu_plugin_version`; 11.1 accepts exactly 7;
 *  - callbacks take user data and no plugin id (API 7 dropped the id);
 *  - the discontinuity callback is (vcpu_index, type, from_pc, to_pc, udata).
 * Earlier APIs (5 in QEMU 10.2, 6 in 11.0) have other callback signatures,
 * so the plugin refuses any QEMU whose API range excludes 7.
 */
#ifndef DISCON_QEMU_PLUGIN_API_H
#define DISCON_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stdint.h>

#include "discon_types.h"

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
#define DISCON_QEMU_PLUGIN_API_VERSION 7

typedef uint64_t qemu_plugin_id_t;

typedef struct qemu_info_t {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

/* discon's event types are QEMU's values by design (discon_types.h says
 * why), so QEMU's enum is spelled from the one table. ALL is a mask. */
enum qemu_plugin_discon_type {
    QEMU_PLUGIN_DISCON_INTERRUPT = DISCON_INTERRUPT,
    QEMU_PLUGIN_DISCON_EXCEPTION = DISCON_EXCEPTION,
    QEMU_PLUGIN_DISCON_HOSTCALL = DISCON_HOSTCALL,
    QEMU_PLUGIN_DISCON_ALL = -1,
};

typedef void (*qemu_plugin_vcpu_discon_cb_t)(unsigned int vcpu_index,
                                             enum qemu_plugin_discon_type type,
                                             uint64_t from_pc, uint64_t to_pc,
                                             void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(void *userdata);

void qemu_plugin_register_vcpu_discon_cb(qemu_plugin_id_t id,
                                         enum qemu_plugin_discon_type type,
                                         qemu_plugin_vcpu_discon_cb_t cb,
                                         void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
                                    qemu_plugin_udata_cb_t cb, void *userdata);

/*
 * Registers (plugin_cause.c). QEMU hands them out through glib containers;
 * QEMU links glib, so the plugin calls QEMU's copy and declares only the
 * public head of the two structs and the functions it calls (glib's
 * documented, stable ABI: GByteArray and GArray both begin { data; len; }).
 */
typedef struct {
    uint8_t *data;
    unsigned int len;
} GByteArray;
typedef struct {
    char *data;
    unsigned int len;
} GArray;
GByteArray *g_byte_array_sized_new(unsigned int reserved_size);
GByteArray *g_byte_array_set_size(GByteArray *array, unsigned int length);
char *g_array_free(GArray *array, int free_segment);

/* Opaque: QEMU's handle of one register of the calling vCPU. */
struct qemu_plugin_register;

/* One element of qemu_plugin_get_registers()'s GArray: 32 bytes. */
typedef struct {
    struct qemu_plugin_register *handle;
    const char *name;    /* gdb's name: "ESR_EL1", "cpsr", "scause", "cr2" ... */
    const char *feature; /* gdb feature the register belongs to */
    bool is_readonly;
} qemu_plugin_reg_descriptor;
_Static_assert(sizeof(qemu_plugin_reg_descriptor) == 32, "QEMU 11.1's descriptor is 32 bytes");

/* The calling vCPU's registers: call it on the vCPU's thread (vcpu_init).
 * The caller frees the array (g_array_free(a, 1)); names are QEMU's. */
GArray *qemu_plugin_get_registers(void);
/* Appends the register's bytes (target byte order) to buf; true on
 * success (API 6 changed the result from a length to a bool). */
bool qemu_plugin_read_register(struct qemu_plugin_register *handle, GByteArray *buf);

/* API 7: vCPU callbacks take the index and user data, no plugin id. */
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_udata_cb_t cb,
                                       void *userdata);

/* Implemented by the plugin. */
QEMU_PLUGIN_EXPORT extern int qemu_plugin_version;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv);

#endif
