/* leap-seconds.list parser; format and rules in leapfile.h (ntpsec ntp_leapsec.c). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "common/leapfile.h"
#include "common/log.h"

/* Largest file we read: the real one is ~5 kB (~10 kB with the IERS comments). */
#define LEAPFILE_MAX_BYTES (1 << 20)

__attribute__((format(printf, 5, 6))) static bool fail(char *err, size_t errsz, const char *name,
						       long line, const char *fmt, ...)
{
	if (!err || !errsz)
		return false;
	int n = line > 0 ? snprintf(err, errsz, "%s:%ld: ", name, line) :
			   snprintf(err, errsz, "%s: ", name);
	if (n >= 0 && (size_t)n < errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f'))
		p++;
	return p;
}

/* An unsigned decimal number that ends at the end of the line, at whitespace or at '#'
 * (ntpsec parsefail). At most 18 digits so that it fits int64 without overflow checks. */
static bool parse_uint(const char **pp, const char *end, int64_t *out)
{
	const char *p = *pp;
	int64_t v = 0;
	int digits = 0;
	while (p < end && isdigit((unsigned char)*p)) {
		if (++digits > 18)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	if (!digits || (p < end && *p != '#' && !isspace((unsigned char)*p)))
		return false;
	*pp = p;
	*out = v;
	return true;
}

/* Only whitespace or a comment left on the line. */
static bool rest_is_empty(const char *p, const char *end)
{
	p = skip_ws(p, end);
	return p == end || *p == '#';
}

/* ntpsec do_hash_data: the decimal digits of the line up to its first '#'. */
static void hash_digits(EVP_MD_CTX *md, const char *p, const char *end)
{
	char buf[64];
	size_t n = 0;
	for (; p < end && *p != '#'; p++) {
		if (!isdigit((unsigned char)*p))
			continue;
		buf[n++] = *p;
		if (n == sizeof(buf)) {
			EVP_DigestUpdate(md, buf, n);
			n = 0;
		}
	}
	if (n)
		EVP_DigestUpdate(md, buf, n);
}

/* ntpsec do_leap_hash: five hex words (NIST writes them without leading zeros), big-endian
 * into 20 bytes; nothing but whitespace after them. */
static bool parse_hash(const char *p, const char *end, unsigned char out[20])
{
	for (int w = 0; w < 5; w++) {
		p = skip_ws(p, end);
		uint64_t v = 0;
		int digits = 0;
		while (p < end && isxdigit((unsigned char)*p)) {
			int c = tolower((unsigned char)*p++);
			v = v * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
			if (++digits > 8)
				return false;
		}
		if (!digits || (p < end && !isspace((unsigned char)*p)))
			return false;
		for (int b = 3; b >= 0; b--) {
			out[w * 4 + b] = (unsigned char)(v & 0xff);
			v >>= 8;
		}
	}
	return skip_ws(p, end) == end;
}

static bool is_month_start(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return false;
	return tm.tm_mday == 1 && tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0;
}

/* A time from the file: NTP seconds, era 0 (before 2036), not before 1970. */
static bool ntp_to_unix(int64_t ntp, int64_t *out)
{
	if (ntp < LEAP_NTP_TO_UNIX || ntp > UINT32_MAX)
		return false;
	*out = ntp - LEAP_NTP_TO_UNIX;
	return true;
}

void leapfile_free(struct leapfile *lf)
{
	free(lf->entries);
	memset(lf, 0, sizeof(*lf));
}

bool leapfile_parse(const char *name, const char *text, size_t len, struct leapfile *out,
		    char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (!name)
		name = "leap-seconds.list";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha1(), NULL)) {
		EVP_MD_CTX_free(md);
		return fail(err, errsz, name, 0, "cannot initialise SHA-1 (libcrypto)");
	}
	struct leapfile lf = { 0 };
	int cap = 0;
	bool have_hash = false, have_expiry = false, have_update = false;
	unsigned char want[20];
	const char *p = text, *tend = text + len;
	long lineno = 0;
	bool ok = true;

	if (memchr(text, '\0', len)) {
		/* Report the line of the first NUL: a binary file is not a leap second list. */
		const char *z = memchr(text, '\0', len);
		long l = 1;
		for (const char *q = text; q < z; q++)
			l += *q == '\n';
		ok = fail(err, errsz, name, l, "NUL byte: not a text file");
		goto out;
	}
	while (p < tend) {
		const char *eol = memchr(p, '\n', (size_t)(tend - p));
		const char *end = eol ? eol : tend;
		const char *next = eol ? eol + 1 : tend;
		lineno++;
		const char *s = skip_ws(p, end);
		while (end > s && isspace((unsigned char)end[-1]))
			end--;
		if (s == end) {
			p = next;
			continue;
		}
		if (s[0] == '#') {
			if (end - s >= 2 && (s[1] == '@' || s[1] == '$')) {
				bool expiry = s[1] == '@';
				const char *q = skip_ws(s + 2, end);
				int64_t ntp, t;
				if (!parse_uint(&q, end, &ntp) || !rest_is_empty(q, end)) {
					ok = fail(err, errsz, name, lineno, "'#%c' needs one NTP time in seconds",
						  s[1]);
					goto out;
				}
				if (!ntp_to_unix(ntp, &t)) {
					ok = fail(err, errsz, name, lineno,
						  "'#%c' time %lld is not an NTP time between 1970 and 2036",
						  s[1], (long long)ntp);
					goto out;
				}
				if (expiry) {
					if (have_expiry) {
						ok = fail(err, errsz, name, lineno, "second '#@' (expiry) line");
						goto out;
					}
					have_expiry = true;
					lf.expires = t;
				} else {
					if (have_update) {
						ok = fail(err, errsz, name, lineno, "second '#$' (update) line");
						goto out;
					}
					have_update = true;
					lf.updated = t;
				}
				hash_digits(md, s + 2, end);
			} else if (end - s >= 2 && s[1] == 'h') {
				if (have_hash) {
					ok = fail(err, errsz, name, lineno, "second '#h' (hash) line");
					goto out;
				}
				if (!parse_hash(s + 2, end, want)) {
					/* ntpsec LSVALID_BADFORMAT: the file is refused. */
					ok = fail(err, errsz, name, lineno,
						  "malformed '#h' hash line (want five hex words)");
					goto out;
				}
				have_hash = true;
			}
			p = next;
			continue;
		}
		if (!isdigit((unsigned char)s[0])) {
			ok = fail(err, errsz, name, lineno,
				  "not a leap second line (want 'NTPSECONDS DTAI' or a '#' comment)");
			goto out;
		}
		const char *q = s;
		int64_t ntp, dtai, t;
		if (!parse_uint(&q, end, &ntp)) {
			ok = fail(err, errsz, name, lineno, "bad NTP time");
			goto out;
		}
		q = skip_ws(q, end);
		bool neg = q < end && *q == '-';
		if (neg || (q < end && *q == '+'))
			q++;
		if (!parse_uint(&q, end, &dtai) || !rest_is_empty(q, end) || dtai > SHRT_MAX) {
			ok = fail(err, errsz, name, lineno, "want 'NTPSECONDS DTAI [# comment]'");
			goto out;
		}
		if (neg)
			dtai = -dtai;
		if (!ntp_to_unix(ntp, &t)) {
			ok = fail(err, errsz, name, lineno,
				  "time %lld is not an NTP time between 1970 and 2036", (long long)ntp);
			goto out;
		}
		/* ntpsec leapsec_raw: transitions only at the exact start of a month ("bad
		 * transition time") and strictly ascending ("times not ascending"). */
		if (!is_month_start(t)) {
			ok = fail(err, errsz, name, lineno,
				  "time %lld is not 00:00:00 UTC on the first of a month", (long long)ntp);
			goto out;
		}
		if (lf.n && t <= lf.entries[lf.n - 1].since) {
			ok = fail(err, errsz, name, lineno, "times not ascending");
			goto out;
		}
		if (lf.n == cap) {
			cap = cap ? 2 * cap : 32;
			lf.entries = xrealloc(lf.entries, (size_t)cap * sizeof(*lf.entries));
		}
		lf.entries[lf.n].since = t;
		lf.entries[lf.n].tai_utc = (int)dtai;
		lf.n++;
		hash_digits(md, s, end);
		p = next;
	}
	if (lf.n == 0) {
		ok = fail(err, errsz, name, 0, "no leap second entries");
		goto out;
	}
	if (have_hash) {
		unsigned char got[EVP_MAX_MD_SIZE];
		unsigned int glen = 0;
		EVP_DigestFinal_ex(md, got, &glen);
		if (glen != 20 || memcmp(got, want, 20) != 0) {
			/* ntpsec LSVALID_BADHASH: "signature mismatch", the file is refused. */
			ok = fail(err, errsz, name, 0, "SHA-1 hash mismatch ('#h' line): file damaged or edited");
			goto out;
		}
		lf.hash = LEAP_HASH_GOOD;
	}
out:
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(lf.entries);
		return false;
	}
	*out = lf;
	return true;
}

