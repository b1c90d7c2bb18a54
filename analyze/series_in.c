/* Plain one-value-per-line series reader (rules in series_in.h). */
#include "analyze/series_in.h"

#include <errno.h>
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

struct parser {
	const char *name;
	struct value_series s;
	size_t cap;
	long line;
	long blank_line; /* first blank line since the last value, 0 if none */
	bool failed;
};

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

/* One line (without its '\n'). false after reporting an error. */
static bool parse_line(struct parser *p, const char *s, size_t len)
{
	p->line++;
	/* the common line, one number alone (perhaps with a CR), in one scan */
	if (!p->blank_line && len > 0) {
		double v;
		size_t used = numparse_prefix(s, len, &v);
		if (used && (used == len || (used + 1 == len && s[used] == '\r'))) {
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
	if (p->blank_line) {
		log_err("%s:%ld: empty line before more values (a missing sample would shift every "
			"later time; delete the line or mark it with '#')",
			p->name, p->blank_line);
		return false;
	}
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
		log_err("%s:%ld: not a number (token of %zu characters)", p->name, p->line, tlen);
		return false;
	}
	memcpy(tok, s + start, tlen);
	tok[tlen] = 0;
	if (memchr(tok, 0, tlen)) {
		log_err("%s:%ld: not a number (NUL byte)", p->name, p->line);
		return false;
	}
	errno = 0;
	char *end;
	v = strtod(tok, &end);
	if (end == tok || *end) {
		log_err("%s:%ld: not a number: '%.40s'", p->name, p->line, tok);
		return false;
	}
	if (strpbrk(tok, "xX")) { /* strtod's hexadecimal floats: not what anyone writes here */
		log_err("%s:%ld: not a decimal number: '%.40s'", p->name, p->line, tok);
		return false;
	}
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1)) {
		log_err("%s:%ld: not a finite number: '%.40s'", p->name, p->line, tok);
		return false;
	}
	while (i < len && blank(s[i]))
		i++;
	if (i < len && s[i] != '#') {
		log_err("%s:%ld: more than one value on the line (one value per line)", p->name,
			p->line);
		return false;
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
 * 10^7-line file spends its time in the numbers, not the I/O. */
enum { READ_BLOCK = 1 << 20 };

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
	size_t cap = READ_BLOCK, have = 0; /* have: bytes of an unfinished line at buf[0] */
	char *buf = xmalloc(cap);
	for (;;) {
		if (have == cap) { /* one line longer than the buffer */
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			log_err("%s: read error: %s", p.name, strerror(errno));
			p.failed = true;
			break;
		}
		size_t end = have + (size_t)got, i = 0;
		if (p.cap == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && got > 0) {
			/* the values a file of this size holds at the first block's line length,
			 * reserved at once: growing by copies would touch 3x the memory */
			size_t lines = 1;
			for (const char *c = buf; (c = memchr(c, '\n', (size_t)(buf + end - c))); c++)
				lines++;
			reserve(&p, (size_t)((double)st.st_size / ((double)end / (double)lines) * 1.05) +
					    1024);
		}
		if (got == 0) { /* the last line, without its '\n' */
			if (end > 0 && !parse_line(&p, buf, end))
				p.failed = true;
			break;
		}
		for (;;) {
			const char *nl = memchr(buf + i, '\n', end - i);
			if (!nl)
				break;
			size_t l = (size_t)(nl - (buf + i));
			if (!parse_line(&p, buf + i, l)) {
				p.failed = true;
				break;
			}
			i += l + 1;
		}
		if (p.failed)
			break;
		have = end - i;
		memmove(buf, buf + i, have);
	}
	free(buf);
	if (!is_stdin)
		close(fd);
	return finish(&p, out);
}

void value_series_free(struct value_series *s)
{
	free(s->v);
	*s = (struct value_series){ 0 };
}
