/* A bounded window of one monitored quantity (ptp4l's offset, its mean path delay, the SHM
 * refclock's offset): the last `cap` samples in a ring, plus running totals since the start.
 * Memory is fixed at creation, so a monitor running for days stays the same size.
 *
 * A gap (no new sample for more than `gap_ns`, e.g. ptp4l restarting) empties the window:
 * stability statistics assume one sample per interval and would mix two runs otherwise. */
#ifndef PTPCAL_MONITOR_SERIES_H
#define PTPCAL_MONITOR_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/distribution.h"

struct mon_series {
	size_t cap, n, head;   /* ring: the oldest sample is at (head - n) mod cap */
	double *v;             /* ns */
	int64_t *t_ns;         /* CLOCK_MONOTONIC of each sample */
	int64_t window_ns;     /* samples older than this are dropped */
	int64_t gap_ns;
	uint64_t count;        /* samples since the start (not only the window) */
	double sum;            /* their sum, ns */
	double last;           /* the newest sample, NAN before the first */
	int64_t last_t_ns;
};

void mon_series_init(struct mon_series *s, size_t cap, int64_t window_ns, int64_t gap_ns);
void mon_series_free(struct mon_series *s);
void mon_series_add(struct mon_series *s, int64_t t_ns, double v_ns);
/* Drop what is older than the window at now (also called by add). */
void mon_series_expire(struct mon_series *s, int64_t now_ns);

/* What the window holds, for the exposition. Stability at up to MON_NTAU taus (those with
 * enough samples), tau0 = the window's mean sample spacing. Values in ns, NAN if undefined. */
#define MON_NTAU 4
struct mon_window {
	struct dist d;
	double max_abs;
	double tau0_s;
	size_t ntau;    /* tau_s: 1, 10, 100, 1000 s, computed at the nearest multiple of tau0 */
	double tau_s[MON_NTAU], tdev[MON_NTAU], mtie[MON_NTAU];
};
/* scratch must hold cap doubles (it is overwritten). with_stability: TDEV and MTIE at
 * 1, 10, 100, 1000 s (rounded to whole multiples of tau0). */
void mon_series_window(const struct mon_series *s, double *scratch, int with_stability,
		       struct mon_window *w);

#endif
