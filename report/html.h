/* index.html of a report: the summary table beside the figures, health findings, the
 * calibration lines with their uncertainty, and notes on what could not be drawn. Every text
 * that comes from data (file names, messages, config lines) is escaped. The page references
 * exactly the pictures that were rendered. */
#ifndef PTPCAL_REPORT_HTML_H
#define PTPCAL_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/json_read.h"
#include "report/figures.h"
#include "report/summary.h"

/* Writes s with & < > " ' escaped; other bytes (UTF-8 included) as they are, except ASCII
 * control characters other than tab and newline, which are dropped. */
void html_escape(FILE *f, const char *s);

struct html_page {
	const char *title;
	const char *sources;            /* input names */
	const struct summary *summary;
	const struct jr_value *cal;     /* or NULL */
	const struct figure *figures;
	size_t nfigures;
	const char *no_gnuplot;         /* non-NULL: why nothing was rendered */
};

/* false after printing why. */
bool html_write(const char *path, const struct html_page *p);

#endif
