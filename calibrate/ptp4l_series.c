/* ptp4l's per-Sync offsets as a calibration series (ptp4l_series.h). */
#include "calibrate/ptp4l_series.h"

#include <stdlib.h>

#include "common/cli.h"
#include "common/log.h"

const char *cal_estimator_name(enum cal_estimator e)
{
	return e == CAL_EST_MEAN ? "mean" : "ptp4l";
}

int cal_series_to_ptp4l(struct cal_series *s, const struct ptp4l_estimator_cfg *c)
{
	struct ptp4l_replay r;
	if (ptp4l_replay_exchanges(c, s->n, s->t2_ns, s->t3_ns, s->fwd, s->rev, &r)) {
		log_err("%s: bad ptp4l estimator settings", s->path);
		return EXIT_USAGE;
	}
	size_t k = 0;
	bool weighted = false;
	for (size_t i = r.warmup; i < r.n; i++) {
		/* in place: Sync i comes from exchange row r.row[i] >= k */
		s->t2[k] = s->t2[r.row[i]];
		s->v[k] = r.offset[i];
		weighted |= r.weight[i] != 1.0;
		k++;
	}
	if (weighted) {
		s->w = xmalloc((k ? k : 1) * sizeof(double));
		for (size_t i = r.warmup; i < r.n; i++)
			s->w[i - r.warmup] = r.weight[i];
	}
	ptp4l_replay_free(&r);
	if (k < 8) {
		log_err("%s: %zu Syncs with a settled ptp4l offset, a calibration needs at least 8",
			s->path, k);
		return EXIT_USAGE;
	}
	s->n = k;
	for (size_t i = 0; i < s->n; i++)
		s->t_s[i] = ptime_diff_ns(s->t2[i], s->t2[0]) * 1e-9;
	s->duration_s = s->t_s[s->n - 1];
	return 0;
}
