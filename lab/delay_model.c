/* Per-direction delay model of the emulated switch (see delay_model.h for the spec syntax). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "common/cli.h"
#include "common/dataset.h"
#include "common/log.h"
#include "lab/delay_model.h"

#define NORMAL_CLIP 4.0 /* sigmas: symmetric, so the mean stays exactly the fixed delay */
#define DEFAULT_REORDER_HOLD_NS 300000

static bool fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

const char *pdv_kind_name(enum pdv_kind k)
{
	switch (k) {
	case PDV_CONSTANT: return "constant";
	case PDV_UNIFORM: return "uniform";
	case PDV_NORMAL: return "normal";
	case PDV_EXPONENTIAL: return "exp";
	case PDV_TRACE: return "trace";
	}
	return "?";
}

static bool duration(const char *what, const char *s, bool allow_negative, double *ns, char *err,
		     size_t errlen)
{
	if (!parse_time_value(s, 1.0, ns) || !isfinite(*ns))
		return fail(err, errlen, "%s: '%s' is not a duration (like 300us, 1.5ms, 250ns)",
			    what, s);
	if (!allow_negative && *ns < 0)
		return fail(err, errlen, "%s: '%s' is negative", what, s);
	if (fabs(*ns) > (double)DELAY_MAX_NS)
		return fail(err, errlen, "%s: '%s' is more than 10 s", what, s);
	return true;
}

