/* The stability glue: the uniform grid built from exchanges, --tau parsing, and hand-computed
 * statistics through the whole analysis (exchanges and plain series). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/stab_run.h"
#include "capture/exchange_io.h"
#include "common/log.h"
#include "tests/unit/testutil.h"

#define T0 (1795000000LL * 1000000000LL)

/* An exchange at t (ns) whose offset is off_ns (integer): t2 - t1 = 1000 + 2 off,
 * t4 - t3 = 1000. */
static void add(struct ex_series *s, int64_t t, int64_t off_ns)
{
	exs_append(s, t - 1000 - 2 * off_ns, t, t + 1000, t + 2000, 0);
}

START_TEST(parse_taus)
{
	struct stab_run_opts o;
	memset(&o, 0, sizeof(o));
	ck_assert(stab_run_parse_taus("decade", &o));
	ck_assert_int_eq(o.spacing, STAB_DECADE);
	ck_assert_int_eq(o.ntaus, 0);
	ck_assert(stab_run_parse_taus("1,10s,2m,0.5", &o));
	ck_assert_int_eq(o.ntaus, 4);
	ck_assert_double_near(o.taus[2], 120, 1e-12);
	ck_assert_double_near(o.taus[3], 0.5, 1e-12);
	ck_assert(!stab_run_parse_taus("1,0", &o));
	ck_assert(!stab_run_parse_taus("1,,2", &o));
	ck_assert(!stab_run_parse_taus("octaves", &o));
	ck_assert(!stab_run_parse_taus("", &o));
	/* any number of values (there was a limit of 64) */
	char list[4096] = "";
	for (int i = 1; i <= 500; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i > 1 ? "," : "", i);
	ck_assert(stab_run_parse_taus(list, &o));
	ck_assert_int_eq(o.ntaus, 500);
	ck_assert_double_near(o.taus[499], 500, 1e-9);
	stab_run_opts_free(&o);
}
END_TEST

/* Exchanges on a 0.125 s Sync grid with jitter of a few ms, two of them sharing one Sync, one
 * bin empty: tau0 = median interval 0.125 s (snapped to 2^-3); bins hold means; the empty bin
 * is the mean of its neighbours. */
START_TEST(grid_from_exchanges)
{
	struct ex_series s;
	exs_init(&s);
	add(&s, T0 + 0, 10);
	add(&s, T0 + 125000000 + 3000, 20);
	add(&s, T0 + 125000000 + 3000, 40); /* same Sync: bin 1 = 30 */
	add(&s, T0 + 250000000 - 2000, 50);
	/* bin 3 empty */
	add(&s, T0 + 500000000 + 1000, 90);
	add(&s, T0 + 625000000, 100);
	double tau0, *x;
	size_t interp;
	size_t n = stab_run_grid(&s, &tau0, &x, &interp);
	ck_assert_double_near(tau0, 0.125, 0);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(interp, 1);
	const double want[] = { 10, 30, 50, 70, 90, 100 };
	for (size_t i = 0; i < n; i++)
		ck_assert_double_near(x[i], want[i] * 1e-9, 1e-18);
	free(x);
	/* settling samples do not count */
	s.state[0] = SAMPLE_SETTLING;
	n = stab_run_grid(&s, &tau0, &x, &interp);
	ck_assert_int_eq(n, 5); /* from bin 1 */
	ck_assert_double_near(x[0], 30e-9, 1e-18);
	free(x);
	exs_free(&s);
}
END_TEST

/* Offsets alternating 0, 1 ns every second: second differences are +-2 ns, so
 * AVAR(1 s) = sum (2e-9)^2 / (2 (N - 2)) over N - 2 terms = 2e-18: OADEV = sqrt(2) ns;
 * MTIE(1 s) = max - min over 2 points = 1 ns; TIE rms(1 s) = 1 ns. At tau = 2 s the phase
 * repeats: second differences over 2 s are 0. Through the whole analysis. */
