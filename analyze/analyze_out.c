/* The --out datasets: series.tsv, histogram_offset.tsv, stability.tsv, bias_windows.tsv,
 * te_masks.tsv and summary.json (docs/analyze-output.md). */
#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/analyze_json.h"
#include "analyze/analyze_out.h"
#include "analyze/truth.h"
#include "common/dataset.h"
#include "common/log.h"

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void common_meta(struct ds_writer *w, const struct analysis *an)
{
	for (int i = 0; i < an->opts->ninputs; i++)
		ds_meta(w, "input", "%s", an->opts->inputs[i]);
	ds_meta(w, "created_by", "ptpcal %s analyze", PTPCAL_VERSION);
	ds_meta(w, "sign_convention", "offset = slave - master");
}

static int write_series(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "analyze-series");
	if (!w)
		return -1;
	common_meta(w, an);
	ds_meta(w, "settling", "%s", an->settling.method);
	if (an->have_truth)
		ds_meta(w, "truth", "%s", an->reference);
	ds_meta(w, "state",
		"settling: in the settling phase; locked: used; excluded: dropped by the lucky filter");
	static const char *const base[] = { "t_ns",   "t_s",    "offset_ns",      "delay_ns",
					    "fwd_ns", "rev_ns", "state",          "true_offset_ns",
					    "asymmetry_ns" };
	ds_columns(w, base, an->have_truth ? 9 : 7);
	const struct ex_series *s = &an->s;
	for (size_t i = 0; i < s->n; i++) {
		ds_put_i64(w, s->t_ns[i]);
		ds_put_fixed(w, exs_t_s(s, i), 9);
		ds_put_fixed(w, s->offset[i], 3);
		ds_put_fixed(w, s->delay[i], 3);
		ds_put_fixed(w, s->fwd[i], 3);
		ds_put_fixed(w, s->rev[i], 3);
		ds_put_str(w, s->state[i] == SAMPLE_SETTLING ? "settling"
			      : s->lucky[i]                  ? "locked"
							     : "excluded");
		if (an->have_truth) {
			ds_put_fixed(w, s->theta[i], 3);
			ds_put_fixed(w, truth_asymmetry(s, i), 3);
		}
		ds_end_row(w);
	}
	return ds_close(w);
}

static int write_histogram(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "histogram");
	if (!w)
		return -1;
	common_meta(w, an);
	ds_meta(w, "of", "offset_ns of the locked exchanges (after settling)");
	static const char *const cols[] = { "lo_ns", "hi_ns", "count" };
	ds_declare_columns(w, cols, 3);
	const struct ex_series *s = &an->s;
	double *v = xmalloc((s->n ? s->n : 1) * sizeof(double));
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->state[i] != SAMPLE_SETTLING)
			v[k++] = s->offset[i];
	double *lo, *hi;
	size_t *count, below, above;
	/* over the 1 .. 99 % quantiles: a few outliers must not squeeze the body of the
	 * distribution into one bin */
	size_t nb = dist_histogram(v, k, 0, 200, 0.01, &lo, &hi, &count, &below, &above);
	ds_meta(w, "bins", "Freedman-Diaconis width, at most 200 bins, over the 1 %% .. 99 %% "
			   "quantiles; the last bin is closed");
	ds_meta(w, "below", "%zu", below);
	ds_meta(w, "above", "%zu", above);
	for (size_t b = 0; b < nb; b++) {
		ds_put_fixed(w, lo[b], 3);
		ds_put_fixed(w, hi[b], 3);
		ds_put_i64(w, (int64_t)count[b]);
		ds_end_row(w);
	}
	free(v);
	free(lo);
	free(hi);
	free(count);
	return ds_close(w);
}

