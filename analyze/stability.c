/* Frequency and time stability statistics from phase data, written from the definitions in
 * NIST Special Publication 1065, "Handbook of Frequency Stability Analysis" (W. J. Riley,
 * 2008), hereafter SP 1065. Equation numbers are SP 1065's phase-data forms (as also cited by
 * allantools' docstrings, pages 14-23); note analyze/stability.h cites eq. 9 for OADEV and
 * eq. 18 for OHDEV, which are the neighbouring (frequency-data or non-overlapping) forms.
 *
 * Conventions: x[0..n) is phase (time error) in seconds, sampled every tau0 s; N = n below;
 * tau = m * tau0. SP 1065 indexes from 1, this file from 0 (x_i of SP 1065 is x[i-1]).
 *
 * Numerics: every statistic is a mean of squared differences of phase, so it is computed
 * from the differences directly (never from prefix sums of x, which lose all precision when
 * the phase carries a large offset or frequency ramp). The modified Allan variance's inner
 * sum over m terms is a running sum updated by one third difference of x per step,
 * recomputed exactly every max(m, 4096) steps so rounding cannot accumulate; that keeps it
 * O(n) per tau.
 * Sums of squares are accumulated in blocks (a two-level sum) to keep the rounding error near
 * sqrt(n) ulp rather than n ulp. */
#include "analyze/stability.h"
#include "analyze/mtie.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "common/log.h"

/* ---- small helpers -------------------------------------------------------------------- */

/* Two-level sum: blocks of ACC_BLOCK terms summed separately, then the block sums. */
enum { ACC_BLOCK = 1024 };
struct acc {
	double total, block;
	unsigned k;
};

static inline void acc_add(struct acc *a, double v)
{
	a->block += v;
	if (++a->k == ACC_BLOCK) {
		a->total += a->block;
		a->block = 0;
		a->k = 0;
	}
}

static inline double acc_sum(const struct acc *a)
{
	return a->total + a->block;
}

/* SUM_SQ(result, i, count, expr): result = sum over i in [0, count) of (expr)^2, as the same
 * two-level sum, but written as plain inner loops the compiler can schedule well (no
 * per-term bookkeeping). */
#define SUM_SQ(result, i, count, expr)                                                        \
	do {                                                                                    \
		double tot_ = 0;                                                                \
		size_t cnt_ = (count);                                                          \
		for (size_t b_ = 0; b_ < cnt_; b_ += ACC_BLOCK) {                               \
			size_t e_ = cnt_ - b_ < ACC_BLOCK ? cnt_ : b_ + ACC_BLOCK;              \
			double s0_ = 0, s1_ = 0; /* two chains the CPU can overlap */         \
			size_t j_ = b_;                                                         \
			for (; j_ + 1 < e_; j_ += 2) {                                          \
				double d0_, d1_;                                                \
				{                                                               \
					size_t i = j_;                                          \
					d0_ = (expr);                                           \
				}                                                               \
				{                                                               \
					size_t i = j_ + 1;                                      \
					d1_ = (expr);                                           \
				}                                                               \
				s0_ += d0_ * d0_;                                               \
				s1_ += d1_ * d1_;                                               \
			}                                                                       \
			if (j_ < e_) {                                                          \
				size_t i = j_;                                                  \
				double d0_ = (expr);                                            \
				s0_ += d0_ * d0_;                                               \
			}                                                                       \
			tot_ += s0_ + s1_;                                                      \
		}                                                                               \
		(result) = tot_;                                                                \
	} while (0)

size_t stab_taus(size_t n, enum stab_spacing spacing, long *m_out, size_t max)
{
	if (n < 3)
		return 0;
	return stab_taus_to(n, spacing, (long)((n - 1) / 2), m_out, max);
}

size_t stab_taus_to(size_t n, enum stab_spacing spacing, long mmax, long *m_out, size_t max)
{
	if (n < 2 || mmax < 1)
		return 0;
	if ((size_t)mmax > n - 1)
		mmax = (long)(n - 1);
	size_t k = 0;
	switch (spacing) {
	case STAB_OCTAVE:
		for (long m = 1; m <= mmax && k < max; m *= 2)
			m_out[k++] = m;
		break;
	case STAB_DECADE:
		for (long dec = 1; dec <= mmax && k < max; dec *= 10) {
			static const long mult[] = { 1, 2, 5 };
			for (int j = 0; j < 3 && k < max; j++) {
				long m = dec * mult[j];
				if (m > mmax)
					break;
				m_out[k++] = m;
			}
		}
		break;
	case STAB_ALL_TAU:
		for (long m = 1; m <= mmax && k < max; m++)
			m_out[k++] = m;
		break;
	}
	return k;
}

