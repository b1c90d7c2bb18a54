/* The analysis pipeline (analysis.h lists the steps). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "analyze/analysis.h"
#include "analyze/capture_input.h"
#include "analyze/series_in.h"
#include "analyze/truth.h"
#include "common/log.h"
#include "common/bigmem.h"

bool analysis_sniff_kind(const char *path, char *kind, size_t len)
{
	kind[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f) {
		log_err("%s: %m", path);
		return false;
	}
	char line[256];
	if (fgets(line, sizeof(line), f)) {
		int ver;
		char k[64];
		if (sscanf(line, "# ptpcal-dataset %d %63s", &ver, k) == 2)
			snprintf(kind, len, "%s", k);
	}
	fclose(f);
	return true;
}

static size_t count_locked(const struct ex_series *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		k += s->state[i] == SAMPLE_LOCKED;
	return k;
}

/* Distribution of one column over the locked samples. */
static void locked_dist(const struct ex_series *s, const double *col, struct dist *d)
{
	double *v = xmalloc((s->n ? s->n : 1) * sizeof(double));
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->state[i] == SAMPLE_LOCKED)
			v[k++] = col[i];
	dist_compute_inplace(v, k, d);
	free(v);
}

/* std of the sample-to-sample change of col over consecutive locked samples, / sqrt 2: the
 * short-term (white) part of its variation, insensitive to slow wander of the clock. */
static double jitter(const struct ex_series *s, const double *col)
{
	double sum = 0, sum2 = 0;
	size_t k = 0;
	for (size_t i = 1; i < s->n; i++) {
		if (s->state[i] != SAMPLE_LOCKED || s->state[i - 1] != SAMPLE_LOCKED)
			continue;
		double d = col[i] - col[i - 1];
		if (!isfinite(d))
			continue;
		sum += d;
		sum2 += d * d;
		k++;
	}
	if (k < 2)
		return NAN;
	double var = (sum2 - sum * sum / (double)k) / (double)(k - 1);
	return sqrt(var > 0 ? var / 2 : 0);
}

