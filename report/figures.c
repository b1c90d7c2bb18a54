/* See figures.h. Every figure: data files NAME*.dat (t in seconds since the start, values in
 * ns unless the header says otherwise) and NAME.gp that scales them to the chosen SI unit. */
#include "report/figures.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/log.h"
#include "report/decimate.h"
#include "report/gnuplot.h"
#include "report/residence.h"

static FILE *open_dat(const struct fig_ctx *c, const char *stem, const char *header)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s.dat", c->dir, stem);
	FILE *f = fopen(path, "w");
	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "# %s\n", header);
	return f;
}

static bool close_dat(const struct fig_ctx *c, FILE *f, const char *stem)
{
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		log_err("%s/%s.dat: write error", c->dir, stem);
		return false;
	}
	return true;
}

static void skip(struct figure *f, const char *why)
{
	f->made = false;
	snprintf(f->skipped, sizeof(f->skipped), "%s", why);
}

static void setname(struct figure *f, const char *name, const char *title)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->title, sizeof(f->title), "%s", title);
}

/* Opens the figure's NAME.gp, titled "what, from which file". */
static FILE *begin_script(const struct fig_ctx *c, const struct figure *f, const char *source)
{
	char title[600];
	snprintf(title, sizeof(title), "%s \xe2\x80\x94 %s", f->title, source);
	return gp_begin(c->dir, f->name, title);
}

/* Finishes NAME.gp (renders it); the figure is made when that worked. */
static bool end_script(const struct fig_ctx *c, struct figure *f, FILE *g)
{
	if (!gp_end(g, c->dir, f->name))
		return false;
	f->made = true;
	return true;
}

/* x axis over the run: relative seconds/minutes/hours or UTC dates. The x expression turns
 * column 1 (seconds since the start) into the axis coordinate. */
static void time_axis(FILE *g, const struct fig_ctx *c)
{
	const struct time_axis *ax = &c->axis;
	if (ax->kind == AXIS_DATES) {
		int64_t s = c->a->series.t0_ns / 1000000000LL;
		int64_t ns = c->a->series.t0_ns % 1000000000LL;
		fprintf(g, "START = %" PRId64 ".%09" PRId64 " # first sample, seconds since 1970 (UTC)\n",
			s, ns);
		fprintf(g, "set xdata time\nset timefmt '%%s'\nset format x \"%s\" timedate\n",
			ax->timefmt);
		fprintf(g, "X(t) = t + START\n");
	} else {
		fprintf(g, "X(t) = t / %g\n", ax->div);
	}
	fprintf(g, "set autoscale xfix # the axis spans the run, not the next round tic\n");
	/* The legend goes under the axis label, so it never hides data; the bottom margin
	 * holds the tic labels (two lines for dates), the axis label and the legend. */
	fprintf(g, "set bmargin %.1f\nset key at screen 0.5, screen 0.012 center bottom horizontal "
		   "noopaque nobox\n", ax->kind == AXIS_DATES ? 7.5 : 6.5);
	fprintf(g, "set xlabel ");
	gp_quote(g, ax->label);
	fprintf(g, "\n");
}

static void unit_def(FILE *g, const char *var, struct si_unit u)
{
	fprintf(g, "%s = %g # ns per unit shown (%s)\n", var, u.div, u.name);
}

/* A value against time: U scales ns to the unit shown, the x axis spans the run. */
static void time_plot_axes(FILE *g, const struct fig_ctx *c, struct si_unit u, const char *ylabel)
{
	unit_def(g, "U", u);
	time_axis(g, c);
	fprintf(g, "set ylabel '%s (%s)'\n", ylabel, u.name);
}

/* Log-log axes over the averaging/observation time tau, the legend right of the plot;
 * extra: settings between the scale and the labels. */
static void loglog_axes(FILE *g, const char *extra, const char *xlabel, const char *ylabel)
{
	fprintf(g, "set logscale xy 10\nset autoscale xfix\n%sset xlabel '%s'\n"
		   "set ylabel '%s'\nset rmargin -1\nset key outside right center vertical\n",
		extra, xlabel, ylabel);
}

/* Writes decimated (t, v) rows; a gap marker becomes a blank line (breaks the line). Returns
 * the largest |v| written through *mag. */
static size_t write_decimated(FILE *f, const double *t, const double *v, size_t n,
			      size_t buckets, double *mag)
{
	size_t rows = 0;
	struct dec_point *p = xmalloc((decimate_max_out(n, buckets) + 1) * sizeof(*p));
	size_t k = decimate_minmax(t, v, n, buckets, p);
	for (size_t i = 0; i < k; i++) {
		if (isnan(p[i].v)) {
			fputc('\n', f);
			continue;
		}
		fprintf(f, "%.9f\t%.3f\n", p[i].t, p[i].v);
		rows++;
		if (fabs(p[i].v) > *mag)
			*mag = fabs(p[i].v);
	}
	free(p);
	return rows;
}

