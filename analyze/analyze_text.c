/* The human report of `ptpcal analyze`. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analyze/analyze_json.h"
#include "common/cli.h"

/* A time in ns with an SI prefix, from a ring of buffers (several per printf). */
static const char *T(double v)
{
	static char ring[16][32];
	static unsigned next;
	return fmt_si_time(v, ring[next++ % 16], 32);
}

static void dist_text(FILE *f, const char *name, const struct dist *d)
{
	fprintf(f, "%-7s n %zu  mean %s  median %s  std %s  MAD %s\n", name, d->n, T(d->mean),
		T(d->median), T(d->std), T(d->mad));
	fprintf(f, "        min %s  p1 %s  p5 %s  p25 %s  p75 %s\n", T(d->min), T(d->pct[0]),
		T(d->pct[1]), T(d->pct[2]), T(d->pct[4]));
	fprintf(f, "        p95 %s  p99 %s  p99.9 %s  max %s\n", T(d->pct[5]), T(d->pct[6]),
		T(d->pct[7]), T(d->max));
}

/* "ok"/"fail" for a verdict, "-" where the limit is NAN (none for that class). */
static const char *verdict_word(double limit, bool pass)
{
	return isnan(limit) ? "-" : pass ? "ok" : "fail";
}

void analyze_write_text(FILE *f, const struct analysis *an)
{
	if (an->samples == 0) {
		fprintf(f, "no exchanges: protocol health only\n");
		goto findings;
	}
	if (an->opts->series != SERIES_NONE) {
		char d[32];
		fprintf(f, "%zu %s values at %g Hz (%s); phase in ns:\n", an->samples,
			an->opts->series == SERIES_FREQ ? "fractional-frequency" : "phase",
			an->opts->rate_hz, fmt_duration(an->duration_s * 1e9, d, sizeof(d)));
		dist_text(f, "phase", &an->offset);
		goto stability;
	}
	char when[64] = "?";
	time_t t0 = (time_t)(an->start_ns / 1000000000);
	struct tm tm;
	if (gmtime_r(&t0, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	char dur[32];
	fmt_duration(an->duration_s * 1e9, dur, sizeof(dur));
	bool ex = strcmp(an->input_kind, "exchanges") == 0;
	if (ex)
		fprintf(f, "%zu exchanges over %s from %s (%d file%s)\n", an->samples, dur, when,
			an->s.nfiles, an->s.nfiles == 1 ? "" : "s");
	else
		fprintf(f, "%zu samples of a %s offset series over %s from %s (no path delays, no "
			   "bias)\n", an->samples, an->input_kind, dur,
			strcmp(an->input_kind, "servo") == 0 ? "the log's start" : when);
	fprintf(f, "settling: %zu %s (%.1f s) excluded -- %s\n", an->settling.excluded,
		ex ? "exchanges" : "samples",
		an->settling.excluded_s, an->settling.method);
	const char *sign = ex ? "slave - master"
			   : strcmp(an->input_kind, "phc") == 0	? "PHC - system clock"
			   : strcmp(an->input_kind, "ntpshm") == 0 ? "system clock - SHM reference"
			   : strcmp(an->input_kind, "truth") == 0  ? "clock under test - reference"
								   : "slave - master, as logged";
	fprintf(f, "\nsign: offset = %s\n", sign);
	dist_text(f, "offset", &an->offset);
	if (ex)
		dist_text(f, "delay", &an->delay);
	if (ex)
		fprintf(f, "one-way delay variation (sample to sample): master->slave %s, "
			   "slave->master %s\n", T(an->fwd_jitter_ns), T(an->rev_jitter_ns));
	for (int w = 0; w < an->nroll; w++) {
		const struct an_rolling *r = &an->roll[w];
		char wd[32];
		fmt_duration(r->offset.width_s * 1e9, wd, sizeof(wd));
		fprintf(f, "%s windows (%zu): offset mean %s .. %s (largest std %s)", wd,
			r->offset.windows, T(r->offset.mean_min), T(r->offset.mean_max),
			T(r->offset.std_max));
		if (ex)
			fprintf(f, "; delay mean %s .. %s", T(r->delay.mean_min),
				T(r->delay.mean_max));
		fputc('\n', f);
	}
	if (an->have_lucky) {
		const char *of = an->have_truth ? "offset error" : "offset";
		fprintf(f, "\nlucky packets: kept %zu of %zu (%.1f %%, the %g %% smallest delays in "
			   "blocks of %zu); mean %s %s -> %s\n", an->lucky.kept,
			an->lucky.considered, 100 * an->lucky.fraction, an->lucky.pct,
			an->lucky.block, of, T(an->lucky.mean_before), T(an->lucky.mean_after));
	}
	if (!an->have_truth && ex) {
		fprintf(f, "\nno truth: two-way exchanges cannot observe path asymmetry -- an "
			   "asymmetry A moves the offset\nby A/2 and leaves everything else they "
			   "measure unchanged. No bias is reported. What can be\nseen is above: "
			   "delay changes between windows and one-way delay variation.\n");
	} else if (an->have_truth) {
		fprintf(f, "\ntruth: %s; %zu exchanges with a truth, %zu used\n", an->reference,
			an->truth_n, an->bias_n);
		if (an->have_bias) {
			const struct bias_estimate *b = &an->bias;
			fprintf(f, "bias (offset - truth): %s, 95 %% CI [%s, %s], std %s, n_eff %.0f\n",
				T(b->mean), T(b->ci_lo), T(b->ci_hi), T(b->std), b->n_eff);
			fprintf(f, "  interval: %s\n", b->method);
			fprintf(f, "  drift %s/h [%s, %s]%s; halves %s vs %s: %s%s\n",
				T(b->drift_per_h), T(b->drift_ci_lo), T(b->drift_ci_hi),
				b->drift_significant ? " SIGNIFICANT" : "", T(b->half_mean[0]),
				T(b->half_mean[1]), b->halves_agree ? "agree" : "DIFFER",
				b->short_run ? "; SHORT RUN (interval likely too narrow)" : "");
		}
		if (an->have_asym)
			fprintf(f, "asymmetry (master->slave minus slave->master): %s, 95 %% CI "
				   "[%s, %s]\n", T(an->asym.mean), T(an->asym.ci_lo),
				T(an->asym.ci_hi));
	}
	if (an->have_p4) {
		char cfg[200];
		fprintf(f, "\nptp4l's estimator (%s; from %s), replayed on %zu Syncs, %zu settled:\n",
			ptp4l_estimator_cfg_str(&an->opts->ptp4l_est, cfg, sizeof(cfg)),
			an->opts->ptp4l_est.source, an->p4_syncs, an->p4_used);
		fprintf(f, "  mean ptp4l offset %s, %s from the mean two-way offset of the same Syncs\n",
			T(an->p4_offset_mean), T(an->p4_minus_mean));
		if (an->have_p4_bias) {
			const struct bias_estimate *b = &an->p4_bias;
			fprintf(f, "  bias ptp4l settles at (offset - truth): %s, 95 %% CI [%s, %s]",
				T(b->mean), T(b->ci_lo), T(b->ci_hi));
			if (an->have_bias)
				fprintf(f, "; minus the mean bias: %s", T(b->mean - an->bias.mean));
			fprintf(f, "\n");
		}
	}
stability:
	if (an->stab.have) {
		const struct stab_run *r = &an->stab;
		fprintf(f, "\nstability of the %s; tau0 %g s, %zu points%s (seconds):\n", r->of,
			r->tau0, r->n, r->interpolated ? ", some interpolated" : "");
		fprintf(f, "%10s %8s %10s %10s %10s %10s %10s %10s %10s %10s\n", "tau", "n",
			"oadev", "mdev", "tdev", "hdev", "totdev", "mtie", "tie_rms", "noise");
		static const char *const noise[] = { "RWFM", "FFM", "WFM", "FPM", "WPM" };
		for (size_t i = 0; i < r->npts; i++) {
			const struct stab_point *p = &r->pts[i];
			fprintf(f, "%10.4g %8ld %10.3e %10.3e %10.3e %10.3e %10.3e %10.3e %10.3e %10s\n",
				p->tau, p->n, p->oadev, p->mdev, p->tdev, p->hdev, p->totdev, p->mtie,
				p->tie_rms,
				p->alpha >= -2 && p->alpha <= 2 ? noise[p->alpha + 2] : "-");
		}
	}
	if (an->stab.note[0])
		fprintf(f, "%s\n", an->stab.note);
	if (an->stab.have_te) {
		const struct te_report *t = &an->stab.te;
		fprintf(f, "\ntime error (ITU-T G.8273.2) of the same series: max|TE| %s, "
			   "max|TE_L| %s, cTE %s, dTE_L p-p %s, dTE_H p-p %s\n",
			T(t->max_abs_te), T(t->max_abs_te_l), T(t->cte), T(t->dte_l_pp),
			T(t->dte_h_pp));
		for (int c = 0; c < TE_NCLASSES; c++) {
			const struct te_class_verdict *v = &t->verdict[c];
			enum te_class k = (enum te_class)c;
			/* "-": the class has no limit on that quantity */
			bool mtie_lim = !isnan(te_mtie_limit(k, 1.0));
			bool tdev_lim = !isnan(te_tdev_limit(k, 1.0));
			fprintf(f, "  class %s: %s (%s %s, cTE %s, dTE_L MTIE %s, TDEV %s, "
				   "dTE_H %s)\n", te_class_name(k), v->pass ? "pass" : "FAIL",
				te_max_abs_te_label(k), verdict_word(v->max_abs_te_limit,
								      v->max_abs_te_pass),
				verdict_word(v->cte_limit, v->cte_pass),
				verdict_word(mtie_lim ? 0 : NAN, v->dte_l_mtie_pass),
				verdict_word(tdev_lim ? 0 : NAN, v->dte_l_tdev_pass),
				verdict_word(v->dte_h_pp_limit, v->dte_h_pass));
		}
		const struct te_network_verdict *nc = &t->net_c;
		fprintf(f, "  network limit at point C (G.8271.1 7.3.1): %s (max|TE_L| %s, dTE_L "
			   "MTIE %s at %zu taus)\n", nc->pass ? "pass" : "FAIL",
			nc->max_abs_te_l_pass ? "ok" : "fail", nc->dte_l_mtie.pass ? "ok" : "fail",
			nc->dte_l_mtie.npoints);
		if (t->notes)
			fprintf(f, "  note: %s\n", t->notes);
	}
findings:
	if (an->findings.n) {
		fprintf(f, "\n");
		for (size_t i = 0; i < an->findings.n; i++)
			fprintf(f, "%-5s %s: %s\n", severity_name(an->findings.f[i].sev),
				an->findings.f[i].code, an->findings.f[i].msg);
	}
}
