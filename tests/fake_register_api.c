/*
 * The register API and the glib functions libdiscon.so links, for hosts
 * that dlopen the plugin (RTLD_NOW) but never start a vCPU: the fake QEMU
 * host of the tests and bench/producer_bench. Registering a vCPU init
 * callback does nothing; nothing else may be called (it aborts), because
 * without vCPU init the plugin reads no register.
 */
#include "qemu_plugin_api.h"

#include <stdlib.h>

QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id,
                                                          qemu_plugin_vcpu_udata_cb_t cb,
                                                          void *userdata)
{
    (void)id, (void)cb, (void)userdata;
}
QEMU_PLUGIN_EXPORT GArray *qemu_plugin_get_registers(void) { abort(); }
QEMU_PLUGIN_EXPORT bool qemu_plugin_read_register(struct qemu_plugin_register *h, GByteArray *b)
{
    (void)h, (void)b;
    abort();
}
QEMU_PLUGIN_EXPORT GByteArray *g_byte_array_sized_new(unsigned int n) { (void)n; abort(); }
QEMU_PLUGIN_EXPORT GByteArray *g_byte_array_set_size(GByteArray *a, unsigned int n)
{
    (void)a, (void)n;
    abort();
}
QEMU_PLUGIN_EXPORT char *g_array_free(GArray *a, int f) { (void)a, (void)f; abort(); }