/* Runs of settling / excluded samples, as blocks (index 0 settling, 1 excluded) of
 * "t_start t_end" rows. Runs closer than one plot bucket merge, so at most ~buckets boxes. */
static bool write_state_runs(const struct fig_ctx *c, const char *stem, bool *have_settling,
			     bool *have_excluded)
{
	const struct series *s = &c->a->series;
	FILE *f = open_dat(c, stem, "state runs, seconds since start: index 0 settling, index 1 excluded");
	if (!f)
		return false;
	double span = s->n ? s->t[s->n - 1] - s->t[0] : 0;
	double merge = span / (double)(c->buckets ? c->buckets : 1);
	for (int want = ST_SETTLING; want <= ST_EXCLUDED; want++) {
		fprintf(f, "# %s\n", want == ST_SETTLING ? "settling" : "excluded");
		bool any = false, open = false;
		double a = 0, b = 0;
		for (size_t i = 0; i < s->n; i++) {
			if (s->state[i] != want)
				continue;
			/* a run covers its samples up to the next sample's time */
			double end = i + 1 < s->n ? s->t[i + 1] : s->t[i];
			if (open && s->t[i] - b <= merge) {
				b = end;
				continue;
			}
			if (open)
				fprintf(f, "%.9f\t%.9f\n", a, b);
			a = s->t[i];
			b = end;
			open = any = true;
		}
		if (open)
			fprintf(f, "%.9f\t%.9f\n", a, b);
		if (!any) /* keep the block (so indices stay fixed) but never plotted */
			fprintf(f, "# none\n");
		fprintf(f, "\n\n");
		if (want == ST_SETTLING)
			*have_settling = any;
		else
			*have_excluded = any;
	}
	return close_dat(c, f, stem);
}

/* Plot commands for the shaded state runs (x1y2, spanning the plot's height). */
static void state_plots(FILE *g, const char *stem, bool settling, bool excluded)
{
	if (settling)
		fprintf(g, "     '%s.dat' index 0 using (X(($1+$2)/2)):(0.5):(X($1)):(X($2)):(0):(1) "
			   "axes x1y2 with boxxyerror fs transparent solid 0.30 noborder "
			   "lc rgb C_SETTLING title 'settling (excluded from statistics)', \\\n", stem);
	if (excluded)
		fprintf(g, "     '%s.dat' index 1 using (X(($1+$2)/2)):(0.5):(X($1)):(X($2)):(0):(1) "
			   "axes x1y2 with boxxyerror fs transparent solid 0.35 noborder "
			   "lc rgb C_EXCLUDED title 'excluded (lucky-packet filter)', \\\n", stem);
}

static bool series_vs_time(const struct fig_ctx *c, struct figure *f, const double *v,
			   const char *ylabel, const char *color, const char *what)
{
	const struct series *s = &c->a->series;
	if (s->n == 0) {
		skip(f, "no series.tsv in the analysis output");
		return true;
	}
	char stem[80];
	snprintf(stem, sizeof(stem), "%s_states", f->name);
	bool settling = false, excluded = false;
	if (!write_state_runs(c, stem, &settling, &excluded))
		return false;
	FILE *d = open_dat(c, f->name, "t_s (since start)\tvalue_ns (decimated min/max per bucket, plotting only)");
	if (!d)
		return false;
	double mag = 0;
	size_t rows = write_decimated(d, s->t, v, s->n, c->buckets, &mag);
	if (!close_dat(c, d, f->name))
		return false;
	if (rows == 0) {
		skip(f, "no finite values in series.tsv");
		return true;
	}
	struct si_unit u = units_for_ns(mag);
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	time_plot_axes(g, c, u, ylabel);
	fprintf(g, "set y2range [0:1]\nunset y2tics\n");
	fprintf(g, "plot \\\n");
	state_plots(g, stem, settling, excluded);
	fprintf(g, "     '%s.dat' using (X($1)):($2/U) with lines lw 1 lc rgb %s title '%s'\n",
		f->name, color, what);
	return end_script(c, f, g);
}

bool fig_offset(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "offset", "Offset from master vs time");
	snprintf(f->caption, sizeof(f->caption),
		 "offset = slave \xe2\x88\x92 master per exchange (IEEE 1588, as ptp4l). Shaded: "
		 "settling (left out of every statistic) and samples the lucky-packet filter dropped (left out of the bias). Long runs are drawn "
		 "as the min/max envelope per pixel column; no spike is hidden.");
	return series_vs_time(c, f, c->a->series.offset, "offset (slave \xe2\x88\x92 master)",
			      "C_OFFSET", "offset");
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A second view of a series when a few samples (settling, outliers, delay spikes) flatten
 * the full figure: only the locked samples, with the y axis on their 1st..99th
 * percentiles (plus 15 %). Lines leaving that range are cut at the frame, and the
 * caption says how many samples lie outside; the full figure above shows them. */
