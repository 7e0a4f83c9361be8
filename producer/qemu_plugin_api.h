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
#include <stddef.h>
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
/* The types QEMU reports; RETURN and SYSCALL are discon's own. */
#define DISCON_QEMU_TYPES (DISCON_INTERRUPT | DISCON_EXCEPTION | DISCON_HOSTCALL)

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

/*
 * Translation-time instrumentation (plugin_returns.c). API 7 facts: the
 * translation callback is (tb, userdata) and its registration takes user
 * data; qemu_plugin_insn_data copies up to len bytes into dest and returns
 * the number copied (since API 2). Inline operations act on a per-vCPU
 * scoreboard entry (scoreboard + byte offset), evaluated in generated code
 * with no call; a conditional callback is called only when
 * `entry cond imm` holds for the executing vCPU.
 */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_scoreboard;

typedef struct {
    struct qemu_plugin_scoreboard *score;
    size_t offset;
} qemu_plugin_u64;

enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
    QEMU_PLUGIN_CB_RW_REGS_PC,
};

enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64,
    QEMU_PLUGIN_INLINE_STORE_U64,
};

enum qemu_plugin_cond {
    QEMU_PLUGIN_COND_NEVER,
    QEMU_PLUGIN_COND_ALWAYS,
    QEMU_PLUGIN_COND_EQ,
    QEMU_PLUGIN_COND_NE,
    QEMU_PLUGIN_COND_LT,
    QEMU_PLUGIN_COND_LE,
    QEMU_PLUGIN_COND_GT,
    QEMU_PLUGIN_COND_GE,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(struct qemu_plugin_tb *tb, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb,
                                           void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
size_t qemu_plugin_insn_data(const struct qemu_plugin_insn *insn, void *dest, size_t len);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

/* Per-vCPU storage of element_size bytes each, zeroed; QEMU grows it when
 * vCPUs appear, so look an element up (find) each time, never keep it. */
struct qemu_plugin_scoreboard *qemu_plugin_scoreboard_new(size_t element_size);
void qemu_plugin_scoreboard_free(struct qemu_plugin_scoreboard *score);
void *qemu_plugin_scoreboard_find(struct qemu_plugin_scoreboard *score, unsigned int vcpu_index);

void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(struct qemu_plugin_insn *insn,
                                                         enum qemu_plugin_op op,
                                                         qemu_plugin_u64 entry, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cond_cb(struct qemu_plugin_tb *tb,
                                               qemu_plugin_vcpu_udata_cb_t cb,
                                               enum qemu_plugin_cb_flags flags,
                                               enum qemu_plugin_cond cond, qemu_plugin_u64 entry,
                                               uint64_t imm, void *userdata);

/* Implemented by the plugin. */
QEMU_PLUGIN_EXPORT extern int qemu_plugin_version;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv);

#endif
