/* Daemon log importers (formats and sources in log_import.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/log_import.h"
#include "common/dataset.h"
#include "common/log.h"
#include "common/textin.h"
#include "lab/infile.h"

#define NS 1000000000LL
/* NTP era 0 (1900) to the POSIX epoch, ns (ntpsec JAN_1970). */
#define LEAP_NTP_EPOCH_NS (2208988800LL * NS)
#define MAX_TOK 24

bool parse_decimal_ns(const char *s, int64_t *ns, const char **end)
{
	const char *p = s;
	int64_t sec = 0, frac = 0;
	int nd = 0;
	while (isdigit((unsigned char)*p)) {
		if (++nd > 12) /* up to year ~33000 in seconds */
			return false;
		sec = sec * 10 + (*p++ - '0');
	}
	if (!nd)
		return false;
	if (*p == '.') {
		p++;
		int fd = 0;
		while (isdigit((unsigned char)*p)) {
			if (fd < 9) {
				frac = frac * 10 + (*p - '0');
				fd++;
			} else if (fd >= 9) {
				return false; /* more than ns: not a form these daemons print */
			}
			p++;
		}
		if (!fd)
			return false;
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (end)
		*end = p;
	else if (*p)
		return false;
	if (sec > (INT64_MAX - (NS - 1)) / NS)
		return false; /* beyond int64 ns (year 2262; a fuzz_import_linuxptp find, UBSan) */
	*ns = sec * NS + frac;
	return true;
}

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t len, const char *fmt, ...)
{
	if (why && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Split into whitespace-separated tokens (in place); returns their number (at most max). */
static int tokenize(char *s, char **tok, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return max + 1;
		tok[n++] = t;
	}
	return n;
}

static bool tok_i64(const char *s, int64_t *v)
{
	return parse_i64_strict(s, v);
}

static bool tok_double(const char *s, double *v)
{
	/* linuxptp prints NaN statistics as "nan" / "-nan": accept them. */
	if (!strcmp(s, "-nan") || !strcmp(s, "+nan")) {
		*v = NAN;
		return true;
	}
	return parse_double_strict(s, v);
}

/* "s2" -> 2 */
static bool tok_state(const char *s, int *st)
{
	if (s[0] != 's' || !isdigit((unsigned char)s[1]) || s[2])
		return false;
	*st = s[1] - '0';
	return true;
}

/* Where the message starts: after "PROG[SEC.MS]: " or after "[SEC.MS] " that follows a
 * syslog prefix ("... PROG[PID]: ") or begins the line. */
static const char *lp_message(const char *line, struct lp_line *out)
{
	for (const char *b = strchr(line, '['); b; b = strchr(b + 1, '[')) {
		int64_t t;
		const char *e;
		if (!parse_decimal_ns(b + 1, &t, &e) || !strchr(b + 1, '.') || e[0] != ']')
			continue;
		if ((size_t)(e - (b + 1)) > 24 || !memchr(b + 1, '.', (size_t)(e - (b + 1))))
			continue;
		if (e[1] == ':' && e[2] == ' ') {
			/* "PROG[SEC.MS]: " */
			const char *p = b;
			while (p > line && !isspace((unsigned char)p[-1]))
				p--;
			size_t n = (size_t)(b - p);
			if (n >= sizeof(out->prog))
				n = sizeof(out->prog) - 1;
			memcpy(out->prog, p, n);
			out->prog[n] = '\0';
			out->t_ns = t;
			return e + 3;
		}
		if (e[1] == ' ' && (b == line || (b >= line + 2 && b[-1] == ' ' && b[-2] == ':'))) {
			/* syslog: "host ptp4l[1234]: [SEC.MS] msg" */
			out->syslog_form = true;
			out->t_ns = t;
			if (b > line) {
				const char *q = b - 2; /* the ':' */
				if (q > line && q[-1] == ']') {
					const char *o = q - 1;
					while (o > line && o[-1] != '[')
						o--;
					if (o > line + 1) { /* o - 1 is the '[' of "[PID]" */
						const char *pe = o - 1;
						const char *ps = pe;
						while (ps > line && !isspace((unsigned char)ps[-1]))
							ps--;
						size_t n = (size_t)(pe - ps);
						if (n < sizeof(out->prog)) {
							memcpy(out->prog, ps, n);
							out->prog[n] = '\0';
						}
					}
				}
			}
			return e + 2;
		}
	}
	return NULL;
}

static void copy_word(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

int lp_parse_line(const char *line, struct lp_line *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	out->state = -1;
	out->delay_ns = 0;
	const char *msg = lp_message(line, out);
	if (!msg)
		return 0;
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", msg);
	char *tok[MAX_TOK + 1];
	int n = tokenize(buf, tok, MAX_TOK);
	char **t = tok;
	/* A message tag (-m with message_tag, e.g. "[eth0]") comes first. */
	if (n > 0 && t[0][0] == '[' && t[0][strlen(t[0]) - 1] == ']') {
		t++;
		n--;
	}
	if (n >= 2 && !strcmp(t[0], "master") && !strcmp(t[1], "offset")) {
		/* clock.c: "master offset %10d s%d freq %+7.0f path delay %9d" */
		if (n != 9 || !tok_i64(t[2], &out->offset_ns) || !tok_state(t[3], &out->state) ||
		    strcmp(t[4], "freq") || !tok_double(t[5], &out->freq_ppb) || strcmp(t[6], "path") ||
		    strcmp(t[7], "delay") || !tok_i64(t[8], &out->delay_ns))
			return bad(why, whylen, "want 'master offset N sN freq F path delay D'");
		out->has_delay = true;
		out->kind = LP_SAMPLE;
		return 1;
	}
	int r = 0; /* index of "rms" */
	if (n >= 1 && !strcmp(t[0], "rms"))
		r = 0;
	else if (n >= 2 && !strcmp(t[1], "rms"))
		r = 1;
	else
		r = -1;
	if (r >= 0) {
		/* "[DEVICE ]rms %4.0f max %4.0f freq %+6.0f +/- %3.0f[ delay %5.0f +/- %3.0f]" */
		int m = n - r;
		double mean_freq;
		if ((m != 8 && m != 12) || !tok_double(t[r + 1], &out->rms_ns) ||
		    strcmp(t[r + 2], "max") || !tok_double(t[r + 3], &out->max_abs_ns) ||
		    strcmp(t[r + 4], "freq") || !tok_double(t[r + 5], &mean_freq) ||
		    strcmp(t[r + 6], "+/-") || !tok_double(t[r + 7], &out->freq_sd_ppb))
			return bad(why, whylen, "want 'rms R max M freq F +/- S [delay D +/- S]'");
		if (m == 12) {
			if (strcmp(t[r + 8], "delay") || !tok_double(t[r + 9], &out->delay_mean_ns) ||
			    strcmp(t[r + 10], "+/-") || !tok_double(t[r + 11], &out->delay_sd_ns))
				return bad(why, whylen, "want 'rms R max M freq F +/- S [delay D +/- S]'");
			out->has_delay = true;
		}
		out->freq_ppb = mean_freq;
		if (r == 1) {
			out->phc2sys = true;
			copy_word(out->clock, sizeof(out->clock), t[0]);
		}
		out->kind = LP_SUMMARY;
		return 1;
	}
	if (n >= 3 && !strcmp(t[2], "offset")) {
		/* phc2sys.c: "%s %s offset %9d s%d freq %+7.0f[ delay %6d]" */
		if ((n != 7 && n != 9) || !tok_i64(t[3], &out->offset_ns) ||
		    !tok_state(t[4], &out->state) || strcmp(t[5], "freq") ||
		    !tok_double(t[6], &out->freq_ppb))
			return bad(why, whylen, "want 'DEVICE LABEL offset N sN freq F [delay D]'");
		if (n == 9) {
			if (strcmp(t[7], "delay") || !tok_i64(t[8], &out->delay_ns))
				return bad(why, whylen, "want 'DEVICE LABEL offset N sN freq F [delay D]'");
			out->has_delay = true;
		}
		out->phc2sys = true;
		copy_word(out->clock, sizeof(out->clock), t[0]);
		copy_word(out->label, sizeof(out->label), t[1]);
		out->kind = LP_SAMPLE;
		return 1;
	}
	if (n >= 2 && !strcmp(t[0], "port")) {
		/* port.c: "port %hu: A to B on EV[ (reason)]" (3.x), "port %d (IF): ..." (4.x) */
		int i = 1;
		char num[16];
		copy_word(num, sizeof(num), t[1]);
		size_t l = strlen(num);
		bool colon = l > 0 && num[l - 1] == ':';
		if (colon)
			num[l - 1] = '\0';
		int64_t pn;
		if (!tok_i64(num, &pn) || pn < 0 || pn > 65535)
			return 0;
		i = 2;
		if (!colon) {
			/* "(eth0):" */
			if (n < 3 || t[2][0] != '(' || strlen(t[2]) < 4 || strcmp(t[2] + strlen(t[2]) - 2, "):"))
				return 0;
			snprintf(out->port_iface, sizeof(out->port_iface), "%.*s", (int)(strlen(t[2]) - 3),
				 t[2] + 1);
			i = 3;
		}
		if (n - i < 5 || strcmp(t[i + 1], "to") || strcmp(t[i + 3], "on"))
			return 0; /* another port message ("new foreign master", ...) */
		/* States are upper-case words (port.c ps_str). */
		for (const char *c = t[i]; *c; c++)
			if (!isupper((unsigned char)*c) && *c != '_')
				return 0;
		out->port = (int)pn;
		copy_word(out->from, sizeof(out->from), t[i]);
		copy_word(out->to, sizeof(out->to), t[i + 2]);
		copy_word(out->event, sizeof(out->event), t[i + 4]);
		out->kind = LP_PORT_STATE;
		return 1;
	}
	return 0;
}

/* ---- table logs (chrony, ntpsec) ---- */

static const char *const cols_tracking[] = {
	"reference", "stratum", "freq_ppb", "freq_skew_ppb", "leap", "sources",
	"offset_sd_ns", "remaining_corr_ns", "root_delay_ns", "root_dispersion_ns",
	"max_error_ns", NULL
};
static const char *const cols_statistics[] = {
	"source", "std_dev_ns", "offset_sd_ns", "freq_ppb", "freq_skew_ppb", "stress",
	"samples", "start_index", "runs", "asymmetry", NULL
};
static const char *const cols_measurements[] = {
	"source", "daemon_offset_ns", "leap", "stratum", "tests_123", "tests_567", "tests_abcd",
	"poll_local", "poll_remote", "score", "delay_ns", "dispersion_ns", "root_delay_ns",
	"root_dispersion_ns", "refid", "mode", "tx_timestamp_src", "rx_timestamp_src", NULL
};
static const char *const cols_refclocks[] = {
	"refid", "filtered", "poll_seq", "leap", "pulse", "raw_offset_ns", "daemon_offset_ns",
	"dispersion_ns", NULL
};
static const char *const cols_peerstats[] = {
	"peer", "daemon_offset_ns", "status", "delay_ns", "dispersion_ns", "jitter_ns", NULL
};
static const char *const cols_rawstats[] = {
	"peer", "dst", "t1", "t2", "t3", "t4", "daemon_offset_ns", "delay_ns", "leap", "version",
	"mode", "stratum", "ppoll", "precision", "root_delay_ns", "root_dispersion_ns", "refid",
	"outcount", "bogons", "flag", NULL
};
static const char *const cols_loopstats[] = {
	"daemon_offset_ns", "freq_ppb", "jitter_ns", "wander_ppb", "poll_log2", NULL
};

const char *const *table_log_columns(enum daemon_log f)
{
	switch (f) {
	case LOG_CHRONY_TRACKING: return cols_tracking;
	case LOG_CHRONY_STATISTICS: return cols_statistics;
	case LOG_CHRONY_MEASUREMENTS: return cols_measurements;
	case LOG_CHRONY_REFCLOCKS: return cols_refclocks;
	case LOG_NTPSEC_PEERSTATS: return cols_peerstats;
	case LOG_NTPSEC_LOOPSTATS: return cols_loopstats;
	case LOG_NTPSEC_RAWSTATS: return cols_rawstats;
	default: return NULL;
	}
}

static const struct {
	const char *name;
	enum daemon_log f;
} log_names[] = {
	{ "ptp4l", LOG_PTP4L },
	{ "phc2sys", LOG_PHC2SYS },
	{ "chrony", LOG_CHRONY },
	{ "chrony-tracking", LOG_CHRONY_TRACKING },
	{ "chrony-statistics", LOG_CHRONY_STATISTICS },
	{ "chrony-measurements", LOG_CHRONY_MEASUREMENTS },
	{ "chrony-refclocks", LOG_CHRONY_REFCLOCKS },
	{ "ntpsec-peerstats", LOG_NTPSEC_PEERSTATS },
	{ "ntpsec-loopstats", LOG_NTPSEC_LOOPSTATS },
	{ "ntpsec-rawstats", LOG_NTPSEC_RAWSTATS },
};

bool daemon_log_from_name(const char *name, enum daemon_log *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (!strcmp(name, log_names[i].name)) {
			*out = log_names[i].f;
			return true;
		}
	return false;
}

const char *daemon_log_name(enum daemon_log f)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (log_names[i].f == f)
			return log_names[i].name;
	return "?";
}

static void put_col(struct tl_row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_col(struct tl_row *r, const char *fmt, ...)
{
	if (r->ncols >= TL_MAX_COLS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->cols[r->ncols++], sizeof(r->cols[0]), fmt, ap);
	va_end(ap);
}

/* A number in seconds, written in ns with 3 decimals (1 ps). */
static bool put_s_as_ns(struct tl_row *r, const char *tok, double *val)
{
	double v;
	if (!tok_double(tok, &v))
		return false;
	if (val)
		*val = v * 1e9;
	put_col(r, "%.3f", v * 1e9);
	return true;
}

static bool put_num(struct tl_row *r, const char *tok, double scale)
{
	double v;
	if (!tok_double(tok, &v))
		return false;
	put_col(r, "%.10g", v * scale);
	return true;
}

static bool put_int(struct tl_row *r, const char *tok)
{
	int64_t v;
	if (!tok_i64(tok, &v))
		return false;
	put_col(r, "%lld", (long long)v);
	return true;
}

/* A string column: no tabs (tokens have none), "-" if empty. */
static void put_word(struct tl_row *r, const char *tok)
{
	put_col(r, "%s", tok && tok[0] ? tok : "-");
}

/* chrony UTI_TimeToLogForm: "%Y-%m-%d %H:%M:%S", UTC. */
static bool chrony_time(const char *d, const char *t, int64_t *ns)
{
	int Y, M, D, h, m, s;
	char extra;
	if (sscanf(d, "%4d-%2d-%2d%c", &Y, &M, &D, &extra) != 3 ||
	    sscanf(t, "%2d:%2d:%2d%c", &h, &m, &s, &extra) != 3)
		return false;
	if (strlen(d) != 10 || strlen(t) != 8 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 ||
	    m > 59 || s > 60 || Y < 1970)
		return false;
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
			 .tm_min = m, .tm_sec = s };
	time_t tt = timegm(&tm);
	if (tt == (time_t)-1 || tt > INT64_MAX / NS)
		return false; /* years after 2262 do not fit int64 ns (UBSan, fuzz_import_chrony) */
	*ns = (int64_t)tt * NS;
	return true;
}

/* ntpsec timespec_to_MJDtime: "MJD SOD.mmm". */
static bool ntp_mjd_time(const char *mjd, const char *sod, int64_t *ns)
{
	int64_t day, s;
	/* 106750 days after 1970: the last whole day int64 ns holds (2262) */
	if (!tok_i64(mjd, &day) || day < 40587 || day > 40587 + 106750)
		return false;
	if (!parse_decimal_ns(sod, &s, NULL) || s >= 86401 * NS)
		return false;
	*ns = (day - 40587) * 86400 * NS + s;
	return true;
}

static bool is_banner(char **t, int n)
{
	/* chrony logging.c: a line of '=' and the column header "   Date (UTC) Time ..." */
	return n == 0 || t[0][0] == '=' || (n >= 2 && !strcmp(t[0], "Date") && !strcmp(t[1], "(UTC)"));
}

int tl_parse_line(enum daemon_log f, const char *line, struct tl_row *out, char *why,
		  size_t whylen)
{
	memset(out, 0, sizeof(*out));
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", line);
	char *t[MAX_TOK + 1];
	int n = tokenize(buf, t, MAX_TOK);
	if (f == LOG_CHRONY || f == LOG_CHRONY_TRACKING || f == LOG_CHRONY_STATISTICS ||
	    f == LOG_CHRONY_MEASUREMENTS || f == LOG_CHRONY_REFCLOCKS) {
		if (is_banner(t, n))
			return 0;
		if (f == LOG_CHRONY)
			f = n == 14 ? LOG_CHRONY_TRACKING : n == 13 ? LOG_CHRONY_STATISTICS :
			    n == 20 ? LOG_CHRONY_MEASUREMENTS : n == 9 ? LOG_CHRONY_REFCLOCKS : LOG_CHRONY;
		if (f == LOG_CHRONY)
			return bad(why, whylen, "%d fields: not a chrony tracking (14), statistics (13), "
					     "measurements (20) or refclocks (9) line", n);
		/* refclocks.log: "HH:MM:SS.ffffff" (refclock.c "%s.%06d") */
		char hms[16] = "";
		int64_t us = 0;
		const char *tm = n > 1 ? t[1] : "";
		if (f == LOG_CHRONY_REFCLOCKS) {
			const char *dot = strchr(tm, '.');
			if (!dot || dot - tm != 8 || strlen(dot + 1) != 6 || !tok_i64(dot + 1, &us) || us < 0)
				return bad(why, whylen, "want a time 'HH:MM:SS.ffffff'");
			memcpy(hms, tm, 8);
			tm = hms;
		}
		if (!chrony_time(t[0], tm, &out->t_ns))
			return bad(why, whylen, "want a date and time 'YYYY-MM-DD HH:MM:SS'");
		out->t_ns += us * 1000;
	} else {
		if (n == 0)
			return 0;
		if (n < 2 || !ntp_mjd_time(t[0], t[1], &out->t_ns))
			return bad(why, whylen, "want 'MJD SECONDS.mmm' first");
	}
	out->format = f;
	bool ok = true;
	double v = NAN;
	switch (f) {
	case LOG_CHRONY_TRACKING:
		/* reference.c: "%s %-15s %2d %10.3f %10.3f %10.3e %1c %2d %10.3e*5" */
		if (n != 14)
			return bad(why, whylen, "chrony tracking: %d fields, want 14", n);
		put_word(out, t[2]);
		ok = put_int(out, t[3]) && put_num(out, t[4], 1e3) && put_num(out, t[5], 1e3);
		/* offset: "positive indicates the clock is fast of UTC" = local − reference */
		ok = ok && tok_double(t[6], &v);
		out->offset_ns = v * 1e9;
		put_word(out, t[7]);
		ok = ok && put_int(out, t[8]) && put_s_as_ns(out, t[9], NULL) &&
		     put_s_as_ns(out, t[10], NULL) && put_s_as_ns(out, t[11], NULL) &&
		     put_s_as_ns(out, t[12], NULL) && put_s_as_ns(out, t[13], NULL);
		if (strlen(t[7]) != 1 || !strchr("N+-?", t[7][0]))
			ok = false;
		break;
	case LOG_CHRONY_STATISTICS:
		/* sourcestats.c: "%s %-15s %10.3e*5 %7.1e %3d %3d %3d %5.2f" */
		if (n != 13)
			return bad(why, whylen, "chrony statistics: %d fields, want 13", n);
		put_word(out, t[2]);
		ok = put_s_as_ns(out, t[3], NULL) && tok_double(t[4], &v);
		/* "positive means the local clock is estimated to be fast" = local − source */
		out->offset_ns = v * 1e9;
		/* rate: s/s, "positive means the local clock is gaining" -> ppb */
		ok = ok && put_s_as_ns(out, t[5], NULL) && put_num(out, t[6], 1e9) &&
		     put_num(out, t[7], 1e9) && put_num(out, t[8], 1) && put_int(out, t[9]) &&
		     put_int(out, t[10]) && put_int(out, t[11]) && put_num(out, t[12], 1);
		break;
	case LOG_CHRONY_MEASUREMENTS:
		/* ntp_core.c: "%s %-15s %1c %2d %1d%1d%1d %1d%1d%1d %1d%1d%1d%d  %2d %2d %4.2f
		 * %10.3e*5 %08X %1d%1c %1c %1c" */
		if (n != 20)
			return bad(why, whylen, "chrony measurements: %d fields, want 20", n);
		put_word(out, t[2]);
		/* theta: "positive indicates that the local clock is slow" = reference − local */
		ok = tok_double(t[9 + 2], &v);
		out->offset_ns = -v * 1e9;
		put_col(out, "%.3f", v * 1e9);
		put_word(out, t[3]);
		ok = ok && put_int(out, t[4]);
		put_word(out, t[5]);
		put_word(out, t[6]);
		put_word(out, t[7]);
		ok = ok && put_int(out, t[8]) && put_int(out, t[9]) && put_num(out, t[10], 1) &&
		     put_s_as_ns(out, t[12], NULL) && put_s_as_ns(out, t[13], NULL) &&
		     put_s_as_ns(out, t[14], NULL) && put_s_as_ns(out, t[15], NULL);
		put_word(out, t[16]);
		put_word(out, t[17]);
		put_word(out, t[18]);
		put_word(out, t[19]);
		break;
	case LOG_CHRONY_REFCLOCKS:
		/* refclock.c: raw "%s.%06d %-5s %3d %1c %1d %13.6e %13.6e %10.3e", filtered
		 * "%s.%06d %-5s   - %1c -       -       %13.6e %10.3e". Cooked offset: "positive
		 * indicates that the local clock is slow" = reference − local. */
		if (n != 9)
			return bad(why, whylen, "chrony refclocks: %d fields, want 9", n);
		put_word(out, t[2]);
		{
			bool filtered = !strcmp(t[3], "-");
			put_col(out, "%d", filtered);
			if (filtered) {
				put_word(out, "-");
				ok = !strcmp(t[5], "-") && !strcmp(t[6], "-");
			} else {
				ok = put_int(out, t[3]);
			}
			put_word(out, t[4]);
			if (filtered) {
				put_word(out, "-");
				put_col(out, "nan");
			} else {
				ok = ok && put_int(out, t[5]) && put_s_as_ns(out, t[6], NULL);
			}
		}
		ok = ok && tok_double(t[7], &v);
		out->offset_ns = -v * 1e9;
		put_col(out, "%.3f", v * 1e9);
		ok = ok && put_s_as_ns(out, t[8], NULL);
		if (strlen(t[4]) != 1 || !strchr("N+-?", t[4][0]))
			ok = false;
		break;
	case LOG_NTPSEC_PEERSTATS:
		/* ntp_util.c: "%s %s %x %.9f %.9f %.9f %.9f" (time, peer, status, offset, delay,
		 * dispersion, jitter); offset = theta = reference − local */
		if (n != 8)
			return bad(why, whylen, "ntpsec peerstats: %d fields, want 8", n);
		put_word(out, t[2]);
		ok = tok_double(t[4], &v);
		out->offset_ns = -v * 1e9;
		put_col(out, "%.3f", v * 1e9);
		{
			char *e;
			errno = 0;
			unsigned long st = strtoul(t[3], &e, 16);
			if (*e || errno || st > 0xffff || !isxdigit((unsigned char)t[3][0]))
				ok = false;
			put_col(out, "%04lx", st);
		}
		ok = ok && put_s_as_ns(out, t[5], NULL) && put_s_as_ns(out, t[6], NULL) &&
		     put_s_as_ns(out, t[7], NULL);
		break;
	case LOG_NTPSEC_RAWSTATS: {
		/* ntp_util.c: "%s %s %s %s %s %s %s %d %d %d %d %d %d %.6f %.6f %s %u %u %x": time,
		 * peer, dst, t1 (our send), t2 (server receive), t3 (server send), t4 (our
		 * receive) as NTP seconds, leap, version, mode, stratum, ppoll, precision, root
		 * delay, root dispersion, refid, outcount, bogons, flag (0: the packet was used) */
		if (n != 20)
			return bad(why, whylen, "ntpsec rawstats: %d fields, want 20", n);
		put_word(out, t[2]);
		put_word(out, t[3]);
		int64_t ts[4];
		for (int i = 0; i < 4; i++) {
			int64_t ntp;
			if (!parse_decimal_ns(t[4 + i], &ntp, NULL) || ntp < LEAP_NTP_EPOCH_NS)
				return bad(why, whylen, "ntpsec rawstats: t%d '%s' is not an NTP time after 1970",
					   i + 1, t[4 + i]);
			ts[i] = ntp - LEAP_NTP_EPOCH_NS;
			char b[PTIME_STRLEN];
			ptime_format(ptime_from_ns(ts[i]), b);
			put_col(out, "%s", b);
		}
		/* In integer ns: t21 and t34 are differences of nearby times. */
		int64_t t21 = ts[1] - ts[0], t34 = ts[2] - ts[3];
		double theta = (double)(t21 + t34) / 2.0;
		out->offset_ns = -theta; /* theta = reference - local */
		put_col(out, "%.1f", theta);
		put_col(out, "%lld", (long long)llabs(t21 - t34));
		ok = put_int(out, t[8]) && put_int(out, t[9]) && put_int(out, t[10]) &&
		     put_int(out, t[11]) && put_int(out, t[12]) && put_int(out, t[13]) &&
		     put_s_as_ns(out, t[14], NULL) && put_s_as_ns(out, t[15], NULL);
		put_word(out, t[16]);
		ok = ok && put_int(out, t[17]) && put_int(out, t[18]);
		{
			char *e;
			errno = 0;
			unsigned long fl = strtoul(t[19], &e, 16);
			if (*e || errno || !isxdigit((unsigned char)t[19][0]))
				ok = false;
			put_col(out, "%lx", fl);
		}
		break;
	}
	case LOG_NTPSEC_LOOPSTATS:
		/* ntp_util.c: "%s %.9f %.6f %.9f %.6f %d" (offset s, freq ppm, jitter s, wander
		 * ppm, poll) */
		if (n != 7)
			return bad(why, whylen, "ntpsec loopstats: %d fields, want 7", n);
		ok = tok_double(t[2], &v);
		out->offset_ns = -v * 1e9;
		put_col(out, "%.3f", v * 1e9);
		ok = ok && put_num(out, t[3], 1e3) && put_s_as_ns(out, t[4], NULL) &&
		     put_num(out, t[5], 1e3) && put_int(out, t[6]);
		break;
	default:
		return bad(why, whylen, "not a table log");
	}
	if (!ok)
		return bad(why, whylen, "%s: a field is not a number where one is expected",
			   daemon_log_name(f));
	return 1;
}

/* ---- import ---- */

static const char *const lp_cols[] = { "t_s",	    "kind",	  "offset_ns", "state",
				       "freq_ppb",  "delay_ns",	  "port_state", "clock",
				       "rms_ns",    "max_abs_ns", "freq_sd_ppb", "delay_sd_ns",
				       "line" };

struct port_track {
	int port[16];
	char state[16][24];
	int n;
};

static void port_set(struct port_track *pt, int port, const char *state)
{
	for (int i = 0; i < pt->n; i++)
		if (pt->port[i] == port) {
			snprintf(pt->state[i], sizeof(pt->state[i]), "%s", state);
			return;
		}
	if (pt->n < 16) {
		pt->port[pt->n] = port;
		snprintf(pt->state[pt->n], sizeof(pt->state[0]), "%s", state);
		pt->n++;
	}
}

/* The state of the port that follows a master (SLAVE or UNCALIBRATED), else of the last port
 * that changed, "-" before any. */
static const char *port_current(const struct port_track *pt, int last)
{
	for (int i = 0; i < pt->n; i++)
		if (!strcmp(pt->state[i], "SLAVE") || !strcmp(pt->state[i], "UNCALIBRATED"))
			return pt->state[i];
	for (int i = 0; i < pt->n; i++)
		if (pt->port[i] == last)
			return pt->state[i];
	return "-";
}

static void put_num_or_nan(struct ds_writer *ds, bool have, double v, int dec)
{
	if (have && isfinite(v))
		ds_put_fixed(ds, v, dec);
	else
		ds_put_str(ds, "nan");
}

/* The first few malformed lines, reported at the end: as warnings when the log had samples,
 * folded into the one error line when it had none (random bytes must not print a line per
 * line). */
#define MALFORMED_SHOWN 5
struct malformed_notes {
	int n;
	unsigned long long line[MALFORMED_SHOWN];
	char msg[MALFORMED_SHOWN][200];
};

static void note_malformed(struct malformed_notes *m, unsigned long long line, const char *why)
{
	if (m->n < MALFORMED_SHOWN) {
		m->line[m->n] = line;
		snprintf(m->msg[m->n], sizeof(m->msg[0]), "%s", why);
		m->n++;
	}
}

int log_import(enum daemon_log f, const char *in_path, const char *out_path,
	       struct import_stats *stp)
{
	struct import_stats st = { 0 };
	struct infile inf;
	if (!infile_open(&inf, in_path))
		return EXIT_USAGE;
	FILE *in = !strcmp(in_path, "-") ? stdin : fopen(inf.path, "r");
	if (!in) {
		log_err("%s: %s", in_path, strerror(errno));
		infile_close(&inf, in_path);
		return EXIT_USAGE;
	}
	if (in != stdin && !textin_check(in, in_path)) {
		fclose(in);
		infile_close(&inf, in_path);
		return EXIT_USAGE;
	}
	bool linuxptp = f == LOG_PTP4L || f == LOG_PHC2SYS;
	const char *want_prog = f == LOG_PTP4L ? "ptp4l" : "phc2sys";
	struct ds_writer *ds = ds_create(out_path, "servo");
	if (!ds) {
		if (in != stdin)
			fclose(in);
		infile_close(&inf, in_path);
		return EXIT_USAGE;
	}
	bool ntpsec = f == LOG_NTPSEC_PEERSTATS || f == LOG_NTPSEC_LOOPSTATS || f == LOG_NTPSEC_RAWSTATS;
	ds_meta(ds, "daemon", "%s", linuxptp ? want_prog : ntpsec ? "ntpd (ntpsec)" : "chronyd");
	ds_meta(ds, "source", "%s", in_path);
	ds_meta(ds, "source_format", "%s", daemon_log_name(f));
	ds_meta(ds, "time_base", "%s", linuxptp ? "monotonic (the daemon's CLOCK_MONOTONIC, ms)" :
						 "realtime (UTC, POSIX seconds)");
	ds_meta(ds, "sign_convention",
		"offset_ns = local - reference (slave - master); where the daemon prints the "
		"opposite sign (ntpd, chrony measurements) its value is in daemon_offset_ns");
	if (linuxptp)
		ds_meta(ds, "state", "servo state sN: 0 unlocked, 1 jump, 2 locked, 3 locked stable (linuxptp servo.h); nan in summary rows");
	const char *const *tcols = NULL;
	enum daemon_log got_format = f;
	if (linuxptp)
		ds_declare_columns(ds, lp_cols, (int)(sizeof(lp_cols) / sizeof(lp_cols[0])));

	struct port_track pt = { .n = 0 };
	struct malformed_notes mw = { .n = 0 };
	int last_port = -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	const char *names[TL_MAX_COLS + 5];
	while ((len = getline(&line, &cap, in)) >= 0) {
		st.lines++;
		if (memchr(line, '\0', (size_t)len)) {
			st.malformed++;
			note_malformed(&mw, st.lines, "NUL byte, line skipped");
			continue;
		}
		char why[160];
		if (linuxptp) {
			struct lp_line l;
			int r = lp_parse_line(line, &l, why, sizeof(why));
			if (r == 0)
				continue;
			if (l.prog[0] && strcmp(l.prog, want_prog)) {
				st.skipped_other_daemon++;
				continue;
			}
			if (r < 0) {
				st.malformed++;
				note_malformed(&mw, st.lines, why);
				continue;
			}
			if (l.kind == LP_PORT_STATE) {
				port_set(&pt, l.port, l.to);
				last_port = l.port;
				st.port_states++;
				continue;
			}
			/* A ptp4l import takes ptp4l's forms, a phc2sys import phc2sys's. */
			if (l.phc2sys != (f == LOG_PHC2SYS)) {
				st.skipped_other_daemon++;
				continue;
			}
			ds_put_time(ds, ptime_from_ns(l.t_ns));
			if (l.kind == LP_SAMPLE) {
				st.samples++;
				ds_put_str(ds, "sample");
				ds_put_i64(ds, l.offset_ns);
				ds_put_i64(ds, l.state);
				put_num_or_nan(ds, true, l.freq_ppb, 0);
				if (l.has_delay)
					ds_put_i64(ds, l.delay_ns);
				else
					ds_put_str(ds, "nan");
			} else {
				st.summaries++;
				ds_put_str(ds, "summary");
				ds_put_str(ds, "nan");
				ds_put_str(ds, "nan");
				put_num_or_nan(ds, true, l.freq_ppb, 0);
				put_num_or_nan(ds, l.has_delay, l.delay_mean_ns, 0);
			}
			ds_put_str(ds, f == LOG_PTP4L ? port_current(&pt, last_port) : "-");
			if (l.phc2sys) {
				char c[96];
				if (l.label[0])
					snprintf(c, sizeof(c), "%s/%s", l.clock, l.label);
				else
					snprintf(c, sizeof(c), "%s", l.clock);
				ds_put_str(ds, c);
			} else {
				ds_put_str(ds, "-");
			}
			bool sum = l.kind == LP_SUMMARY;
			put_num_or_nan(ds, sum, l.rms_ns, 0);
			put_num_or_nan(ds, sum, l.max_abs_ns, 0);
			put_num_or_nan(ds, sum, l.freq_sd_ppb, 0);
			put_num_or_nan(ds, sum && l.has_delay, l.delay_sd_ns, 0);
			ds_put_i64(ds, (int64_t)st.lines);
			ds_end_row(ds);
			st.rows++;
			continue;
		}
		struct tl_row row;
		int r = tl_parse_line(got_format, line, &row, why, sizeof(why));
		if (r == 0)
			continue;
		if (r < 0) {
			st.malformed++;
			note_malformed(&mw, st.lines, why);
			continue;
		}
		if (!tcols) {
			/* The first good row fixes the format (for "chrony": by its field count). */
			got_format = row.format;
			tcols = table_log_columns(row.format);
			int k = 0;
			names[k++] = "t_s";
			names[k++] = "offset_ns";
			names[k++] = "state";
			for (int i = 0; tcols[i]; i++)
				names[k++] = tcols[i];
			names[k++] = "line";
			ds_meta(ds, "log_format", "%s", daemon_log_name(row.format));
			ds_declare_columns(ds, names, k);
		}
		ds_put_time(ds, ptime_from_ns(row.t_ns));
		ds_put_fixed(ds, row.offset_ns, 3);
		ds_put_str(ds, "nan");
		for (int i = 0; i < row.ncols; i++)
			ds_put_str(ds, row.cols[i]);
		ds_put_i64(ds, (int64_t)st.lines);
		ds_end_row(ds);
		st.samples++;
		st.rows++;
	}
	free(line);
	bool rerr = ferror(in);
	if (in != stdin)
		fclose(in);
	int rc = EXIT_OK;
	if (infile_close(&inf, in_path) != 0 || rerr) {
		if (rerr)
			log_err("%s: read error", in_path);
		rc = EXIT_USAGE;
	}
	if (!tcols && !linuxptp) {
		/* Nothing parsed: still a well-formed (empty) dataset with this format's columns. */
		static const char *const none[] = { "t_s", "offset_ns", "state", "line" };
		ds_declare_columns(ds, none, 4);
	}
	ds_meta(ds, "lines", "%llu", (unsigned long long)st.lines);
	ds_meta(ds, "rows", "%llu", (unsigned long long)st.rows);
	ds_meta(ds, "samples", "%llu", (unsigned long long)st.samples);
	ds_meta(ds, "summaries", "%llu", (unsigned long long)st.summaries);
	ds_meta(ds, "malformed_lines", "%llu", (unsigned long long)st.malformed);
	if (st.skipped_other_daemon)
		ds_meta(ds, "other_daemon_lines", "%llu", (unsigned long long)st.skipped_other_daemon);
	if (ds_close(ds) != 0)
		rc = EXIT_USAGE;
	if (rc == EXIT_OK && st.rows == 0) {
		/* One line: the first malformed line says what the file holds instead. */
		char first[240] = "";
		if (mw.n)
			snprintf(first, sizeof(first), "; line %llu: %s", mw.line[0], mw.msg[0]);
		log_err("%s: no %s %s found (%llu lines, %llu malformed%s)", in_path,
			daemon_log_name(f), linuxptp ? "samples or summaries" : "rows",
			(unsigned long long)st.lines, (unsigned long long)st.malformed, first);
		rc = EXIT_USAGE;
	} else {
		for (int i = 0; i < mw.n; i++)
			log_warn("%s:%llu: %s", in_path, mw.line[i], mw.msg[i]);
		if (st.malformed > MALFORMED_SHOWN)
			log_warn("%s: %llu malformed lines in all", in_path,
				 (unsigned long long)st.malformed);
	}
	if (stp)
		*stp = st;
	return rc;
}
