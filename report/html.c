/* See html.h. */
#include "report/html.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "report/gnuplot.h"

void html_escape(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c >= 0x20 || c == '\n' || c == '\t')
				fputc(c, f);
			else if (c == 0x7f)
				break;
		}
	}
}

static const char STYLE[] =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;margin:18px 22px;color:#222;"
	"background:#fff;font-size:14px}\n"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}\n"
	"p.meta{color:#555;margin:0 0 14px}\n"
	".layout{display:grid;grid-template-columns:minmax(300px,380px) minmax(0,1fr);gap:22px;"
	"align-items:start}\n"
	".side{position:sticky;top:10px;min-width:0}\n"
	/* fixed layout and breakable long words (paths, citations): the summary must stay in
	 * its column instead of running under the figures */
	"table.sum{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}\n"
	"table.sum th{text-align:left;background:#eef2f7;padding:5px 6px;font-size:13px}\n"
	"table.sum td{padding:3px 6px;border-bottom:1px solid #eee;vertical-align:top;"
	"overflow-wrap:anywhere}\n"
	"table.sum td:first-child{width:34%}\n"
	"table.sum td.v{font-variant-numeric:tabular-nums}\n"
	"td .note{display:block;color:#666;font-size:11px;white-space:normal}\n"
	"tr.ok td.v{color:#0a7a2f}tr.warn td.v{color:#a86400;font-weight:bold}\n"
	"tr.error td.v{color:#b00020;font-weight:bold}tr.info td.v{color:#335}\n"
	"figure{margin:0 0 26px;border:1px solid #ddd;padding:10px;border-radius:4px}\n"
	"figure img{width:100%;height:auto;display:block}\n"
	"figcaption{color:#444;font-size:12.5px;margin-top:6px}\n"
	".notice{border-left:4px solid #a86400;background:#fff6e5;padding:8px 12px;margin:0 0 16px}\n"
	".failed{border-left:4px solid #b00020;background:#fdecef;padding:6px 10px}\n"
	"pre.cal{background:#f6f6f6;border:1px solid #ddd;padding:8px;font-size:12.5px;"
	"white-space:pre-wrap;word-break:break-all}\n"
	"ul.skipped{color:#555;font-size:13px}\n"
	"@media (max-width:1000px){.layout{grid-template-columns:1fr}.side{position:static}}\n";

static void summary_table(FILE *f, const struct summary *s)
{
	fputs("<table class=\"sum\">\n", f);
	const char *sec = NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct srow *r = &s->rows[i];
		if (!sec || strcmp(sec, r->section) != 0) {
			sec = r->section;
			fputs("<tr><th colspan=\"2\">", f);
			html_escape(f, sec);
			fputs("</th></tr>\n", f);
		}
		fprintf(f, "<tr class=\"%s\"><td>", level_name(r->level));
		html_escape(f, r->label);
		fputs("</td><td class=\"v\">", f);
		html_escape(f, r->value);
		if (r->note[0]) {
			fputs("<span class=\"note\">", f);
			html_escape(f, r->note);
			fputs("</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void calibration(FILE *f, const struct jr_value *cal)
{
	fputs("<h2>Calibration lines</h2>\n", f);
	if (jr_bool(jr_get(cal, "refused"), NULL)) {
		fputs("<p class=\"failed\">The calibration was refused: ", f);
		html_escape(f, jr_str(jr_get(cal, "reason")));
		fputs("</p>\n", f);
	}
	const struct jr_value *emit = jr_get(cal, "emit");
	if (jr_len(emit) == 0) {
		fputs("<p>No configuration lines.</p>\n", f);
		return;
	}
	for (size_t i = 0; i < jr_len(emit); i++) {
		const struct jr_value *e = jr_at(emit, i);
		fputs("<p><b>", f);
		html_escape(f, jr_str(jr_get(e, "target")));
		fputs("</b>", f);
		if (jr_str(jr_get(e, "note"))) {
			fputs(": ", f);
			html_escape(f, jr_str(jr_get(e, "note")));
		}
		fputs("</p>\n<pre class=\"cal\">", f);
		const struct jr_value *lines = jr_get(e, "lines");
		for (size_t k = 0; k < jr_len(lines); k++) {
			html_escape(f, jr_str(jr_at(lines, k)));
			fputc('\n', f);
		}
		fputs("</pre>\n", f);
	}
}

static void figure_html(FILE *f, const struct figure *fig)
{
	fputs("<figure>\n<h2>", f);
	html_escape(f, fig->title);
	fputs("</h2>\n", f);
	if (fig->rendered) {
		fputs("<a href=\"", f);
		html_escape(f, fig->name);
		fprintf(f, ".svg\"><img src=\"");
		html_escape(f, fig->name);
		fprintf(f, ".png\" width=\"%d\" height=\"%d\" alt=\"", GP_WIDTH, GP_HEIGHT);
		html_escape(f, fig->title);
		fputs("\"></a>\n", f);
	} else if (fig->failed[0]) {
		fputs("<p class=\"failed\">Not rendered: ", f);
		html_escape(f, fig->failed);
		fputs("</p>\n", f);
	}
	fputs("<figcaption>", f);
	html_escape(f, fig->caption);
	fputs(" <a href=\"", f);
	html_escape(f, fig->name);
	fputs(".gp\">gnuplot script</a>", f);
	if (fig->rendered) {
		fputs(" \xc2\xb7 <a href=\"", f);
		html_escape(f, fig->name);
		fputs(".svg\">SVG</a>", f);
	}
	fputs("</figcaption>\n</figure>\n", f);
}

bool html_write(const char *path, const struct html_page *p)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return false;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	html_escape(f, p->title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", STYLE);
	html_escape(f, p->title);
	fputs("</h1>\n<p class=\"meta\">", f);
	html_escape(f, p->sources);
	char when[40];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(f, " \xc2\xb7 ptpcal %s \xc2\xb7 %s \xc2\xb7 <a href=\"report.txt\">text report</a>"
		   "</p>\n", PTPCAL_VERSION, when);
	if (p->no_gnuplot) {
		fputs("<p class=\"notice\">", f);
		html_escape(f, p->no_gnuplot);
		fputs("</p>\n", f);
	}
	fputs("<div class=\"layout\">\n<div class=\"side\">\n<h2>Summary</h2>\n", f);
	summary_table(f, p->summary);
	if (p->cal)
		calibration(f, p->cal);
	fputs("</div>\n<div class=\"figs\">\n", f);
	bool any_skipped = false;
	for (size_t i = 0; i < p->nfigures; i++) {
		if (p->figures[i].made)
			figure_html(f, &p->figures[i]);
		else
			any_skipped = true;
	}
	if (any_skipped) {
		fputs("<h2>Not drawn</h2>\n<ul class=\"skipped\">\n", f);
		for (size_t i = 0; i < p->nfigures; i++) {
			if (p->figures[i].made)
				continue;
			fputs("<li>", f);
			html_escape(f, p->figures[i].title);
			fputs(": ", f);
			html_escape(f, p->figures[i].skipped);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("</div>\n</div>\n</body>\n</html>\n", f);
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		log_err("%s: write error", path);
		return false;
	}
	return true;
}