static bool zoom_figure(const struct fig_ctx *c, struct figure *f, const double *v,
			const char *ylabel, const char *color, const char *what)
{
	const struct series *s = &c->a->series;
	if (s->n == 0) {
		skip(f, "no series.tsv in the analysis output");
		return true;
	}
	double *locked = xmalloc(s->n * sizeof(double));
	size_t nl = 0;
	double alo = INFINITY, ahi = -INFINITY;
	for (size_t i = 0; i < s->n; i++) {
		if (!isfinite(v[i]))
			continue;
		alo = fmin(alo, v[i]);
		ahi = fmax(ahi, v[i]);
		if (s->state[i] == ST_LOCKED)
			locked[nl++] = v[i];
	}
	if (nl < 10) {
		free(locked);
		skip(f, "fewer than 10 locked samples");
		return true;
	}
	qsort(locked, nl, sizeof(double), cmp_dbl);
	double plo = locked[(size_t)(0.01 * (double)(nl - 1))];
	double phi = locked[(size_t)ceil(0.99 * (double)(nl - 1))];
	free(locked);
	double pad = 0.15 * (phi - plo);
	if (!(pad > 0))
		pad = fmax(1, 0.01 * fabs(plo));
	double lo = plo - pad, hi = phi + pad;
	/* Worth a figure of its own only when the full range is over 4x the zoomed one. */
	if (!(ahi - alo > 4 * (hi - lo))) {
		skip(f, "the full figure already shows the bulk of the samples at full scale");
		return true;
	}
	size_t outside = 0;
	for (size_t i = 0; i < s->n; i++)
		if (isfinite(v[i]) && (s->state[i] != ST_LOCKED || v[i] < lo || v[i] > hi))
			outside++;
	double *z = xmalloc(s->n * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		z[i] = s->state[i] == ST_LOCKED ? v[i] : NAN;
	FILE *d = open_dat(c, f->name, "t_s (since start)\tvalue_ns (locked samples, decimated min/max per bucket)");
	if (!d) {
		free(z);
		return false;
	}
	double mag = 0;
	size_t rows = write_decimated(d, s->t, z, s->n, c->buckets, &mag);
	free(z);
	if (!close_dat(c, d, f->name))
		return false;
	if (rows == 0) {
		skip(f, "no locked samples with a finite value");
		return true;
	}
	char a1[40], a2[40], b1[40], b2[40];
	snprintf(f->caption, sizeof(f->caption),
		 "The %s of the locked samples on the scale of their 1st\xe2\x80\x93" "99th "
		 "percentiles: %zu samples (settling, excluded, or beyond %s \xe2\x80\xa6 %s) are off "
		 "this scale; the full range is %s \xe2\x80\xa6 %s.",
		 what, outside, fmt_si_time(lo, a1, 40), fmt_si_time(hi, a2, 40),
		 fmt_si_time(alo, b1, 40), fmt_si_time(ahi, b2, 40));
	struct si_unit u = units_for_ns(fmax(fabs(lo), fabs(hi)));
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	time_plot_axes(g, c, u, ylabel);
	fprintf(g, "set yrange [%.6g/U:%.6g/U] # the 1st..99th percentiles of the locked samples (+15 %%)\n",
		lo, hi);
	fprintf(g, "plot '%s.dat' using (X($1)):($2/U) with lines lw 1 lc rgb %s "
		   "title '%s (locked)'\n", f->name, color, what);
	return end_script(c, f, g);
}

bool fig_offset_zoom(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "offset_zoom", "Offset from master, zoomed on the bulk");
	return zoom_figure(c, f, c->a->series.offset, "offset (slave \xe2\x88\x92 master)", "C_OFFSET",
			   "offset");
}

bool fig_delay_zoom(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "delay_zoom", "Mean path delay, zoomed on the bulk");
	return zoom_figure(c, f, c->a->series.delay, "mean path delay", "C_DELAY", "delay");
}

bool fig_delay(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "delay", "Mean path delay vs time");
	snprintf(f->caption, sizeof(f->caption),
		 "meanPathDelay = (t2 \xe2\x88\x92 t1 + t4 \xe2\x88\x92 t3)/2 per exchange, before any "
		 "delay filter. Steps show route or load changes; spread is packet delay variation.");
	return series_vs_time(c, f, c->a->series.delay, "mean path delay", "C_DELAY", "delay");
}