START_TEST(alternating_through_analysis)
{
	const char *p = tu_path("alt.tsv");
	struct exchange_writer *w = exchange_writer_open(p);
	for (int i = 0; i < 64; i++) {
		struct exchange ex;
		memset(&ex, 0, sizeof(ex));
		ex.master = tu_port(1, 1);
		ex.slave = tu_port(2, 1);
		int64_t t = T0 + (int64_t)i * 1000000000;
		int64_t off = i % 2;
		ex.t1 = ptime_from_ns(t - 1000 - 2 * off);
		ex.t2 = ptime_from_ns(t);
		ex.t3 = ptime_from_ns(t + 1000);
		ex.t4 = ptime_from_ns(t + 2000);
		ck_assert(exchange_derive(&ex));
		exchange_writer_row(w, &ex);
	}
	ck_assert_int_eq(exchange_writer_close(w), 0);
	static struct analyze_opts o;
	memset(&o, 0, sizeof(o));
	o.inputs[0] = p;
	o.ninputs = 1;
	o.settle = SETTLE_NONE;
	ck_assert(stab_run_parse_taus("1,2", &o.stab));
	struct analysis an;
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert(an.stab.have);
	ck_assert_double_near(an.stab.tau0, 1, 0);
	ck_assert_int_eq(an.stab.n, 64);
	ck_assert_int_eq(an.stab.npts, 2);
	const struct stab_point *q = &an.stab.pts[0];
	ck_assert_double_near(q->tau, 1, 0);
	ck_assert_int_eq(q->n, 62);
	ck_assert_double_near(q->oadev, sqrt(2) * 1e-9, 1e-18);
	ck_assert_double_near(q->mtie, 1e-9, 1e-18);
	ck_assert_double_near(q->tie_rms, 1e-9, 1e-18);
	ck_assert_double_near(an.stab.pts[1].oadev, 0, 1e-21);
	ck_assert_double_near(an.stab.pts[1].mtie, 1e-9, 1e-18);
	/* TE of the same series: max|TE| 1 ns, cTE 0.5 ns */
	ck_assert(an.stab.have_te);
	ck_assert_double_near(an.stab.te.max_abs_te, 1, 1e-9);
	ck_assert_double_near(an.stab.te.cte, 0.5, 1e-9);
	analysis_free(&an);
	stab_run_opts_free(&o.stab);

	/* The same phase as a plain file at 1 Hz gives the same numbers. */
	const char *ph = tu_path("alt.txt");
	FILE *f = fopen(ph, "w");
	for (int i = 0; i < 64; i++)
		fprintf(f, "%s\n", i % 2 ? "1e-9" : "0");
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.inputs[0] = ph;
	o.ninputs = 1;
	o.series = SERIES_PHASE;
	o.rate_hz = 1;
	ck_assert(stab_run_parse_taus("1", &o.stab));
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert_int_eq(an.samples, 64);
	ck_assert_double_near(an.offset.mean, 0.5, 1e-12); /* phase in ns */
	ck_assert_double_near(an.stab.pts[0].oadev, sqrt(2) * 1e-9, 1e-18);
	analysis_free(&an);
	stab_run_opts_free(&o.stab);

	/* Constant fractional frequency 1e-9 at 1 Hz: phase ramps 1 ns/s, OADEV 0,
	 * MTIE(tau) = tau * 1 ns. */
	const char *fr = tu_path("freq.txt");
	f = fopen(fr, "w");
	for (int i = 0; i < 100; i++)
		fprintf(f, "1e-9\n");
	fclose(f);
	o.inputs[0] = fr;
	o.series = SERIES_FREQ;
	ck_assert(stab_run_parse_taus("1,10,99,60,100,101", &o.stab));
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert_int_eq(an.stab.n, 101);
	ck_assert_int_eq(an.stab.npts, 5); /* 101 > N - 1: dropped */
	ck_assert_double_near(an.stab.pts[1].mtie, 10e-9, 1e-18);
	ck_assert_double_near(an.stab.pts[1].oadev, 0, 1e-20);
	/* past (N-1)/2 = 50 s, in the order asked: MTIE = TIE = tau * 1 ns, up to N - 1 */
	static const double beyond[3] = { 99, 60, 100 };
	for (int k = 0; k < 3; k++) {
		const struct stab_point *b = &an.stab.pts[2 + k];
		ck_assert_double_near(b->tau, beyond[k], 0);
		ck_assert_double_near(b->mtie, beyond[k] * 1e-9, 1e-18);
		ck_assert_double_near(b->tie_rms, beyond[k] * 1e-9, 1e-18);
		ck_assert(isnan(b->oadev) && isnan(b->totdev) && isnan(b->mdev));
	}
	analysis_free(&an);
	/* octave spacing continues to N - 1 = 100 for MTIE: 1 .. 32 all, 64 MTIE only */
	ck_assert(stab_run_parse_taus("octave", &o.stab));
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert_int_eq(an.stab.npts, 7);
	ck_assert_double_near(an.stab.pts[6].mtie, 64e-9, 1e-18);
	ck_assert(isnan(an.stab.pts[6].oadev) && isfinite(an.stab.pts[5].oadev));
	analysis_free(&an);

	/* a bad series file: EXIT_USAGE */
	tu_write_file(fr, "1e-9\nx\n");
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
	analysis_free(&an);
	stab_run_opts_free(&o.stab);
}
END_TEST

