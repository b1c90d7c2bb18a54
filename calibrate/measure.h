/* The measured bias with its 95 % interval, and the checks a calibration must pass.
 *
 * The mean of the bias series gets analyze/bias.h's autocorrelation-aware interval; with a
 * baseline run, b = mean(test) - mean(baseline) and the half-widths add in quadrature (two
 * independent runs); a stated reference uncertainty (a counter's 95 % figure, systematic) is
 * added in quadrature too. */
#ifndef PTPCAL_MEASURE_H
#define PTPCAL_MEASURE_H

#include <stdbool.h>

#include "analyze/bias.h"
#include "calibrate/reference.h"

struct cal_measurement {
	struct bias_estimate test, base;
	bool have_base;
	double ref_u95_ns;     /* the reference's own 95 % half-width (0 for the lab's truth) */
	double bias_ns;        /* b, slave - master */
	double halfwidth_ns;   /* combined 95 % half-width */
	double ci_lo_ns, ci_hi_ns;
};

/* Exit code: 0, or EXIT_USAGE after one line (a series bias_estimate cannot use). */
int cal_measure(const struct cal_series *test, const struct cal_series *base, double ref_u95_ns,
		struct cal_measurement *out);

/* The limits behind a refusal (calibrate --help lists the defaults). */
struct cal_limits {
	double min_duration_s;    /* default 600 */
	double max_halfwidth_ns;  /* absolute; <= 0: not given */
	double max_rel_halfwidth; /* of |b|, default 0.25 (used when no absolute limit is given,
				   * together with a 1 us floor: see cal_check) */
	double max_correction_ns; /* default 1e6 (1 ms) */
};

/* One reason per failed check, written into reasons[] (each up to 600 chars); returns the
 * count. The statistical checks (duration, short run, drift, halves, width) can be
 * overridden by --force; the sanity limit on the correction cannot. */
struct cal_check {
	char text[600];
	bool forceable;
};
int cal_check(const struct cal_measurement *m, const struct cal_series *test,
	      const struct cal_series *base, const struct cal_limits *lim, double correction_ns,
	      struct cal_check *out, int max);

#endif
