/*
 * discon-report --format html, internal: the page (render_html.c) and its
 * SVG charts (render_html_charts.c). Every string that comes from a trace
 * or a symbol file goes through html_text: a hostile trace's names must
 * not become markup.
 */
#ifndef RENDER_HTML_H
#define RENDER_HTML_H

#include "timeline.h"

#define HTML_BINS 240 /* time bins across the page's charts */

/* s, made printable (common/printable.h) and with & < > " ' escaped: safe
 * in element text and in a quoted attribute. NULL prints nothing. */
void html_text(FILE *o, const char *s);
/* The series colour of index i (a fixed palette, "#rrggbb"). */
const char *html_colour(size_t i);

/* Charts, each an <svg> with an id (rate-chart, heat-strip,
 * handler-time-chart) and its legend. */
void html_rate_chart(FILE *o, const struct timeline *tl);
void html_heat_strip(FILE *o, const struct timeline *tl);
void html_handler_times(FILE *o, const struct report *r);

#endif
