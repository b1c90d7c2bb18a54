/* See analysis_in.h. */
#include "report/analysis_in.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/dataset.h"
#include "common/log.h"

/* t_ns values below this are taken as relative to the start (11.6 days); above, as epoch ns
 * (any time after 1970-01-12): analyze writes epoch ns, a hand-made file may not. */
#define ABSOLUTE_NS_MIN 1000000000000000LL
/* Epoch times after 2001 get UTC date axes. */
#define DATE_NS_MIN (1000000000LL * 1000000000LL)

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void join(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* Reads an integer or exact time column into ns. */
static bool get_ns(struct ds_reader *r, int col, int64_t *ns)
{
	const char *f = ds_field(r, col);
	if (f && strchr(f, '.')) {
		struct ptime t;
		if (!ds_get_time(r, col, &t))
			return false;
		*ns = t.ns;
		return true;
	}
	return ds_get_i64(r, col, ns);
}

static bool load_series(struct series *s, const char *path)
{
	struct ds_reader *r = ds_open(path, NULL);
	if (!r)
		return false;
	int ct = ds_require_col(r, "t_ns"), co = ds_require_col(r, "offset_ns");
	int cd = ds_require_col(r, "delay_ns"), cs = ds_require_col(r, "state");
	int ca = ds_col(r, "asymmetry_ns"), cu = ds_col(r, "true_offset_ns");
	if (ct < 0 || co < 0 || cd < 0 || cs < 0) {
		ds_reader_close(r);
		return false;
	}
	size_t cap = 4096;
	s->t = xmalloc(cap * sizeof(double));
	s->offset = xmalloc(cap * sizeof(double));
	s->delay = xmalloc(cap * sizeof(double));
	s->state = xmalloc(cap);
	s->asym = ca >= 0 ? xmalloc(cap * sizeof(double)) : NULL;
	s->truth = cu >= 0 ? xmalloc(cap * sizeof(double)) : NULL;
	int64_t prev = 0;
	int rc;
	while ((rc = ds_next(r)) != 0) {
		if (rc < 0)
			break;
		if (s->n == cap) {
			cap *= 2;
			s->t = xrealloc(s->t, cap * sizeof(double));
			s->offset = xrealloc(s->offset, cap * sizeof(double));
			s->delay = xrealloc(s->delay, cap * sizeof(double));
			s->state = xrealloc(s->state, cap);
			if (s->asym)
				s->asym = xrealloc(s->asym, cap * sizeof(double));
			if (s->truth)
				s->truth = xrealloc(s->truth, cap * sizeof(double));
		}
		int64_t ns;
		size_t i = s->n;
		if (!get_ns(r, ct, &ns) || !ds_get_double(r, co, &s->offset[i]) ||
		    !ds_get_double(r, cd, &s->delay[i]) ||
		    (s->asym && !ds_get_double(r, ca, &s->asym[i])) ||
		    (s->truth && !ds_get_double(r, cu, &s->truth[i])))
			break;
		if (i == 0) {
			s->t0_ns = ns;
			s->absolute = ns >= DATE_NS_MIN;
		} else if (ns < prev) {
			ds_error(r, "t_ns goes backwards");
			break;
		}
		prev = ns;
		s->t[i] = (double)(ns - s->t0_ns) / 1e9;
		const char *st = ds_field(r, cs);
		if (strcmp(st, "locked") == 0)
			s->state[i] = ST_LOCKED;
		else if (strcmp(st, "settling") == 0)
			s->state[i] = ST_SETTLING;
		else if (strcmp(st, "excluded") == 0)
			s->state[i] = ST_EXCLUDED;
		else {
			ds_error(r, "state '%.40s' is not settling, locked or excluded", st);
			break;
		}
		s->n++;
	}
	bool ok = !ds_failed(r);
	ds_reader_close(r);
	return ok;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	free(t->cells);
	if (t->text_col)
		for (size_t i = 0; i < t->nrows; i++)
			free(t->text_col[i]);
	free(t->text_col);
	memset(t, 0, sizeof(*t));
}

/* Every column is numeric except `text_name` (kept as strings) and `time_name` (exact ns,
 * stored as seconds since base_ns when absolute, else as seconds). `required` columns must
 * exist. */
static bool load_table(struct table *t, const char *path, const char *const *required,
		       const char *text_name, const char *time_name, int64_t base_ns)
{
	struct ds_reader *r = ds_open(path, NULL);
	if (!r)
		return false;
	for (const char *const *q = required; *q; q++)
		if (ds_require_col(r, *q) < 0) {
			ds_reader_close(r);
			return false;
		}
	int nc = ds_ncols(r);
	int ctext = text_name ? ds_col(r, text_name) : -1;
	int ctime = time_name ? ds_col(r, time_name) : -1;
	t->ncols = (size_t)nc;
	t->names = xcalloc((size_t)nc, sizeof(char *));
	for (int c = 0; c < nc; c++)
		t->names[c] = xstrdup(c == ctime ? "t_s" : ds_colname(r, c));
	size_t cap = 64;
	t->cells = xmalloc(cap * (size_t)nc * sizeof(double));
	if (ctext >= 0)
		t->text_col = xmalloc(cap * sizeof(char *));
	int rc;
	while ((rc = ds_next(r)) != 0) {
		if (rc < 0)
			break;
		if (t->nrows == cap) {
			cap *= 2;
			t->cells = xrealloc(t->cells, cap * (size_t)nc * sizeof(double));
			if (t->text_col)
				t->text_col = xrealloc(t->text_col, cap * sizeof(char *));
		}
		double *row = t->cells + t->nrows * (size_t)nc;
		bool ok = true;
		for (int c = 0; c < nc && ok; c++) {
			if (c == ctext) {
				row[c] = NAN;
			} else if (c == ctime) {
				int64_t ns;
				ok = get_ns(r, c, &ns);
				row[c] = ns >= ABSOLUTE_NS_MIN ? (double)(ns - base_ns) / 1e9 : (double)ns / 1e9;
			} else {
				ok = ds_get_double(r, c, &row[c]);
			}
		}
		if (!ok)
			break;
		if (t->text_col)
			t->text_col[t->nrows] = xstrdup(ds_field(r, ctext));
		t->nrows++;
	}
	bool ok = !ds_failed(r);
	ds_reader_close(r);
	if (!ok)
		table_free(t);
	return ok;
}

int table_col(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->names[i], name) == 0)
			return (int)i;
	return -1;
}

