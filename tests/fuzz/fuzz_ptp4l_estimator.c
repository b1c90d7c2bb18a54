/* The estimator's ptp4l.conf reader (analyze/ptp4l_estimator_conf.h) on arbitrary text; a
 * configuration it accepts then replays exchanges made from the same bytes, and the delay
 * filters are checked against their definition: a moving median or average of the window
 * lies between the window's extremes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ptp4l_delay_filter.h"
#include "analyze/ptp4l_estimator_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct ptp4l_estimator_cfg c;
	char why[300];
	ptp4l_estimator_cfg_default(&c);
	bool ok = ptp4l_estimator_cfg_from_text(&c, s, why, sizeof(why));
	free(s);
	if (!ok || c.length > 4096)
		return 0;
	/* exchanges from the bytes: t2 125 ms apart, t3 30 ms after, fwd/rev in +-32 ms */
	size_t n = size / 4;
	int64_t *t2 = malloc((n + 1) * sizeof(int64_t)), *t3 = malloc((n + 1) * sizeof(int64_t));
	double *fwd = malloc((n + 1) * sizeof(double)), *rev = malloc((n + 1) * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		t2[i] = 1700000000000000000 + (int64_t)(i / (data[4 * i] % 3 + 1)) * 125000000;
		t3[i] = t2[i] + 30000000;
		fwd[i] = (double)(int16_t)(data[4 * i + 1] << 8 | data[4 * i + 2]);
		rev[i] = (double)(int8_t)data[4 * i + 3] * 1000;
	}
	struct ptp4l_replay r;
	if (ptp4l_replay_exchanges(&c, n, t2, t3, fwd, rev, &r) == 0) {
		if (r.n > n || r.warmup > r.n)
			abort();
		for (size_t i = 0; i < r.n; i++)
			if (!(r.weight[i] > 0 && r.weight[i] <= 1))
				abort();
		ptp4l_replay_free(&r);
	}
	/* the filter on raw values: within the window's extremes */
	struct ptp4l_delay_filter f;
	if (ptp4l_delay_filter_init(&f, c.filter, c.length)) {
		int64_t *win = malloc((size_t)c.length * sizeof(int64_t));
		for (size_t i = 0; i < n; i++) {
			int64_t v = (int64_t)fwd[i] * 1000003;
			win[i % (size_t)c.length] = v;
			int64_t out = ptp4l_delay_filter_sample(&f, v);
			size_t cnt = i + 1 < (size_t)c.length ? i + 1 : (size_t)c.length;
			int64_t lo = INT64_MAX, hi = INT64_MIN;
			for (size_t k = 0; k < cnt; k++) {
				lo = win[k] < lo ? win[k] : lo;
				hi = win[k] > hi ? win[k] : hi;
			}
			if (out < lo || out > hi)
				abort();
		}
		free(win);
		ptp4l_delay_filter_free(&f);
	}
	free(t2);
	free(t3);
	free(fwd);
	free(rev);
	return 0;
}
