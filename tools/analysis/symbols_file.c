/* Reading symbol files: map text (System.map, /proc/kallsyms) and ELF
 * symbol tables (see symbols.h). */
#define _GNU_SOURCE
#include "symbols.h"
#include "code_message.h"

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

/* One line "ADDR TYPE NAME [\tMODULE]" within [p, eol): the text is a
 * mapped file, not a string, and its last line may not end. 0 (a text
 * symbol added, or another kind skipped), -1 syntax, -2 out of memory. */
static int map_line(struct discon_symbols *s, const char *p, const char *eol)
{
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
    if (digits == 0 || digits > 16 || eol - q < 3 || q[0] != ' ' || q[2] != ' ')
        return -1;
    char type = q[1];
    const char *name = q + 3;
    size_t nlen = 0;
    while (name + nlen < eol && name[nlen] != ' ' && name[nlen] != '\t' && name[nlen] != '\r')
        nlen++;
    /* Text symbols only: they are what PCs land in. */
    if (!(type == 't' || type == 'T' || type == 'w' || type == 'W') || nlen == 0 || addr == 0)
        return 0;
    return discon_symbols_add_flags(s, addr, 0, name, nlen, type == 't' ? DISCON_SYMF_LOCAL : 0)
               ? -2 : 0;
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
        int rc = eol == p ? 0 : map_line(s, p, eol); /* a blank line: nothing */
        if (rc) {
            discon_symbols_free(s);
            return rc == -1 ? FAIL(DISCON_SYM_E_SYNTAX, "line %zu: not 'ADDRESS TYPE NAME'", line)
                            : FAIL(DISCON_SYM_E_NOMEM, "too many symbols (or out of memory)");
        }
        p = eol + 1;
    }
    if (s->n == 0)
        return FAIL(DISCON_SYM_E_NONE, "no text symbols");
    discon_symbols_sort(s);
    return 0;
}

/* What an ELF symbol is to the table: DISCON_SYMF_* flags, or -1 to skip
 * it. Functions; and labels in executable sections (a bare-metal guest in
 * assembly has no functions), but never a mapping symbol ($x, $d...),
 * which marks the kind of bytes that follow, not a place. */
static int symbol_flags(Elf *e, const GElf_Sym *sym, const char *name)
{
    if (sym->st_value == 0 || !name || !*name || name[0] == '$')
        return -1;
    unsigned flags = GELF_ST_BIND(sym->st_info) == STB_LOCAL ? DISCON_SYMF_LOCAL : 0;
    if (GELF_ST_TYPE(sym->st_info) == STT_FUNC)
        return (int)flags;
    if (GELF_ST_TYPE(sym->st_info) != STT_NOTYPE || sym->st_shndx == SHN_UNDEF ||
        sym->st_shndx >= SHN_LORESERVE)
        return -1;
    GElf_Shdr sh;
    Elf_Scn *scn = elf_getscn(e, sym->st_shndx);
    if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
        return -1;
    return (int)(flags | DISCON_SYMF_LABEL);
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
            if (!gelf_getsym(data, (int)i, &sym))
                continue;
            const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
            int flags = symbol_flags(e, &sym, name);
            if (flags >= 0 && discon_symbols_add_flags(s, sym.st_value, sym.st_size, name,
                                                       strlen(name), (unsigned)flags))
                rc = FAIL(DISCON_SYM_E_NOMEM, "too many symbols (or out of memory)");
        }
    }
    elf_end(e);
    if (rc == 0 && s->n == 0)
        rc = FAIL(DISCON_SYM_E_NONE, "no function or code label symbols (stripped?)");
    if (rc != 0) {
        discon_symbols_free(s);
        return rc;
    }
    discon_symbols_sort(s);
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

int discon_symbol_files_load(struct discon_symbol_files *f, const char *const *paths, size_t n,
                             char *err, size_t errlen)
{
    *f = (struct discon_symbol_files){0};
    if (n > DISCON_SYMBOL_FILES_MAX)
        return FAIL(DISCON_SYM_E_NOMEM, "more than %d symbol files", DISCON_SYMBOL_FILES_MAX);
    for (size_t i = 0; i < n; i++) {
        int rc = discon_symbols_load(&f->file[i], paths[i], err, errlen);
        if (rc) {
            discon_symbol_files_free(f);
            return rc;
        }
        f->path[i] = paths[i];
        f->n = i + 1;
    }
    return 0;
}

void discon_symbol_files_free(struct discon_symbol_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        discon_symbols_free(&f->file[i]);
    *f = (struct discon_symbol_files){0};
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
