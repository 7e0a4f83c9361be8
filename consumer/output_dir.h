/*
 * One trace per place: the output directory of a new recording holds no
 * other trace. discon-record moves an earlier recording's trace files
 * aside, as perf renames perf.data to perf.data.old: into DIR.old, and
 * says which trace went there. (discond itself continues only its own
 * files, drain_resume.c; a new recording is discon-record's.)
 */
#ifndef DISCON_OUTPUT_DIR_H
#define DISCON_OUTPUT_DIR_H

/* If DIR holds trace files (trace_names.h), move them into DIR.old
 * (created; refused if it already holds trace files, so nothing is ever
 * overwritten) and say so on stderr with the moved trace's id. 0 (nothing
 * there, or moved), or 1 after one line "TOOL: ..." on stderr. */
int discon_output_set_aside(const char *tool, const char *dir);

/* The output directory DIR, checked before anything starts (before QEMU
 * runs, before discond attaches to a segment, whose guest would otherwise
 * wait out the block timeout and drop once discond failed): created if
 * missing (with its parents, as `mkdir -p`), a directory, and writable (a
 * file is created and removed, which catches a read-only file system and
 * permissions root ignores elsewhere). 0, or 1 after one line "TOOL: ..."
 * on stderr. */
int discon_output_check(const char *tool, const char *dir);

#endif
