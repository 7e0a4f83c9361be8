/*
 * The one table of discon event types: their values and names. Every
 * layer (the ring records the plugin writes, the `type` column of the
 * trace format, the database's `types` table, every tool) takes them from
 * here; nothing else spells a value.
 *
 * Why these values: they are QEMU's own `enum qemu_plugin_discon_type`
 * (plugin API 7: INTERRUPT = 1, EXCEPTION = 2, HOSTCALL = 4; see
 * QEMU-FACTS), so the plugin stores what QEMU passes without translating,
 * and a mask of types is the same mask QEMU's registration takes. A new
 * type gets the next free bit; a reader of an older trace simply never
 * sees it, and a reader meeting a value it does not know treats it as
 * unknown (discon_type_index() < 0), never as one of these.
 *
 * RETURN and SYSCALL are discon's own bits beside QEMU's: QEMU reports
 * trap entries only, so the plugin finds returns from traps (eret, sret,
 * mret, iretq, sysretq, sysexit) and x86_64's fast system calls (syscall,
 * sysenter, which are not traps to QEMU) by instrumenting those
 * instructions (producer/plugin_returns.h). A RETURN event's from_pc is
 * the return instruction, to_pc the first PC executed after it; a SYSCALL
 * event's from_pc is the instruction, to_pc the kernel entry, syscall rax.
 *
 * X(ENUM_SUFFIX, value, name): name is what tools print and parse.
 */
#ifndef DISCON_TYPES_H
#define DISCON_TYPES_H

#include <stdint.h>
#include <string.h>

#define DISCON_EVENT_TYPES(X)            \
    X(INTERRUPT, 1u, "interrupt")        \
    X(EXCEPTION, 2u, "exception")        \
    X(HOSTCALL, 4u, "hostcall")          \
    X(RETURN, 8u, "return")              \
    X(SYSCALL, 16u, "syscall")

enum discon_type {
#define DISCON_TYPE_ENUM_(e, v, n) DISCON_##e = (v),
    DISCON_EVENT_TYPES(DISCON_TYPE_ENUM_)
#undef DISCON_TYPE_ENUM_
};

/* Number of types: the length of a per-type array indexed densely. */
enum {
#define DISCON_TYPE_COUNT_(e, v, n) DISCON_TYPE_INDEX_##e,
    DISCON_EVENT_TYPES(DISCON_TYPE_COUNT_)
#undef DISCON_TYPE_COUNT_
    DISCON_NTYPES
};

/* The mask of every type. */
#define DISCON_TYPE_BIT_(e, v, n) | (v)
#define DISCON_TYPES_ALL (0u DISCON_EVENT_TYPES(DISCON_TYPE_BIT_))

/* Dense index [0, DISCON_NTYPES) of a type value, in table order, or -1
 * for a value not in the table. */
static inline int discon_type_index(unsigned type)
{
#define DISCON_TYPE_INDEX_CASE_(e, v, n) if (type == (v)) return DISCON_TYPE_INDEX_##e;
    DISCON_EVENT_TYPES(DISCON_TYPE_INDEX_CASE_)
#undef DISCON_TYPE_INDEX_CASE_
    return -1;
}

/* The type value at dense index i (0 if i is out of range). */
static inline unsigned discon_type_at(int i)
{
    static const unsigned values[] = {
#define DISCON_TYPE_VALUE_(e, v, n) (v),
        DISCON_EVENT_TYPES(DISCON_TYPE_VALUE_)
#undef DISCON_TYPE_VALUE_
    };
    return i >= 0 && i < DISCON_NTYPES ? values[i] : 0u;
}

/* The name of a type value ("interrupt", ...), or NULL if unknown. The
 * string is static: never freed, valid for the life of the process. */
static inline const char *discon_type_name(unsigned type)
{
    static const char *const names[] = {
#define DISCON_TYPE_NAME_(e, v, n) n,
        DISCON_EVENT_TYPES(DISCON_TYPE_NAME_)
#undef DISCON_TYPE_NAME_
    };
    int i = discon_type_index(type);
    return i < 0 ? NULL : names[i];
}

/* The type value of name[0..len) ("exception", ...), or 0 if none. */
static inline unsigned discon_type_by_name(const char *name, size_t len)
{
    for (int i = 0; i < DISCON_NTYPES; i++) {
        const char *n = discon_type_name(discon_type_at(i));
        if (strlen(n) == len && strncmp(n, name, len) == 0)
            return discon_type_at(i);
    }
    return 0;
}

/* The mask of a list of type names joined by '+' ("exception+interrupt"),
 * or "all" anywhere in it; 0 if the list is empty or names an unknown
 * type. The one parser of such lists, for the plugin's types= option and
 * every tool's. */
static inline uint32_t discon_types_parse_list(const char *list)
{
    uint32_t mask = 0;
    for (const char *p = list;;) {
        size_t len = strcspn(p, "+");
        uint32_t bit = len == 3 && strncmp(p, "all", 3) == 0 ? DISCON_TYPES_ALL
                                                            : discon_type_by_name(p, len);
        if (!bit)
            return 0;
        mask |= bit;
        if (p[len] == '\0')
            return mask;
        p += len + 1;
    }
}

#endif
