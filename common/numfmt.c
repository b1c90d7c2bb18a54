#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"

/* Two digits at a time: halves the divisions, which dominate formatting cost. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				     "25262728293031323334353637383940414243444546474849"
				     "50515253545556575859606162636465666768697071727374"
				     "75767778798081828384858687888990919293949596979899";

/* Decimal digits of v >= 1: bits * log10(2) (1233 / 4096) estimates it within one. */
static int digit_count(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull,		      10ull,		     100ull,		    1000ull,
		10000ull,	      100000ull,	     1000000ull,	    10000000ull,
		100000000ull,	      1000000000ull,	     10000000000ull,	    100000000000ull,
		1000000000000ull,     10000000000000ull,     100000000000000ull,    1000000000000000ull,
		10000000000000000ull, 100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	int n = ((64 - __builtin_clzll(v)) * 1233) >> 12;
	return n + (n < 20 && v >= pow10[n]);
}

/* Writes the digits backwards straight into place: no bounce buffer, no variable memcpy. */
char *fmt_u64(char *p, uint64_t v)
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	char *end = p + digit_count(v), *q = end;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		q -= 2;
		memcpy(q, digit_pairs + 2 * r, 2);
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	return end;
}

/* "000".."999": three digits per division for the nine nanosecond digits. */
static char digit_triples[3000];

static void init_triples(void)
{
	for (int i = 0; i < 1000; i++) {
		digit_triples[3 * i] = (char)('0' + i / 100);
		digit_triples[3 * i + 1] = (char)('0' + i / 10 % 10);
		digit_triples[3 * i + 2] = (char)('0' + i % 10);
	}
}

char *fmt_u32_width(char *p, uint32_t v, int width)
{
	if (width == 9) {
		if (!digit_triples[0])
			init_triples();
		uint32_t a = v / 1000000, b = v / 1000 % 1000, c = v % 1000;
		memcpy(p, digit_triples + 3 * a, 3);
		memcpy(p + 3, digit_triples + 3 * b, 3);
		memcpy(p + 6, digit_triples + 3 * c, 3);
		return p + 9;
	}
	if (width == 3) { /* the fixed-point decimals of every derived ns value */
		if (!digit_triples[0])
			init_triples();
		memcpy(p, digit_triples + 3 * (v % 1000), 3);
		return p + 3;
	}
	for (int i = width - 1; i > 0; i -= 2) {
		unsigned r = v % 100;
		v /= 100;
		p[i] = digit_pairs[2 * r + 1];
		p[i - 1] = digit_pairs[2 * r];
	}
	if (width & 1)
		p[0] = (char)('0' + v % 10);
	return p + width;
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
	/* Round half away from zero in integer arithmetic from here on. */
	uint64_t u = (uint64_t)(fabs(v) * pow10_tab[decimals] + 0.5);
	if (v < 0 && u != 0)
		*p++ = '-';
	if (decimals == 0)
		return fmt_u64(p, u);
	/* Constant divisors for the decimals datasets use (3: derived ns values, 9: seconds):
	 * the compiler turns those into multiplications, where a variable one is a 64-bit
	 * divide (tens of cycles, twice per number). */
	uint64_t q, r;
	switch (decimals) {
	case 3: q = u / 1000; r = u % 1000; break;
	case 9: q = u / 1000000000; r = u % 1000000000; break;
	default: {
		uint64_t div = (uint64_t)pow10_tab[decimals];
		q = u / div;
		r = u % div;
	}
	}
	p = fmt_u64(p, q);
	*p++ = '.';
	return fmt_u32_width(p, (uint32_t)r, decimals);
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