/* "1%", "0.5 %" or "0.01": a probability. */
static bool probability(const char *what, const char *s, double *p, char *err, size_t errlen)
{
	char buf[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return fail(err, errlen, "%s: '%s' is not a probability", what, s);
	memcpy(buf, s, n + 1);
	double scale = 1.0;
	if (buf[n - 1] == '%') {
		buf[--n] = 0;
		while (n > 0 && buf[n - 1] == ' ')
			buf[--n] = 0;
		scale = 0.01;
	}
	double v;
	if (!parse_double_strict(buf, &v) || !isfinite(v))
		return fail(err, errlen, "%s: '%s' is not a probability (like 1%% or 0.01)", what, s);
	v *= scale;
	if (v < 0 || v > 1)
		return fail(err, errlen, "%s: '%s' is not between 0 and 1 (0%% and 100%%)", what, s);
	*p = v;
	return true;
}

/* Splits "a:b:c" in place into at most max parts; returns the count. */
static int split(char *s, char sep, char **parts, int max)
{
	int n = 0;
	parts[n++] = s;
	for (char *p = s; *p; p++) {
		if (*p == sep) {
			if (n == max)
				return max + 1;
			*p = 0;
			parts[n++] = p + 1;
		}
	}
	return n;
}

static bool parse_pdv(char *v, struct delay_spec *o, char *err, size_t errlen)
{
	char *parts[4] = { NULL, NULL, NULL, NULL };
	if (strncmp(v, "trace:", 6) == 0) {
		const char *path = v + 6;
		if (!*path)
			return fail(err, errlen, "pdv=trace: needs a file name (pdv=trace:FILE)");
		if (strlen(path) >= sizeof(o->trace_path))
			return fail(err, errlen, "pdv=trace: file name too long");
		o->pdv = PDV_TRACE;
		strcpy(o->trace_path, path);
		return true;
	}
	int n = split(v, ':', parts, 3);
	double a = 0, b = 0;
	if (!strcmp(parts[0], "constant") || !strcmp(parts[0], "none")) {
		if (n != 1)
			return fail(err, errlen, "pdv=constant takes no parameters");
		o->pdv = PDV_CONSTANT;
	} else if (!strcmp(parts[0], "uniform")) {
		if (n != 3)
			return fail(err, errlen, "pdv=uniform needs two bounds (pdv=uniform:LO:HI)");
		if (!duration("pdv=uniform", parts[1], true, &a, err, errlen) ||
		    !duration("pdv=uniform", parts[2], true, &b, err, errlen))
			return false;
		if (b < a)
			return fail(err, errlen, "pdv=uniform: upper bound %s below lower bound %s",
				    parts[2], parts[1]);
		o->pdv = PDV_UNIFORM;
	} else if (!strcmp(parts[0], "normal")) {
		if (n != 2)
			return fail(err, errlen, "pdv=normal needs a sigma (pdv=normal:SIGMA)");
		if (!duration("pdv=normal", parts[1], false, &a, err, errlen))
			return false;
		o->pdv = PDV_NORMAL;
	} else if (!strcmp(parts[0], "exp") || !strcmp(parts[0], "exponential")) {
		if (n != 2)
			return fail(err, errlen, "pdv=exp needs a mean (pdv=exp:MEAN)");
		if (!duration("pdv=exp", parts[1], false, &a, err, errlen))
			return false;
		o->pdv = PDV_EXPONENTIAL;
	} else {
		return fail(err, errlen, "pdv: unknown distribution '%s' (constant, uniform:LO:HI, "
			    "normal:SIGMA, exp:MEAN, trace:FILE)", parts[0]);
	}
	o->a_ns = a;
	o->b_ns = b;
	return true;
}

bool delay_spec_parse(const char *s, struct delay_spec *out, char *err, size_t errlen)
{
	struct delay_spec o;
	memset(&o, 0, sizeof(o));
	o.fifo = true;
	o.reorder_ns = DEFAULT_REORDER_HOLD_NS;
	if (!s || !*s)
		return fail(err, errlen, "empty delay spec");
	char *copy = xstrdup(s);
	bool ok = true;
	int item = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && ok;
	     tok = strtok_r(NULL, ",", &save), item++) {
		char *eq = strchr(tok, '=');
		double v;
		if (!eq) {
			if (item != 0) {
				ok = fail(err, errlen, "'%s': expected key=value (delay=, pdv=, loss=, "
					  "reorder=, order=)", tok);
				break;
			}
			if ((ok = duration("delay", tok, false, &v, err, errlen)))
				o.fixed_ns = llround(v);
			continue;
		}
		*eq = 0;
		char *key = tok, *val = eq + 1;
		if (!strcmp(key, "delay")) {
			if ((ok = duration("delay", val, false, &v, err, errlen)))
				o.fixed_ns = llround(v);
		} else if (!strcmp(key, "pdv")) {
			ok = parse_pdv(val, &o, err, errlen);
		} else if (!strcmp(key, "loss")) {
			ok = probability("loss", val, &o.loss, err, errlen);
			if (ok && o.loss >= 1)
				ok = fail(err, errlen, "loss=%s: every frame would be lost", val);
		} else if (!strcmp(key, "reorder")) {
			char *parts[3] = { NULL, NULL, NULL };
			int n = split(val, ':', parts, 2);
			if (n > 2) {
				ok = fail(err, errlen, "reorder: expected PROBABILITY[:HOLD]");
				break;
			}
			ok = probability("reorder", parts[0], &o.reorder, err, errlen);
			if (ok && n == 2 && (ok = duration("reorder hold", parts[1], false, &v, err,
							   errlen)))
				o.reorder_ns = llround(v);
		} else if (!strcmp(key, "order")) {
			if (!strcmp(val, "fifo"))
				o.fifo = true;
			else if (!strcmp(val, "free"))
				o.fifo = false;
			else
				ok = fail(err, errlen, "order=%s: expected fifo or free", val);
		} else {
			ok = fail(err, errlen, "unknown key '%s' (delay, pdv, loss, reorder, order)", key);
		}
	}
	free(copy);
	if (!ok)
		return false;
	/* The sampled delay must never be negative; say so now rather than clip (clipping would
	 * move the mean away from the truth written into the metadata). */
	if (o.pdv == PDV_NORMAL && (double)o.fixed_ns < NORMAL_CLIP * o.a_ns)
		return fail(err, errlen, "pdv=normal: a fixed delay of at least 4 sigma is needed "
			    "(delay >= %.0f ns) so that no delay is negative", NORMAL_CLIP * o.a_ns);
	if (o.pdv == PDV_UNIFORM && (double)o.fixed_ns + o.a_ns < 0)
		return fail(err, errlen, "pdv=uniform: delay + lower bound is negative");
	*out = o;
	return true;
}