bool leapfile_load(const char *path, struct leapfile *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (!path)
		path = LEAPFILE_DEFAULT;
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errsz, path, 0, "%s", strerror(errno));
	char *buf = xmalloc(LEAPFILE_MAX_BYTES + 1);
	size_t n = fread(buf, 1, LEAPFILE_MAX_BYTES + 1, f);
	bool rerr = ferror(f);
	fclose(f);
	bool ok;
	if (rerr)
		ok = fail(err, errsz, path, 0, "read error");
	else if (n > LEAPFILE_MAX_BYTES)
		ok = fail(err, errsz, path, 0, "larger than %d bytes: not a leap second list",
			  LEAPFILE_MAX_BYTES);
	else
		ok = leapfile_parse(path, buf, n, out, err, errsz);
	free(buf);
	return ok;
}

bool leapfile_tai_utc(const struct leapfile *lf, int64_t t, int *tai_utc)
{
	if (!lf->n || t < lf->entries[0].since)
		return false;
	int lo = 0, hi = lf->n - 1; /* last entry with since <= t */
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (lf->entries[mid].since <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	*tai_utc = lf->entries[lo].tai_utc;
	return true;
}

bool leapfile_expired(const struct leapfile *lf, int64_t t)
{
	return lf->expires == 0 || t >= lf->expires;
}

const struct leap_entry *leapfile_next(const struct leapfile *lf, int64_t t)
{
	for (int i = 0; i < lf->n; i++)
		if (lf->entries[i].since > t)
			return &lf->entries[i];
	return NULL;
}
