/* leap-seconds.list parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/leapsec.h"
#include "common/log.h"

static bool parse_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int digits = 0;
	while (s < end && isdigit((unsigned char)*s)) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s++ - '0');
		digits++;
	}
	if (!digits)
		return false;
	*p = s;
	*v = x;
	return true;
}

bool leapsec_parse(const char *text, size_t len, struct leapsec *out)
{
	memset(out, 0, sizeof(*out));
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *s = p;
		while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s + 1 < eol && s[0] == '#' && s[1] == '@') {
			s += 2;
			while (s < eol && (*s == ' ' || *s == '\t'))
				s++;
			uint64_t ntp;
			if (!parse_u64(&s, eol, &ntp) || ntp > (uint64_t)INT64_MAX / 2)
				return false;
			out->expires_unix = (int64_t)ntp - NTP_UNIX_OFFSET;
		} else if (s < eol && *s != '#') {
			uint64_t ntp, off;
			if (!parse_u64(&s, eol, &ntp) || ntp > (uint64_t)INT64_MAX / 2)
				return false;
			if (s == eol || (*s != ' ' && *s != '\t'))
				return false;
			while (s < eol && (*s == ' ' || *s == '\t'))
				s++;
			if (!parse_u64(&s, eol, &off) || off > 1000)
				return false;
			while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
				s++;
			if (s < eol && *s != '#')
				return false;
			if (out->n == LEAPSEC_MAX)
				return false;
			int64_t t = (int64_t)ntp - NTP_UNIX_OFFSET;
			if (out->n && t <= out->since_unix[out->n - 1])
				return false;
			out->since_unix[out->n] = t;
			out->tai_utc[out->n++] = (int)off;
		}
		p = eol + 1;
	}
	return out->n > 0;
}

bool leapsec_load(const char *path, struct leapsec *out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char *buf = xmalloc(1 << 16);
	size_t len = fread(buf, 1, (1 << 16) - 1, f);
	bool ok = !ferror(f) && feof(f);
	fclose(f);
	ok = ok && leapsec_parse(buf, len, out);
	free(buf);
	return ok;
}

bool leapsec_tai_utc(const struct leapsec *ls, int64_t unix_s, int *out)
{
	if (ls->n == 0 || unix_s < ls->since_unix[0])
		return false;
	size_t i = ls->n;
	while (i > 0 && ls->since_unix[i - 1] > unix_s)
		i--;
	*out = ls->tai_utc[i - 1];
	return true;
}
