/* Streaming statistics in constant memory for long runs: count, mean, standard deviation
 * (Welford), min, max, and percentiles from a fixed histogram of 100 ns bins over
 * [-1 ms, +10 ms) (values outside are counted in the end bins, so percentiles there are
 * bounds, which runstats_pct says). */
#ifndef PTPCAL_RUNSTATS_H
#define PTPCAL_RUNSTATS_H

#include <stdbool.h>
#include <stdint.h>

#define RS_BIN_NS 100
#define RS_LO_NS (-1000000)
#define RS_HI_NS 10000000
#define RS_NBINS ((RS_HI_NS - RS_LO_NS) / RS_BIN_NS)

struct runstats {
	uint64_t n;
	double mean, m2, min, max;
	uint32_t *hist; /* RS_NBINS, allocated on first add */
};

void runstats_add(struct runstats *s, double v);
double runstats_std(const struct runstats *s);
/* p in [0, 100]; the centre of the bin holding that percentile (NAN if empty). */
double runstats_pct(const struct runstats *s, double p);
void runstats_free(struct runstats *s);

#endif
