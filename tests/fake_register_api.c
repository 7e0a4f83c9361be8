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


/* Translation-time instrumentation: only system emulation instruments
 * (plugin_returns.h), and these hosts run user mode or no vCPU at all. */
QEMU_PLUGIN_EXPORT struct qemu_plugin_scoreboard *qemu_plugin_scoreboard_new(size_t n)
{
    (void)n;
    abort();
}
QEMU_PLUGIN_EXPORT void *qemu_plugin_scoreboard_find(struct qemu_plugin_scoreboard *s,
                                                     unsigned int vcpu)
{
    (void)s, (void)vcpu;
    abort();
}
QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                                              qemu_plugin_vcpu_tb_trans_cb_t cb,
                                                              void *userdata)
{
    (void)id, (void)cb, (void)userdata;
    abort();
}
QEMU_PLUGIN_EXPORT size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb) { (void)tb; abort(); }
QEMU_PLUGIN_EXPORT uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb) { (void)tb; abort(); }
QEMU_PLUGIN_EXPORT struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                                    size_t i)
{
    (void)tb, (void)i;
    abort();
}
QEMU_PLUGIN_EXPORT size_t qemu_plugin_insn_data(const struct qemu_plugin_insn *insn, void *d,
                                                size_t n)
{
    (void)insn, (void)d, (void)n;
    abort();
}
QEMU_PLUGIN_EXPORT uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn)
{
    (void)insn;
    abort();
}
QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                                               qemu_plugin_vcpu_udata_cb_t cb,
                                                               enum qemu_plugin_cb_flags flags,
                                                               void *userdata)
{
    (void)insn, (void)cb, (void)flags, (void)userdata;
    abort();
}
QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
    struct qemu_plugin_insn *insn, enum qemu_plugin_op op, qemu_plugin_u64 entry, uint64_t imm)
{
    (void)insn, (void)op, (void)entry, (void)imm;
    abort();
}
QEMU_PLUGIN_EXPORT void qemu_plugin_register_vcpu_tb_exec_cond_cb(
    struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb, enum qemu_plugin_cb_flags flags,
    enum qemu_plugin_cond cond, qemu_plugin_u64 entry, uint64_t imm, void *userdata)
{
    (void)tb, (void)cb, (void)flags, (void)cond, (void)entry, (void)imm, (void)userdata;
    abort();
}