static int write_stability(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "stability");
	if (!w)
		return -1;
	common_meta(w, an);
	if (an->stab.of[0])
		ds_meta(w, "of", "%s", an->stab.of);
	if (an->stab.have)
		ds_meta(w, "tau0_s", "%.9g", an->stab.tau0);
	if (an->stab.note[0])
		ds_meta(w, "note", "%s", an->stab.note);
	ds_meta(w, "units", "tau_s and every statistic in seconds; alpha 2 WPM .. -2 RWFM, 99 "
			    "not identified (NIST SP 1065 5.6)");
	static const char *const cols[] = { "tau_s", "n", "adev", "oadev", "mdev", "tdev", "hdev",
					    "ohdev", "totdev", "mtie", "tie_rms", "oadev_lo",
					    "oadev_hi", "alpha" };
	ds_columns(w, cols, (int)(sizeof(cols) / sizeof(cols[0])));
	for (size_t i = 0; i < an->stab.npts; i++) {
		const struct stab_point *p = &an->stab.pts[i];
		ds_put_double(w, p->tau);
		ds_put_i64(w, p->n);
		const double v[] = { p->adev,   p->oadev,  p->mdev,    p->tdev,
				     p->hdev,   p->ohdev,  p->totdev,  p->mtie,
				     p->tie_rms, p->oadev_lo, p->oadev_hi };
		for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			ds_put_double(w, v[k]);
		ds_put_i64(w, p->alpha);
		ds_end_row(w);
	}
	return ds_close(w);
}

static int write_te_masks(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "te-masks");
	if (!w)
		return -1;
	common_meta(w, an);
	const struct te_report *t = &an->stab.te;
	if (an->stab.have_te) {
		ds_meta(w, "of", "dTE_L (0.1 Hz low-pass) of the %s", an->stab.of);
		ds_meta(w, "limits", "ITU-T G.8273.2 clause 7.1 (analyze/time_error.c); nan: no "
				     "limit for the class at that tau");
		if (t->notes)
			ds_meta(w, "notes", "%s", t->notes);
	} else {
		ds_meta(w, "note", "time error not computed (run too short or no series)");
	}
	static const char *const cols[] = { "tau_s",  "mtie_ns",       "mtie_limit_ns",
					    "tdev_ns", "tdev_limit_ns", "class" };
	ds_columns(w, cols, 6);
	for (int c = 0; an->stab.have_te && c < TE_NCLASSES; c++)
		for (size_t i = 0; i < t->dte_l_mtie.npoints; i++) {
			double tau = t->dte_l_mtie.tau[i];
			ds_put_double(w, tau);
			ds_put_fixed(w, t->dte_l_mtie.value[i], 3);
			ds_put_fixed(w, te_mtie_limit((enum te_class)c, tau), 3);
			ds_put_fixed(w, t->dte_l_tdev.value[i], 3);
			ds_put_fixed(w, te_tdev_limit((enum te_class)c, tau), 3);
			ds_put_str(w, te_class_name((enum te_class)c));
			ds_end_row(w);
		}
	return ds_close(w);
}

static int write_bias_windows(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "bias-windows");
	if (!w)
		return -1;
	common_meta(w, an);
	double width;
	struct bias_window *bw;
	size_t nw = analysis_bias_windows(an, &width, &bw);
	if (an->have_truth) {
		ds_meta(w, "truth", "%s", an->reference);
		ds_meta(w, "window_s", "%.9g", width);
		ds_meta(w, "interval", "95 %% per window, analyze/bias.h (windows with >= 8 samples)");
	} else {
		ds_meta(w, "note", "no truth: the bias cannot be observed, no rows");
	}
	static const char *const cols[] = { "t_mid_ns", "mean_ns", "ci_lo_ns", "ci_hi_ns", "n" };
	ds_columns(w, cols, 5);
	for (size_t i = 0; i < nw; i++) {
		ds_put_i64(w, bw[i].t_mid_ns);
		ds_put_fixed(w, bw[i].mean, 3);
		ds_put_fixed(w, bw[i].ci_lo, 3);
		ds_put_fixed(w, bw[i].ci_hi, 3);
		ds_put_i64(w, (int64_t)bw[i].n);
		ds_end_row(w);
	}
	free(bw);
	return ds_close(w);
}

/* Every rolling window of every --window duration, for plotting the wander the whole-run
 * distribution hides. */
