/* Truth series: loading and alignment by time with the exchanges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/truth.h"
#include "common/dataset.h"
#include "common/log.h"

bool truth_load(struct truth *tr, const char *path)
{
	memset(tr, 0, sizeof(*tr));
	struct ds_reader *r = ds_open(path, "truth");
	if (!r)
		return false;
	int ct = ds_require_col(r, "t"), co = ds_require_col(r, "offset_ns");
	if (ct < 0 || co < 0) {
		ds_reader_close(r);
		return false;
	}
	size_t cap = 0;
	int rc;
	while ((rc = ds_next(r)) == 1) {
		struct ptime t;
		double v;
		if (!ds_get_time(r, ct, &t) || !ds_get_double(r, co, &v)) {
			rc = -1;
			break;
		}
		if (!isfinite(v))
			continue; /* a missing truth sample */
		if (tr->n && t.ns <= tr->t_ns[tr->n - 1]) {
			ds_error(r, "times must increase");
			rc = -1;
			break;
		}
		if (tr->n == cap) {
			cap = cap ? 2 * cap : 1024;
			tr->t_ns = xrealloc(tr->t_ns, cap * sizeof(int64_t));
			tr->offset = xrealloc(tr->offset, cap * sizeof(double));
		}
		tr->t_ns[tr->n] = t.ns;
		tr->offset[tr->n++] = v;
	}
	const char *ref = ds_meta_get(r, "reference");
	snprintf(tr->ref, sizeof(tr->ref), "%s", ref ? ref : path);
	ds_reader_close(r);
	if (rc != 0) {
		truth_free(tr);
		return false;
	}
	if (tr->n < 1) {
		log_err("%s: no truth samples", path);
		truth_free(tr);
		return false;
	}
	/* Largest gap bridged by interpolation: 3 typical spacings, at least 2 s (a 1 PPS
	 * truth with one pulse missed still counts). */
	tr->max_gap_s = 2.0;
	if (tr->n > 2) {
		double *d = xmalloc((tr->n - 1) * sizeof(double));
		for (size_t i = 1; i < tr->n; i++)
			d[i - 1] = (double)(tr->t_ns[i] - tr->t_ns[i - 1]) * 1e-9;
		gsl_sort(d, 1, tr->n - 1);
		double med = gsl_stats_median_from_sorted_data(d, 1, tr->n - 1);
		free(d);
		if (3 * med > tr->max_gap_s)
			tr->max_gap_s = 3 * med;
	}
	return true;
}

void truth_free(struct truth *tr)
{
	free(tr->t_ns);
	free(tr->offset);
	tr->t_ns = NULL;
	tr->offset = NULL;
	tr->n = 0;
}

size_t truth_align(struct ex_series *s, const struct truth *tr)
{
	size_t j = 0, got = 0;
	int64_t max_gap = (int64_t)(tr->max_gap_s * 1e9);
	for (size_t i = 0; i < s->n; i++) {
		int64_t t = s->t_ns[i];
		s->theta[i] = NAN;
		while (j + 1 < tr->n && tr->t_ns[j + 1] <= t)
			j++;
		if (tr->n == 1 || t < tr->t_ns[0]) {
			if (llabs(t - tr->t_ns[0]) <= max_gap / 2) /* near the only/first sample */
				s->theta[i] = tr->offset[0];
		} else if (j + 1 >= tr->n) {
			if (t - tr->t_ns[j] <= max_gap / 2)
				s->theta[i] = tr->offset[j];
		} else {
			int64_t a = tr->t_ns[j], b = tr->t_ns[j + 1];
			if (b - a <= max_gap) {
				double f = (double)(t - a) / (double)(b - a);
				s->theta[i] = tr->offset[j] + f * (tr->offset[j + 1] - tr->offset[j]);
			}
		}
		if (isfinite(s->theta[i]))
			got++;
	}
	return got;
}

void truth_constant(struct ex_series *s, double theta_ns)
{
	for (size_t i = 0; i < s->n; i++)
		s->theta[i] = theta_ns;
}
