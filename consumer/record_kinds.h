/* discon-record's summary of traps by kind, printed after the recording
 * (discond's own summary lines, raw events and losses, come before it). */
#ifndef DISCON_RECORD_KINDS_H
#define DISCON_RECORD_KINDS_H

#include "symbols.h"

/* Read back the trace directory dir just written and print on stderr its
 * traps by kind, counted as discon-report's "Trap kinds" table counts
 * them (tools/analysis/kind_tally.h), most frequent first:
 *     discon: 9560 traps by kind (count, kind (class)):
 *     discon:       9000 unknown (other)
 * (kind names may hold spaces and commas: the class in parentheses ends
 * the line, so a line reads back unambiguously).
 * and a line more if damaged stretches were skipped. files: --symbols
 * files to name x86_64 traps with, as discon-report --symbols does (a
 * line before the list says how they were placed), or NULL. Returns 0, or
 * 1 after one line saying why the trace could not be read (no file
 * written: nothing is printed and 0 is returned). */
int discon_record_print_kinds(const char *dir, const struct discon_symbol_files *files);

#endif
