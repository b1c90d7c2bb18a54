/* The refclock layer modelled (refclock_model.h). */
#include "analyze/refclock_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ntpsec 1.2.2 ntpd/ntp_refclock.c refclock_sample(): qsort, then "reject the furthest from
 * the median of the samples until approximately 60 percent of the samples remain", offset
 * = sum / m, jitter = sqrt(sum of squared consecutive differences / m). */
double ntp_refclock_sample(double *off, size_t n, double *jitter)
{
	qsort(off, n, sizeof(*off), cmp_double);
	size_t i = 0, j = n, m = n - (n * 4) / 10;
	while (j - i > m) {
		double offset = off[(j + i) / 2];
		if (off[j - 1] - offset < offset - off[i])
			i++; /* reject low end */
		else
			j--; /* reject high end */
	}
	double sum = 0, jit = 0;
	for (size_t k = i; k < j; k++) {
		sum += off[k];
		if (k > i)
			jit += (off[k] - off[k - 1]) * (off[k] - off[k - 1]);
	}
	if (jitter)
		*jitter = sqrt(jit / (double)m);
	return sum / (double)m;
}

/* linuxptp pi.c: HWTS_KP_SCALE 0.7, HWTS_KI_SCALE 0.3, SWTS_KP_SCALE 0.1, SWTS_KI_SCALE
 * 0.001; config.c pi_proportional_exponent -0.3, pi_integral_exponent 0.4,
 * pi_proportional_norm_max 0.7, pi_integral_norm_max 0.3; pi_sync_interval(). */
void pi_servo_constants(double sync_interval_s, bool sw_timestamping, double *kp, double *ki)
{
	double kp_scale = sw_timestamping ? 0.1 : 0.7, ki_scale = sw_timestamping ? 0.001 : 0.3;
	*kp = kp_scale * pow(sync_interval_s, -0.3);
	if (*kp > 0.7 / sync_interval_s)
		*kp = 0.7 / sync_interval_s;
	*ki = ki_scale * pow(sync_interval_s, 0.4);
	if (*ki > 0.3 / sync_interval_s)
		*ki = 0.3 / sync_interval_s;
}

int refclock_model_run(const double *t_s, const double *err, const double *w, size_t n,
		       double kp, double ki, double rate_hz, double poll_s,
		       struct refclock_model *out)
{
	memset(out, 0, sizeof(*out));
	out->kp = kp;
	out->ki = ki;
	out->rate_hz = rate_hz;
	out->poll_s = poll_s;
	if (n < 2 || !(rate_hz > 0) || !(poll_s > 0))
		return -1;
	/* Settled state: the servo has zeroed the weighted mean of its offsets, so the PHC
	 * starts at theta = -b and the integral term holds the drift (0: one clock). */
	double wsum = 0, bsum = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1;
		wsum += wi;
		bsum += wi * err[i];
	}
	double theta = -bsum / wsum, drift = 0, phc_sum = 0;
	size_t cap = (size_t)((t_s[n - 1] - t_s[0]) * rate_hz) + 2, ns = 0;
	double *samples = xmalloc(cap * sizeof(double));
	double next = t_s[0];
	for (size_t i = 0; i < n; i++) {
		/* phc2sys: one sample per 1/rate of the PHC as it is before this Sync's step */
		while (next <= t_s[i] && ns < cap) {
			samples[ns++] = theta;
			next += 1.0 / rate_hz;
		}
		phc_sum += theta;
		/* pi.c pi_sample(), locked: ki_term = ki*offset*weight; ppb = kp*offset*weight +
		 * drift + ki_term; drift += ki_term; clock.c applies -ppb until the next Sync */
		double wi = w ? w[i] : 1, offset = theta + err[i];
		double ki_term = ki * offset * wi, ppb = kp * offset * wi + drift + ki_term;
		drift += ki_term;
		double dt = i + 1 < n ? t_s[i + 1] - t_s[i] : 0;
		theta -= ppb * dt;
	}
	out->phc_mean_ns = phc_sum / (double)n;
	/* ntpd: refclock_sample() over its last min(poll, MAXSTAGE) one-second samples at each
	 * poll. The poll's phase against the run is arbitrary, so every window position is
	 * averaged (the same expectation as one window per poll, with less noise on a short
	 * run); "polls" counts the window positions. */
	size_t per_poll = (size_t)llround(poll_s * rate_hz);
	if (per_poll < 1)
		per_poll = 1;
	size_t m = per_poll < NTP_MAXSTAGE ? per_poll : NTP_MAXSTAGE;
	double sum = 0;
	double buf[NTP_MAXSTAGE];
	for (size_t k = 0; k + m <= ns; k++) {
		memcpy(buf, samples + k, m * sizeof(double));
		sum += ntp_refclock_sample(buf, m, NULL);
		out->polls++;
	}
	free(samples);
	if (out->polls < 1)
		return -1;
	out->ntpd_mean_ns = sum / (double)out->polls;
	out->shift_ns = out->ntpd_mean_ns - out->phc_mean_ns;
	return 0;
}
