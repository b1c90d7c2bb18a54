/* Stability (analyze/stability.h, NIST SP 1065) and time error (analyze/time_error.h, ITU-T
 * G.8273.2) of a run, from either
 *  - the exchanges: the offset from master (slave - master, PTP's own view of the slave's
 *    time error) of the locked exchanges, put on a uniform grid: the statistics need a
 *    constant sampling interval tau0 but Delay_Reqs go out at random times (linuxptp port.c
 *    port_set_delay_tmo: uniform in [0, 2 * 2^logMinDelayReqInterval]). tau0 is the median
 *    interval between exchanges, snapped to the nearest power of two of seconds when within
 *    20 % (PTP intervals are 2^n s); each grid point is the mean of the offsets in its bin,
 *    empty bins are interpolated linearly from their neighbours (the count is reported);
 *  - or a plain series file (--series phase|freq --rate HZ; analyze/series_in.h): phase in
 *    seconds, or fractional frequency turned into phase with stab_freq_to_phase.
 * Taus: octave (default), decade, all, or a list of seconds rounded to multiples of tau0.
 * Every statistic up to tau = (N-1)/2 tau0, where all are defined; MTIE and TIE rms, whose
 * windows need only m + 1 points, also beyond, up to tau = (N-1) tau0 (octave and decade
 * spacing continue there; the other statistics are NAN at those taus). */
#ifndef PTPCAL_STAB_RUN_H
#define PTPCAL_STAB_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/exseries.h"
#include "analyze/stability.h"
#include "analyze/time_error.h"

struct stab_run_opts {
	enum stab_spacing spacing; /* when ntaus == 0 */
	double *taus;              /* explicit observation intervals, s (malloc'd, any number) */
	int ntaus;
	int threads;               /* 0: one per core (up to 4) from 10^5 points; else as many */
};

/* Parses --tau: "octave", "decade", "all" or a comma-separated list of positive seconds
 * (durations such as "1s,10s,100s" or plain numbers), as many as given. false on anything
 * else. Free the list with stab_run_opts_free. */
bool stab_run_parse_taus(const char *arg, struct stab_run_opts *o);
void stab_run_opts_free(struct stab_run_opts *o);

struct stab_run {
	bool have;              /* statistics computed */
	char of[160];           /* what the phase series is, in words */
	double tau0;            /* s */
	size_t n;               /* phase points */
	size_t interpolated;    /* grid points filled by interpolation (exchanges) */
	struct stab_point *pts;
	size_t npts;
	bool have_te;
	struct te_report te;
	char note[240];         /* why something was not computed, or "" */
};

/* Phase grid from the locked exchanges of s (offset ns -> x in s). Returns the number of
 * points (*x_s allocated, caller frees), 0 if there are too few (< 3). */
size_t stab_run_grid(const struct ex_series *s, double *tau0, double **x_s, size_t *interpolated);

/* Statistics on phase x_s[0..n) (s) every tau0 s, and the time error of TE = x in ns, on the
 * threads of o->threads. beside(beside_arg, scratch), if not NULL, is run on one of them
 * before the time error (and never beside it): the caller's own work on x_s, which must only
 * read it, with scratch room for n doubles (the time error's afterwards). */
void stab_run_compute(const double *x_s, size_t n, double tau0, const struct stab_run_opts *o,
		      void (*beside)(void *, double *), void *beside_arg, struct stab_run *out);
void stab_run_free(struct stab_run *r);

#endif
