/* The IERS/NIST leap-seconds.list file: TAI−UTC at any time since 1972 and the file's expiry.
 *
 * Format (checked against ntpsec ntpd/ntp_leapsec.c, NTPsec_1_2_2, leapsec_load and
 * leapsec_validate, and against the file's own comments):
 *   "NTPSECONDS  DTAI  # comment"   data line: from NTP time NTPSECONDS (seconds since
 *                                   1900-01-01, no leap seconds counted) on, TAI−UTC = DTAI;
 *                                   each at 00:00:00 UTC on the 1st of a month, strictly
 *                                   ascending
 *   "#$ NTPSECONDS"                 last update of the file
 *   "#@ NTPSECONDS"                 expiry: after it the file says nothing about new leaps
 *   "#h H1 H2 H3 H4 H5"             SHA-1 (five 32-bit hex words) of the decimal digits of the
 *                                   "#$", "#@" and data lines, each up to its first '#'
 *   other "#" lines                 comments
 * As ntpsec does, a file without "#h" loads (hash LEAP_HASH_NONE); a malformed or mismatching
 * hash refuses the file. Times here are POSIX seconds (UTC, leap seconds not counted). */
#ifndef PTPCAL_LEAPFILE_H
#define PTPCAL_LEAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEAPFILE_DEFAULT "/usr/share/zoneinfo/leap-seconds.list"
/* Seconds from the NTP era 0 epoch (1900-01-01) to the POSIX epoch: ntpsec JAN_1970. */
#define LEAP_NTP_TO_UNIX 2208988800LL

enum leap_hash {
	LEAP_HASH_NONE,  /* no "#h" line: loaded, but unverified */
	LEAP_HASH_GOOD,  /* "#h" matches the file's contents */
};

struct leap_entry {
	int64_t since;  /* POSIX seconds (UTC) from which TAI−UTC = tai_utc */
	int tai_utc;    /* seconds */
};

struct leapfile {
	int64_t updated;  /* "#$" in POSIX seconds, 0 if the file has none */
	int64_t expires;  /* "#@" in POSIX seconds, 0 if the file has none */
	enum leap_hash hash;
	int n;
	struct leap_entry *entries; /* ascending */
};

/* Parse a whole file held in memory. On failure: false, out is empty and err holds
 * "NAME:LINE: reason" (or "NAME: reason"). */
bool leapfile_parse(const char *name, const char *text, size_t len, struct leapfile *out,
		    char *err, size_t errsz);
/* Read and parse a file (LEAPFILE_DEFAULT when path is NULL). Same errors, plus the system's. */
bool leapfile_load(const char *path, struct leapfile *out, char *err, size_t errsz);
void leapfile_free(struct leapfile *lf);

/* TAI−UTC in seconds at POSIX time t. False before the first entry (1972-01-01: before it
 * TAI−UTC was not an integer). Past the expiry the last value is returned; check
 * leapfile_expired() to know whether it may be stale. */
bool leapfile_tai_utc(const struct leapfile *lf, int64_t t, int *tai_utc);
/* True when t is at or after the expiry (ntpsec leapsec_expired: when >= expire). A file
 * without "#@" is treated as expired: nothing says how long it is good for. */
bool leapfile_expired(const struct leapfile *lf, int64_t t);
/* The first entry strictly after t (an announced leap), or NULL. */
const struct leap_entry *leapfile_next(const struct leapfile *lf, int64_t t);

#endif
