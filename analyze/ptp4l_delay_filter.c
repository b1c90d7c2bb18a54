/* linuxptp's delay filters (ptp4l_delay_filter.h). Line references are to linuxptp v3.1.1;
 * v4.4 has the same code. */
#include "analyze/ptp4l_delay_filter.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

const char *ptp4l_filter_name(enum ptp4l_filter_type t)
{
	return t == PTP4L_MOVING_AVERAGE ? "moving_average" : "moving_median";
}

/* config.c delay_filter_enu[] */
bool ptp4l_filter_parse(const char *s, enum ptp4l_filter_type *t)
{
	if (!strcmp(s, "moving_average"))
		*t = PTP4L_MOVING_AVERAGE;
	else if (!strcmp(s, "moving_median"))
		*t = PTP4L_MOVING_MEDIAN;
	else
		return false;
	return true;
}

bool ptp4l_delay_filter_init(struct ptp4l_delay_filter *f, enum ptp4l_filter_type t, int len)
{
	memset(f, 0, sizeof(*f));
	if (len < 1)
		return false;
	f->type = t;
	f->len = len;
	f->samples = xcalloc((size_t)len, sizeof(*f->samples));
	f->order = xcalloc((size_t)len, sizeof(*f->order));
	return true;
}

void ptp4l_delay_filter_free(struct ptp4l_delay_filter *f)
{
	free(f->samples);
	free(f->order);
	memset(f, 0, sizeof(*f));
}

/* mmedian_reset() clears cnt and index; mave_reset() also the sum and the values. */
void ptp4l_delay_filter_reset(struct ptp4l_delay_filter *f)
{
	f->cnt = 0;
	f->index = 0;
	f->sum = 0;
	memset(f->samples, 0, (size_t)f->len * sizeof(*f->samples));
}

/* mmedian.c mmedian_sample(): insertion into an index list sorted by value; the oldest
 * sample's index is removed once the window is full. An even count returns the mean of the
 * two middle values with tmv_div(), i.e. C integer division (truncation towards zero). */
static int64_t moving_median(struct ptp4l_delay_filter *m, int64_t sample)
{
	int i;
	m->samples[m->index] = sample;
	if (m->cnt < m->len) {
		m->cnt++;
	} else {
		for (i = 0; i < m->cnt; i++)
			if (m->order[i] == m->index)
				break;
		for (; i + 1 < m->cnt; i++)
			m->order[i] = m->order[i + 1];
	}
	/* A new value equal to an older one goes after it (the "<= 0" in mmedian.c). */
	for (i = m->cnt - 1; i > 0; i--) {
		if (m->samples[m->order[i - 1]] <= m->samples[m->index])
			break;
		m->order[i] = m->order[i - 1];
	}
	m->order[i] = m->index;
	m->index = (1 + m->index) % m->len;
	if (m->cnt % 2)
		return m->samples[m->order[m->cnt / 2]];
	return (m->samples[m->order[m->cnt / 2 - 1]] + m->samples[m->order[m->cnt / 2]]) / 2;
}

/* mave.c mave_accumulate(): a running sum over the window, divided (integer division) by the
 * number of samples so far. */
static int64_t moving_average(struct ptp4l_delay_filter *m, int64_t val)
{
	m->sum -= m->samples[m->index];
	m->samples[m->index] = val;
	m->index = (1 + m->index) % m->len;
	m->sum += val;
	if (m->cnt < m->len)
		m->cnt++;
	return m->sum / m->cnt;
}

int64_t ptp4l_delay_filter_sample(struct ptp4l_delay_filter *f, int64_t raw_ns)
{
	return f->type == PTP4L_MOVING_AVERAGE ? moving_average(f, raw_ns) : moving_median(f, raw_ns);
}
