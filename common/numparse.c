/* Exact decimal to double without strtod (numparse.h).
 *
 * The digits are gathered into an integer w < 10^19 and a decimal exponent q, value
 * v = w 10^q. Three exact paths, tried in turn:
 *  - Clinger's (W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990):
 *    w <= 2^53 and |q| <= 22, so w and 10^|q| are exact doubles and one IEEE multiplication
 *    or division rounds v correctly;
 *  - a double-double product for |q| <= 54 (via_double_double: the same 2^-62 certification
 *    as below, in SSE registers; the usual path of a 17-digit "%.17g");
 *  - otherwise, with a 64-bit-mantissa long double (x87 extended, LDBL_MANT_DIG == 64):
 *    w and 10^k for k <= 27 (5^27 < 2^64) are exact there, so v is computed with one
 *    rounding to 64 bits (two for 27 < |q| <= 54), relative error <= 2^-64 per rounding.
 *    Rounding that to double is correct unless a halfway point between two doubles lies
 *    within the error of the long double: the 11 bits below the double's 53 are then
 *    1024 +- (error in units of the last long double bit), and those lines go to strtod
 *    (about 1 in 2000 for two roundings, never for a value that is itself a double or a
 *    short decimal). */
#include "common/numparse.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static const double exact_pow10[23] = {
	1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,	1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#if LDBL_MANT_DIG == 64
enum { LD_EXACT_POW10 = 27 }; /* 10^27 = 2^27 5^27, 5^27 < 2^64 */

static const long double ld_pow10[LD_EXACT_POW10 + 1] = { /* each exact in 64 bits */
	1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
	1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
	1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};

/* v = w 10^q through long double; false if the rounding to double cannot be certified. */
static bool via_long_double(uint64_t w, int q, double *out)
{
	if (q < -2 * LD_EXACT_POW10 || q > 2 * LD_EXACT_POW10)
		return false;
	long double r = (long double)w;
	int roundings = 0, k = q < 0 ? -q : q;
	while (k > 0) {
		int step = k > LD_EXACT_POW10 ? LD_EXACT_POW10 : k;
		r = q < 0 ? r / ld_pow10[step] : r * ld_pow10[step];
		roundings++;
		k -= step;
	}
	/* the 64-bit significand of r (x87: the first 8 bytes, explicit leading bit) */
	uint64_t bits;
#if defined(__x86_64__) || defined(__i386__)
	memcpy(&bits, &r, sizeof(bits));
#else
	int e;
	bits = (uint64_t)ldexpl(frexpl(r, &e), 64);
#endif
	int low = (int)(bits & 0x7ff); /* the bits below the double's 53 */
	int margin = roundings <= 1 ? 0 : 3; /* two roundings: up to 2 ulp of long double */
	if (low >= 0x400 - margin && low <= 0x400 + margin)
		return false;
	*out = (double)r;
	return true;
}
#else
static bool via_long_double(uint64_t w, int q, double *out)
{
	(void)w;
	(void)q;
	(void)out;
	return false;
}
#endif