static int load_inputs(const struct analyze_opts *o, struct analysis *an, struct truth *tr,
		       bool *have_tr)
{
	*have_tr = false;
	const char *got_offsets = NULL; /* the ntpshm file */
	for (int i = 0; i < o->ninputs; i++) {
		const char *p = o->inputs[i];
		char kind[64];
		if (strcmp(p, "-") != 0 && capture_input_is_pcap(p)) {
			if (!an->health)
				an->health = health_new();
			if (!capture_input_pcap(an->health, &an->s, p))
				return EXIT_USAGE;
			continue;
		}
		if (strcmp(p, "-") == 0) {
			if (!exs_load_exchanges(&an->s, p))
				return EXIT_USAGE;
			continue;
		}
		if (!analysis_sniff_kind(p, kind, sizeof(kind)))
			return EXIT_USAGE;
		if (strcmp(kind, "exchanges") == 0) {
			if (!exs_load_exchanges(&an->s, p))
				return EXIT_USAGE;
		} else if (strcmp(kind, "phc") == 0) {
			/* phc - sys per reading (ptpcal phc record) */
			if (!exs_load_phc(&an->s, p))
				return EXIT_USAGE;
			got_offsets = p;
			an->input_kind = "phc";
		} else if (strcmp(kind, "ntpshm") == 0) {
			/* system clock - reference, per SHM sample (docs/dataset-format.md) */
			if (!exs_load_offsets(&an->s, p, "ntpshm", "sys_time"))
				return EXIT_USAGE;
			got_offsets = p;
			an->input_kind = "ntpshm";
		} else if (strcmp(kind, "truth") == 0) {
			if (*have_tr || o->truth_path) {
				log_err("%s: a second truth dataset (give one)", p);
				return EXIT_USAGE;
			}
			if (!truth_load(tr, p))
				return EXIT_USAGE;
			*have_tr = true;
		} else if (strcmp(kind, "servo") == 0) {
			if (an->have_servo || o->servo_log) {
				log_err("%s: a second servo log (give one)", p);
				return EXIT_USAGE;
			}
			if (!servo_log_load(&an->servo, p))
				return EXIT_USAGE;
			an->have_servo = true;
		} else if (strcmp(kind, "messages") == 0) {
			if (!an->health)
				an->health = health_new();
			if (!capture_input_messages(an->health, p))
				return EXIT_USAGE;
		} else if (kind[0]) {
			log_err("%s: a '%s' dataset; analyze reads exchanges, truth, servo, ntpshm "
				"and messages datasets and pcap/pcapng files", p, kind);
			return EXIT_USAGE;
		} else {
			size_t pl = strlen(p);
			bool packed = (pl > 3 && strcmp(p + pl - 3, ".xz") == 0) ||
				      (pl > 3 && strcmp(p + pl - 3, ".gz") == 0);
			if (packed)
				log_err("%s: compressed; decompress it first (xz -dc / gzip -dc)", p);
			else
				log_err("%s: not a ptpcal dataset (no '# ptpcal-dataset' line; make "
					"one with 'ptpcal capture -r FILE -o EXCHANGES')", p);
			return EXIT_USAGE;
		}
	}
	if (o->truth_path) {
		if (!truth_load(tr, o->truth_path))
			return EXIT_USAGE;
		*have_tr = true;
	}
	if (o->servo_log) {
		if (!servo_log_load(&an->servo, o->servo_log))
			return EXIT_USAGE;
		an->have_servo = true;
	}
	if (got_offsets) {
		for (size_t i = 0; i < an->s.n; i++)
			if (isfinite(an->s.delay[i])) {
				log_err("%s: a %s dataset cannot be analysed together with "
					"exchanges (give it alone)", got_offsets, an->input_kind);
				return EXIT_USAGE;
			}
	} else if (an->s.n > 0) {
		an->input_kind = "exchanges";
	} else if (!(an->health && health_messages(an->health) > 0)) {
		/* no exchanges: a truth or servo dataset is the series itself */
		if (*have_tr) {
			for (size_t i = 0; i < tr->n; i++)
				exs_push_offset(&an->s, tr->t_ns[i], tr->offset[i]);
			*have_tr = false; /* the series, not a truth for it */
			an->input_kind = "truth";
		} else if (an->have_servo) {
			for (size_t i = 0; i < an->servo.n; i++)
				if (isfinite(an->servo.t_s[i]) && isfinite(an->servo.offset_ns[i]))
					exs_push_offset(&an->s, llround(an->servo.t_s[i] * 1e9),
							an->servo.offset_ns[i]);
			an->input_kind = "servo";
		}
	}
	if (an->s.n == 0 && !(an->health && health_messages(an->health) > 0)) {
		log_err("%s: no exchanges to analyse", o->ninputs ? o->inputs[0] : "input");
		return EXIT_USAGE;
	}
	if (!an->input_kind)
		an->input_kind = an->s.n ? "exchanges" : "messages";
	if (o->lucky_pct > 0 && strcmp(an->input_kind, "exchanges") != 0) {
		log_err("%s: --lucky needs exchanges (path delays); this is a %s series",
			o->inputs[0], an->input_kind);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Truth stamped in PHC (TAI) time against exchanges stamped by the capture's UTC clock: the
 * pairing is TAI - UTC seconds off, and the offsets themselves (folded to a second by a PPS
 * truth) hide it. Seen either as both ends of the two series TAI - UTC apart, or as a truth
 * that covers clearly more of the exchanges once shifted by -(TAI - UTC) or +(TAI - UTC). When
 * the truth spans the exchanges with more than TAI - UTC to spare, timing cannot tell. */
static void truth_timescale_check(struct analysis *an, const struct truth *tr)
{
	const struct ex_series *s = &an->s;
	int L;
	if (!an->have_leapsec || !tr->n || !s->n ||
	    !leapfile_tai_utc(&an->leapsec, s->t_ns[0] / 1000000000, &L) || !L)
		return;
	double d0 = (double)(tr->t_ns[0] - s->t_ns[0]) * 1e-9;
	double d1 = (double)(tr->t_ns[tr->n - 1] - s->t_ns[s->n - 1]) * 1e-9;
	bool ends = fabs(fabs(d0) - L) < 2 && fabs(fabs(d1) - L) < 2 && d0 * d1 > 0;
	double cov0 = (double)an->truth_n / (double)s->n, best = cov0;
	int best_shift = 0;
	if (!ends && cov0 < 0.95) {
		/* coverage with the truth's times moved by -L and +L (on a scratch series) */
		struct truth sh = *tr;
		sh.t_ns = xmalloc(tr->n * sizeof(int64_t));
		struct ex_series tmp;
		exs_init(&tmp);
		for (size_t i = 0; i < s->n; i++)
			exs_push_offset(&tmp, s->t_ns[i], 0);
		for (int sign = -1; sign <= 1; sign += 2) {
			for (size_t i = 0; i < tr->n; i++)
				sh.t_ns[i] = tr->t_ns[i] + sign * (int64_t)L * 1000000000LL;
			double c = (double)truth_align(&tmp, &sh) / (double)s->n;
			if (c >= 0.95 && c >= cov0 + 0.05 && c > best) {
				best = c;
				best_shift = sign * L;
			}
		}
		exs_free(&tmp);
		free(sh.t_ns);
	}
	if (ends || best_shift)
		findings_add(&an->findings, SEV_WARN, "truth-timescale",
			     "the truth's times look %d s (TAI - UTC) from the exchanges' (%s): the "
			     "truth is in PHC (TAI) time, the capture in UTC, and exchanges were "
			     "paired with truth samples that many seconds away (record the truth "
			     "with --clock system, or shift its times)", L,
			     ends ? "at both ends" : "the shifted truth covers them");
}

static void fill_truth(const struct analyze_opts *o, struct analysis *an, struct truth *tr,
		       bool have_tr)
{
	struct ex_series *s = &an->s;
	an->truth_median_ns = NAN;
	if (have_tr) {
		struct dist d;
		dist_compute(tr->offset, tr->n, &d);
		an->truth_median_ns = d.median;
		an->truth_n = truth_align(s, tr);
		snprintf(an->reference, sizeof(an->reference), "%s (truth dataset)", tr->ref);
		an->have_truth = true;
		if (an->truth_n < s->n)
			findings_add(&an->findings, SEV_WARN, "truth-gaps",
				     "%zu of %zu exchanges have no truth sample within %.1f s; "
				     "they are left out of the bias and asymmetry",
				     s->n - an->truth_n, s->n, tr->max_gap_s);
		truth_timescale_check(an, tr);
	} else if (o->have_truth_offset) {
		truth_constant(s, o->truth_offset_ns);
		an->truth_median_ns = o->truth_offset_ns;
		an->truth_n = s->n;
		snprintf(an->reference, sizeof(an->reference),
			 "constant true offset %.3f ns (--truth-offset)", o->truth_offset_ns);
		an->have_truth = true;
	} else if (s->have_const_truth) {
		truth_constant(s, s->const_truth_ns);
		an->truth_median_ns = s->const_truth_ns;
		an->truth_n = s->n;
		snprintf(an->reference, sizeof(an->reference),
			 "constant true offset %.3f ns (truth_offset_ns metadata: %s)",
			 s->const_truth_ns, s->truth_ref);
		an->have_truth = true;
	}
}

static void estimate(struct analysis *an)
{
	struct ex_series *s = &an->s;
	double *t = xmalloc((s->n ? s->n : 1) * sizeof(double));
	double *e = xmalloc((s->n ? s->n : 1) * sizeof(double));
	double *a = xmalloc((s->n ? s->n : 1) * sizeof(double));
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->state[i] != SAMPLE_LOCKED || !s->lucky[i] || !isfinite(s->theta[i]))
			continue;
		t[k] = exs_t_s(s, i);
		e[k] = analysis_error(an, i);      /* offset - theta: slave - master error */
		a[k] = truth_asymmetry(s, i);      /* (t2-t1) - (t4-t3) - 2 theta */
		k++;
	}
	an->bias_n = k;
	if (k >= 8 && bias_estimate(t, e, k, &an->bias) == 0)
		an->have_bias = true;
	if (k >= 8 && bias_estimate(t, a, k, &an->asym) == 0)
		an->have_asym = true;
	if (an->have_truth && !an->have_bias)
		findings_add(&an->findings, SEV_WARN, "bias-too-few",
			     "only %zu usable exchanges with a truth: no bias estimate (needs 8)", k);
	free(t);
	free(e);
	free(a);
}