static int write_windows(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "rolling-windows");
	if (!w)
		return -1;
	common_meta(w, an);
	ds_meta(w, "of", "locked exchanges (after settling), windows from the first one; a last "
			 "window shorter than half the duration is dropped");
	static const char *const cols[] = { "window_s",       "t_start_ns",    "n",
					    "offset_mean_ns", "offset_std_ns", "offset_min_ns",
					    "offset_max_ns",  "delay_mean_ns", "delay_std_ns" };
	ds_columns(w, cols, (int)(sizeof(cols) / sizeof(cols[0])));
	const struct ex_series *s = &an->s;
	unsigned char *use = xmalloc(s->n ? s->n : 1);
	for (size_t i = 0; i < s->n; i++)
		use[i] = s->state[i] == SAMPLE_LOCKED;
	for (int k = 0; k < an->opts->nwindows; k++) {
		int64_t width = an->opts->window_ns[k];
		struct window_stat *wo, *wd;
		size_t no = rolling_windows(s->t_ns, s->offset, use, s->n, width, &wo);
		size_t nd = rolling_windows(s->t_ns, s->delay, use, s->n, width, &wd);
		for (size_t i = 0, j = 0; i < no; i++) {
			while (j < nd && wd[j].t_start_ns < wo[i].t_start_ns)
				j++;
			bool dj = j < nd && wd[j].t_start_ns == wo[i].t_start_ns;
			ds_put_double(w, (double)width / 1e9);
			ds_put_i64(w, wo[i].t_start_ns);
			ds_put_i64(w, (int64_t)wo[i].n);
			ds_put_fixed(w, wo[i].mean, 3);
			ds_put_fixed(w, wo[i].std, 3);
			ds_put_fixed(w, wo[i].min, 3);
			ds_put_fixed(w, wo[i].max, 3);
			ds_put_fixed(w, dj ? wd[j].mean : NAN, 3);
			ds_put_fixed(w, dj ? wd[j].std : NAN, 3);
			ds_end_row(w);
		}
		free(wo);
		free(wd);
	}
	free(use);
	return ds_close(w);
}

/* ptp4l's estimator replayed: one row per Sync (analyze/ptp4l_estimator.h). */
static int write_ptp4l(const char *path, const struct analysis *an)
{
	struct ds_writer *w = ds_create(path, "ptp4l-offsets");
	if (!w)
		return -1;
	common_meta(w, an);
	char cfg[200];
	ds_meta(w, "ptp4l_estimator", "%s",
		ptp4l_estimator_cfg_str(&an->opts->ptp4l_est, cfg, sizeof(cfg)));
	ds_meta(w, "settings_from", "%s", an->opts->ptp4l_est.source);
	if (an->have_truth)
		ds_meta(w, "truth", "%s", an->reference);
	if (!an->have_p4)
		ds_meta(w, "note", "not replayed (no exchanges, or more than one PTP session)");
	static const char *const cols[] = { "t_ns", "t_s", "offset_ns", "delay_ns", "weight",
					    "two_way_offset_ns", "used", "true_offset_ns" };
	ds_columns(w, cols, 8);
	const struct ptp4l_replay *r = &an->p4;
	const struct ex_series *s = &an->s;
	for (size_t i = 0; an->have_p4 && i < r->n; i++) {
		ds_put_i64(w, r->t_ns[i]);
		ds_put_fixed(w, (double)(r->t_ns[i] - s->t_ns[0]) * 1e-9, 9);
		ds_put_fixed(w, r->offset[i], 3);
		ds_put_fixed(w, r->delay[i], 3);
		ds_put_fixed(w, r->weight[i], 9);
		ds_put_fixed(w, s->offset[r->row[i]], 3);
		ds_put_i64(w, an->p4_use[i]);
		ds_put_fixed(w, s->theta[r->row[i]], 3);
		ds_end_row(w);
	}
	return ds_close(w);
}

int analyze_write_out(const char *dir, const struct analysis *an)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		log_err("%s: cannot create the directory: %s", dir, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_err("%s: not a directory", dir);
		return -1;
	}
	static const struct {
		const char *name;
		int (*fn)(const char *, const struct analysis *);
	} files[] = {
		{ "series.tsv", write_series },
		{ "histogram_offset.tsv", write_histogram },
		{ "stability.tsv", write_stability },
		{ "bias_windows.tsv", write_bias_windows },
		{ "te_masks.tsv", write_te_masks },
		{ "windows.tsv", write_windows },
		{ "ptp4l_offsets.tsv", write_ptp4l },
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && rc == 0; i++) {
		char *p = join(dir, files[i].name);
		rc = files[i].fn(p, an);
		free(p);
	}
	if (rc == 0) {
		char *p = join(dir, "summary.json");
		FILE *f = fopen(p, "w");
		if (!f) {
			log_err("%s: cannot create: %s", p, strerror(errno));
			rc = -1;
		} else {
			analyze_write_json(f, an);
			if (fclose(f) != 0) {
				log_err("%s: write error: %s", p, strerror(errno));
				rc = -1;
			}
		}
		free(p);
	}
	return rc;
}
