/* Text columns that never cut a name (see text_cells.h). */
#include "text_cells.h"

#include <stdlib.h>
#include <string.h>

void text_cells_init(struct text_cells *c)
{
    c->nown = c->nbelow = 0;
    c->arrow = false;
}

void text_cells_arrow(struct text_cells *c)
{
    c->arrow = true;
}

const char *text_cell(struct text_cells *c, char *s, int width, int at)
{
    if (c->nown == TEXT_CELLS_MAX) { /* a caller's bug: never silently cut */
        free(s);
        return "?";
    }
    c->own[c->nown++] = s;
    if (!s)
        return "?";
    if (strlen(s) <= (size_t)width)
        return s;
    c->below[c->nbelow] = s;
    c->below_cell[c->nbelow] = c->nown - 1;
    c->below_at[c->nbelow++] = at;
    return width >= 7 ? "(below)" : "v";
}

const char *text_sym_cell(struct text_cells *c, const struct report *r, uint64_t pc, int width,
                          int at, const char *hex_prefix)
{
    char *s = report_symbol_new(r, pc);
    if (s && !s[0] && hex_prefix) {
        free(s);
        size_t len = strlen(hex_prefix) + 17;
        s = malloc(len);
        if (s)
            snprintf(s, len, "%s%llx", hex_prefix, (unsigned long long)pc);
    }
    return text_cell(c, s, width, at);
}

/* One line below the row: under its column, or as far right as 80
 * columns allow, or at column 6 (past any row's first fields) when even
 * that is too long: then the line is longer than 80, never a name cut. */
static void below_line(FILE *o, int at, const char *a, const char *sep, const char *b)
{
    int len = (int)(strlen(a) + strlen(sep) + strlen(b));
    if (at + len > TEXT_WIDTH)
        at = TEXT_WIDTH - len > 6 ? TEXT_WIDTH - len : 6;
    fprintf(o, "%*s%s%s%s\n", at, "", a, sep, b);
}

void text_cells_end(struct text_cells *c, FILE *o)
{
    int n = c->nbelow;
    bool joined = c->arrow && n >= 2 && c->below_cell[n - 2] == c->nown - 2 &&
                  c->below_cell[n - 1] == c->nown - 1;
    for (int i = 0; i < (joined ? n - 2 : n); i++)
        below_line(o, c->below_at[i], c->below[i], "", "");
    if (joined)
        below_line(o, c->below_at[n - 2], c->below[n - 2], " -> ", c->below[n - 1]);
    for (int i = 0; i < c->nown; i++)
        free(c->own[i]);
    text_cells_init(c);
}
