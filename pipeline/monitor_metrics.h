/* struct monitor (monitor.h) as Prometheus text (prom_text.h): the metric names, units and
 * labels documented in docs/monitor.md. Base units as Prometheus wants them: seconds (offsets
 * and delays are written as seconds, from ns), bytes; counters end in _total. A reading never
 * made is an absent series (a rule sees "absent", not a made-up 0); the statistics of an
 * empty window are NaN. */
#ifndef PTPCAL_MONITOR_METRICS_H
#define PTPCAL_MONITOR_METRICS_H

#include <stdint.h>

#include "pipeline/monitor.h"
#include "pipeline/prom_text.h"

/* The monitor's own memory; a field < 0: not known. */
struct monitor_self {
	long rss_bytes;	 /* resident set (/proc/self/statm) */
	long heap_bytes; /* what malloc has handed out and not had back (mallinfo2) */
};

/* now_mono: the moment of the scrape. self NULL: its own memory not known. */
void monitor_render(struct monitor *m, int64_t now_mono, const struct monitor_self *self,
		    struct prom_buf *b);

/* This process's resident set and heap in use, now. */
struct monitor_self monitor_self_now(void);

#endif
