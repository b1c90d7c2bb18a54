/* Plain series files for stability analysis: one value per line (phase in seconds, or
 * fractional frequency; the caller says which), as written by counters, Stable32, allantools
 * or `awk '{print $3}'`.
 *
 * Accepted: a decimal or exponent number per line, surrounded by blanks, optionally followed
 * by a '#' comment; lines that are blank up to a '#' are comments; CRLF line ends; blank
 * lines at the very end. Rejected with one line "FILE:LINE: reason" on stderr (log_err):
 * anything else on a line (garbage, two values, nan/inf, out-of-range numbers), a blank line
 * before the last value (a lost sample would silently shift every later time stamp), and a
 * file with no values. */
#ifndef PTPCAL_SERIES_IN_H
#define PTPCAL_SERIES_IN_H

#include <stddef.h>

struct value_series {
	double *v; /* malloc'd, n values */
	size_t n;
};

/* path "-" reads stdin. 0 with out filled, or -1 after printing why. */
int value_series_read(const char *path, struct value_series *out);
/* The same rules on a buffer of len bytes (NULs are garbage); name is used in messages. */
int value_series_parse(const char *buf, size_t len, const char *name, struct value_series *out);
void value_series_free(struct value_series *s);

#endif
