/* CSV as RFC 4180 writes it: the one field writer of every tool that has
 * a CSV format (discon-dump, discon-report). */
#ifndef DISCON_CSV_H
#define DISCON_CSV_H

#include <stdio.h>

/* Write `s` as one CSV field, of any length: as it is, or, when it holds
 * a comma, a double quote or a line break, between double quotes with
 * each double quote doubled. Nothing else is written (no separator).
 * 0, or EOF if writing failed. */
int discon_csv_field(FILE *o, const char *s);

#endif
