/* Lucky-packet (minimum-delay) filtering: exchanges that met little queueing have the
 * smallest path delay and the least-disturbed offset. Within consecutive blocks of exchanges,
 * only the PCT % with the smallest delay are kept (blocks rather than the whole run, so that a
 * slow change of the path delay does not leave whole stretches of the run without samples).
 * Its effect is reported: how many were kept and the mean offset (or offset error against a
 * truth) before and after. */
#ifndef PTPCAL_LUCKY_H
#define PTPCAL_LUCKY_H

#include <stddef.h>

#include "analyze/exseries.h"

struct lucky_result {
	double pct;
	size_t block;        /* exchanges per block */
	size_t considered;   /* locked samples the filter saw */
	size_t kept;
	double fraction;     /* kept / considered */
	double mean_before, mean_after; /* of v over the considered / kept samples */
};

/* Block length for a percentage: each block keeps about 10 exchanges, at least 32 per block. */
size_t lucky_block(double pct);

/* Sets s->lucky[i] for the SAMPLE_LOCKED samples (others get 0): 1 for the ceil(pct/100 * m)
 * smallest delays of each block of m locked samples (ties broken by time). v: the value whose
 * mean is reported (offset, or offset - truth), NAN values count as not kept. */
void lucky_apply(struct ex_series *s, const double *v, double pct, struct lucky_result *out);

#endif
