/* The true offset of the clock under test, per exchange, and the asymmetry it reveals.
 *
 * A truth is either a `truth` dataset (docs/dataset-format.md: columns t, offset_ns = clock
 * under test - reference), interpolated linearly to each exchange's t2, or a constant (the
 * `truth_offset_ns` metadata of lab and replayed exchanges, or --truth-offset).
 * With the true offset theta (slave - master) of an exchange,
 *     A = (t2 - t1) - (t4 - t3) - 2 theta  = d_ms - d_sm
 * is that exchange's path asymmetry (master->slave minus slave->master), and
 *     offset - theta = A/2 - A_cfg
 * the error of the PTP offset (A_cfg: the slave's configured delayAsymmetry): its mean is the
 * bias a calibration removes. Without a truth a two-way exchange cannot see A at all: any A
 * shifts the offset by A/2 and leaves every observable but the offset unchanged. */
#ifndef PTPCAL_TRUTH_H
#define PTPCAL_TRUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/exseries.h"

struct truth {
	size_t n;
	int64_t *t_ns;     /* time of each truth sample (the clock under test's timescale) */
	double *offset;    /* ns */
	char ref[160];     /* the dataset's `reference` metadata */
	double max_gap_s;  /* exchanges further than this from a truth sample get none */
};

/* Reads a truth dataset; false after printing "file:line: reason". Requires increasing t. */
bool truth_load(struct truth *tr, const char *path);
void truth_free(struct truth *tr);

/* Fills s->theta from the truth series (linear interpolation between the two samples around
 * each t2, NAN when the gap to them exceeds tr->max_gap_s or t2 is outside the series).
 * Returns the number of exchanges that got a truth. */
size_t truth_align(struct ex_series *s, const struct truth *tr);
/* Every exchange gets the constant theta. */
void truth_constant(struct ex_series *s, double theta_ns);

/* Per-exchange asymmetry A (ns), NAN where there is no truth. */
static inline double truth_asymmetry(const struct ex_series *s, size_t i)
{
	return s->raw_asym[i] - 2 * s->theta[i];
}

#endif
