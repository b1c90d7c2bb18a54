/* Consecutive fixed-duration windows, one pass (Welford's update for mean and variance). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/rolling.h"
#include "common/log.h"

size_t rolling_windows(const int64_t *t_ns, const double *v, const unsigned char *use, size_t n,
		       int64_t width_ns, struct window_stat **out)
{
	*out = NULL;
	if (width_ns <= 0)
		return 0;
	size_t first = 0;
	while (first < n && ((use && !use[first]) || !isfinite(v[first])))
		first++;
	if (first == n)
		return 0;
	int64_t t0 = t_ns[first];
	size_t last = n;
	while (last > first && ((use && !use[last - 1]) || !isfinite(v[last - 1])))
		last--;
	int64_t tend = t_ns[last - 1];
	size_t cap = 0, nw = 0;
	struct window_stat *w = NULL;
	int64_t cur = -1;
	double mean = 0, m2 = 0;
	for (size_t i = first; i <= last; i++) {
		bool valid = i < last && !(use && !use[i]) && isfinite(v[i]);
		int64_t k = i < last ? (t_ns[i] - t0) / width_ns : -2;
		if (i < last && !valid)
			continue;
		if (k != cur && cur >= 0 && nw > 0) {
			struct window_stat *ws = &w[nw - 1];
			ws->mean = mean;
			ws->std = ws->n > 1 ? sqrt(m2 / (double)(ws->n - 1)) : NAN;
			/* drop a short last window */
			int64_t wend = ws->t_start_ns + width_ns;
			if (wend > tend && (double)(tend - ws->t_start_ns) < 0.5 * (double)width_ns &&
			    nw > 1)
				nw--;
		}
		if (i == last)
			break;
		if (k != cur) {
			if (nw == cap) {
				cap = cap ? 2 * cap : 16;
				w = xrealloc(w, cap * sizeof(*w));
			}
			struct window_stat *ws = &w[nw++];
			memset(ws, 0, sizeof(*ws));
			ws->t_start_ns = t0 + k * width_ns;
			ws->t_mid_ns = ws->t_start_ns + width_ns / 2;
			ws->min = INFINITY;
			ws->max = -INFINITY;
			cur = k;
			mean = m2 = 0;
		}
		struct window_stat *ws = &w[nw - 1];
		ws->n++;
		double d = v[i] - mean;
		mean += d / (double)ws->n;
		m2 += d * (v[i] - mean);
		if (v[i] < ws->min)
			ws->min = v[i];
		if (v[i] > ws->max)
			ws->max = v[i];
	}
	*out = w;
	return nw;
}

void rolling_summarise(const struct window_stat *w, size_t nw, double width_s,
		       struct rolling_summary *out)
{
	out->width_s = width_s;
	out->windows = nw;
	out->mean_min = out->mean_max = out->std_max = NAN;
	for (size_t i = 0; i < nw; i++) {
		if (i == 0 || w[i].mean < out->mean_min)
			out->mean_min = w[i].mean;
		if (i == 0 || w[i].mean > out->mean_max)
			out->mean_max = w[i].mean;
		if (isfinite(w[i].std) && (!isfinite(out->std_max) || w[i].std > out->std_max))
			out->std_max = w[i].std;
	}
}
