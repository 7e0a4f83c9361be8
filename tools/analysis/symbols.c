#define _GNU_SOURCE
#include "symbols.h"
#include "code_message.h"
#include "number_option.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), -(code))
#define MAX_SYMBOLS (64u << 20)

/* Names are stored as offsets while the table grows, pointers at the end. */
static int add(struct discon_symbols *s, uint64_t addr, uint64_t size, const char *name,
               size_t len)
{
    if (s->n == s->cap) {
        if (s->cap >= MAX_SYMBOLS)
            return -1;
        s->cap = s->cap ? s->cap * 2 : 4096;
        struct discon_symbol *p = realloc(s->sym, s->cap * sizeof *p);
        if (!p)
            return -1;
        s->sym = p;
    }
    if (s->names_len + len + 1 > s->names_cap) {
        size_t c = s->names_cap ? s->names_cap * 2 : 1 << 16;
        while (c < s->names_len + len + 1)
            c *= 2;
        char *p = realloc(s->names, c);
        if (!p)
            return -1;
        s->names = p;
        s->names_cap = c;
    }
    memcpy(s->names + s->names_len, name, len);
    s->names[s->names_len + len] = '\0';
    s->sym[s->n++] = (struct discon_symbol){
        .addr = addr, .end = size ? addr + size : 0, .name = (const char *)(uintptr_t)s->names_len,
    };
    s->names_len += len + 1;
    return 0;
}

static int by_addr(const void *a, const void *b)
{
    const struct discon_symbol *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Sort, turn name offsets into pointers, and bound sizeless symbols by
 * the next one. */
static void finish(struct discon_symbols *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->sym[i].name = s->names + (uintptr_t)s->sym[i].name;
    qsort(s->sym, s->n, sizeof *s->sym, by_addr);
    for (size_t i = 0; i < s->n; i++) {
        if (s->sym[i].end)
            continue;
        size_t j = i + 1;
        while (j < s->n && s->sym[j].addr == s->sym[i].addr)
            j++;
        s->sym[i].end = j < s->n ? s->sym[j].addr : s->sym[i].addr + 1;
    }
}

int discon_symbols_parse_map(struct discon_symbols *s, const char *text, size_t len, char *err,
                             size_t errlen)
{
    *s = (struct discon_symbols){0};
    size_t line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        if (eol == p) { /* a blank line */
            p = eol + 1;
            continue;
        }
        /* ADDR TYPE NAME [\tMODULE], parsed within [p, eol): the text is
         * a mapped file, not a string, and its last line may not end. */
        uint64_t addr = 0;
        const char *q = p;
        int digits = 0;
        for (; q < eol && digits <= 16; q++, digits++) {
            int v = *q >= '0' && *q <= '9' ? *q - '0'
                  : (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f' ? (*q | 0x20) - 'a' + 10 : -1;
            if (v < 0)
                break;
            addr = addr << 4 | (uint64_t)v;
        }
        if (digits == 0 || digits > 16 || eol - q < 3 || q[0] != ' ' || q[2] != ' ') {
            discon_symbols_free(s);
            return FAIL(DISCON_SYM_E_SYNTAX, "line %zu: not 'ADDRESS TYPE NAME'", line);
        }
        char type = q[1];
        const char *name = q + 3;
        size_t nlen = 0;
        while (name + nlen < eol && name[nlen] != ' ' && name[nlen] != '\t' && name[nlen] != '\r')
            nlen++;
        /* Text symbols only: they are what PCs land in. */
        if ((type == 't' || type == 'T' || type == 'w' || type == 'W') && nlen > 0 && addr != 0 &&
            add(s, addr, 0, name, nlen) != 0) {
            discon_symbols_free(s);
            return FAIL(DISCON_SYM_E_NOMEM, "too many symbols (or out of memory)");
        }
        p = eol + 1;
    }
    if (s->n == 0)
        return FAIL(DISCON_SYM_E_NONE, "no text symbols");
    finish(s);
    return 0;
}

static int load_elf(struct discon_symbols *s, int fd, char *err, size_t errlen)
{
    *s = (struct discon_symbols){0};
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    if (!e)
        return FAIL(DISCON_SYM_E_ELF, "not a readable ELF file: %s", elf_errmsg(-1));
    int rc = 0;
    for (Elf_Scn *scn = NULL; rc == 0 && (scn = elf_nextscn(e, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
            sh.sh_entsize == 0)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t count = data ? data->d_size / sh.sh_entsize : 0;
        for (size_t i = 0; i < count && rc == 0; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
                sym.st_value == 0)
                continue;
            const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
            if (name && *name && add(s, sym.st_value, sym.st_size, name, strlen(name)))
                rc = FAIL(DISCON_SYM_E_NOMEM, "too many symbols (or out of memory)");
        }
    }
    elf_end(e);
    if (rc == 0 && s->n == 0)
        rc = FAIL(DISCON_SYM_E_NONE, "no function symbols (stripped?)");
    if (rc != 0) {
        discon_symbols_free(s);
        return rc;
    }
    finish(s);
    return 0;
}

int discon_symbols_load(struct discon_symbols *s, const char *path, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO must be refused below, not wait for a writer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return FAIL(DISCON_SYM_E_OPEN, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return FAIL(DISCON_SYM_E_NOT_FILE, "%s: not a non-empty regular file", path);
    }
    char magic[4] = {0};
    int rc;
    char why[256];
    if (pread(fd, magic, 4, 0) == 4 && memcmp(magic, "\177ELF", 4) == 0) {
        rc = load_elf(s, fd, why, sizeof why);
    } else {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            close(fd);
            return FAIL(DISCON_SYM_E_OPEN, "cannot map %s: %s", path, strerror(errno));
        }
        rc = discon_symbols_parse_map(s, map, (size_t)st.st_size, why, sizeof why);
        munmap(map, (size_t)st.st_size);
    }
    close(fd);
    if (rc != 0)
        return FAIL(-rc, "%s: %s", path, why);
    return 0;
}

