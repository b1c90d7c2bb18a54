/* synth_analysis: writes a SYNTHETIC directory in the format of `ptpcal analyze --out DIR`
 * (schema "ptpcal-analyze/1", contract in BRIEF/docs/analyze-output.md): summary.json,
 * series.tsv, histogram_offset.tsv, stability.tsv, bias_windows.tsv, te_masks.tsv. It is a
 * fixture for testing and benchmarking the report, NOT an analysis: the offsets follow a
 * simple model (settling, a sinusoid, white noise, an excluded spike), the histogram, window
 * means and distribution come from those samples, and the stability and mask values follow
 * white-phase-noise formulas (NIST SP 1065 table 5: ADEV = sqrt(3) sigma_x / tau,
 * TDEV = sigma_x / sqrt(m)); the G.8273.2 limits are written as the example values of the
 * fixture, not read from the standard.
 *
 *   synth_analysis -o DIR [-n SAMPLES] [-d SECONDS] [--truth] [--seed N]
 *   synth_analysis --exchanges FILE [-n N] [-d SECONDS]
 *
 * The second form writes a synthetic `exchanges` dataset instead (docs/dataset-format.md):
 * N Sync/Delay_Req exchanges over SECONDS with exact integer-ns timestamps, a slowly
 * wandering true offset and white one-way delay noise, as input for `ptpcal report`
 * (which runs analyze on it) in the benchmark.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng = 88172645463325252ULL;
static double unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());
}
static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
static FILE *open_out(const char *dir, const char *name)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	return f;
}
static double pct(const double *s, size_t n, double p)
{
	double r = p * (double)(n - 1);
	size_t i = (size_t)r;
	return i + 1 < n ? s[i] + (r - (double)i) * (s[i + 1] - s[i]) : s[n - 1];
}

static void fmt_time(char *buf, size_t len, int64_t ns)
{
	snprintf(buf, len, "%" PRId64 ".%09" PRId64, (int64_t)(ns / 1000000000LL), (int64_t)(ns % 1000000000LL));
}

static int write_exchanges(const char *path, long n, double dur)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 2;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "# ptpcal-dataset 1 exchanges\n# source: synthetic (tests/tools/synth_analysis)\n"
		   "# sign_convention: offset = slave - master\n"
		   "t_s\tdomain\tmaster\tslave\tencap\tsync_seq\treq_seq\ttwo_step\tt1\tt2\tt3\tt4\t"
		   "corr_sync_sns\tcorr_req_sns\tcorr_resp_sns\tfwd_ns\trev_ns\toffset_ns\tdelay_ns\tasym_ns\n");
	const int64_t start = 1795584296000000000LL;
	int64_t dt = (int64_t)(dur * 1e9 / (double)(n > 1 ? n - 1 : 1));
	for (long i = 0; i < n; i++) {
		int64_t t2 = start + i * dt;
		double ts = (double)(i * dt) / 1e9;
		int64_t theta = (int64_t)llround(300 * sin(2 * M_PI * ts / 7200.0) + 50 * gauss());
		int64_t dms = 5000 + (int64_t)llround(200 * gauss());
		int64_t dsm = 5000 + (int64_t)llround(200 * gauss());
		int64_t t1 = t2 - dms - theta, t3 = t2 + dt / 3, t4 = t3 + dsm - theta;
		int64_t fwd = t2 - t1, rev = t4 - t3;
		char a[40], b[40], c[40], d[40];
		fmt_time(a, sizeof(a), t1);
		fmt_time(b, sizeof(b), t2);
		fmt_time(c, sizeof(c), t3);
		fmt_time(d, sizeof(d), t4);
		fprintf(f, "%.9f\t0\t001122.fffe.334455-1\t66778a.fffe.bbccdd-1\tL2\t%ld\t%ld\t1\t"
			   "%s\t%s\t%s\t%s\t0\t0\t0\t%" PRId64 ".000\t%" PRId64 ".000\t%.3f\t%.3f\t0.000\n",
			ts, i & 0xffff, i & 0xffff, a, b, c, d, fwd, rev, (double)(fwd - rev) / 2,
			(double)(fwd + rev) / 2);
	}
	return fclose(f) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truth", no_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 'S' },
		{ "exchanges", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *exchanges = NULL;
	long n = 720;
	double dur = 90;
	int truth = 0, c;
	while ((c = getopt_long(argc, argv, "o:n:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'n': n = atol(optarg); break;
		case 'd': dur = atof(optarg); break;
		case 'T': truth = 1; break;
		case 'E': exchanges = optarg; break;
		case 'S': rng = strtoull(optarg, NULL, 10) * 2654435761ULL + 1; break;
		default: return 2;
		}
	}
	if (exchanges && n >= 2 && dur > 0)
		return write_exchanges(exchanges, n, dur);
	if (!dir || n < 20 || !(dur > 0)) {
		fprintf(stderr, "usage: synth_analysis -o DIR [-n SAMPLES>=20] [-d SECONDS] [--truth]\n");
		return 2;
	}
	mkdir(dir, 0755);
	const int64_t start = 1795584296894952376LL;
	double tau0 = dur / (double)(n - 1);
	double *off = malloc((size_t)n * sizeof(double)), *sorted = malloc((size_t)n * sizeof(double));
	long settle = n / 20;
	FILE *s = open_out(dir, "series.tsv");
	fprintf(s, "# ptpcal-dataset 1 analyze-series\n# synthetic: tests/tools/synth_analysis "
		   "(report fixture, not a measurement)\nt_ns\toffset_ns\tdelay_ns\tstate%s\n",
		truth ? "\tasymmetry_ns\ttrue_offset_ns" : "");
	size_t used = 0;
	for (long i = 0; i < n; i++) {
		int64_t t = start + (int64_t)((double)i * tau0 * 1e9);
		double ts = (double)i * tau0;
		double o = -3200 + 400 * sin(2 * M_PI * ts / (dur / 3)) + 150 * gauss();
		const char *st = "locked";
		if (i < settle) {
			o += 40000 * exp(-5.0 * (double)i / (double)settle);
			st = "settling";
		} else if (i >= n / 2 && i < n / 2 + n / 200 + 1) {
			o += 25000;
			st = "excluded";
		} else {
			sorted[used++] = o;
		}
		off[i] = o;
		double d = 402000 + 800 * gauss() + (ts > dur * 0.7 ? 3000 : 0);
		fprintf(s, "%" PRId64 "\t%.3f\t%.3f\t%s", t, o, d, st);
		if (truth)
			fprintf(s, "\t%.3f\t%.3f", 2 * (o + 0) , 0.0 + 20 * sin(ts / dur * 6));
		fprintf(s, "\n");
	}
	fclose(s);
	qsort(sorted, used, sizeof(double), cmpd);
	double mean = 0, var = 0;
	for (size_t i = 0; i < used; i++)
		mean += sorted[i];
	mean /= (double)used;
	for (size_t i = 0; i < used; i++)
		var += (sorted[i] - mean) * (sorted[i] - mean);
	double sd = sqrt(var / (double)(used - 1));
	/* histogram */
	FILE *h = open_out(dir, "histogram_offset.tsv");
	fprintf(h, "# ptpcal-dataset 1 histogram\nlo_ns\thi_ns\tcount\n");
	double lo = sorted[0], hi = sorted[used - 1], w = (hi - lo) / 60;
	for (int b = 0; b < 60; b++) {
		long cnt = 0;
		for (size_t i = 0; i < used; i++)
			if (sorted[i] >= lo + b * w && (sorted[i] < lo + (b + 1) * w || (b == 59 && sorted[i] <= hi)))
				cnt++;
		fprintf(h, "%.3f\t%.3f\t%ld\n", lo + b * w, lo + (b + 1) * w, cnt);
	}
	fclose(h);
	/* stability: white PM with sigma_x = sd */
	double sx = sd * 1e-9;
	FILE *st = open_out(dir, "stability.tsv");
	fprintf(st, "# ptpcal-dataset 1 stability\ntau_s\tn\tadev\toadev\tmdev\ttdev\thdev\tohdev\t"
		    "totdev\tmtie\ttie_rms\toadev_lo\toadev_hi\talpha\n");
	FILE *sj;
	char *stab_json = NULL;
	size_t stab_len = 0;
	sj = open_memstream(&stab_json, &stab_len);
	int first = 1;
	for (long m = 1; 2 * m < n; m *= 2) {
		double tau = (double)m * tau0;
		double adev = sqrt(3) * sx / tau, mdev = sqrt(3) * sx / tau / sqrt((double)m);
		double tdev = tau / sqrt(3) * mdev, mtie = sx * (2 + 0.5 * log((double)m + 1)) * 2;
		double pairs = (double)(n - 2 * m);
		double k = 1.96 / sqrt(pairs > 1 ? pairs : 1);
		fprintf(st, "%.9g\t%.0f\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t2\n",
			tau, pairs, adev, adev, mdev, tdev, adev, adev, adev, mtie, mtie / 2,
			adev * (1 - k), adev * (1 + k));
		fprintf(sj, "%s{\"tau\":%.9g,\"n\":%.0f,\"adev\":%.6g,\"oadev\":%.6g,\"mdev\":%.6g,"
			    "\"tdev\":%.6g,\"hdev\":null,\"ohdev\":null,\"totdev\":null,\"mtie\":%.6g,"
			    "\"tie_rms\":%.6g,\"oadev_lo\":%.6g,\"oadev_hi\":%.6g,\"alpha\":2}",
			first ? "" : ",", tau, pairs, adev, adev, mdev, tdev, mtie, mtie / 2,
			adev * (1 - k), adev * (1 + k));
		first = 0;
	}
	fclose(st);
	fclose(sj);
	/* bias windows */
	FILE *bw = open_out(dir, "bias_windows.tsv");
	fprintf(bw, "# ptpcal-dataset 1 bias-windows\nt_mid_ns\tmean_ns\tci_lo_ns\tci_hi_ns\n");
	int nw = 20;
	for (int k = 0; k < nw; k++) {
		long a = settle + (n - settle) * k / nw, b = settle + (n - settle) * (k + 1) / nw;
		double sm = 0, sq = 0;
		for (long i = a; i < b; i++)
			sm += off[i];
		sm /= (double)(b - a);
		for (long i = a; i < b; i++)
			sq += (off[i] - sm) * (off[i] - sm);
		double half = 1.96 * sqrt(sq / (double)(b - a - 1)) / sqrt((double)(b - a)) * 3;
		int64_t tm = start + (int64_t)(((double)(a + b) / 2) * tau0 * 1e9);
		fprintf(bw, "%" PRId64 "\t%.3f\t%.3f\t%.3f\n", tm, sm, sm - half, sm + half);
	}
	fclose(bw);
	/* masks (fixture values) */
	FILE *te = open_out(dir, "te_masks.tsv");
	fprintf(te, "# ptpcal-dataset 1 te-masks\n# limits: fixture example values\n"
		    "tau_s\tmtie_ns\tmtie_limit_ns\ttdev_ns\ttdev_limit_ns\tclass\n");
	const char *cls[] = { "A", "B", "C" };
	const double ml[] = { 40, 40, 10 }, tl[] = { 4, 4, 2 };
	for (int k = 0; k < 3; k++)
		for (double tau = 1; tau <= dur / 2 && tau <= 1000; tau *= 2)
			fprintf(te, "%g\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n", tau, 2 + 3 * log(tau + 1),
				ml[k], 0.8 + 0.2 * log(tau + 1), tl[k], cls[k]);
	fclose(te);
	/* time error: the classes' verdicts against the fixture's limits (A..C on max|TE|, D on
	 * max|TE_L| only, as analyze reports them: docs/analyze-json.md) and the network limit at
	 * point C, all example values */
	double max_te = fabs(sorted[0]) > fabs(sorted[used - 1]) ? fabs(sorted[0]) : fabs(sorted[used - 1]);
	double te_l = 3 * sd, cte = mean, dte_h = sd * 6;
	char *te_json = NULL;
	size_t te_len = 0;
	FILE *tj = open_memstream(&te_json, &te_len);
	fprintf(tj, "\"time_error\":{\"max_abs_te\":%.3f,\"cte\":%.3f,\"dte_l_pp\":%.3f,"
		    "\"dte_h_pp\":%.3f,\"max_abs_te_l\":%.3f,\"classes\":{",
		max_te, cte, sd * 4, dte_h, te_l);
	for (int k = 0; k < 4; k++) {
		static const double lmax[] = { 100, 70, 30, 5 }, lcte[] = { 50, 20, 10, NAN },
				    ldteh[] = { 70, 70, 30, NAN };
		bool d = k == 3;
		double v = d ? te_l : max_te;
		bool p_max = v <= lmax[k], p_cte = d || fabs(cte) <= lcte[k],
		     p_mtie = d || 2 + 3 * log(dur / 2 + 1) <= ml[k],
		     p_tdev = d || 0.8 + 0.2 * log(dur / 2 + 1) <= tl[k], p_h = d || dte_h <= ldteh[k];
		char cl[24], hl[24];
		snprintf(cl, sizeof(cl), d ? "null" : "%g", lcte[k]);
		snprintf(hl, sizeof(hl), d ? "null" : "%g", ldteh[k]);
		fprintf(tj, "%s\"%c\":{\"pass\":%s,\"max_abs_te_limit\":%g,\"max_abs_te_pass\":%s,"
			    "\"cte_limit\":%s,\"cte_pass\":%s,\"dte_l_mtie_pass\":%s,"
			    "\"dte_l_tdev_pass\":%s,\"dte_h_pp_limit\":%s,\"dte_h_pass\":%s,"
			    "\"max_abs_te_limit_on\":\"%s\",\"max_abs_te_l_limit\":%s,"
			    "\"max_abs_te_l_pass\":%s}",
			k ? "," : "", 'A' + k, p_max && p_cte && p_mtie && p_tdev && p_h ? "true" : "false",
			lmax[k], p_max ? "true" : "false", cl, p_cte ? "true" : "false",
			p_mtie ? "true" : "false", p_tdev ? "true" : "false", hl, p_h ? "true" : "false",
			d ? "max|TE_L|" : "max|TE|", d ? "5" : "null",
			d ? (p_max ? "true" : "false") : "null");
	}
	const double net_lim = 1100, net_mask = 300;
	bool net_mtie = true;
	fprintf(tj, "},\"network_c\":{\"limits\":\"fixture example values\",\"dte_l_mtie\":[");
	static const double net_taus[] = { 2, 5, 10, 20, 50, 100, 200, 275, 500, 1000 };
	for (int i = 0; i < 10 && net_taus[i] <= dur / 2; i++) {
		double m = 2 + 3 * log(net_taus[i] + 1);
		net_mtie = net_mtie && m <= net_mask;
		fprintf(tj, "%s{\"tau\":%g,\"mtie\":%.3f,\"limit\":%g}", i ? "," : "", net_taus[i], m,
			net_mask);
	}
	fprintf(tj, "],\"max_abs_te_l_limit\":%g,\"max_abs_te_l_pass\":%s,\"dte_l_mtie_pass\":%s,"
		    "\"pass\":%s}},",
		net_lim, te_l <= net_lim ? "true" : "false", net_mtie ? "true" : "false",
		te_l <= net_lim && net_mtie ? "true" : "false");
	fclose(tj);
	/* summary */
	FILE *j = open_out(dir, "summary.json");
	fprintf(j, "{\"schema\":\"ptpcal-analyze/1\",\"inputs\":[\"synthetic-%ld.tsv\"],"
		   "\"samples\":%ld,\"duration_s\":%.9g,\"start_ns\":%" PRId64 ",", n, n, dur, start);
	for (int k = 0; k < 2; k++) {
		fprintf(j, "\"%s\":{\"n\":%zu,\"mean\":%.3f,\"median\":%.3f,\"std\":%.3f,\"mad\":%.3f,"
			   "\"min\":%.3f,\"max\":%.3f,\"p1\":%.3f,\"p5\":%.3f,\"p25\":%.3f,\"p50\":%.3f,"
			   "\"p75\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"p999\":%.3f},",
			k ? "delay" : "offset", used, mean + k * 405000.0, pct(sorted, used, 0.5) + k * 405000.0, sd,
			sd * 0.67, sorted[0] + k * 405000.0, sorted[used - 1] + k * 405000.0,
			pct(sorted, used, .01) + k * 405000.0, pct(sorted, used, .05) + k * 405000.0,
			pct(sorted, used, .25) + k * 405000.0, pct(sorted, used, .5) + k * 405000.0,
			pct(sorted, used, .75) + k * 405000.0, pct(sorted, used, .95) + k * 405000.0,
			pct(sorted, used, .99) + k * 405000.0, pct(sorted, used, .999) + k * 405000.0);
	}
	double ci = 1.96 * sd / sqrt((double)used) * 3;
	fprintf(j, "\"settling\":{\"excluded_samples\":%ld,\"excluded_s\":%.3f,\"method\":\"fixture\"},"
		   "\"lucky\":null,"
		   "\"bias\":{\"n\":%zu,\"mean_ns\":%.3f,\"ci_lo_ns\":%.3f,\"ci_hi_ns\":%.3f,\"std_ns\":%.3f,"
		   "\"n_eff\":%.1f,\"method\":\"batch means (fixture)\",\"drift_ns_per_h\":1.5,"
		   "\"drift_ci_lo\":-2.0,\"drift_ci_hi\":5.0,\"drift_significant\":false,"
		   "\"halves_agree\":true,\"short_run\":%s,\"reference\":\"lab: one host clock\"},"
		   "\"asymmetry\":%s,\"stability\":[%s],%s"
		   "\"health\":[{\"severity\":\"ok\",\"code\":\"fixture\",\"message\":\"synthetic "
		   "fixture <not a measurement> & written by synth_analysis\"},"
		   "{\"severity\":\"warn\",\"code\":\"spike\",\"message\":\"%ld samples excluded as "
		   "outliers\"}]}\n",
		settle, settle * tau0, used, mean, mean - ci, mean + ci, sd, used / 9.0,
		dur < 600 ? "true" : "false",
		truth ? "{\"mean_ns\":-6400.0,\"ci_lo_ns\":-6500.0,\"ci_hi_ns\":-6300.0,\"note\":\"fixture\"}" : "null",
		stab_json, te_json, (long)(n / 200 + 1));
	fclose(j);
	free(stab_json);
	free(te_json);
	free(off);
	free(sorted);
	return 0;
}
