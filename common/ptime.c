#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"
#include "common/ptime.h"

double ptime_diff_ns(struct ptime a, struct ptime b)
{
	int64_t sns;
	if (ptime_diff_sns(a, b, &sns))
		return sns_to_ns(sns);
	return (double)(a.ns - b.ns) + ((double)a.frac - (double)b.frac) / SNS_PER_NS;
}


int ptime_format(struct ptime t, char *buf)
{
	char *p = buf;
	uint64_t ns;
	if (t.ns < 0) {
		/* -0.5 ns with frac: represent as -(|t|); only the ns part can be negative. */
		int64_t sns_whole = t.ns;
		uint32_t frac = t.frac;
		*p++ = '-';
		if (frac) {
			sns_whole += 1;
			frac = SNS_PER_NS - frac;
		}
		ns = (uint64_t)(-(sns_whole));
		t.frac = (uint16_t)frac;
	} else {
		ns = (uint64_t)t.ns;
	}
	p = fmt_u64(p, ns / NS_PER_SEC);
	*p++ = '.';
	p = fmt_u32_width(p, (uint32_t)(ns % NS_PER_SEC), 9);
	if (t.frac) {
		/* frac / 65536 = frac * 5^16 / 10^16: exact with 16 decimal digits. */
		uint64_t digits = (uint64_t)t.frac * UINT64_C(152587890625);
		char d[16];
		for (int i = 15; i >= 0; i--) {
			d[i] = (char)('0' + digits % 10);
			digits /= 10;
		}
		int last = 15;
		while (last > 0 && d[last] == '0')
			last--;
		memcpy(p, d, (size_t)last + 1);
		p += last + 1;
	}
	*p = '\0';
	return (int)(p - buf);
}

bool ptime_parse(const char *s, struct ptime *out, const char **end)
{
	const char *p = s;
	bool neg = false;
	uint64_t sec = 0;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		if (sec > (uint64_t)(INT64_MAX / NS_PER_SEC) / 10)
			return false;
		sec = sec * 10 + (uint64_t)(*p++ - '0');
	}
	if (sec > (uint64_t)(INT64_MAX / NS_PER_SEC) - 1)
		return false;
	uint64_t nsec = 0;
	uint64_t sub = 0; /* sub-ns digits as an integer numerator over 10^16 */
	if (*p == '.') {
		p++;
		int nd = 0;
		while (*p >= '0' && *p <= '9') {
			if (nd < 9)
				nsec = nsec * 10 + (uint64_t)(*p - '0');
			else if (nd < 25)
				sub = sub * 10 + (uint64_t)(*p - '0');
			else
				return false; /* more precision than any ptpcal time carries */
			nd++;
			p++;
		}
		if (nd == 0)
			return false;
		for (int i = nd; i < 9; i++)
			nsec *= 10;
		for (int i = nd < 9 ? 9 : nd; i < 25; i++)
			sub *= 10;
	}
	if (end)
		*end = p;
	else if (*p != '\0')
		return false;
	/* Round sub/10^16 ns to the nearest 2^-16 ns: frac = round(sub / (10^16 / 2^16)), and
	 * 10^16 / 2^16 = 5^16 = 152587890625 exactly (odd, hence the doubling for rounding). */
	uint64_t frac = (2 * sub + UINT64_C(152587890625)) / (2 * UINT64_C(152587890625));
	int64_t ns = (int64_t)sec * NS_PER_SEC + (int64_t)nsec;
	if (frac == 65536) {
		ns += 1;
		frac = 0;
	}
	struct ptime t = { ns, (uint16_t)frac };
	if (neg) {
		/* -(ns + frac/65536) = (-ns - 1) + (65536 - frac)/65536 */
		if (t.frac) {
			t.ns = -ns - 1;
			t.frac = (uint16_t)(65536 - frac);
		} else {
			t.ns = -ns;
		}
	}
	*out = t;
	return true;
}
