#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/clock_io.h"
#include "common/log.h"

static const char *const phc_cols[] = { "t_s", "sys", "phc", "phc_minus_sys_ns", "bracket_ns",
					"method" };
static const char *const pps_cols[] = { "t_s", "seq", "edge", "sys" };
static const char *const extts_cols[] = { "t_s", "index", "seq", "phc" };

struct clock_writer {
	struct ds_writer *ds;
	char kind[8];
	bool have_t0;
	struct ptime t0;
};

struct clock_writer *clock_writer_open(const char *path, const char *kind)
{
	const char *const *cols;
	int n;
	if (!strcmp(kind, "phc"))
		cols = phc_cols, n = 6;
	else if (!strcmp(kind, "pps"))
		cols = pps_cols, n = 4;
	else if (!strcmp(kind, "extts"))
		cols = extts_cols, n = 4;
	else
		return NULL;
	struct ds_writer *ds = ds_create(path, kind);
	if (!ds)
		return NULL;
	struct clock_writer *w = xcalloc(1, sizeof(*w));
	w->ds = ds;
	snprintf(w->kind, sizeof(w->kind), "%s", kind);
	ds_declare_columns(ds, cols, n);
	return w;
}

struct ds_writer *clock_writer_ds(struct clock_writer *w)
{
	return w->ds;
}

static void put_t_s(struct clock_writer *w, struct ptime t)
{
	if (!w->have_t0) {
		w->t0 = t;
		w->have_t0 = true;
	}
	ds_put_fixed(w->ds, ptime_diff_ns(t, w->t0) / 1e9, 9);
}

void clock_writer_event(struct clock_writer *w, const struct clk_event *ev)
{
	struct ds_writer *ds = w->ds;
	switch (ev->kind) {
	case CLK_PHC_READING:
		put_t_s(w, ev->sys);
		ds_put_time(ds, ev->sys);
		ds_put_time(ds, ev->phc);
		/* Derived, for plotting; exact values follow from phc and sys. A PHC that was
		 * never set can be decades away, beyond exact double ns. */
		ds_put_fixed(ds, (double)(ev->phc.ns - ev->sys.ns) +
					 ((double)ev->phc.frac - (double)ev->sys.frac) / SNS_PER_NS, 1);
		ds_put_i64(ds, ev->bracket_ns);
		ds_put_str(ds, phc_method_name(ev->method));
		break;
	case CLK_PPS_ASSERT:
	case CLK_PPS_CLEAR:
		put_t_s(w, ev->sys);
		ds_put_i64(ds, ev->seq);
		ds_put_str(ds, ev->kind == CLK_PPS_ASSERT ? "assert" : "clear");
		ds_put_time(ds, ev->sys);
		break;
	case CLK_EXTTS:
		put_t_s(w, ev->phc);
		ds_put_i64(ds, ev->channel);
		ds_put_i64(ds, ev->seq);
		ds_put_time(ds, ev->phc);
		break;
	}
	ds_end_row(ds);
}

int clock_writer_close(struct clock_writer *w)
{
	if (!w)
		return 0;
	int rc = ds_close(w->ds);
	free(w);
	return rc;
}

bool phc_method_parse(const char *s, enum phc_method *m)
{
	for (int i = PHC_SYSOFF_EXTENDED; i <= PHC_GETTIME; i++)
		if (!strcmp(s, phc_method_name((enum phc_method)i))) {
			*m = (enum phc_method)i;
			return true;
		}
	return false;
}
