/* Loading a run's exchanges and subtracting the reference's true offset (reference.h). */
#include "calibrate/reference.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/exchange_io.h"
#include "common/cli.h"
#include "common/dataset.h"
#include "common/log.h"
#include "lab/replay.h"

const char cal_reference_help[] =
	"  --truth FILE          a truth dataset (PPS/EXTTS vs PHC pairing, two-sided capture, counter)\n"
	"  exchanges with '# truth_offset_ns' (lab), or a lab dataset directory (ptpcal lab run)\n"
	"  --baseline FILE       the same clock measured through a known-symmetric path (direct cable)\n"
	"  --known-offset NS±U   the client's true offset from an external measurement (counter)\n";

static void push(struct cal_series *s, size_t *cap, const struct exchange *ex)
{
	if (s->n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		s->t2 = xrealloc(s->t2, *cap * sizeof(*s->t2));
		s->v = xrealloc(s->v, *cap * sizeof(*s->v));
		s->t2_ns = xrealloc(s->t2_ns, *cap * sizeof(*s->t2_ns));
		s->t3_ns = xrealloc(s->t3_ns, *cap * sizeof(*s->t3_ns));
		s->fwd = xrealloc(s->fwd, *cap * sizeof(*s->fwd));
		s->rev = xrealloc(s->rev, *cap * sizeof(*s->rev));
	}
	s->t2[s->n] = ex->t2;
	s->v[s->n] = ex->offset_ns;
	s->t2_ns[s->n] = ex->t2.ns;
	s->t3_ns[s->n] = ex->t3.ns;
	s->fwd[s->n] = ex->fwd_ns;
	s->rev[s->n] = ex->rev_ns;
	s->n++;
}

static bool is_lab_dir(const char *path)
{
	struct stat st;
	char mp[700];
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return false;
	snprintf(mp, sizeof(mp), "%s/manifest.tsv", path);
	return access(mp, F_OK) == 0;
}

/* The first client named in a lab manifest. */
static int first_client(const char *dir, char *out, size_t len)
{
	char mp[700];
	snprintf(mp, sizeof(mp), "%s/manifest.tsv", dir);
	struct ds_reader *r = ds_open(mp, "lab");
	if (!r)
		return EXIT_USAGE;
	int c = ds_require_col(r, "client"), rc = EXIT_USAGE;
	if (c >= 0 && ds_next(r) > 0) {
		snprintf(out, len, "%s", ds_field(r, c));
		rc = 0;
	} else if (c >= 0 && !ds_failed(r)) {
		log_err("%s: no client", mp);
	}
	ds_reader_close(r);
	return rc;
}

/* Runs `ptpcal lab replay -q -c CLIENT -o TMP DIR` in-process (lab/replay.h). */
static int replay_lab(const char *dir, const char *client, char *tmp, size_t tmplen)
{
	char cl[64];
	if (!client) {
		int rc = first_client(dir, cl, sizeof(cl));
		if (rc)
			return rc;
		client = cl;
	}
	const char *td = getenv("TMPDIR");
	snprintf(tmp, tmplen, "%s/ptpcal-calibrate-XXXXXX", td && *td ? td : "/tmp");
	int fd = mkstemp(tmp);
	if (fd < 0) {
		log_err("%s: cannot create a temporary file: %s", tmp, strerror(errno));
		return EXIT_USAGE;
	}
	close(fd);
	char a0[] = "replay", a1[] = "-q", a2[] = "-c", a4[] = "-o";
	char *argv[] = { a0, a1, a2, (char *)client, a4, tmp, (char *)dir, NULL };
	const char *cmd = log_command();
	int verbosity = log_verbosity();
	int rc = lab_replay_main(7, argv);
	log_set_command(cmd);
	log_set_verbosity(verbosity);
	/* 1 = the replay's own truth check failed: the exchanges are still what was captured. */
	if (rc > EXIT_FAILED) {
		unlink(tmp);
		return EXIT_USAGE;
	}
	return 0;
}

