/* The SVG charts of the HTML report (see render_html.h). Plain SVG
 * drawn here: a page that needs no script and no network. */
#include "render_html.h"

#include <math.h>

#define W 960     /* chart width, px */
#define H 240     /* rate chart height */
#define LEFT 64   /* room for the y axis labels */
#define ROW 18    /* heat strip row height */

const char *html_colour(size_t i)
{
    static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                          "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                          "#bcbd22", "#17becf"};
    return palette[i % (sizeof palette / sizeof palette[0])];
}

static double bin_s(const struct timeline *tl)
{
    return (double)tl->bin_ns / 1e9;
}

/* Trap rate per kind: one line per kind, traps per second in each bin. */
void html_rate_chart(FILE *o, const struct timeline *tl)
{
    uint64_t max = 1;
    for (size_t k = 0; k < tl->nkinds; k++)
        for (size_t b = 0; b < tl->nbins; b++)
            max = tl->kind_bins[k][b] > max ? tl->kind_bins[k][b] : max;
    double xs = (double)(W - LEFT) / (double)tl->nbins, top = (double)max / bin_s(tl);
    fprintf(o, "<svg id=\"rate-chart\" class=\"chart\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"trap rate per kind\">\n",
            W, H + 20, W, H + 20);
    fprintf(o, "<text x=\"0\" y=\"12\" class=\"axis\">%.0f/s</text>"
               "<text x=\"0\" y=\"%d\" class=\"axis\">0</text>\n", top, H);
    fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"axis\">+0 s</text>"
               "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">+%.3f s</text>\n",
            LEFT, H + 16, W, H + 16, bin_s(tl) * (double)tl->nbins);
    fprintf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"frame\"/>\n", LEFT, H, W, H);
    for (size_t k = 0; k < tl->nkinds; k++) {
        fprintf(o, "<polyline class=\"rate-line\" data-kind=\"");
        html_text(o, tl->kinds[k]->name);
        fprintf(o, "\" data-count=\"%llu\" fill=\"none\" stroke=\"%s\" points=\"",
                (unsigned long long)tl->kind_total[k], html_colour(k));
        for (size_t b = 0; b < tl->nbins; b++)
            fprintf(o, "%s%.1f,%.1f", b ? " " : "", LEFT + xs * ((double)b + 0.5),
                    H - (double)(H - 16) * (double)tl->kind_bins[k][b] / (double)max);
        fprintf(o, "\"><title>");
        html_text(o, tl->kinds[k]->name);
        fprintf(o, "</title></polyline>\n");
    }
    fprintf(o, "</svg>\n<ul class=\"legend\">");
    for (size_t k = 0; k < tl->nkinds; k++) {
        fprintf(o, "<li><span class=\"swatch\" style=\"background:%s\"></span>", html_colour(k));
        html_text(o, tl->kinds[k]->name);
        fprintf(o, " (%llu)</li>", (unsigned long long)tl->kind_total[k]);
    }
    fprintf(o, "</ul>\n<p class=\"note\">Bins of %.3f ms; traps per second in each.</p>\n",
            bin_s(tl) * 1e3);
}

/* Traps per vCPU per bin: a row of cells each, darker for more. */
void html_heat_strip(FILE *o, const struct timeline *tl)
{
    uint64_t max = 1;
    for (uint32_t v = 0; v < tl->nvcpus; v++)
        for (size_t b = 0; tl->vcpu_bins[v] && b < tl->nbins; b++)
            max = tl->vcpu_bins[v][b] > max ? tl->vcpu_bins[v][b] : max;
    double xs = (double)(W - LEFT) / (double)tl->nbins;
    fprintf(o, "<svg id=\"heat-strip\" class=\"chart\" width=\"%d\" height=\"%u\" "
               "role=\"img\" aria-label=\"traps per vCPU over time\">\n",
            W, tl->nvcpus * ROW + 2);
    for (uint32_t v = 0; v < tl->nvcpus; v++) {
        if (!tl->vcpu_bins[v])
            continue;
        uint64_t total = 0;
        for (size_t b = 0; b < tl->nbins; b++)
            total += tl->vcpu_bins[v][b];
        fprintf(o, "<g class=\"heat-row\" data-vcpu=\"%u\" data-count=\"%llu\">"
                   "<text x=\"0\" y=\"%u\" class=\"axis\">vCPU %u</text>\n",
                v, (unsigned long long)total, v * ROW + 13, v);
        for (size_t b = 0; b < tl->nbins; b++) {
            uint64_t n = tl->vcpu_bins[v][b];
            /* log scale: a quiet bin next to a storm stays visible */
            double shade = n ? 0.15 + 0.85 * log1p((double)n) / log1p((double)max) : 0;
            fprintf(o, "<rect class=\"heat-cell\" x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%d\" "
                       "fill=\"#b2182b\" fill-opacity=\"%.3f\"><title>+%.3f s: %llu</title></rect>\n",
                    LEFT + xs * (double)b, v * ROW, xs + 0.05, ROW - 2, shade,
                    bin_s(tl) * (double)b, (unsigned long long)n);
        }
        fprintf(o, "</g>\n");
    }
    fprintf(o, "</svg>\n");
}

static double log_x(uint64_t ns, double lo, double hi)
{
    double v = log10((double)(ns ? ns : 1));
    return LEFT + 160 + (W - LEFT - 160) * (v - lo) / (hi - lo);
}

/* Handler time per kind on a log axis: a line from the shortest to the
 * longest, a box from the median to the 99th percentile. */
void html_handler_times(FILE *o, const struct report *r)
{
    const struct nesting *n = &r->nest;
    uint64_t hi_ns = 10;
    for (size_t i = 0; i < n->nkinds; i++)
        hi_ns = n->kinds[i].max_ns > hi_ns ? n->kinds[i].max_ns : hi_ns;
    double lo = 0, hi = ceil(log10((double)hi_ns));
    fprintf(o, "<svg id=\"handler-time-chart\" class=\"chart\" width=\"%d\" height=\"%zu\" "
               "role=\"img\" aria-label=\"handler time per kind\">\n",
            W, n->nkinds * ROW + 20);
    for (int d = 0; d <= (int)hi; d++)
        fprintf(o, "<text x=\"%.1f\" y=\"%zu\" class=\"axis\" text-anchor=\"middle\">1e%d ns</text>\n",
                log_x((uint64_t)pow(10, d), lo, hi), n->nkinds * ROW + 14, d);
    for (size_t i = 0; i < n->nkinds; i++) {
        const struct kind_time *k = &n->kinds[i];
        double y = (double)(i * ROW);
        fprintf(o, "<g class=\"time-dist\" data-kind=\"");
        html_text(o, k->kind->name);
        fprintf(o, "\"><text x=\"0\" y=\"%.0f\" class=\"axis\">", y + 13);
        html_text(o, k->kind->name);
        fprintf(o, "</text><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\"/>"
                   "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                   "<title>min %llu ns, median %llu ns, p99 %llu ns, max %llu ns</title></rect></g>\n",
                log_x(k->min_ns, lo, hi), log_x(k->max_ns, lo, hi), y + 8, y + 8, html_colour(i),
                log_x(k->p50_ns, lo, hi), y + 2,
                fmax(1.0, log_x(k->p99_ns, lo, hi) - log_x(k->p50_ns, lo, hi)), ROW - 6,
                html_colour(i), (unsigned long long)k->min_ns, (unsigned long long)k->p50_ns,
                (unsigned long long)k->p99_ns, (unsigned long long)k->max_ns);
    }
    fprintf(o, "</svg>\n");
}
