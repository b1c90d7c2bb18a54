/* Token-level rebuilding of ntp.conf / chrony.conf directives (emit.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calibrate/emit.h"
#include "common/dataset.h"
#include "common/log.h"

void emit_fmt_seconds(char *buf, size_t len, double s)
{
	if (fabs(s) < 0.5e-9)
		s = 0;
	snprintf(buf, len, "%.9f", s);
}

const char *emit_opt(const char *const *tok, int n, int from, const char *key)
{
	for (int i = from; i + 1 < n; i++)
		if (!strcasecmp(tok[i], key))
			return tok[i + 1];
	return NULL;
}

static void cat(char *out, size_t len, const char *s)
{
	size_t l = strlen(out);
	snprintf(out + l, len - l, "%s%s", l ? " " : "", s);
}

void emit_rebuild(char *out, size_t len, const char *const *tok, int n, int fixed,
		  const char *key, const char *value, bool drop_small_time2, bool *dropped_time2)
{
	out[0] = 0;
	bool done = false;
	if (dropped_time2)
		*dropped_time2 = false;
	for (int i = 0; i < n; i++) {
		if (i >= fixed && i + 1 == n && !strcasecmp(tok[i], key))
			continue; /* a key without its value: dropped (the daemon would reject it) */
		if (i >= fixed && i + 1 < n && !strcasecmp(tok[i], key)) {
			if (value && !done) {
				cat(out, len, tok[i]);
				cat(out, len, value);
				done = true;
			}
			i++;
			continue;
		}
		double t2;
		if (i >= fixed && i + 1 < n && drop_small_time2 && !strcasecmp(tok[i], "time2") &&
		    parse_double_strict(tok[i + 1], &t2) && t2 < 1.0) {
			/* ntpsec refclock_shm.c shm_control: time2 < 1 s is ignored (4 h default). */
			if (dropped_time2)
				*dropped_time2 = true;
			i++;
			continue;
		}
		cat(out, len, tok[i]);
	}
	if (value && !done) {
		cat(out, len, key);
		cat(out, len, value);
	}
}

const char *emit_find_line(const struct conf_file *cf, bool (*match)(const char *line, void *ctx),
			   void *ctx)
{
	for (size_t i = 0; cf && i < cf->n; i++)
		if (match(cf->lines[i], ctx))
			return cf->lines[i];
	return NULL;
}

bool emit_read_seconds(const struct conf_file *cf, const char *line, int from, const char *key,
		       double *s, bool *bad)
{
	*bad = false;
	*s = 0;
	if (!line)
		return false;
	char buf[4200];
	const char *tok[EMIT_MAXTOK];
	int n = conf_tokens(line, buf, sizeof(buf), tok, EMIT_MAXTOK);
	const char *v = emit_opt(tok, n, from, key);
	if (v && !parse_double_strict(v, s)) {
		log_err("%s: %s %s: not a number of seconds", cf->path, key, v);
		*bad = true;
	}
	return true;
}

void emit_fudge_line(char *out, size_t len, const char *line, const char *fresh, int fixed,
		     const char *key, const struct cal_correction *c, bool drop_small_time2,
		     bool *dropped_time2)
{
	char val[40], buf[4200];
	emit_fmt_seconds(val, sizeof(val), c->fudge_s);
	const char *tok[EMIT_MAXTOK];
	int n = conf_tokens(line ? line : fresh, buf, sizeof(buf), tok, EMIT_MAXTOK);
	emit_rebuild(out, len, tok, n, fixed, key, c->layer == CAL_LAYER_REFCLOCK ? val : NULL,
		     drop_small_time2, dropped_time2);
}