/* ptp4l's estimator on the same exchanges: every Sync (settling ones too: ptp4l's filter
 * runs through them), averaged over the Syncs of settled exchanges after the filter's
 * warm-up. The lucky-packet filter is not ptp4l's: it does not apply here. */
static void ptp4l_estimate(const struct analyze_opts *o, struct analysis *an)
{
	const struct ex_series *s = &an->s;
	if (s->nsessions > 1) {
		findings_add(&an->findings, SEV_INFO, "ptp4l-estimator-sessions",
			     "%d PTP sessions in the exchanges: ptp4l's estimator is replayed on "
			     "one session only (give one client's exchanges)", s->nsessions);
		return;
	}
	struct ptp4l_replay r;
	if (ptp4l_replay_exchanges(&o->ptp4l_est, s->n, s->t_ns, s->t3_ns, s->fwd, s->rev, &r))
		return;
	bool *use = xcalloc(r.n ? r.n : 1, sizeof(bool));
	double *err = xmalloc((r.n ? r.n : 1) * sizeof(double));
	double sum = 0, sum2 = 0;
	size_t used = 0;
	for (size_t i = 0; i < r.n; i++) {
		size_t row = r.row[i];
		use[i] = i >= r.warmup && s->state[row] == SAMPLE_LOCKED;
		err[i] = r.offset[i] - s->theta[row];
		if (use[i]) {
			sum += r.offset[i];
			sum2 += s->offset[row];
			used++;
		}
	}
	an->p4_syncs = r.n;
	an->p4_used = used;
	if (used) {
		an->have_p4 = true;
		an->p4_offset_mean = sum / (double)used;
		an->p4_minus_mean = (sum - sum2) / (double)used;
	}
	if (an->have_truth && used >= 8 && ptp4l_replay_bias(&r, err, use, &an->p4_bias) == 0)
		an->have_p4_bias = true;
	free(err);
	an->p4 = r;
	an->p4_use = use;
}

