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

/* now_mono: the moment of the scrape. rss_bytes < 0: not known. */
void monitor_render(struct monitor *m, int64_t now_mono, long rss_bytes,
		    struct prom_buf *b);

/* The resident set size of this process from /proc/self/statm, -1 if unreadable. */
long monitor_rss_bytes(void);

#endif