void stab_freq_to_phase(const double *y, size_t n, double tau0, double *x_out)
{
	/* SP 1065 sec. 4 (phase from frequency): x_{i+1} = x_i + y_i * tau0, x_1 = 0. */
	x_out[0] = 0;
	for (size_t i = 0; i < n; i++)
		x_out[i + 1] = x_out[i] + y[i] * tau0;
}

const char *stab_stat_name(enum stab_stat s)
{
	switch (s) {
	case STAB_ADEV: return "adev";
	case STAB_OADEV: return "oadev";
	case STAB_MDEV: return "mdev";
	case STAB_TDEV: return "tdev";
	case STAB_HDEV: return "hdev";
	case STAB_OHDEV: return "ohdev";
	case STAB_TOTDEV: return "totdev";
	case STAB_MTIE: return "mtie";
	case STAB_TIE_RMS: return "tie_rms";
	case STAB_ALL: break;
	}
	return "unknown";
}

/* ---- the deviations --------------------------------------------------------------------- */

/* Non-overlapping Allan deviation, SP 1065 eq. 7, applied to the phase decimated to tau:
 * AVAR = 1 / (2 tau^2 (M - 2)) sum_{i=1}^{M-2} (x_{i+2} - 2 x_{i+1} + x_i)^2 over the M
 * phase points x[0], x[m], x[2m], ... */
static double adev_at(const double *x, size_t n, long m, double tau)
{
	size_t sm = (size_t)m;
	if (2 * sm + 1 > n)
		return NAN;
	size_t terms = (n - 1 - 2 * sm) / sm + 1; /* i = 0, m, 2m, ... with i + 2m <= n - 1 */
	double sum;
	SUM_SQ(sum, t, terms, x[t * sm + 2 * sm] - 2 * x[t * sm + sm] + x[t * sm]);
	return sqrt(sum / (2.0 * tau * tau * (double)terms));
}

/* Overlapping Allan deviation, SP 1065 eq. 11:
 * AVAR = 1 / (2 m^2 tau0^2 (N - 2m)) sum_{i=1}^{N-2m} (x_{i+2m} - 2 x_{i+m} + x_i)^2. */
static double oadev_at(const double *x, size_t n, long m, double tau)
{
	size_t sm = (size_t)m;
	if (2 * sm + 1 > n)
		return NAN;
	size_t terms = n - 2 * sm;
	double sum;
	SUM_SQ(sum, i, terms, x[i + 2 * sm] - 2 * x[i + sm] + x[i]);
	return sqrt(sum / (2.0 * tau * tau * (double)terms));
}

/* Modified Allan deviation, SP 1065 eq. 14:
 * MVAR = 1 / (2 m^2 tau^2 (N - 3m + 1)) sum_{j=1}^{N-3m+1} [sum_{i=j}^{j+m-1}
 *        (x_{i+2m} - 2 x_{i+m} + x_i)]^2   (tau = m tau0). */
/* The inner sum of eq. 14 for one j, exactly: sum over i = j .. j+m-1 of x_{i+2m} - 2 x_{i+m}
 * + x_i. */
static inline double mdev_inner(const double *x, size_t sm, size_t j)
{
	double s = 0;
	for (size_t i = j; i < j + sm; i++)
		s += x[i + 2 * sm] - 2 * x[i + sm] + x[i];
	return s;
}

enum { MDEV_CHUNK = 4096 };

/* Two doubles as one SSE2 register (GCC/clang vector extension), loaded unaligned. */
typedef double v2d __attribute__((vector_size(16)));