double table_get(const struct table *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return NAN;
	return t->cells[row * t->ncols + (size_t)col];
}

bool analysis_load(struct analysis_in *a, const char *dir)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->dir, sizeof(a->dir), "%s", dir);
	char path[4200];
	join(path, sizeof(path), dir, "summary.json");
	if (!exists(path)) {
		log_err("%s: no summary.json: not an output directory of 'ptpcal analyze --out'", dir);
		return false;
	}
	a->summary = jr_parse_file(path);
	if (!a->summary)
		return false;
	const char *schema = jr_str(jr_get(a->summary, "schema"));
	if (!schema || strcmp(schema, "ptpcal-analyze/1") != 0) {
		log_err("%s: schema is %s%s%s, expected \"ptpcal-analyze/1\"", path,
			schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "");
		return false;
	}
	join(path, sizeof(path), dir, "series.tsv");
	if (exists(path) && !load_series(&a->series, path))
		return false;
	int64_t base = a->series.n ? a->series.t0_ns : 0;
	int64_t start;
	if (jr_int(jr_get(a->summary, "start_ns"), &start) && start >= ABSOLUTE_NS_MIN)
		base = start;
	if (a->series.n && base != a->series.t0_ns && a->series.t0_ns >= ABSOLUTE_NS_MIN) {
		/* Plot against the analysis start (settling included) if it differs. */
		double shift = (double)(a->series.t0_ns - base) / 1e9;
		for (size_t i = 0; i < a->series.n; i++)
			a->series.t[i] += shift;
		a->series.t0_ns = base;
	}
	static const char *const hist_req[] = { "lo_ns", "hi_ns", "count", NULL };
	static const char *const stab_req[] = { "tau_s", NULL };
	static const char *const bias_req[] = { "t_mid_ns", "mean_ns", "ci_lo_ns", "ci_hi_ns", NULL };
	static const char *const te_req[] = { "tau_s", "mtie_ns", "mtie_limit_ns", "tdev_ns",
					      "tdev_limit_ns", "class", NULL };
	struct {
		const char *file;
		struct table *t;
		bool *have;
		const char *const *req;
		const char *text, *time;
	} files[] = {
		{ "histogram_offset.tsv", &a->histogram, &a->have_histogram, hist_req, NULL, NULL },
		{ "stability.tsv", &a->stability, &a->have_stability, stab_req, NULL, NULL },
		{ "bias_windows.tsv", &a->bias_windows, &a->have_bias_windows, bias_req, NULL,
		  "t_mid_ns" },
		{ "te_masks.tsv", &a->te_masks, &a->have_te_masks, te_req, "class", NULL },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		join(path, sizeof(path), dir, files[i].file);
		if (!exists(path))
			continue;
		if (!load_table(files[i].t, path, files[i].req, files[i].text, files[i].time, base))
			return false;
		*files[i].have = true;
	}
	return true;
}

void analysis_in_free(struct analysis_in *a)
{
	jr_free(a->summary);
	free(a->series.t);
	free(a->series.offset);
	free(a->series.delay);
	free(a->series.state);
	free(a->series.asym);
	free(a->series.truth);
	table_free(&a->histogram);
	table_free(&a->stability);
	table_free(&a->bias_windows);
	table_free(&a->te_masks);
	memset(a, 0, sizeof(*a));
}
