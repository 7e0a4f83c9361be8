/*
 * A program outside the discon tree, built like count_events.c against an
 * installed libdiscon-trace: names a trap and a system call through the
 * installed discon_kinds.h.
 *
 *   name_traps TARGET CAUSE NR   ->   KIND|CLASS|SYSCALL
 * CAUSE is an exception's cause register (hex), NR a system-call number.
 */
#include <discon/discon_kinds.h>
#include <discon/discon_types.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: name_traps TARGET CAUSE NR\n");
        return 2;
    }
    enum discon_arch arch = discon_arch_from_target(argv[1]);
    const struct discon_kind *k =
        discon_trap_kind(arch, DISCON_EXCEPTION, strtoull(argv[2], NULL, 16), 1, NULL);
    const char *call = discon_syscall_name(arch, strtoull(argv[3], NULL, 10));
    printf("%s|%s|%s\n", k->name, discon_trap_class_name(k->trap_class), call ? call : "-");
    return 0;
}
