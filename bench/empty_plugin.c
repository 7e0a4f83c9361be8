/* The baseline for tracing overhead: a QEMU plugin whose discontinuity
 * callback does nothing. */
#include "qemu_plugin_api.h"

#include <stddef.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = DISCON_QEMU_PLUGIN_API_VERSION;

static void on_discon(unsigned int vcpu, enum qemu_plugin_discon_type type, uint64_t from_pc,
                      uint64_t to_pc, void *udata)
{
    (void)vcpu, (void)type, (void)from_pc, (void)to_pc, (void)udata;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info, (void)argc, (void)argv;
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_ALL, on_discon, NULL);
    return 0;
}