bool fig_truth(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "truth", "Measured offset against the truth");
	const struct series *s = &c->a->series;
	if (s->n == 0 || !s->truth) {
		skip(f, "no true_offset_ns in series.tsv (no PPS/PHC/lab truth)");
		return true;
	}
	snprintf(f->caption, sizeof(f->caption),
		 "The offset the exchanges report and the independent truth (PPS, PHC or the lab's "
		 "one clock), and their difference: the error a calibration must remove.");
	double *err = xmalloc(s->n * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		err[i] = s->offset[i] - s->truth[i];
	double mag = 0;
	size_t rows[3] = { 0, 0, 0 };
	char stem[80];
	const double *cols[3] = { s->offset, s->truth, err };
	const char *sfx[3] = { "meas", "true", "err" };
	for (int k = 0; k < 3; k++) {
		snprintf(stem, sizeof(stem), "truth_%s", sfx[k]);
		FILE *d = open_dat(c, stem, "t_s (since start)\tns (decimated for plotting)");
		if (!d) {
			free(err);
			return false;
		}
		rows[k] = write_decimated(d, s->t, cols[k], s->n, c->buckets, &mag);
		if (!close_dat(c, d, stem)) {
			free(err);
			return false;
		}
	}
	free(err);
	if (rows[0] == 0 || rows[1] == 0) {
		skip(f, "no finite offsets or truth values in series.tsv");
		return true;
	}
	struct si_unit u = units_for_ns(mag);
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	time_plot_axes(g, c, u, "offset (slave \xe2\x88\x92 master)");
	fprintf(g, "plot 'truth_meas.dat' using (X($1)):($2/U) with lines lw 1 lc rgb C_OFFSET "
		   "title 'measured (exchanges)', \\\n"
		   "     'truth_true.dat' using (X($1)):($2/U) with lines lw 2 lc rgb C_TRUTH "
		   "title 'truth', \\\n"
		   "     'truth_err.dat' using (X($1)):($2/U) with lines lw 1 dt 2 lc rgb C_MARK "
		   "title 'measured \xe2\x88\x92 truth'\n");
	return end_script(c, f, g);
}

bool fig_histogram(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "histogram", "Offset distribution");
	const struct table *h = &c->a->histogram;
	if (!c->a->have_histogram || h->nrows == 0) {
		skip(f, "no histogram_offset.tsv in the analysis output");
		return true;
	}
	int clo = table_col(h, "lo_ns"), chi = table_col(h, "hi_ns"), cn = table_col(h, "count");
	const struct jr_value *dist = jr_get(c->a->summary, "offset");
	static const char *const pct[] = { "p1", "p5", "p50", "p95", "p99" };
	double mag = 0;
	FILE *d = open_dat(c, f->name, "lo_ns\thi_ns\tcount (every sample after settling)");
	if (!d)
		return false;
	for (size_t i = 0; i < h->nrows; i++) {
		double lo = table_get(h, i, clo), hi = table_get(h, i, chi), n = table_get(h, i, cn);
		fprintf(d, "%.3f\t%.3f\t%.0f\n", lo, hi, n);
		mag = fmax(mag, fmax(fabs(lo), fabs(hi)));
	}
	if (!close_dat(c, d, f->name))
		return false;
	snprintf(f->caption, sizeof(f->caption),
		 "Histogram of the offsets used for the statistics; dashed lines mark the 1st, 5th, "
		 "50th, 95th and 99th percentiles (from every sample).");
	struct si_unit u = units_for_ns(mag);
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	unit_def(g, "U", u);
	fprintf(g, "set xlabel 'offset (slave \xe2\x88\x92 master) (%s)'\nset ylabel 'samples'\n",
		u.name);
	fprintf(g, "set yrange [0:*]\nset offsets 0, 0, graph 0.12, 0\n");
	for (size_t k = 0; k < sizeof(pct) / sizeof(pct[0]); k++) {
		double p = jr_num(jr_get(dist, pct[k]));
		if (!isfinite(p))
			continue;
		fprintf(g, "set arrow from %.6g/U, graph 0 to %.6g/U, graph 1 nohead dt 2 lw 1.2 "
			   "lc rgb C_MARK front\n", p, p);
		fprintf(g, "set label '%s' at %.6g/U, graph 0.98 rotate by 90 right offset -0.6,0 "
			   "tc rgb C_MARK front\n", pct[k], p);
	}
	fprintf(g, "plot '%s.dat' using (($1+$2)/2/U):3:(($2-$1)/U) with boxes "
		   "fs solid 0.75 noborder lc rgb C_OFFSET notitle\n", f->name);
	return end_script(c, f, g);
}