static inline v2d load2(const double *p)
{
	v2d v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* The sums of squares of one pass over the phase at one tau (phase_pass). */
struct phase_sums {
	double oadev;  /* eq. 11: second differences d_i, i in [0, N-2m) */
	double mdev;   /* eq. 14: s_j = sum of m consecutive d_i, j in [0, N-3m] */
	double ohdev;  /* eq. 20: third differences t_i, i in [0, N-3m) */
	double tie;    /* TIE: first differences x_{i+m} - x_i, i in [0, N-m) */
};

/* OADEV, MDEV, OHDEV and TIE rms at one tau (3m <= N) in one pass over the data: the MDEV
 * step at j reads x_{j-1}, x_{j+m-1}, x_{j+2m-1}, x_{j+3m-1}, whose first, second and third
 * differences are exactly the TIE, OADEV and OHDEV terms for i = j - 1 (the third difference
 * t_{j-1} = s_j - s_{j-1} is also the step of MDEV's running sum). On long series each tau
 * streams the data from memory, so four statistics cost about one pass; TOTDEV's direct part
 * is the OADEV sum itself (totdev_at), ADEV and HDEV at m = 1 the OADEV and OHDEV sums.
 *
 * The inner sum s_j is updated by one third difference per step and recomputed exactly
 * at the start of every chunk of max(m, 4096) steps, so rounding cannot build up (the
 * recomputations cost O(n) in all); each chunk's squares are summed apart (two-level sum).
 * Measured: splitting the j range into 2-8 interleaved chains is slower here (more memory
 * streams) than advancing one chain two steps at a time. */
static inline void phase_pass_sel(const double *x, size_t n, size_t sm, bool only_mdev,
				  struct phase_sums *out)
{
	size_t outer = n - 3 * sm + 1; /* MDEV terms */
	size_t chunk = sm > MDEV_CHUNK ? sm : MDEV_CHUNK;
	const double *x1 = x + sm - 1, *x2 = x + 2 * sm - 1, *x3 = x + 3 * sm - 1; /* x_{j+km-1} */
	double tot_m = 0, tot_o = 0, tot_h = 0, tot_t = 0;
	for (size_t j0 = 0; j0 < outer; j0 += chunk) {
		size_t jend = outer - j0 < chunk ? outer : j0 + chunk;
		double s = mdev_inner(x, sm, j0);
		double sq0 = s * s, sq1 = 0, so0 = 0, so1 = 0, sh0 = 0, sh1 = 0, st0 = 0, st1 = 0;
		size_t j = j0 + 1;
		/* two steps per add on the running sum's dependency chain; the loop gives the
		 * terms i = j - 1 = j0 .. jend - 2 of the other three */
		/* steps j and j+1 as the two lanes of a vector: each lane computes what the
		 * scalar code did, in the same order, so the sums are the same to the bit */
		v2d so = { 0, 0 }, sh = { 0, 0 }, st = { 0, 0 };
		for (; j + 1 < jend; j += 2) {
			v2d a0 = load2(x + j - 1), a1 = load2(x1 + j), a2 = load2(x2 + j);
			v2d a3 = load2(x3 + j);
			v2d t = a3 - 3 * a2 + 3 * a1 - a0, d = a2 - 2 * a1 + a0, e = a1 - a0;
			double s0 = s + t[0];
			s += t[0] + t[1];
			sq0 += s0 * s0;
			sq1 += s * s;
			if (!only_mdev) {
				so += d * d;
				sh += t * t;
				st += e * e;
			}
		}
		so0 = so[0];
		so1 = so[1];
		sh0 = sh[0];
		sh1 = sh[1];
		st0 = st[0];
		st1 = st[1];
		for (; j < jend; j++) {
			double a0 = x[j - 1], a1 = x1[j], a2 = x2[j], a3 = x3[j];
			double t0 = a3 - 3 * a2 + 3 * a1 - a0, d0 = a2 - 2 * a1 + a0, e0 = a1 - a0;
			s += t0;
			sq0 += s * s;
			if (!only_mdev) {
				so0 += d0 * d0;
				sh0 += t0 * t0;
				st0 += e0 * e0;
			}
		}
		/* and i = jend - 1, which the next chunk's exact restart skips */
		size_t i = jend - 1;
		double d = x[i + 2 * sm] - 2 * x[i + sm] + x[i], e = x[i + sm] - x[i];
		so1 += d * d;
		st1 += e * e;
		if (i + 3 * sm < n) {
			double t = x[i + 3 * sm] - 3 * x[i + 2 * sm] + 3 * x[i + sm] - x[i];
			sh1 += t * t;
		}
		tot_m += sq0 + sq1;
		tot_o += so0 + so1;
		tot_h += sh0 + sh1;
		tot_t += st0 + st1;
	}
	out->mdev = tot_m;
	if (only_mdev) {
		out->oadev = out->ohdev = out->tie = NAN;
		return;
	}
	/* the OADEV and TIE terms after the last MDEV step: i = outer .. N-2m-1, .. N-m-1 */
	double so, st;
	const double *xo = x + outer;
	SUM_SQ(so, i, n - 2 * sm - outer, xo[i + 2 * sm] - 2 * xo[i + sm] + xo[i]);
	SUM_SQ(st, i, n - sm - outer, xo[i + sm] - xo[i]);
	out->oadev = tot_o + so;
	out->ohdev = tot_h;
	out->tie = tot_t + st;
}

/* The pass for every sum, and the cheaper one for MDEV's alone (TDEV of the time error): the
 * same MDEV sum, to the bit. */
static void phase_pass(const double *x, size_t n, size_t sm, struct phase_sums *out)
{
	phase_pass_sel(x, n, sm, false, out);
}

static void mdev_pass(const double *x, size_t n, size_t sm, struct phase_sums *out)
{
	phase_pass_sel(x, n, sm, true, out);
}

/* Non-overlapping Hadamard deviation, SP 1065 eq. 18 (eq. 17 is the frequency form), on the
 * phase decimated to tau:
 * HVAR = 1 / (6 tau^2 (M - 3)) sum_{i=1}^{M-3} (x_{i+3} - 3 x_{i+2} + 3 x_{i+1} - x_i)^2. */
static double hdev_at(const double *x, size_t n, long m, double tau)
{
	size_t sm = (size_t)m;
	if (3 * sm + 1 > n)
		return NAN;
	size_t terms = (n - 1 - 3 * sm) / sm + 1; /* i = 0, m, 2m, ... with i + 3m <= n - 1 */
	double sum;
	SUM_SQ(sum, t, terms,
	       x[t * sm + 3 * sm] - 3 * x[t * sm + 2 * sm] + 3 * x[t * sm + sm] - x[t * sm]);
	return sqrt(sum / (6.0 * tau * tau * (double)terms));
}

/* Overlapping Hadamard deviation, SP 1065 eq. 20:
 * HVAR = 1 / (6 m^2 tau0^2 (N - 3m)) sum_{i=1}^{N-3m} (x_{i+3m} - 3 x_{i+2m} + 3 x_{i+m}
 *        - x_i)^2. */
static double ohdev_at(const double *x, size_t n, long m, double tau)
{
	size_t sm = (size_t)m;
	if (3 * sm + 1 > n)
		return NAN;
	size_t terms = n - 3 * sm;
	double sum;
	SUM_SQ(sum, i, terms, x[i + 3 * sm] - 3 * x[i + 2 * sm] + 3 * x[i + sm] - x[i]);
	return sqrt(sum / (6.0 * tau * tau * (double)terms));
}

/* The reflected phase sequence x* of SP 1065's total variance (with eq. 25): the N points
 * extended at both ends by reflection, x*_{1-j} = 2 x_1 - x_{1+j} and
 * x*_{N+j} = 2 x_N - x_{N-j} for j = 1 .. N-2. 0-based: k in [-(N-2), 2N-3]. */
static inline double xstar(const double *x, size_t n, long k)
{
	long last = (long)n - 1;
	if (k < 0)
		return 2 * x[0] - x[-k];
	if (k > last)
		return 2 * x[last] - x[2 * last - k];
	return x[k];
}

/* Total deviation, SP 1065 eq. 25:
 * TOTVAR = 1 / (2 tau^2 (N - 2)) sum_{i=2}^{N-1} (x*_{i-m} - 2 x*_i + x*_{i+m})^2.
 * The terms with both neighbours inside the data (i = m .. N-1-m) are the OADEV terms
 * d_{i-m}: pass their sum as oadev_sum when phase_pass has it, NAN to sum them here. */
static double totdev_at(const double *x, size_t n, long m, double tau, double oadev_sum)
{
	if ((size_t)m > n - 1)
		return NAN;
	long last = (long)n - 1;
	/* i = 1 .. N-2 (0-based); the reflection is needed only where i - m < 0 or i + m > N-1 */
	long lo = m > 1 ? m : 1, hi = last - m < last - 1 ? last - m : last - 1; /* direct part */
	double sum = 0;
	if (lo <= hi && !isnan(oadev_sum)) {
		sum = oadev_sum;
	} else if (lo <= hi) {
		const double *xc = x + lo;
		SUM_SQ(sum, i, (size_t)(hi - lo + 1), xc[(long)i - m] - 2 * xc[i] + xc[i + (size_t)m]);
	}
	struct acc a = { 0 };
	for (long i = 1; i < last; i++) {
		if (i >= lo && i <= hi) {
			i = hi; /* skip the direct part */
			continue;
		}
		double d = xstar(x, n, i - m) - 2 * x[i] + xstar(x, n, i + m);
		acc_add(&a, d * d);
	}
	return sqrt((sum + acc_sum(&a)) / (2.0 * tau * tau * (double)(n - 2)));
}

/* TIE rms at tau = m tau0: sqrt(mean over i of (x_{i+m} - x_i)^2), i = 0 .. N-m-1 (ITU-T
 * G.810 definition of TIE; the rms over all start points, as allantools' tierms). */
static double tie_rms_at(const double *x, size_t n, long m)
{
	size_t sm = (size_t)m;
	if (sm >= n)
		return NAN;
	size_t terms = n - sm;
	double sum;
	SUM_SQ(sum, i, terms, x[i + sm] - x[i]);
	return sqrt(sum / (double)terms);
}

/* ---- noise identification and confidence interval ---------------------------------------- */

/* Lag-1 autocorrelation r1 = sum (z_i - zbar)(z_{i+1} - zbar) / sum (z_i - zbar)^2
 * (Riley & Greenhall eq. 2) from the raw sums S = sum z, Q = sum z^2, P = sum z_i z_{i+1}
 * and the end points, so that each pass over the data needs no second pass for the mean.
 * The data here are detrended or differenced (mean near zero), so the mean corrections do
 * not cancel badly; this only decides the noise type, to a tolerance far above rounding. */
static double acf_from_sums(double S, double Q, double P, double z0, double zlast, size_t k)
{
	double kk = (double)k, mean = S / kk;
	double den = Q - kk * mean * mean;
	double num = P - mean * (S - zlast) - mean * (S - z0) + (kk - 1) * mean * mean;
	return den > 0 ? num / den : NAN;
}

/* Minimum decimated length for the lag-1 method (Riley & Greenhall recommend N >= 30). */
enum { NOISE_ID_MIN_POINTS = 30 };

/* Whether tau = m tau0 has enough decimated points for the lag-1 method. */
static bool noise_id_points(size_t n, long m)
{
	return (n - 1) / (size_t)m + 1 >= NOISE_ID_MIN_POINTS;
}

/* Running sums for r1 of one sequence (acf_from_sums). */
struct acf_sums {
	double S, Q, P, first, prev;
	size_t k;
};

/* Dominant power-law noise at tau = m tau0 by the lag-1 autocorrelation method: W. J. Riley
 * and C. A. Greenhall, "Power law noise identification using the lag 1 autocorrelation",
 * EFTF 2004, eq. 2 for r1 and its section on the algorithm (allantools' autocorr_noise_id
 * implements the same, citing Stable32's notes). Phase data are decimated by m, the quadratic
 * trend (frequency offset and drift) removed, then differenced d = 0, 1, 2 (dmax = 2 for the
 * Allan variance) until delta = r1 / (1 + r1) < 0.25; p = -2 (delta + d) and
 * alpha = round(p) + 2 for phase data. Returns alpha in [-2, 2], or 99 when there are too
 * few points.
 *
 * Two passes over the decimated points and no copy: the first projects them on the quadratic
 * basis, the second forms each residual and its first and second differences on the fly and
 * sums for all three r1 at once (cross-checked against allantools.ci.autocorr_noise_id in
 * tests/e2e/stability_vs_allantools.sh). */
static int noise_id_lag1(const double *x, size_t n, long m)
{
	size_t sm = (size_t)m;
	size_t k = (n - 1) / sm + 1;
	if (!noise_id_points(n, m))
		return 99;
	/* Least-squares quadratic on t in [-1, 1] with the orthogonal basis 1, t, t^2 - mean(t^2)
	 * (1 and t are orthogonal on symmetric points); sum t^2 and sum t^4 in closed form:
	 * sum (i - h)^2 = k (k^2 - 1) / 12, sum (i - h)^4 = k (k^2 - 1) (3 k^2 - 7) / 240.
	 * (double)(long)i: a signed conversion is one instruction, an unsigned one is not. */
	double kk = (double)k, half = (kk - 1) / 2.0, inv = 1.0 / half;
	double s2 = kk * (kk * kk - 1) / 12.0 * inv * inv;
	double s4 = kk * (kk * kk - 1) * (3 * kk * kk - 7) / 240.0 * (inv * inv) * (inv * inv);
	double c0 = 0, c1 = 0, c2 = 0;
	for (size_t i = 0; i < k; i++) {
		double v = x[i * sm], t = ((double)(long)i - half) * inv;
		c0 += v;
		c1 += v * t;
		c2 += v * t * t;
	}
	double mean2 = s2 / kk, n2 = s4 - mean2 * s2;
	double a0 = c0 / kk, a1 = c1 / s2, a2 = n2 > 0 ? (c2 - mean2 * c0) / n2 : 0;
	/* the sums of the residual r, its first difference u and second difference v, in
	 * locals (as an array of structs they went through memory at every point); the same
	 * additions in the same order as pushing each value in turn: first = v, or
	 * P += prev v; then S += v, Q += v^2 */
	double r_prev = x[0] - (a0 + a1 * (-half * inv) + a2 * ((-half * inv) * (-half * inv) -
							       mean2));
	double S0 = r_prev, Q0 = r_prev * r_prev, P0 = 0;
	double S1 = 0, Q1 = 0, P1 = 0, u_first = 0, u_prev = 0;
	double S2 = 0, Q2 = 0, P2 = 0, v_first = 0, v_prev = 0;
	for (size_t i = 1; i < k; i++) {
		double t = ((double)(long)i - half) * inv;
		double r = x[i * sm] - (a0 + a1 * t + a2 * (t * t - mean2));
		P0 += r_prev * r;
		S0 += r;
		Q0 += r * r;
		double u = r - r_prev;
		if (i == 1) {
			u_first = u;
		} else {
			P1 += u_prev * u;
			double v = u - u_prev;
			if (i == 2)
				v_first = v;
			else
				P2 += v_prev * v;
			S2 += v;
			Q2 += v * v;
			v_prev = v;
		}
		S1 += u;
		Q1 += u * u;
		u_prev = u;
		r_prev = r;
	}
	struct acf_sums seq[3] = {
		{ S0, Q0, P0, x[0] - (a0 + a1 * (-half * inv) +
				      a2 * ((-half * inv) * (-half * inv) - mean2)), r_prev, k },
		{ S1, Q1, P1, u_first, u_prev, k - 1 },
		{ S2, Q2, P2, v_first, v_prev, k - 2 },
	};
	for (int d = 0; d <= 2; d++) {
		const struct acf_sums *q = &seq[d];
		double r1 = acf_from_sums(q->S, q->Q, q->P, q->first, q->prev, q->k);
		if (!isfinite(r1))
			return 99;
		double delta = r1 / (1 + r1);
		if (delta < 0.25 || d == 2) {
			double p = -2 * (delta + d);
			long a = lround(p) + 2;
			if (a > 2)
				a = 2;
			if (a < -2)
				a = -2;
			return (int)a;
		}
	}
	return 99; /* not reached */
}

/* Equivalent degrees of freedom of the overlapping Allan variance for N phase points at
 * averaging factor m and noise alpha: the simple approximations of SP 1065 Table 5 ("AVAR
 * EDF", after Stein 1985 and Howe, Allan and Barnes 1981). NAN for an unknown alpha. */
static double oadev_edf(double N, double m, int alpha)
{
	switch (alpha) {
	case 2: /* white PM */
		return (N + 1) * (N - 2 * m) / (2 * (N - m));
	case 1: /* flicker PM */
		return exp(sqrt(log((N - 1) / (2 * m)) * log((2 * m + 1) * (N - 1) / 4)));
	case 0: /* white FM */
		return (3 * (N - 1) / (2 * m) - 2 * (N - 2) / N) * (4 * m * m / (4 * m * m + 5));
	case -1: /* flicker FM */
		if (m == 1)
			return 2 * (N - 2) / (2.3 * N - 4.9);
		return 5 * N * N / (4 * m * (N + 3 * m));
	case -2: /* random-walk FM */
		return (N - 2) / (m * (N - 3) * (N - 3)) * ((N - 1) * (N - 1) - 3 * m * (N - 1) +
							     4 * m * m);
	default:
		return NAN;
	}
}

/* The p-quantile of the chi-squared distribution with nu degrees of freedom. GSL 2.7's
 * gsl_cdf_chisq_Pinv fails to converge (returns NaN) for many nu above ~4000 and below ~0.5
 * -- e.g. the EDF of a 10^5-point run at m = 1 -- so its answer is checked and, when it is
 * not the quantile, replaced by Newton's method on log x from the Wilson-Hilferty
 * approximation (or, for small nu, the lower-tail power law P ~ (x/2)^(nu/2) / Gamma(nu/2+1)),
 * using GSL's CDF and density, which are fine there. Tail probabilities are compared in the
 * tail that keeps them accurate (P below 1/2, Q above). */
static double chi2_quantile(double p, double nu)
{
	double q = gsl_cdf_chisq_Pinv(p, nu);
	if (isfinite(q) && q > 0 && fabs(gsl_cdf_chisq_P(q, nu) - p) <= 1e-10)
		return q;
	double h = 2.0 / (9.0 * nu), c = 1 - h + gsl_cdf_ugaussian_Pinv(p) * sqrt(h);
	double x = c > 0.1 ? nu * c * c * c
			   : 2 * exp((log(p) + lgamma(nu / 2 + 1)) * 2 / nu);
	double du = INFINITY;
	for (int it = 0; it < 100 && isfinite(x) && x > 0; it++) {
		double diff = p < 0.5 ? gsl_cdf_chisq_P(x, nu) - p : (1 - p) - gsl_cdf_chisq_Q(x, nu);
		double slope = gsl_ran_chisq_pdf(x, nu) * x; /* dP / d(log x) */
		if (!(slope > 0))
			break;
		du = diff / slope;
		if (du > 1)
			du = 1; /* damp the first steps from a poor start */
		if (du < -1)
			du = -1;
		x *= exp(-du);
		if (fabs(du) < 1e-13)
			break;
	}
	/* at nu > 10^7 GSL's CDF itself is good to ~1e-7: accept what the noise allows */
	return isfinite(x) && x > 0 && fabs(du) < 1e-6 ? x : NAN;
}

/* 95 % interval of a deviation from its EDF: sigma^2 * edf / chi2(0.975; edf) <= true
 * sigma^2 <= sigma^2 * edf / chi2(0.025; edf) (SP 1065 eq. 45, chi-squared confidence
 * interval; checked against allantools.ci in tests/e2e/stability_vs_allantools.sh). */
static void chi2_interval(double dev, double edf, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (!isfinite(dev) || !isfinite(edf) || edf <= 0)
		return;
	double qhi = chi2_quantile(0.975, edf);
	double qlo = chi2_quantile(0.025, edf);
	if (!(qhi > 0) || !(qlo > 0))
		return;
	*lo = dev * sqrt(edf / qhi);
	*hi = dev * sqrt(edf / qlo);
}

/* ---- driver ------------------------------------------------------------------------------ */

/* MTIE at all taus at once (analyze/mtie.h), as a thread's body. */
struct mtie_job {
	const double *x;
	size_t n;
	const long *m;
	size_t nm;
	double *out;
};

static void *mtie_job_run(void *arg)
{
	struct mtie_job *j = arg;
	mtie_compute(j->x, j->n, j->m, j->nm, j->out);
	return NULL;
}

/* Below this many points a thread costs more than it saves. */
enum { MTIE_THREAD_MIN_N = 100000 };

int stab_check(const double *x, size_t n, double tau0)
{
	if (!x || n < 3 || !(tau0 > 0) || !isfinite(tau0))
		return -1;
	/* x - x is 0 for a finite x and NaN otherwise: a sum without a branch per point */
	double z0 = 0, z1 = 0;
	size_t i = 0;
	for (; i + 2 <= n; i += 2) {
		z0 += x[i] - x[i];
		z1 += x[i + 1] - x[i + 1];
	}
	for (; i < n; i++)
		z0 += x[i] - x[i];
	return z0 + z1 == 0 ? 0 : -1;
}

void stab_point_at(const double *x, size_t n, double tau0, long mk, unsigned stats,
		   struct stab_point *p)
{
	double tau = (double)mk * tau0;
	p->m = mk;
	p->tau = tau;
	p->n = (size_t)mk <= (n - 1) / 2 ? (long)(n - 2 * (size_t)mk) : 0; /* 2m < N */
	p->adev = p->oadev = p->mdev = p->tdev = p->hdev = p->ohdev = p->totdev = NAN;
	p->mtie = p->tie_rms = p->oadev_lo = p->oadev_hi = p->edf = NAN;
	p->alpha = 99;
	if ((size_t)mk >= n)
		return; /* no statistic is defined (and 2m, 3m could overflow below) */

	size_t sm = (size_t)mk;
	double sq_tau = tau * tau;
	/* one pass for OADEV, MDEV/TDEV, OHDEV, TIE rms and TOTDEV's bulk where MDEV is
	 * defined (3m <= N), else each alone */
	bool fused = 3 * sm <= n && (stats & (STAB_OADEV | STAB_MDEV | STAB_TDEV | STAB_OHDEV |
					      STAB_TIE_RMS | STAB_TOTDEV | STAB_ADEV | STAB_HDEV));
	struct phase_sums ps = { NAN, NAN, NAN, NAN };
	if (fused && !(stats & ~(unsigned)(STAB_MDEV | STAB_TDEV | STAB_MTIE)))
		mdev_pass(x, n, sm, &ps);
	else if (fused)
		phase_pass(x, n, sm, &ps);
	if (stats & STAB_ADEV) /* ADEV's terms at m = 1 are OADEV's */
		p->adev = fused && sm == 1 && n >= 3
				  ? sqrt(ps.oadev / (2.0 * sq_tau * (double)(n - 2)))
				  : adev_at(x, n, mk, tau);
	if (stats & STAB_OADEV)
		p->oadev = fused ? sqrt(ps.oadev / (2.0 * sq_tau * (double)(n - 2 * sm)))
				 : oadev_at(x, n, mk, tau);
	if (stats & (STAB_MDEV | STAB_TDEV)) {
		double md = NAN;
		if (fused) {
			double mm = (double)mk;
			md = sqrt(ps.mdev / (2.0 * mm * mm * sq_tau * (double)(n - 3 * sm + 1)));
		}
		if (stats & STAB_MDEV)
			p->mdev = md;
		/* SP 1065 eq. 15: TDEV = tau / sqrt(3) * MDEV */
		if (stats & STAB_TDEV)
			p->tdev = tau / sqrt(3.0) * md;
	}
	bool have_h = fused && 3 * sm + 1 <= n;
	if (stats & STAB_HDEV) /* HDEV's terms at m = 1 are OHDEV's */
		p->hdev = have_h && sm == 1 ? sqrt(ps.ohdev / (6.0 * sq_tau * (double)(n - 3)))
					    : hdev_at(x, n, mk, tau);
	if (stats & STAB_OHDEV)
		p->ohdev = have_h ? sqrt(ps.ohdev / (6.0 * sq_tau * (double)(n - 3 * sm)))
				  : ohdev_at(x, n, mk, tau);
	if (stats & STAB_TOTDEV)
		p->totdev = totdev_at(x, n, mk, tau, ps.oadev);
	if (stats & STAB_TIE_RMS)
		p->tie_rms = fused ? sqrt(ps.tie / (double)(n - sm)) : tie_rms_at(x, n, mk);

	if ((stats & STAB_OADEV) && isfinite(p->oadev))
		p->alpha = noise_id_lag1(x, n, mk);
}

void stab_finish(size_t n, struct stab_point *out, size_t nm, unsigned stats)
{
	/* Where too few decimated points remain to identify the noise (long taus), the type
	 * identified at the longest shorter tau is kept (the dominant type changes slowly with
	 * tau), whatever the order of the averaging factors; then the EDF and the interval. */
	if (!(stats & STAB_OADEV))
		return;
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	for (size_t k = 0; k < nm; k++) {
		struct stab_point *p = &out[k];
		if (!isfinite(p->oadev))
			continue;
		int a = p->alpha;
		if (a == 99) {
			long best_m = 0;
			for (size_t j = 0; j < nm; j++)
				if (out[j].alpha != 99 && out[j].m < p->m && out[j].m > best_m &&
				    noise_id_points(n, out[j].m)) {
					best_m = out[j].m;
					a = out[j].alpha;
				}
		}
		p->alpha = a;
		p->edf = oadev_edf((double)n, (double)p->m, a);
		if (!(p->edf > 0))
			p->edf = NAN;
		chi2_interval(p->oadev, p->edf, &p->oadev_lo, &p->oadev_hi);
	}
	gsl_set_error_handler(old);
}

int stab_compute(const double *x, size_t n, double tau0, const long *m, size_t nm,
		 unsigned stats, struct stab_point *out)
{
	if (stab_check(x, n, tau0) != 0 || (nm && (!m || !out)))
		return -1;
	for (size_t k = 0; k < nm; k++)
		if (m[k] < 1)
			return -1;

	/* MTIE (all taus) on a second thread while this one computes the deviations: both only
	 * read x, and each writes its own results, so they are the same as one after the other */
	struct mtie_job job = { x, n, m, nm, NULL };
	pthread_t mtie_thread;
	bool threaded = false;
	if (stats & STAB_MTIE) {
		job.out = xmalloc((nm ? nm : 1) * sizeof(double));
		threaded = n >= MTIE_THREAD_MIN_N &&
			   pthread_create(&mtie_thread, NULL, mtie_job_run, &job) == 0;
	}
	for (size_t k = 0; k < nm; k++)
		stab_point_at(x, n, tau0, m[k], stats, &out[k]);
	stab_finish(n, out, nm, stats);
	if (stats & STAB_MTIE) {
		if (threaded)
			pthread_join(mtie_thread, NULL);
		else
			mtie_job_run(&job);
		for (size_t k = 0; k < nm; k++)
			out[k].mtie = job.out[k];
		free(job.out);
	}
	return 0;
}