static void rolling(const struct analyze_opts *o, struct analysis *an)
{
	struct ex_series *s = &an->s;
	unsigned char *use = xmalloc(s->n ? s->n : 1);
	unsigned char *use_b = xmalloc(s->n ? s->n : 1);
	double *err = xmalloc((s->n ? s->n : 1) * sizeof(double));
	for (size_t i = 0; i < s->n; i++) {
		use[i] = s->state[i] == SAMPLE_LOCKED;
		use_b[i] = use[i] && s->lucky[i];
		err[i] = analysis_error(an, i);
	}
	for (int w = 0; w < o->nwindows; w++) {
		struct window_stat *ws;
		double width_s = (double)o->window_ns[w] / 1e9;
		struct an_rolling *r = &an->roll[an->nroll];
		size_t nw = rolling_windows(s->t_ns, s->offset, use, s->n, o->window_ns[w], &ws);
		if (nw < 2) { /* the run is shorter than two windows: nothing to compare */
			free(ws);
			continue;
		}
		rolling_summarise(ws, nw, width_s, &r->offset);
		free(ws);
		nw = rolling_windows(s->t_ns, s->delay, use, s->n, o->window_ns[w], &ws);
		rolling_summarise(ws, nw, width_s, &r->delay);
		free(ws);
		memset(&r->bias, 0, sizeof(r->bias));
		r->bias.width_s = width_s;
		r->bias.mean_min = r->bias.mean_max = r->bias.std_max = NAN;
		if (an->have_truth) {
			nw = rolling_windows(s->t_ns, err, use_b, s->n, o->window_ns[w], &ws);
			rolling_summarise(ws, nw, width_s, &r->bias);
			free(ws);
		}
		an->nroll++;
	}
	free(use);
	free(use_b);
	free(err);
}