static char *put_dur(char *p, char *end, double ns)
{
	int n;
	if (ns != 0 && fmod(ns, 1000.0) == 0)
		n = snprintf(p, (size_t)(end - p), "%.0fus", ns / 1000);
	else
		n = snprintf(p, (size_t)(end - p), "%.0fns", ns);
	return n < 0 || p + n >= end ? end - 1 : p + n;
}

/* The fewest significant digits (6 or more) that read back as the same double. */
static int prob_digits(double v)
{
	char b[40];
	for (int d = 6; d < 17; d++) {
		snprintf(b, sizeof(b), "%.*g", d, v);
		if (strtod(b, NULL) == v)
			return d;
	}
	return 17;
}

const char *delay_spec_format(const struct delay_spec *s, char *buf, size_t len)
{
	char *p = buf, *end = buf + len;
	p += snprintf(p, (size_t)(end - p), "delay=");
	p = put_dur(p, end, (double)s->fixed_ns);
	switch (s->pdv) {
	case PDV_CONSTANT: break;
	case PDV_UNIFORM:
		p += snprintf(p, (size_t)(end - p), ",pdv=uniform:");
		p = put_dur(p, end, s->a_ns);
		p += snprintf(p, (size_t)(end - p), ":");
		p = put_dur(p, end, s->b_ns);
		break;
	case PDV_NORMAL:
		p += snprintf(p, (size_t)(end - p), ",pdv=normal:");
		p = put_dur(p, end, s->a_ns);
		break;
	case PDV_EXPONENTIAL:
		p += snprintf(p, (size_t)(end - p), ",pdv=exp:");
		p = put_dur(p, end, s->a_ns);
		break;
	case PDV_TRACE:
		p += snprintf(p, (size_t)(end - p), ",pdv=trace:%s", s->trace_path);
		break;
	}
	/* Probabilities with the digits they need to read back: loss=.9999999999 printed as
	 * %.6g was "loss=1", which the parser refuses (a fuzz_delay_spec find). */
	if (p < end - 1 && s->loss > 0)
		p += snprintf(p, (size_t)(end - p), ",loss=%.*g", prob_digits(s->loss), s->loss);
	if (p < end - 1 && s->reorder > 0) {
		p += snprintf(p, (size_t)(end - p), ",reorder=%.*g:", prob_digits(s->reorder),
			      s->reorder);
		p = put_dur(p, end, (double)s->reorder_ns);
	}
	if (p < end - 1 && !s->fifo)
		snprintf(p, (size_t)(end - p), ",order=free");
	return buf;
}

