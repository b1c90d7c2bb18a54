/* See decimate.h. */
#include "report/decimate.h"

#include <math.h>
#include <stdbool.h>

size_t decimate_minmax(const double *t, const double *v, size_t n, size_t buckets,
		       struct dec_point *out)
{
	size_t valid = 0;
	double t0 = NAN, t1 = NAN;
	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i]) || !isfinite(t[i]))
			continue;
		if (valid == 0)
			t0 = t[i];
		t1 = t[i];
		valid++;
	}
	size_t k = 0;
	if (valid <= 2 * buckets || buckets == 0) {
		for (size_t i = 0; i < n; i++)
			if (!isnan(v[i]) && isfinite(t[i]))
				out[k++] = (struct dec_point){ t[i], v[i] };
		return k;
	}
	if (!(t1 > t0)) { /* every sample at one time: its extremes */
		size_t imin = n, imax = n;
		for (size_t i = 0; i < n; i++) {
			if (isnan(v[i]) || !isfinite(t[i]))
				continue;
			if (imin == n || v[i] < v[imin])
				imin = i;
			if (imax == n || v[i] > v[imax])
				imax = i;
		}
		out[k++] = (struct dec_point){ t[imin], v[imin] };
		out[k++] = (struct dec_point){ t[imax], v[imax] };
		return k;
	}
	double width = (t1 - t0) / (double)buckets;
	size_t i = 0;
	size_t prev_bucket = 0;
	bool have_prev = false;
	while (i < n) {
		if (isnan(v[i]) || !isfinite(t[i])) {
			i++;
			continue;
		}
		size_t b = (size_t)((t[i] - t0) / width);
		if (b >= buckets)
			b = buckets - 1;
		if (have_prev && b > prev_bucket + 1) /* at least one empty bucket: a gap */
			out[k++] = (struct dec_point){ t[i], NAN };
		size_t imin = i, imax = i;
		size_t j = i + 1;
		for (; j < n; j++) {
			if (isnan(v[j]) || !isfinite(t[j]))
				continue;
			size_t bj = (size_t)((t[j] - t0) / width);
			if (bj >= buckets)
				bj = buckets - 1;
			if (bj != b)
				break;
			if (v[j] < v[imin])
				imin = j;
			if (v[j] > v[imax])
				imax = j;
		}
		size_t first = imin < imax ? imin : imax, second = imin < imax ? imax : imin;
		out[k++] = (struct dec_point){ t[first], v[first] };
		if (second != first)
			out[k++] = (struct dec_point){ t[second], v[second] };
		prev_bucket = b;
		have_prev = true;
		i = j;
	}
	return k;
}
