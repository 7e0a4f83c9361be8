/*
 * Columns of the text report that hold names (symbols with their offsets,
 * kind names) which must never be cut: a name that fits its column is
 * printed in it; one that does not leaves "(below)" there and is printed
 * whole on a line of its own after the row, under its column as far as
 * 80 columns allow. The last column of a row may run to column 80.
 */
#ifndef REPORT_TEXT_CELLS_H
#define REPORT_TEXT_CELLS_H

#include "report.h"

#include <stdio.h>

#define TEXT_CELLS_MAX 4   /* name columns in one row */
#define TEXT_WIDTH 80

/* One row's name cells: the strings it owns and the names put below. */
struct text_cells {
    char *own[TEXT_CELLS_MAX];
    const char *below[TEXT_CELLS_MAX];
    int below_at[TEXT_CELLS_MAX];
    int below_cell[TEXT_CELLS_MAX]; /* which cell of the row */
    int nown, nbelow;
    bool arrow; /* the names below are a source and its handler */
};

/* Start a row (no cells). */
void text_cells_init(struct text_cells *c);

/* This row's last two name cells are a source and its handler ("from ->
 * to"): when both go below, they share one line, "from -> to", as in the
 * row. */
void text_cells_arrow(struct text_cells *c);

/* The cell of a name `s` for a column `width` wide starting at column
 * `at` (0-based): s itself when it fits, else "(below)" (or "v" in a
 * column under 7 wide) and s is kept for text_cells_end. s is taken
 * (freed by text_cells_end); NULL (out of memory) shows "?". At most
 * TEXT_CELLS_MAX cells a row. */
const char *text_cell(struct text_cells *c, char *s, int width, int at);

/* The symbol of pc, whole (report_symbol_new), as a cell; without one,
 * "" (hex_prefix NULL) or pc in hex after hex_prefix ("" or "0x"). */
const char *text_sym_cell(struct text_cells *c, const struct report *r, uint64_t pc, int width,
                          int at, const char *hex_prefix);

/* The row is printed (with its newline): print the names put below, one
 * line each, and free everything; c can then take the next row. */
void text_cells_end(struct text_cells *c, FILE *o);

#endif
