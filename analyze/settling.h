/* Settling: the start of a run where the servo is still pulling in is not the steady state
 * a calibration wants; it is excluded from the statistics and reported.
 *
 * Two ways to find it:
 *  - from the servo's own states: a ptp4l log ("master offset ... sN ..." lines, linuxptp
 *    clock.c; N: 0 unlocked, 1 jump, 2 locked, 3 locked stable, servo.h) or a `servo`
 *    dataset. Settling lasts from the first sample to the first locked (s2/s3) one. The log's
 *    clock (CLOCK_MONOTONIC) is not the data's, so the duration is applied from the first
 *    exchange (both start with the daemon). A servo that never locks (free_running 1, the lab)
 *    excludes nothing and says so.
 *  - from the data: MSER-5 (K. P. White, "An effective truncation heuristic for bias
 *    reduction in simulation output", Simulation 69(6), 1997): batch means of 5 samples
 *    Z_1..Z_k; truncate the d batches that minimise MSER(d) = sum_{j>d} (Z_j - mean_d)^2 /
 *    (k - d)^2, searching d over the first half only (the statistic is unreliable near the
 *    end, White, Cobb and Spratt 2000). MSER also cuts a series that merely wanders or has an
 *    outlier early on: the cut is kept only when it stands out of the steady state's spread
 *    (the cut part's median more than 3 std of the rest from the rest's median). */
#ifndef PTPCAL_SETTLING_H
#define PTPCAL_SETTLING_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/exseries.h"

struct servo_log {
	size_t n;
	double *t_s;   /* the log's own time stamps, seconds */
	int *state;    /* servo state 0..3, -1 unknown */
	double *offset_ns;
	size_t unlocks; /* transitions from locked (>= 2) back to 0/1 after the first lock */
};

/* A ptp4l / phc2sys log (text; lines parsed by capture/log_import.h lp_parse_line: ptp4l's
 * samples, or if there are none phc2sys's for its first clock) or a `servo` dataset (as
 * `ptpcal import` writes it). false after printing why. */
bool servo_log_load(struct servo_log *sl, const char *path);
void servo_log_free(struct servo_log *sl);
/* Seconds from the first sample to the first locked one; -1 if it never locks, -2 if it
 * locks but the lines have no time stamps. */
double servo_log_settle_s(const struct servo_log *sl);

/* MSER-m truncation point of v[0..n) in samples (a multiple of batch). */
size_t settle_mser(const double *v, size_t n, size_t batch);

enum settle_mode { SETTLE_AUTO, SETTLE_NONE, SETTLE_SECONDS };

struct settling {
	size_t excluded;    /* samples marked SAMPLE_SETTLING */
	double excluded_s;  /* their time span: t(first kept) - t(first) */
	char method[200];
};

/* Marks the settling samples of s (state SAMPLE_SETTLING). AUTO uses the servo log if one is
 * given, else MSER-5 on v (the offset, or the offset error against a truth). */
void settle_apply(struct ex_series *s, const double *v, enum settle_mode mode, double seconds,
		  const struct servo_log *sl, struct settling *out);

#endif
