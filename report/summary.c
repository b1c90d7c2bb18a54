/* See summary.h. Field names: the "ptpcal-analyze/1" and "ptpcal-calibrate/1" contracts. */
#include "report/summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/log.h"

static struct srow *add(struct summary *s, const char *section, const char *label,
			enum row_level level)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->rows = xrealloc(s->rows, s->cap * sizeof(*s->rows));
	}
	struct srow *r = &s->rows[s->n++];
	memset(r, 0, sizeof(*r));
	r->section = section;
	r->level = level;
	snprintf(r->label, sizeof(r->label), "%s", label);
	return r;
}

static void setv(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setv(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const char *si(double ns, char *buf)
{
	return fmt_si_time(ns, buf, 40);
}

/* "12.3 µs [11.9 µs, 12.7 µs]" */
static void with_ci(char *out, size_t len, double v, double lo, double hi)
{
	char a[40], b[40], c[40];
	if (isfinite(lo) && isfinite(hi))
		setv(out, len, "%s  [%s, %s]", si(v, a), si(lo, b), si(hi, c));
	else
		setv(out, len, "%s", si(v, a));
}

static void dist_rows(struct summary *s, const char *section, const struct jr_value *d)
{
	if (!d || d->type != JR_OBJECT)
		return;
	char a[40], b[40], c[40];
	struct srow *r = add(s, section, "mean / median", ROW_PLAIN);
	setv(r->value, sizeof(r->value), "%s / %s", si(jr_num(jr_get(d, "mean")), a),
	     si(jr_num(jr_get(d, "median")), b));
	r = add(s, section, "std / MAD", ROW_PLAIN);
	setv(r->value, sizeof(r->value), "%s / %s", si(jr_num(jr_get(d, "std")), a),
	     si(jr_num(jr_get(d, "mad")), b));
	r = add(s, section, "p1 / p50 / p99", ROW_PLAIN);
	setv(r->value, sizeof(r->value), "%s / %s / %s", si(jr_num(jr_get(d, "p1")), a),
	     si(jr_num(jr_get(d, "p50")), b), si(jr_num(jr_get(d, "p99")), c));
	r = add(s, section, "min / max", ROW_PLAIN);
	setv(r->value, sizeof(r->value), "%s / %s", si(jr_num(jr_get(d, "min")), a),
	     si(jr_num(jr_get(d, "max")), b));
}

const char *level_name(enum row_level l)
{
	static const char *const names[] = { "", "ok", "info", "warn", "error" };
	return names[l];
}

static enum row_level severity(const char *s)
{
	if (!s)
		return ROW_INFO;
	if (strcmp(s, "ok") == 0)
		return ROW_OK;
	if (strcmp(s, "warn") == 0)
		return ROW_WARN;
	if (strcmp(s, "error") == 0)
		return ROW_ERROR;
	return ROW_INFO;
}

/* The stability point whose tau is nearest (in log) to want, if within a factor of 1.5. */
static const struct jr_value *near_tau(const struct jr_value *stab, double want)
{
	const struct jr_value *best = NULL;
	double bestd = log(1.5);
	for (size_t i = 0; i < jr_len(stab); i++) {
		double tau = jr_num(jr_get(jr_at(stab, i), "tau"));
		if (!(tau > 0))
			continue;
		double d = fabs(log(tau / want));
		if (d <= bestd) {
			bestd = d;
			best = jr_at(stab, i);
		}
	}
	return best;
}

/* "max|TE| 1.3 µs > 100 ns; also fails cTE, dTE_H": the class's own limit on max|TE| (or,
 * class D, max|TE_L|) with the measured value, then the other checks that fail. */
static void te_class_note(char *out, size_t len, const struct jr_value *te,
			  const struct jr_value *cl, const char *on)
{
	char a[40], b[40];
	out[0] = '\0';
	double lim = jr_num(jr_get(cl, "max_abs_te_limit"));
	bool on_l = on && strcmp(on, "max|TE|") != 0;
	double v = jr_num(jr_get(te, on_l ? "max_abs_te_l" : "max_abs_te"));
	bool known;
	bool ok = jr_bool(jr_get(cl, "max_abs_te_pass"), &known);
	size_t used = 0;
	if (isfinite(lim) && known) {
		if (isfinite(v))
			used += (size_t)snprintf(out, len, "%s %s %s %s", on ? on : "max|TE|",
						 si(v, a), ok ? "\xe2\x89\xa4" : ">", si(lim, b));
		else
			used += (size_t)snprintf(out, len, "%s limit %s: %s", on ? on : "max|TE|",
						 si(lim, b), ok ? "met" : "exceeded");
	}
	static const struct {
		const char *key, *name;
	} parts[] = { { "cte_pass", "cTE" },
		      { "dte_l_mtie_pass", "dTE_L MTIE" },
		      { "dte_l_tdev_pass", "dTE_L TDEV" },
		      { "dte_h_pass", "dTE_H" } };
	bool first = true;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && used < len; i++) {
		bool k;
		if (jr_bool(jr_get(cl, parts[i].key), &k) || !k)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s", first ?
					 (used ? "; also fails " : "fails ") : ", ", parts[i].name);
		first = false;
	}
}

