/* What ntpd's SHM refclock sees of a PHC steered by ptp4l, fed by phc2sys -E ntpshm: a model
 * of the refclock layer, to tell whether it moves the correction.
 *
 * Read in the sources (cited in the .c): ptp4l's PI servo (linuxptp pi.c, 3.1.1 = 4.4 in
 * what is used here) steers the PHC by ppb = kp*w*offset + drift + ki*w*offset per Sync;
 * phc2sys -E ntpshm writes one PHC - system sample per -R period (default 1 s, no
 * averaging: ntpshm.c); ntpsec's SHM driver takes one sample a second (refclock_shm.c
 * shm_timer) and at each poll refclock_sample() (ntp_refclock.c) keeps the ~60 % of the
 * samples nearest the median (at most MAXSTAGE = 60) and passes their MEAN. A symmetric PHC
 * wander leaves that trimmed mean at the PHC's mean (-b); a skewed one (the servo passing
 * on a skewed per-Sync offset) moves it, and a refclock fudge of b is then off by that
 * shift. */
#ifndef PTPCAL_REFCLOCK_MODEL_H
#define PTPCAL_REFCLOCK_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#define NTP_MAXSTAGE 60 /* ntpsec include/ntp_refclock.h: max median filter stages */

/* ntp_refclock.c refclock_sample() on off[0..n-1] (sorted in place): the mean of the
 * samples left after rejecting, one at a time, the one furthest from the median until
 * m = n - (n * 4) / 10 remain. *jitter (may be NULL) as ntpd computes it. n >= 1. */
double ntp_refclock_sample(double *off, size_t n, double *jitter);

/* linuxptp pi.c pi_sync_interval() with the defaults of config.c / pi.c for software or
 * hardware timestamping (pi_proportional_const etc. not set). */
void pi_servo_constants(double sync_interval_s, bool sw_timestamping, double *kp, double *ki);

struct refclock_model {
	double kp, ki;            /* the servo's constants used */
	double rate_hz, poll_s;   /* phc2sys -R, ntpd poll interval */
	double phc_mean_ns;       /* mean PHC error (slave - master) over the modelled run */
	double ntpd_mean_ns;      /* mean of ntpd's per-poll trimmed means of the samples */
	double shift_ns;          /* ntpd_mean - phc_mean: what a fudge of b is off by */
	size_t polls;             /* window positions averaged (every 1 s sample) */
};

/* Runs the PI servo in closed loop on the estimator errors err[i] (offset - theta of each
 * Sync, ns, at t_s[i] seconds; weights w may be NULL) from the settled state, samples the
 * PHC at rate_hz (ntpd reads SHM once a second: rate_hz <= 1) and applies refclock_sample()
 * to the last min(poll, 60) samples at every sample (every poll phase). Returns 0, or -1
 * when the run is shorter than one such window. */
int refclock_model_run(const double *t_s, const double *err, const double *w, size_t n,
		       double kp, double ki, double rate_hz, double poll_s,
		       struct refclock_model *out);

#endif