static void judge(struct analysis *an)
{
	struct findings *f = &an->findings;
	if (an->s.nsessions > 1)
		findings_add(f, SEV_WARN, "several-sessions",
			     "the inputs hold %d master/slave sessions, analysed together as one "
			     "series (first: %s)", an->s.nsessions, an->s.session0);
	if (an->have_servo && an->servo.unlocks)
		findings_add(f, SEV_WARN, "servo-unlocked",
			     "the servo left the locked state %zu time(s) after first locking",
			     an->servo.unlocks);
	/* The log's clock (CLOCK_MONOTONIC) is not the data's: its settling time is applied
	 * from the first exchange, which is right when both started together. Say so when
	 * their spans differ much (the log started earlier or ran longer). */
	if (an->have_servo && strcmp(an->input_kind, "exchanges") == 0 && an->servo.n > 1 &&
	    an->opts->settle == SETTLE_AUTO) {
		double ls = an->servo.t_s[an->servo.n - 1] - an->servo.t_s[0];
		double big = fmax(ls, an->duration_s);
		if (isfinite(ls) && big > 0 && fabs(ls - an->duration_s) > 0.1 * big + 5)
			findings_add(f, SEV_INFO, "settling-alignment",
				     "the servo log spans %.0f s, the exchanges %.0f s: its settling "
				     "time was applied from the first exchange, right only if both "
				     "started together (else use --settle DURATION)", ls,
				     an->duration_s);
	}
	if (!an->have_truth && an->s.n && strcmp(an->input_kind, "exchanges") == 0) {
		findings_add(f, SEV_INFO, "asymmetry-unobservable",
			     "no truth: two-way exchanges cannot observe path asymmetry (any "
			     "asymmetry A shifts the offset by A/2 and changes nothing else they "
			     "measure); shown instead: delay changes and one-way delay variation "
			     "(fwd %.0f ns, rev %.0f ns sample to sample). Give --truth, "
			     "--truth-offset or a truth dataset to measure the bias",
			     an->fwd_jitter_ns, an->rev_jitter_ns);
	}
	if (an->have_bias) {
		const struct bias_estimate *b = &an->bias;
		if (b->short_run)
			findings_add(f, SEV_WARN, "bias-short-run",
				     "the run holds fewer than 100 correlation times (tau_int %.1f "
				     "samples): the bias interval is likely too narrow", b->tau_int);
		if (b->drift_significant)
			findings_add(f, SEV_WARN, "bias-drift",
				     "the bias drifts: %+.1f ns/h [%+.1f, %+.1f]", b->drift_per_h,
				     b->drift_ci_lo, b->drift_ci_hi);
		if (!b->halves_agree)
			findings_add(f, SEV_WARN, "bias-halves-differ",
				     "the bias differs between the halves of the run: %.1f +- %.1f "
				     "vs %.1f +- %.1f ns", b->half_mean[0], b->half_ci[0],
				     b->half_mean[1], b->half_ci[1]);
	}
	/* Path-delay spikes: beyond the median by 10 MAD and 1 us */
	if (an->delay.n > 0 && isfinite(an->delay.mad)) {
		double lim = an->delay.median + fmax(10 * an->delay.mad, 1000);
		size_t spikes = 0;
		for (size_t i = 0; i < an->s.n; i++)
			spikes += an->s.state[i] == SAMPLE_LOCKED && an->s.delay[i] > lim;
		if (spikes)
			findings_add(f, (double)spikes > 0.01 * (double)an->delay.n ? SEV_WARN
										: SEV_INFO,
				     "delay-spikes",
				     "%zu exchanges with a path delay beyond %.0f ns (median + "
				     "max(10 MAD, 1 us)); largest %.0f ns", spikes, lim, an->delay.max);
	}
	/* The 37-second mistakes in the measured offsets themselves. */
	const struct leapfile *ls = an->have_leapsec ? &an->leapsec : NULL;
	if (an->s.n && strcmp(an->input_kind, "phc") == 0)
		health_check_phc(an->offset.median, ls, an->start_ns / 1000000000, f);
	else if (an->s.n)
		health_check_offset_37("the median offset from master", an->offset.median, ls,
				       an->start_ns / 1000000000, f);
	if (isfinite(an->truth_median_ns))
		health_check_offset_37("the true offset (clock under test - reference)",
				       an->truth_median_ns, ls, an->start_ns / 1000000000, f);
	/* Delay changes: window means of the path delay further apart than the noise allows. */
	for (int w = 0; w < an->nroll; w++) {
		const struct rolling_summary *d = &an->roll[w].delay;
		double range = d->mean_max - d->mean_min;
		if (isfinite(range) && isfinite(an->delay.mad) && range > 10 * an->delay.mad &&
		    range > 1000) {
			findings_add(f, SEV_WARN, "delay-change",
				     "the mean path delay moved by %.0f ns between %g s windows "
				     "(%.0f .. %.0f ns): a route or load change", range, d->width_s,
				     d->mean_min, d->mean_max);
			break;
		}
	}
}

