#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"

char *fmt_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *fmt_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return fmt_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(p, (uint64_t)v);
}

static const double pow10_tab[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

char *fmt_fixed(char *p, double v, int decimals)
{
	if (isnan(v)) {
		memcpy(p, "nan", 3);
		return p + 3;
	}
	if (isinf(v)) {
		if (v < 0)
			*p++ = '-';
		memcpy(p, "inf", 3);
		return p + 3;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	if (fabs(v) >= 1e15) {
		int n = snprintf(p, NUMFMT_MAX, "%.*g", 17, v);
		return p + n;
	}
	if (fabs(v) * pow10_tab[decimals] >= 9007199254740992.0) /* 2^53: integer path inexact */
		return p + snprintf(p, NUMFMT_MAX, "%.*f", decimals, v);
	double scaled = round(fabs(v) * pow10_tab[decimals]);
	uint64_t u = (uint64_t)scaled;
	if (v < 0 && u != 0)
		*p++ = '-';
	uint64_t div = (uint64_t)pow10_tab[decimals];
	p = fmt_u64(p, u / div);
	if (decimals) {
		uint64_t r = u % div;
		*p++ = '.';
		for (int i = decimals - 1; i >= 0; i--) {
			p[i] = (char)('0' + r % 10);
			r /= 10;
		}
		p += decimals;
	}
	return p;
}

char *fmt_double(char *p, double v)
{
	if (!isfinite(v))
		return fmt_fixed(p, v, 0);
	/* The shortest %.Ng that round-trips. */
	for (int prec = 6; prec <= 17; prec++) {
		char buf[NUMFMT_MAX];
		int n = snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v) {
			memcpy(p, buf, (size_t)n);
			return p + n;
		}
	}
	return p + snprintf(p, NUMFMT_MAX, "%.17g", v);
}
