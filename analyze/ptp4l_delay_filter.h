/* linuxptp's path-delay filters, replayed exactly: `delay_filter moving_median` (mmedian.c,
 * the default) and `moving_average` (mave.c), over the last `delay_filter_length` raw delays
 * (default 10, minimum 1: config.c). Integer ns as linuxptp's tmv_t; the same in linuxptp
 * 3.1.1 and 4.0-4.4 (mmedian.c, mave.c, filter.c unchanged between the tags). */
#ifndef PTPCAL_PTP4L_DELAY_FILTER_H
#define PTPCAL_PTP4L_DELAY_FILTER_H

#include <stdbool.h>
#include <stdint.h>

enum ptp4l_filter_type { PTP4L_MOVING_AVERAGE, PTP4L_MOVING_MEDIAN };

struct ptp4l_delay_filter {
	enum ptp4l_filter_type type;
	int len, cnt, index;
	int64_t *samples; /* circular buffer of the last len raw delays */
	int *order;       /* moving_median: indices into samples, sorted by value */
	int64_t sum;      /* moving_average: sum of samples */
};

/* The name in ptp4l.conf ("moving_median", "moving_average"); parse is exact, like
 * config.c's enum table. */
const char *ptp4l_filter_name(enum ptp4l_filter_type t);
bool ptp4l_filter_parse(const char *s, enum ptp4l_filter_type *t);

/* false when len < 1 (linuxptp refuses such a config). */
bool ptp4l_delay_filter_init(struct ptp4l_delay_filter *f, enum ptp4l_filter_type t, int len);
void ptp4l_delay_filter_free(struct ptp4l_delay_filter *f);
/* tsproc.c tsproc_reset(): empties the window. */
void ptp4l_delay_filter_reset(struct ptp4l_delay_filter *f);
/* Adds one raw delay and returns the filtered delay, as filter_sample() does. */
int64_t ptp4l_delay_filter_sample(struct ptp4l_delay_filter *f, int64_t raw_ns);

#endif