static const char *const sym_messages[] = {
    [DISCON_SYM_OK] = "success",
    [DISCON_SYM_E_OPEN] = "cannot open or map the symbol file",
    [DISCON_SYM_E_NOT_FILE] = "not a non-empty regular file",
    [DISCON_SYM_E_SYNTAX] = "a line is not 'ADDRESS TYPE NAME'",
    [DISCON_SYM_E_NONE] = "no text or function symbols",
    [DISCON_SYM_E_ELF] = "not a readable ELF file",
    [DISCON_SYM_E_NOMEM] = "out of memory",
};
_Static_assert(sizeof sym_messages / sizeof sym_messages[0] == DISCON_SYM_E_COUNT,
               "a message for every code");

const char *discon_sym_strerror(int code)
{
    return discon_code_message(sym_messages, DISCON_SYM_E_COUNT, code);
}

int discon_symbols_add(struct discon_symbols *s, uint64_t addr, uint64_t end, const char *name)
{
    return add(s, addr, end > addr ? end - addr : 0, name, strlen(name));
}

void discon_symbols_sort(struct discon_symbols *s)
{
    finish(s);
}

int discon_kaslr_find(const struct discon_symbols *s, const char *target,
                      const uint64_t *handlers, size_t n, int64_t *offset)
{
    static const struct {
        const char *target, *symbol;
        uint64_t entry;     /* handler = symbol + entry */
        uint64_t alignment; /* of the KASLR slide */
    } anchors[] = {
        {"x86_64", "asm_exc_page_fault", 0, 2u << 20},
        {"aarch64", "vectors", 0x200, 64u << 10}, /* synchronous, from EL1 */
        {"aarch64", "vectors", 0x400, 64u << 10}, /* synchronous, from EL0 */
    };
    for (size_t h = 0; h < n; h++)
        for (size_t i = 0; i < sizeof anchors / sizeof anchors[0]; i++) {
            const struct discon_symbol *sym = discon_symbols_by_name(s, anchors[i].symbol);
            if (!sym || !target || strcmp(target, anchors[i].target) != 0)
                continue;
            uint64_t off = handlers[h] - (sym->addr + anchors[i].entry);
            if (off % anchors[i].alignment == 0) {
                *offset = (int64_t)off;
                return 0;
            }
        }
    return -1;
}

int discon_kaslr_option_parse(const char *arg, struct discon_kaslr_option *out)
{
    uint64_t off = 0;
    bool automatic = strcmp(arg, "auto") == 0;
    if (!automatic && discon_parse_hex(arg, &off) != 0)
        return -1;
    *out = (struct discon_kaslr_option){.given = true, .automatic = automatic,
                                        .offset = (int64_t)off};
    return 0;
}

void discon_symbols_relocate(struct discon_symbols *s, int64_t offset)
{
    for (size_t i = 0; i < s->n; i++) {
        s->sym[i].addr += (uint64_t)offset;
        s->sym[i].end += (uint64_t)offset;
    }
}

const struct discon_symbol *discon_symbols_find(const struct discon_symbols *s, uint64_t addr,
                                                uint64_t *offset)
{
    size_t lo = 0, hi = s->n; /* first symbol with addr > target */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->sym[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Among symbols at or below addr, the nearest that contains it. */
    for (size_t i = lo; i-- > 0 && lo - i <= 8;) {
        if (addr < s->sym[i].end) {
            *offset = addr - s->sym[i].addr;
            return &s->sym[i];
        }
    }
    return NULL;
}

const struct discon_symbol *discon_symbols_by_name(const struct discon_symbols *s,
                                                   const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->sym[i].name, name) == 0)
            return &s->sym[i];
    return NULL;
}

void discon_symbols_free(struct discon_symbols *s)
{
    free(s->sym);
    free(s->names);
    *s = (struct discon_symbols){0};
}
