/* TAI - UTC at a given time, from the IERS/NIST leap-seconds.list that tzdata installs
 * (/usr/share/zoneinfo/leap-seconds.list): never a literal 37. Format (the file's own header):
 * lines "NTP-seconds<ws>TAI-UTC<ws># comment", NTP seconds counted from 1900-01-01; "#@ NTP"
 * is the expiry date; other lines starting with '#' are comments. */
#ifndef PTPCAL_LEAPSEC_H
#define PTPCAL_LEAPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEAPSEC_DEFAULT_PATH "/usr/share/zoneinfo/leap-seconds.list"
#define LEAPSEC_MAX 64
#define NTP_UNIX_OFFSET 2208988800LL /* seconds from 1900-01-01 to 1970-01-01 */

struct leapsec {
	size_t n;
	int64_t since_unix[LEAPSEC_MAX]; /* UTC (POSIX seconds) from which ... */
	int tai_utc[LEAPSEC_MAX];        /* ... TAI - UTC is this */
	int64_t expires_unix;            /* 0 if the file has no "#@" line */
};

/* Parses the text (len bytes, need not be NUL-terminated). false on a malformed entry, no
 * entry, or entries out of order. */
bool leapsec_parse(const char *text, size_t len, struct leapsec *out);
/* Reads a file; false (quietly: the caller decides how to report it) if unreadable. */
bool leapsec_load(const char *path, struct leapsec *out);
/* TAI - UTC in seconds at unix time t; false before the first entry. */
bool leapsec_tai_utc(const struct leapsec *ls, int64_t unix_s, int *out);

#endif