bool fig_bias(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "bias", "Bias over time with its 95 % interval");
	const struct table *b = &c->a->bias_windows;
	if (!c->a->have_bias_windows || b->nrows == 0) {
		skip(f, "no bias_windows.tsv in the analysis output");
		return true;
	}
	int ct = table_col(b, "t_s"), cm = table_col(b, "mean_ns"), clo = table_col(b, "ci_lo_ns"),
	    chi = table_col(b, "ci_hi_ns");
	double mag = 0;
	FILE *d = open_dat(c, f->name, "t_mid_s (since start)\tmean_ns\tci_lo_ns\tci_hi_ns");
	if (!d)
		return false;
	for (size_t i = 0; i < b->nrows; i++) {
		double v[4] = { table_get(b, i, ct), table_get(b, i, cm), table_get(b, i, clo),
				table_get(b, i, chi) };
		fprintf(d, "%.9f\t%.3f\t%.3f\t%.3f\n", v[0], v[1], v[2], v[3]);
		for (int k = 1; k < 4; k++)
			if (isfinite(v[k]))
				mag = fmax(mag, fabs(v[k]));
	}
	if (!close_dat(c, d, f->name))
		return false;
	const struct jr_value *bias = jr_get(c->a->summary, "bias");
	double bm = jr_num(jr_get(bias, "mean_ns")), blo = jr_num(jr_get(bias, "ci_lo_ns")),
	       bhi = jr_num(jr_get(bias, "ci_hi_ns"));
	snprintf(f->caption, sizeof(f->caption),
		 "Mean offset per window with its 95 %% interval (band). The horizontal line and "
		 "grey band: the whole run's bias and its autocorrelation-aware 95 %% interval. "
		 "A drift or a step shows as windows leaving the band.");
	if (isfinite(bm))
		mag = fmax(mag, fabs(bm));
	struct si_unit u = units_for_ns(mag);
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	time_plot_axes(g, c, u, "bias: offset \xe2\x88\x92 true offset");
	if (isfinite(blo) && isfinite(bhi))
		fprintf(g, "set object 1 rect from graph 0, first %.6g/U to graph 1, first %.6g/U "
			   "behind fc rgb '#e0e0e0' fs solid 1.0 noborder\n", blo, bhi);
	fprintf(g, "plot '%s.dat' using (X($1)):($3/U):($4/U) with filledcurves "
		   "fs transparent solid 0.30 noborder lc rgb C_BIAS title '95 %% interval (window)', \\\n"
		   "     '%s.dat' using (X($1)):($2/U) with linespoints pt 7 ps 0.5 lw 1.5 "
		   "lc rgb C_BIAS title 'window mean'",
		f->name, f->name);
	if (isfinite(bm))
	{
		char sib[40];
		fmt_si_time(bm, sib, sizeof(sib));
		fprintf(g, ", \\\n     %.6g/U with lines lw 1.5 dt 2 lc rgb C_MARK title "
			   "'whole run: %s'", bm, sib);
	}
	fprintf(g, "\n");
	return end_script(c, f, g);
}

/* Slope guides: a * tau^slope through (t1, y1), drawn light so they read as background. */
struct guide {
	double slope;
	const char *label;
};

static void guides(FILE *g, const struct guide *gd, size_t n, const char *scale)
{
	for (size_t i = 0; i < n; i++)
		fprintf(g, ", \\\n     G0*(x/T0)**(%g)%s with lines dt %zu lw 1 lc rgb C_GUIDE "
			   "title '%s'", gd[i].slope, scale, 2 + i, gd[i].label);
}

/* Writes tau and the named stability columns (seconds or dimensionless) into NAME.dat.
 * Returns the number of rows with a finite first column value; bounds via lo/hi. */
static size_t stab_dat(const struct fig_ctx *c, const char *stem, const char *const *cols,
		       size_t ncols, double *t0, double *y0, double *lo, double *hi)
{
	const struct table *s = &c->a->stability;
	int ctau = table_col(s, "tau_s");
	char header[300] = "tau_s";
	for (size_t k = 0; k < ncols; k++) {
		strncat(header, "\t", sizeof(header) - strlen(header) - 1);
		strncat(header, cols[k], sizeof(header) - strlen(header) - 1);
	}
	FILE *d = open_dat(c, stem, header);
	if (!d)
		return (size_t)-1;
	size_t rows = 0;
	*lo = INFINITY;
	*hi = 0;
	*t0 = *y0 = NAN;
	for (size_t i = 0; i < s->nrows; i++) {
		double tau = table_get(s, i, ctau);
		if (!(tau > 0))
			continue;
		fprintf(d, "%.9g", tau);
		bool any = false;
		for (size_t k = 0; k < ncols; k++) {
			double v = table_get(s, i, table_col(s, cols[k]));
			fprintf(d, "\t%.9g", v);
			if (isfinite(v) && v > 0) {
				*lo = fmin(*lo, v);
				*hi = fmax(*hi, v);
				any = true;
				if (k == 0 && isnan(*t0)) {
					*t0 = tau;
					*y0 = v;
				}
			}
		}
		fprintf(d, "\n");
		rows += any;
	}
	if (!close_dat(c, d, stem))
		return (size_t)-1;
	return rows;
}

