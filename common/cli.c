#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/dataset.h"
#include "common/log.h"

int usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (see '%s --help')\n", log_command(), msg, log_command());
	return EXIT_USAGE;
}

void cli_reset_getopt(void)
{
	optind = 0; /* glibc: 0 forces a full re-initialisation */
	opterr = 0; /* cli_bad_option says it, in one line */
}

int cli_bad_option(int argc, char **argv)
{
	/* getopt_long returned '?' (opterr 0): argv[optind - 1] is the option it stopped at
	 * (glibc getopt.c: optind is past it, also for a missing value), optopt its letter
	 * for a short option in a cluster such as -qx. */
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
	if (arg && arg[0] == '-' && arg[1] == '-')
		return usage_error("unknown option or missing value: %s", arg);
	if (optopt > 0 && optopt < 127 && isgraph(optopt))
		return usage_error("unknown option or missing value: -%c", optopt);
	if (arg && arg[0] == '-')
		return usage_error("unknown option or missing value: %s", arg);
	return usage_error("unknown option");
}

struct unit {
	const char *name;
	double scale;
};

/* Parse "<number><unit>" repeatedly (for "1h30m"); units from the table. */
static bool parse_units(const char *s, const struct unit *units, double bare_scale,
			bool allow_sign, double *out)
{
	const char *p = s;
	double total = 0;
	int parts = 0;
	bool neg = false;
	if (allow_sign && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	while (*p) {
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return false;
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno || !isfinite(v) || v < 0)
			return false;
		p = end;
		while (*p == ' ')
			p++;
		const char *u = p;
		while (*p && !((*p >= '0' && *p <= '9') || *p == '.'))
			p++;
		size_t ulen = (size_t)(p - u);
		while (ulen && u[ulen - 1] == ' ')
			ulen--;
		double scale = 0;
		if (ulen == 0) {
			if (parts > 0 || *p)
				return false;
			scale = bare_scale;
		} else {
			for (const struct unit *t = units; t->name; t++)
				if (strlen(t->name) == ulen && strncmp(t->name, u, ulen) == 0) {
					scale = t->scale;
					break;
				}
			if (scale == 0)
				return false;
		}
		total += v * scale;
		parts++;
	}
	if (parts == 0)
		return false;
	*out = neg ? -total : total;
	return true;
}

static const struct unit duration_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	{ "sec", 1e9 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 },
	{ NULL, 0 },
};

bool parse_duration(const char *s, int64_t *ns_out)
{
	double v;
	if (!parse_units(s, duration_units, 1e9, false, &v) || v > 9.2e18)
		return false;
	*ns_out = (int64_t)llround(v);
	return true;
}

bool parse_size(const char *s, uint64_t *out)
{
	static const struct unit size_units[] = {
		{ "k", 1024.0 }, { "K", 1024.0 }, { "M", 1048576.0 }, { "G", 1073741824.0 },
		{ "B", 1 }, { NULL, 0 },
	};
	double v;
	if (!parse_units(s, size_units, 1, false, &v) || v > 1.8e19)
		return false;
	*out = (uint64_t)v;
	return true;
}

bool parse_time_value(const char *s, double default_unit_ns, double *ns_out)
{
	static const struct unit time_units[] = {
		{ "ps", 1e-3 }, { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
		{ "s", 1e9 }, { NULL, 0 },
	};
	/* Allow exponents in a bare number ("1.8e-4"), which the unit parser cannot split. */
	/* The result in ns must be finite too: "-1e306" in µs is -inf ns (fuzz_cli_values),
	 * which callers would convert to an integer (undefined behaviour). */
	double v;
	if (parse_double_strict(s, &v) && isfinite(v)) {
		*ns_out = v * default_unit_ns;
		return isfinite(*ns_out);
	}
	return parse_units(s, time_units, default_unit_ns, true, ns_out) && isfinite(*ns_out);
}

bool parse_double_arg(const char *opt, const char *s, double *out)
{
	if (!parse_double_strict(s, out) || !isfinite(*out)) {
		usage_error("%s: '%s' is not a number", opt, s);
		return false;
	}
	return true;
}

bool parse_int_arg(const char *opt, const char *s, long min, long max, long *out)
{
	int64_t v;
	if (!parse_i64_strict(s, &v) || v < min || v > max) {
		usage_error("%s: '%s' is not an integer in %ld..%ld", opt, s, min, max);
		return false;
	}
	*out = (long)v;
	return true;
}

const char *fmt_duration(double ns, char *buf, int len)
{
	double s = ns / 1e9;
	if (s >= 3600)
		snprintf(buf, (size_t)len, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s >= 60)
		snprintf(buf, (size_t)len, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else if (s >= 1)
		snprintf(buf, (size_t)len, "%.1f s", s);
	else
		snprintf(buf, (size_t)len, "%.0f ms", s * 1e3);
	return buf;
}

const char *fmt_si_time(double ns, char *buf, int len)
{
	double a = fabs(ns);
	if (isnan(ns))
		snprintf(buf, (size_t)len, "n/a");
	else if (a >= 1e9)
		snprintf(buf, (size_t)len, "%.6f s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, (size_t)len, "%.3f ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, (size_t)len, "%.3f \xc2\xb5s", ns / 1e3);
	else
		snprintf(buf, (size_t)len, "%.1f ns", ns);
	return buf;
}
