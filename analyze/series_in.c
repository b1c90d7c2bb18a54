/* Plain one-value-per-line series reader (rules in series_in.h). */
#include "analyze/series_in.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/bigmem.h"
#include "common/numparse.h"
#include "common/textin.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct parser {
	const char *name;
	struct value_series s;
	size_t cap;
	long line;
	long blank_line; /* first blank line since the last value, 0 if none */
	long content;    /* first line with something other than blanks or a comment, 0 if none */
	bool failed;
	/* the second half of a split file keeps its error for later: its line numbers are known
	 * only once the first half is counted */
	bool defer;
	long err_line;
	char err[200];
};

/* Reports "NAME:LINE: what" (or keeps it, when deferred). Returns false. */
static bool fail(struct parser *p, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct parser *p, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->err_line = line;
	if (!p->defer)
		log_err("%s:%ld: %s", p->name, line, p->err);
	return false;
}

static void reserve(struct parser *p, size_t cap)
{
	p->cap = cap;
	p->s.v = xrealloc(p->s.v, p->cap * sizeof(*p->s.v));
	bigmem_advise(p->s.v, p->cap * sizeof(*p->s.v));
}

static void push(struct parser *p, double v)
{
	if (p->s.n == p->cap)
		reserve(p, p->cap ? 2 * p->cap : 1024);
	p->s.v[p->s.n++] = v;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

#define BLANK_BEFORE_VALUES                                                                   \
	"empty line before more values (a missing sample would shift every later time; "     \
	"delete the line or mark it with '#')"

/* One line (without its '\n'). false after reporting an error. */
static bool parse_line(struct parser *p, const char *s, size_t len)
{
	p->line++;
	/* the common line, one number alone (perhaps with a CR), in one scan */
	if (!p->blank_line && len > 0) {
		double v;
		size_t used = numparse_prefix(s, len, &v);
		if (used && (used == len || (used + 1 == len && s[used] == '\r'))) {
			if (!p->content)
				p->content = p->line;
			push(p, v);
			return true;
		}
	}
	size_t i = 0;
	while (i < len && blank(s[i]))
		i++;
	if (i == len) {
		if (!p->blank_line)
			p->blank_line = p->line;
		return true;
	}
	if (s[i] == '#')
		return true;
	if (!p->content)
		p->content = p->line;
	if (p->blank_line)
		return fail(p, p->blank_line, BLANK_BEFORE_VALUES);
	size_t start = i;
	while (i < len && !blank(s[i]) && s[i] != '#')
		i++;
	size_t tlen = i - start;
	double v;
	if (numparse_fast(s + start, tlen, &v)) { /* the common case; strtod for the rest */
		while (i < len && blank(s[i]))
			i++;
		if (i == len || s[i] == '#') {
			push(p, v);
			return true;
		}
		i = start + tlen;
	}
	char tok[64];
	if (tlen >= sizeof(tok)) {
		return fail(p, p->line, "not a number (token of %zu characters)", tlen);
	}
	memcpy(tok, s + start, tlen);
	tok[tlen] = 0;
	if (memchr(tok, 0, tlen)) {
		return fail(p, p->line, "not a number (NUL byte)");
	}
	errno = 0;
	char *end;
	v = strtod(tok, &end);
	if (end == tok || *end) {
		return fail(p, p->line, "not a number: '%.40s'", tok);
	}
	if (strpbrk(tok, "xX")) { /* strtod's hexadecimal floats: not what anyone writes here */
		return fail(p, p->line, "not a decimal number: '%.40s'", tok);
	}
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1)) {
		return fail(p, p->line, "not a finite number: '%.40s'", tok);
	}
	while (i < len && blank(s[i]))
		i++;
	if (i < len && s[i] != '#') {
		return fail(p, p->line, "more than one value on the line (one value per line)");
	}
	push(p, v);
	return true;
}

static int finish(struct parser *p, struct value_series *out)
{
	if (!p->failed && p->s.n == 0) {
		log_err("%s: no values", p->name);
		p->failed = true;
	}
	if (p->failed) {
		free(p->s.v);
		*out = (struct value_series){ 0 };
		return -1;
	}
	/* give back the growth slack: the caller's peak memory is then the data itself */
	p->s.v = xrealloc(p->s.v, p->s.n * sizeof(*p->s.v));
	*out = p->s;
	return 0;
}