/* The distribution of a plain series (ns), computed beside its stability statistics. */
struct series_dist {
	const double *x;
	size_t n;
	struct dist *out;
};

static void series_dist_run(void *arg, double *ns)
{
	struct series_dist *d = arg;
	for (size_t i = 0; i < d->n; i++)
		ns[i] = d->x[i] * 1e9;
	dist_compute_inplace(ns, d->n, d->out); /* ns is scratch: no copy of it */
}

/* --series: a plain phase or frequency file. */
static int run_series(const struct analyze_opts *o, struct analysis *an)
{
	struct value_series in;
	if (value_series_read(o->inputs[0], &in) != 0)
		return EXIT_USAGE;
	double tau0 = 1.0 / o->rate_hz;
	size_t n = in.n;
	double *x = in.v;
	if (o->series == SERIES_FREQ) {
		x = bigmem_alloc((in.n + 1) * sizeof(double));
		stab_freq_to_phase(in.v, in.n, tau0, x);
		n = in.n + 1;
	}
	an->input_kind = "series";
	an->samples = in.n;
	an->duration_s = (double)(n - 1) * tau0;
	an->start_ns = 0;
	dist_compute(NULL, 0, &an->delay);
	snprintf(an->settling.method, sizeof(an->settling.method), "none (a plain series)");
	an->fwd_jitter_ns = an->rev_jitter_ns = an->fwd_std_ns = an->rev_std_ns = NAN;
	an->truth_median_ns = NAN;
	snprintf(an->stab.of, sizeof(an->stab.of), "%s",
		 o->series == SERIES_FREQ ? "phase integrated from the fractional-frequency file"
					  : "phase file (s)");
	/* the distribution on one of the statistics' threads, before the time error (the two
	 * hold a scratch copy of the series each, never at once) */
	struct series_dist sd = { x, n, &an->offset };
	stab_run_compute(x, n, tau0, &o->stab, series_dist_run, &sd, &an->stab);
	if (x != in.v)
		free(x);
	value_series_free(&in);
	return EXIT_OK;
}

static void stability(const struct analyze_opts *o, struct analysis *an)
{
	double tau0, *x;
	size_t interp;
	size_t n = stab_run_grid(&an->s, &tau0, &x, &interp);
	if (n == 0) {
		snprintf(an->stab.note, sizeof(an->stab.note),
			 "stability not computed: too few locked exchanges");
		return;
	}
	an->stab.interpolated = interp;
	const char *what = strcmp(an->input_kind, "exchanges") == 0
				   ? "offset from master of the locked exchanges"
			   : strcmp(an->input_kind, "truth") == 0
				   ? "true offset (clock under test - reference) of the truth dataset"
			   : strcmp(an->input_kind, "servo") == 0
				   ? "servo's offset (as the daemon printed it)"
			   : strcmp(an->input_kind, "phc") == 0
				   ? "PHC - system clock"
				   : "offset of the system clock from the SHM reference";
	snprintf(an->stab.of, sizeof(an->stab.of), "%s (s), mean per %g s bin", what, tau0);
	stab_run_compute(x, n, tau0, &o->stab, NULL, NULL, &an->stab);
	free(x);
	/* Some empty bins are normal: Delay_Reqs go out at random intervals (mean 2^L) and
	 * each exchange carries the t2 of the Sync before it. */
	if (interp > n / 2)
		findings_add(&an->findings, SEV_WARN, "stability-gaps",
			     "%zu of %zu points of the %g s grid had no exchange and were "
			     "interpolated: stability at short tau is smoothed", interp, n, tau0);
}

