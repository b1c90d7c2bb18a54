/* See units.h. */
#include "report/units.h"

#include <math.h>
#include <stddef.h>

struct si_unit units_for_ns(double mag_ns)
{
	double a = fabs(mag_ns);
	struct si_unit u = { 1, "ns" };
	if (!isfinite(a))
		return u;
	/* Switch up at 1000 of the smaller unit, so that tics read 0..999 and never 1000 ns. */
	if (a >= 1e9) {
		u.div = 1e9;
		u.name = "s";
	} else if (a >= 1e6) {
		u.div = 1e6;
		u.name = "ms";
	} else if (a >= 1e3) {
		u.div = 1e3;
		u.name = "\xc2\xb5s";
	}
	return u;
}

struct time_axis units_time_axis(double duration_s, bool have_start, int64_t start_ns)
{
	struct time_axis a = { AXIS_SECONDS, 1, "time since start (s)", NULL };
	if (!isfinite(duration_s) || duration_s <= 180)
		return a;
	if (have_start && duration_s > 3600) {
		a.kind = AXIS_DATES;
		a.div = 1;
		a.label = "time (UTC)";
		/* Same UTC day at both ends: times only; otherwise the date too. */
		int64_t d0 = start_ns / (86400LL * 1000000000LL);
		int64_t d1 = (start_ns + (int64_t)(duration_s * 1e9)) / (86400LL * 1000000000LL);
		a.timefmt = d0 == d1 ? "%H:%M" : "%d %b\\n%H:%M";
		return a;
	}
	if (duration_s <= 3 * 3600) {
		a.kind = AXIS_MINUTES;
		a.div = 60;
		a.label = "time since start (min)";
		return a;
	}
	a.kind = AXIS_HOURS;
	a.div = 3600;
	a.label = "time since start (h)";
	return a;
}