int cal_series_load(struct cal_series *s, const char *path, const char *client)
{
	memset(s, 0, sizeof(*s));
	s->asym_ns = 0;
	snprintf(s->path, sizeof(s->path), "%s", path);
	char tmp[600] = "";
	const char *file = path;
	if (is_lab_dir(path)) {
		int rc = replay_lab(path, client, tmp, sizeof(tmp));
		if (rc)
			return rc;
		file = tmp;
	}
	struct exchange_reader r;
	if (!exchange_reader_open(&r, file)) {
		if (tmp[0])
			unlink(tmp);
		return EXIT_USAGE;
	}
	struct exchange ex;
	size_t cap = 0;
	int rc;
	bool first = true;
	while ((rc = exchange_reader_next(&r, &ex)) > 0) {
		if (!isfinite(ex.offset_ns))
			continue;
		if (first)
			s->asym_ns = ex.asym_ns;
		else if (ex.asym_ns != s->asym_ns)
			s->asym_ns = NAN;
		first = false;
		push(s, &cap, &ex);
	}
	int status = 0;
	if (rc < 0 || ds_failed(r.ds))
		status = EXIT_USAGE;
	const char *m = ds_meta_get(r.ds, "truth_offset_ns");
	if (!status && m) {
		if (!parse_double_strict(m, &s->truth_offset_ns) || !isfinite(s->truth_offset_ns)) {
			log_err("%s: truth_offset_ns: not a number: %s", path, m);
			status = EXIT_USAGE;
		}
		s->has_truth_meta = true;
	}
	if ((m = ds_meta_get(r.ds, "truth_source")))
		snprintf(s->truth_source, sizeof(s->truth_source), "%s", m);
	if ((m = ds_meta_get(r.ds, "timescale")))
		snprintf(s->timescale, sizeof(s->timescale), "%s", m);
	if ((m = ds_meta_get(r.ds, "free_running")))
		s->free_running = !strcmp(m, "1");
	exchange_reader_close(&r);
	if (tmp[0])
		unlink(tmp);
	if (!status && s->n < 8) {
		log_err("%s: %zu exchanges, a calibration needs at least 8", path, s->n);
		status = EXIT_USAGE;
	}
	if (status) {
		cal_series_free(s);
		return status;
	}
	s->t_s = xmalloc(s->n * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		s->t_s[i] = ptime_diff_ns(s->t2[i], s->t2[0]) * 1e-9;
	s->duration_s = s->t_s[s->n - 1];
	return 0;
}

void cal_series_free(struct cal_series *s)
{
	free(s->t2);
	free(s->t_s);
	free(s->v);
	free(s->w);
	free(s->t2_ns);
	free(s->t3_ns);
	free(s->fwd);
	free(s->rev);
	s->t2 = NULL;
	s->t_s = s->v = s->w = s->fwd = s->rev = NULL;
	s->t2_ns = s->t3_ns = NULL;
	s->n = 0;
}

static void *dup_array(const void *p, size_t n, size_t size)
{
	if (!p)
		return NULL;
	void *q = xmalloc(n ? n * size : 1);
	memcpy(q, p, n * size);
	return q;
}

void cal_series_copy(struct cal_series *dst, const struct cal_series *src)
{
	*dst = *src;
	dst->t2 = dup_array(src->t2, src->n, sizeof(*src->t2));
	dst->t_s = dup_array(src->t_s, src->n, sizeof(*src->t_s));
	dst->v = dup_array(src->v, src->n, sizeof(*src->v));
	dst->w = dup_array(src->w, src->n, sizeof(*src->w));
	dst->t2_ns = dup_array(src->t2_ns, src->n, sizeof(*src->t2_ns));
	dst->t3_ns = dup_array(src->t3_ns, src->n, sizeof(*src->t3_ns));
	dst->fwd = dup_array(src->fwd, src->n, sizeof(*src->fwd));
	dst->rev = dup_array(src->rev, src->n, sizeof(*src->rev));
}

void cal_series_subtract_const(struct cal_series *s, double theta_ns)
{
	for (size_t i = 0; i < s->n; i++)
		s->v[i] -= theta_ns;
}

int cal_series_subtract_truth(struct cal_series *s, const char *truth_path, bool *timescale_clash,
			      char *why, size_t whylen)
{
	*timescale_clash = false;
	why[0] = 0;
	struct ds_reader *r = ds_open(truth_path, "truth");
	if (!r)
		return EXIT_USAGE;
	int ct = ds_require_col(r, "t"), co = ds_require_col(r, "offset_ns");
	if (ct < 0 || co < 0) {
		ds_reader_close(r);
		return EXIT_USAGE;
	}
	struct ptime *tt = NULL;
	double *tv = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = ds_next(r)) > 0) {
		struct ptime t;
		double v;
		if (!ds_get_time(r, ct, &t) || !ds_get_double(r, co, &v))
			break;
		if (!isfinite(v))
			continue;
		if (n && ptime_cmp(t, tt[n - 1]) <= 0) {
			ds_error(r, "times must increase");
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			tt = xrealloc(tt, cap * sizeof(*tt));
			tv = xrealloc(tv, cap * sizeof(*tv));
		}
		tt[n] = t;
		tv[n] = v;
		n++;
	}
	int status = (rc < 0 || ds_failed(r)) ? EXIT_USAGE : 0;
	const char *ts = ds_meta_get(r, "timescale");
	if (!status && ts && s->timescale[0] && strcmp(ts, "unknown") &&
	    strcmp(s->timescale, "unknown") && strncmp(ts, s->timescale, 3)) {
		*timescale_clash = true;
		snprintf(why, whylen, "the truth is in %s and the exchanges in %s", ts, s->timescale);
	}
	ds_reader_close(r);
	if (!status && n < 2) {
		log_err("%s: fewer than 2 truth samples", truth_path);
		status = EXIT_USAGE;
	}
	if (!status) {
		/* Interpolate theta at each t2; keep only exchanges inside the truth's span. */
		size_t k = 0, j = 0;
		for (size_t i = 0; i < s->n; i++) {
			while (j + 1 < n && ptime_cmp(tt[j + 1], s->t2[i]) < 0)
				j++;
			if (ptime_cmp(s->t2[i], tt[0]) < 0 || j + 1 >= n)
				continue;
			double span = ptime_diff_ns(tt[j + 1], tt[j]);
			double w = ptime_diff_ns(s->t2[i], tt[j]) / span;
			double theta = tv[j] + w * (tv[j + 1] - tv[j]);
			s->t2[k] = s->t2[i];
			s->v[k] = s->v[i] - theta;
			if (s->w)
				s->w[k] = s->w[i];
			k++;
		}
		if (k < 8) {
			log_err("%s: only %zu exchanges of %s fall inside the truth's time span "
				"(same clock and timescale?)", truth_path, k, s->path);
			status = EXIT_USAGE;
		}
		s->n = k;
		if (!status) {
			for (size_t i = 0; i < s->n; i++)
				s->t_s[i] = ptime_diff_ns(s->t2[i], s->t2[0]) * 1e-9;
			s->duration_s = s->t_s[s->n - 1];
		}
	}
	free(tt);
	free(tv);
	return status;
}

/* One value with an optional unit: ns by default. */
static bool parse_part(const char *s, size_t len, double *ns)
{
	char buf[64];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	return parse_time_value(buf, 1.0, ns) && isfinite(*ns);
}

bool cal_parse_known_offset(const char *s, double *ns, double *u95_ns)
{
	static const char *const seps[] = { "\xc2\xb1", "+-", ":", NULL };
	*u95_ns = 0;
	for (int i = 0; seps[i]; i++) {
		const char *p = strstr(s, seps[i]);
		if (!p)
			continue;
		return parse_part(s, (size_t)(p - s), ns) &&
		       parse_part(p + strlen(seps[i]), strlen(p + strlen(seps[i])), u95_ns) &&
		       *u95_ns >= 0;
	}
	return parse_part(s, strlen(s), ns);
}