int value_series_parse(const char *buf, size_t len, const char *name, struct value_series *out)
{
	struct parser p = { .name = name };
	size_t i = 0;
	while (i < len && !p.failed) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (buf + i)) : len - i;
		if (!parse_line(&p, buf + i, l))
			p.failed = true;
		i += l + (nl ? 1 : 0);
	}
	return finish(&p, out);
}

/* Lines from fd in large blocks (read(2)), not getline's per-line copies: the reader of a
 * 10^7-line file spends its time in the numbers, not the I/O. A large regular file is cut in
 * two at a line end and each half parsed on its own thread (pread), then joined. */
enum { READ_BLOCK = 1 << 20, SPLIT_MIN = 8 << 20 };

/* Parses the lines of fd from byte from to byte to (to < 0: to the end; from < 0: read(2)
 * from where fd is, for pipes). The values of a regular file are reserved at once from its
 * size and the first block's line length: growing by copies would touch 3x the memory. */
static void read_lines(struct parser *p, int fd, off_t from, off_t to)
{
	struct stat st;
	bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	off_t pos = from, stop = to >= 0 ? to : (regular ? st.st_size : -1);
	size_t cap = READ_BLOCK, have = 0; /* have: bytes of an unfinished line at buf[0] */
	char *buf = xmalloc(cap);
	for (;;) {
		if (have == cap) { /* one line longer than the buffer */
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t want = cap - have;
		if (from >= 0 && stop >= 0 && (off_t)want > stop - pos)
			want = (size_t)(stop - pos);
		ssize_t got = from >= 0 ? (want ? pread(fd, buf + have, want, pos) : 0)
					: read(fd, buf + have, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			log_err("%s: read error: %s", p->name, strerror(errno));
			p->failed = true;
			p->defer = false; /* said already */
			break;
		}
		pos += got;
		size_t end = have + (size_t)got, i = 0;
		if (p->cap == 0 && regular && got > 0) {
			size_t lines = 1;
			for (const char *c = buf; (c = memchr(c, '\n', (size_t)(buf + end - c))); c++)
				lines++;
			double bytes = (double)((stop >= 0 ? stop : st.st_size) - (from >= 0 ? from : 0));
			reserve(p, (size_t)(bytes / ((double)end / (double)lines) * 1.05) + 1024);
		}
		if (got == 0) { /* the last line, without its '\n' */
			if (end > 0 && !parse_line(p, buf, end))
				p->failed = true;
			break;
		}
		for (;;) {
			const char *nl = memchr(buf + i, '\n', end - i);
			if (!nl)
				break;
			size_t l = (size_t)(nl - (buf + i));
			if (!parse_line(p, buf + i, l)) {
				p->failed = true;
				break;
			}
			i += l + 1;
		}
		if (p->failed)
			break;
		have = end - i;
		memmove(buf, buf + i, have);
	}
	free(buf);
}

/* Where to cut a file of size bytes: just after the first line end at or past the middle,
 * or 0 (no cut: small, or no line end in the 64 KiB after the middle). */
static off_t split_point(int fd, off_t size)
{
	if (size < SPLIT_MIN)
		return 0;
	char b[1 << 16];
	ssize_t got = pread(fd, b, sizeof(b), size / 2);
	const char *nl = got > 0 ? memchr(b, '\n', (size_t)got) : NULL;
	return nl && size / 2 + (nl - b) + 1 < size ? size / 2 + (nl - b) + 1 : 0;
}

/* Line ends in buf[0..len): 16 bytes at a time, the matches counted per byte lane and summed
 * every 255 blocks. */
static size_t count_newlines(const char *buf, size_t len)
{
	size_t count = 0, i = 0;
#if defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n');
	while (len - i >= 16) {
		__m128i acc = _mm_setzero_si128();
		for (int k = 0; k < 255 && len - i >= 16; k++, i += 16) /* a match is -1 */
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(buf + i)),
							       nl));
		__m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
		count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
	}