bool fig_adev(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "adev", "Frequency stability: Allan and modified Allan deviation");
	if (!c->a->have_stability) {
		skip(f, "no stability.tsv in the analysis output");
		return true;
	}
	static const char *const cols[] = { "oadev", "mdev", "oadev_lo", "oadev_hi", "adev" };
	const struct table *s = &c->a->stability;
	size_t ncols = 2;
	bool ci = table_col(s, "oadev_lo") >= 0 && table_col(s, "oadev_hi") >= 0;
	if (table_col(s, "oadev") < 0 || table_col(s, "mdev") < 0) {
		skip(f, "stability.tsv has no oadev/mdev columns");
		return true;
	}
	if (ci)
		ncols = 4;
	double t0, y0, lo, hi;
	size_t rows = stab_dat(c, f->name, cols, ncols, &t0, &y0, &lo, &hi);
	if (rows == (size_t)-1)
		return false;
	if (rows == 0 || !isfinite(t0)) {
		skip(f, "stability.tsv holds no Allan deviation (not computed, or the run is too short)");
		return true;
	}
	snprintf(f->caption, sizeof(f->caption),
		 "Overlapping ADEV (with its 95 %% interval from the equivalent degrees of freedom, "
		 "NIST SP 1065) and MDEV of the offset, per averaging time \xcf\x84. Grey: slopes of "
		 "the power-law noises through the first point (\xcf\x84\xe2\x81\xbb\xc2\xb9 white/flicker "
		 "phase, \xcf\x84\xe2\x81\xbb\xc2\xbd white frequency, \xcf\x84\xe2\x81\xb0 flicker "
		 "frequency, \xcf\x84\xe2\x81\xba\xc2\xbd random-walk frequency).");
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	loglog_axes(g, "set format y '%.0e'\n", "averaging time \xcf\x84 (s)",
		    "deviation \xcf\x83(\xcf\x84) (dimensionless)");
	fprintf(g, "T0 = %.9g; G0 = %.9g # the guides pass through the first OADEV point\n", t0, y0);
	fprintf(g, "set yrange [%.3g:%.3g]\n", lo / 3, hi * 3);
	fprintf(g, "plot ");
	if (ci)
		fprintf(g, "'%s.dat' using 1:2:4:5 with yerrorbars pt 7 ps 0.6 lc rgb C_ADEV "
			   "title 'OADEV, 95 %% interval', \\\n     ", f->name);
	fprintf(g, "'%s.dat' using 1:2 with lines lw 1.5 lc rgb C_ADEV title 'OADEV', \\\n"
		   "     '%s.dat' using 1:3 with linespoints pt 5 ps 0.5 lw 1.5 lc rgb C_MDEV "
		   "title 'MDEV'", f->name, f->name);
	static const struct guide gd[] = {
		{ -1, "\xcf\x84\xe2\x81\xbb\xc2\xb9 (WPM/FPM)" },
		{ -0.5, "\xcf\x84\xe2\x81\xbb\xc2\xbd (WFM)" },
		{ 0, "\xcf\x84\xe2\x81\xb0 (FFM)" },
		{ 0.5, "\xcf\x84\xe2\x81\xba\xc2\xbd (RWFM)" },
	};
	guides(g, gd, sizeof(gd) / sizeof(gd[0]), "");
	fprintf(g, "\n");
	return end_script(c, f, g);
}

bool fig_tdev(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "tdev", "Time stability: time deviation (TDEV)");
	if (!c->a->have_stability || table_col(&c->a->stability, "tdev") < 0) {
		skip(f, "no tdev in stability.tsv");
		return true;
	}
	static const char *const cols[] = { "tdev" };
	double t0, y0, lo, hi;
	size_t rows = stab_dat(c, f->name, cols, 1, &t0, &y0, &lo, &hi);
	if (rows == (size_t)-1)
		return false;
	if (rows == 0 || !isfinite(t0)) {
		skip(f, "stability.tsv holds no TDEV (not computed, or the run is too short)");
		return true;
	}
	snprintf(f->caption, sizeof(f->caption),
		 "TDEV = \xcf\x84/\xe2\x88\x9a" "3 \xc2\xb7 MDEV of the offset. Grey: noise-type slopes "
		 "through the first point (\xcf\x84\xe2\x81\xbb\xc2\xbd white phase, \xcf\x84\xe2\x81\xb0 "
		 "flicker phase, \xcf\x84\xe2\x81\xba\xc2\xbd white frequency, \xcf\x84\xc2\xb9 flicker "
		 "frequency).");
	struct si_unit u = units_for_ns(hi * 1e9);
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	fprintf(g, "U = %g # seconds per unit shown (%s)\n", u.div / 1e9, u.name);
	char ylabel[80];
	snprintf(ylabel, sizeof(ylabel), "TDEV (%s)", u.name);
	loglog_axes(g, "", "averaging time \xcf\x84 (s)", ylabel);
	fprintf(g, "T0 = %.9g; G0 = %.9g/U # the guides pass through the first point\n", t0, y0);
	fprintf(g, "set yrange [%.3g/U:%.3g/U]\n", lo / 3, hi * 3);
	fprintf(g, "plot '%s.dat' using 1:($2/U) with linespoints pt 7 ps 0.6 lw 1.5 "
		   "lc rgb C_TDEV title 'TDEV'", f->name);
	static const struct guide gd[] = {
		{ -0.5, "\xcf\x84\xe2\x81\xbb\xc2\xbd (WPM)" },
		{ 0, "\xcf\x84\xe2\x81\xb0 (FPM)" },
		{ 0.5, "\xcf\x84\xe2\x81\xba\xc2\xbd (WFM)" },
		{ 1, "\xcf\x84\xc2\xb9 (FFM)" },
	};
	guides(g, gd, sizeof(gd) / sizeof(gd[0]), "");
	fprintf(g, "\n");
	return end_script(c, f, g);
}

/* te_masks.tsv: measured value and each class's limit per tau; and, given netc (the
 * summary's time_error.network_c.dte_l_mtie: [{tau, mtie, limit}]), the G.8271.1 network
 * limit at reference point C as one more block after the classes'. */
