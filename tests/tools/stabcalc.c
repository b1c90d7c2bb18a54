/* stabcalc: every stability statistic of a plain series file at octave (or decade, or given)
 * averaging factors, as TSV with round-trip exact numbers -- for the benchmark and the
 * end-to-end comparison with allantools.
 *
 *   stabcalc [-f] [-r RATE] [-t octave|decade|M,M,...] [-s adev,oadev,...] FILE
 *     -f   the file holds fractional frequency (default: phase in seconds)
 *     -T   print "compute_s SECONDS" (time inside stab_compute, not reading) on stderr
 *
 * Output: "m tau n adev oadev mdev tdev hdev ohdev totdev mtie tie_rms oadev_lo oadev_hi
 * alpha", one line per tau, "nan" where a statistic was not asked for or is undefined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/series_in.h"
#include "analyze/stability.h"
#include "common/log.h"

static int usage(void)
{
	fprintf(stderr, "usage: stabcalc [-f] [-T] [-r RATE] [-t octave|decade|M,M,...] "
			"[-s STAT,...] FILE\n");
	return 2;
}

static unsigned parse_stats(const char *list)
{
	unsigned mask = 0;
	char *copy = xstrdup(list);
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned bit = 0;
		for (unsigned b = 1; b < STAB_ALL; b <<= 1)
			if (strcmp(stab_stat_name((enum stab_stat)b), tok) == 0)
				bit = b;
		if (!bit) {
			fprintf(stderr, "stabcalc: unknown statistic '%s'\n", tok);
			free(copy);
			return 0;
		}
		mask |= bit;
	}
	free(copy);
	return mask;
}

int main(int argc, char **argv)
{
	bool freq = false, timing = false;
	double rate = 1.0;
	const char *taus = "octave";
	unsigned stats = STAB_ALL;
	int c;
	log_set_command("stabcalc");
	while ((c = getopt(argc, argv, "fr:t:s:T")) != -1) {
		switch (c) {
		case 'f':
			freq = true;
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			if (!(rate > 0))
				return usage();
			break;
		case 'T':
			timing = true;
			break;
		case 't':
			taus = optarg;
			break;
		case 's':
			stats = parse_stats(optarg);
			if (!stats)
				return 2;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	struct value_series s;
	if (value_series_read(argv[optind], &s) != 0)
		return 2;
	double tau0 = 1.0 / rate;
	double *x = s.v;
	size_t n = s.n;
	if (freq) {
		x = xmalloc((s.n + 1) * sizeof(*x));
		stab_freq_to_phase(s.v, s.n, tau0, x);
		n = s.n + 1;
		value_series_free(&s);
		s.v = x;
	}
	long *m = xmalloc(64 * sizeof(*m));
	size_t nm;
	if (strcmp(taus, "octave") == 0) {
		nm = stab_taus(n, STAB_OCTAVE, m, 64);
	} else if (strcmp(taus, "decade") == 0) {
		nm = stab_taus(n, STAB_DECADE, m, 64);
	} else {
		nm = 0;
		for (const char *p = taus; *p && nm < 64;) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || v < 1)
				return usage();
			m[nm++] = v;
			p = *end == ',' ? end + 1 : end;
		}
	}
	struct stab_point *pt = xmalloc((nm ? nm : 1) * sizeof(*pt));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (stab_compute(x, n, tau0, m, nm, stats, pt) != 0) {
		fprintf(stderr, "stabcalc: %s: too few points (%zu) or bad data\n", argv[optind], n);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (timing)
		fprintf(stderr, "compute_s %.6f\n",
			(double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
	printf("m\ttau\tn\tadev\toadev\tmdev\ttdev\thdev\tohdev\ttotdev\tmtie\ttie_rms\toadev_lo\t"
	       "oadev_hi\talpha\n");
	for (size_t k = 0; k < nm; k++) {
		const struct stab_point *p = &pt[k];
		printf("%ld\t%.17g\t%ld\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t"
		       "%.17g\t%.17g\t%d\n",
		       p->m, p->tau, p->n, p->adev, p->oadev, p->mdev, p->tdev, p->hdev, p->ohdev,
		       p->totdev, p->mtie, p->tie_rms, p->oadev_lo, p->oadev_hi, p->alpha);
	}
	free(pt);
	free(m);
	free(s.v);
	return 0;
}