#endif
	for (; i < len; i++)
		count += buf[i] == '\n';
	return count;
}

/* The halves of a large regular file: first both halves' line ends are counted (one thread
 * each; pread into a small buffer, faster than parsing), then each half is parsed on its own
 * thread straight into its place in one array: the first half's values from 0, the
 * second's from the first half's line count (a half's values never outnumber its lines). So
 * no value is copied and the array never grows: joining two arrays copied 40 MB of 10^7
 * values on one thread, and mapping the file instead costs a TLB miss every 4 KiB here. */
struct half {
	struct parser p;
	int fd;
	off_t from, to;
	size_t lines;
	bool last_unended; /* the half does not end with a line end */
};

static void *half_count(void *arg)
{
	struct half *h = arg;
	char *buf = xmalloc(READ_BLOCK);
	char last = '\n';
	for (off_t pos = h->from; pos < h->to;) {
		size_t want = (size_t)(h->to - pos) < READ_BLOCK ? (size_t)(h->to - pos) : READ_BLOCK;
		ssize_t got = pread(h->fd, buf, want, pos);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break; /* the parse that follows reports it */
		h->lines += count_newlines(buf, (size_t)got);
		last = buf[got - 1];
		pos += got;
	}
	h->last_unended = h->to > h->from && last != '\n';
	free(buf);
	return NULL;
}

static void *half_parse(void *arg)
{
	struct half *h = arg;
	read_lines(&h->p, h->fd, h->from, h->to);
	return NULL;
}

/* Joins the second half b, parsed in place after a's a_slots, to a with the rules of one
 * sequential pass: a's error first; a blank line at a's end before b's first content; then
 * b's error, its line numbers moved on by a's lines. */
static void join_halves(struct parser *a, struct parser *b, size_t a_slots)
{
	if (a->failed)
		return;
	if (a->blank_line && b->content) {
		fail(a, a->blank_line, BLANK_BEFORE_VALUES);
		a->failed = true;
	} else if (b->failed) {
		if (b->defer)
			log_err("%s:%ld: %s", a->name, b->err_line + a->line, b->err);
		a->failed = true;
	} else if (b->s.n) {
		if (a->s.n < a_slots) /* comments or blank lines in a: close the gap (rare) */
			memmove(a->s.v + a->s.n, a->s.v + a_slots, b->s.n * sizeof(double));
		a->s.n += b->s.n;
	}
}

static void read_split(struct parser *p, int fd, off_t cut, off_t size)
{
	struct half first = { .p = *p, .fd = fd, .from = 0, .to = cut };
	struct half second = { .p = { .name = p->name, .defer = true }, .fd = fd, .from = cut,
			       .to = size };
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, half_count, &first) == 0;
	half_count(&second);
	if (threaded)
		pthread_join(th, NULL);
	else
		half_count(&first);
	size_t slots1 = first.lines + first.last_unended, slots2 = second.lines + second.last_unended;
	reserve(&first.p, slots1 + slots2 + 1);
	second.p.s.v = first.p.s.v + slots1; /* borrowed: its cap is never reached */
	second.p.cap = slots2 + 1;
	threaded = pthread_create(&th, NULL, half_parse, &second) == 0;
	half_parse(&first);
	if (threaded)
		pthread_join(th, NULL);
	else
		half_parse(&second);
	join_halves(&first.p, &second.p, slots1);
	*p = first.p;
}

int value_series_read(const char *path, struct value_series *out)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	*out = (struct value_series){ 0 };
	if (fd < 0) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!is_stdin && !textin_check_fd(fd, path)) {
		close(fd);
		return -1;
	}
	struct parser p = { .name = is_stdin ? "(stdin)" : path };
	struct stat st;
	off_t cut = !is_stdin && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
			    ? split_point(fd, st.st_size)
			    : 0;
	if (cut > 0)
		read_split(&p, fd, cut, st.st_size);
	else
		read_lines(&p, fd, is_stdin ? -1 : 0, -1);
	if (!is_stdin)
		close(fd);
	return finish(&p, out);
}

void value_series_free(struct value_series *s)
{
	free(s->v);
	*s = (struct value_series){ 0 };
}
