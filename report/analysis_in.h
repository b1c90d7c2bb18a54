/* Reading what `ptpcal analyze ... --json --out DIR` wrote (contract in docs/BRIEF /
 * docs/analyze-output.md): summary.json (schema "ptpcal-analyze/1") and the plotting
 * datasets series.tsv, histogram_offset.tsv, stability.tsv, bias_windows.tsv, te_masks.tsv.
 * Only summary.json is required; each other file is optional and its figure is skipped
 * (with the reason) when it is absent. A file that is present but malformed is an input
 * error (reported as "file:line: reason"). */
#ifndef PTPCAL_REPORT_ANALYSIS_IN_H
#define PTPCAL_REPORT_ANALYSIS_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json_read.h"

enum sample_state { ST_LOCKED = 0, ST_SETTLING = 1, ST_EXCLUDED = 2 };

struct series {
	size_t n;
	int64_t t0_ns;      /* t_ns of the first row (absolute, as analyze wrote it) */
	bool absolute;      /* t_ns looks like an epoch time (after 2001), so dates make sense */
	double *t;          /* seconds since t0_ns (from exact integer differences) */
	double *offset, *delay;
	unsigned char *state;
	double *asym;       /* NULL when the column is absent */
	double *truth;      /* true_offset_ns, NULL when absent */
};

/* A dataset's numeric columns by name; NaN where a cell is "nan". */
struct table {
	size_t nrows, ncols;
	char **names;
	double *cells;      /* row-major */
	char **text_col;    /* one optional string column (e.g. "class"), NULL if none */
};

struct analysis_in {
	char dir[4096];
	struct jr_value *summary;   /* summary.json */
	struct series series;       /* n == 0 if absent */
	bool have_histogram, have_stability, have_bias_windows, have_te_masks;
	struct table histogram;     /* lo_ns hi_ns count */
	struct table stability;     /* tau_s adev oadev mdev tdev ... */
	struct table bias_windows;  /* t_mid_ns mean_ns ci_lo_ns ci_hi_ns */
	struct table te_masks;      /* tau_s mtie_ns mtie_limit_ns tdev_ns tdev_limit_ns class */
};

/* Loads DIR. False after printing why (exit 2). */
bool analysis_load(struct analysis_in *a, const char *dir);
void analysis_in_free(struct analysis_in *a);

/* Column index by name or -1; value at (row, col) or NaN. */
int table_col(const struct table *t, const char *name);
double table_get(const struct table *t, size_t row, int col);

#endif
