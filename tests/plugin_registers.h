/*
 * Register lookup for the test plugins (count_plugin, cause_count_plugin),
 * which share nothing with libdiscon.so but the ABI declarations.
 */
#ifndef DISCON_TEST_PLUGIN_REGISTERS_H
#define DISCON_TEST_PLUGIN_REGISTERS_H

#include "qemu_plugin_api.h"

#include <string.h>

/* For each of the n names (NULL: skip), the calling vCPU's register of
 * that gdb name into out[i], or NULL if its CPU has none. Call from a
 * vcpu_init callback (qemu_plugin_get_registers needs the vCPU's thread).
 * The handles stay valid for the vCPU's life. */
static inline void test_plugin_find_registers(const char *const *names,
                                              struct qemu_plugin_register **out, int n)
{
    GArray *regs = qemu_plugin_get_registers();
    const qemu_plugin_reg_descriptor *d = (const qemu_plugin_reg_descriptor *)regs->data;
    for (int r = 0; r < n; r++) {
        out[r] = NULL;
        for (unsigned i = 0; names[r] && i < regs->len && !out[r]; i++)
            if (d[i].name && strcmp(d[i].name, names[r]) == 0)
                out[r] = d[i].handle;
    }
    g_array_free(regs, 1);
}

#endif
