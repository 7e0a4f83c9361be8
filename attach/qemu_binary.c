/* Reading QEMU's binary with libelf: see qemu_binary.h. */
#define _GNU_SOURCE
#include "qemu_binary.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CODE_WINDOW 1024 /* bytes read at each address: routine and callbacks */

struct image {
    int fd;
    Elf *elf;
};

/* The value of each dispatcher's dynamic symbol (0 when missing). */
static int find_dispatchers(struct image *im, uint64_t addr[DISCON_DISPATCHER_COUNT])
{
    memset(addr, 0, DISCON_DISPATCHER_COUNT * sizeof addr[0]);
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        for (size_t k = 0; data && k < sh.sh_size / sh.sh_entsize; k++) {
            GElf_Sym sym;
            const char *name;
            if (!gelf_getsym(data, (int)k, &sym) || sym.st_shndx == SHN_UNDEF ||
                GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
                !(name = elf_strptr(im->elf, sh.sh_link, sym.st_name)))
                continue;
            for (int d = 0; d < DISCON_DISPATCHER_COUNT; d++)
                if (strcmp(name, discon_dispatcher_names[d]) == 0)
                    addr[d] = sym.st_value;
        }
    }
    return 0;
}

/* File offset of vaddr inside an executable PT_LOAD, and how many bytes of
 * that segment's file image follow it. -1 if none holds it. */
static int file_offset(struct image *im, uint64_t vaddr, uint64_t *off, uint64_t *avail)
{
    size_t n;
    if (elf_getphdrnum(im->elf, &n) != 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(im->elf, (int)k, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
            continue;
        if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
            *off = vaddr - ph.p_vaddr + ph.p_offset;
            *avail = ph.p_vaddr + ph.p_filesz - vaddr;
            return 0;
        }
    }
    return -1;
}

/* Up to CODE_WINDOW bytes of code at vaddr into buf; sets c. */
static int read_code(struct image *im, uint64_t vaddr, uint8_t *buf, struct discon_code *c)
{
    uint64_t off, avail;
    if (file_offset(im, vaddr, &off, &avail) != 0)
        return -1;
    size_t want = avail < CODE_WINDOW ? (size_t)avail : CODE_WINDOW;
    ssize_t got = pread(im->fd, buf, want, (off_t)off);
    if (got <= 0)
        return -1;
    *c = (struct discon_code){.vaddr = vaddr, .bytes = buf, .len = (size_t)got};
    return 0;
}

/* The steps of dispatch_shape.h on an open image. */
static int decode(struct image *im, const uint64_t addr[DISCON_DISPATCHER_COUNT],
                  struct discon_dispatch_shape *s, char *err, size_t errlen)
{
    static uint8_t buf[DISCON_DISPATCHER_COUNT][CODE_WINDOW];
    struct discon_code c[DISCON_DISPATCHER_COUNT];
    char why[256];
    for (int d = 0; d < DISCON_DISPATCHER_COUNT; d++)
        if (read_code(im, addr[d], buf[d], &c[d]) != 0) {
            snprintf(err, errlen, "%s is not in executable code", discon_dispatcher_names[d]);
            return DISCON_BINARY_SHAPE;
        }
    if (discon_decode_dispatchers(c, &s->routine, why, sizeof why) != DISCON_SHAPE_OK) {
        snprintf(err, errlen, "unexpected dispatcher shape: %s", why);
        return DISCON_BINARY_SHAPE;
    }
    if (read_code(im, s->routine, buf[0], &c[0]) != 0)
        snprintf(why, sizeof why, "not in executable code");
    else if (discon_decode_routine(&c[0], s, why, sizeof why) == DISCON_SHAPE_OK)
        return DISCON_BINARY_OK;
    snprintf(err, errlen, "unexpected dispatcher shape: routine 0x%llx: %s",
             (unsigned long long)s->routine, why);
    return DISCON_BINARY_SHAPE;
}

int discon_binary_inspect(const char *path, struct discon_dispatch_shape *s,
                          uint64_t *probe_offset, char *err, size_t errlen)
{
    *s = (struct discon_dispatch_shape){0};
    struct image im = {.fd = open(path, O_RDONLY | O_CLOEXEC)};
    if (im.fd < 0 || elf_version(EV_CURRENT) == EV_NONE ||
        !(im.elf = elf_begin(im.fd, ELF_C_READ, NULL)) || elf_kind(im.elf) != ELF_K_ELF) {
        snprintf(err, errlen, "cannot read %s as ELF", path);
        if (im.fd >= 0)
            close(im.fd);
        return DISCON_BINARY_IO;
    }
    int rc = DISCON_BINARY_OK;
    GElf_Ehdr eh;
    uint64_t addr[DISCON_DISPATCHER_COUNT], avail;
    find_dispatchers(&im, addr);
    int missing = !addr[0] ? 0 : !addr[1] ? 1 : !addr[2] ? 2 : -1;
    if (missing >= 0) {
        snprintf(err, errlen, "QEMU without plugin support: %s does not export %s", path,
                 discon_dispatcher_names[missing]);
        rc = DISCON_BINARY_NO_PLUGINS;
    } else if (!gelf_getehdr(im.elf, &eh) || eh.e_machine != EM_X86_64) {
        snprintf(err, errlen, "unexpected dispatcher shape: %s is not an x86-64 binary", path);
        rc = DISCON_BINARY_SHAPE;
    } else if ((rc = decode(&im, addr, s, err, errlen)) == DISCON_BINARY_OK &&
               file_offset(&im, s->probe, probe_offset, &avail) != 0) {
        snprintf(err, errlen, "unexpected dispatcher shape: probe address outside the code");
        rc = DISCON_BINARY_SHAPE;
    }
    elf_end(im.elf);
    close(im.fd);
    return rc;
}
