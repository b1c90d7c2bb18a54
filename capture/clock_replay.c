/* Replay of a recorded clock source: a `phc`, `pps` or `extts` dataset read back row by row
 * as the events the device gave (clocksrc.h). Rows must be in time order; a malformed row
 * or one that goes back in time ends the replay with file:line and an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/clock_io.h"
#include "capture/clocksrc.h"
#include "common/log.h"

struct replay {
	struct ds_reader *ds;
	char kind[8];
	int c_sys, c_phc, c_bracket, c_method, c_seq, c_edge, c_index;
	bool have_prev;
	struct ptime prev;
};

static bool get_u32(struct ds_reader *ds, int col, uint32_t *out)
{
	int64_t v;
	if (!ds_get_i64(ds, col, &v))
		return false;
	if (v < 0 || v > UINT32_MAX) {
		ds_error(ds, "column '%s': %lld out of range 0..4294967295", ds_colname(ds, col),
			 (long long)v);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int row(struct replay *r, struct clk_event *ev)
{
	struct ds_reader *ds = r->ds;
	memset(ev, 0, sizeof(*ev));
	struct ptime key;
	if (!strcmp(r->kind, "phc")) {
		ev->kind = CLK_PHC_READING;
		int64_t b;
		if (!ds_get_time(ds, r->c_sys, &ev->sys) || !ds_get_time(ds, r->c_phc, &ev->phc) ||
		    !ds_get_i64(ds, r->c_bracket, &b))
			return -1;
		if (b < 0) {
			ds_error(ds, "column 'bracket_ns': negative");
			return -1;
		}
		ev->bracket_ns = b;
		ev->method = PHC_METHOD_AUTO;
		if (r->c_method >= 0 && !phc_method_parse(ds_field(ds, r->c_method), &ev->method)) {
			ds_error(ds, "column 'method': '%s' is not a known method", ds_field(ds, r->c_method));
			return -1;
		}
		key = ev->sys;
	} else if (!strcmp(r->kind, "pps")) {
		const char *e = ds_field(ds, r->c_edge);
		if (!strcmp(e, "assert"))
			ev->kind = CLK_PPS_ASSERT;
		else if (!strcmp(e, "clear"))
			ev->kind = CLK_PPS_CLEAR;
		else {
			ds_error(ds, "column 'edge': '%s' is not assert or clear", e);
			return -1;
		}
		if (!get_u32(ds, r->c_seq, &ev->seq) || !ds_get_time(ds, r->c_sys, &ev->sys))
			return -1;
		key = ev->sys;
	} else {
		ev->kind = CLK_EXTTS;
		uint32_t idx;
		if (!get_u32(ds, r->c_index, &idx) || !get_u32(ds, r->c_seq, &ev->seq) ||
		    !ds_get_time(ds, r->c_phc, &ev->phc))
			return -1;
		if (idx > 255) {
			ds_error(ds, "column 'index': %u is not a channel (0..255)", idx);
			return -1;
		}
		ev->channel = (int)idx;
		key = ev->phc;
	}
	if (r->have_prev && ptime_cmp(key, r->prev) < 0) {
		ds_error(ds, "time goes backwards (rows must be in time order)");
		return -1;
	}
	r->prev = key;
	r->have_prev = true;
	return 1;
}

static int replay_next(struct clocksrc *s, int timeout_ms, struct clk_event *ev)
{
	(void)timeout_ms;
	struct replay *r = s->priv;
	int rc = ds_next(r->ds);
	if (rc == 0)
		return 2;
	if (rc < 0)
		return -1;
	return row(r, ev);
}

static void replay_close(struct clocksrc *s)
{
	struct replay *r = s->priv;
	ds_reader_close(r->ds);
	free(r);
}

static const struct clocksrc_ops replay_ops = { replay_next, replay_close };

struct clocksrc *clock_replay_open(const char *path, const char *want_kind)
{
	struct ds_reader *ds = ds_open(path, want_kind);
	if (!ds)
		return NULL;
	const char *kind = ds_kind(ds);
	struct replay *r = xcalloc(1, sizeof(*r));
	r->ds = ds;
	r->c_method = -1;
	bool ok;
	if (!strcmp(kind, "phc"))
		ok = (r->c_sys = ds_require_col(ds, "sys")) >= 0 &&
		     (r->c_phc = ds_require_col(ds, "phc")) >= 0 &&
		     (r->c_bracket = ds_require_col(ds, "bracket_ns")) >= 0 &&
		     ((r->c_method = ds_col(ds, "method")), true);
	else if (!strcmp(kind, "pps"))
		ok = (r->c_seq = ds_require_col(ds, "seq")) >= 0 &&
		     (r->c_edge = ds_require_col(ds, "edge")) >= 0 &&
		     (r->c_sys = ds_require_col(ds, "sys")) >= 0;
	else if (!strcmp(kind, "extts"))
		ok = (r->c_index = ds_require_col(ds, "index")) >= 0 &&
		     (r->c_seq = ds_require_col(ds, "seq")) >= 0 &&
		     (r->c_phc = ds_require_col(ds, "phc")) >= 0;
	else {
		log_err("%s: a '%s' dataset, not recorded clock data (phc, pps or extts)", path, kind);
		ok = false;
	}
	if (!ok) {
		ds_reader_close(ds);
		free(r);
		return NULL;
	}
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	struct clocksrc *s = xcalloc(1, sizeof(*s));
	s->ops = &replay_ops;
	s->impl = "replay";
	const char *src = ds_meta_get(ds, "device");
	snprintf(s->name, sizeof(s->name), "%s (recorded from %s)", path, src ? src : "?");
	const char *ts = ds_meta_get(ds, "timescale");
	snprintf(s->timescale, sizeof(s->timescale), "%s", ts ? ts : "");
	s->priv = r;
	return s;
}

const char *clock_replay_kind(const struct clocksrc *s)
{
	return s->ops == &replay_ops ? ((const struct replay *)s->priv)->kind : NULL;
}

const char *clock_replay_meta(const struct clocksrc *s, const char *key)
{
	return s->ops == &replay_ops ? ds_meta_get(((const struct replay *)s->priv)->ds, key) : NULL;
}

bool clocksrc_is_recording(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char buf[18] = "";
	size_t n = fread(buf, 1, 17, f);
	fclose(f);
	return n == 17 && !memcmp(buf, "# ptpcal-dataset ", 17);
}
