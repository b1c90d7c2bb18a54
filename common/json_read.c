/* Strict recursive-descent JSON parser (RFC 8259 grammar, sections 2-8). See json_read.h. */
#include "common/json_read.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

struct parser {
	const char *s;
	size_t len, pos;
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	size_t line = 1, col = 1;
	for (size_t i = 0; i < p->pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "line %zu, column %zu: %s", line, col, msg);
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
		fail(p, "invalid literal");
		return false;
	}
	p->pos += n;
	return true;
}

static void free_value(struct jr_value *v)
{
	if (v->type == JR_STRING) {
		free(v->string);
	} else if (v->type == JR_ARRAY || v->type == JR_OBJECT) {
		for (size_t i = 0; i < v->n; i++) {
			free_value(&v->items[i]);
			if (v->keys)
				free(v->keys[i]);
		}
		free(v->items);
		free(v->keys);
	}
	memset(v, 0, sizeof(*v));
}

static int hex4(struct parser *p)
{
	if (p->len - p->pos < 4) {
		fail(p, "truncated \\u escape");
		return -1;
	}
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos + (size_t)i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else {
			fail(p, "bad hex digit in \\u escape");
			return -1;
		}
	}
	p->pos += 4;
	return v;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* Length of the valid UTF-8 sequence at s[0..avail), or 0 (RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	unsigned cp = c & (0x3F >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* At the opening quote. Returns a malloc'd string or NULL (failed). */
static char *parse_string(struct parser *p)
{
	p->pos++; /* '"' */
	/* The decoded string is never longer than its source text. */
	size_t start = p->pos, end = start;
	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->len) {
		fail(p, "unterminated string");
		return NULL;
	}
	char *out = xmalloc(end - start + 1);
	char *o = out;
	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			*o = '\0';
			return out;
		}
		if (c < 0x20) {
			fail(p, "control character in string");
			break;
		}
		if (c != '\\') {
			size_t n = utf8_seq((const unsigned char *)p->s + p->pos, p->len - p->pos);
			if (n == 0) {
				fail(p, "invalid UTF-8 in string");
				break;
			}
			memcpy(o, p->s + p->pos, n);
			o += n;
			p->pos += n;
			continue;
		}
		p->pos++;
		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			break;
		}
		char e = p->s[p->pos++];
		switch (e) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			int u = hex4(p);
			if (u < 0)
				goto bad;
			unsigned cp = (unsigned)u;
			if (cp >= 0xDC00 && cp <= 0xDFFF) {
				fail(p, "lone low surrogate in \\u escape");
				goto bad;
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
					fail(p, "high surrogate without its low surrogate");
					goto bad;
				}
				p->pos += 2;
				int lo = hex4(p);
				if (lo < 0)
					goto bad;
				if (lo < 0xDC00 || lo > 0xDFFF) {
					fail(p, "high surrogate without its low surrogate");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
			}
			if (cp == 0) {
				fail(p, "\\u0000 in string");
				goto bad;
			}
			/* A \u escape (6 source bytes, 12 for a pair) never decodes to more bytes. */
			o = put_utf8(o, cp);
			break;
		}
		default:
			fail(p, "invalid escape \\%c", e >= 0x20 && e < 0x7f ? e : '?');
			goto bad;
		}
	}
bad:
	free(out);
	return NULL;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool parse_number(struct parser *p, struct jr_value *v)
{
	size_t start = p->pos;
	bool integer = true;
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
		if (is_digit(peek(p))) {
			fail(p, "leading zero in number");
			return false;
		}
	} else if (is_digit(peek(p))) {
		while (is_digit(peek(p)))
			p->pos++;
	} else {
		fail(p, "invalid number");
		return false;
	}
	if (peek(p) == '.') {
		integer = false;
		p->pos++;
		if (!is_digit(peek(p))) {
			fail(p, "digit expected after decimal point");
			return false;
		}
		while (is_digit(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		integer = false;
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!is_digit(peek(p))) {
			fail(p, "digit expected in exponent");
			return false;
		}
		while (is_digit(peek(p)))
			p->pos++;
	}
	size_t n = p->pos - start;
	char buf[64];
	char *text = n < sizeof(buf) ? buf : xmalloc(n + 1);
	memcpy(text, p->s + start, n);
	text[n] = '\0';
	v->type = JR_NUMBER;
	/* The grammar above is a subset of strtod's, so strtod consumes all of it. */
	errno = 0;
	v->number = strtod(text, NULL);
	if (!isfinite(v->number)) {
		if (text != buf)
			free(text);
		fail(p, "number out of range");
		return false;
	}
	if (integer) {
		errno = 0;
		long long i = strtoll(text, NULL, 10);
		if (errno == 0) {
			v->is_int = true;
			v->integer = i;
		}
	}
	if (text != buf)
		free(text);
	return true;
}

static bool parse_value(struct parser *p, struct jr_value *v);

