/* The report's summary, as rows of (section, label, value, note) built once from the
 * analysis (summary.json) and an optional calibration (calibrate --json), then rendered as
 * the HTML table and the plain-text report. Values carry SI units chosen per value. */
#ifndef PTPCAL_REPORT_SUMMARY_H
#define PTPCAL_REPORT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/json_read.h"

enum row_level { ROW_PLAIN, ROW_OK, ROW_INFO, ROW_WARN, ROW_ERROR };

struct srow {
	const char *section;
	char label[96];
	char value[200];
	char note[240];
	enum row_level level;
};

struct summary {
	size_t n, cap;
	struct srow *rows;
};

/* analysis: summary.json (required); cal: calibrate --json, or NULL. */
void summary_build(struct summary *s, const struct jr_value *analysis, const struct jr_value *cal);
void summary_free(struct summary *s);
/* Plain text: one "section" heading then "  label  value  (note)" lines. */
void summary_write_text(FILE *f, const struct summary *s);

/* Calibration lines to show verbatim (from cal's "emit"), for the HTML and the text. */
void summary_calibration_text(FILE *f, const struct jr_value *cal);

const char *level_name(enum row_level l);

#endif
