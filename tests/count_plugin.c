/*
 * An independent count for the real-QEMU tests: a second, deliberately
 * trivial QEMU plugin that counts discontinuities per vCPU and type with
 * atomics and writes the totals at exit, in drain_segment's format:
 *   -plugin libcount_plugin.so,out=FILE
 * It shares nothing with libdiscon.so but the ABI declarations.
 */
#include "qemu_plugin_api.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define MAX_VCPUS 256

QEMU_PLUGIN_EXPORT int qemu_plugin_version = DISCON_QEMU_PLUGIN_API_VERSION;

static _Atomic unsigned long long counts[MAX_VCPUS][3];
static char out_path[4096];

static void on_discon(unsigned int vcpu, enum qemu_plugin_discon_type type, uint64_t from_pc,
                      uint64_t to_pc, void *udata)
{
    (void)from_pc, (void)to_pc, (void)udata;
    int t = type == QEMU_PLUGIN_DISCON_INTERRUPT ? 0 : type == QEMU_PLUGIN_DISCON_EXCEPTION ? 1 : 2;
    if (vcpu < MAX_VCPUS)
        atomic_fetch_add_explicit(&counts[vcpu][t], 1, memory_order_relaxed);
}

static void at_exit(void *udata)
{
    (void)udata;
    FILE *f = fopen(out_path, "w");
    if (!f)
        return;
    for (int v = 0; v < MAX_VCPUS; v++) {
        unsigned long long i = counts[v][0], e = counts[v][1], h = counts[v][2];
        if (i + e + h)
            fprintf(f, "vcpu %d interrupt %llu exception %llu hostcall %llu\n", v, i, e, h);
    }
    fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) {
        fprintf(stderr, "count_plugin: usage: -plugin libcount_plugin.so,out=FILE\n");
        return -1;
    }
    snprintf(out_path, sizeof out_path, "%s", argv[0] + 4);
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_ALL, on_discon, NULL);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
