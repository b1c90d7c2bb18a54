/* Constant-memory running statistics (see runstats.h). */
#include <math.h>
#include <stdlib.h>

#include "common/log.h"
#include "lab/runstats.h"

void runstats_add(struct runstats *s, double v)
{
	if (!isfinite(v))
		return;
	if (!s->hist)
		s->hist = xcalloc(RS_NBINS, sizeof(*s->hist));
	s->n++;
	if (s->n == 1) {
		s->min = s->max = v;
	} else {
		if (v < s->min)
			s->min = v;
		if (v > s->max)
			s->max = v;
	}
	double d = v - s->mean;
	s->mean += d / (double)s->n;
	s->m2 += d * (v - s->mean);
	long bin = (long)floor((v - RS_LO_NS) / RS_BIN_NS);
	if (bin < 0)
		bin = 0;
	if (bin >= RS_NBINS)
		bin = RS_NBINS - 1;
	s->hist[bin]++;
}

double runstats_std(const struct runstats *s)
{
	return s->n > 1 ? sqrt(s->m2 / (double)(s->n - 1)) : NAN;
}

double runstats_pct(const struct runstats *s, double p)
{
	if (!s->n || !s->hist)
		return NAN;
	double want = p / 100.0 * (double)s->n;
	uint64_t acc = 0;
	for (long i = 0; i < RS_NBINS; i++) {
		acc += s->hist[i];
		if ((double)acc >= want && acc > 0) {
			double c = RS_LO_NS + (i + 0.5) * RS_BIN_NS;
			/* the exact extremes are known: never report beyond them */
			return c < s->min ? s->min : c > s->max ? s->max : c;
		}
	}
	return s->max;
}

void runstats_free(struct runstats *s)
{
	free(s->hist);
	s->hist = NULL;
}
