/* Units for plot axes and tables: an SI prefix so that the numbers shown are 1..999 (ns, µs,
 * ms, s for time values given in ns), and the kind of time axis a run's length calls for
 * (seconds, minutes or hours since the start; UTC dates and times for runs longer than an
 * hour whose absolute start is known). */
#ifndef PTPCAL_REPORT_UNITS_H
#define PTPCAL_REPORT_UNITS_H

#include <stdbool.h>
#include <stdint.h>

struct si_unit {
	double div;        /* value_ns / div is what is shown */
	const char *name;  /* "ns", "µs" (UTF-8), "ms", "s" */
};

/* The unit for time values (ns) whose largest magnitude is mag_ns (NaN or 0: ns). */
struct si_unit units_for_ns(double mag_ns);

enum time_axis_kind { AXIS_SECONDS, AXIS_MINUTES, AXIS_HOURS, AXIS_DATES };

struct time_axis {
	enum time_axis_kind kind;
	double div;          /* relative seconds / div (1 for AXIS_DATES: epoch seconds) */
	const char *label;   /* axis label, e.g. "time since start (min)", "time (UTC)" */
	const char *timefmt; /* strftime-style tic format for AXIS_DATES, else NULL */
};

/* Runs up to 3 min in seconds, up to 3 h in minutes (or dates when have_start and longer
 * than 1 h), longer ones in hours (dates when have_start). Dates carry the day when the run
 * spans more than one. */
struct time_axis units_time_axis(double duration_s, bool have_start, int64_t start_ns);

#endif
