/*
 * The names of a trace's files: the one rule every writer and reader uses.
 *
 * A trace is a directory of files named PREFIX-NNNNNN.discon, NNNNNN the
 * file index in decimal (at least six digits, zero-padded), written in
 * index order. A reader given a directory reads the names ending in
 * exactly ".discon"; a resuming writer continues only the files named
 * exactly PREFIX-<digits>.discon. So a stray copy ("X.discon.orig",
 * "X.discon~", "X.discon.bak") is neither read nor continued.
 *
 * A flight-recorder snapshot (discond --snapshot) is a trace of one file
 * of its own, named PREFIX-snapNNNNNN.discon, NNNNNN the snapshot's
 * number from 1: a reader takes it as any trace file, a resuming writer
 * never continues it (not PREFIX-<digits>). It is written under
 * .PREFIX-snapNNNNNN.discon.tmp (no ".discon" ending: never read) and
 * renamed once whole and synced.
 *
 * Part of libdiscon-trace soname 2 (version node DISCON_TRACE_2;
 * discon_snapshot_file_name: DISCON_TRACE_2.3).
 */
#ifndef DISCON_TRACE_NAMES_H
#define DISCON_TRACE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define DISCON_TRACE_SUFFIX ".discon"

/* Whether a directory entry's name (no directory part) is a trace file:
 * it ends in exactly ".discon" and has something before it. NULL: false. */
bool discon_trace_file_name_is(const char *name);

/* The file index of `name` if it is exactly PREFIX-<digits>.discon (at
 * most 9 digits), else -1. NULL arguments: -1. */
long discon_trace_file_index(const char *name, const char *prefix);

/* Write PREFIX-NNNNNN.discon into buf (len bytes, NUL-terminated). The
 * length it needed, excluding the NUL (snprintf's return), or -1 for a
 * NULL argument; a result >= len means it was cut. */
int discon_trace_file_name(char *buf, size_t len, const char *prefix, unsigned index);

/* Write PREFIX-snapNNNNNN.discon into buf, as discon_trace_file_name
 * (same return). */
int discon_snapshot_file_name(char *buf, size_t len, const char *prefix, unsigned number);

#endif