static bool mask_figure(const struct fig_ctx *c, struct figure *f, const char *vcol,
			const char *lcol, const char *what, const struct jr_value *netc)
{
	const struct table *t = &c->a->te_masks;
	if (!c->a->have_te_masks) {
		skip(f, "no te_masks.tsv in the analysis output (no time-error evaluation)");
		return true;
	}
	if (t->nrows == 0) {
		skip(f, "te_masks.tsv has no rows (time error not evaluated)");
		return true;
	}
	int ctau = table_col(t, "tau_s"), cv = table_col(t, vcol), cl = table_col(t, lcol);
	/* classes in order of first appearance, one data block each */
	const char *classes[16];
	size_t nclass = 0;
	for (size_t i = 0; i < t->nrows && nclass < 16; i++) {
		size_t k;
		for (k = 0; k < nclass && strcmp(classes[k], t->text_col[i]) != 0; k++)
			;
		if (k == nclass)
			classes[nclass++] = t->text_col[i];
	}
	FILE *d = open_dat(c, f->name, "tau_s\tmeasured_ns\tlimit_ns; one block per class");
	if (!d)
		return false;
	double lo = INFINITY, hi = 0;
	bool any_measured = false, has_limit[16] = { false };
	for (size_t k = 0; k < nclass; k++) {
		fprintf(d, "# class %s\n", classes[k]);
		for (size_t i = 0; i < t->nrows; i++) {
			if (strcmp(t->text_col[i], classes[k]) != 0)
				continue;
			double tau = table_get(t, i, ctau), v = table_get(t, i, cv),
			       l = table_get(t, i, cl);
			fprintf(d, "%.9g\t%.6g\t%.6g\n", tau, v, l);
			if (isfinite(v) && v > 0) {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
				any_measured = true;
			}
			if (isfinite(l) && l > 0) {
				lo = fmin(lo, l);
				hi = fmax(hi, l);
				has_limit[k] = true;
			}
		}
		fprintf(d, "\n\n");
	}
	/* G.8271.1 point C: its own taus (1.3 s < tau <= 10000 s), measured MTIE and limit */
	bool has_netc = false;
	if (jr_len(netc)) {
		fprintf(d, "# G.8271.1 point C\n");
		for (size_t i = 0; i < jr_len(netc); i++) {
			const struct jr_value *p = jr_at(netc, i);
			double tau = jr_num(jr_get(p, "tau")), v = jr_num(jr_get(p, "mtie")),
			       l = jr_num(jr_get(p, "limit"));
			if (!(tau > 0))
				continue;
			fprintf(d, "%.9g\t%.6g\t%.6g\n", tau, v, l);
			if (isfinite(l) && l > 0) {
				lo = fmin(lo, l);
				hi = fmax(hi, l);
				has_netc = true;
			}
		}
		fprintf(d, "\n\n");
	}
	if (!close_dat(c, d, f->name))
		return false;
	if (!any_measured) {
		skip(f, "no measured values in te_masks.tsv (run too short)");
		return true;
	}
	struct si_unit u = units_for_ns(hi);
	FILE *g = begin_script(c, f, c->source);
	if (!g)
		return false;
	unit_def(g, "U", u);
	char ylabel[80];
	snprintf(ylabel, sizeof(ylabel), "%s of dTE_L (%s)", what, u.name);
	loglog_axes(g, "set offsets graph 0.02, graph 0.02, 0, 0\n", "observation interval \xcf\x84 (s)",
		    ylabel);
	fprintf(g, "set yrange [%.6g/U:%.6g/U]\n", lo / 3, hi * 3);
	fprintf(g, "plot '%s.dat' index 0 using 1:($2/U) with linespoints pt 7 ps 0.6 lw 2 "
		   "lc rgb C_TDEV title 'measured %s'", f->name, what);
	static const int dts[] = { 1, 2, 4, 5 };
	for (size_t k = 0; k < nclass; k++)
		if (has_limit[k]) /* a class without this mask (NaN limits) gets no legend entry */
			fprintf(g, ", \\\n     '%s.dat' index %zu using 1:($3/U) with lines lw 1.5 dt %d "
			   "lc rgb C_MASK title 'G.8273.2 class %s limit'",
			f->name, k, dts[k % 4], classes[k]);
	if (has_netc)
		fprintf(g, ", \\\n     '%s.dat' index %zu using 1:($3/U) with linespoints pt 6 ps 0.7 "
			   "lw 2 lc rgb C_NETWORK title 'G.8271.1 point C limit'",
			f->name, nclass);
	fprintf(g, "\n");
	return end_script(c, f, g);
}

