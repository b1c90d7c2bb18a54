/* Frequency and time stability from phase data, exactly as NIST SP 1065 (Riley, 2008)
 * defines each statistic, and time-interval error (TIE rms, MTIE).
 *
 * Input: phase (time error) x[0..n) in seconds, one sample every tau0 seconds. Frequency
 * data (fractional frequency y) is turned into phase first with stab_freq_to_phase.
 * tau = m * tau0 for an averaging factor m.
 *
 * CONTRACT shared by analyze/ modules, the report and the benchmarks: names and meanings of
 * the fields below do not change without updating every user. */
#ifndef PTPCAL_STABILITY_H
#define PTPCAL_STABILITY_H

#include <stdbool.h>
#include <stddef.h>

/* Which statistics to compute (bit mask). */
enum stab_stat {
	STAB_ADEV = 1 << 0,    /* non-overlapping Allan deviation, SP 1065 eq. 7 */
	STAB_OADEV = 1 << 1,   /* overlapping Allan deviation, eq. 9 */
	STAB_MDEV = 1 << 2,    /* modified Allan deviation, eq. 14 */
	STAB_TDEV = 1 << 3,    /* time deviation, eq. 15: tau/sqrt(3) * MDEV */
	STAB_HDEV = 1 << 4,    /* Hadamard deviation, eq. 17 */
	STAB_OHDEV = 1 << 5,   /* overlapping Hadamard deviation, eq. 18 */
	STAB_TOTDEV = 1 << 6,  /* total deviation, eq. 25 */
	STAB_MTIE = 1 << 7,    /* maximum time-interval error: max over windows of max - min */
	STAB_TIE_RMS = 1 << 8, /* rms of the TIE x(i+m) - x(i) over all i */
	STAB_ALL = (1 << 9) - 1,
};

struct stab_point {
	long m;         /* averaging factor */
	double tau;     /* m * tau0, seconds */
	long n;         /* number of terms in the OADEV sum at this tau ("pairs used") */
	/* Each statistic, or NAN where it is not computed or not defined (too few samples). */
	double adev, oadev, mdev, tdev, hdev, ohdev, totdev, mtie, tie_rms;
	/* 95 % confidence interval of OADEV from the chi-squared distribution with the
	 * equivalent degrees of freedom of SP 1065 section 5.2 for the dominant noise type
	 * identified at this tau (section 5.6); NAN if not computed. */
	double oadev_lo, oadev_hi;
	double edf;      /* the EDF used, NAN if none */
	int alpha;       /* dominant power-law noise exponent at this tau (2 WPM .. -2 RWFM),
			  * or 99 when not identified */
};

enum stab_spacing { STAB_OCTAVE, STAB_DECADE, STAB_ALL_TAU };

/* Averaging factors for n phase points: octave 1, 2, 4, ...; decade 1, 2, 5, 10, 20, ...;
 * all 1..(n-1)/2. Writes at most max, returns the count. Only factors for which OADEV is
 * defined (2m < n... i.e. m <= (n-1)/2) are returned. */
size_t stab_taus(size_t n, enum stab_spacing spacing, long *m_out, size_t max);
/* The same spacing up to mmax (at most n - 1): MTIE and TIE rms are defined to m = N - 1. */
size_t stab_taus_to(size_t n, enum stab_spacing spacing, long mmax, long *m_out, size_t max);

/* Computes the selected statistics (mask of enum stab_stat) at each averaging factor.
 * Time O(n) per tau for the ADEV family (one fused pass per tau for OADEV, MDEV/TDEV, OHDEV,
 * TIE rms and TOTDEV's bulk; differences and running sums, never prefix sums of x, which
 * lose precision under a large phase offset); MTIE O(n) per tau at most (analyze/mtie.h),
 * on a second thread for long series. Extra memory at most about the input again. Returns 0,
 * or -1 on bad arguments (n < 3, tau0 <= 0, non-finite data). */
int stab_compute(const double *x, size_t n, double tau0, const long *m, size_t nm,
		 unsigned stats, struct stab_point *out);

/* The pieces of stab_compute, for callers that share the taus among threads: the checks of
 * the input (0, or -1 as stab_compute), one tau's statistics except MTIE (p->alpha as
 * identified at that tau), and the noise types carried to the long taus, the EDF and the
 * interval once every tau is done. stab_compute is exactly stab_point_at for each tau and
 * then stab_finish. */
int stab_check(const double *x, size_t n, double tau0);
void stab_point_at(const double *x, size_t n, double tau0, long m, unsigned stats,
		   struct stab_point *p);
void stab_finish(size_t n, struct stab_point *out, size_t nm, unsigned stats);

/* Phase from fractional frequency: x[0] = 0, x[i+1] = x[i] + y[i] * tau0 (n+1 outputs). */
void stab_freq_to_phase(const double *y, size_t n, double tau0, double *x_out);

/* Short names used in JSON and TSV ("adev", "oadev", ...) */
const char *stab_stat_name(enum stab_stat s);

#endif