/* The beside job of the threaded run: counts its calls and reads the whole series. */
struct beside_probe {
	const double *x;
	size_t n;
	int calls;
	double sum;
};

static void beside_probe_run(void *arg, double *scratch)
{
	struct beside_probe *b = arg;
	b->calls++;
	for (size_t i = 0; i < b->n; i++) {
		scratch[i] = -1; /* all of it is the caller's: the time error writes it afterwards */
		b->sum += b->x[i];
	}
}

/* One run of stab_run_compute with the given threads (octave taus, the beside probe). */
static void run_threads(const double *x, size_t n, int threads, struct stab_run *r,
			struct beside_probe *b)
{
	struct stab_run_opts o;
	memset(&o, 0, sizeof(o));
	o.spacing = STAB_OCTAVE;
	o.threads = threads;
	memset(r, 0, sizeof(*r));
	*b = (struct beside_probe){ x, n, 0, 0 };
	stab_run_compute(x, n, 1.0, &o, beside_probe_run, b, r);
}

/* The tasks shared among 1, 2 and 4 threads give the same results to the bit: every
 * statistic at every tau, the noise types and intervals, the time error report; the beside
 * job runs once. A series with white PM, a random walk and a drift (2 * 10^5 points: past
 * MTIE's chunk of starts and its 1025-point switch). */
START_TEST(threads_bit_identical)
{
	enum { N = 200001 };
	double *x = malloc(N * sizeof(double));
	unsigned long long st = 12345;
	double walk = 0;
	for (size_t i = 0; i < N; i++) {
		double u[2];
		for (int k = 0; k < 2; k++) { /* uniform in (-0.5, 0.5) from a 64-bit LCG */
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			u[k] = (double)(st >> 11) / 9007199254740992.0 - 0.5;
		}
		walk += u[1] * 1e-10;
		x[i] = 1e-3 + u[0] * 2e-9 + walk + 1e-18 * (double)i * (double)i;
	}
	struct stab_run r1, r2;
	struct beside_probe b1, b2;
	run_threads(x, N, 1, &r1, &b1);
	ck_assert(r1.have && r1.have_te && r1.npts == 18);
	ck_assert_int_eq(b1.calls, 1);
	for (int threads = 2; threads <= 4; threads += 2) {
		run_threads(x, N, threads, &r2, &b2);
		ck_assert_int_eq(b2.calls, 1);
		ck_assert(b2.sum == b1.sum);
		ck_assert(r2.have && r2.have_te);
		ck_assert_int_eq(r2.npts, r1.npts);
		/* every field of every point, NaNs included, and the whole time error report */
		ck_assert(memcmp(r1.pts, r2.pts, r1.npts * sizeof(*r1.pts)) == 0);
		ck_assert(memcmp(&r1.te, &r2.te, sizeof(r1.te)) == 0);
		ck_assert(isfinite(r2.pts[3].oadev_lo) && isfinite(r2.pts[r2.npts - 1].mtie));
		stab_run_free(&r2);
	}
	stab_run_free(&r1);
	free(x);
}
END_TEST

Suite *stab_run_suite(void)
{
	Suite *s = suite_create("stab_run");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parse_taus);
	tcase_add_test(tc, grid_from_exchanges);
	tcase_add_test(tc, alternating_through_analysis);
	tcase_add_test(tc, threads_bit_identical);
	suite_add_tcase(s, tc);
	return s;
}