static void append(struct jr_value *v, size_t *cap, struct jr_value *item, char *key)
{
	if (v->n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		v->items = xrealloc(v->items, *cap * sizeof(*v->items));
		if (v->type == JR_OBJECT)
			v->keys = xrealloc(v->keys, *cap * sizeof(*v->keys));
	}
	v->items[v->n] = *item;
	if (v->type == JR_OBJECT)
		v->keys[v->n] = key;
	v->n++;
}

static bool parse_container(struct parser *p, struct jr_value *v, bool object)
{
	if (++p->depth > JR_MAX_DEPTH) {
		fail(p, "nesting deeper than %d", JR_MAX_DEPTH);
		return false;
	}
	v->type = object ? JR_OBJECT : JR_ARRAY;
	p->pos++; /* '{' or '[' */
	size_t cap = 0;
	char close = object ? '}' : ']';
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		p->depth--;
		return true;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(p);
		if (object) {
			if (peek(p) != '"') {
				fail(p, "member name (a string) expected");
				return false;
			}
			key = parse_string(p);
			if (!key)
				return false;
			for (size_t i = 0; i < v->n; i++) {
				if (strcmp(v->keys[i], key) == 0) {
					fail(p, "duplicate member \"%.60s\"", key);
					free(key);
					return false;
				}
			}
			skip_ws(p);
			if (peek(p) != ':') {
				free(key);
				fail(p, "':' expected after member name");
				return false;
			}
			p->pos++;
			skip_ws(p);
		}
		struct jr_value item;
		memset(&item, 0, sizeof(item));
		if (!parse_value(p, &item)) {
			free_value(&item);
			free(key);
			return false;
		}
		append(v, &cap, &item, key);
		skip_ws(p);
		int c = peek(p);
		if (c == ',') {
			p->pos++;
			continue;
		}
		if (c == close) {
			p->pos++;
			p->depth--;
			return true;
		}
		fail(p, object ? "',' or '}' expected" : "',' or ']' expected");
		return false;
	}
}

static bool parse_value(struct parser *p, struct jr_value *v)
{
	skip_ws(p);
	switch (peek(p)) {
	case '{':
		return parse_container(p, v, true);
	case '[':
		return parse_container(p, v, false);
	case '"':
		v->string = parse_string(p);
		if (!v->string)
			return false;
		v->type = JR_STRING;
		return true;
	case 't':
		v->type = JR_BOOL;
		v->boolean = true;
		return literal(p, "true");
	case 'f':
		v->type = JR_BOOL;
		return literal(p, "false");
	case 'n':
		v->type = JR_NULL;
		return literal(p, "null");
	case -1:
		fail(p, "unexpected end of input");
		return false;
	default:
		if (peek(p) == '-' || is_digit(peek(p)))
			return parse_number(p, v);
		fail(p, "unexpected character");
		return false;
	}
}

struct jr_value *jr_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { text, len, 0, 0, err, errlen, false };
	if (err && errlen)
		err[0] = '\0';
	struct jr_value *v = xcalloc(1, sizeof(*v));
	if (!parse_value(&p, v)) {
		jr_free(v);
		return NULL;
	}
	skip_ws(&p);
	if (p.pos != p.len) {
		fail(&p, "trailing characters after the JSON value");
		jr_free(v);
		return NULL;
	}
	return v;
}

struct jr_value *jr_parse_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= JR_MAX_FILE) {
				log_err("%s: larger than %u MiB, not a ptpcal JSON file", path,
					JR_MAX_FILE >> 20);
				free(buf);
				fclose(f);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	bool rerr = ferror(f);
	fclose(f);
	if (rerr) {
		log_err("%s: read error", path);
		free(buf);
		return NULL;
	}
	char err[200];
	struct jr_value *v = jr_parse(buf, n, err, sizeof(err));
	free(buf);
	if (!v)
		log_err("%s: %s", path, err);
	return v;
}

void jr_free(struct jr_value *v)
{
	if (!v)
		return;
	free_value(v);
	free(v);
}

const struct jr_value *jr_get(const struct jr_value *v, const char *key)
{
	if (!v || v->type != JR_OBJECT || !key)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const struct jr_value *jr_at(const struct jr_value *v, size_t i)
{
	if (!v || v->type != JR_ARRAY || i >= v->n)
		return NULL;
	return &v->items[i];
}

size_t jr_len(const struct jr_value *v)
{
	return v && v->type == JR_ARRAY ? v->n : 0;
}

double jr_num(const struct jr_value *v)
{
	return v && v->type == JR_NUMBER ? v->number : NAN;
}

bool jr_int(const struct jr_value *v, int64_t *out)
{
	if (!v || v->type != JR_NUMBER || !v->is_int)
		return false;
	*out = v->integer;
	return true;
}

const char *jr_str(const struct jr_value *v)
{
	return v && v->type == JR_STRING ? v->string : NULL;
}

bool jr_bool(const struct jr_value *v, bool *known)
{
	bool is = v && v->type == JR_BOOL;
	if (known)
		*known = is;
	return is && v->boolean;
}

bool jr_is_null(const struct jr_value *v)
{
	return v && v->type == JR_NULL;
}
