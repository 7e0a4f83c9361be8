/*
 * An independent count for the real-QEMU tests: a second, deliberately
 * trivial QEMU plugin that counts discontinuities per vCPU and type with
 * atomics and writes the totals at exit, in drain_segment's format:
 *   -plugin libcount_plugin.so,out=FILE[,cr2=PREFIX]
 * With cr2=PREFIX (x86_64) it also reads cr2 at every EXCEPTION, as
 * discon does, and writes "from_pc cr2" lines, in hex, to PREFIX.VCPU.
 * It shares nothing with libdiscon.so but the ABI declarations.
 */
#include "plugin_registers.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VCPUS 256

QEMU_PLUGIN_EXPORT int qemu_plugin_version = DISCON_QEMU_PLUGIN_API_VERSION;

static _Atomic unsigned long long counts[MAX_VCPUS][3];
static char out_path[4096];
static char cr2_prefix[4096];

/* Each vCPU's cr2 handle, buffer and file: set on its own thread. */
static struct {
    struct qemu_plugin_register *cr2;
    GByteArray *buf;
    FILE *out;
} cr2[MAX_VCPUS];

static void on_vcpu_init(unsigned int vcpu, void *udata)
{
    (void)udata;
    if (vcpu >= MAX_VCPUS)
        return;
    static const char *const name[1] = {"cr2"};
    test_plugin_find_registers(name, &cr2[vcpu].cr2, 1);
    char path[4200];
    snprintf(path, sizeof path, "%s.%u", cr2_prefix, vcpu);
    cr2[vcpu].buf = g_byte_array_sized_new(16);
    cr2[vcpu].out = fopen(path, "w");
    if (!cr2[vcpu].cr2 || !cr2[vcpu].out) {
        fprintf(stderr, "count_plugin: no cr2 register or cannot write %s\n", path);
        exit(1);
    }
}

static void write_cr2(unsigned int vcpu, uint64_t from_pc)
{
    uint64_t v = 0;
    g_byte_array_set_size(cr2[vcpu].buf, 0);
    if (!qemu_plugin_read_register(cr2[vcpu].cr2, cr2[vcpu].buf) || cr2[vcpu].buf->len != 8) {
        fprintf(stderr, "count_plugin: reading cr2 failed\n");
        exit(1);
    }
    memcpy(&v, cr2[vcpu].buf->data, 8);
    fprintf(cr2[vcpu].out, "0x%llx 0x%llx\n", (unsigned long long)from_pc, (unsigned long long)v);
}

static void on_discon(unsigned int vcpu, enum qemu_plugin_discon_type type, uint64_t from_pc,
                      uint64_t to_pc, void *udata)
{
    (void)to_pc, (void)udata;
    int t = type == QEMU_PLUGIN_DISCON_INTERRUPT ? 0 : type == QEMU_PLUGIN_DISCON_EXCEPTION ? 1 : 2;
    if (cr2_prefix[0] && t == 1 && vcpu < MAX_VCPUS)
        write_cr2(vcpu, from_pc);
    if (vcpu < MAX_VCPUS)
        atomic_fetch_add_explicit(&counts[vcpu][t], 1, memory_order_relaxed);
}

static void at_exit(void *udata)
{
    (void)udata;
    for (int v = 0; v < MAX_VCPUS; v++)
        if (cr2[v].out)
            fclose(cr2[v].out);
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
    if (argc < 1 || argc > 2 || strncmp(argv[0], "out=", 4) != 0 ||
        (argc == 2 && strncmp(argv[1], "cr2=", 4) != 0)) {
        fprintf(stderr, "count_plugin: usage: -plugin libcount_plugin.so,out=FILE[,cr2=PREFIX]\n");
        return -1;
    }
    snprintf(out_path, sizeof out_path, "%s", argv[0] + 4);
    if (argc == 2) {
        snprintf(cr2_prefix, sizeof cr2_prefix, "%s", argv[1] + 4);
        qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init, NULL);
    }
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_ALL, on_discon, NULL);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
