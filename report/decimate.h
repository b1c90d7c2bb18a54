/* Min/max decimation of a time series, for PLOTTING ONLY (statistics always use every
 * sample): the time span is cut into equal buckets and each bucket keeps its smallest and
 * largest value, in the order they occurred. A line through the kept points draws the same
 * envelope as the full series at a width of `buckets` pixels, so no spike disappears.
 * Empty buckets after data become a gap marker (NaN value) so lines break over gaps.
 * NaN input values are skipped. Input must be in time order. */
#ifndef PTPCAL_REPORT_DECIMATE_H
#define PTPCAL_REPORT_DECIMATE_H

#include <stddef.h>

struct dec_point {
	double t; /* as given (relative seconds) */
	double v; /* NaN: gap (the plot line breaks here) */
};

/* At most decimate_max_out(buckets) points. When the series has at most 2 * buckets valid
 * points it is copied as it is (still with gap markers dropped). Returns the count. */
size_t decimate_minmax(const double *t, const double *v, size_t n, size_t buckets,
		       struct dec_point *out);
static inline size_t decimate_max_out(size_t n, size_t buckets)
{
	if (buckets == 0)
		return n;
	size_t m = 3 * buckets; /* min, max and a gap marker per bucket */
	return n < m ? n : m;
}

#endif