/* "<the limits' source, as the analysis names it>: max|TE_L| 107 µs > 1.1 µs; dTE_L MTIE
 * above the mask at 5 of 5 taus" */
static void net_c_note(char *out, size_t len, const struct jr_value *te, const struct jr_value *nc)
{
	char a[40], b[40];
	const char *src = jr_str(jr_get(nc, "limits"));
	size_t used = (size_t)snprintf(out, len, "%s", src ? src : "ITU-T G.8271.1 clause 7.3.1");
	double v = jr_num(jr_get(te, "max_abs_te_l")), lim = jr_num(jr_get(nc, "max_abs_te_l_limit"));
	bool known;
	bool ok = jr_bool(jr_get(nc, "max_abs_te_l_pass"), &known);
	if (known && isfinite(v) && isfinite(lim) && used < len)
		used += (size_t)snprintf(out + used, len - used, ": max|TE_L| %s %s %s", si(v, a),
					 ok ? "\xe2\x89\xa4" : ">", si(lim, b));
	const struct jr_value *m = jr_get(nc, "dte_l_mtie");
	size_t n = jr_len(m), over = 0;
	for (size_t i = 0; i < n; i++) {
		const struct jr_value *p = jr_at(m, i);
		if (!(jr_num(jr_get(p, "mtie")) <= jr_num(jr_get(p, "limit"))))
			over++;
	}
	if (used < len) {
		if (n && over)
			snprintf(out + used, len - used, "; dTE_L MTIE above the mask at %zu of %zu taus",
				 over, n);
		else if (n)
			snprintf(out + used, len - used, "; dTE_L MTIE within the mask at %zu taus", n);
		else
			snprintf(out + used, len - used, "; dTE_L MTIE not checked (run too short)");
	}
}