static bool load_trace(struct delay_model *m, char *err, size_t errlen)
{
	FILE *f = fopen(m->spec.trace_path, "r");
	if (!f)
		return fail(err, errlen, "%s: %s", m->spec.trace_path, strerror(errno));
	size_t cap = 1024, n = 0;
	int64_t *v = xmalloc(cap * sizeof(*v));
	char line[256];
	long lineno = 0;
	double sum = 0;
	int64_t min = INT64_MAX;
	bool ok = true;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t l = strlen(line);
		if (l == sizeof(line) - 1 && line[l - 1] != '\n') {
			ok = fail(err, errlen, "%s:%ld: line too long", m->spec.trace_path, lineno);
			break;
		}
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' ' ||
				 line[l - 1] == '\t'))
			line[--l] = 0;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == 0 || *s == '#')
			continue;
		double ns;
		if (!parse_time_value(s, 1.0, &ns) || !isfinite(ns) || fabs(ns) > (double)DELAY_MAX_NS) {
			ok = fail(err, errlen, "%s:%ld: '%s' is not a delay (ns, or with a unit)",
				  m->spec.trace_path, lineno, s);
			break;
		}
		if (n == DELAY_TRACE_MAX) {
			ok = fail(err, errlen, "%s: more than %d values", m->spec.trace_path,
				  DELAY_TRACE_MAX);
			break;
		}
		if (n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n] = llround(ns);
		if (v[n] < min)
			min = v[n];
		sum += (double)v[n];
		n++;
	}
	if (ok && ferror(f))
		ok = fail(err, errlen, "%s: read error", m->spec.trace_path);
	fclose(f);
	if (ok && n == 0)
		ok = fail(err, errlen, "%s: no values", m->spec.trace_path);
	if (ok && m->spec.fixed_ns + min < 0)
		ok = fail(err, errlen, "%s: delay + smallest value (%lld ns) is negative",
			  m->spec.trace_path, (long long)min);
	if (!ok) {
		free(v);
		return false;
	}
	m->trace = v;
	m->trace_n = n;
	m->trace_mean_ns = sum / (double)n;
	m->trace_min_ns = min;
	return true;
}

bool delay_model_init(struct delay_model *m, const struct delay_spec *s, unsigned long seed,
		      char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->spec = *s;
	if (s->pdv == PDV_TRACE && !load_trace(m, err, errlen))
		return false;
	m->rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!m->rng) {
		free(m->trace);
		return fail(err, errlen, "out of memory");
	}
	gsl_rng_set(m->rng, seed);
	return true;
}

void delay_model_free(struct delay_model *m)
{
	if (m->rng)
		gsl_rng_free(m->rng);
	free(m->trace);
	memset(m, 0, sizeof(*m));
}

double delay_model_mean_ns(const struct delay_model *m)
{
	const struct delay_spec *s = &m->spec;
	double base = (double)s->fixed_ns;
	switch (s->pdv) {
	case PDV_CONSTANT: return base;
	case PDV_UNIFORM: return base + (s->a_ns + s->b_ns) / 2;
	case PDV_NORMAL: return base; /* symmetric clipping keeps the mean */
	case PDV_EXPONENTIAL: return base + s->a_ns;
	case PDV_TRACE: return base + m->trace_mean_ns;
	}
	return base;
}

double delay_model_expected_ns(const struct delay_model *m)
{
	return delay_model_mean_ns(m) + m->spec.reorder * (double)m->spec.reorder_ns;
}

void delay_model_draw(struct delay_model *m, struct delay_draw *out)
{
	const struct delay_spec *s = &m->spec;
	double v = 0;
	/* Always draw the same number of variates per frame, whatever is enabled, so that
	 * loss and reordering do not shift the delay sequence of the remaining frames. */
	double u_loss = gsl_rng_uniform(m->rng);
	double u_reorder = gsl_rng_uniform(m->rng);
	switch (s->pdv) {
	case PDV_CONSTANT: break;
	case PDV_UNIFORM: v = s->a_ns + (s->b_ns - s->a_ns) * gsl_rng_uniform(m->rng); break;
	case PDV_NORMAL:
		do
			v = gsl_ran_gaussian_ziggurat(m->rng, s->a_ns);
		while (fabs(v) > NORMAL_CLIP * s->a_ns && s->a_ns > 0);
		break;
	case PDV_EXPONENTIAL: v = gsl_ran_exponential(m->rng, s->a_ns); break;
	case PDV_TRACE:
		v = (double)m->trace[m->trace_pos];
		if (++m->trace_pos == m->trace_n)
			m->trace_pos = 0;
		break;
	}
	int64_t d = s->fixed_ns + llround(v);
	if (d < 0)
		d = 0;
	out->lost = u_loss < s->loss;
	out->reordered = !out->lost && u_reorder < s->reorder;
	if (out->reordered)
		d += s->reorder_ns;
	out->delay_ns = d;
}
