/* The bias, its interval and the refusal checks (measure.h). */
#include "calibrate/measure.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/log.h"

static double halfwidth(const struct bias_estimate *b)
{
	return (b->ci_hi - b->ci_lo) / 2;
}

/* The mean of v, weighted by w when the series has weights (ptp4l's *_weight tsproc modes:
 * its servo zeroes the weighted mean): w_i v_i / mean(w) keeps the mean exact. */
static int estimate(const struct cal_series *s, struct bias_estimate *out)
{
	if (!s->w)
		return bias_estimate(s->t_s, s->v, s->n, out);
	double wsum = 0;
	for (size_t i = 0; i < s->n; i++)
		wsum += s->w[i];
	double wm = s->n && wsum > 0 ? wsum / (double)s->n : 1;
	double *v = xmalloc((s->n ? s->n : 1) * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		v[i] = s->w[i] * s->v[i] / wm;
	int rc = bias_estimate(s->t_s, v, s->n, out);
	free(v);
	return rc;
}

int cal_measure(const struct cal_series *test, const struct cal_series *base, double ref_u95_ns,
		struct cal_measurement *out)
{
	memset(out, 0, sizeof(*out));
	if (estimate(test, &out->test)) {
		log_err("%s: the bias cannot be estimated (too short or non-finite values)",
			test->path);
		return EXIT_USAGE;
	}
	double hw2 = halfwidth(&out->test) * halfwidth(&out->test) + ref_u95_ns * ref_u95_ns;
	out->bias_ns = out->test.mean;
	if (base) {
		if (estimate(base, &out->base)) {
			log_err("%s: the baseline's mean cannot be estimated", base->path);
			return EXIT_USAGE;
		}
		out->have_base = true;
		out->bias_ns -= out->base.mean;
		hw2 += halfwidth(&out->base) * halfwidth(&out->base);
	}
	out->ref_u95_ns = ref_u95_ns;
	out->halfwidth_ns = sqrt(hw2);
	out->ci_lo_ns = out->bias_ns - out->halfwidth_ns;
	out->ci_hi_ns = out->bias_ns + out->halfwidth_ns;
	return 0;
}

static int add(struct cal_check *out, int n, int max, bool forceable, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int add(struct cal_check *out, int n, int max, bool forceable, const char *fmt, ...)
{
	if (n >= max)
		return n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out[n].text, sizeof(out[n].text), fmt, ap);
	va_end(ap);
	out[n].forceable = forceable;
	return n + 1;
}

static int check_run(const char *what, const struct bias_estimate *b, const struct cal_series *s,
		     const struct cal_limits *lim, struct cal_check *out, int n, int max)
{
	char d1[32], d2[32];
	if (s->duration_s < lim->min_duration_s)
		n = add(out, n, max, true, "%s run lasts %s, shorter than the minimum %s "
			"(--min-duration): measure longer", what,
			fmt_duration(s->duration_s * 1e9, d1, sizeof(d1)),
			fmt_duration(lim->min_duration_s * 1e9, d2, sizeof(d2)));
	if (b->short_run)
		n = add(out, n, max, true, "%s run holds fewer than 100 correlation times "
			"(%zu samples, tau_int %.1f): its interval is likely too narrow; measure "
			"longer", what, b->n, b->tau_int);
	if (b->drift_significant)
		n = add(out, n, max, true, "%s bias drifts by %+.1f ns/h [%+.1f, %+.1f]: not yet "
			"settled (wait for the servo and the temperature to settle, then re-measure)",
			what, b->drift_per_h, b->drift_ci_lo, b->drift_ci_hi);
	if (!b->halves_agree)
		n = add(out, n, max, true, "%s run's halves disagree: %.1f ns +- %.1f vs %.1f ns "
			"+- %.1f (not stationary): re-measure in steady conditions", what,
			b->half_mean[0], b->half_ci[0], b->half_mean[1], b->half_ci[1]);
	return n;
}

int cal_check(const struct cal_measurement *m, const struct cal_series *test,
	      const struct cal_series *base, const struct cal_limits *lim, double correction_ns,
	      struct cal_check *out, int max)
{
	int n = check_run("the", &m->test, test, lim, out, 0, max);
	if (m->have_base)
		n = check_run("the baseline", &m->base, base, lim, out, n, max);
	double hw = m->halfwidth_ns;
	if (lim->max_halfwidth_ns > 0) {
		if (hw > lim->max_halfwidth_ns)
			n = add(out, n, max, true, "the 95 %% interval is +- %.1f ns, wider than "
				"--max-uncertainty %.1f ns: measure longer or on a quieter path",
				hw, lim->max_halfwidth_ns);
	} else if (hw > 1000 && hw > lim->max_rel_halfwidth * fabs(m->bias_ns)) {
		/* Without an absolute limit: an interval under 1 us is always good enough for a
		 * software-timestamped link; above that it must be small against the bias. */
		n = add(out, n, max, true, "the 95 %% interval is +- %.1f ns, more than %.0f %% of "
			"the bias %.1f ns (and over 1 us): measure longer, or set --max-uncertainty",
			hw, 100 * lim->max_rel_halfwidth, m->bias_ns);
	}
	if (fabs(correction_ns) > lim->max_correction_ns)
		n = add(out, n, max, false, "the correction %.0f ns exceeds the sanity limit %.0f ns "
			"(--max-correction): a bias this large is a configuration or timescale error, "
			"not an asymmetry", correction_ns, lim->max_correction_ns);
	return n;
}