void summary_build(struct summary *s, const struct jr_value *a, const struct jr_value *cal)
{
	memset(s, 0, sizeof(*s));
	char b1[40], b2[40];
	struct srow *r;
	/* --- run */
	const struct jr_value *inputs = jr_get(a, "inputs");
	r = add(s, "Run", "inputs", ROW_PLAIN);
	for (size_t i = 0; i < jr_len(inputs); i++) {
		const char *p = jr_str(jr_at(inputs, i));
		size_t used = strlen(r->value);
		if (p && used + 1 < sizeof(r->value))
			snprintf(r->value + used, sizeof(r->value) - used, "%s%s", i ? ", " : "", p);
	}
	r = add(s, "Run", "duration", ROW_PLAIN);
	fmt_duration(jr_num(jr_get(a, "duration_s")) * 1e9, r->value, sizeof(r->value));
	r = add(s, "Run", "samples", ROW_PLAIN);
	setv(r->value, sizeof(r->value), "%.0f", jr_num(jr_get(a, "samples")));
	int64_t start;
	if (jr_int(jr_get(a, "start_ns"), &start) && start > 0) {
		r = add(s, "Run", "start (UTC)", ROW_PLAIN);
		time_t t = (time_t)(start / 1000000000LL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(r->value, sizeof(r->value), "%Y-%m-%d %H:%M:%S", &tm);
	}
	const struct jr_value *st = jr_get(a, "settling");
	if (st && st->type == JR_OBJECT) {
		r = add(s, "Run", "settling left out", ROW_PLAIN);
		setv(r->value, sizeof(r->value), "%.0f samples (%.1f s)",
		     jr_num(jr_get(st, "excluded_samples")), jr_num(jr_get(st, "excluded_s")));
		if (jr_str(jr_get(st, "method")))
			setv(r->note, sizeof(r->note), "%s", jr_str(jr_get(st, "method")));
	}
	/* --- offset, delay */
	dist_rows(s, "Offset (slave \xe2\x88\x92 master)", jr_get(a, "offset"));
	dist_rows(s, "Mean path delay", jr_get(a, "delay"));
	/* --- bias */
	const struct jr_value *bias = jr_get(a, "bias");
	if (bias && bias->type == JR_OBJECT) {
		const char *sec = "Bias (95 % interval)";
		r = add(s, sec, "bias", ROW_PLAIN);
		with_ci(r->value, sizeof(r->value), jr_num(jr_get(bias, "mean_ns")),
			jr_num(jr_get(bias, "ci_lo_ns")), jr_num(jr_get(bias, "ci_hi_ns")));
		setv(r->note, sizeof(r->note), "n = %.0f, effective n = %.0f; %s; reference: %s",
		     jr_num(jr_get(bias, "n")), jr_num(jr_get(bias, "n_eff")),
		     jr_str(jr_get(bias, "method")) ? jr_str(jr_get(bias, "method")) : "-",
		     jr_str(jr_get(bias, "reference")) ? jr_str(jr_get(bias, "reference")) : "-");
		bool known;
		bool sig = jr_bool(jr_get(bias, "drift_significant"), &known);
		r = add(s, sec, "drift", known && sig ? ROW_WARN : ROW_PLAIN);
		double dl = jr_num(jr_get(bias, "drift_ci_lo")), dh = jr_num(jr_get(bias, "drift_ci_hi"));
		setv(r->value, sizeof(r->value), "%s/h  [%s/h, %s/h]",
		     si(jr_num(jr_get(bias, "drift_ns_per_h")), b1), si(dl, b2),
		     fmt_si_time(dh, (char[40]){ 0 }, 40));
		setv(r->note, sizeof(r->note), "%s", known ? (sig ? "significant" : "not significant") : "");
		bool agree = jr_bool(jr_get(bias, "halves_agree"), &known);
		if (known) {
			r = add(s, sec, "first and second half", agree ? ROW_OK : ROW_WARN);
			setv(r->value, sizeof(r->value), "%s", agree ? "agree" : "disagree");
		}
		if (jr_bool(jr_get(bias, "short_run"), NULL)) {
			r = add(s, sec, "short run", ROW_WARN);
			setv(r->value, sizeof(r->value), "interval less reliable");
		}
	}
	const struct jr_value *asym = jr_get(a, "asymmetry");
	if (asym && asym->type == JR_OBJECT) {
		r = add(s, "Asymmetry", "d_ms \xe2\x88\x92 d_sm", ROW_PLAIN);
		with_ci(r->value, sizeof(r->value), jr_num(jr_get(asym, "mean_ns")),
			jr_num(jr_get(asym, "ci_lo_ns")), jr_num(jr_get(asym, "ci_hi_ns")));
		if (jr_str(jr_get(asym, "note")))
			setv(r->note, sizeof(r->note), "%s", jr_str(jr_get(asym, "note")));
	}
	const struct jr_value *lucky = jr_get(a, "lucky");
	if (lucky && lucky->type == JR_OBJECT) {
		r = add(s, "Lucky-packet filter", "kept", ROW_PLAIN);
		setv(r->value, sizeof(r->value), "%.0f (%.1f %%)", jr_num(jr_get(lucky, "kept")),
		     100 * jr_num(jr_get(lucky, "fraction")));
		r = add(s, "Lucky-packet filter", "offset mean before / after", ROW_PLAIN);
		setv(r->value, sizeof(r->value), "%s / %s",
		     si(jr_num(jr_get(lucky, "offset_mean_before")), b1),
		     si(jr_num(jr_get(lucky, "offset_mean_after")), b2));
	}
	/* --- stability at key taus */
	const struct jr_value *stab = jr_get(a, "stability");
	static const double key_taus[] = { 1, 10, 100, 1000, 10000 };
	for (size_t i = 0; i < sizeof(key_taus) / sizeof(key_taus[0]); i++) {
		const struct jr_value *p = near_tau(stab, key_taus[i]);
		if (!p)
			continue;
		char label[64];
		snprintf(label, sizeof(label), "\xcf\x84 = %.3g s", jr_num(jr_get(p, "tau")));
		r = add(s, "Stability", label, ROW_PLAIN);
		double tdev = jr_num(jr_get(p, "tdev"));
		setv(r->value, sizeof(r->value), "OADEV %.2e, TDEV %s", jr_num(jr_get(p, "oadev")),
		     si(tdev * 1e9, b1));
		double lo = jr_num(jr_get(p, "oadev_lo")), hi = jr_num(jr_get(p, "oadev_hi"));
		if (isfinite(lo) && isfinite(hi))
			setv(r->note, sizeof(r->note), "OADEV 95 %% [%.2e, %.2e]", lo, hi);
	}
	/* --- time error */
	const struct jr_value *te = jr_get(a, "time_error");
	if (te && te->type == JR_OBJECT) {
		const char *sec = "Time error (ITU-T G.8273.2, G.8271.1)";
		r = add(s, sec, "max |TE| / cTE", ROW_PLAIN);
		setv(r->value, sizeof(r->value), "%s / %s", si(jr_num(jr_get(te, "max_abs_te")), b1),
		     si(jr_num(jr_get(te, "cte")), b2));
		r = add(s, sec, "dTE_L / dTE_H peak-to-peak", ROW_PLAIN);
		setv(r->value, sizeof(r->value), "%s / %s", si(jr_num(jr_get(te, "dte_l_pp")), b1),
		     si(jr_num(jr_get(te, "dte_h_pp")), b2));
		double te_l = jr_num(jr_get(te, "max_abs_te_l"));
		if (isfinite(te_l)) {
			r = add(s, sec, "max |TE_L| (0.1 Hz low-pass)", ROW_PLAIN);
			setv(r->value, sizeof(r->value), "%s", si(te_l, b1));
		}
		const struct jr_value *classes = jr_get(te, "classes");
		for (size_t i = 0; classes && classes->type == JR_OBJECT && i < classes->n; i++) {
			const struct jr_value *cl = &classes->items[i];
			bool known;
			bool pass = jr_bool(jr_get(cl, "pass"), &known);
			/* Class D has no max|TE| limit: its verdict is on max|TE_L| (the analysis
			 * says which in max_abs_te_limit_on). */
			const char *on = jr_str(jr_get(cl, "max_abs_te_limit_on"));
			bool on_l = on && strcmp(on, "max|TE|") != 0;
			char label[64];
			snprintf(label, sizeof(label), "class %.20s%s%.16s%s", classes->keys[i],
				 on_l ? " (" : "", on_l ? on : "", on_l ? ")" : "");
			r = add(s, sec, label, !known ? ROW_INFO : pass ? ROW_OK : ROW_ERROR);
			setv(r->value, sizeof(r->value), "%s", !known ? "n/a" : pass ? "pass" : "fail");
			te_class_note(r->note, sizeof(r->note), te, cl, on);
		}
		const struct jr_value *nc = jr_get(te, "network_c");
		if (nc && nc->type == JR_OBJECT) {
			bool known;
			bool pass = jr_bool(jr_get(nc, "pass"), &known);
			r = add(s, sec, "network limit, point C", !known ? ROW_INFO : pass ? ROW_OK : ROW_ERROR);
			setv(r->value, sizeof(r->value), "%s", !known ? "n/a" : pass ? "pass" : "fail");
			net_c_note(r->note, sizeof(r->note), te, nc);
		}
	}
	/* --- health */
	const struct jr_value *health = jr_get(a, "health");
	for (size_t i = 0; i < jr_len(health); i++) {
		const struct jr_value *h = jr_at(health, i);
		const char *sev = jr_str(jr_get(h, "severity"));
		r = add(s, "Health", jr_str(jr_get(h, "code")) ? jr_str(jr_get(h, "code")) : "-",
			severity(sev));
		setv(r->value, sizeof(r->value), "%s", sev ? sev : "?");
		setv(r->note, sizeof(r->note), "%s",
		     jr_str(jr_get(h, "message")) ? jr_str(jr_get(h, "message")) : "");
	}
	/* --- calibration */
	if (cal) {
		const char *sec = "Calibration";
		bool refused = jr_bool(jr_get(cal, "refused"), NULL);
		if (refused) {
			r = add(s, sec, "refused", ROW_ERROR);
			setv(r->value, sizeof(r->value), "%s",
			     jr_str(jr_get(cal, "reason")) ? jr_str(jr_get(cal, "reason")) : "(no reason given)");
		}
		r = add(s, sec, "measured bias", ROW_PLAIN);
		with_ci(r->value, sizeof(r->value), jr_num(jr_get(cal, "bias_ns")),
			jr_num(jr_get(cal, "ci_lo_ns")), jr_num(jr_get(cal, "ci_hi_ns")));
		if (jr_str(jr_get(cal, "reference")))
			setv(r->note, sizeof(r->note), "reference: %s", jr_str(jr_get(cal, "reference")));
		if (!refused) {
			/* The correction is +bias or -bias depending on the layer (ptp4l's
			 * delayAsymmetry takes the bias itself, a refclock offset its negative)
			 * and may be rounded: its interval is the bias interval moved with it,
			 * mirrored when the sign flips. */
			double b = jr_num(jr_get(cal, "bias_ns")), corr = jr_num(jr_get(cal, "correction_ns"));
			double lo = jr_num(jr_get(cal, "ci_lo_ns")) - b, hi = jr_num(jr_get(cal, "ci_hi_ns")) - b;
			bool flip = corr * b < 0;
			r = add(s, sec, "correction", ROW_PLAIN);
			with_ci(r->value, sizeof(r->value), corr, flip ? corr - hi : corr + lo,
				flip ? corr - lo : corr + hi);
			if (jr_str(jr_get(cal, "layer")))
				setv(r->note, sizeof(r->note), "applied in %s", jr_str(jr_get(cal, "layer")));
			if (jr_bool(jr_get(cal, "forced"), NULL)) {
				r = add(s, sec, "forced", ROW_WARN);
				setv(r->value, sizeof(r->value), "calibrated with --force despite a refusal rule");
			}
		}
	}
}

void summary_free(struct summary *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

void summary_write_text(FILE *f, const struct summary *s)
{
	const char *sec = NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct srow *r = &s->rows[i];
		if (!sec || strcmp(sec, r->section) != 0) {
			sec = r->section;
			fprintf(f, "\n%s\n", sec);
		}
		/* pad by characters, not bytes: labels hold UTF-8 (tau, minus sign) */
		size_t chars = 0;
		for (const char *q = r->label; *q; q++)
			chars += ((unsigned char)*q & 0xC0) != 0x80;
		fprintf(f, "  %s%*s %s", r->label, chars < 28 ? (int)(28 - chars) : 0, "", r->value);
		if (r->note[0])
			fprintf(f, "  (%s)", r->note);
		fprintf(f, "\n");
	}
}

void summary_calibration_text(FILE *f, const struct jr_value *cal)
{
	const struct jr_value *emit = jr_get(cal, "emit");
	for (size_t i = 0; i < jr_len(emit); i++) {
		const struct jr_value *e = jr_at(emit, i);
		fprintf(f, "\n# %s%s%s\n", jr_str(jr_get(e, "target")) ? jr_str(jr_get(e, "target")) : "?",
			jr_str(jr_get(e, "note")) ? ": " : "",
			jr_str(jr_get(e, "note")) ? jr_str(jr_get(e, "note")) : "");
		const struct jr_value *lines = jr_get(e, "lines");
		for (size_t k = 0; k < jr_len(lines); k++)
			if (jr_str(jr_at(lines, k)))
				fprintf(f, "%s\n", jr_str(jr_at(lines, k)));
	}
}
