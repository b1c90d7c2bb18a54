/* Exact absolute time: integer nanoseconds since the epoch plus the sub-nanosecond part that
 * PTP's correctionField carries (units of 2^-16 ns, "scaled nanoseconds").
 *
 * Never a double: a double holds only ~0.2 us of resolution at today's epoch. Differences of
 * two times are exact int64 scaled nanoseconds as long as they are under 2^47 ns (~39 h);
 * durations and statistics derived from them may be doubles.
 *
 * Text form (datasets): "SEC.NNNNNNNNN" with exactly nine nanosecond digits, followed, only
 * when the sub-ns part is non-zero, by up to 16 more digits (2^-16 has a finite decimal
 * expansion, so the text is exact): 1700000000.123456789 or 1700000000.1234567895. */
#ifndef PTPCAL_PTIME_H
#define PTPCAL_PTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL
#define SNS_PER_NS 65536 /* scaled nanoseconds per nanosecond */

struct ptime {
	int64_t ns;    /* nanoseconds since the epoch of its timescale */
	uint16_t frac; /* plus frac * 2^-16 ns, 0..65535 */
};

/* Characters ptime_format needs at most, including the terminating NUL. */
#define PTIME_STRLEN 48

static inline struct ptime ptime_from_ns(int64_t ns)
{
	struct ptime t = { ns, 0 };
	return t;
}

/* The three below are inline: the pairer calls them several times per packet. */

/* From a PTP wire timestamp (48-bit seconds, 32-bit ns). False if out of range (ns >= 1e9,
 * or seconds >= 2^33, the year 2242, which keeps int64 headroom for any correction). */
static inline bool ptime_from_wire(uint64_t sec, uint32_t nsec, struct ptime *out)
{
	if (nsec >= NS_PER_SEC || sec >= (UINT64_C(1) << 33))
		return false;
	out->ns = (int64_t)sec * NS_PER_SEC + nsec;
	out->frac = 0;
	return true;
}

/* t + delta, delta in scaled nanoseconds (PTP correctionField units). */
static inline struct ptime ptime_add_sns(struct ptime t, int64_t delta_sns)
{
	/* Split delta into whole ns (floor) and a non-negative fraction, then carry. */
	int64_t whole = delta_sns >> 16; /* arithmetic shift: floor division by 65536 */
	int64_t frac = delta_sns & 0xffff;
	int64_t f = (int64_t)t.frac + frac;
	t.ns += whole + (f >> 16);
	t.frac = (uint16_t)(f & 0xffff);
	return t;
}

/* Largest |difference| in ns whose scaled value fits an int64 with margin: 2^47 ns. */
#define PTIME_DIFF_LIMIT_NS (INT64_C(1) << 47)

/* a - b in scaled nanoseconds. False if the difference does not fit (|a-b| >= 2^47 ns). */
static inline bool ptime_diff_sns(struct ptime a, struct ptime b, int64_t *out)
{
	int64_t dns;
	if (__builtin_sub_overflow(a.ns, b.ns, &dns) || dns >= PTIME_DIFF_LIMIT_NS ||
	    dns <= -PTIME_DIFF_LIMIT_NS)
		return false;
	*out = dns * SNS_PER_NS + ((int64_t)a.frac - (int64_t)b.frac);
	return true;
}

/* a - b in nanoseconds as a double (for statistics); exact to 2^-16 ns below 2^37 ns. */
double ptime_diff_ns(struct ptime a, struct ptime b);

static inline int ptime_cmp(struct ptime a, struct ptime b)
{
	if (a.ns != b.ns)
		return a.ns < b.ns ? -1 : 1;
	if (a.frac != b.frac)
		return a.frac < b.frac ? -1 : 1;
	return 0;
}
static inline bool ptime_is_zero(struct ptime t)
{
	return t.ns == 0 && t.frac == 0;
}

/* Exact text form; returns the length written (buf must hold PTIME_STRLEN). */
int ptime_format(struct ptime t, char *buf);

/* Parse the exact text form (also accepts fewer than nine ns digits, a leading '-', and an
 * integer without a point). Sub-ns digits beyond 2^-16 ns resolution are rounded to the
 * nearest 2^-16 ns. Returns false on anything else. `end`, if not NULL, receives the first
 * unparsed character; without it the whole string must be consumed. */
bool ptime_parse(const char *s, struct ptime *out, const char **end);

static inline struct ptime ptime_from_timespec(struct timespec ts)
{
	return ptime_from_ns((int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec);
}

/* Scaled nanoseconds to nanoseconds as a double. */
static inline double sns_to_ns(int64_t sns)
{
	return (double)sns / SNS_PER_NS;
}

#endif