bool fig_mtie_mask(const struct fig_ctx *c, struct figure *f)
{
	const struct jr_value *netc =
		jr_get(jr_get(jr_get(c->a->summary, "time_error"), "network_c"), "dte_l_mtie");
	bool net = jr_len(netc) > 0;
	setname(f, "mtie_mask", net ? "MTIE against the G.8273.2 masks and the G.8271.1 point C limit"
				    : "MTIE against the G.8273.2 masks");
	snprintf(f->caption, sizeof(f->caption),
		 "MTIE of the low-pass filtered dynamic time error dTE_L (0.1 Hz, ITU-T G.8273.2) "
		 "and each class's mask%s; the clock passes a class where the measured curve stays "
		 "below its limit.",
		 net ? ", and the network limit at reference point C (G.8271.1 clause 7.3.1, "
		       "deployment case 1; an unverified transcription), drawn at the taus it was "
		       "checked at" : "");
	return mask_figure(c, f, "mtie_ns", "mtie_limit_ns", "MTIE", netc);
}

bool fig_tdev_mask(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "tdev_mask", "TDEV against the G.8273.2 masks");
	snprintf(f->caption, sizeof(f->caption),
		 "TDEV of dTE_L and each class's mask (ITU-T G.8273.2); a point above its mask "
		 "fails the class.");
	return mask_figure(c, f, "tdev_ns", "tdev_limit_ns", "TDEV", NULL);
}

bool fig_residence(const struct fig_ctx *c, struct figure *f)
{
	setname(f, "residence", "Switch residence-time distribution");
	const struct residence *r = c->res;
	if (!r) {
		skip(f, "no switch log given (--switch-log FRAMES.tsv[.xz])");
		return true;
	}
	/* Common bins from the 0.5th to the 99.5th percentile of both directions together, so a
	 * few held-back (reordered) frames do not squash the distribution; outside counts in
	 * the edge bins' notes. */
	size_t n = r->nfwd + r->nrev;
	double *all = xmalloc(n * sizeof(double));
	memcpy(all, r->fwd, r->nfwd * sizeof(double));
	memcpy(all + r->nfwd, r->rev, r->nrev * sizeof(double));
	qsort(all, n, sizeof(double), cmp_dbl);
	double lo = all[(size_t)(0.005 * (double)(n - 1))], hi = all[(size_t)(0.995 * (double)(n - 1))];
	free(all);
	if (!(hi > lo))
		hi = lo + 1;
	enum { NBINS = 100 };
	double w = (hi - lo) / NBINS;
	size_t cf[NBINS] = { 0 }, cr[NBINS] = { 0 }, outside = 0;
	for (int dir = 0; dir < 2; dir++) {
		const double *v = dir ? r->rev : r->fwd;
		size_t m = dir ? r->nrev : r->nfwd;
		size_t *cnt = dir ? cr : cf;
		for (size_t i = 0; i < m; i++) {
			if (v[i] < lo || v[i] > hi) {
				outside++;
				continue;
			}
			size_t b = (size_t)((v[i] - lo) / w);
			cnt[b >= NBINS ? NBINS - 1 : b]++;
		}
	}
	FILE *d = open_dat(c, f->name, "bin_lo_ns\tbin_hi_ns\tsync_fwd_count\tdelay_req_rev_count");
	if (!d)
		return false;
	for (int b = 0; b < NBINS; b++)
		fprintf(d, "%.3f\t%.3f\t%zu\t%zu\n", lo + b * w, lo + (b + 1) * w, cf[b], cr[b]);
	if (!close_dat(c, d, f->name))
		return false;
	snprintf(f->caption, sizeof(f->caption),
		 "Time each Sync (master\xe2\x86\x92slave, %zu) and Delay_Req (slave\xe2\x86\x92master, %zu) "
		 "spent in the switch (tx \xe2\x88\x92 rx on its one clock), from %s; %zu values outside "
		 "the 0.5\xe2\x80\x93" "99.5th percentile range are not drawn. A difference between the "
		 "two peaks is path asymmetry a transparent clock must correct.",
		 r->nfwd, r->nrev, c->res_source, outside);
	struct si_unit u = units_for_ns(fmax(fabs(lo), fabs(hi)));
	FILE *g = begin_script(c, f, c->res_source);
	if (!g)
		return false;
	unit_def(g, "U", u);
	fprintf(g, "set xlabel 'residence time (%s)'\nset ylabel 'frames per bin'\n"
		   "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n", u.name);
	fprintf(g, "plot '%s.dat' using (($1+$2)/2/U):3:(($2-$1)/U) with boxes "
		   "fs transparent solid 0.5 noborder lc rgb C_FWD title 'Sync (fwd)', \\\n"
		   "     '%s.dat' using (($1+$2)/2/U):4:(($2-$1)/U) with boxes "
		   "fs transparent solid 0.5 noborder lc rgb C_REV title 'Delay_Req (rev)'\n",
		f->name, f->name);
	return end_script(c, f, g);
}

const figure_fn figure_list[] = {
	fig_offset, fig_offset_zoom, fig_delay, fig_delay_zoom, fig_histogram, fig_bias, fig_truth, fig_adev,
	fig_tdev, fig_mtie_mask, fig_tdev_mask, fig_residence,
};
const size_t figure_count = sizeof(figure_list) / sizeof(figure_list[0]);