#if LDBL_MANT_DIG >= 64
/* w 10^q as a double-double product in SSE registers (no x87 division, no store of a long
 * double), for |q| <= 54: 10^q as hi + lo, folded by the compiler from the long-double
 * constants (10^q for q <= 27 exactly; 1/10^k correctly rounded to 64 bits for k <= 27 and
 * within 2^-63 beyond), w split exactly into two doubles, the product by Dekker's exact
 * TwoProd (no FMA: contraction is off under -std=c11 and by the pragma for clang). The
 * result hi + lo is then within |hi| 2^-62 of w 10^q; hi is its correct rounding unless
 * |lo| is that close to half an ulp of hi (about 1 in 1000: then the long-double path). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif
#define DD(v) { (double)(v), (double)((v) - (long double)(double)(v)) }
enum { DD_MAX_POW = 54 };
static const double dd_pow10[DD_MAX_POW + 1][2] = {
	DD(1e0L),
	DD(1e1L),
	DD(1e2L),
	DD(1e3L),
	DD(1e4L),
	DD(1e5L),
	DD(1e6L),
	DD(1e7L),
	DD(1e8L),
	DD(1e9L),
	DD(1e10L),
	DD(1e11L),
	DD(1e12L),
	DD(1e13L),
	DD(1e14L),
	DD(1e15L),
	DD(1e16L),
	DD(1e17L),
	DD(1e18L),
	DD(1e19L),
	DD(1e20L),
	DD(1e21L),
	DD(1e22L),
	DD(1e23L),
	DD(1e24L),
	DD(1e25L),
	DD(1e26L),
	DD(1e27L),
	DD(1e28L),
	DD(1e29L),
	DD(1e30L),
	DD(1e31L),
	DD(1e32L),
	DD(1e33L),
	DD(1e34L),
	DD(1e35L),
	DD(1e36L),
	DD(1e37L),
	DD(1e38L),
	DD(1e39L),
	DD(1e40L),
	DD(1e41L),
	DD(1e42L),
	DD(1e43L),
	DD(1e44L),
	DD(1e45L),
	DD(1e46L),
	DD(1e47L),
	DD(1e48L),
	DD(1e49L),
	DD(1e50L),
	DD(1e51L),
	DD(1e52L),
	DD(1e53L),
	DD(1e54L),
};
static const double dd_inv_pow10[DD_MAX_POW + 1][2] = {
	DD(1.0L / 1e0L),
	DD(1.0L / 1e1L),
	DD(1.0L / 1e2L),
	DD(1.0L / 1e3L),
	DD(1.0L / 1e4L),
	DD(1.0L / 1e5L),
	DD(1.0L / 1e6L),
	DD(1.0L / 1e7L),
	DD(1.0L / 1e8L),
	DD(1.0L / 1e9L),
	DD(1.0L / 1e10L),
	DD(1.0L / 1e11L),
	DD(1.0L / 1e12L),
	DD(1.0L / 1e13L),
	DD(1.0L / 1e14L),
	DD(1.0L / 1e15L),
	DD(1.0L / 1e16L),
	DD(1.0L / 1e17L),
	DD(1.0L / 1e18L),
	DD(1.0L / 1e19L),
	DD(1.0L / 1e20L),
	DD(1.0L / 1e21L),
	DD(1.0L / 1e22L),
	DD(1.0L / 1e23L),
	DD(1.0L / 1e24L),
	DD(1.0L / 1e25L),
	DD(1.0L / 1e26L),
	DD(1.0L / 1e27L),
	DD(1.0L / 1e28L),
	DD(1.0L / 1e29L),
	DD(1.0L / 1e30L),
	DD(1.0L / 1e31L),
	DD(1.0L / 1e32L),
	DD(1.0L / 1e33L),
	DD(1.0L / 1e34L),
	DD(1.0L / 1e35L),
	DD(1.0L / 1e36L),
	DD(1.0L / 1e37L),
	DD(1.0L / 1e38L),
	DD(1.0L / 1e39L),
	DD(1.0L / 1e40L),
	DD(1.0L / 1e41L),
	DD(1.0L / 1e42L),
	DD(1.0L / 1e43L),
	DD(1.0L / 1e44L),
	DD(1.0L / 1e45L),
	DD(1.0L / 1e46L),
	DD(1.0L / 1e47L),
	DD(1.0L / 1e48L),
	DD(1.0L / 1e49L),
	DD(1.0L / 1e50L),
	DD(1.0L / 1e51L),
	DD(1.0L / 1e52L),
	DD(1.0L / 1e53L),
	DD(1.0L / 1e54L),
};
#undef DD

/* a * b = p + e exactly (Dekker, Veltkamp's split; no overflow for the magnitudes here). */
static inline void two_prod(double a, double b, double *p, double *e)
{
	const double split = 134217729.0; /* 2^27 + 1 */
	double ca = split * a, ah = ca - (ca - a), al = a - ah;
	double cb = split * b, bh = cb - (cb - b), bl = b - bh;
	*p = a * b;
	*e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

static bool via_double_double(uint64_t w, int q, double *out)
{
	if (q < -DD_MAX_POW || q > DD_MAX_POW)
		return false;
	const double *P = q < 0 ? dd_inv_pow10[-q] : dd_pow10[q];
	/* w = wh + wl, both exact: below 2^53 w itself, else its top 53 bits and the rest */
	uint64_t low = w >> 53 ? w & 0x7ff : 0;
	double wh = (double)(w - low), wl = (double)low;
	double p, e;
	two_prod(wh, P[0], &p, &e);
	e += wh * P[1] + wl * P[0];
	double hi = p + e, lo = e - (hi - p); /* Fast2Sum: |p| >= |e| */
	/* normal range only, and not a power of two (whose ulp differs on its two sides) */
	uint64_t bits;
	memcpy(&bits, &hi, sizeof(bits));
	uint64_t be = (bits >> 52) & 0x7ff; /* hi = 1.f 2^(be - 1023) */
	if (be < 100 || be > 1900 || (bits & ((UINT64_C(1) << 52) - 1)) == 0)
		return false;
	/* half an ulp of hi is 2^(be - 1023 - 53), the error bound 2^(be - 1023 - 61) */
	uint64_t hb = (be - 53) << 52, eb = (be - 61) << 52;
	double half_ulp, err;
	memcpy(&half_ulp, &hb, sizeof(hb));
	memcpy(&err, &eb, sizeof(eb));
	if (fabs(lo) + err >= half_ulp)
		return false;
	*out = hi;
	return true;
}
#else
static bool via_double_double(uint64_t w, int q, double *out)
{
	(void)w;
	(void)q;
	(void)out;
	return false;
}
#endif

/* Eight digits at once (SWAR, little-endian 64-bit loads): whether s[0..8) are all digits,
 * and their value. The digit loops' w = 10 w + d is a chain of a multiply and an add per
 * character (17 of them in numpy's "%.17g"); this is three multiplies per eight. The same w
 * either way (both modulo 2^64). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NUMPARSE_SWAR 1
static inline uint64_t load8(const char *s)
{
	uint64_t v;
	memcpy(&v, s, sizeof(v));
	return v;
}

static inline bool all8_digits(uint64_t v)
{
	/* every byte 0x30..0x39: high nibble 3, and adding 6 does not carry into it */
	return (((v & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
		 (((v + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) >> 4)) ==
		UINT64_C(0x3333333333333333));
}

static inline uint64_t value8(uint64_t v)
{
	const uint64_t mask = UINT64_C(0x000000FF000000FF);
	const uint64_t mul1 = UINT64_C(0x000F424000000064); /* 100 + (1000000 << 32) */
	const uint64_t mul2 = UINT64_C(0x0000271000000001); /* 1 + (10000 << 32) */
	v -= UINT64_C(0x3030303030303030);
	v = (v * 10) + (v >> 8); /* pairs of digits */
	return (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
}
#endif

/* w = 10 w + digit for each digit from s[i]; returns the index after the last digit. */
static inline size_t scan_digits(const char *s, size_t i, size_t len, uint64_t *w)
{
	uint64_t v = *w;
#ifdef NUMPARSE_SWAR
	while (len - i >= 8) {
		uint64_t c = load8(s + i);
		if (!all8_digits(c))
			break;
		v = v * 100000000 + value8(c);
		i += 8;
	}
#endif
	for (; i < len && (unsigned)(s[i] - '0') < 10; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	*w = v;
	return i;
}

size_t numparse_prefix(const char *s, size_t len, double *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	size_t i0 = i;
	while (i < len && s[i] == '0') /* leading zeros */
		i++;
	bool digits = i > i0;
	uint64_t w = 0; /* the significant digits (garbage past 19 of them, then refused) */
	size_t d0 = i;
	i = scan_digits(s, i, len, &w);
	size_t nd = i - d0;
	int q = 0; /* decimal exponent */
	if (i < len && s[i] == '.') {
		size_t f0 = ++i;
		if (nd == 0)
			while (i < len && s[i] == '0') /* 0.000ddd: still leading zeros */
				i++;
		size_t f1 = i;
		i = scan_digits(s, i, len, &w);
		nd += i - f1;
		digits |= i > f0;
		q = -(int)(i - f0);
	}
	digits |= nd > 0;
	if (!digits || nd > 19)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = i + 1;
		bool eneg = false;
		if (e < len && (s[e] == '-' || s[e] == '+'))
			eneg = s[e++] == '-';
		if (e == len || (unsigned)(s[e] - '0') >= 10)
			return 0; /* "1e", "1e+": strtod would stop before the 'e' */
		int ex = 0;
		for (; e < len && (unsigned)(s[e] - '0') < 10; e++)
			if (ex < 100000)
				ex = ex * 10 + (s[e] - '0');
		q += eneg ? -ex : ex;
		i = e;
	}
	double v;
	if (w == 0) {
		v = 0;
	} else if (w <= (UINT64_C(1) << 53) && q >= -22 && q <= 22 && FLT_EVAL_METHOD == 0) {
		v = (double)w;
		v = q < 0 ? v / exact_pow10[-q] : v * exact_pow10[q];
	} else if (!via_double_double(w, q, &v) && !via_long_double(w, q, &v)) {
		return 0;
	}
	*out = neg ? -v : v;
	return i;
}

bool numparse_fast(const char *s, size_t len, double *out)
{
	double v;
	if (len == 0 || numparse_prefix(s, len, &v) != len)
		return false;
	*out = v;
	return true;
}
