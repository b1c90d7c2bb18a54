/* Line parsers for the logs of the time daemons, and the importer that turns a log into a
 * `servo` dataset (docs/dataset-format.md). Formats checked against the daemons' sources:
 *
 * linuxptp (print.c, clock.c, phc2sys.c, port.c; v3.1.1, v4.0, v4.4 identical here):
 *   prefix   "ptp4l[1683.688]: " (-m, CLOCK_MONOTONIC s.ms) or, through syslog/journal,
 *            "... ptp4l[PID]: [1683.688] "; an optional message tag "[tag] " follows
 *   ptp4l    "master offset %10d s%d freq %+7.0f path delay %9d"
 *            "rms %4.0f max %4.0f freq %+6.0f +/- %3.0f[ delay %5.0f +/- %3.0f]"
 *            "port N: A to B on EVENT[ (reason)]"  (4.x: "port N (iface): ...")
 *   phc2sys  "DEVICE LABEL offset %9d s%d freq %+7.0f[ delay %6d]"
 *            "DEVICE rms %4.0f max %4.0f freq %+6.0f +/- %3.0f[ delay %5.0f +/- %3.0f]"
 *   sN is the servo state (servo.h): 0 unlocked, 1 jump, 2 locked, 3 locked stable (4.x).
 * chrony (reference.c, sourcestats.c, ntp_core.c; 3.5 to 4.8 identical; columns and signs as
 *   chrony.conf(5) "log" documents them): tracking.log, statistics.log, measurements.log,
 *   refclocks.log (refclock.c, "HH:MM:SS.ffffff"), "YYYY-MM-DD HH:MM:SS" UTC; banner lines
 *   ("====", "   Date (UTC) ...") skipped.
 * ntpsec (ntp_util.c record_peer_stats / record_loop_stats / record_raw_stats, NTPsec_1_2_2):
 *   "MJD SOD.mmm ..." (timespec_to_MJDtime: MJD_1970 = 40587); rawstats' t1..t4 are NTP
 *   timestamps (seconds since 1900, 9 decimals) and offset/delay follow ntp_proto.c receive():
 *   theta = ((t2 - t1) + (t3 - t4))/2, delta = |(t2 - t1) - (t3 - t4)|.
 * Sign: offset_ns is always local − reference (slave − master). ntpd and chrony's
 * measurements / refclocks print reference − local; their values are negated and the printed
 * value kept in daemon_offset_ns. */
#ifndef PTPCAL_LOG_IMPORT_H
#define PTPCAL_LOG_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lp_kind { LP_NONE, LP_SAMPLE, LP_SUMMARY, LP_PORT_STATE };

/* One linuxptp log line. */
struct lp_line {
	enum lp_kind kind;
	int64_t t_ns;      /* the daemon's CLOCK_MONOTONIC stamp (ms resolution) */
	char prog[32];     /* program name on the line ("ptp4l", "phc2sys"), "" if none */
	bool syslog_form;  /* "[1683.688] " after a syslog/journal prefix */
	bool phc2sys;      /* a phc2sys sample or summary (DEVICE first) */
	/* sample */
	int64_t offset_ns;
	int state;
	double freq_ppb;
	bool has_delay;
	int64_t delay_ns;
	/* summary (has_delay tells whether the delay part was there) */
	double rms_ns, max_abs_ns, freq_sd_ppb, delay_mean_ns, delay_sd_ns;
	/* phc2sys: DEVICE and LABEL ("sys", "phc") */
	char clock[64], label[16];
	/* port state change */
	int port;
	char port_iface[32], from[24], to[24], event[48];
};

/* 1: parsed (kind set); 0: not a line of interest (another message, not linuxptp);
 * -1: a sample / summary / port-state line that does not have the expected fields (why). */
int lp_parse_line(const char *line, struct lp_line *out, char *why, size_t whylen);

/* Exact "SEC[.FRAC]" (up to 9 fraction digits, no sign) to ns; false otherwise. end may be
 * NULL (then the whole string must be the number). */
bool parse_decimal_ns(const char *s, int64_t *ns, const char **end);

enum daemon_log {
	LOG_PTP4L,
	LOG_PHC2SYS,
	LOG_CHRONY,             /* tracking, statistics or measurements, told by the columns */
	LOG_CHRONY_TRACKING,
	LOG_CHRONY_STATISTICS,
	LOG_CHRONY_MEASUREMENTS,
	LOG_CHRONY_REFCLOCKS,
	LOG_NTPSEC_PEERSTATS,
	LOG_NTPSEC_LOOPSTATS,
	LOG_NTPSEC_RAWSTATS,
};
/* "ptp4l", "phc2sys", "chrony", "chrony-tracking", ..., "ntpsec-peerstats",
 * "ntpsec-loopstats"; false if unknown. */
bool daemon_log_from_name(const char *name, enum daemon_log *out);
const char *daemon_log_name(enum daemon_log f);

/* One row of a table log (chrony, ntpsec): time, offset (local − reference) and the
 * format's other columns in order (names from table_log_columns). */
#define TL_MAX_COLS 20
struct tl_row {
	enum daemon_log format; /* the specific format (never LOG_CHRONY) */
	int64_t t_ns;           /* UTC, POSIX ns */
	double offset_ns;       /* local − reference */
	int ncols;
	char cols[TL_MAX_COLS][48]; /* the other columns, converted to the units in their names */
};
/* Columns after t_s, offset_ns, state for a table format (NULL-terminated). */
const char *const *table_log_columns(enum daemon_log f);
/* 1 parsed, 0 a banner/blank line, -1 malformed (why). For LOG_CHRONY the format is told
 * from the number of fields. */
int tl_parse_line(enum daemon_log f, const char *line, struct tl_row *out, char *why,
		  size_t whylen);

/* Import a whole log into a servo dataset. Returns an exit code (common/log.h): 0, or 2 after
 * one error line (unreadable input, no rows). Counts go to *rows / *malformed if not NULL. */
struct import_stats {
	uint64_t lines, rows, samples, summaries, port_states, malformed, skipped_other_daemon;
};
int log_import(enum daemon_log f, const char *in_path, const char *out_path,
	       struct import_stats *st);

#endif