static void windows_agree(struct analysis *an);

int analysis_run(const struct analyze_opts *o, struct analysis *an)
{
	memset(an, 0, sizeof(*an));
	an->opts = o;
	exs_init(&an->s);
	gsl_set_error_handler_off();
	if (o->series != SERIES_NONE)
		return run_series(o, an);
	struct truth tr;
	memset(&tr, 0, sizeof(tr));
	bool have_tr;
	int rc = load_inputs(o, an, &tr, &have_tr);
	if (rc != EXIT_OK) {
		truth_free(&tr);
		return rc;
	}
	/* Unreadable or malformed: the UTC/TAI checks that need it are skipped (health says so). */
	char leap_err[256];
	an->have_leapsec = leapfile_load(o->leapsec_path, &an->leapsec, leap_err, sizeof leap_err);
	if (!an->have_leapsec)
		log_debug("%s", leap_err);
	struct ex_series *s = &an->s;
	exs_sort(s);
	an->samples = s->n;
	if (s->n == 0) { /* messages only: protocol health */
		truth_free(&tr);
		dist_compute(NULL, 0, &an->offset);
		dist_compute(NULL, 0, &an->delay);
		snprintf(an->settling.method, sizeof(an->settling.method), "no exchanges");
		an->fwd_jitter_ns = an->rev_jitter_ns = an->fwd_std_ns = an->rev_std_ns = NAN;
		an->truth_median_ns = NAN;
		health_judge(an->health, an->have_leapsec ? &an->leapsec : NULL, &an->findings);
		return EXIT_OK;
	}
	an->start_ns = s->t_ns[0];
	an->duration_s = exs_t_s(s, s->n - 1);
	fill_truth(o, an, &tr, have_tr);
	truth_free(&tr);

	/* 2. settling: MSER-5 on the offset error when there is a truth, else on the offset */
	double *err = xmalloc(s->n * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		err[i] = an->have_truth ? analysis_error(an, i) : s->offset[i];
	settle_apply(s, an->have_truth ? err : s->offset, o->settle, o->settle_s,
		     an->have_servo ? &an->servo : NULL, &an->settling);
	if (count_locked(s) == 0) {
		log_err("%s: every sample falls in the settling phase (%s); try --settle none",
			o->inputs[0], an->settling.method);
		free(err);
		return EXIT_USAGE;
	}

	/* 3. distributions */
	locked_dist(s, s->offset, &an->offset);
	locked_dist(s, s->delay, &an->delay);
	an->fwd_jitter_ns = jitter(s, s->fwd);
	an->rev_jitter_ns = jitter(s, s->rev);
	struct dist d;
	locked_dist(s, s->fwd, &d);
	an->fwd_std_ns = d.std;
	locked_dist(s, s->rev, &d);
	an->rev_std_ns = d.std;

	/* 4. lucky packets */
	if (o->lucky_pct > 0) {
		lucky_apply(s, an->have_truth ? err : s->offset, o->lucky_pct, &an->lucky);
		an->have_lucky = true;
	}
	free(err);

	/* 5. bias and asymmetry; ptp4l's own estimator */
	if (an->have_truth)
		estimate(an);
	if (!strcmp(an->input_kind, "exchanges"))
		ptp4l_estimate(o, an);
	/* 6. */
	stability(o, an);
	/* 7. */
	rolling(o, an);
	judge(an);
	if (an->have_bias)
		windows_agree(an);
	if (an->health)
		health_judge(an->health, an->have_leapsec ? &an->leapsec : NULL, &an->findings);
	return EXIT_OK;
}

void analysis_free(struct analysis *an)
{
	ptp4l_replay_free(&an->p4);
	free(an->p4_use);
	an->p4_use = NULL;
	exs_free(&an->s);
	findings_free(&an->findings);
	if (an->have_servo)
		servo_log_free(&an->servo);
	health_free(an->health);
	an->health = NULL;
	if (an->have_leapsec)
		leapfile_free(&an->leapsec);
	an->have_leapsec = false;
	stab_run_free(&an->stab);
}

size_t analysis_bias_windows(const struct analysis *an, double *width_s, struct bias_window **out)
{
	*out = NULL;
	*width_s = NAN;
	const struct ex_series *s = &an->s;
	if (!an->have_truth || s->n == 0)
		return 0;
	int64_t width = 0;
	for (int w = 0; w < an->opts->nwindows && !width; w++)
		if (an->duration_s * 1e9 >= 4.0 * (double)an->opts->window_ns[w])
			width = an->opts->window_ns[w];
	if (!width)
		width = (int64_t)(an->duration_s * 1e9 / 8);
	if (width <= 0)
		return 0;
	*width_s = (double)width / 1e9;
	size_t cap = 16, nw = 0;
	struct bias_window *bw = xmalloc(cap * sizeof(*bw));
	double *t = xmalloc(s->n * sizeof(double)), *v = xmalloc(s->n * sizeof(double));
	size_t i = 0;
	while (i < s->n) {
		int64_t k = (s->t_ns[i] - s->t_ns[0]) / width;
		size_t m = 0;
		for (; i < s->n && (s->t_ns[i] - s->t_ns[0]) / width == k; i++) {
			if (s->state[i] != SAMPLE_LOCKED || !s->lucky[i] || !isfinite(s->theta[i]))
				continue;
			t[m] = exs_t_s(s, i);
			v[m++] = analysis_error(an, i);
		}
		struct bias_estimate b;
		if (m < 8 || bias_estimate(t, v, m, &b) != 0)
			continue;
		if (nw == cap) {
			cap *= 2;
			bw = xrealloc(bw, cap * sizeof(*bw));
		}
		bw[nw].t_mid_ns = s->t_ns[0] + k * width + width / 2;
		bw[nw].n = m;
		bw[nw].mean = b.mean;
		bw[nw].ci_lo = b.ci_lo;
		bw[nw].ci_hi = b.ci_hi;
		bw[nw].batches = b.batches;
		nw++;
	}
	free(t);
	free(v);
	*out = bw;
	return nw;
}

/* Stationarity between windows (e.g. between hours): each window's mean against the whole
 * run's, in units of their combined standard error (each half-width / its Student t quantile,
 * analyze/bias.h), against a Student t threshold with the window's degrees of freedom and a
 * Bonferroni correction over the k windows, so that a stationary run is flagged in about 5 %
 * of cases whatever k. */
double analysis_window_excess(const struct bias_window *bw, size_t nw, double mean,
			      double se_run, size_t *worst_i, double *worst_z, double *worst_lim)
{
	double worst = 0;
	*worst_i = 0;
	*worst_z = *worst_lim = NAN;
	for (size_t i = 0; i < nw; i++) {
		if (bw[i].batches < 3)
			continue;
		double dof = (double)bw[i].batches - 1;
		double se = (bw[i].ci_hi - bw[i].ci_lo) / 2 / gsl_cdf_tdist_Pinv(0.975, dof);
		se = sqrt(se * se + se_run * se_run);
		double z = se > 0 ? fabs(bw[i].mean - mean) / se : 0;
		double lim = gsl_cdf_tdist_Qinv(0.025 / (double)nw, dof);
		if (z / lim > worst) {
			worst = z / lim;
			*worst_z = z;
			*worst_lim = lim;
			*worst_i = i;
		}
	}
	return worst;
}

static void windows_agree(struct analysis *an)
{
	double width;
	struct bias_window *bw;
	size_t nw = analysis_bias_windows(an, &width, &bw);
	if (nw >= 3) {
		size_t wi;
		double z, lim;
		if (analysis_window_excess(bw, nw, an->bias.mean, an->bias.stderr, &wi, &z, &lim) > 1)
			findings_add(&an->findings, SEV_WARN, "bias-windows-differ",
				     "the bias is not stationary: the %g s window at %+.0f s has %.1f "
				     "ns against %.1f ns over the run (%.1f standard errors; limit %.1f "
				     "for %zu windows)", width,
				     (double)(bw[wi].t_mid_ns - an->start_ns) * 1e-9, bw[wi].mean,
				     an->bias.mean, z, lim, nw);
	}
	free(bw);
}
